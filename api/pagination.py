"""Pages of a long list: ``?page=N`` and ``?page_size=N`` (at most 1,000)."""

from __future__ import annotations

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
