"""Every shape of rules that organize 3.3's documentation uses loads here.

Written for this project (organize's docs are not copied): one small config per
shape of filter, action, location and rule option seen in organize's examples
(``bench/organize_docs_examples.py`` checks the examples themselves by hand).
"""

from __future__ import annotations

import pytest

from fileorganizer import load_config_text, plan

R = "rules:\n  - locations: {src}\n"

SHAPES = {
    "filter-bare": R + "    filters: [created, date_added, date_lastused, duplicate, empty,"
    " exif, extension, filecontent, hash, lastmodified, mimetype, name, size]\n"
    "    actions: [echo: '{path}']\n",
    "filter-not-bare-and-not-str": R + "    filters:\n      - not empty\n"
    "      - not extension: pdf\n    actions: [echo: hi]\n",
    "time-options": R + "    filters:\n      - created: {days: 3}\n"
    "      - lastmodified: {hours: 2, mode: newer}\n      - lastmodified: {years: 1, mode: older}\n"
    "    actions: [echo: hi]\n",
    "duplicate-detect": R + "    filters:\n      - duplicate: {detect_original_by: -created}\n"
    "    actions: [trash]\n",
    "exif-str-and-map": R
    + "    filters:\n      - exif: gps\n      - exif: {image.model: 'Nikon*'}\n"
    "    actions: [echo: '{exif.image.model}']\n",
    "extension-str-and-list": R + "    filters:\n      - extension: pdf\n"
    "      - extension: [pdf, PDF, .pdf]\n    actions: [echo: '{extension.upper()}']\n",
    "filecontent-str": R + "    filters:\n      - filecontent: 'Total: (?P<sum>\\d+)'\n"
    "    actions: [echo: '{filecontent.sum}']\n",
    "mimetype-str-and-list": R + "    filters:\n      - mimetype: image\n"
    "      - mimetype: [image/jpeg, image/png]\n    actions: [echo: '{mimetype}']\n",
    "name-maps": R + "    filters:\n      - name: {startswith: a, contains: b, endswith: c,"
    " case_sensitive: false}\n      - name: {endswith: c}\n    actions: [echo: '{name}']\n",
    "python-filter-str": R + "    filters:\n      - python: |\n          return name[::-1]\n"
    "    actions: [echo: '{python}']\n",
    "regex-and-size-str": R + "    filters:\n      - regex: '^(?P<n>\\w+)'\n"
    "      - size: '< 10 MB'\n    actions: [echo: '{regex.n} {size.traditional}']\n",
    "actions-str-and-bare": R + "    actions:\n      - echo: 'x'\n      - copy: '{src}/c/'\n"
    "      - move: '{src}/m/'\n      - rename: '{path.stem}.bak'\n      - trash\n",
    "actions-maps": R + "    actions:\n      - copy: {dest: '{src}/c/', on_conflict: skip,"
    " rename_template: '{name}_{counter}{extension}'}\n"
    "      - move: {dest: '{src}/m/', on_conflict: rename_existing}\n      - delete\n",
    "locations-every-form": "x: &more [{src}]\nrules:\n  - locations:\n      - {src}\n"
    "      - *more\n      - path: [{src}, {src}]\n        max_depth: null\n"
    "      - path: {src}\n        min_depth: 0\n        max_depth: 2\n        search: depth\n"
    "        exclude_files: ['*.tmp']\n        exclude_dirs: [.cache]\n        filter: ['*.pdf']\n"
    "        ignore_errors: true\n    actions: [echo: hi]\n",
    "rule-options-as-strings": "rules:\n  - name: all options\n    enabled: true\n"
    "    locations: {src}\n    subfolders: true\n    targets: files\n    tags: daily\n"
    "    filter_mode: any\n    filters: [extension]\n    actions: [echo: hi]\n",
    "anchors-in-top-level-keys": "my_folders: &folders\n  - {src}\nexts: &exts [pdf, jpg]\n"
    "rules:\n  - locations: *folders\n    filters: [extension: *exts]\n    actions: [echo: hi]\n",
    "targets-dirs": "rules:\n  - locations: {src}\n    targets: dirs\n    filters: [empty]\n"
    "    actions: [delete]\n",
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_organize_shape_loads_and_plans(name, tmp_path):
    (tmp_path / "a.pdf").write_text("Total: 12")
    (tmp_path / "sub").mkdir()
    cfg = load_config_text(SHAPES[name].replace("{src}", str(tmp_path)), file=f"{name}.yaml")
    p = plan(cfg)
    assert cfg.rules
    assert not [x for x in p.problems if "python" in x.message]
