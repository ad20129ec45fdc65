"""Posting an admin change form as a browser would: the values it shows,
with the inlines' management forms, so a test only states what it changes."""

import datetime


def _encode(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return [value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


def _add_form(data, form):
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(value, bool) or value is None and field.__class__.__name__ == "BooleanField":
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        encoded = _encode(value)
        if isinstance(encoded, list) and isinstance(value, datetime.datetime):
            data[form.add_prefix(name) + "_0"], data[form.add_prefix(name) + "_1"] = encoded
        else:
            data[form.add_prefix(name)] = encoded


def change_form_data(response, **changes):
    """The POST data of the admin form in ``response`` (a GET of an add or
    change page), with ``changes`` applied to the main form's fields."""
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = _encode(management[name].value())
        # Extra (empty) forms are left out, as if the user added nothing.
        data[management.add_prefix("TOTAL_FORMS")] = str(len(formset.initial_forms))
        for form in formset.initial_forms:
            _add_form(data, form)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else _encode(value)
    return data
