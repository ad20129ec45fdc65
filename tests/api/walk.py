"""The API's routes as the URL walk sees them (tests/test_url_walk.py leaves
these to tests/api/test_api_walk.py, which walks each one as every role)."""

API_ROUTE_PREFIX = "api-"
