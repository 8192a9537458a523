"""A fleet of simulated hosts: deterministic for a seed, and aware of its own ground truth."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import re2

from domain.telemetry.model import Batch
from simulator import catalog
from simulator.catalog import Archetype
from simulator.process import MIB, NANOS, SimProcess, lognormal
from simulator.profiles import Profile, profile
from simulator.scrape import DEFAULT_METRICS, check_metrics, scrape_process

EPOCH = 1_798_761_600 * NANOS  # 2027-01-01T00:00:00Z: a fixed start, so runs repeat exactly
SCRAPE_STEP_NANOS = 23_000  # time the scraper spends per process
PHASES = 10_000  # a host's scrape phase: 0 to 10 s past the interval's start, in ms
ROLES = ("database", "web", "app", "app", "web", "mixed")


@dataclass
class Host:
    name: str
    rng: random.Random
    role: str
    processes: dict[int, SimProcess] = field(default_factory=dict)
    next_pid: int = 300
    now: int = EPOCH
    # Short-lived processes started and gone between two scrapes: never seen, but they use PIDs.
    unseen_starts: int = 0
    flash_started: int = 0  # short-lived processes started, seen or not
    # Where in the interval this host's collector scrapes: collectors do not tick in unison.
    phase: int = 0

    def pid(self) -> int:
        while True:
            self.next_pid += self.rng.randint(1, 3)
            if self.next_pid > 4_194_304:  # pid_max on a 64-bit Linux: PIDs wrap
                self.next_pid = 300
            if self.next_pid not in self.processes:  # the kernel skips PIDs in use
                return self.next_pid


class Fleet:
    """``hosts`` hosts under a profile. ``scrape(t)`` is what the process scraper sees at ``t``."""

    def __init__(
        self,
        profile_name: str,
        hosts: int,
        *,
        seed: int = 1,
        processes: int | None = None,
        metrics: Sequence[str] = DEFAULT_METRICS,
        start: int = EPOCH,
    ) -> None:
        if hosts < 1:
            raise ValueError("a fleet needs at least one host")
        self.profile: Profile = profile(profile_name)
        self.seed = seed
        self.metrics = check_metrics(metrics)
        self.target_processes = processes
        self.hosts = [self._boot(f"host-{i:04d}", start) for i in range(hosts)]

    # -- building hosts --------------------------------------------------------------------

    def _boot(self, name: str, start: int) -> Host:
        rng = random.Random(f"{self.seed}/{self.profile.name}/{name}")
        host = Host(
            name, rng, rng.choice(ROLES), now=start, phase=rng.randrange(PHASES) * 1_000_000
        )
        systemd = self._spawn(
            host, catalog.SYSTEM[0], ppid=0, started=start - 30 * 86400 * NANOS, pid=1
        )
        for archetype in catalog.SYSTEM[1:]:
            self._spawn(
                host,
                archetype,
                ppid=systemd.pid,
                started=start - rng.randint(1, 30) * 86400 * NANOS,
            )
        for archetype in self._services(host):
            self._spawn_service(
                host, archetype, systemd.pid, start - rng.randint(600, 30 * 86400) * NANOS
            )
        low, high = self._runtime_range(host)
        for _ in range(rng.randint(low, high)):
            self._spawn_runtime(host, systemd.pid, start, already_running=True)
        lo, hi = self.profile.idle_workers
        for n in range(rng.randint(lo, hi) if hi else 0):
            archetype = rng.choice(catalog.IDLE_WORKERS)
            self._spawn(
                host,
                archetype,
                ppid=systemd.pid,
                started=start - rng.randint(60, 86400) * NANOS,
                n=n,
            )
        return host

    def _services(self, host: Host) -> list[Archetype]:
        rng = host.rng
        databases, web, runtimes = catalog.DATABASES, catalog.WEB, catalog.RUNTIMES
        match host.role:
            case "database":
                return [databases[0], *rng.sample(databases[1:], rng.randint(0, 2))]
            case "web":
                return [web[0], *rng.sample(web[1:], rng.randint(0, 1)), *rng.sample(runtimes, 1)]
            case "app":
                return [
                    *rng.sample(runtimes, rng.randint(1, 3)),
                    *rng.sample(databases[2:3], rng.randint(0, 1)),
                ]
            case _:
                return [databases[0], web[0], *rng.sample(runtimes, 2)]

    def _runtime_range(self, host: Host) -> tuple[int, int]:
        if self.target_processes is None:
            return self.profile.runtimes
        wanted = max(0, self.target_processes - len(host.processes))
        return wanted, wanted

    def _spawn(
        self,
        host: Host,
        archetype: Archetype,
        *,
        ppid: int,
        started: int,
        ends: int | None = None,
        n: int | None = None,
        pid: int | None = None,
    ) -> SimProcess:
        rng = host.rng
        pid = pid or host.pid()
        args = archetype.args.format(
            n=n if n is not None else rng.randint(1, 99), id=f"{rng.getrandbits(40):010x}"
        )
        process = SimProcess(
            pid=pid,
            ppid=ppid,
            host=host.name,
            archetype=archetype,
            command_line=f"{archetype.path} {args}".strip(),
            started_at=started,
            ends_at=ends,
            cpu_cores=lognormal(rng, *archetype.cpu),
            memory_bytes=lognormal(rng, *archetype.memory_mib) * MIB,
            disk_bytes_s=lognormal(rng, *archetype.disk_kib_s) * 1024,
            threads=max(1, int(lognormal(rng, 4, 0.8))),
            fds=max(3, int(lognormal(rng, 20, 0.8))),
        )
        process.identify()
        lived = (host.now - started) / NANOS
        if lived > 0:
            process.advance(lived, rng, host.now)  # counters as if it ran all its life until now
        host.processes[pid] = process
        return process

    def _spawn_service(self, host: Host, archetype: Archetype, ppid: int, started: int) -> None:
        main = self._spawn(host, archetype, ppid=ppid, started=started)
        low, high = archetype.children
        for _ in range(host.rng.randint(low, high) if high else 0):
            self._spawn(
                host, archetype, ppid=main.pid, started=started + host.rng.randint(1, 60) * NANOS
            )

    def _spawn_runtime(
        self, host: Host, ppid: int, at: int, *, already_running: bool = False
    ) -> None:
        rng = host.rng
        life = rng.expovariate(self.profile.churn_per_hour / 3600.0) * NANOS
        started = at - int(rng.random() * life) if already_running else at
        archetype = rng.choice(catalog.RUNTIMES)
        self._spawn(host, archetype, ppid=ppid, started=started, ends=started + int(life))

    def _spawn_job(self, host: Host, at: int) -> None:
        rng = host.rng
        archetype = rng.choice(catalog.JOBS)
        life = int(rng.expovariate(1.0 / (archetype.lifetime_s or 60.0)) * NANOS)
        self._spawn(host, archetype, ppid=1, started=at, ends=at + life)

    # -- time -------------------------------------------------------------------------------

    def _advance(self, host: Host, until: int) -> None:
        rng = host.rng
        seconds = (until - host.now) / NANOS
        if seconds < 0:
            raise ValueError("scrapes must move forward in time")
        ended = [p for p in host.processes.values() if p.ends_at is not None and p.ends_at <= until]
        for p in ended:
            del host.processes[p.pid]
        span = until - host.now
        # A runtime that exits is replaced (a deploy, a restart), so the population holds steady.
        for _ in range(sum(1 for p in ended if p.archetype.category == "runtime")):
            self._spawn_runtime(host, 1, host.now + int(rng.random() * span))
        for _ in range(_poisson(rng, seconds * self.profile.jobs_per_hour / 3600.0)):
            self._spawn_job(host, host.now + int(rng.random() * span))
        # Started and ended between two scrapes: the scraper never sees them.
        for p in [
            p for p in host.processes.values() if p.ends_at is not None and p.ends_at <= until
        ]:
            del host.processes[p.pid]
            host.unseen_starts += 1
        self._flash(host, until, seconds)
        self._backends(host, until, seconds)
        if self.profile.chaos:
            self._chaos(host, until, seconds)
        for process in host.processes.values():
            # A process started since the last scrape has run only since it started.
            ran = (until - max(process.started_at, host.now)) / NANOS
            process.advance(ran, rng, until)
        host.now = until

    def _flash(self, host: Host, until: int, seconds: float) -> None:
        """Short-lived processes started since the last scrape, fractions of a second included.
        Those alive now are seen; those still alive from before stay until they end (removed
        with every ended process): what is alive at a moment never depends on when, or how
        often, anyone scraped before it.
        """
        low, high = self.profile.flash_per_second
        if not high:
            return
        rng = host.rng
        whole, part = int(seconds), seconds - int(seconds)
        for second in range(whole + (1 if part else 0)):
            share = 1.0 if second < whole else part
            for _ in range(rng.randint(low, high)):
                offset = rng.random()
                if offset >= share:
                    continue  # in the part of the last second before the previous scrape
                archetype = rng.choice(catalog.FLASH)
                started = until - int((second + offset) * NANOS)
                life = int(rng.expovariate(1.0 / (archetype.lifetime_s or 1.0)) * NANOS)
                host.flash_started += 1
                if started + life > until:
                    self._spawn(host, archetype, ppid=1, started=started, ends=started + life)
                else:
                    host.pid()
                    host.unseen_starts += 1

    def _backends(self, host: Host, until: int, seconds: float) -> None:
        """Connection backends forked by each postmaster since the last scrape; those gone again
        before this scrape are never seen (by this scraper: one scraping at another moment may).
        """
        rate = self.profile.backends_per_second
        if not rate:
            return
        rng = host.rng
        postmasters = [
            p
            for p in host.processes.values()
            if p.archetype is catalog.DATABASES[0]
            and host.processes.get(p.ppid, p).archetype is not catalog.DATABASES[0]
        ]
        for postmaster in postmasters:
            for _ in range(_poisson(rng, rate * seconds)):
                started = until - int(rng.random() * seconds * NANOS)
                life = int(rng.expovariate(1.0 / (catalog.BACKEND.lifetime_s or 1.0)) * NANOS)
                if started + life > until:
                    self._spawn(
                        host,
                        catalog.BACKEND,
                        ppid=postmaster.pid,
                        started=started,
                        ends=started + life,
                    )
                else:
                    host.pid()
                    host.unseen_starts += 1

    def _chaos(self, host: Host, until: int, seconds: float) -> None:
        rng = host.rng
        candidates = [p for p in host.processes.values() if p.archetype.category != "system"]
        for process in candidates:
            if rng.random() < 0.002 * seconds:
                process.spike_until = until + rng.randint(10, 120) * NANOS
            if process.leak_per_s == 0.0 and rng.random() < 0.0005 * seconds:
                process.leak_per_s = lognormal(rng, 2.0, 0.5) * MIB
        if candidates and rng.random() < min(1.0, 0.01 * seconds):
            victim = rng.choice(candidates)
            del host.processes[victim.pid]
            if victim.ends_at is None:  # a service: restarted by its supervisor with a new PID
                self._spawn(
                    host,
                    victim.archetype,
                    ppid=victim.ppid,
                    started=until - rng.randint(0, 5) * NANOS,
                )

    # -- scraping ---------------------------------------------------------------------------

    def scrape(self, at: int) -> list[Batch]:
        """One batch per host: every process alive at ``at``, as the scraper reports it."""
        batches = []
        for host in self.hosts:
            when = at + host.phase
            self._advance(host, when)
            # The real scraper takes "now" per process: timestamps differ by microseconds.
            batches.append(
                [
                    scrape_process(p, when + i * SCRAPE_STEP_NANOS, self.metrics)
                    for i, p in enumerate(host.processes.values())
                ]
            )
        return batches

    def run(
        self, *, duration_s: float, interval_s: float = 10.0
    ) -> Iterator[tuple[int, list[Batch]]]:
        """Scrapes every ``interval_s`` for ``duration_s``, starting one interval after the start."""
        start = self.hosts[0].now
        steps = int(duration_s // interval_s)
        for step in range(1, steps + 1):
            at = start + int(step * interval_s * NANOS)
            yield at, self.scrape(at)

    # -- ground truth -----------------------------------------------------------------------

    def alive(self) -> list[SimProcess]:
        return [p for host in self.hosts for p in host.processes.values()]

    def critical(self, patterns: Sequence[str]) -> list[SimProcess]:
        """The processes alive now whose executable name matches a critical pattern."""
        compiled = [re2.compile(p) for p in patterns]  # as Phoenix and the collector match them
        return [p for p in self.alive() if any(c.search(p.executable_name) for c in compiled)]


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    count, total = 0, rng.expovariate(1.0)
    while total < mean:
        count += 1
        total += rng.expovariate(1.0)
    return count
