"""People's names the Vietnamese way, and permissions in words.

A Vietnamese name is họ, tên đệm, tên: "Nguyễn Thị Lan". The user model's
``last_name`` holds họ và tên đệm ("Nguyễn Thị") and ``first_name`` the tên
("Lan"); the full name puts the last name first. Django's own
``get_full_name()`` says "first last", so the app config replaces it (a custom
user model only for this would need a swapped-model migration of every table
that points at users)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

BUILTIN_ACTIONS = {
    "add": _("Can add %(name)s"),
    "change": _("Can change %(name)s"),
    "delete": _("Can delete %(name)s"),
    "view": _("Can view %(name)s"),
}


def full_name(user) -> str:
    """Họ và tên đệm, then tên: "Nguyễn Thị Lan"."""
    return name_of(user.last_name, user.first_name)


def name_of(last_name, first_name) -> str:
    """``full_name`` from the two columns (for a list read without its users)."""
    return " ".join(part for part in (last_name.strip(), first_name.strip()) if part)


def _lower_first(name):
    """ "Nhóm" → "nhóm" inside a phrase; "HĐND" stays as it is."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def permission_label(permission) -> str:
    """A permission in the reader's language. Django stores the names of the
    add/change/delete/view permissions in English ("Can add unit"), so those
    are rebuilt from the action and the model's translated name; other
    permissions' names are looked up in the catalog."""
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action in BUILTIN_ACTIONS and model is not None and model_name == model._meta.model_name:
        name = BUILTIN_ACTIONS[action] % {"name": _lower_first(str(model._meta.verbose_name))}
    else:
        name = gettext(permission.name)
    return f"{permission.content_type} | {name}"
