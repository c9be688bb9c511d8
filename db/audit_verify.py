"""Check the audit log's hash chain (written by db/audit.py) and report the first broken row.

    python -m db.audit_verify [--database-url URL] [--manifest BACKUP.json …]

Walks audit_log in id order: each row's prev_hash must be the previous row's row_hash and its
row_hash must match its content. Then the chain's end must match the anchor (row count and
head hash in app_settings) — so removing the newest rows or every row (TRUNCATE) is found too.
A backup manifest (db/backup.py) holds the anchor as it was at backup time, outside the
database: with --manifest the chain must still contain that row with that hash.
Exit status 0: intact; 1: tampering found.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from db.audit import GENESIS, anchor, row_hash
from db.models import AuditLog

_COLUMNS = (AuditLog.id, AuditLog.ts, AuditLog.username, AuditLog.role, AuditLog.action, AuditLog.entity,
            AuditLog.entity_id, AuditLog.summary, AuditLog.changes, AuditLog.outcome,
            AuditLog.prev_hash, AuditLog.row_hash)
_BATCH = 5000


@dataclass(frozen=True)
class ChainReport:
    checked: int  # rows read
    problem: str | None = None  # Chinese, names the first broken row
    broken_id: int | None = None  # that row's id (None: the break is at the end or in the anchor)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def message(self) -> str:
        if self.ok:
            return f"审计日志完整性：已校验 {self.checked} 条，未发现篡改"
        return f"审计日志完整性校验失败：{self.problem}"


def _describe(row) -> str:
    ts = row.ts.strftime("%Y-%m-%d %H:%M:%S UTC") if row.ts else "-"
    return f"第 {row.id} 号记录（{ts}，{row.username or '-'}，{row.action}）"


def verify(conn, expected: list[tuple[int, str]] = ()) -> ChainReport:
    """`conn` a Connection or Session. `expected`: (count, head) anchors kept elsewhere
    (backup manifests): row number `count` of the chain must have hash `head`."""
    want = {int(n): h for n, h in expected if n}
    prev, n, last_id = GENESIS, 0, None
    while True:
        stmt = select(*_COLUMNS).order_by(AuditLog.id).limit(_BATCH)
        if last_id is not None:
            stmt = stmt.where(AuditLog.id > last_id)
        rows = conn.execute(stmt).all()
        for row in rows:
            if not row.row_hash or not row.prev_hash:
                return ChainReport(n, f"{_describe(row)}没有哈希，未经审计机制写入", row.id)
            if row.prev_hash != prev:
                return ChainReport(n, f"{_describe(row)}与上一条记录接不上：之前的记录被删除、替换或插入", row.id)
            if row_hash(row._mapping, prev) != row.row_hash:
                return ChainReport(n, f"{_describe(row)}的内容与其哈希不符：记录被修改或伪造", row.id)
            prev, n = row.row_hash, n + 1
            if n in want and want.pop(n) != prev:
                return ChainReport(n, f"{_describe(row)}与备份清单记下的哈希不符：审计日志被改写", row.id)
        if len(rows) < _BATCH:
            break
        last_id = rows[-1].id
    head = anchor(conn)
    if head is None:
        if n:
            return ChainReport(n, "缺少哈希链锚点（app_settings 中的 audit_chain）")
    else:
        count, head_hash = head
        if n < count:
            return ChainReport(n, f"审计日志应有 {count} 条，现只有 {n} 条：最新的 {count - n} 条记录被删除或日志被清空")
        if n > count:
            return ChainReport(n, f"审计日志应有 {count} 条，现有 {n} 条：末尾有未经审计机制写入的记录")
        if prev != head_hash:
            return ChainReport(n, "最新一条记录与哈希链锚点不符：末尾的记录被替换")
    if want:
        count = min(want)
        return ChainReport(n, f"备份清单记下 {count} 条审计记录，现只有 {n} 条：记录被删除或日志被清空")
    return ChainReport(n)


def manifest_anchor(path: Path) -> tuple[int, str] | None:
    """The anchor a backup manifest recorded (db/backup.py), if any."""
    chain = json.loads(Path(path).read_text("utf-8")).get("audit_chain")
    return (int(chain["count"]), str(chain["head"])) if chain else None


def main(argv: list[str] | None = None) -> int:
    from db import config
    from db.engine import get_engine

    p = argparse.ArgumentParser(prog="python -m db.audit_verify", description="校验审计日志的哈希链，报告第一条被篡改的记录")
    p.add_argument("--database-url", help="数据库（默认 DATABASE_URL）")
    p.add_argument("--manifest", type=Path, action="append", default=[],
                   help="备份清单（备份文件旁的 .json），核对其中记下的审计日志锚点；可多次给出")
    args = p.parse_args(argv)
    expected = [a for a in (manifest_anchor(m) for m in args.manifest) if a]
    engine = get_engine(args.database_url or config.load().database_url)
    with engine.connect() as conn:
        report = verify(conn, expected)
    print(report.message(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
