from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """At most settings.API_KEY_RATE requests per key; sessions are not limited here."""

    scope = "api_key"

    def get_rate(self):
        return settings.API_KEY_RATE

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
