"""The built-in default rules: sort a folder by kind into subfolders of itself."""

from __future__ import annotations

#: Kind folder -> extensions (lower case, no dot).
KINDS: dict[str, tuple[str, ...]] = {
    "Images": (
        "jpg",
        "jpeg",
        "png",
        "gif",
        "bmp",
        "tif",
        "tiff",
        "webp",
        "heic",
        "heif",
        "svg",
        "ico",
        "jp2",
        "jxl",
        "wmf",
        "emf",
        "raw",
        "cr2",
        "nef",
        "arw",
        "dng",
        "psd",
        "avif",
    ),
    "Documents": (
        "pdf",
        "doc",
        "docx",
        "odt",
        "rtf",
        "txt",
        "md",
        "tex",
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
    "Audio": ("mp3", "wav", "flac", "aac", "ogg", "oga", "m4a", "wma", "opus", "aiff", "mid"),
    "Video": ("mp4", "mkv", "avi", "mov", "wmv", "flv", "webm", "m4v", "mpg", "mpeg", "3gp"),
    "Archives": ("zip", "rar", "7z", "tar", "gz", "tgz", "bz2", "xz", "zst", "iso", "dmg"),
    "Code": (
        "py",
        "js",
        "ts",
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
        "java",
        "go",
        "rs",
        "rb",
        "php",
        "sql",
        "ini",
        "cfg",
    ),
    "Installers": ("deb", "rpm", "msi", "exe", "pkg", "appimage", "apk"),
    "Fonts": ("ttf", "otf", "woff", "woff2"),
}

#: Placeholder location: the CLI puts the folders given on the command line here.
DEFAULT_LOCATION = "."


def default_rules_yaml() -> str:
    """The default rules as a rules file (what ``config show`` prints with no config)."""
    lines = [
        "# fileorganizer built-in default rules: sort a folder by kind.",
        "# Used when no config file exists. The folders given on the command line",
        "# replace the '.' location; destinations are relative to that folder.",
        "# Files of unknown kinds stay where they are.",
        "rules:",
    ]
    for folder, exts in KINDS.items():
        lines += [
            f"  - name: {folder}",
            "    locations: .",
            "    filters:",
            f"      - extension: [{', '.join(exts)}]",
            "    actions:",
            f"      - move: {folder}/",
        ]
    return "\n".join(lines) + "\n"
