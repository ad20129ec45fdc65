"""Request bodies larger than the attachment limit are refused before they are
read, so nothing is received into memory or written to the temporary folder.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count files, and its upload
handlers only see a file once the body is being read, so the check is on the
declared CONTENT_LENGTH, in a middleware that runs before anything reads
``request.POST`` (the CSRF check, the views). The user is sent back to the
page they were on (303, so the browser asks for it with GET) with the reason;
what they had typed since their last save was in the refused body and is not
kept, which the message says. A reverse proxy in front should refuse the same
size itself (README: nginx ``client_max_body_size``).
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

BODY_METHODS = {"POST", "PUT", "PATCH"}
# Room for the form sent with the files: the report form's four texts at
# TEXT_MAX_CHARS, up to 4 bytes a character, and the multipart headers.
FORM_ALLOWANCE_BYTES = 1024 * 1024


def body_limit():
    """The largest request body read: one attachment and its form."""
    return settings.ATTACHMENT_MAX_BYTES + FORM_ALLOWANCE_BYTES


def declared_length(request):
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request)
        if request.method in BODY_METHODS and length > body_limit():
            return self.refuse(request, length)
        return self.get_response(request)

    def refuse(self, request, length):
        messages.error(
            request,
            _(
                "What you sent is %(size)s; the limit is %(limit)s. Nothing was saved: attach smaller "
                "files, or fewer at a time, and type again what you had not saved."
            )
            % {"size": filesizeformat(length), "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)},
        )
        response = HttpResponseRedirect(request.get_full_path())
        response.status_code = 303
        return response
