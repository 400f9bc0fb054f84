"""Running what ``shell`` and ``python`` actions ask for: a command, a rule's code.

:func:`run_shell` runs a command line with ``/bin/sh -c`` in its own process
group, stdin closed, stdout and stderr captured together, bounded by a timeout
(the whole group is killed then) and by a stop request. :func:`run_python`
runs a ``python`` action's code with its variables and collects what it
prints. Both return a value saying what happened; neither raises for a
failure of the user's command or code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import textwrap
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from fileorganizer.filters.base import LAZY_PLACEHOLDERS

if TYPE_CHECKING:
    from types import CodeType

    from fileorganizer.filters.base import FilterContext
    from fileorganizer.scan import FileEntry

#: how often a running command looks for a stop request, in seconds
_POLL = 0.1
#: how long the output of a finished command may stay open (a background child)
_DRAIN_SECONDS = 0.5
#: how much of a failing command's output an error message quotes
_TAIL = 300


@dataclass(frozen=True, slots=True)
class ShellRun:
    """What running a command gave."""

    output: str
    returncode: int
    timed_out: bool = False
    stopped: bool = False
    timeout: float = 0.0

    def failed(self, ignore_errors: bool) -> bool:
        """Whether this fails the file (a non-zero exit counts unless ``ignore_errors``)."""
        if self.timed_out or self.stopped:
            return True
        return self.returncode != 0 and not ignore_errors

    def summary(self) -> str:
        """``exit 0``, ``exit 3: <last output>``, ``timed out after 60 s``."""
        if self.timed_out:
            return f"timed out after {self.timeout:g} s (killed; raise 'timeout' to allow longer)"
        if self.stopped:
            return "stopped by a signal before it finished (killed)"
        text = f"exit {self.returncode}"
        tail = self.output.strip()[-_TAIL:]
        if self.returncode != 0 and tail:
            text += ": " + " | ".join(tail.splitlines()[-3:])
        return text


def run_shell(
    command: str, timeout: float, should_stop: Callable[[], bool] | None = None
) -> ShellRun:
    """Run ``command`` with ``/bin/sh -c``; kill its process group on timeout or stop."""
    proc = subprocess.Popen(
        ["/bin/sh", "-c", command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        return _wait(proc, timeout, should_stop)
    except BaseException:  # (a second Ctrl-C): the command does not outlive us
        _kill_group(proc)
        proc.wait()
        raise


def _wait(
    proc: subprocess.Popen[bytes],
    timeout: float,
    should_stop: Callable[[], bool] | None,
) -> ShellRun:
    """Wait for the shell itself (not for its output to close), within ``timeout``.

    The output is read by a thread. A background process the command started may
    keep the output open after the shell exits: it is given ``_DRAIN_SECONDS`` to
    finish, then left running with what it printed so far (the command is done).
    A timeout or a stop kills the whole process group, and never waits for a
    process that left the group (``setsid``) to close the output.
    """
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    assert proc.stdout is not None
    reader = threading.Thread(target=_read_all, args=(proc.stdout, chunks), daemon=True)
    reader.start()
    timed_out = stopped = False
    while True:
        try:
            proc.wait(timeout=min(_POLL, max(deadline - time.monotonic(), 0.0)))
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                timed_out = True
            elif should_stop is not None and should_stop():
                stopped = True
            else:
                continue
        _kill_group(proc)
        proc.wait()
        break
    reader.join(_DRAIN_SECONDS)
    text = b"".join(list(chunks)).decode("utf-8", errors="replace")
    return ShellRun(text, proc.returncode, timed_out, stopped, timeout)


def _read_all(stream: IO[bytes], chunks: list[bytes]) -> None:
    with contextlib.suppress(OSError, ValueError):
        while block := stream.read1(65536):  # type: ignore[attr-defined]
            chunks.append(block)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


class CodeValues(dict[str, Any]):
    """A ``python`` action's globals: its variables, placeholders computed when read."""

    def __init__(
        self,
        variables: Mapping[str, Any],
        entry: FileEntry,
        fctx: FilterContext,
        out: list[str],
    ) -> None:
        super().__init__()
        self._entry = entry
        self._fctx = fctx

        def _print(*values: object, sep: str = " ", end: str = "") -> None:
            out.append(sep.join(str(v) for v in values) + end)

        self["print"] = _print
        self["path"] = PurePosixPath(entry.path)
        self["name"] = entry.name if entry.is_dir else entry.stem
        self["extension"] = "" if entry.is_dir else entry.extension
        self["location"] = PurePosixPath(entry.location)
        self["relative_path"] = PurePosixPath(entry.relative_path)
        self["rule"] = fctx.rule_name
        self.update(variables)

    def __missing__(self, key: str) -> Any:
        fn = LAZY_PLACEHOLDERS.get(key)
        if fn is None:
            raise KeyError(key)
        value = self[key] = fn(self._entry, self._fctx)
        return value


#: the name the action's code is compiled under (found again in tracebacks)
CODE_FILENAME = "<python action>"
_FUNC = "__fileorganizer_action__"


def compile_action_code(code: str) -> CodeType:
    """Compile a ``python`` action's code as the body of a function (SyntaxError as is)."""
    wrapped = f"def {_FUNC}():\n" + textwrap.indent(code, "    ") + "\n"
    return compile(wrapped, CODE_FILENAME, "exec")


@dataclass(frozen=True, slots=True)
class PythonRun:
    """What running a ``python`` action's code gave: its prints, or the error."""

    printed: str
    error: str | None = None


def run_python(code: CodeType, values: CodeValues, rule: str, printed: list[str]) -> PythonRun:
    """Run ``code`` with ``values`` as its globals; an exception is the error, with its line."""
    try:
        exec(code, values)
        got = values[_FUNC]()
    except (Exception, SystemExit) as exc:  # (exit() in user code ends that file only)
        line = user_line(exc)
        return PythonRun(
            "\n".join(printed),
            f"rule {rule!r}: python action, line {line}: {type(exc).__name__}: {exc}",
        )
    if got is not None and not isinstance(got, dict):
        return PythonRun(
            "\n".join(printed),
            f"rule {rule!r}: python action must return nothing or a dict "
            f"(it returned {type(got).__name__})",
        )
    return PythonRun("\n".join(printed))


def user_line(exc: BaseException, filename: str = CODE_FILENAME) -> int:
    """The line of the user's code (1 = its first line) where ``exc`` was raised.

    ``filename``: what the code was compiled as (the action's, or the filter's).
    """
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno - 1
        tb = tb.tb_next
    return line if line > 0 else 1


def python_values(
    variables: Mapping[str, Any],
    entry: FileEntry,
    fctx: FilterContext,
    late: Mapping[str, Any],
    out: list[str],
) -> CodeValues:
    """The globals for a ``python`` action's code: plan-time values, then late ones."""
    values = CodeValues(variables, entry, fctx, out)
    values.update(late)
    return values
