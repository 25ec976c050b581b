"""``searchCriteria`` parsing and evaluation, as Commerce's collections do it (NOTES.md section 3).

Filters inside a group are OR-ed, groups AND-ed; sort direction defaults to DESC; a
``currentPage`` past the end returns the last page again; ``total_count`` is the unpaged count.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from channel_manager_sandboxes.commerce.errors import bad_request, required

_KEY = re.compile(r"\[([^\]]*)\]")
_ALIASES = {
    "filterGroups": "filter_groups",
    "sortOrders": "sort_orders",
    "pageSize": "page_size",
    "currentPage": "current_page",
    "conditionType": "condition_type",
}


@dataclass
class Criteria:
    filter_groups: list[list[dict[str, str]]] = field(default_factory=list)
    sort_orders: list[dict[str, str]] = field(default_factory=list)
    page_size: int | None = None
    current_page: int | None = None

    def echo(self) -> dict[str, Any]:
        """The ``search_criteria`` object of the answer."""
        out: dict[str, Any] = {
            "filter_groups": [
                {
                    "filters": [
                        {
                            k: v
                            for k, v in (
                                ("field", f.get("field", "")),
                                ("value", f.get("value")),
                                ("condition_type", f.get("condition_type", "eq")),
                            )
                            if v is not None
                        }
                        for f in group
                    ]
                }
                for group in self.filter_groups
            ]
        }
        if self.sort_orders:
            out["sort_orders"] = [
                {"field": s.get("field", ""), "direction": s.get("direction", "DESC")} for s in self.sort_orders
            ]
        if self.page_size is not None:
            out["page_size"] = self.page_size
        if self.current_page is not None:
            out["current_page"] = self.current_page
        return out


def _insert(tree: dict[str, Any], keys: Sequence[str], value: str) -> None:
    node = tree
    for key in keys[:-1]:
        node = node.setdefault(_ALIASES.get(key, key), {})
        if not isinstance(node, dict):
            return
    node[_ALIASES.get(keys[-1], keys[-1])] = value


def _ordered(node: Any) -> list[Any]:
    if not isinstance(node, dict):
        return []

    def index(key: str) -> tuple[int, str]:
        return (int(key), "") if key.isdigit() else (10**9, key)

    return [node[k] for k in sorted(node, key=index)]


def parse_criteria(params: Iterable[tuple[str, str]], *, required_param: bool = True) -> Criteria:
    tree: dict[str, Any] = {}
    present = False
    for name, value in params:
        if name == "searchCriteria":
            present = True
            continue
        if not name.startswith("searchCriteria["):
            continue
        present = True
        _insert(tree, _KEY.findall(name[len("searchCriteria") :]), value)
    if not present and required_param:
        raise required("searchCriteria")
    criteria = Criteria()
    for group in _ordered(tree.get("filter_groups")):
        filters = []
        for flt in _ordered(group.get("filters") if isinstance(group, dict) else None):
            if isinstance(flt, dict) and flt.get("field"):
                filters.append(
                    {
                        "field": flt["field"],
                        "value": flt.get("value", ""),
                        "condition_type": (flt.get("condition_type") or "eq").lower(),
                    }
                )
        if filters:
            criteria.filter_groups.append(filters)
    for sort in _ordered(tree.get("sort_orders")):
        if isinstance(sort, dict) and sort.get("field"):
            direction = str(sort.get("direction") or "DESC").upper()
            criteria.sort_orders.append({"field": sort["field"], "direction": "ASC" if direction == "ASC" else "DESC"})
    for name in ("page_size", "current_page"):
        raw = tree.get(name)
        if raw not in (None, ""):
            try:
                setattr(criteria, name, int(raw))
            except (TypeError, ValueError):
                raise bad_request(
                    f'The "{raw}" value\'s type is invalid. The "int" type was expected. Verify and try again.'
                ) from None
    return criteria


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _compare(left: Any, right: str) -> int:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    sa, sb = str(left), right
    return (sa > sb) - (sa < sb)


def _like(pattern: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in pattern.split("%")]
    return re.compile("^" + ".*".join(parts).replace("_", ".") + "$", re.IGNORECASE | re.DOTALL)


def matches(row: dict[str, Any], flt: dict[str, str]) -> bool:
    value = row.get(flt["field"])
    cond = flt["condition_type"]
    target = flt.get("value", "")
    if cond == "null":
        return value is None or value == ""
    if cond == "notnull":
        return value is not None and value != ""
    if cond in ("in", "nin"):
        options = [v.strip() for v in str(target).split(",")]
        hit = value is not None and any(_compare(value, o) == 0 for o in options)
        return hit if cond == "in" else not hit
    if cond in ("finset", "nfinset"):
        hit = value is not None and str(target) in str(value).split(",")
        return hit if cond == "finset" else not hit
    if cond in ("like", "nlike"):
        hit = value is not None and bool(_like(str(target)).match(str(value)))
        return hit if cond == "like" else not hit
    if value is None:
        return cond == "neq"
    c = _compare(value, str(target))
    return {
        "eq": c == 0,
        "neq": c != 0,
        "gt": c > 0,
        "gteq": c >= 0,
        "moreq": c >= 0,
        "from": c >= 0,
        "lt": c < 0,
        "lteq": c <= 0,
        "to": c <= 0,
    }.get(cond, False)


def _sort_key(value: Any) -> tuple[int, float, str]:
    if value is None:
        return (0, 0.0, "")
    number = _number(value)
    if number is not None and not isinstance(value, str):
        return (1, number, "")
    return (2, 0.0, str(value))


def search(
    rows: Iterable[dict[str, Any]], criteria: Criteria, render: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """The search-result envelope: ``{"items", "search_criteria", "total_count"}``."""
    hits = [r for r in rows if all(any(matches(r, f) for f in group) for group in criteria.filter_groups)]
    for sort in reversed(criteria.sort_orders):
        field_name = sort["field"]

        def key(row: dict[str, Any], name: str = field_name) -> tuple[int, float, str]:
            return _sort_key(row.get(name))

        hits.sort(key=key, reverse=sort["direction"] == "DESC")
    total = len(hits)
    if criteria.page_size:
        pages = max(1, math.ceil(total / criteria.page_size))
        page = min(max(1, criteria.current_page or 1), pages)  # past the end: the last page again
        hits = hits[(page - 1) * criteria.page_size : page * criteria.page_size]
    return {"items": [render(r) for r in hits], "search_criteria": criteria.echo(), "total_count": total}
