"""Django REST Framework's messages that the API answers with and that its own
Vietnamese catalog lacks, listed exactly as DRF spells them so that
makemessages keeps them in our catalog, whose translations win (LOCALE_PATHS
is searched first); see tracker/third_party_messages.py. Never imported at run
time except by tests."""

# ruff: noqa: E501 - msgids are kept whole, exactly as the package spells them

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = {
    "rest_framework": [
        gettext_noop("A server error occurred."),
        gettext_noop("Invalid input."),
        gettext_noop("Malformed request."),
        gettext_noop("Incorrect authentication credentials."),
        gettext_noop("Authentication credentials were not provided."),
        gettext_noop("Could not satisfy the request Accept header."),
        gettext_noop('Unsupported media type "{media_type}" in request.'),
        gettext_noop("Request was throttled."),
        ngettext_lazy("Expected available in {wait} second.", "Expected available in {wait} seconds.", "wait"),
        gettext_noop("This field is required."),
        gettext_noop("This field may not be null."),
        gettext_noop("Must be a valid boolean."),
        gettext_noop("Not a valid string."),
        gettext_noop("Ensure this field has no more than {max_length} characters."),
        gettext_noop("A valid integer is required."),
        gettext_noop("Ensure this value is less than or equal to {max_value}."),
        gettext_noop("Ensure this value is greater than or equal to {min_value}."),
        gettext_noop("String value too large."),
        gettext_noop("A valid number is required."),
        gettext_noop("Ensure that there are no more than {max_digits} digits in total."),
        gettext_noop("Ensure that there are no more than {max_decimal_places} decimal places."),
        gettext_noop("Ensure that there are no more than {max_whole_digits} digits before the decimal point."),
        gettext_noop('"{input}" is not a valid choice.'),
        gettext_noop('Expected a list of items but got type "{input_type}".'),
        gettext_noop("No file was submitted."),
        gettext_noop("The submitted data was not a file. Check the encoding type on the form."),
        gettext_noop("No filename could be determined."),
        gettext_noop("The submitted file is empty."),
        gettext_noop("Ensure this filename has at most {max_length} characters (it has {length})."),
        gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
        gettext_noop("Invalid page."),
    ],
}
