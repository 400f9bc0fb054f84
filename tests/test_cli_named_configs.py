"""organize-style rule files by name: ``run NAME``, ``sim NAME``, ``check NAME``, ``new NAME``.

An argument that is an existing folder is a folder; a bare NAME with a
``<config dir>/NAME.yaml`` is the rules file; anything else is an error naming both.
"""

from __future__ import annotations

RULES = """\
rules:
  - locations: inbox
    filters: [extension: pdf]
    actions: [move: "pdfs/"]
"""


def _setup(tmp_path, isolated_env):
    isolated_env.config_dir.mkdir(parents=True, exist_ok=True)
    (isolated_env.config_dir / "pdfs.yaml").write_text(RULES)
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.pdf").write_text("pdf")


def test_run_name_uses_the_named_rules_file_with_working_dir(tmp_path, isolated_env, cli_main):
    _setup(tmp_path, isolated_env)
    res = cli_main("run", "pdfs", "-W", tmp_path)
    assert res.code == 0, res.err
    assert (tmp_path / "inbox" / "pdfs" / "a.pdf").read_text() == "pdf"


def test_sim_and_check_name(tmp_path, isolated_env, cli_main, monkeypatch):
    _setup(tmp_path, isolated_env)
    monkeypatch.chdir(tmp_path)
    res = cli_main("sim", "pdfs", "-v")
    assert res.code == 0, res.err
    assert "inbox/pdfs/a.pdf" in res.out
    assert (tmp_path / "inbox" / "a.pdf").exists()
    res = cli_main("check", "pdfs")
    assert res.code == 0
    assert f"ok {isolated_env.config_dir / 'pdfs.yaml'}: 1 rule(s), 1 enabled" in res.out


def test_a_folder_argument_is_a_folder_and_a_name_is_the_rules_file(
    tmp_path, isolated_env, cli_main
):
    _setup(tmp_path, isolated_env)
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.pdf").write_text("b")
    res = cli_main("run", other, "pdfs")
    assert res.code == 0, res.err
    assert (other / "pdfs" / "b.pdf").exists()
    assert (tmp_path / "inbox" / "a.pdf").exists()


def test_unknown_argument_names_both_meanings(tmp_path, isolated_env, cli_main, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = cli_main("run", "nosuch")
    assert res.code == 2
    assert res.err.strip() == (
        "error: 'nosuch' is neither a folder nor a rules file "
        f"(no folder nosuch, no {isolated_env.config_dir / 'nosuch.yaml'})"
    )


def test_check_warns_about_a_missing_location_naming_the_path(
    tmp_path, isolated_env, cli_main, monkeypatch
):
    _setup(tmp_path, isolated_env)
    monkeypatch.chdir(tmp_path / "inbox")  # no inbox/inbox here
    res = cli_main("check", "pdfs")
    assert res.code == 0
    assert res.err.strip() == (
        f"warning: {isolated_env.config_dir / 'pdfs.yaml'}: rule 'rule 0': key 'locations[0]': "
        f"location {tmp_path / 'inbox' / 'inbox'} does not exist (yet)"
    )


def test_new_name_writes_a_starter_that_check_name_accepts(isolated_env, cli_main):
    res = cli_main("new", "photos", "-t", "photos")
    assert res.code == 0, res.err
    assert (isolated_env.config_dir / "photos.yaml").is_file()
    res = cli_main("new", "photos")
    assert res.code == 2
    assert "exists; not overwriting it" in res.err
    res = cli_main("config", "list")
    assert res.out.split() == ["photos", str(isolated_env.config_dir / "photos.yaml")]
    assert cli_main("check", "photos").code == 0


def test_edit_name_opens_the_named_file(isolated_env, cli_main, monkeypatch, tmp_path):
    _setup(tmp_path, isolated_env)
    log = tmp_path / "edited"
    monkeypatch.setenv("EDITOR", f"sh -c 'echo \"$0\" > {log}'")
    monkeypatch.delenv("VISUAL", raising=False)
    res = cli_main("edit", "pdfs")
    assert res.code == 0, res.err
    assert log.read_text().strip() == str(isolated_env.config_dir / "pdfs.yaml")
