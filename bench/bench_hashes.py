"""Which hash for grouping duplicates: throughput on big buffers, cost per small call.

    python bench/bench_hashes.py              # 256 MiB through each, and 100k small calls

Measures hashlib's sha256, sha1, md5 and blake2b, and, when installed, xxhash
(xxh3_64, xxh3_128, xxh64) and blake3, in this process, on the same bytes. The
per-call cost matters for the head+tail hash of many small files; throughput
matters for full hashes of big ones.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from collections.abc import Callable

Hasher = Callable[[], object]


def candidates() -> dict[str, Callable[[], object]]:
    """Name -> a constructor of an object with ``update`` and ``hexdigest``."""
    out: dict[str, Callable[[], object]] = {
        "sha256": hashlib.sha256,
        "sha1": hashlib.sha1,
        "md5": hashlib.md5,
        "blake2b": hashlib.blake2b,
    }
    try:
        import xxhash

        out["xxh3_64"] = xxhash.xxh3_64
        out["xxh3_128"] = xxhash.xxh3_128
        out["xxh64"] = xxhash.xxh64
    except ImportError:
        print("xxhash not installed (pip install xxhash): skipped")
    try:
        import blake3

        out["blake3"] = blake3.blake3
        out["blake3 (4 threads)"] = lambda: blake3.blake3(max_threads=4)
    except ImportError:
        print("blake3 not installed (pip install blake3): skipped")
    return out


def throughput(make: Callable[[], object], data: memoryview, chunk: int) -> float:
    """GiB/s hashing ``data`` in ``chunk``-byte updates (best of 3)."""
    best = float("inf")
    for _ in range(3):
        h = make()
        start = time.perf_counter()
        for off in range(0, len(data), chunk):
            h.update(data[off : off + chunk])  # type: ignore[attr-defined]
        h.hexdigest()  # type: ignore[attr-defined]
        best = min(best, time.perf_counter() - start)
    return len(data) / best / 2**30


def per_call(make: Callable[[], object], sample: bytes, calls: int) -> float:
    """Microseconds per new-hash + update + hexdigest of ``sample`` (best of 3)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            h = make()
            h.update(sample)  # type: ignore[attr-defined]
            h.hexdigest()  # type: ignore[attr-defined]
        best = min(best, time.perf_counter() - start)
    return best / calls * 1e6


def main(argv: list[str] | None = None) -> int:
    """Print one line per hash."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mib", type=int, default=256, help="MiB for the throughput test")
    p.add_argument("--calls", type=int, default=100_000, help="small calls per hash")
    args = p.parse_args(argv)
    data = memoryview(os.urandom(args.mib * 2**20))
    small = os.urandom(8 + 8192)  # the head+tail sample of one file, with its size
    print(f"{'hash':20} {'GiB/s (1 MiB updates)':>22} {'us per 8 KiB call':>18}")
    for name, make in candidates().items():
        gbs = throughput(make, data, 2**20)
        us = per_call(make, small, args.calls)
        print(f"{name:20} {gbs:22.2f} {us:18.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
