"""Wake-ups after appends: every poke is followed by a send that starts after it, and pokes
that come while one is being sent share a single send after it.
"""

from __future__ import annotations

import asyncio

from adapters.postgres.notices import Coalesced


class Sender:
    """Counts sends; each waits until the test lets it finish."""

    def __init__(self) -> None:
        self.started = 0
        self.finished = 0
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()
        self.fail = False

    async def __call__(self) -> None:
        self.started += 1
        self.entered.set()
        await self.gate.wait()
        self.finished += 1
        if self.fail:
            raise ConnectionRefusedError("the database went away")


async def test_a_poke_is_sent_once_and_never_waits_for_the_send() -> None:
    sender = Sender()
    notices = Coalesced(sender)
    notices.poke()  # returns at once, though the send cannot finish yet
    await asyncio.wait_for(sender.entered.wait(), 5)
    assert sender.started == 1
    sender.gate.set()
    await notices.settled()
    assert (sender.started, sender.finished) == (1, 1)


async def test_pokes_while_a_send_is_on_its_way_share_one_send_after_it() -> None:
    sender = Sender()
    notices = Coalesced(sender)
    notices.poke()
    await asyncio.wait_for(sender.entered.wait(), 5)
    assert sender.started == 1
    for _ in range(15):
        notices.poke()  # appends that committed while the first notice was on its way
    sender.gate.set()
    await notices.settled()
    assert sender.started == 2


async def test_a_poke_after_the_last_send_finished_sends_again() -> None:
    sender = Sender()
    sender.gate.set()
    notices = Coalesced(sender)
    notices.poke()
    await notices.settled()
    notices.poke()
    await notices.settled()
    assert sender.started == 2


async def test_a_failed_send_is_logged_and_the_next_poke_sends_again() -> None:
    sender = Sender()
    sender.gate.set()
    sender.fail = True
    notices = Coalesced(sender)
    notices.poke()
    await notices.settled()  # raises nothing
    sender.fail = False
    notices.poke()
    await notices.settled()
    assert (sender.started, sender.finished) == (2, 2)
