"""The error pages (400, 403, 404, 500 and a refused form) in the site's
layout and language, each with a way back.

400, 403 and 404 render through the site's layout with the request (the menu,
the signed-in user). The 500 page is rendered without the request and without
context processors: whatever failed (the database, a context processor) must
not fail the error page too."""

from django.core.exceptions import DisallowedHost
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token


def _back_url(request):
    """Where the visitor came from, when that is a page of this site."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the 400 for a foreign Host header lands here too
        return ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return referer
    return ""


def _page(request, template, status):
    return render(request, template, {"back_url": _back_url(request), "status": status}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _page(request, "404.html", 404)


@requires_csrf_token
def server_error(request):
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request, reason=""):
    """A form sent from a page that was open too long, or after signing in again
    elsewhere: say so, and how to send it again, rather than Django's English page."""
    return _page(request, "403_csrf.html", 403)
