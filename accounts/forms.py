from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.services import users_send_set_password


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending through our queued, Vietnamese e-mail. It
    also reaches accounts created without a password, whose owner may have
    lost the "set your password" e-mail."""

    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email):
        return get_user_model()._default_manager.filter(email__iexact=email, is_active=True)

    def save(self, **kwargs):
        users_send_set_password(users=list(self.get_users(self.cleaned_data["email"])), reset=True)
