"""Session lifetime and idle timeout; private, uncached signed-in pages."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.cache import patch_cache_control

SIGNED_IN_AT = "_signed_in_at"
LAST_SEEN = "_last_seen"
# The last request's time is written at most this often, not on every request
# (each write is a database UPDATE of the session).
TOUCH_EVERY_SECONDS = 60


def session_start(session):
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now


def session_expired(session, now) -> bool:
    signed_in, last_seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
    if signed_in is None or last_seen is None:
        return False
    return now - signed_in > settings.SESSION_HOURS * 3600 or now - last_seen > settings.SESSION_IDLE_MINUTES * 60


class SessionTimeoutMiddleware:
    """Signs the user out SESSION_HOURS after signing in or SESSION_IDLE_MINUTES
    after their last request, and sends them to the sign-in page, which says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session, now = request.session, int(time.time())
            if session.get(SIGNED_IN_AT) is None:
                session_start(session)
            elif session_expired(session, now):
                logout(request)
                return self._to_sign_in(request)
            elif now - session.get(LAST_SEEN, 0) >= TOUCH_EVERY_SECONDS:
                session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _to_sign_in(request):
        url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path(), 'expired': '1'})}"
        if request.headers.get("HX-Request"):
            # htmx would swap the sign-in page into a fragment: have it load the whole page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in user
    (their pages and their downloads), so neither a shared proxy nor the
    browser's disk keeps a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
