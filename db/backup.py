"""Consistent online backups while the app is in use (issue 8 §5).

SQLite: the sqlite3 online backup API (one step, so the copy is one read snapshot even
while others write; a live file is never copied byte by byte). PostgreSQL: `pg_dump -Fc`
run on a snapshot exported from an open REPEATABLE READ transaction, so the per-table
row counts and checksums in the manifest describe exactly what the dump holds.

Each backup is a timestamped file under settings.backup_dir plus `<file>.json`, a
manifest with per-table row counts and checksums that `python -m db.restore` checks
after restoring. The last backup is recorded in app_settings and in the audit log.

CLI: python -m db.backup [--dest DIR] [--database-url URL] [--keep-days N]
"""
from __future__ import annotations

import argparse
import datetime as dt
import decimal
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from db import audit
from db.models import AppSetting, utcnow

LAST_BACKUP_KEY = "last_backup"
PG_DUMP = shutil.which("pg_dump") or "/usr/bin/pg_dump"
PG_RESTORE = shutil.which("pg_restore") or "/usr/bin/pg_restore"
_NAME_RE = re.compile(r"^caredesk-(\d{8}-\d{6}(?:-\d+)?)\.(sqlite3|dump)$")


class BackupError(Exception):
    """A backup or restore that could not be done; str(e) is a Chinese message."""


# ---------------------------------------------------------------- fingerprints
def _canon(value):
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def table_fingerprints(conn, only_first: dict[str, int] | None = None) -> dict[str, dict]:
    """{table: {"rows": n, "sha256": hex}} over every table, rows in primary-key order.

    `only_first` limits a table to its first n rows (e.g. audit_log as it was at backup
    time, before the restore itself was recorded)."""
    insp = inspect(conn)
    out: dict[str, dict] = {}
    for name in sorted(insp.get_table_names()):
        table = Table(name, MetaData(), autoload_with=conn)
        cols = list(table.columns)
        pk = list(table.primary_key.columns) or cols
        stmt = select(*cols).order_by(*pk)
        if only_first and name in only_first:
            stmt = stmt.limit(only_first[name])
        h = hashlib.sha256()
        n = 0
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(stmt)
        for row in result:
            h.update(json.dumps([_canon(v) for v in row], ensure_ascii=False, default=str).encode())
            h.update(b"\n")
            n += 1
        out[name] = {"rows": n, "sha256": h.hexdigest()}
    return out


