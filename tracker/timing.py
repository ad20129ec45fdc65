"""``Server-Timing: app;dur=<ms>`` on every response (when turned on): the time Django spent on
the request, readable in the browser's network panel and by the benchmark
(``bench/``), without a profiler or the network in the number.

Only when ``SERVER_TIMING`` is on (the benchmark sets it): it would tell an
outsider how long each request takes. Then first in MIDDLEWARE, so it covers
every other middleware and the view. For a
streamed response (a file download) it covers the time until the first byte,
not the streaming.
"""

import time


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        entry = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        earlier = response.get("Server-Timing")
        response["Server-Timing"] = f"{earlier}, {entry}" if earlier else entry
        return response
