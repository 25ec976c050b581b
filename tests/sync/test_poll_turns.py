"""A periodic pass runs once per interval across all the processes of a deployment, not once in each
(`service/cursors.py` ``take_turn``): the stock check and the reconciliation read Walmart within its rate
limits whatever the number of processes, and a process that dies leaves its turn to the others."""

from __future__ import annotations

import asyncio
import time

import pytest

from channel_manager.sync import pollers

from .conftest import World

pytestmark = pytest.mark.anyio

INTERVAL = 1.0


def counted(name: str, passes: list[str], process: str) -> object:
    """A pass named ``name`` (the turn is kept by that name) that notes which process made it."""

    async def one_pass(context: object, link: object) -> pollers.PollResult:
        passes.append(process)
        return pollers.PollResult()

    one_pass.__name__ = name
    return one_pass


async def test_three_processes_make_one_pass_per_interval_between_them(world: World) -> None:
    link = await world.context.store(world.store_id)
    passes: list[str] = []

    contexts = [world.context, world.new_context(), world.new_context()]
    stop = asyncio.Event()
    started = time.monotonic()
    loops = [
        asyncio.create_task(
            pollers.run_every(context, link, counted("check_walmart_stock", passes, str(index)), INTERVAL, stop)
        )
        for index, context in enumerate(contexts)
    ]
    await asyncio.sleep(2.5 * INTERVAL)  # turns at about 0, 1 and 2 intervals
    stop.set()
    await asyncio.gather(*loops)
    elapsed = time.monotonic() - started  # more than 2.5 intervals on a busy machine
    # One pass per turn, turns 0.9 interval apart at the least, between the three processes; each process on
    # its own would have made one pass per interval (three times as many in all).
    most = int(elapsed / (0.9 * INTERVAL)) + 1
    assert 2 <= len(passes) <= most, (passes, elapsed)


async def test_when_the_process_that_had_the_turn_stops_another_takes_it(world: World) -> None:
    link = await world.context.store(world.store_id)
    passes: list[str] = []

    first_stop, second_stop = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(
        pollers.run_every(
            world.context, link, counted("reconcile_walmart_orders", passes, "first"), INTERVAL, first_stop
        )
    )
    await asyncio.sleep(0.2 * INTERVAL)
    second = asyncio.create_task(
        pollers.run_every(
            world.new_context(), link, counted("reconcile_walmart_orders", passes, "second"), INTERVAL, second_stop
        )
    )
    await asyncio.sleep(0.5 * INTERVAL)
    assert passes == ["first"]  # the second process found the turn taken
    first_stop.set()
    await first
    await asyncio.sleep(2.0 * INTERVAL)
    second_stop.set()
    await second
    assert "second" in passes[1:], passes
