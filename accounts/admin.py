"""The user admin, extended: a "set your password" e-mail, as an action and on
creating a user without a password, so nobody has to be told a password."""

import copy

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.services import users_send_set_password

User = get_user_model()
BaseUserAdmin = type(admin.site._registry[User])
admin.site.unregister(User)


def _report_sent(modeladmin, request, sent, asked):
    if sent:
        modeladmin.message_user(
            request,
            ngettext(
                "A “set your password” e-mail is on its way to %(count)d user.",
                "A “set your password” e-mail is on its way to %(count)d users.",
                len(sent),
            )
            % {"count": len(sent)},
            messages.SUCCESS,
        )
    missed = asked - len(sent)
    if missed:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d user has no e-mail address or is inactive: no e-mail was sent to them.",
                "%(count)d users have no e-mail address or are inactive: no e-mail was sent to them.",
                missed,
            )
            % {"count": missed},
            messages.WARNING,
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    actions = [*(BaseUserAdmin.actions or []), "send_set_password"]
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "first_name", "last_name", "email", "usable_password", "password1", "password2"),
                "description": _(
                    "Leave password-based authentication disabled to let the user choose their own password: "
                    "they receive an e-mail with a link to set it."
                ),
            },
        ),
    )

    @admin.action(description=_("Send a “set your password” e-mail"))
    def send_set_password(self, request, queryset):
        users = list(queryset)
        _report_sent(self, request, users_send_set_password(users=users), len(users))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and "usable_password" in form.base_fields:
            # Disabled by default: the user sets their own password from the e-mail.
            field = copy.deepcopy(form.base_fields["usable_password"])
            field.initial = "false"
            form.base_fields["usable_password"] = field
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and not obj.has_usable_password():
            _report_sent(self, request, users_send_set_password(users=[obj]), 1)
