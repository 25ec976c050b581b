"""Walmart's rate-limit budgets shared by every process, in PostgreSQL: one row per (seller account,
endpoint group), taken with one atomic ``UPDATE ... RETURNING`` per call.

The row is a token bucket in the form of the generic cell rate algorithm: ``tat`` (epoch seconds of the
database's clock, so the processes' own clocks do not matter) is the moment the bucket is full again. A call
moves ``tat`` one interval on from ``max(tat, now)`` and is sent at ``max(now, tat_before - tolerance)``,
where ``tolerance`` is the burst the bucket allows (its capacity less one token and the client's reserve,
in seconds): every caller gets its own slot, in the order they asked, whichever process it runs in. Walmart's
answers push ``tat`` out (fewer tokens left than we thought, a 429, a replenishment time) and never pull it
in. ``slowdown`` (1 = the allowed rate) halves after a 429 and recovers on successful answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.dialects.postgresql import insert

from .tables import rate_limit_budgets

_NOW = "EXTRACT(EPOCH FROM clock_timestamp())::double precision"

_TAKE = text(
    f"""
    UPDATE rate_limit_budgets
    SET tat = GREATEST(tat, {_NOW}) + :interval / slowdown, taken = taken + 1, updated_at = clock_timestamp()
    WHERE account = :account AND endpoint = :endpoint
    RETURNING tat - :interval / slowdown - :tolerance - {_NOW} AS wait, tat - {_NOW} AS ahead, slowdown
    """
)

#: ``_TAKE`` only when the call could go within ``max_wait`` seconds; otherwise nothing changes.
_TAKE_WITHIN = text(
    f"""
    UPDATE rate_limit_budgets
    SET tat = GREATEST(tat, {_NOW}) + :interval / slowdown, taken = taken + 1, updated_at = clock_timestamp()
    WHERE account = :account AND endpoint = :endpoint AND GREATEST(tat, {_NOW}) - :tolerance - {_NOW} <= :max_wait
    RETURNING tat - :interval / slowdown - :tolerance - {_NOW} AS wait, tat - {_NOW} AS ahead, slowdown
    """
)

_PEEK = text(
    f"""
    SELECT GREATEST(tat, {_NOW}) - :tolerance - {_NOW} AS wait, tat - {_NOW} AS ahead, slowdown
    FROM rate_limit_budgets WHERE account = :account AND endpoint = :endpoint
    """
)

_PUSH = text(
    f"""
    UPDATE rate_limit_budgets
    SET tat = GREATEST(tat, {_NOW} + :at_least_in),
        slowdown = CASE
            WHEN :throttled THEN GREATEST(:slowest, slowdown * 0.5)
            ELSE LEAST(1.0, slowdown + :recover)
        END,
        throttled = throttled + CASE WHEN :throttled THEN 1 ELSE 0 END,
        updated_at = clock_timestamp()
    WHERE account = :account AND endpoint = :endpoint
    RETURNING tat - {_NOW} AS ahead, slowdown
    """
)


@dataclass(frozen=True)
class Slot:
    """A call's place in the shared bucket: ``wait`` seconds until it may go, the bucket's ``tat`` as
    seconds from now (``ahead``), and the bucket's current ``slowdown``."""

    wait: float
    ahead: float
    slowdown: float
    #: False: the slot was not taken (it lay further than the caller's ``max_wait``); ``wait`` says how far.
    taken: bool = True


@dataclass(frozen=True)
class BudgetUsage:
    account: str
    endpoint: str
    taken: int
    throttled: int


class PostgresRateBudgets:
    """The shared buckets over an engine of the production database (PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("shared rate-limit budgets need PostgreSQL; SQLite keeps them in the process")
        self._engine = engine

    def take(
        self, account: str, endpoint: str, *, interval: float, tolerance: float, max_wait: float | None = None
    ) -> Slot:
        """Takes one call's slot (creating the bucket, full, on first use). With ``max_wait`` only a slot
        within that many seconds is taken; a later one is left (``Slot.taken`` False, ``wait`` its distance)."""
        params = {"account": account, "endpoint": endpoint, "interval": interval, "tolerance": tolerance}
        take = _TAKE if max_wait is None else _TAKE_WITHIN
        if max_wait is not None:
            params["max_wait"] = max_wait
        with self._engine.begin() as connection:
            row = connection.execute(take, params).one_or_none()
            if row is None:
                connection.execute(
                    insert(rate_limit_budgets)
                    .values(account=account, endpoint=endpoint, tat=0.0, slowdown=1.0, taken=0, throttled=0)
                    .values(updated_at=text("clock_timestamp()"))
                    .on_conflict_do_nothing()
                )
                row = connection.execute(take, params).one_or_none()
            if row is None:  # the bucket exists and its next slot lies beyond ``max_wait``
                peek = connection.execute(_PEEK, params).one()
                return Slot(wait=float(peek.wait), ahead=float(peek.ahead), slowdown=float(peek.slowdown), taken=False)
        return Slot(wait=max(0.0, float(row.wait)), ahead=float(row.ahead), slowdown=float(row.slowdown))

    def push(
        self,
        account: str,
        endpoint: str,
        *,
        at_least_in: float,
        throttled: bool = False,
        recover: float = 0.0,
        slowest: float = 0.25,
    ) -> Slot | None:
        """Moves the bucket's ``tat`` to at least ``at_least_in`` seconds from now; after a 429
        (``throttled``) halves its rate (not below ``slowest``), else speeds it up by ``recover``."""
        params = {
            "account": account,
            "endpoint": endpoint,
            "at_least_in": at_least_in,
            "throttled": throttled,
            "recover": recover,
            "slowest": slowest,
        }
        with self._engine.begin() as connection:
            row = connection.execute(_PUSH, params).one_or_none()
        if row is None:
            return None
        return Slot(wait=0.0, ahead=float(row.ahead), slowdown=float(row.slowdown))

    def usage(self) -> list[BudgetUsage]:
        """Calls taken and 429s per bucket (for figures and operators)."""
        table = rate_limit_budgets
        with self._engine.connect() as connection:
            rows = connection.execute(table.select().order_by(table.c.account, table.c.endpoint)).mappings()
            return [BudgetUsage(r["account"], r["endpoint"], int(r["taken"]), int(r["throttled"])) for r in rows]
