"""Benchmark fileorganizer against raw Python baselines (and organize-tool).

Every measurement runs one tool as a subprocess on a freshly generated,
identical tree (``bench/gen.py``, same seed) and records wall time (start of
the process to its exit, interpreter start-up included), peak RSS and CPU
time from ``os.wait4``. Raw baselines (``bench/baselines.py``) run the same
way in the same invocation, so ratios compare like with like.

Examples::

    python bench/run.py --quick                       # smoke test, ~2k files
    python bench/run.py                               # 10k, 50k, 200k files
    python bench/run.py --sizes 10000,50000 --compare organize --markdown out.md
    python bench/run.py --from-json out.json --chart out.png   # re-render only

Scenarios (``--scenarios``):

* ``ext-run`` / ``ext-sim``: a flat folder, sort by extension into
  ``DIR/{extension}/``; baselines: scandir + makedirs + rename, and
  scandir + stat.
* ``date-run`` / ``date-sim``: a nested tree (``subfolders: true``) moved to
  ``DEST/{lastmodified.year}/{lastmodified.month}/``, DEST being a sibling of
  the scanned tree; baselines: recursive scandir + stat + makedirs + rename,
  and recursive scandir + stat.
* ``default-run`` / ``default-sim``: the main job, ``fileorganizer run DIR`` with the
  built-in rules (no rules file), on a flat folder of copies of the sample
  corpus's real files; baselines: scandir + makedirs + rename into kind folders
  by extension, and scandir + stat; organize gets an extension -> kind-folder
  rules file.
* ``startup``: best of five of ``--version``, a one-file ``sim`` and a one-file
  ``run`` (built-in rules, history database already there), and a bare
  ``python -c pass``.
* ``dupes`` / ``watch``: run ``bench/bench_dupes.py`` / ``bench/bench_watch.py``
  when they exist, else say they are skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import pty
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import gen  # noqa: E402  (bench/ is not a package)

ORGANIZE_VERSION = "3.3.0"
DEFAULT_SIZES = (10_000, 50_000, 200_000)
DEFAULT_DATE_SIZES = (50_000,)
QUICK_SIZE = 2_000
ALL_SCENARIOS = (
    "ext-run",
    "ext-sim",
    "ext-undo",
    "date-run",
    "date-sim",
    "default-run",
    "default-sim",
    "startup",
    "dupes",
    "watch",
)
DEFAULT_MAIN_SIZES = (20_000, 50_000)
TOOLS = ("raw", "fileorganizer", "organize", "organize-quiet")
LOG_TAIL = 400
PYCACHE = BENCH_DIR / ".work" / "pycache"

# A tiny launcher between the harness and each tool. On Linux a child's
# ru_maxrss includes the RSS of the process it was forked from (the kernel keeps
# the old memory's high-water mark across exec), so a tool spawned straight from
# this harness would report at least the harness's own peak (about 100 MB after
# generating 200k files). The launcher is a bare `python -S` (about 8 MB) that
# forks, execs the tool, and reports the tool's wall time, rusage and exit code.
LAUNCHER = """\
import os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(out, "w") as fh:
    fh.write("%r %d %r %d" % (seconds, ru.ru_maxrss, ru.ru_utime + ru.ru_stime,
                              os.waitstatus_to_exitcode(status)))
"""
WARM_UP_FILES = 50


@dataclass
class Scenario:
    """One kind of work: a tree layout, a rule, and run or sim."""

    name: str
    layout: str
    verb: str
    kind: str  # "ext", "date" or "default"


SCENARIOS: dict[str, Scenario] = {
    "ext-run": Scenario("ext-run", "flat", "run", "ext"),
    "ext-sim": Scenario("ext-sim", "flat", "sim", "ext"),
    # undo of an ext-run (the run itself is not timed; fileorganizer only)
    "ext-undo": Scenario("ext-undo", "flat", "undo", "ext"),
    "date-run": Scenario("date-run", "nested", "run", "date"),
    "date-sim": Scenario("date-sim", "nested", "sim", "date"),
    "default-run": Scenario("default-run", "corpus", "run", "default"),
    "default-sim": Scenario("default-sim", "corpus", "sim", "default"),
}


@dataclass
class Result:
    """One row of the table."""

    scenario: str
    tool: str
    files: int
    status: str = "ok"  # ok | unavailable | skipped | failed | check failed
    seconds: float | None = None
    cpu_seconds: float | None = None
    peak_rss_mb: float | None = None
    exit_code: int | None = None
    note: str = ""
    vs_raw: float | None = None
    vs_organize: float | None = None
    vs_organize_quiet: float | None = None

    @property
    def files_per_s(self) -> float | None:
        """Throughput, when the row was measured."""
        if self.seconds is None or self.status not in ("ok", "check failed"):
            return None
        return self.files / self.seconds


@dataclass
class Measurement:
    """What ``os.wait4`` told us about one subprocess."""

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    exit_code: int
    log_tail: str


@dataclass
class Options:
    """Parsed command-line options the measuring code needs."""

    fo_cmd: list[str]
    fo_quiet: bool
    tty: bool
    workdir: Path
    seed: int
    tree_dupes: float
    repeat: int
    sync: bool
    keep: bool
    organize_bin: Path | None
    organize_max: int
    corpus: Path = gen.CORPUS_DIR
    env_extra: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- processes


def _drain(fd: int, sink: Callable[[bytes], None]) -> None:
    """Read a pty master until the child side closes, passing bytes to ``sink``."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        sink(chunk)


