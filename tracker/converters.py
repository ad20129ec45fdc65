"""The ``id`` path converter: a row id in ASCII digits within PostgreSQL's
bigint range. Django's ``int`` converter takes any length of digits, and a
number beyond bigint overflows the database driver in a related lookup
(``report_id=…``) instead of finding nothing; here it simply does not match,
so the answer is 404."""

from django.urls.converters import IntConverter

MAX_ID = 2**63 - 1


class IdConverter(IntConverter):
    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValueError("beyond bigint")  # Django's resolver reads this as "no match"
        return number
