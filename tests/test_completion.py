"""Shell completion, as bash, zsh and fish ask for it (the completion env vars, a subprocess)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from fileorganizer.history import History


def _bash(run_cli: Any, line: str, env: dict[str, str] | None = None) -> list[str]:
    """What bash gets for ``line`` (the cursor at its end; a trailing space starts a word)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    r = run_cli(
        env={
            "_FILEORGANIZER_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(cword),
            **(env or {}),
        }
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def _zsh(run_cli: Any, line: str) -> str:
    r = run_cli(env={"_FILEORGANIZER_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line})
    assert r.returncode == 0, r.stderr
    return str(r.stdout)


def _fish(run_cli: Any, line: str) -> list[str]:
    r = run_cli(
        env={
            "_FILEORGANIZER_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            "_TYPER_COMPLETE_ARGS": line,
        }
    )
    assert r.returncode == 0, r.stderr
    return [str(line) for line in r.stdout.splitlines()]


@pytest.fixture
def config_dir(isolated_env: Any) -> Path:
    folder = Path(isolated_env.config_dir)
    folder.mkdir(parents=True, exist_ok=True)
    rules = (
        "rules:\n"
        "  - locations: /tmp\n    tags: [daily, photos]\n    actions: [echo: hi]\n"
        "  - locations: /tmp\n    tags: weekly\n    actions: [echo: hi]\n"
    )
    (folder / "config.yaml").write_text(rules)
    (folder / "photos.yaml").write_text(rules.replace("weekly", "monthly"))
    (folder / "papers.yml").write_text(rules)
    (folder / "notes.txt").write_text("not a rules file")
    return folder


def test_commands_and_options_complete(run_cli: Any) -> None:
    assert _bash(run_cli, "fileorganizer u") == ["undo"]
    assert {"run", "sim", "history", "undo", "config"} <= set(_bash(run_cli, "fileorganizer "))
    options = _bash(run_cli, "fileorganizer run --")
    assert {"--config", "--format", "--quiet", "--verbose", "--tags", "--log-file"} <= set(options)
    assert _bash(run_cli, "fileorganizer history s") == ["show"]
    assert set(_bash(run_cli, "fileorganizer run --format ")) == {"text", "json", "jsonl"}


def test_tags_complete_from_the_config_in_use(run_cli: Any, config_dir: Path) -> None:
    assert _bash(run_cli, "fileorganizer run --tags ") == ["daily", "photos", "weekly"]
    assert _bash(run_cli, "fileorganizer run --tags daily,p") == ["daily,photos"]
    other = config_dir / "photos.yaml"
    assert _bash(run_cli, f"fileorganizer sim -c {other} --skip-tags m") == ["monthly"]
    assert "weekly" in _zsh(run_cli, "fileorganizer run --tags w")
    assert _fish(run_cli, "fileorganizer run --tags w") == ["weekly"]


def test_config_names_complete_and_paths_fall_back_to_files(run_cli: Any, config_dir: Path) -> None:
    assert _bash(run_cli, "fileorganizer run p") == ["papers", "photos"]
    assert _bash(run_cli, "fileorganizer sim ph") == ["photos"]
    assert _bash(run_cli, "fileorganizer run ./p") == []  # a path: the shell completes files
    fish = _fish(run_cli, "fileorganizer run p")
    assert [line.split("\t")[0] for line in fish] == ["papers", "photos"]
    assert f"rules file {config_dir}/photos.yaml" in fish[1]


def test_run_ids_complete_from_the_history_newest_first(
    run_cli: Any, tmp_path: Path, isolated_env: Any
) -> None:
    with History() as h:
        first = h.start_run("run")
        h.finish_run(first)
        sim = h.record_sim(config_path=None, config_hash=None, planned=3, problems=0)
        last = h.start_run("run")
        h.finish_run(last)
    assert _bash(run_cli, "fileorganizer undo ") == [str(last), str(first)]  # no sims
    assert _bash(run_cli, "fileorganizer history show ") == [str(last), str(sim), str(first)]
    fish = _fish(run_cli, "fileorganizer undo ")
    assert fish[0].startswith(f"{last}\trun ") and fish[0].endswith("ok, 0 done")
    assert f'"{last}":"run ' in _zsh(run_cli, "fileorganizer undo ")


def test_completing_run_ids_never_creates_a_database(run_cli: Any, isolated_env: Any) -> None:
    assert _bash(run_cli, "fileorganizer undo ") == []
    assert _bash(run_cli, "fileorganizer history show ") == []
    assert not Path(isolated_env.data_dir).exists()
    other = isolated_env.root / "elsewhere.sqlite"
    assert _bash(run_cli, f"fileorganizer undo --db {other} ") == []
    assert not other.exists()


def test_a_broken_config_or_history_completes_nothing_silently(
    run_cli: Any, config_dir: Path, isolated_env: Any
) -> None:
    (config_dir / "config.yaml").write_text("rules: [unclosed\n")
    assert _bash(run_cli, "fileorganizer run --tags ") == []
    data = Path(isolated_env.data_dir)
    data.mkdir(parents=True)
    (data / "history.sqlite").write_bytes(b"garbage" * 100)
    assert _bash(run_cli, "fileorganizer undo ") == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_a_script_for_each_shell(shell: str, run_cli: Any) -> None:
    r = run_cli("--show-completion", shell)
    assert r.returncode == 0, r.stderr
    assert "_FILEORGANIZER_COMPLETE" in r.stdout and "fileorganizer" in r.stdout


def test_install_completion_writes_the_bash_script(run_cli: Any, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    r = run_cli("--install-completion", "bash", env={"HOME": str(home)})
    assert r.returncode == 0, r.stderr
    script = home / ".bash_completions" / "fileorganizer.sh"
    assert "_FILEORGANIZER_COMPLETE=complete_bash" in script.read_text()
    assert str(script) in (home / ".bashrc").read_text()
    # and bash itself accepts the script
    check = subprocess.run(["bash", "-n", str(script)], capture_output=True, check=False)
    assert check.returncode == 0, check.stderr
