"""Page numbers, limits and offsets from a query string, parsed so that no value a client
sends can fail a query or ask for unbounded work: garbage reads as the default, a number is
clamped into its range (an offset beyond any real list still fits the database's integers)."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

# Far beyond any real list, far below the 64-bit integers a database offset holds.
MAX_PAGE = 100_000
MAX_OFFSET = 10_000_000


def bounded_int(value: object, *, default: int, minimum: int, maximum: int) -> int:
    """`value` (a query-string text) as an int clamped to [minimum, maximum]; `default` when
    it is missing or not an integer (decimals, exponents, "nan" and the like included)."""
    text = str(value if value is not None else "").strip()
    if not text:
        return default
    if len(text) > 30:  # no need to convert a 4,000-digit number
        return maximum if text.lstrip("+").isdigit() else default
    try:
        number = int(text)
    except ValueError:
        return default
    return max(minimum, min(number, maximum))


def page_number(value: object, *, maximum: int = MAX_PAGE) -> int:
    """A 1-based page number."""
    return bounded_int(value, default=1, minimum=1, maximum=maximum)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """The API's pages: `limit` at most 500, `offset` clamped; garbage reads as the default
    instead of failing a query."""

    max_limit = 500

    def get_limit(self, request: Request) -> int | None:
        value = request.query_params.get(self.limit_query_param)
        if value is None or self.default_limit is None:
            return self.default_limit
        return bounded_int(
            value, default=self.default_limit, minimum=1, maximum=self.max_limit or 500
        )

    def get_offset(self, request: Request) -> int:
        value = request.query_params.get(self.offset_query_param)
        return bounded_int(value, default=0, minimum=0, maximum=MAX_OFFSET)
