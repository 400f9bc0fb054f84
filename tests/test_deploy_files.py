"""The deployment files: Kubernetes manifests, .env.example, the container recipes."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fileorganizer import load_config_text

ROOT = Path(__file__).resolve().parents[1]
KUBE = ROOT / "deploy" / "kubernetes"
MANIFESTS = sorted(KUBE.rglob("*.yaml"))
ENV_NAME = re.compile(r"\bFILEORGANIZER_[A-Z][A-Z0-9_]*\b")


def documents() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in MANIFESTS:
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                yield path, doc


def by_kind(kind: str) -> dict[str, Any]:
    found = [doc for _path, doc in documents() if doc["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def pod_specs() -> Iterator[tuple[str, dict[str, Any]]]:
    for _path, doc in documents():
        kind = doc["kind"]
        if kind == "Pod":
            yield kind, doc["spec"]
        elif kind == "Deployment":
            yield kind, doc["spec"]["template"]["spec"]
        elif kind == "CronJob":
            yield kind, doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]


# -- Kubernetes ------------------------------------------------------------------


def test_the_manifests_validate_strictly_on_the_oldest_and_newest_kubernetes() -> None:
    kv = pytest.importorskip(
        "kubernetes_validate",
        reason="kubernetes-validate is not installed (pip install 'fileorganizer[test]')",
    )
    from packaging.version import Version

    versions = sorted({str(v) for v in kv.utils.all_versions()}, key=Version)
    assert len(versions) >= 2
    files = [str(p) for p in MANIFESTS]
    assert len(files) >= 5
    for version in (versions[0], versions[-1]):
        proc = subprocess.run(
            [sys.executable, "-m", "kubernetes_validate", "--strict", "-k", version, *files],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, f"Kubernetes {version}:\n{proc.stdout}{proc.stderr}"
        assert proc.stdout.count(" passed ") == len(list(documents())), proc.stdout


def test_there_is_a_watcher_deployment_a_cronjob_a_configmap_and_claims() -> None:
    kinds = sorted(doc["kind"] for path, doc in documents() if path.parent == KUBE)
    assert kinds == [
        "ConfigMap",
        "CronJob",
        "Deployment",
        "PersistentVolumeClaim",
        "PersistentVolumeClaim",
    ]
    deployment = by_kind("Deployment")
    assert deployment["spec"]["replicas"] == 1  # one writer per data volume
    assert deployment["spec"]["strategy"]["type"] == "Recreate"
    assert by_kind("CronJob")["spec"]["concurrencyPolicy"] == "Forbid"


def test_every_pod_runs_non_root_read_only_with_no_capabilities() -> None:
    specs = list(pod_specs())
    assert {kind for kind, _ in specs} == {"Deployment", "CronJob", "Pod"}
    for kind, spec in specs:
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] != 0, kind
        assert pod["seccompProfile"]["type"] == "RuntimeDefault", kind
        for container in spec["containers"]:
            sc = container["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, kind
            assert sc["allowPrivilegeEscalation"] is False, kind
            assert sc["capabilities"]["drop"] == ["ALL"], kind


def test_the_rules_come_from_the_configmap_and_are_a_valid_rules_file() -> None:
    rules = by_kind("ConfigMap")["data"]["config.yaml"]
    config = load_config_text(rules)
    assert config.rules and not config.builtin
    for rule in config.rules:
        assert all(loc.path.startswith("/files/") for loc in rule.locations)
    for kind, spec in pod_specs():
        volumes = {v["name"]: v for v in spec["volumes"]}
        container = spec["containers"][0]
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        assert volumes[mounts["/config"]["name"]]["configMap"]["name"] == "fileorganizer-rules"
        assert mounts["/config"]["readOnly"] is True
        assert "persistentVolumeClaim" in volumes[mounts["/data"]["name"]], kind
        # an explicit rules file: a missing one is an error, never the built-in rules
        env = {e["name"]: e for e in container["env"]}
        assert env["FILEORGANIZER_CONFIG"]["value"] == "/config/config.yaml", kind


def test_every_pod_takes_the_database_url_from_the_optional_secret() -> None:
    secret = by_kind("Secret")
    assert secret["metadata"]["name"] == "fileorganizer-database"
    assert secret["stringData"]["url"].startswith("postgresql+psycopg://")
    for kind, spec in pod_specs():
        env = {e["name"]: e for e in spec["containers"][0]["env"]}
        ref = env["FILEORGANIZER_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
        assert ref == {"name": "fileorganizer-database", "key": "url", "optional": True}, kind


def test_the_watcher_is_probed_with_fileorganizer_status() -> None:
    spec = by_kind("Deployment")["spec"]["template"]["spec"]
    container = spec["containers"][0]
    assert container["args"][0] == "watch"
    for probe in ("startupProbe", "livenessProbe"):
        assert container[probe]["exec"]["command"] == ["fileorganizer", "status"], probe
        assert container[probe]["timeoutSeconds"] >= 5, probe


def test_all_workloads_use_one_image() -> None:
    images = {c["image"] for _kind, spec in pod_specs() for c in spec["containers"]}
    assert len(images) == 1, images


# -- .env.example ----------------------------------------------------------------


def env_example() -> dict[str, list[str]]:
    """Each variable in .env.example and the comment lines just above it."""
    out: dict[str, list[str]] = {}
    comment: list[str] = []
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"#?\s*(FILEORGANIZER_[A-Z0-9_]+)=.*", line)
        if match:
            out[match.group(1)] = comment
            comment = []
        elif line.startswith("#"):
            comment.append(line)
        else:
            comment = []
    return out


def names_read_by_the_code() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((ROOT / "fileorganizer").rglob("*.py")):
        for name in ENV_NAME.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, path)
    return found


def test_env_example_lists_every_variable_the_code_reads() -> None:
    code = names_read_by_the_code()
    assert {"FILEORGANIZER_DATA_DIR", "FILEORGANIZER_CONFIG"} <= set(code)  # the scan works
    listed = env_example()
    missing = {name: str(path.relative_to(ROOT)) for name, path in code.items()}
    for name in listed:
        missing.pop(name, None)
    assert not missing, f".env.example does not list (name: where the code reads it): {missing}"


def test_env_example_gives_each_variable_a_meaning_and_a_default() -> None:
    listed = env_example()
    # announced for the history on a database server and host identity
    assert {"FILEORGANIZER_DATABASE_URL", "FILEORGANIZER_HOST_ID"} <= set(listed)
    for name, comment in listed.items():
        assert len(comment) >= 2, f"{name}: no description above it"
        assert any(line.startswith("# Default:") for line in comment), f"{name}: no default"


# -- the container recipes -------------------------------------------------------


def test_the_recipes_point_at_the_files_instead_of_repeating_them() -> None:
    kubernetes = (ROOT / "docs" / "recipes" / "kubernetes.md").read_text(encoding="utf-8")
    docker = (ROOT / "docs" / "recipes" / "docker.md").read_text(encoding="utf-8")
    assert "apiVersion:" not in kubernetes and "kind:" not in kubernetes
    for path in MANIFESTS:
        assert str(path.relative_to(ROOT)) in kubernetes, path
    assert "services:" not in docker
    for name in ("docker-compose.yml", ".env.example", "Dockerfile"):
        assert name in docker


def test_compose_runs_the_images_default_command_hardened() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    service = compose["services"]["fileorganizer"]
    # the image's default command watches /files when there is no rules file
    assert "command" not in service and "entrypoint" not in service
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["watch", "--default-folder", "/files"]' in dockerfile
    assert service["init"] is True and service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert any(v.endswith(":/files") for v in service["volumes"])
