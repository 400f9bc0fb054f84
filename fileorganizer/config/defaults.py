"""The built-in default rules: sort a folder by kind into subfolders of itself.

Kinds are told by content type (magic bytes first, the extension only when the
content says nothing), so a photo without an extension, or a PDF named
``.jpg``, still lands in the right folder. Kinds whose content types are not
distinctive (source code, installers, fonts) also match by extension.
"""

from __future__ import annotations

#: (kind folder, MIME patterns, extensions), in the order the rules run.
KINDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Images", ("image",), ()),
    ("Audio", ("audio",), ()),
    ("Video", ("video",), ()),
    (
        "Code",
        (
            "text/x-python",
            "text/javascript",
            "text/html",
            "text/css",
            "application/json",
            "application/xml",
            "text/xml",
            "application/yaml",
            "application/toml",
            "application/x-sh",
            "text/x-shellscript",
            "text/x-c",
            "text/x-java",
            "application/sql",
        ),
        (
            "py",
            "js",
            "ts",
            "tsx",
            "jsx",
            "html",
            "htm",
            "css",
            "json",
            "xml",
            "yml",
            "yaml",
            "toml",
            "sh",
            "c",
            "h",
            "cpp",
            "hpp",
            "java",
            "go",
            "rs",
            "rb",
            "php",
            "sql",
            "ini",
            "cfg",
            "ipynb",
        ),
    ),
    (
        "Documents",
        (
            "application/pdf",
            "application/rtf",
            "text/rtf",
            "text/plain",
            "text/markdown",
            "text/csv",
            "text/x-tex",
            "application/epub+zip",
            "application/msword",
            "application/vnd.ms-excel",
            "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.*",
            "application/vnd.oasis.opendocument.*",
        ),
        (
            "pdf",
            "doc",
            "docx",
            "odt",
            "rtf",
            "txt",
            "md",
            "xls",
            "xlsx",
            "ods",
            "csv",
            "ppt",
            "pptx",
            "odp",
            "epub",
            "pages",
            "numbers",
            "key",
        ),
    ),
    (
        "Installers",
        (
            "application/vnd.debian.binary-package",
            "application/x-rpm",
            "application/vnd.microsoft.portable-executable",
            "application/x-msi",
            "application/vnd.android.package-archive",
        ),
        ("deb", "rpm", "msi", "exe", "pkg", "appimage", "apk"),
    ),
    (
        "Archives",
        (
            "application/zip",
            "application/gzip",
            "application/x-bzip2",
            "application/x-xz",
            "application/zstd",
            "application/x-tar",
            "application/vnd.rar",
            "application/x-7z-compressed",
            "application/x-iso9660-image",
            "application/x-apple-diskimage",
        ),
        ("zip", "rar", "7z", "tar", "gz", "tgz", "bz2", "xz", "zst", "iso", "dmg"),
    ),
    ("Fonts", ("font",), ("ttf", "otf", "woff", "woff2")),
)

#: Placeholder location: the CLI puts the folders given on the command line here.
DEFAULT_LOCATION = "."


def _flow(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{x}"' for x in items) + "]"


def default_rules_yaml() -> str:
    """The default rules as a rules file (what ``config show`` prints with no config)."""
    lines = [
        "# fileorganizer built-in default rules: sort a folder by kind.",
        "# Used when no rules file exists. The folders given on the command line",
        "# replace the '.' location; destinations are relative to that folder.",
        "# Kinds are told by content type first, so a file with a wrong or missing",
        "# extension still lands in the right folder. Unknown kinds stay put.",
        "rules:",
    ]
    for folder, mimes, exts in KINDS:
        lines += [
            f"  - name: {folder}",
            "    locations: .",
            "    filter_mode: any",
            "    filters:",
            f"      - mimetype: {_flow(mimes)}",
        ]
        if exts:
            lines.append(f"      - extension: {_flow(exts)}")
        lines += ["    actions:", f"      - move: {folder}/"]
    return "\n".join(lines) + "\n"
