"""Benchmark (not a test): watch-mode latency and idle CPU.

* **latency**: files are written in a few chunks, one after another; for each,
  the time from its last write to the moment its move was applied, minus
  ``stable_seconds`` (the wait the user asked for). Reported as p50/p95/max,
  next to the raw baseline: the time from the last write to the event
  reaching a bare watchdog handler.
* **idle CPU**: the watcher's process CPU time over ``--idle-seconds`` with
  nothing happening, as a percentage of one core, next to a bare watchdog
  observer on the same folder.

History recording stays on, as a user runs it. Everything happens under a
temporary folder (the tool's data, config and log dirs included)::

    python bench/bench_watch.py [--files 40] [--stable 1.0] [--idle-seconds 30] [--polling] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def _write_slowly(path: Path, chunks: int, pause: float) -> float:
    with open(path, "wb") as f:
        for i in range(chunks):
            f.write(os.urandom(2048))
            f.flush()
            if i < chunks - 1:
                time.sleep(pause)
    return time.monotonic()


def baseline(root: Path, files: int, idle: float, polling: bool) -> dict[str, Any]:
    """A bare watchdog observer: event latency and idle CPU."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    seen: dict[str, float] = {}

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            seen[os.fsdecode(event.src_path)] = time.monotonic()

    folder = root / "baseline"
    folder.mkdir()
    obs = PollingObserver(timeout=1.0) if polling else Observer()
    obs.schedule(Handler(), str(folder), recursive=False)
    obs.start()
    lat = []
    for i in range(files):
        p = folder / f"b{i}.dat"
        last = _write_slowly(p, 3, 0.02)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and seen.get(str(p), 0) < last:
            time.sleep(0.001)
        lat.append(seen.get(str(p), float("nan")) - last)
    time.sleep(1)
    c0, t0 = _cpu(), time.monotonic()
    time.sleep(idle)
    cpu = (_cpu() - c0) / (time.monotonic() - t0) * 100
    obs.stop()
    obs.join()
    return {"event_latency_p50_ms": _pct(lat, 0.5) * 1000, "idle_cpu_pct": cpu}


def watcher(root: Path, files: int, stable: float, idle: float, polling: bool) -> dict[str, Any]:
    """The fileorganizer watcher: move latency beyond stable_seconds, idle CPU."""
    from fileorganizer import load_config_text
    from fileorganizer.operations import OpResult
    from fileorganizer.paths import resolve_paths
    from fileorganizer.session import SessionOptions
    from fileorganizer.watch import Watcher, WatchReporter, WatchSettings

    src, dst = root / "in", root / "out"
    src.mkdir()
    dst.mkdir()
    applied: dict[str, float] = {}

    class Rec(WatchReporter):
        def applied(self, result: OpResult) -> None:
            applied[result.op.src] = time.monotonic()

    rules = f"rules:\n  - locations: {src}\n    actions:\n      - move: {dst}/\n"
    options = SessionOptions(app_paths=resolve_paths(), reporter=Rec())
    settings = WatchSettings(stable_seconds=stable, polling=polling)
    w = Watcher(load_config_text(rules), options, settings)
    thread = threading.Thread(target=w.run, daemon=True)
    thread.start()
    w.started.wait(30)
    last_write: dict[str, float] = {}
    # overlapping arrivals: a new file every stable/4 s, each written in 3 chunks
    for i in range(files):
        p = src / f"w{i:04d}.dat"
        last_write[str(p)] = _write_slowly(p, 3, 0.02)
        time.sleep(stable / 4)
    deadline = time.monotonic() + 60 + files * stable
    while len(applied) < files and time.monotonic() < deadline:
        time.sleep(0.01)
    lat = [applied[p] - t - stable for p, t in last_write.items() if p in applied]
    time.sleep(2)
    c0, t0 = _cpu(), time.monotonic()
    time.sleep(idle)
    cpu = (_cpu() - c0) / (time.monotonic() - t0) * 100
    w.stop()
    thread.join(30)
    return {
        "files": files,
        "moved": len(lat),
        "stable_seconds": stable,
        "latency_beyond_stable_p50_ms": statistics.median(lat) * 1000 if lat else None,
        "latency_beyond_stable_p95_ms": _pct(lat, 0.95) * 1000 if lat else None,
        "latency_beyond_stable_max_ms": max(lat) * 1000 if lat else None,
        "idle_cpu_pct": cpu,
        "batches": w.stats.batches,
    }


def main() -> None:
    """Run both measurements and print them."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--stable", type=float, default=1.0)
    ap.add_argument("--idle-seconds", type=float, default=30.0)
    ap.add_argument("--polling", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
        root = Path(tmp)
        for var, sub in (
            ("FILEORGANIZER_DATA_DIR", "data"),
            ("FILEORGANIZER_CONFIG_DIR", "config"),
            ("FILEORGANIZER_LOG_DIR", "logs"),
            ("XDG_DATA_HOME", "xdg"),
        ):
            os.environ[var] = str(root / "state" / sub)
        base = baseline(root, min(args.files, 20), args.idle_seconds, args.polling)
        res = watcher(root, args.files, args.stable, args.idle_seconds, args.polling)
    res["observer"] = "polling" if args.polling else "native"
    res["baseline"] = base
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(f"watch benchmark ({res['observer']} observer, stable_seconds={args.stable:g})")
    print(
        f"  latency beyond stable_seconds: p50 {res['latency_beyond_stable_p50_ms']:.0f} ms, "
        f"p95 {res['latency_beyond_stable_p95_ms']:.0f} ms, "
        f"max {res['latency_beyond_stable_max_ms']:.0f} ms "
        f"({res['moved']}/{res['files']} files, {res['batches']} batches)"
    )
    print(f"  baseline (bare watchdog event): p50 {base['event_latency_p50_ms']:.1f} ms")
    print(
        f"  idle CPU over {args.idle_seconds:g} s: {res['idle_cpu_pct']:.2f} % of one core "
        f"(bare watchdog observer: {base['idle_cpu_pct']:.2f} %)"
    )


if __name__ == "__main__":
    main()
