"""One claimed job as its use case sees it: the store's clients, the order, and the one transaction that
records the job's effect, clears the problem it had caused and marks it done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from ..domain.orders import PurchaseOrder
from ..storage.jobs import Job
from ..storage.unit_of_work import UnitOfWork
from .context import ServiceContext, StoreLink
from .jobs import mark_may_be_in_effect
from .outbox import describe, problem_key


class LeaseLost(Exception):
    """Another worker took the job over (ours was presumed dead); our result is discarded."""


@dataclass
class JobRun:
    context: ServiceContext
    link: StoreLink
    job: Job
    worker_id: str

    @property
    def may_be_in_effect(self) -> bool:
        """Whether an earlier try may have sent the call (its answer lost, its worker gone, a lease taken
        over, a Retry): then the handler reads the remote before sending again."""
        return self.job.may_be_in_effect

    async def sending(self) -> None:
        """Called right before the job's remote call: commits the job's ``may_be_in_effect`` marker, so any
        later try looks before it sends. Raises :class:`LeaseLost` (nothing may be sent) when the job is no
        longer ours."""
        if not await self.context.run_db(mark_may_be_in_effect, self.context, self.job, self.worker_id):
            raise LeaseLost(f"job {self.job.id} was taken over by another worker")
        self.job = replace(self.job, may_be_in_effect=True)

    def load_order(self) -> PurchaseOrder:
        assert self.job.order_id is not None
        with self.context.unit_of_work() as uow:
            order = uow.orders.get_by_id(self.job.order_id)
        if order is None:
            raise LookupError(f"order {self.job.order_id} of job {self.job.id} is gone")
        return order

    async def order(self) -> PurchaseOrder:
        return await self.context.run_db(self.load_order)

    async def finish(self, apply: Callable[[UnitOfWork, PurchaseOrder], None] | None = None) -> None:
        """Applies the job's effect to its order, clears the problem the job had caused, and marks the
        job done, all in one transaction. Raises :class:`LeaseLost` if another worker owns the job now."""
        await self.context.run_db(self._finish, apply)
        self.context.work_available.set()

    def _finish(self, apply: Callable[[UnitOfWork, PurchaseOrder], None] | None) -> None:
        now = self.context.now()
        with self.context.unit_of_work() as uow:
            if self.job.order_id is not None:
                order = uow.orders.get_by_id(self.job.order_id, for_update=True)
                assert order is not None
                if apply is not None:
                    apply(uow, order)
                key = problem_key(self.job.kind, self.job.payload)
                order.clear_problem_of(key, now, f"{describe(self.job.kind, self.job.payload)} succeeded")
                uow.orders.save(order)
            if not uow.jobs.complete(self.job.id, self.worker_id, now=now):
                raise LeaseLost(f"job {self.job.id} was taken over by another worker")
            uow.commit()


Handler = Callable[[JobRun], Awaitable[None]]
