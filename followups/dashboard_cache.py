"""Tells the dashboard's follow-up section (followups/dashboard.py) that its
cached figures are stale after any change to an item, its addressed units or
its source document, once the change is committed. Connected by
followups/apps.py."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from followups.dashboard import figures_changed
from followups.models import FollowUpAddressee, FollowUpItem, SourceDocument


def _changed(sender, **kwargs):
    transaction.on_commit(figures_changed)


def connect():
    for model in (FollowUpItem, FollowUpAddressee, SourceDocument):
        post_save.connect(_changed, sender=model, dispatch_uid=f"followups-figures-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"followups-figures-{model.__name__}-delete")