def measure(cmd: Sequence[str], env: dict[str, str], log_path: Path, tty: bool) -> Measurement:
    """Run ``cmd`` to completion; time it and read its peak RSS via ``os.wait4``.

    The tool runs under :data:`LAUNCHER`, which times it from fork to exit and
    reads its rusage, so neither the launcher's start-up nor the harness's
    memory is counted.

    Output goes to ``log_path``; with ``tty`` the child writes to a
    pseudo-terminal (so progress bars and colours render as in a terminal),
    drained by a thread into the same log.
    """
    with open(log_path, "wb") as log:
        reader: threading.Thread | None = None
        master = slave = -1
        if tty:
            master, slave = pty.openpty()
            with contextlib.suppress(Exception):
                import fcntl
                import struct
                import termios

                fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            reader = threading.Thread(target=_drain, args=(master, log.write), daemon=True)
            reader.start()
        out = slave if tty else log
        stats_path = log_path.with_suffix(".rusage")
        stats_path.unlink(missing_ok=True)
        launcher = [sys.executable, "-S", "-c", LAUNCHER, str(stats_path), *cmd]
        proc = subprocess.Popen(
            launcher, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env
        )
        if tty:
            os.close(slave)
        proc.wait()
        if reader is not None:
            reader.join(timeout=10)
            os.close(master)
    try:
        fields = stats_path.read_text().split()
    except OSError:  # the launcher itself failed
        fields = ["nan", "0", "nan", str(proc.returncode or -1)]
    seconds, cpu = float(fields[0]), float(fields[2])
    maxrss_kib, exit_code = int(fields[1]), int(fields[3])
    with open(log_path, "rb") as fh:
        fh.seek(max(0, log_path.stat().st_size - LOG_TAIL))
        tail = fh.read().decode("utf-8", "replace")
    return Measurement(
        seconds=seconds,
        cpu_seconds=cpu,
        peak_rss_mb=maxrss_kib / 1024,  # KiB on Linux
        exit_code=exit_code,
        log_tail=tail,
    )


def last_line(text: str) -> str:
    """The last non-empty line of ``text``, stripped of terminal escapes, shortened."""
    import re

    clean = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r", "\n")
    lines = [ln.strip() for ln in clean.splitlines() if ln.strip()]
    return (lines[-1] if lines else "")[:160]


