"""django-axes hooks: the client's address (behind a trusted proxy, from a
configured header) and the page shown while sign-in is locked."""

import ipaddress
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a reverse proxy the entry
    ``CLIENT_IP_PROXY_COUNT`` places from the right of ``CLIENT_IP_HEADER``.
    Proxies append what they saw, so entries further left are whatever the
    client sent and are never trusted."""
    remote = request.META.get("REMOTE_ADDR")
    header = settings.CLIENT_IP_HEADER
    if not header:
        return remote
    key = "HTTP_" + header.upper().replace("-", "_")
    entries = [entry.strip() for entry in request.META.get(key, "").split(",") if entry.strip()]
    if len(entries) < settings.CLIENT_IP_PROXY_COUNT:
        return remote
    candidate = entries[-settings.CLIENT_IP_PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class SignInLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with two limits: LOGIN_FAILURE_LIMIT
    failures for one account, LOGIN_ADDRESS_FAILURE_LIMIT for one address.
    An office behind one NAT address is not locked out by a few colleagues'
    typos, while one address trying many accounts still is."""

    def get_failures(self, request, credentials=None) -> int:
        # One queryset per AXES_LOCKOUT_PARAMETERS entry: the account's, then the address's.
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Scaled to the account limit that axes compares with: it reaches it
        # exactly when the address reaches its own limit.
        return max(by_account, by_address * settings.LOGIN_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURE_LIMIT)


def locked_until(request, credentials):
    """When the lock on this account or address ends: the cool-off counted from
    the last failure that was counted."""
    cool_off = settings.AXES_COOLOFF_TIME
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    latest = AccessAttempt.objects.filter(
        Q(username=username) | Q(ip_address=address), attempt_time__gte=timezone.now() - cool_off
    ).aggregate(latest=Max("attempt_time"))["latest"]
    return (latest or timezone.now()) + cool_off


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, with a message saying until when it is locked (429)."""
    until = locked_until(request, credentials)
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    local = timezone.localtime(until)
    message = _(
        "Too many failed sign-ins for this account or from this address. Sign-in is locked until "
        "%(time)s on %(date)s (about %(minutes)s minutes from now). An administrator can unlock it sooner."
    ) % {"time": date_format(local, "H:i"), "date": date_format(local, "SHORT_DATE_FORMAT"), "minutes": minutes}
    form = AuthenticationForm(request, initial={"username": get_client_username(request, credentials) or ""})
    context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)
