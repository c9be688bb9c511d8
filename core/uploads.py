"""How large an uploaded file may be, per kind of file: the one table.

Every limit is said in Chinese on the page before the upload (`hint`, in the uploader's label
and help), is each st.file_uploader's `max_upload_size` (the uploader shows it and refuses a
larger file before sending it; components/zh.py puts both texts in Chinese), and is checked
again by the service that reads the file (`too_large`, a Chinese refusal). Streamlit's server
limit, `server.maxUploadSize` in .streamlit/config.toml, is `CEILING_MB`, the largest: a file
within its kind's limit never meets Streamlit's English "413" refusal.
tests/security/test_upload_limits.py holds the pieces together."""
from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class UploadKind:
    key: str
    what: str  # 人员台账 / 乡镇边界: the subject of the Chinese messages
    max_bytes: int
    types: tuple[str, ...]  # extensions without the dot, as st.file_uploader takes them

    @property
    def max_mb(self) -> int:
        return self.max_bytes // MB


# A 20,000-row ledger (the row limit) is 1–3 MB as .xlsx or .csv; a county's simplified
# boundaries are a few MB of GeoJSON.
LEDGER = UploadKind("ledger", "台账文件", 5 * MB, ("xlsx", "csv"))
BOUNDARY = UploadKind("boundary", "边界文件", 20 * MB, ("geojson", "json"))
# A county's division list: a few hundred rows; the bureau's whole-province file is ~2 MB.
DIVISIONS = UploadKind("divisions", "区划文件", 5 * MB, ("xlsx", "csv"))
# Rosters and tables of a county (accounts, school statistics …): a few thousand rows at most.
ROSTER = UploadKind("roster", "名单文件", 2 * MB, ("xlsx", "csv"))
KINDS = (LEDGER, BOUNDARY, DIVISIONS, ROSTER)

# Streamlit's server limit (MB), server.maxUploadSize: the largest of ours.
CEILING_MB = max(k.max_mb for k in KINDS)


def size_text(n: int) -> str:
    """A file size as people read it: "7.0 MB", "300 KB" (never "7.00718MB")."""
    return f"{n / MB:.1f} MB" if n >= MB / 10 else f"{n / 1024:.0f} KB"


def hint(kind: UploadKind) -> str:
    """What the page says before the upload, e.g. "单个文件不超过 5 MB"."""
    return f"单个文件不超过 {kind.max_mb} MB"


def help_text(kind: UploadKind) -> str:
    """The uploader's help tooltip: the limit and what to do about a larger file."""
    return (f"{hint(kind)}，格式为 {'、'.join('.' + t for t in kind.types)}。"
            f"超过 {kind.max_mb} MB 的{kind.what}不会被读取，请拆分或精简后再上传。")


def too_large(kind: UploadKind, size: int, max_bytes: int | None = None) -> str | None:
    """The service's Chinese refusal for a file over its kind's limit (or `max_bytes`, for
    tests), else None."""
    limit = kind.max_bytes if max_bytes is None else max_bytes
    if size <= limit:
        return None
    shown = f"{limit // MB} MB" if limit % MB == 0 else size_text(limit)
    return f"文件过大（{size_text(size)}），{kind.what}上限为 {shown}"
