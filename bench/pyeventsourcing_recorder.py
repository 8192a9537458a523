"""The anchor column of bench.event_store: pyeventsourcing 9.5.6's PostgreSQL recorder.

Not a dependency of Phoenix: present only when the bench runs with it, as
``uv run --with 'eventsourcing[postgres]==9.5.6' --with 'psycopg[binary]' python -m
bench.event_store``. Synchronous (psycopg 3 and its pool), so concurrent streams run on
threads, one per stream, with a pool of as many connections; its appends take ``LOCK TABLE ...
IN EXCLUSIVE MODE`` (its default, without database functions). Its own table (``pyes_events``,
and the type and function its ``create_table`` makes) in the bench's database.
"""

from __future__ import annotations

import json
import threading
import time
from uuid import uuid4

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.conninfo import conninfo_to_dict

TABLE = "pyes_events"
TOPIC = "bench:Benchmarked"
DATA = {"variant": "aggregated", "reason": "x" * 64, "n": 1}  # as in bench/event_store.py
STATE = json.dumps(DATA).encode()  # what the raw asyncpg column stores in `data`

_recorders: dict[tuple[str, int], PostgresApplicationRecorder] = {}


def recorder(dsn: str, pool_size: int = 16) -> PostgresApplicationRecorder:
    """One datastore (pool) and recorder per DSN, its table created once."""
    key = (dsn, pool_size)
    if key not in _recorders:
        p = conninfo_to_dict(dsn)
        datastore = PostgresDatastore(
            dbname=p.get("dbname", ""),
            host=p.get("host", ""),  # a directory works too (Unix socket)
            port=p.get("port", 5432),
            user=p.get("user", ""),
            password=p.get("password", ""),
            pool_size=pool_size,
            max_overflow=0,
            # the defaults: enable_db_functions=False, i.e. the LOCK TABLE path, as an app gets
        )
        rec = PostgresApplicationRecorder(datastore, events_table_name=TABLE)
        rec.create_table()
        _recorders[key] = rec
    return _recorders[key]


def pyes_append(dsn: str, streams: int, batch: int, total: int) -> float:
    """Events/s appending `total` events over `streams` new aggregates, `batch` per transaction."""
    rec = recorder(dsn)
    per_stream = total // streams
    errors: list[BaseException] = []

    def one() -> None:
        try:
            originator_id, version = uuid4(), 0
            while version < per_stream:
                rec.insert_events(
                    [
                        StoredEvent(originator_id, version + i + 1, TOPIC, STATE)
                        for i in range(batch)
                    ]
                )
                version += batch
        except BaseException as exc:  # raised below, in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(streams)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return per_stream * streams / elapsed


def pyes_read(dsn: str, page: int = 1000) -> tuple[float, int]:
    """Events/s reading every notification in pages, decoding each state with json.loads."""
    rec = recorder(dsn)
    started, after, n = time.perf_counter(), 0, 0
    while batch := rec.select_notifications(start=after, limit=page, inclusive_of_start=False):
        for notification in batch:
            json.loads(notification.state)  # what JSONTranscoder.decode does, minus object_hook
        after, n = batch[-1].id, n + len(batch)
    return n / (time.perf_counter() - started), n
