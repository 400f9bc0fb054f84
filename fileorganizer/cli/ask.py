"""Asking ``confirm``'s questions on the terminal (while a real run plans)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape

from fileorganizer.cli.common import safe_text

if TYPE_CHECKING:
    from rich.console import Console

    from fileorganizer.chains import Question
    from fileorganizer.cli.common import StopOnSignal
    from fileorganizer.cli.render import CliReporter


class TerminalAsker:
    """Asks each question on stderr and reads y/n from stdin.

    Ctrl-C or end of input at a prompt stops the run there: it is still
    planning, so nothing has been changed (exit 130).
    """

    def __init__(self, err: Console, reporter: CliReporter, stop: StopOnSignal) -> None:
        self.err = err
        self.reporter = reporter
        self.stop = stop

    def __call__(self, question: Question) -> bool:
        from rich.prompt import Confirm

        if self.stop.requested():
            return False  # (a signal came while planning: the run stops before applying)
        self.reporter.close()  # (no progress bar under the prompt)
        prompt = (
            f"[bold]{escape(safe_text(question.path))}[/] "
            f"[dim](rule {escape(question.rule)})[/]: {escape(safe_text(question.message))}"
        )
        try:
            with self.stop.prompting():
                return bool(Confirm.ask(prompt, default=question.default, console=self.err))
        except (EOFError, KeyboardInterrupt):
            self.err.print()
            self.err.print("[yellow]stopped at a question[/]: nothing was changed")
            raise KeyboardInterrupt from None
