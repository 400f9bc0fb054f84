"""Benchmark: the same run with the history on SQLite and on a local PostgreSQL.

Starts a PostgreSQL server of its own (``initdb`` into a temporary folder,
a Unix socket, no TCP, PostgreSQL's default durability: ``fsync=on``,
``synchronous_commit=on``), then, ``--rounds`` times and alternating:

- ``raw``: the raw baseline of ``bench/run.py`` (scandir, makedirs, rename);
- ``sqlite``: ``fileorganizer run DIR -c rules.yaml --quiet`` with the default
  SQLite history (a fresh data folder);
- ``postgresql``: the same command with ``FILEORGANIZER_DATABASE_URL`` set to a
  fresh database on that server.

Each measurement gets a freshly generated, identical tree (``bench/gen.py``,
same seed; the ``ext-run`` scenario: a flat folder sorted by extension) and is
timed by ``bench/run.py``'s launcher (fork to exit). The table shows the best
and the median of the rounds, and the ratio that matters here: PostgreSQL
seconds over SQLite seconds (target: at most 2).

    python bench/bench_pg.py                      # 50,000 files, 5 rounds
    python bench/bench_pg.py --files 2000 --rounds 1   # smoke test
    python bench/bench_pg.py --json bench/.work/pg.json

Needs the PostgreSQL server binaries (Debian: ``apt-get install postgresql``;
``$FILEORGANIZER_TEST_PG_BINDIR`` names another folder) and the ``postgres``
extra (``pip install -e '.[postgres]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent / "tests"))

import run as harness  # noqa: E402  (bench/ is not a package)
from pg_server import start_server, why_unavailable  # noqa: E402

BACKENDS = ("raw", "sqlite", "postgresql")


def _options(workdir: Path, seed: int) -> harness.Options:
    return harness.Options(
        fo_cmd=[sys.executable, "-m", "fileorganizer"],
        fo_quiet=True,
        tty=False,
        workdir=workdir,
        seed=seed,
        tree_dupes=0.0,
        repeat=1,
        sync=True,
        keep=False,
        organize_bin=None,
        organize_max=0,
    )


def measure(files: int, rounds: int, workdir: Path, seed: int) -> dict[str, list[float]]:
    """Seconds per backend, one entry per round."""
    server = start_server(durable=True, use_external=False)
    scenario = harness.SCENARIOS["ext-run"]
    times: dict[str, list[float]] = {b: [] for b in BACKENDS}
    try:
        opts = _options(workdir, seed)
        # warm the byte-code and page caches for both backends (untimed)
        for url in (None, server.create_database()):
            warm = _options(workdir, seed)
            if url:
                warm.env_extra = {"FILEORGANIZER_DATABASE_URL": url}
            harness.run_one(scenario, "fileorganizer", harness.WARM_UP_FILES, warm)
        for r in range(rounds):
            order = BACKENDS if r % 2 == 0 else tuple(reversed(BACKENDS))
            for backend in order:
                opts.env_extra = {}
                if backend == "postgresql":
                    opts.env_extra = {"FILEORGANIZER_DATABASE_URL": server.create_database()}
                tool = "raw" if backend == "raw" else "fileorganizer"
                res = harness.run_one(scenario, tool, files, opts)
                if res.status != "ok" or res.seconds is None:
                    raise SystemExit(f"{backend}: {res.status}: {res.note}")
                if backend == "postgresql" and res.note:
                    res.note = ""  # (no SQLite file in the data folder is the point)
                times[backend].append(res.seconds)
                print(f"round {r + 1} {backend:>10}: {res.seconds:7.2f} s", flush=True)
    finally:
        server.stop()
    return times


def render(files: int, times: dict[str, list[float]]) -> str:
    """A markdown table of the results."""
    best = {b: min(t) for b, t in times.items()}
    median = {b: statistics.median(t) for b, t in times.items()}
    lines = [
        f"| history ({files:,} files, ext-run) | best s | median s | x raw (best) |",
        "|---|---:|---:|---:|",
    ]
    for b in BACKENDS:
        lines.append(f"| {b} | {best[b]:.2f} | {median[b]:.2f} | {best[b] / best['raw']:.1f} |")
    ratio_best = best["postgresql"] / best["sqlite"]
    ratio_median = median["postgresql"] / median["sqlite"]
    lines.append("")
    lines.append(
        f"PostgreSQL / SQLite: {ratio_best:.2f}x (best), {ratio_median:.2f}x (median); "
        f"target at most 2x: {'met' if ratio_best <= 2 else 'NOT met'}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=BENCH_DIR / ".work" / "pg-trees")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    why = why_unavailable()
    if why is not None and not os.environ.get("FILEORGANIZER_TEST_PG_BINDIR"):
        print(f"cannot run: {why}", file=sys.stderr)
        return 2
    args.workdir.mkdir(parents=True, exist_ok=True)
    times = measure(args.files, args.rounds, args.workdir, args.seed)
    print()
    print(render(args.files, times))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"files": args.files, "seconds": times}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
