"""Names of content types: the extension table and one spelling per type.

Deterministic across Python versions and systems: :data:`EXTENSION_TYPES` first,
then the standard library's built-in table (never the system's mime.types).
"""

from __future__ import annotations

#: Extension -> type. Deterministic across Python versions and systems (the
#: stdlib table, without /etc/mime.types, fills in the rest).
EXTENSION_TYPES: dict[str, str] = {
    # images
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg", "jfif": "image/jpeg",
    "png": "image/png", "gif": "image/gif", "bmp": "image/bmp", "dib": "image/bmp",
    "tif": "image/tiff", "tiff": "image/tiff", "webp": "image/webp",
    "heif": "image/heif", "heic": "image/heic", "avif": "image/avif",
    "ico": "image/vnd.microsoft.icon", "svg": "image/svg+xml", "jxl": "image/jxl",
    "jp2": "image/jp2", "jpx": "image/jpx", "jpm": "image/jpm", "wmf": "image/wmf",
    "emf": "image/emf", "psd": "image/vnd.adobe.photoshop", "cr2": "image/x-canon-cr2",
    "cr3": "image/x-canon-cr3", "nef": "image/x-nikon-nef", "arw": "image/x-sony-arw",
    "dng": "image/x-adobe-dng", "raf": "image/x-fuji-raf", "orf": "image/x-olympus-orf",
    # audio
    "mp3": "audio/mpeg", "m4a": "audio/mp4", "aac": "audio/aac", "wav": "audio/x-wav",
    "flac": "audio/flac", "ogg": "audio/ogg", "oga": "audio/ogg", "opus": "audio/ogg",
    "wma": "audio/x-ms-wma", "aif": "audio/x-aiff", "aiff": "audio/x-aiff",
    "mid": "audio/midi", "midi": "audio/midi", "amr": "audio/amr",
    # video
    "mp4": "video/mp4", "m4v": "video/x-m4v", "mov": "video/quicktime",
    "avi": "video/x-msvideo", "mkv": "video/x-matroska", "webm": "video/webm",
    "flv": "video/x-flv", "wmv": "video/x-ms-wmv", "asf": "video/x-ms-asf",
    "mpg": "video/mpeg", "mpeg": "video/mpeg", "3gp": "video/3gpp", "3g2": "video/3gpp2",
    "ogv": "video/ogg", "ts": "video/mp2t", "mts": "video/mp2t",
    # archives and compressed data
    "zip": "application/zip", "gz": "application/gzip", "tgz": "application/gzip",
    "bz2": "application/x-bzip2", "tbz2": "application/x-bzip2", "xz": "application/x-xz",
    "txz": "application/x-xz", "zst": "application/zstd", "lz": "application/x-lzip",
    "lzma": "application/x-lzma", "7z": "application/x-7z-compressed",
    "rar": "application/vnd.rar", "tar": "application/x-tar", "iso": "application/x-iso9660-image",
    "cab": "application/vnd.ms-cab-compressed", "deb": "application/vnd.debian.binary-package",
    "rpm": "application/x-rpm", "dmg": "application/x-apple-diskimage",
    "jar": "application/java-archive", "apk": "application/vnd.android.package-archive",
    # documents
    "pdf": "application/pdf", "rtf": "application/rtf", "epub": "application/epub+zip",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "odg": "application/vnd.oasis.opendocument.graphics",
    # text and markup
    "txt": "text/plain", "text": "text/plain", "log": "text/plain", "md": "text/markdown",
    "markdown": "text/markdown", "rst": "text/x-rst", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "html": "text/html", "htm": "text/html",
    "xhtml": "application/xhtml+xml", "css": "text/css", "js": "text/javascript",
    "mjs": "text/javascript", "json": "application/json", "xml": "application/xml",
    "yaml": "application/yaml", "yml": "application/yaml", "toml": "application/toml",
    "ini": "text/plain", "cfg": "text/plain", "conf": "text/plain", "ics": "text/calendar",
    "vcf": "text/vcard", "py": "text/x-python", "sh": "application/x-sh",
    "c": "text/x-c", "h": "text/x-c", "java": "text/x-java", "sql": "application/sql",
    "tex": "text/x-tex", "srt": "application/x-subrip", "vtt": "text/vtt",
    # fonts and executables
    "ttf": "font/ttf", "otf": "font/otf", "woff": "font/woff", "woff2": "font/woff2",
    "exe": "application/vnd.microsoft.portable-executable", "wasm": "application/wasm",
}  # fmt: skip

#: puremagic's (and others') spellings -> the one this module uses.
ALIASES: dict[str, str] = {
    "video/avi": "video/x-msvideo",
    "video/msvideo": "video/x-msvideo",
    "image/x-ms-bmp": "image/bmp",
    "image/x-bmp": "image/bmp",
    "application/x-gzip": "application/gzip",
    "image/x-icon": "image/vnd.microsoft.icon",
    "audio/wave": "audio/x-wav",
    "audio/wav": "audio/x-wav",
    "audio/vnd.wave": "audio/x-wav",
    "windows/metafile": "image/wmf",
    "image/x-wmf": "image/wmf",
    "application/x-rar-compressed": "application/vnd.rar",
    "application/x-rar": "application/vnd.rar",
    "audio/mp3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "application/x-zip-compressed": "application/zip",
    "text/xml": "application/xml",
    "application/x-pdf": "application/pdf",
    "audio/x-flac": "audio/flac",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-yaml": "application/yaml",
    "text/yaml": "application/yaml",
    "application/x-javascript": "text/javascript",
    "application/javascript": "text/javascript",
    "application/x-tar-gz": "application/gzip",
    "audio/x-m4a": "audio/mp4",
    "audio/x-midi": "audio/midi",
    "application/font-woff": "font/woff",
    "application/x-font-woff": "font/woff",
    "application/x-font-otf": "font/otf",
    "application/x-font-ttf": "font/ttf",
    "audio/aiff": "audio/x-aiff",
}