def tool_env(tmp: Path, extra: dict[str, str]) -> dict[str, str]:
    """The environment for one measurement: state dirs in ``tmp``."""
    env = dict(os.environ)
    for sub in ("data", "config", "logs", "trash", "xdg-data", "xdg-config", "xdg-cache"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        FILEORGANIZER_DATA_DIR=str(tmp / "data"),
        FILEORGANIZER_CONFIG_DIR=str(tmp / "config"),
        FILEORGANIZER_LOG_DIR=str(tmp / "logs"),
        FILEORGANIZER_TRASH_DIR=str(tmp / "trash"),
        XDG_DATA_HOME=str(tmp / "xdg-data"),
        XDG_CONFIG_HOME=str(tmp / "xdg-config"),
        XDG_CACHE_HOME=str(tmp / "xdg-cache"),
        TERM=env.get("TERM", "xterm-256color"),
        COLUMNS="120",
    )
    env.pop("FILEORGANIZER_CONFIG", None)
    env.pop("ORGANIZE_CONFIG", None)
    # Byte-code caching on, as for a user (a sandbox may set DONTWRITEBYTECODE);
    # the cache lives outside the source tree, and warm_up() fills it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # Output buffering as for a user (a sandbox may set PYTHONUNBUFFERED, which
    # turns every line of every tool into its own write).
    env.pop("PYTHONUNBUFFERED", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.update(extra)
    return env


# --------------------------------------------------------------------------- configs


def kind_extensions() -> dict[str, list[str]]:
    """Kind folder -> the extensions an extension-only config sends there.

    fileorganizer's built-in kinds: their extension lists, plus every extension
    whose type is image, audio or video (those kinds go by content type).
    """
    sys.path.insert(0, str(BENCH_DIR.parent))
    from fileorganizer.content.mimenames import EXTENSION_TYPES
    from fileorganizer.filters.kind import KIND_RULES

    out: dict[str, list[str]] = {}
    for rule in KIND_RULES:
        exts = list(rule.extensions)
        for top in ("image", "audio", "video", "font"):
            if top in rule.mimetypes:
                exts += [e for e, m in EXTENSION_TYPES.items() if m.startswith(top + "/")]
        out[rule.kind.value] = sorted(set(exts))
    return out


def write_kind_map(path: Path) -> Path:
    """The extension -> kind table for the raw baseline, one ``ext kind`` per line."""
    seen: set[str] = set()
    lines = []
    for kind, exts in kind_extensions().items():
        lines += [f"{e} {kind}" for e in exts if e not in seen]
        seen.update(exts)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rules_yaml(scenario: Scenario, tree: Path, dest: Path) -> str:
    """The organize-v3-style rules file for a scenario (both tools read it)."""
    q = json.dumps  # a JSON string is a valid YAML double-quoted scalar
    if scenario.kind == "default":  # for organize only: fileorganizer uses its built-ins
        out = ["rules:"]
        for kind, exts in kind_extensions().items():
            out += [
                f"  - name: {kind}",
                f"    locations: {q(str(tree))}",
                "    filters:",
                f"      - extension: {q(exts)}",
                "    actions:",
                f"      - move: {q(str(tree) + '/' + kind + '/')}",
            ]
        return "\n".join(out) + "\n"
    if scenario.kind == "ext":
        return (
            "rules:\n"
            "  - name: sort by extension\n"
            f"    locations: {q(str(tree))}\n"
            "    filters:\n"
            "      - extension\n"
            "    actions:\n"
            f"      - move: {q(str(tree) + '/{extension}/')}\n"
        )
    return (
        "rules:\n"
        "  - name: sort by date\n"
        f"    locations: {q(str(tree))}\n"
        "    subfolders: true\n"
        "    filters:\n"
        "      - lastmodified\n"
        "    actions:\n"
        f"      - move: {q(str(dest) + '/{lastmodified.year}/{lastmodified.month}/')}\n"
    )


def raw_cmd(scenario: Scenario, tree: Path, dest: Path) -> list[str]:
    """The baseline command for a scenario."""
    script = str(BENCH_DIR / "baselines.py")
    if scenario.kind == "default":
        kind_map = write_kind_map(tree.parent / "kinds.txt")
        mode = ["rename-kind", str(tree), str(kind_map)] if scenario.verb == "run" else None
        return [sys.executable, script, *(mode or ["scan-stat", str(tree)])]
    mode = {
        ("ext", "run"): ["rename-ext", str(tree)],
        ("ext", "sim"): ["scan-stat", str(tree)],
        ("date", "run"): ["rename-date", str(tree), str(dest)],
        ("date", "sim"): ["scan-stat-tree", str(tree)],
    }[(scenario.kind, scenario.verb)]
    return [sys.executable, script, *mode]


def tool_cmd(tool: str, scenario: Scenario, tree: Path, config: Path, opts: Options) -> list[str]:
    """The command line of a tool under test."""
    if tool == "fileorganizer":
        cmd = [*opts.fo_cmd, scenario.verb, str(tree)]
        if scenario.kind != "default":  # (default: no rules file, the built-in rules)
            cmd += ["-c", str(config)]
        return [*cmd, "--quiet"] if opts.fo_quiet else cmd
    assert opts.organize_bin is not None
    cmd = [str(opts.organize_bin), scenario.verb, str(config)]
    return [*cmd, "--format", "errorsonly"] if tool == "organize-quiet" else cmd


# --------------------------------------------------------------------------- checks


def count_files(root: Path) -> tuple[int, int]:
    """(files directly in ``root``, files anywhere below ``root``)."""
    if not root.exists():
        return 0, 0
    top = sum(1 for e in os.scandir(root) if e.is_file(follow_symlinks=False))
    total = sum(len(names) for _, _, names in os.walk(root))
    return top, total


def check_tree(scenario: Scenario, tree: Path, dest: Path, files: int) -> str:
    """Return "" when the tree looks as the scenario should leave it, else why not."""
    top, total = count_files(tree)
    _, in_dest = count_files(dest)
    if scenario.verb in ("sim", "undo"):
        if total != files or in_dest:
            return f"sim changed the tree: {total} files in tree, {in_dest} in dest"
        if scenario.kind in ("ext", "default") and top != files:
            return f"{scenario.verb}: {top} of {files} files at top level (want all)"
        return ""
    if scenario.kind in ("ext", "default"):
        if top or total != files:
            return f"{top} files not moved, {total}/{files} files in tree"
        return ""
    if total or in_dest != files:
        return f"{total} files not moved, {in_dest}/{files} files in dest"
    return ""


# --------------------------------------------------------------------------- running


def prepare_tree(scenario: Scenario, files: int, opts: Options, slot: Path) -> tuple[Path, Path]:
    """Generate a fresh tree for one measurement; return (tree, dest)."""
    if slot.exists():
        shutil.rmtree(slot)
    tree, dest = slot / "tree", slot / "by-date"
    if scenario.layout == "corpus":
        gen.generate_corpus(tree, files, opts.seed, opts.corpus)
    else:
        gen.generate(tree, files, scenario.layout, opts.seed, opts.tree_dupes)
    if opts.sync:
        os.sync()
    return tree, dest


def run_one(scenario: Scenario, tool: str, files: int, opts: Options) -> Result:
    """Measure one tool on one scenario at one size (best of ``opts.repeat``)."""
    if scenario.verb == "undo" and tool != "fileorganizer":
        return Result(scenario.name, tool, files, status="skipped", note="no undo")
    best: Result | None = None
    for _ in range(opts.repeat):
        slot = opts.workdir / f"{scenario.name}-{files}-{tool}"
        tree, dest = prepare_tree(scenario, files, opts, slot)
        config = slot / "rules.yaml"
        config.write_text(rules_yaml(scenario, tree, dest), encoding="utf-8")
        env = tool_env(slot / "state", opts.env_extra)
        if scenario.verb == "undo":
            # the run to undo, not timed
            run = SCENARIOS[scenario.name.replace("-undo", "-run")]
            subprocess.run(
                tool_cmd(tool, run, tree, config, opts), env=env, capture_output=True, check=True
            )
            cmd = [*opts.fo_cmd, "undo", "--quiet"]
        elif tool == "raw":
            cmd = raw_cmd(scenario, tree, dest)
        else:
            cmd = tool_cmd(tool, scenario, tree, config, opts)
        m = measure(cmd, env, slot / "output.log", tty=opts.tty and tool != "raw")
        res = Result(
            scenario.name,
            tool,
            files,
            seconds=m.seconds,
            cpu_seconds=m.cpu_seconds,
            peak_rss_mb=m.peak_rss_mb,
            exit_code=m.exit_code,
        )
        if m.exit_code != 0:
            res.status = "failed"
            res.note = f"exit {m.exit_code}: {last_line(m.log_tail)}"
        else:
            problem = check_tree(scenario, tree, dest, files)
            if problem:
                res.status = "check failed"
                res.note = problem
            elif tool == "fileorganizer" and scenario.verb == "run":
                data_dir = slot / "state" / "data"
                if not any(p.is_file() for p in data_dir.rglob("*")):
                    res.note = "no history DB written to FILEORGANIZER_DATA_DIR"
        if not opts.keep:
            shutil.rmtree(slot, ignore_errors=True)
        if best is None or (
            res.status == "ok" and (best.status != "ok" or (res.seconds or 0) < (best.seconds or 0))
        ):
            best = res
        if res.status != "ok":
            break
    assert best is not None
    return best


def warm_up(tools: Sequence[str], opts: Options) -> None:
    """Run each tool once on a tiny tree (run and sim), untimed.

    That fills the byte-code cache and the page cache for interpreter and
    libraries, so the first timed row is not penalised against the others.
    """
    quiet = Options(**{**asdict(opts), "repeat": 1, "keep": False, "sync": False})
    for tool in tools:
        for name in ("ext-sim", "ext-run", "date-run", "default-run"):
            run_one(SCENARIOS[name], tool, WARM_UP_FILES, quiet)


def probe_fileorganizer(opts: Options) -> str:
    """Return "" when the fileorganizer CLI answers ``--version``, else why not."""
    try:
        proc = subprocess.run(
            [*opts.fo_cmd, "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            env=tool_env(opts.workdir / "probe", opts.env_extra),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"fileorganizer CLI not runnable: {exc}"
    if proc.returncode != 0:
        why = last_line(proc.stderr or proc.stdout) or f"exit {proc.returncode}"
        return f"fileorganizer CLI not available yet ({why})"
    return ""


def ensure_organize(venv: Path) -> Path:
    """Install organize-tool into ``venv`` unless it is already there; return its CLI."""
    bin_path = venv / "bin" / "organize"
    if bin_path.exists():
        out = subprocess.run([str(bin_path), "--version"], capture_output=True, text=True)
        if ORGANIZE_VERSION in out.stdout + out.stderr:
            return bin_path
    print(f"installing organize-tool=={ORGANIZE_VERSION} into {venv} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            *("-m", "pip", "install", "-q", "--disable-pip-version-check"),
            f"organize-tool=={ORGANIZE_VERSION}",
        ],
        check=True,
    )
    return bin_path


def startup_seconds(cmd: Sequence[str], workdir: Path, env_extra: dict[str, str]) -> float:
    """Best of five runs of a command that does (almost) nothing."""
    env = tool_env(workdir / "probe", env_extra)
    best = float("inf")
    for _ in range(5):
        m = measure(cmd, env, workdir / "probe" / "startup.log", tty=False)
        if m.exit_code != 0:
            return float("nan")
        best = min(best, m.seconds)
    return best


STARTUP_ROWS = ("startup-python", "startup-version", "startup-sim", "startup-run")


def measure_startup(opts: Options, repeat: int = 5) -> list[Result]:
    """Best of ``repeat``: bare Python, ``--version``, one-file ``sim`` and ``run``.

    ``sim`` and ``run`` use the built-in rules on a folder holding one JPEG, in
    a state directory whose history database an untimed run created first (as
    for a cron job's second run). ``run`` gets a fresh copy of the file each time.
    """
    slot = opts.workdir / "startup"
    shutil.rmtree(slot, ignore_errors=True)
    tree = slot / "tree"
    tree.mkdir(parents=True)
    photo = next(p for p in gen.corpus_files(opts.corpus) if p.suffix == ".jpg")
    env = tool_env(slot / "state", opts.env_extra)
    cmds = {
        "startup-python": [sys.executable, "-c", "pass"],
        "startup-version": [*opts.fo_cmd, "--version"],
        "startup-sim": [*opts.fo_cmd, "sim", str(tree), "--quiet"],
        "startup-run": [*opts.fo_cmd, "run", str(tree), "--quiet"],
    }

    def reset() -> None:
        shutil.rmtree(tree)
        tree.mkdir()
        shutil.copyfile(photo, tree / "photo.jpg")

    reset()
    measure(cmds["startup-run"], env, slot / "untimed.log", tty=False)  # creates the history
    results = []
    for name, cmd in cmds.items():
        best: Measurement | None = None
        for _ in range(repeat):
            reset()
            m = measure(cmd, env, slot / f"{name}.log", tty=False)
            if best is None or m.seconds < best.seconds:
                best = m
        assert best is not None
        tool = "raw" if name == "startup-python" else "fileorganizer"
        res = Result(name, tool, 1, seconds=best.seconds, cpu_seconds=best.cpu_seconds)
        res.peak_rss_mb, res.exit_code = best.peak_rss_mb, best.exit_code
        if best.exit_code != 0:
            res.status, res.note = "failed", f"exit {best.exit_code}: {last_line(best.log_tail)}"
        results.append(res)
    if not opts.keep:
        shutil.rmtree(slot, ignore_errors=True)
    version = results[1].seconds
    for r in results[2:]:
        if version and r.seconds is not None:
            r.vs_raw = r.seconds / version
            r.note = "x raw = x --version"
    return results


def run_hook(name: str, script: Path, extra_args: str) -> dict[str, object]:
    """Run an optional companion benchmark script, or say why it was skipped."""
    if not script.exists():
        msg = f"skipped: {script.relative_to(BENCH_DIR.parent)} not present yet"
        print(f"[{name}] {msg}", file=sys.stderr)
        return {"name": name, "status": "skipped", "note": msg}
    cmd = [sys.executable, str(script), *shlex.split(extra_args)]
    print(f"[{name}] running: {shlex.join(cmd)}", file=sys.stderr)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    sys.stderr.write(proc.stdout + proc.stderr)
    return {
        "name": name,
        "status": "ok" if proc.returncode == 0 else "failed",
        "exit_code": proc.returncode,
        "output": (proc.stdout + proc.stderr)[-4000:],
    }


def fill_ratios(results: list[Result]) -> None:
    """Ratios against the raw baseline and organize rows of the same scenario and size."""
    by_key = {(r.scenario, r.files, r.tool): r for r in results}
    for r in results:
        if r.files_per_s is None:
            continue
        raw = by_key.get((r.scenario, r.files, "raw"))
        if raw and raw.files_per_s and r.tool != "raw" and not r.scenario.startswith("startup"):
            r.vs_raw = r.seconds / raw.seconds  # type: ignore[operator]
        if r.tool == "fileorganizer":
            for tool, attr in (
                ("organize", "vs_organize"),
                ("organize-quiet", "vs_organize_quiet"),
            ):
                o = by_key.get((r.scenario, r.files, tool))
                if o and o.files_per_s:
                    setattr(r, attr, o.seconds / r.seconds)  # type: ignore[operator]


# --------------------------------------------------------------------------- reporting


def machine_info(workdir: Path) -> dict[str, object]:
    """Where and when the numbers were measured."""
    fs = "?"
    with contextlib.suppress(OSError):
        best = ""
        target = str(workdir.resolve())
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if target.startswith(parts[1]) and len(parts[1]) >= len(best):
                best, fs = parts[1], f"{parts[2]} on {parts[1]}"
    commit = subprocess.run(
        ["git", "-C", str(BENCH_DIR), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _cpu_model(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "filesystem": fs,
        "git_commit": commit,
    }


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "" if value is None else format(value, spec) + suffix


def table_rows(results: list[Result]) -> list[list[str]]:
    """The table as strings: one header row, then one row per result."""
    rows = [
        [
            "scenario",
            "tool",
            "files",
            "seconds",
            "files/s",
            "x raw time",
            "x faster than organize",
            "peak RSS MB",
            "status",
        ]
    ]
    for r in results:
        speedup = _fmt(r.vs_organize, ".1f", "x")
        if r.vs_organize_quiet is not None:
            speedup += f" ({r.vs_organize_quiet:.1f}x quiet)"
        status = r.status + (f": {r.note}" if r.note else "")
        rows.append(
            [
                r.scenario,
                r.tool,
                str(r.files),
                _fmt(r.seconds, ".2f") if r.files_per_s is not None else "",
                _fmt(r.files_per_s, ",.0f"),
                _fmt(r.vs_raw, ".2f", "x"),
                speedup,
                _fmt(r.peak_rss_mb, ".0f") if r.files_per_s is not None else "",
                status,
            ]
        )
    return rows


def render_text(results: list[Result]) -> str:
    """A plain aligned table for the terminal."""
    rows = table_rows(results)
    widths = [max(len(row[i]) for row in rows[:] if i < len(row)) for i in range(len(rows[0]))]
    widths[-1] = 0
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * max(w, 6) for w in widths).rstrip())
    return "\n".join(lines)


def render_markdown(data: dict[str, object], results: list[Result]) -> str:
    """The whole report as markdown: machine, table, targets, extras."""
    rows = table_rows(results)
    out = ["# fileorganizer benchmark", ""]
    info = data["machine"]
    assert isinstance(info, dict)
    out += [f"- {k}: {v}" for k, v in info.items()]
    for k in ("python_startup_s", "fileorganizer_startup_s", "command"):
        if data.get(k) is not None:
            out.append(f"- {k}: {data[k]}")
    out += ["", "| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows[1:]]
    out += ["", "## Targets", ""]
    out += [f"- {line}" for line in evaluate_targets(results)]
    extras = data.get("extras") or []
    assert isinstance(extras, list)
    for extra in extras:
        out += ["", f"## {extra['name']}", "", f"status: {extra['status']}"]
        if extra.get("note"):
            out.append(str(extra["note"]))
        if extra.get("output"):
            out += ["", "```", str(extra["output"]).rstrip(), "```"]
    return "\n".join(out) + "\n"


def evaluate_targets(results: list[Result]) -> list[str]:
    """Each target of docs/benchmarks.md: met, missed (with the measured value), or not measured."""
    get = {(r.scenario, r.files, r.tool): r for r in results if r.files_per_s is not None}

    def fo(scenario: str, files: int) -> Result | None:
        return get.get((scenario, files, "fileorganizer"))

    lines = []
    r = fo("ext-run", 50_000)
    if r and r.vs_raw is not None:
        ok = r.vs_raw <= 2.5
        lines.append(f"run 50k within 2.5x of raw: {'met' if ok else 'MISSED'} ({r.vs_raw:.2f}x)")
    else:
        lines.append("run 50k within 2.5x of raw: not measured")
    if r and r.vs_organize is not None:
        ok = r.vs_organize >= 10
        msg = f"{'met' if ok else 'MISSED'} ({r.vs_organize:.1f}x)"
        lines.append(f"run 50k at least 10x organize's files/s: {msg}")
    else:
        lines.append("run 50k at least 10x organize's files/s: not measured")
    sims = [x for x in results if x.scenario == "ext-sim" and x.tool == "fileorganizer"]
    sims = [x for x in sims if x.vs_raw is not None]
    if sims:
        worst = max(x.vs_raw or 0 for x in sims)
        ok = worst <= 3
        lines.append(
            f"sim within 3x of raw scan+stat: {'met' if ok else 'MISSED'} (worst {worst:.2f}x)"
        )
    else:
        lines.append("sim within 3x of raw scan+stat: not measured")
    sizes = sorted(
        x.files for x in results if x.scenario == "ext-run" and x.tool == "fileorganizer"
    )
    small, big = fo("ext-run", 10_000), (fo("ext-run", sizes[-1]) if sizes else None)
    if small and big and big is not small and small.seconds and big.seconds:
        ratio = (big.seconds / big.files) / (small.seconds / small.files)
        ok = ratio <= 1.3
        lines.append(
            f"time/file {big.files // 1000}k vs 10k <= 1.3: {'met' if ok else 'MISSED'} "
            f"({ratio:.2f})"
        )
        if big.files >= 1_000_000 and big.peak_rss_mb is not None:
            ok = big.peak_rss_mb < 500
            lines.append(
                f"peak RSS at {big.files // 1000}k < 500 MB: {'met' if ok else 'MISSED'} "
                f"({big.peak_rss_mb:.0f} MB)"
            )
    else:
        lines.append("time/file at the largest size vs 10k <= 1.3: not measured")
    u, r50 = fo("ext-undo", 50_000), fo("ext-run", 50_000)
    if u and r50 and u.seconds and r50.seconds:
        ratio = u.seconds / r50.seconds
        ok = ratio <= 1.2
        lines.append(f"undo 50k within 1.2x of the run: {'met' if ok else 'MISSED'} ({ratio:.2f}x)")
    else:
        lines.append("undo 50k within 1.2x of the run: not measured")
    for files in DEFAULT_MAIN_SIZES:
        r = fo("default-run", files)
        what = f"default-run {files // 1000}k"
        if r and r.vs_raw is not None:
            ok = r.vs_raw <= 3
            lines.append(f"{what} within 3x of raw: {'met' if ok else 'MISSED'} ({r.vs_raw:.2f}x)")
        else:
            lines.append(f"{what} within 3x of raw: not measured")
        if r and r.vs_organize is not None:
            ok = r.vs_organize >= 10
            lines.append(
                f"{what} at least 10x organize: {'met' if ok else 'MISSED'} ({r.vs_organize:.1f}x)"
            )
        else:
            lines.append(f"{what} at least 10x organize: not measured")
    sim1 = get.get(("startup-sim", 1, "fileorganizer"))
    if sim1 and sim1.vs_raw is not None:
        ok = sim1.vs_raw <= 2
        lines.append(
            f"one-file sim within 2x of --version: {'met' if ok else 'MISSED'} ({sim1.vs_raw:.2f}x)"
        )
    return lines


def render_chart(results: list[Result], path: Path, title: str) -> None:
    """A grouped bar chart of files/s per scenario and size, one bar per tool."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(
            "--chart needs matplotlib (a bench-only dependency): "
            "pip install -r bench/requirements.txt  (or render later with "
            "--from-json FILE --chart FILE.png from a venv that has it)",
            file=sys.stderr,
        )
        return
    results = [r for r in results if not r.scenario.startswith("startup")]
    groups = sorted(
        {(r.scenario, r.files) for r in results},
        key=lambda g: (ALL_SCENARIOS.index(g[0]) if g[0] in ALL_SCENARIOS else 99, g[1]),
    )
    tools = [t for t in TOOLS if any(r.tool == t and r.files_per_s for r in results)]
    by_key = {(r.scenario, r.files, r.tool): r.files_per_s for r in results}
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(groups) + 2), 4.5))
    width = 0.8 / max(1, len(tools))
    for i, tool in enumerate(tools):
        xs = [g + (i - (len(tools) - 1) / 2) * width for g in range(len(groups))]
        ys = [by_key.get((s, n, tool)) or 0 for s, n in groups]
        bars = ax.bar(xs, ys, width, label=tool)
        for bar, y in zip(bars, ys, strict=True):
            if y:
                ax.annotate(
                    f"{y:,.0f}",
                    (bar.get_x() + bar.get_width() / 2, y),
                    ha="center",
                    va="bottom",
                    fontsize=6,
                    rotation=90,
                )
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([f"{s}\n{n:,}" for s, n in groups], fontsize=8)
    ax.set_yscale("log")
    top = max((r.files_per_s or 0 for r in results), default=0)
    if top:
        ax.set_ylim(top=top * 4)  # room for the labels above the tallest bar
    ax.set_ylabel("files per second (log scale, higher is better)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    print(f"chart written to {path}", file=sys.stderr)


# --------------------------------------------------------------------------- main


def parse_sizes(text: str) -> list[int]:
    """'10000,50k,0.2m' -> [10000, 50000, 200000]."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        mult = 1_000 if part.endswith("k") else 1_000_000 if part.endswith("m") else 1
        sizes.append(int(float(part.rstrip("km")) * mult))
    return sizes


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        description="Benchmark fileorganizer against raw baselines and organize-tool.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("Scenarios", 1)[1] if __doc__ else None,
    )
    p.add_argument("--sizes", type=parse_sizes, help="file counts for ext-* (10000,50000,200000)")
    p.add_argument("--date-sizes", type=parse_sizes, help="file counts for date-* (50000)")
    p.add_argument("--main-sizes", type=parse_sizes, help="file counts for default-* (20000,50000)")
    p.add_argument(
        "--corpus", type=Path, default=gen.CORPUS_DIR, help="the sample corpus (default-*)"
    )
    p.add_argument("--quick", action="store_true", help=f"{QUICK_SIZE} files everywhere")
    p.add_argument("--scenarios", default=",".join(ALL_SCENARIOS), help="comma-separated")
    p.add_argument("--compare", choices=("organize",), help="also run organize-tool 3.3.0")
    p.add_argument(
        "--organize-quiet",
        choices=("yes", "no", "only"),
        default="yes",
        help="also (or only) run organize with --format errorsonly (default yes)",
    )
    p.add_argument(
        "--organize-max",
        type=int,
        default=50_000,
        help="skip organize above this many files (it is slow and superlinear)",
    )
    p.add_argument(
        "--organize-venv", type=Path, default=BENCH_DIR / ".venv-organize", help="its venv"
    )
    p.add_argument(
        "--fo-cmd",
        default=None,
        help="command that runs fileorganizer (default: this python -m fileorganizer)",
    )
    p.add_argument(
        "--fo-progress",
        action="store_true",
        help="run fileorganizer without --quiet (progress output on; use with --tty)",
    )
    p.add_argument("--tty", action="store_true", help="give tools a pseudo-terminal for output")
    p.add_argument("--no-fo", action="store_true", help="do not run fileorganizer")
    p.add_argument("--workdir", type=Path, default=BENCH_DIR / ".work" / "trees")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tree-dupes", type=float, default=0.0, help="duplicates in scenario trees")
    p.add_argument("--repeat", type=int, default=1, help="best of N fresh runs per row")
    p.add_argument("--no-sync", action="store_true", help="skip os.sync() after generating")
    p.add_argument("--keep", action="store_true", help="keep trees, configs and logs")
    p.add_argument("--dupes-args", default="", help="arguments for bench/bench_dupes.py")
    p.add_argument("--watch-args", default="", help="arguments for bench/bench_watch.py")
    p.add_argument("--markdown", type=Path, help="write the report as markdown")
    p.add_argument("--json", type=Path, help="write raw results as JSON")
    p.add_argument("--chart", type=Path, help="write a PNG chart (needs matplotlib)")
    p.add_argument("--from-json", type=Path, help="re-render a saved --json file, measure nothing")
    return p


def report(data: dict[str, object], results: list[Result], args: argparse.Namespace) -> None:
    """Print the table and write the requested files."""
    print()
    print(render_text(results))
    print()
    for line in evaluate_targets(results):
        print("target:", line)
    if args.markdown:
        args.markdown.write_text(render_markdown(data, results), encoding="utf-8")
        print(f"markdown written to {args.markdown}", file=sys.stderr)
    if args.json and not args.from_json:
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    if args.chart:
        info = data["machine"]
        assert isinstance(info, dict)
        title = (
            f"fileorganizer benchmark, {info.get('cpus')} CPUs, Python {info.get('python')}, "
            f"{info.get('filesystem')}, {info.get('date')}"
        )
        render_chart(results, args.chart, title)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    args = build_parser().parse_args(argv)
    if args.from_json:
        data = json.loads(args.from_json.read_text(encoding="utf-8"))
        results = [
            Result(**{k: v for k, v in r.items() if k != "files_per_s"}) for r in data["results"]
        ]
        report(data, results, args)
        return 0
    sizes = [QUICK_SIZE] if args.quick else (args.sizes or list(DEFAULT_SIZES))
    date_sizes = [QUICK_SIZE] if args.quick else (args.date_sizes or list(DEFAULT_DATE_SIZES))
    main_sizes = [QUICK_SIZE] if args.quick else (args.main_sizes or list(DEFAULT_MAIN_SIZES))
    wanted = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(wanted) - set(ALL_SCENARIOS)
    if unknown:
        print(f"unknown scenarios: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    args.workdir.mkdir(parents=True, exist_ok=True)
    workdir = args.workdir.resolve()
    fo_cmd = shlex.split(args.fo_cmd) if args.fo_cmd else [sys.executable, "-m", "fileorganizer"]
    organize_bin = ensure_organize(args.organize_venv.resolve()) if args.compare else None
    opts = Options(
        fo_cmd=fo_cmd,
        fo_quiet=not args.fo_progress,
        tty=args.tty,
        workdir=workdir,
        seed=args.seed,
        tree_dupes=args.tree_dupes,
        repeat=max(1, args.repeat),
        sync=not args.no_sync,
        keep=args.keep,
        organize_bin=organize_bin,
        organize_max=args.organize_max,
        corpus=args.corpus,
    )
    tools = ["raw"]
    fo_problem = ""
    if not args.no_fo:
        tools.append("fileorganizer")
        fo_problem = probe_fileorganizer(opts)
        if fo_problem:
            print(f"note: {fo_problem}; its rows are marked unavailable", file=sys.stderr)
    if organize_bin:
        tools += {"yes": ["organize", "organize-quiet"], "no": ["organize"]}.get(
            args.organize_quiet, ["organize-quiet"]
        )
    runnable = [t for t in tools if t != "fileorganizer" or not fo_problem]
    print(f"warming up: {', '.join(runnable)}", file=sys.stderr)
    warm_up(runnable, opts)
    data: dict[str, object] = {
        "machine": machine_info(workdir),
        "command": shlex.join(["python", "bench/run.py", *(argv or sys.argv[1:])]),
        "python_startup_s": round(startup_seconds([sys.executable, "-c", "pass"], workdir, {}), 4),
        "fileorganizer_startup_s": None,
    }
    if "fileorganizer" in tools and not fo_problem:
        fo_start = startup_seconds([*fo_cmd, "--version"], workdir, {})
        data["fileorganizer_startup_s"] = round(fo_start, 4)
    if organize_bin:
        data["organize_startup_s"] = round(
            startup_seconds([str(organize_bin), "--version"], workdir, {}), 4
        )
    print(
        f"python start-up {data['python_startup_s']} s; trees in {workdir} "
        f"({data['machine']['filesystem']})",  # type: ignore[index]
        file=sys.stderr,
    )
    results: list[Result] = []
    for name in wanted:
        scenario = SCENARIOS.get(name)
        if scenario is None:
            continue
        counts = {"date": date_sizes, "default": main_sizes}.get(scenario.kind, sizes)
        for files in counts:
            for tool in tools:
                if tool == "fileorganizer" and fo_problem:
                    res = Result(name, tool, files, status="unavailable", note=fo_problem)
                elif tool.startswith("organize") and files > opts.organize_max:
                    note = f"above --organize-max {opts.organize_max}"
                    res = Result(name, tool, files, status="skipped", note=note)
                else:
                    print(f"... {name} {files} {tool}", file=sys.stderr, flush=True)
                    res = run_one(scenario, tool, files, opts)
                results.append(res)
                fill_ratios(results)
                print(render_text([res]).splitlines()[-1], file=sys.stderr, flush=True)
    if "startup" in wanted and "fileorganizer" in tools and not fo_problem:
        print("... startup", file=sys.stderr, flush=True)
        results += measure_startup(opts)
    extras = []
    if "dupes" in wanted:
        extras.append(run_hook("dupes", BENCH_DIR / "bench_dupes.py", args.dupes_args))
    if "watch" in wanted:
        extras.append(run_hook("watch", BENCH_DIR / "bench_watch.py", args.watch_args))
    fill_ratios(results)
    data["results"] = [asdict(r) | {"files_per_s": r.files_per_s} for r in results]
    data["extras"] = extras
    report(data, results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
