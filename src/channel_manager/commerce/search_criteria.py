"""Commerce ``searchCriteria`` query strings (NOTES.md section 3).

Filters inside one group are OR-ed, groups are AND-ed. Sort direction defaults to DESC on the
server, so the builder always sends one. Pages are 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

ConditionType = Literal[
    "eq",
    "neq",
    "gt",
    "gteq",
    "lt",
    "lteq",
    "moreq",
    "like",
    "nlike",
    "in",
    "nin",
    "finset",
    "nfinset",
    "from",
    "to",
    "null",
    "notnull",
]
Direction = Literal["ASC", "DESC"]


def commerce_timestamp(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, as Commerce stores ``created_at`` / ``updated_at``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def parse_commerce_timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Filter:
    field: str
    value: object = ""
    condition_type: ConditionType = "eq"

    def rendered_value(self) -> str:
        value = self.value
        if isinstance(value, datetime):
            return commerce_timestamp(value)
        if isinstance(value, (list, tuple, set, frozenset)):
            return ",".join(str(v) for v in value)
        if isinstance(value, bool):
            return "1" if value else "0"
        return "" if value is None else str(value)


@dataclass(frozen=True)
class SortOrder:
    field: str
    direction: Direction = "ASC"


@dataclass(frozen=True)
class SearchCriteria:
    """Immutable builder: ``SearchCriteria().where("status", "pending").order_by("entity_id")``."""

    filter_groups: tuple[tuple[Filter, ...], ...] = ()
    sort_orders: tuple[SortOrder, ...] = ()
    page_size: int | None = None
    current_page: int | None = None

    def where(self, field: str, value: object = "", condition_type: ConditionType = "eq") -> SearchCriteria:
        """AND a new group with one filter."""
        return self.any_of(Filter(field, value, condition_type))

    def any_of(self, *filters: Filter) -> SearchCriteria:
        """AND a new group whose filters are OR-ed."""
        if not filters:
            raise ValueError("a filter group needs at least one filter")
        return replace(self, filter_groups=(*self.filter_groups, tuple(filters)))

    def order_by(self, field: str, direction: Direction = "ASC") -> SearchCriteria:
        return replace(self, sort_orders=(*self.sort_orders, SortOrder(field, direction)))

    def page(self, page_size: int, current_page: int = 1) -> SearchCriteria:
        if page_size < 1 or current_page < 1:
            raise ValueError("page_size and current_page start at 1")
        return replace(self, page_size=page_size, current_page=current_page)

    def to_params(self) -> list[tuple[str, str]]:
        """Query parameters in Commerce's bracket syntax; ``searchCriteria=`` when empty."""
        params: list[tuple[str, str]] = []
        for g, group in enumerate(self.filter_groups):
            for f, flt in enumerate(group):
                prefix = f"searchCriteria[filter_groups][{g}][filters][{f}]"
                params.append((f"{prefix}[field]", flt.field))
                if flt.condition_type not in ("null", "notnull") or flt.value not in ("", None):
                    params.append((f"{prefix}[value]", flt.rendered_value()))
                params.append((f"{prefix}[condition_type]", flt.condition_type))
        for s, order in enumerate(self.sort_orders):
            params.append((f"searchCriteria[sortOrders][{s}][field]", order.field))
            params.append((f"searchCriteria[sortOrders][{s}][direction]", order.direction))
        if self.page_size is not None:
            params.append(("searchCriteria[pageSize]", str(self.page_size)))
        if self.current_page is not None:
            params.append(("searchCriteria[currentPage]", str(self.current_page)))
        return params or [("searchCriteria", "")]
