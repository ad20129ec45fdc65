"""Report attachments: checked by content as well as by name, limited in size,
stored under random names outside every web root, fingerprinted with SHA-256."""

import hashlib
import os
import unicodedata

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from reports.models import Attachment, ProgressReport
from reports.rules import can_edit_report

# Extension → the kinds of content accepted for it (as ``filetype`` names them).
# Word and Excel 97-2003 share one container format, which is told apart by name.
ALLOWED = {
    "pdf": {"pdf"},
    "doc": {"doc", "xls", "ppt"},
    "xls": {"doc", "xls", "ppt"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
    "odt": {"odt"},
    "ods": {"ods"},
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "png": {"png"},
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
ALLOWED_LABEL = "PDF, DOC, DOCX, XLS, XLSX, ODT, ODS, JPG, PNG"
# Also shown by the browser before a file is sent (reports/forms.py).
FILE_TOO_BIG = gettext_noop("“%(name)s” is %(size)s; the limit is %(limit)s.")


# Longer extensions are not ours anyway: such a name is simply cut.
EXTENSION_MAX_CHARS = 16


def clean_file_name(name: str) -> str:
    """The user's file name as shown back: no folders, no control characters,
    Vietnamese letters kept (in NFC), and no longer than the stored name may
    be: a longer one is shortened before its extension, which is kept."""
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip(" .")
    limit = Attachment._meta.get_field("original_name").max_length
    if len(name) > limit:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= EXTENSION_MAX_CHARS:
            name = f"{stem[: limit - len(extension) - 1].rstrip(' .')}.{extension}"
        else:
            name = name[:limit].strip(" .")
    return name or "tep-dinh-kem"


def _extension(name):
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def file_sha256(upload):
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def attachment_check(upload) -> str:
    """Validates one uploaded file; returns its extension."""
    name = clean_file_name(upload.name)
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            gettext(FILE_TOO_BIG)
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            }
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    extension = _extension(name)
    if extension not in ALLOWED:
        raise ValidationError(
            _("“%(name)s” is not an accepted type. Accepted: %(types)s.") % {"name": name, "types": ALLOWED_LABEL}
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED[extension]:
        raise ValidationError(
            _("The content of “%(name)s” is not a %(type)s file.") % {"name": name, "type": extension.upper()}
        )
    return extension


def upload_checked(upload, existing, already_message):
    """The checks every stored file passes (content, size and type, then the
    same bytes not already among ``existing``, a queryset of the owner's
    files): (extension, clean name, sha256), or ValidationError saying why not.
    ``already_message`` names the file ``%(name)s`` and the one it repeats
    ``%(existing)s``."""
    extension = attachment_check(upload)
    name = clean_file_name(upload.name)
    sha256 = file_sha256(upload)
    duplicate = existing.filter(sha256=sha256).first()
    if duplicate:
        raise ValidationError(already_message % {"name": name, "existing": duplicate.original_name})
    return extension, name, sha256


def attachment_add(*, report: ProgressReport, upload, by) -> Attachment:
    """Checks and stores one file on the report; ValidationError says why not."""
    if not can_edit_report(by, report):
        raise PermissionDenied
    extension, name, sha256 = upload_checked(
        upload, report.attachments, _("“%(name)s” is already attached to this report as “%(existing)s”.")
    )
    attachment = Attachment(
        report=report,
        original_name=name,
        content_type=CONTENT_TYPES[extension],
        size=upload.size,
        sha256=sha256,
        uploaded_by=by,
    )
    attachment.file.save(f"upload.{extension}", upload, save=False)
    attachment._history_user = by
    try:
        with transaction.atomic():
            attachment.save()
    except IntegrityError:
        # The same file arrived twice at once: keep the first, drop our copy.
        attachment.file.delete(save=False)
        raise ValidationError(_("“%(name)s” is already attached to this report.") % {"name": name}) from None
    return attachment


def attachment_delete(*, attachment: Attachment, by) -> None:
    if not can_edit_report(by, attachment.report):
        raise PermissionDenied
    attachment.file.delete(save=False)
    attachment._history_user = by
    attachment.delete()
