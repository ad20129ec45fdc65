import json

import pytest
from django.test import Client

from api.keys import apikey_create


class KeyClient(Client):
    """A test client that sends an API key and JSON bodies."""

    def __init__(self, raw_key=None, **kwargs):
        headers = {"HTTP_AUTHORIZATION": f"Api-Key {raw_key}"} if raw_key else {}
        super().__init__(**headers, **kwargs)

    def post_json(self, url, data=None, **kwargs):
        return self.post(url, json.dumps(data or {}), content_type="application/json", **kwargs)

    def patch_json(self, url, data=None, **kwargs):
        return self.patch(url, json.dumps(data or {}), content_type="application/json", **kwargs)


@pytest.fixture
def api_client_for():
    """A client with a fresh key of ``user`` (read-write unless ``read_only``)."""

    def make(user, *, read_only=False):
        return KeyClient(apikey_create(user=user, name="test", read_only=read_only)[1])

    return make
