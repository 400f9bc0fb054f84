"""Packaging: one version everywhere, the files a release must carry."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import importlib.util
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import fileorganizer

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_one_value_everywhere() -> None:
    installed = importlib.metadata.version("fileorganizer")
    assert installed == fileorganizer.__version__


def test_python_m_fileorganizer_version_prints_the_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "fileorganizer", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert fileorganizer.__version__ in proc.stdout.split(), proc.stdout


def test_package_is_typed() -> None:
    assert importlib.resources.files("fileorganizer").joinpath("py.typed").is_file()


@pytest.mark.parametrize("name", ["README.md", "LICENSE.txt", "CHANGELOG.md", "CONTRIBUTING.md"])
def test_release_files_exist(name: str) -> None:
    assert (ROOT / name).is_file()


def test_license_is_mit() -> None:
    text = (ROOT / "LICENSE.txt").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "fileorganizer maintainers" in text


def test_changelog_has_an_unreleased_section() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text
    assert "keepachangelog.com" in text


def repo_file(name: str) -> Path:
    """A file of the git checkout that the sdist does not carry: skip when run from one."""
    path = ROOT / name
    if not path.exists() and not (ROOT / ".git").exists():
        pytest.skip(f"{name} is not in this tree (running from an sdist)")
    return path


def test_dockerfile_runs_the_watcher_as_non_root_with_a_healthcheck() -> None:
    text = repo_file("Dockerfile").read_text(encoding="utf-8")
    assert text.count("\nFROM ") >= 2, "multi-stage build"
    assert "\nUSER ${UID}:${GID}\n" in text  # numeric, from the build arguments
    assert "\nARG UID=1000\n" in text and "\nARG GID=1000\n" in text
    assert "\n# syntax" not in text  # no syntax directive (needs a registry)
    assert "\nARG BASE_IMAGE=" in text and "\nFROM ${BASE_IMAGE} AS runtime" in text
    assert "HEALTHCHECK" in text and '"status"' in text
    assert 'CMD ["watch", "--default-folder", "/files"]' in text
    for var, path in [("FILEORGANIZER_CONFIG_DIR", "/config"), ("FILEORGANIZER_DATA_DIR", "/data")]:
        assert f"{var}={path}" in text


@pytest.mark.slow
def test_sdist_and_wheel_carry_what_a_release_needs(tmp_path: Path) -> None:
    """Build both distributions (sdist, then the wheel from it) and look inside."""
    pytest.importorskip("build", reason="needs the 'build' package (the dev extra)")
    cmd = [sys.executable, "-m", "build", "--outdir", str(tmp_path), str(ROOT)]
    if importlib.util.find_spec("hatchling") is not None:
        cmd.insert(3, "--no-isolation")  # fast and offline when the backend is here
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    version = fileorganizer.__version__
    (sdist,) = tmp_path.glob("fileorganizer-*.tar.gz")
    assert sdist.name == f"fileorganizer-{version}.tar.gz"
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for required in ["README.md", "LICENSE.txt", "CHANGELOG.md", "pyproject.toml"]:
        assert required in names, f"{required} missing from the sdist"
    for folder in ["docs/", "tests/", "fileorganizer/"]:
        assert any(n.startswith(folder) for n in names), f"{folder} missing from the sdist"
    assert "docs/rules.md" in names
    assert ".env.example" in names and "deploy/kubernetes/deployment.yaml" in names
    assert ".ci/container" in names
    assert "tests/test_packaging.py" in names
    assert "fileorganizer/py.typed" in names

    (wheel,) = tmp_path.glob("fileorganizer-*.whl")
    with zipfile.ZipFile(wheel) as whl:
        files = set(whl.namelist())
    assert "fileorganizer/py.typed" in files
    assert "fileorganizer/__init__.py" in files
    assert any(f.endswith("LICENSE.txt") and ".dist-info/" in f for f in files)
    assert not any(f.startswith(("tests/", "docs/")) for f in files)
