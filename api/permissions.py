from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from api.models import ApiKey


class SignedInWithKeyScope(permissions.BasePermission):
    """Signed in (by session or key); a read-only key only reads. What the
    user may see or change is then decided by the pages' own rules."""

    message = _("This API key is read-only.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if isinstance(request.auth, ApiKey) and request.auth.read_only:
            return request.method in permissions.SAFE_METHODS
        return True
