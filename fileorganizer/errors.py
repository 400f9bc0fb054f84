"""Typed errors. Each carries structured fields so the CLI can render one line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class FileOrganizerError(Exception):
    """Base class of every error the library raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ConfigProblem:
    """One problem of a rules file: where it is (file, rule, key path) and what it is."""

    message: str
    file: str | None = None
    rule: str | int | None = None
    key: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.rule is not None:
            rule = self.rule
            parts.append(f"rule {rule!r}" if isinstance(rule, str) else f"rule #{rule}")
        if self.key:
            parts.append(f"key {self.key!r}")
        where = ": ".join(parts)
        return f"{where}: {self.message}" if where else self.message


class ConfigError(FileOrganizerError):
    """A rules file that cannot be used.

    Carries every problem found (:attr:`problems`, at least one); its text is one
    problem per line, each naming the file, the rule and the key path. The first
    problem's fields are also :attr:`file`, :attr:`rule`, :attr:`key` and
    :attr:`reason`.
    """

    exit_code = 2

    def __init__(
        self,
        message: str = "",
        *,
        file: Path | str | None = None,
        rule: str | int | None = None,
        key: str | None = None,
        problems: Sequence[ConfigProblem] = (),
    ) -> None:
        if not problems:
            problems = (ConfigProblem(message, str(file) if file is not None else None, rule, key),)
        self.problems: tuple[ConfigProblem, ...] = tuple(problems)
        first = self.problems[0]
        self.file = first.file
        self.rule = first.rule
        self.key = first.key
        self.reason = first.message
        super().__init__("\n".join(str(p) for p in self.problems))


class TemplateError(FileOrganizerError):
    """A path template that cannot be rendered for one file."""

    def __init__(self, message: str, *, template: str | None = None) -> None:
        self.template = template
        super().__init__(message)


class UserCodeError(FileOrganizerError):
    """Code in a rules file (a ``python`` filter) raised for one file (the run goes on)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)


class UnsafePathError(TemplateError):
    """A rendered path that would escape its destination."""


class LocationError(FileOrganizerError):
    """A location that does not exist or cannot be read."""

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str) -> None:
        self.path = str(path)
        super().__init__(message)


class LockHeldError(FileOrganizerError):
    """Another instance holds the lock: the data directory's, or a folder's (shared history)."""

    exit_code = 75

    def __init__(self, message: str, *, lock_path: Path | str) -> None:
        #: the lock file, or the folder whose lock is held
        self.lock_path = str(lock_path)
        super().__init__(message)


class LockLostError(LockHeldError):
    """A pass lost its folder locks (its connection to the shared history ended) and stopped.

    What it had done is journaled; the next pass recovers the rest.
    """


class OperationError(FileOrganizerError):
    """One filesystem operation failed (the run goes on)."""

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.path = str(path) if path is not None else None
        super().__init__(message)


class DestinationExistsError(OperationError):
    """The destination of a no-replace operation exists."""


class SourceChangedError(OperationError):
    """The source vanished or changed identity between plan and apply."""


class MissingExtraError(FileOrganizerError):
    """An optional dependency needed by a feature is not installed."""

    exit_code = 2

    def __init__(self, feature: str, extra: str, package: str) -> None:
        self.feature = feature
        self.extra = extra
        self.package = package
        super().__init__(
            f"{feature} needs the optional package {package!r}: "
            f"pip install 'fileorganizer[{extra}]'"
        )


class HistoryError(FileOrganizerError):
    """The history database cannot be opened, migrated or read."""

    exit_code = 2


class UndoError(FileOrganizerError):
    """An undo request that cannot be carried out as a whole (e.g. unknown run)."""

    exit_code = 2


class UnwritableDirError(FileOrganizerError):
    """One of the tool's own folders (data, logs, trash, history) cannot be written.

    Exit code 73 (``EX_CANTCREAT``). The message names the folder, the user id
    and how to fix it; see :func:`fileorganizer.paths.ensure_writable_dir`.
    """

    exit_code = 73

    def __init__(self, message: str, *, path: Path | str, uid: int, kind: str) -> None:
        self.path = str(path)
        self.uid = uid
        self.kind = kind
        super().__init__(message)
