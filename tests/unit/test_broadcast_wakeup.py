"""The wake-up the API's event streams share: one notice wakes every waiter, none is missed."""

from __future__ import annotations

import asyncio

from adapters.wakeup import Broadcast


async def test_one_notice_wakes_every_stream_waiting_on_a_ticket_taken_before_it() -> None:
    grew = Broadcast()
    tickets = [grew.ticket() for _ in range(5)]
    waiting = [asyncio.create_task(grew.wait(t, 30)) for t in tickets]
    grew.set()
    assert await asyncio.gather(*waiting) == [True] * 5


async def test_a_notice_between_the_read_and_the_wait_is_not_missed() -> None:
    grew = Broadcast()
    ticket = grew.ticket()  # before reading the log
    grew.set()  # events appended while it read
    assert await grew.wait(ticket, 30) is True  # at once: it reads again


async def test_a_ticket_taken_after_a_notice_waits_for_the_next_one() -> None:
    grew = Broadcast()
    grew.set()
    assert await grew.wait(grew.ticket(), 0.01) is False
