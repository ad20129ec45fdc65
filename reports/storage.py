import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage():
    """Attachments are kept outside the static and media web roots."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def attachment_path(instance, filename):
    # The stored name is a random id: the user's file name is kept only as data.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{instance.report_id}/{uuid.uuid4().hex}.{suffix[:8]}"
