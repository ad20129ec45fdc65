"""Who is calling: a personal API key (``Authorization: Api-Key <key>``) or the
browser's session (with Django's CSRF check on every write)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.keys import apikey_find, apikey_touch

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _space, raw = header.partition(" ")
        if keyword != KEYWORD:
            return None
        key = apikey_find(raw.strip())
        if key is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed(_("This API key is unknown or has been revoked."))
        apikey_touch(key=key)
        return key.user, key

    def authenticate_header(self, request):
        return KEYWORD
