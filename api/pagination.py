from django.conf import settings
from rest_framework.pagination import CursorPagination, PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"

    @property
    def page_size(self):
        return settings.API_PAGE_SIZE

    @property
    def max_page_size(self):
        return settings.API_PAGE_SIZE_MAX


class KeysetPagination(CursorPagination):
    """Pages of a large list by an opaque cursor (``next``/``previous`` links),
    newest first, with no count: each page is one index range scan (by the
    primary key) whatever the list's size, where a page number would need a
    COUNT over every matching row and an OFFSET past every earlier page."""

    ordering = "-pk"
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        self.page_size, self.max_page_size = settings.API_PAGE_SIZE, settings.API_PAGE_SIZE_MAX
        return super().get_page_size(request)
