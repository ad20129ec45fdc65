"""Personal API keys: made, found and revoked here only.

A key is ``<prefix>.<secret>``: the prefix (8 random characters, stored) finds
the row; the whole key is checked against its stored SHA-256 digest. The key
has 256 random bits, so a fast digest is enough (a slow password hash guards
guessable secrets, and would cost every API request tens of milliseconds)."""

import datetime
import hashlib
import secrets

from django.utils import timezone
from django.utils.crypto import constant_time_compare

from api.models import ApiKey

# last_used_at is written at most this often per key, not on every request.
LAST_USED_EVERY = datetime.timedelta(seconds=60)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def apikey_create(*, user, name: str, read_only: bool) -> tuple[ApiKey, str]:
    """A new key for ``user``: the row, and the key itself (shown once, never stored)."""
    while True:
        prefix = secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(user=user, name=name, prefix=prefix, digest=_digest(raw), read_only=read_only)
    return key, raw


def apikey_find(raw: str) -> ApiKey | None:
    """The active key ``raw`` spells, with its user, or None."""
    prefix, dot, _secret = raw.partition(".")
    if not dot or not prefix or len(prefix) > 16:
        return None
    key = ApiKey.objects.active().select_related("user").filter(prefix=prefix).first()
    if key is None or not constant_time_compare(key.digest, _digest(raw)):
        return None
    return key


def apikey_touch(*, key: ApiKey, now=None) -> None:
    """Records that the key was used (at most once a minute)."""
    now = now or timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def apikey_revoke(*, key: ApiKey, now=None) -> bool:
    """Revokes the key; False when it was revoked already."""
    return bool(ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now or timezone.now()))
