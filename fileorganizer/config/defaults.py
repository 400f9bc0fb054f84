"""The built-in default rules: sort a folder by kind into subfolders of itself.

One rule looks at each file once: the ``kind`` filter tells its kind by
content first (magic bytes, so a photo without an extension, or a PDF named
``.jpg``, still lands in the right folder), by extension for kinds whose
content is not distinctive (source code, installers, fonts), and the file
moves to ``{kind}/``. Files of no kind, and hidden files and folders, stay.
"""

from __future__ import annotations

#: Placeholder location: the CLI puts the folders given on the command line here.
DEFAULT_LOCATION = "."

#: The online documentation (``site_url`` in mkdocs.yml), linked from the rules files we write.
DOCS_URL = "https://fileorganizer.github.io/fileorganizer/"

#: The rule itself, shared by the built-in defaults and ``init``'s starter.
SORT_BY_KIND_RULE = """\
  - name: Sort by kind
    locations:
      - path: {location}
        include_hidden: false   # leave .hidden files and folders alone
    filters:
      - kind                    # Images, Audio, Video, Code, Documents, ...
    actions:
      - move: "{{kind}}/"         # relative to the location: Downloads/Images/, ...
"""


#: What the rule's comment says about kinds (the full table is in the rules reference).
KINDS_COMMENT = (
    "# Kinds, tried in this order: Images, Audio, Video (by content type), then Code,",
    "# Documents, Installers, Archives, Fonts (by content type or extension); any",
    "# other file stays put. `fileorganizer explain FILE` shows a file's kind.",
)


def default_rules_yaml() -> str:
    """The default rules as a rules file (what ``config show`` prints with no config)."""
    lines = [
        "# fileorganizer built-in default rules: sort a folder by kind.",
        "# Used when no rules file exists. The folders given on the command line",
        "# replace the '.' location; destinations are relative to that folder.",
        "# Kinds are told by content type first, so a file with a wrong or missing",
        "# extension still lands in the right folder. Unknown kinds stay put, and",
        "# so do hidden files and folders (names starting with '.'; --hidden includes them).",
        *KINDS_COMMENT,
        f"# Reference: {DOCS_URL}rules/#kind",
        "rules:",
    ]
    return "\n".join(lines) + "\n" + SORT_BY_KIND_RULE.format(location=DEFAULT_LOCATION)


def default_starter_yaml() -> str:
    """The rules file ``fileorganizer init`` writes: the built-in rule for ~/Downloads, and more."""
    kinds = "\n".join("  " + line for line in KINDS_COMMENT)
    rule = SORT_BY_KIND_RULE.format(location="~/Downloads")
    return f"""\
# fileorganizer rules file.
#
# Each rule says where to look (locations), what to pick (filters) and what to
# do (actions). Try your changes with `fileorganizer sim` (it changes nothing);
# `fileorganizer run` then does exactly what sim showed, and
# `fileorganizer undo` reverses the last run.
#
# Documentation: {DOCS_URL}
#   rules, filters and actions: {DOCS_URL}rules/
#   placeholders such as {{kind}}: {DOCS_URL}placeholders/
#   recipes:                     {DOCS_URL}recipes/downloads/

rules:
  # Installers older than four weeks go to the trash (undo brings them back).
  # (Before the next rule, which moves installers into Downloads/Installers/.)
  - name: Old installers
    enabled: false          # remove this line to turn the rule on
    locations:
      - path: ~/Downloads
        include_hidden: false
    filters:
      - kind: Installers
      - lastmodified:
          weeks: 4
          mode: older
    actions:
      - trash

  # Sort Downloads by kind, as the built-in rules do (Downloads/Images/,
  # Downloads/Documents/, ...). Destinations are relative to the location.
{kinds}
{rule}"""
