"""The Orders page's search: what a text matches, in a form the indexes of revision 0015_console_search serve
at 100,000 orders.

Order numbers (Walmart PO, customer order, Commerce order), the buyer's e-mail and line SKUs match from their
start; the buyer's name matches anywhere in it; case is ignored and ``%``/``_`` are taken literally. Each is
its own condition, so that each can be asked through its own index (``OrderRepository.list`` asks each for one
page and keeps the best of their union).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, func

from .tables import PREFIX_SEARCH_COLUMNS, buyer_name, order_lines, purchase_orders

_ESCAPE = "/"


def _literal(text: str) -> str:
    """``text`` with LIKE's wildcards (and the escape character) escaped."""
    for special in (_ESCAPE, "%", "_"):
        text = text.replace(special, _ESCAPE + special)
    return text


def _buyer_name(dialect: str) -> Any:
    # PostgreSQL: exactly the trigram index's expression. SQLite: json_extract (``->>`` needs SQLite 3.38).
    if dialect == "postgresql":
        return buyer_name
    return func.lower(func.json_extract(purchase_orders.c.shipping_address, "$.name"))


def search_conditions(text: str, dialect: str) -> list[ColumnElement[bool]]:
    """One condition on ``purchase_orders`` per way ``text`` (stripped, not empty) can match an order."""
    literal = _literal(text.lower())

    def starts(column: Any) -> ColumnElement[bool]:
        return func.lower(column).like(f"{literal}%", escape=_ESCAPE)

    conditions = [starts(purchase_orders.c[name]) for name in PREFIX_SEARCH_COLUMNS[purchase_orders]]
    conditions.append(_buyer_name(dialect).like(f"%{literal}%", escape=_ESCAPE))
    for name in PREFIX_SEARCH_COLUMNS[order_lines]:
        conditions.append(exists().where(order_lines.c.order_id == purchase_orders.c.id, starts(order_lines.c[name])))
    return conditions
