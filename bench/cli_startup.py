"""How long `phoenix` takes to start: wall time of CLI commands beside the floor of any Typer CLI
(the interpreter importing typer and rich), median of repeated runs in the same session.

    uv run python -m bench.cli_startup [--repeat 15] [--tree DIR]

``--tree`` times another checkout of Phoenix (its code first on the path) beside this one, for a
before/after in one run. `python -X importtime -c "import gateway.cli"` says where the rest goes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import machine, table

FLOOR = "import typer, rich.console"
COMMANDS = [
    ["--help"],
    ["pipeline", "--help"],
    ["experiment", "list"],
    ["loadsim", "list-profiles"],
]


def seconds(code: str, args: list[str], *, tree: Path | None, env: dict[str, str]) -> float:
    path = f"import sys; sys.path.insert(0, {str(tree)!r}); " if tree else ""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", path + code, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--tree", type=Path, help="another checkout to time beside this one")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as empty:
        # No Phoenix runs in an empty data dir: `experiment list` stops at "no Phoenix is running",
        # after loading everything a client command loads.
        env = {**os.environ, "PHOENIX_DATA_DIR": empty, "COLUMNS": "120"}
        env.pop("PHOENIX_API_URL", None)
        cli = "from gateway.cli import main; main()"
        trees: list[tuple[str, Path | None]] = [("this tree", None)]
        if options.tree:
            trees.append((str(options.tree), options.tree))
        samples: dict[str, list[float]] = {}
        for _ in range(options.repeat):  # interleaved, so drift on a shared machine hits all alike
            samples.setdefault("floor", []).append(seconds(FLOOR, [], tree=None, env=env))
            for label, tree in trees:
                for args in COMMANDS:
                    key = f"{label}: phoenix {' '.join(args)}"
                    samples.setdefault(key, []).append(seconds(cli, args, tree=tree, env=env))
    floor = statistics.median(samples["floor"])
    rows = [
        [name, f"{statistics.median(runs) * 1000:.0f}", f"{statistics.median(runs) / floor:.2f}"]
        for name, runs in samples.items()
    ]
    table(
        f"CLI start-up, median of {options.repeat} ({machine()})",
        ["command", "ms", "ratio to floor"],
        rows,
    )


if __name__ == "__main__":
    main()
