"""Benchmark of the 人员台账 quick edit save (issue 14 item 4): server time of one row's
联系电话 / 备注 save, as components/action.run_action runs it (one write transaction:
areas/registry/writes.save_quick_edits, then commit with the audit chain and the cache
tokens), and the uncached re-read of the page the user is looking at after it.

    DATABASE_URL=sqlite:////tmp/bench/p200000.db .venv/bin/python bench/quick_edit.py
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench200k .venv/bin/python bench/quick_edit.py

Samples are interleaved (phone save, notes save, page re-read, … in one loop, after one
warm-up round) so a busy machine slows every column alike; prints median and min–max per
column and the load average. --profile N prints where one save spends its time (cProfile,
cumulative). The database must be filled (tools.demo) and migrated; it is not migrated here
(run the app or `python -m db.migrate` first). Each sample edits another person of one
township, with a new phone number / note each time: tiny, harmless edits. --visits also
times recording a visit (the visit rule's stored status is refreshed in the same
transaction): it adds visits, so use it on a copy of your own.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CAREDESK_DEMO", "0")


def _spread(xs: list[float]) -> str:
    ms = sorted(x * 1000 for x in xs)
    return f"{statistics.median(ms):8.1f} ms  ({ms[0]:.1f}–{ms[-1]:.1f}, n={len(ms)})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--profile", type=int, default=0, help="profile this many extra saves")
    ap.add_argument("--visits", action="store_true",
                    help="also time saving one visit (adds visits: only on a database of your own)")
    args = ap.parse_args(argv)
    if not args.database_url:
        ap.error("--database-url or DATABASE_URL")
    os.environ["DATABASE_URL"] = args.database_url

    from sqlalchemy import select

    from core.roles import Actor
    from db.engine import get_engine, session_scope
    from db.models import Person, Region
    from areas.care import writes as care
    from areas.registry import reads as rq
    from areas.registry import writes as svc

    engine = get_engine(args.database_url)
    today = dt.date.today()
    office = Actor("bench-office", "office")
    with session_scope(engine, write=False) as s:
        tid = s.scalar(select(Region.id).where(Region.level == "township").order_by(Region.sort_order, Region.id))
        ids = list(s.scalars(select(Person.id).where(Person.township_id == tid, Person.status == "在册")
                             .order_by(Person.id).limit(args.runs + args.profile + 2)))
    town = Actor("bench-town", "township", township_id=tid)

    def save(pid: int, field: str, k: int) -> float:
        n = time.time_ns() // 1000  # a new value every time: an unchanged cell saves nothing
        value = f"139{n % 10**8:08d}" if field == "phone" else f"基准测试备注{n}"
        t = time.perf_counter()
        with session_scope(engine, actor=office) as s:
            version = s.scalar(select(Person.version).where(Person.id == pid))
            svc.save_quick_edits(s, office, [svc.RowEdit(pid, version, {field: value})], today=today)
        return time.perf_counter() - t

    def visit(pid: int) -> float:
        t = time.perf_counter()
        with session_scope(engine, actor=office) as s:
            care.record_visit(s, office, person_id=pid, visited_on=today, helper_id=None, service_types=["精神陪伴"])
        return time.perf_counter() - t

    def reread(actor: Actor) -> float:
        t = time.perf_counter()
        with session_scope(engine, write=False) as s:
            rq.page(s, actor, rq.RegistryFilter(), 0, today=today)
        return time.perf_counter() - t

    cols: dict[str, list[float]] = {"save 联系电话": [], "save 备注": [], "re-read page (township)": [],
                                    "re-read page (office)": []}
    if args.visits:
        cols["save 走访 (visit)"] = []
    for k in range(args.runs + 1):  # round 0 is the warm-up
        pid = ids[k % len(ids)]
        row = (save(pid, "phone", k), save(pid, "notes", k), reread(town), reread(office))
        if args.visits:
            row += (visit(pid),)
        if k:
            for name, x in zip(cols, row):
                cols[name].append(x)
    print(f"{engine.dialect.name}  people in township {tid}: sampled {len(ids)}  "
          f"loadavg {open('/proc/loadavg').read().split()[:3]}")
    for name, xs in cols.items():
        print(f"  {name:26s} {_spread(xs)}")
    if args.profile:
        prof = cProfile.Profile()
        for k in range(args.profile):
            pid = ids[(args.runs + 1 + k) % len(ids)]
            prof.enable()
            save(pid, "phone", k)
            prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
