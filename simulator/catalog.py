"""Process archetypes: what runs on hosts, how many, how long, and how hungry."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Archetype:
    """A kind of process. CPU in cores and memory in MiB are lognormal (median, sigma)."""

    name: str  # the executable name, as process.executable.name reports it
    path: str
    args: str  # command-line arguments; {n} is a per-process number, {id} a random token
    owner: str = "root"
    category: str = "system"
    cpu: tuple[float, float] = (0.002, 1.0)
    memory_mib: tuple[float, float] = (20.0, 0.6)
    disk_kib_s: tuple[float, float] = (1.0, 1.5)
    lifetime_s: float | None = None  # mean lifetime for mortal processes; None: lives throughout
    children: tuple[int, int] = (0, 0)  # worker processes of the same executable under it


SYSTEM = (
    Archetype("systemd", "/usr/lib/systemd/systemd", "--system --deserialize 31"),
    Archetype("systemd-journald", "/usr/lib/systemd/systemd-journald", "", memory_mib=(60, 0.3)),
    Archetype("systemd-logind", "/usr/lib/systemd/systemd-logind", ""),
    Archetype("systemd-udevd", "/usr/lib/systemd/systemd-udevd", ""),
    Archetype(
        "dbus-daemon",
        "/usr/bin/dbus-daemon",
        "--system --address=systemd: --nofork",
        owner="messagebus",
    ),
    Archetype("sshd", "/usr/sbin/sshd", "-D"),
    Archetype("cron", "/usr/sbin/cron", "-f"),
    Archetype("rsyslogd", "/usr/sbin/rsyslogd", "-n -iNONE", owner="syslog"),
    Archetype("chronyd", "/usr/sbin/chronyd", "-F 1", owner="_chrony"),
    Archetype("containerd", "/usr/bin/containerd", "", cpu=(0.01, 0.8), memory_mib=(80, 0.4)),
    Archetype(
        "kubelet",
        "/usr/bin/kubelet",
        "--config=/var/lib/kubelet/config.yaml",
        cpu=(0.03, 0.6),
        memory_mib=(120, 0.3),
    ),
    Archetype(
        "node_exporter", "/usr/local/bin/node_exporter", "--path.rootfs=/host", owner="nobody"
    ),
    Archetype(
        "otelcol-contrib",
        "/usr/bin/otelcol-contrib",
        "--config=/etc/otelcol-contrib/config.yaml",
        owner="otel",
        cpu=(0.01, 0.5),
        memory_mib=(90, 0.3),
    ),
    Archetype("agetty", "/usr/sbin/agetty", "-o -p -- \\u --noclear tty1 linux"),
)

DATABASES = (
    Archetype(
        "postgres",
        "/usr/lib/postgresql/16/bin/postgres",
        "-D /var/lib/postgresql/16/main",
        owner="postgres",
        category="database",
        cpu=(0.05, 1.2),
        memory_mib=(300, 0.8),
        disk_kib_s=(200, 1.5),
        children=(5, 15),
    ),
    Archetype(
        "mysqld",
        "/usr/sbin/mysqld",
        "--basedir=/usr --datadir=/var/lib/mysql",
        owner="mysql",
        category="database",
        cpu=(0.1, 1.0),
        memory_mib=(800, 0.5),
        disk_kib_s=(300, 1.2),
    ),
    Archetype(
        "redis-server",
        "/usr/bin/redis-server",
        "127.0.0.1:6379",
        owner="redis",
        category="database",
        cpu=(0.02, 1.0),
        memory_mib=(200, 0.9),
    ),
    Archetype(
        "mongod",
        "/usr/bin/mongod",
        "--config /etc/mongod.conf",
        owner="mongodb",
        category="database",
        cpu=(0.05, 1.0),
        memory_mib=(600, 0.6),
        disk_kib_s=(150, 1.3),
    ),
)

WEB = (
    Archetype(
        "nginx",
        "/usr/sbin/nginx",
        "-g daemon on; master_process on;",
        category="web",
        cpu=(0.01, 1.2),
        memory_mib=(15, 0.4),
        children=(2, 8),
    ),
    Archetype(
        "haproxy",
        "/usr/sbin/haproxy",
        "-Ws -f /etc/haproxy/haproxy.cfg",
        owner="haproxy",
        category="web",
        cpu=(0.02, 1.0),
    ),
    Archetype(
        "envoy",
        "/usr/local/bin/envoy",
        "-c /etc/envoy/envoy.yaml",
        owner="envoy",
        category="web",
        cpu=(0.03, 0.9),
        memory_mib=(70, 0.4),
    ),
)

RUNTIMES = (
    Archetype(
        "java",
        "/usr/lib/jvm/java-21-openjdk/bin/java",
        "-Xmx2g -jar /opt/app/service-{n}.jar",
        owner="app",
        category="runtime",
        cpu=(0.2, 1.1),
        memory_mib=(1200, 0.5),
    ),
    Archetype(
        "python3",
        "/usr/bin/python3.11",
        "/opt/app/venv/bin/gunicorn app.wsgi:application --bind 0.0.0.0:80{n:02d}",
        owner="app",
        category="runtime",
        cpu=(0.05, 1.2),
        memory_mib=(150, 0.5),
        children=(2, 8),
    ),
    Archetype(
        "node",
        "/usr/bin/node",
        "/opt/web/server-{n}.js",
        owner="app",
        category="runtime",
        cpu=(0.05, 1.2),
        memory_mib=(180, 0.5),
    ),
    Archetype(
        "dotnet",
        "/usr/share/dotnet/dotnet",
        "/opt/api/Api{n}.dll",
        owner="app",
        category="runtime",
        cpu=(0.05, 1.0),
        memory_mib=(250, 0.4),
    ),
)

JOBS = (
    Archetype(
        "bash",
        "/usr/bin/bash",
        "-c /opt/jobs/report-{n}.sh",
        owner="app",
        category="job",
        lifetime_s=900,
    ),
    Archetype(
        "sh",
        "/usr/bin/dash",
        "-c /usr/lib/update-notifier/check-{n}",
        category="job",
        lifetime_s=300,
    ),
    Archetype(
        "python3",
        "/usr/bin/python3.11",
        "/opt/jobs/etl.py --batch {id}",
        owner="app",
        category="job",
        cpu=(0.3, 0.8),
        memory_mib=(200, 0.6),
        lifetime_s=1800,
    ),
    Archetype(
        "curl",
        "/usr/bin/curl",
        "-fsS https://healthcheck.internal/{id}",
        owner="app",
        category="job",
        lifetime_s=60,
    ),
    Archetype(
        "tar",
        "/usr/bin/tar",
        "czf /backup/archive-{id}.tar.gz /srv/data",
        category="job",
        cpu=(0.4, 0.5),
        disk_kib_s=(5000, 0.8),
        lifetime_s=1200,
    ),
    Archetype(
        "rsync",
        "/usr/bin/rsync",
        "-a /srv/data/ backup:/srv/{id}/",
        category="job",
        cpu=(0.2, 0.6),
        disk_kib_s=(3000, 0.8),
        lifetime_s=1500,
    ),
    Archetype(
        "find",
        "/usr/bin/find",
        "/var/log -name *.gz -mtime +{n} -delete",
        category="job",
        lifetime_s=120,
    ),
    Archetype(
        "logrotate", "/usr/sbin/logrotate", "/etc/logrotate.conf", category="job", lifetime_s=30
    ),
)

# The many idle workers of the high-cardinality profile, each with a command line of its own.
IDLE_WORKERS = (
    Archetype(
        "worker",
        "/opt/queue/bin/worker",
        "--queue=jobs --shard={n} --task={id}",
        owner="app",
        category="worker",
        cpu=(0.0005, 1.5),
        memory_mib=(25, 0.4),
    ),
    Archetype(
        "python3",
        "/usr/bin/python3.11",
        "-m celery worker -n w{n}@%h --task {id}",
        owner="app",
        category="worker",
        cpu=(0.0005, 1.5),
        memory_mib=(60, 0.4),
    ),
    Archetype(
        "php-fpm",
        "/usr/sbin/php-fpm8.2",
        "pool www-{n} --request {id}",
        owner="www-data",
        category="worker",
        cpu=(0.0005, 1.5),
        memory_mib=(30, 0.4),
    ),
)

# Short-lived processes of the high-churn profile: started 20 to 30 times a second per host.
FLASH = (
    Archetype(
        "sh",
        "/usr/bin/dash",
        "-c /opt/probe/check-{n}.sh {id}",
        owner="app",
        category="flash",
        lifetime_s=1.5,
    ),
    Archetype(
        "curl",
        "/usr/bin/curl",
        "-fsS http://127.0.0.1:8080/health?probe={id}",
        owner="app",
        category="flash",
        lifetime_s=0.8,
    ),
    Archetype(
        "date", "/usr/bin/date", "+%s --probe {id}", owner="app", category="flash", lifetime_s=0.2
    ),
    Archetype(
        "grep",
        "/usr/bin/grep",
        "-c ERROR /var/log/app/{id}.log",
        owner="app",
        category="flash",
        lifetime_s=0.5,
    ),
)

# A PostgreSQL connection backend: forked by the postmaster for each client connection, gone when
# the client disconnects (applications that do not pool open one per request). Critical by name.
BACKEND = Archetype(
    "postgres",
    "/usr/lib/postgresql/16/bin/postgres",
    "postgres: app appdb 10.1.{n}.{id}(5432) idle",
    owner="postgres",
    category="backend",
    cpu=(0.002, 1.0),
    memory_mib=(12, 0.3),
    lifetime_s=1.5,
)
