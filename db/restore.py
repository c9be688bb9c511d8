"""Restore a backup made by `python -m db.backup` into a fresh (empty) database.

    python -m db.restore FILE [--database-url URL] [--force]

A target that already holds data is refused unless --force (then it is replaced).
After restoring, every table's row count and checksum is compared with the backup's
manifest and the audit log's hash chain is verified against the anchor the manifest kept;
the restore is then recorded in the restored database's audit log.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.engine import make_url

from db import audit
from db.backup import PG_RESTORE, BackupError, compare, libpq_url, sqlite_copy, table_fingerprints
from db.engine import make_engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


@dataclass
class RestoreResult:
    target: str
    tables: dict  # fingerprints of the restored database, before the restore was audited
    problems: list[str] = field(default_factory=list)  # differences from the manifest
    manifest: dict | None = None


def backup_format(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "pg_dump"
    raise BackupError(f"无法识别的备份文件：{path.name}")


def row_total(engine: Engine) -> tuple[int, int]:
    """(tables, rows) in the target, alembic_version not counted."""
    with engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        rows = sum(conn.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names)
    return len(names), rows


def _restore_sqlite(path: Path, engine: Engine) -> None:
    target = engine.url.database
    if not target or target == ":memory:":
        raise BackupError("恢复目标须是一个 SQLite 文件")
    engine.dispose()
    sqlite_copy(sqlite3.connect(f"file:{path}?mode=ro", uri=True), sqlite3.connect(target, timeout=30), "WAL",
                "恢复后的数据库完整性检查失败")


def _restore_postgresql(path: Path, engine: Engine, clean: bool) -> None:
    url, env = libpq_url(engine.url)
    engine.dispose()
    cmd = [PG_RESTORE, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "-d", url]
    if clean:
        cmd[1:1] = ["--clean", "--if-exists"]
    proc = subprocess.run(cmd + [str(path)], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"pg_restore 失败：{proc.stderr.strip()[:800]}")


def restore(path: Path, database_url: str, force: bool = False, actor: str | None = None) -> RestoreResult:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    fmt = backup_format(path)
    engine = make_engine(database_url)
    dialect = engine.dialect.name
    if (fmt == "sqlite") != (dialect == "sqlite"):
        raise BackupError(f"备份格式（{fmt}）与目标数据库（{dialect}）不匹配")
    manifest_path = path.with_name(path.name + ".json")
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists() else None
    try:
        tables, rows = row_total(engine)
        if rows and not force:
            raise BackupError(
                f"目标数据库不是空库（{tables} 张表，{rows} 行数据），已拒绝恢复。确认要覆盖请加 --force。"
            )
        if fmt == "sqlite":
            _restore_sqlite(path, engine)
        else:
            _restore_postgresql(path, engine, clean=tables > 0)
        with engine.connect() as conn:
            actual = table_fingerprints(conn)
        problems = compare(manifest["tables"], actual) if manifest else []
        if manifest and manifest.get("audit_chain"):  # the restored log must still verify
            from db.audit_verify import verify

            chain = manifest["audit_chain"]
            with engine.connect() as conn:
                report = verify(conn, [(chain["count"], chain["head"])])
            if not report.ok:
                problems.append(report.message())
        from db.engine import session_scope

        with session_scope(engine, actor=actor or f"cli:{getpass.getuser()}"[:64]) as s:
            audit.record(
                s, "restore", "database", path.name,
                summary=("从备份恢复，校验一致" if manifest and not problems else
                         "从备份恢复，无清单未校验" if not manifest else "从备份恢复，校验不一致：" + "；".join(problems)),
                outcome="ok" if not problems else "error",
            )
        return RestoreResult(make_url(database_url).render_as_string(hide_password=True), actual, problems, manifest)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    from db import config

    p = argparse.ArgumentParser(prog="python -m db.restore", description="从备份文件恢复数据库（恢复到空库）")
    p.add_argument("file", type=Path, help="python -m db.backup 生成的备份文件")
    p.add_argument("--database-url", help="恢复目标（默认 DATABASE_URL）")
    p.add_argument("--force", action="store_true", help="目标库已有数据时仍覆盖")
    args = p.parse_args(argv)
    url = args.database_url or config.load().database_url
    try:
        result = restore(args.file, url, args.force)
    except BackupError as e:
        print(str(e), file=sys.stderr)
        return 2
    total = sum(t["rows"] for t in result.tables.values())
    if result.problems:
        print("恢复完成，但与备份清单不一致：", file=sys.stderr)
        for line in result.problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    check = "与备份清单逐表核对一致" if result.manifest else "未找到备份清单，未核对"
    print(f"恢复完成：{result.target}（{len(result.tables)} 张表，共 {total} 行，{check}）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