def compare(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """Chinese descriptions of every table that differs; empty when identical."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        e, a = expected.get(name), actual.get(name)
        if e is None:
            problems.append(f"多出数据表 {name}")
        elif a is None:
            problems.append(f"缺少数据表 {name}")
        elif e["rows"] != a["rows"]:
            problems.append(f"{name}: 行数 {a['rows']}，应为 {e['rows']}")
        elif e["sha256"] != a["sha256"]:
            problems.append(f"{name}: 内容校验值不一致")
    return problems


# ---------------------------------------------------------------- helpers
def libpq_url(url) -> tuple[str, dict]:
    """A postgresql:// URL for pg_dump/pg_restore, the password moved to PGPASSWORD."""
    u = make_url(str(url) if not hasattr(url, "render_as_string") else url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    u = u.set(drivername="postgresql", password=None)
    return u.render_as_string(hide_password=False), env


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o700)  # backups hold every person's file
    except OSError:
        pass
    return path


def _stamp(now: dt.datetime, dest: Path, suffix: str) -> str:
    base = f"caredesk-{now:%Y%m%d-%H%M%S}"
    name, i = f"{base}.{suffix}", 1
    while (dest / name).exists():
        name = f"{base}-{i}.{suffix}"
        i += 1
    return name


# ---------------------------------------------------------------- backup
@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest_path: Path
    manifest: dict


def sqlite_copy(src: sqlite3.Connection, dst: sqlite3.Connection, journal_mode: str, failure: str) -> None:
    """Copy a whole SQLite database with the online backup API (pages=-1: one step, so one
    consistent snapshot, or an atomic replacement of the target), then check the copy.
    Closes both connections; raises BackupError(failure: …) when the check fails."""
    try:
        src.backup(dst)
        dst.execute(f"PRAGMA journal_mode={journal_mode}")
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if ok != "ok":
        raise BackupError(f"{failure}：{ok}")


def _snapshot(conn) -> dict:
    """The manifest's view of one consistent read: per-table fingerprints, and the audit
    hash chain's anchor (count, head), kept outside the database so a later rewrite of the
    whole chain is found by `python -m db.audit_verify --manifest`."""
    chain = audit.anchor(conn)
    return {"tables": table_fingerprints(conn),
            "audit_chain": None if chain is None else {"count": chain[0], "head": chain[1]}}


def _backup_sqlite(engine: Engine, out: Path) -> dict:
    src_path = engine.url.database
    if not src_path or src_path == ":memory:":
        raise BackupError("内存数据库无法备份")
    src = sqlite3.connect(src_path, timeout=30)
    src.execute("PRAGMA busy_timeout=30000")
    # A self-contained file (journal DELETE: no -wal beside it).
    sqlite_copy(src, sqlite3.connect(out), "DELETE", "备份文件完整性检查失败")
    copy = create_engine(f"sqlite:///{out}")
    try:
        with copy.connect() as conn:
            return _snapshot(conn)
    finally:
        copy.dispose()


def _backup_postgresql(engine: Engine, out: Path) -> dict:
    url, env = libpq_url(engine.url)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            # The transaction stays open while pg_dump runs on the very same snapshot.
            proc = subprocess.run(
                [PG_DUMP, "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(out), url],
                env=env, capture_output=True, text=True,
            )
            if proc.returncode != 0:
                raise BackupError(f"pg_dump 失败：{proc.stderr.strip()[:500]}")
            return _snapshot(conn)


def make_backup(engine: Engine, dest: Path | None = None, actor=None, now: dt.datetime | None = None) -> BackupResult:
    """Back the database up while it is in use; records the result (or failure) in
    app_settings and the audit log."""
    from db import config
    from db.engine import session_scope

    now = now or utcnow()
    dest = _private_dir(Path(dest or config.load().backup_dir))
    pg = engine.dialect.name == "postgresql"
    name = _stamp(now.astimezone(), dest, "dump" if pg else "sqlite3")
    final = dest / name
    fd, tmp_name = tempfile.mkstemp(prefix=".partial-", dir=dest)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if not pg:
            tmp.unlink()  # sqlite3 creates the file itself
        snap = _backup_postgresql(engine, tmp) if pg else _backup_sqlite(engine, tmp)
        tables = snap["tables"]
        os.chmod(tmp, 0o600)
        manifest = {
            "format": "pg_dump" if pg else "sqlite",
            "file": name,
            "created_at": now.isoformat(),
            "database": _safe_url(engine),
            "size": tmp.stat().st_size,
            "sha256": _sha256_file(tmp),
            "tables": tables,
            "audit_chain": snap["audit_chain"],
        }
        tmp.replace(final)  # a partial file never carries a backup name
        manifest_path = final.with_name(name + ".json")
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        os.chmod(manifest_path, 0o600)
    except BaseException as e:
        tmp.unlink(missing_ok=True)
        try:
            with session_scope(engine, actor=actor) as s:
                audit.record(s, "backup", "database", None, summary=f"备份失败：{e}"[:500], outcome="error")
        except Exception:  # noqa: BLE001 - the original error matters more
            pass
        if isinstance(e, BackupError):
            raise
        if isinstance(e, Exception):
            raise BackupError(f"备份失败：{e}") from e
        raise
    people = tables.get("people", {}).get("rows", 0)
    summary = f"{name}，{manifest['size'] / 1024 / 1024:.1f}MB，人员 {people} 条"
    with session_scope(engine, actor=actor) as s:
        info = {"at": now.isoformat(), "file": name, "size": manifest["size"], "people": people,
                "by": getattr(actor, "username", None) or "system"}
        row = s.get(AppSetting, LAST_BACKUP_KEY)
        if row is None:
            s.add(AppSetting(key=LAST_BACKUP_KEY, value=json.dumps(info, ensure_ascii=False)))
        else:
            row.value = json.dumps(info, ensure_ascii=False)
        audit.record(s, "backup", "database", name, summary=summary)
    return BackupResult(final, manifest_path, manifest)


# ---------------------------------------------------------------- listing and pruning
@dataclass(frozen=True)
class BackupFile:
    name: str
    path: Path
    created_at: dt.datetime
    size: int
    people: int | None
    verified: bool  # a manifest sits beside it


def list_backups(dest: Path | None = None) -> list[BackupFile]:
    """Backups in `dest`, newest first."""
    from db import config

    dest = Path(dest or config.load().backup_dir)
    if not dest.is_dir():
        return []
    out = []
    for p in dest.iterdir():
        if not _NAME_RE.match(p.name) or not p.is_file():
            continue
        manifest = p.with_name(p.name + ".json")
        people = None
        created = dt.datetime.fromtimestamp(p.stat().st_mtime, dt.timezone.utc)
        if manifest.exists():
            try:
                m = json.loads(manifest.read_text("utf-8"))
                people = m.get("tables", {}).get("people", {}).get("rows")
                created = dt.datetime.fromisoformat(m["created_at"])
            except (ValueError, KeyError, OSError):
                pass
        out.append(BackupFile(p.name, p, created, p.stat().st_size, people, manifest.exists()))
    return sorted(out, key=lambda b: b.created_at, reverse=True)


def prune(dest: Path, keep_days: int, now: dt.datetime | None = None) -> list[str]:
    """Delete backups older than keep_days, but never the newest one."""
    now = now or utcnow()
    backups = list_backups(dest)
    removed = []
    for b in backups[1:]:
        if now - b.created_at > dt.timedelta(days=keep_days):
            b.path.unlink(missing_ok=True)
            b.path.with_name(b.name + ".json").unlink(missing_ok=True)
            removed.append(b.name)
    return removed


def main(argv: list[str] | None = None) -> int:
    from db import config
    from db.engine import get_engine
    from db.migrate import upgrade

    p = argparse.ArgumentParser(prog="python -m db.backup", description="在线备份数据库（可在系统使用中执行）")
    p.add_argument("--dest", type=Path, help="备份目录（默认 CAREDESK_BACKUP_DIR 或 data/backups）")
    p.add_argument("--database-url", help="数据库（默认 DATABASE_URL）")
    p.add_argument("--keep-days", type=int, help="删除早于该天数的旧备份（始终保留最新一份）")
    args = p.parse_args(argv)
    engine = get_engine(args.database_url or config.load().database_url)
    upgrade(engine)
    import getpass

    try:
        result = make_backup(engine, args.dest, actor=f"cli:{getpass.getuser()}"[:64])
    except BackupError as e:
        print(str(e), file=sys.stderr)
        return 1
    total = sum(t["rows"] for t in result.manifest["tables"].values())
    print(f"备份完成：{result.path}（{result.manifest['size']} 字节，{len(result.manifest['tables'])} 张表，共 {total} 行）")
    if args.keep_days:
        for name in prune(result.path.parent, args.keep_days):
            print(f"已删除过期备份：{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
