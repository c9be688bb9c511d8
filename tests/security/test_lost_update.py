"""No lost update: 8 threads, each with its own database sessions, save 200 quick edits
on 50 shared people through the same service function the 人员台账 page calls
(areas.registry.writes.save_quick_edits with the version the page loaded)."""
import threading
from collections import defaultdict

from sqlalchemy import select

from db.engine import session_scope
from db.models import AuditLog, Person
from db.errors import ConflictError
from areas.registry import writes as people
from tests import factories as f

THREADS, ROUNDS, PEOPLE = 8, 25, 50  # 8 × 25 = 200 edits


def test_concurrent_quick_edits_never_lose_an_update(engine):
    with session_scope(engine) as s:
        ids = f.county(s)
        tw1 = f.account(s, "tw1", "township", township_id=ids["T1"])
        pids = [f.person(s, ids["T1"], ids["V11"], phone="13800000000").id for _ in range(PEOPLE)]
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    accepted: list[tuple[int, int, str]] = []  # (person, version it was based on, phone)
    refused: list[tuple[int, str]] = []
    other_errors: list[BaseException] = []

    def worker(t: int) -> None:
        for r in range(ROUNDS):
            edit_no = r * THREADS + t
            pid = pids[(r * 4 + t // 2) % PEOPLE]  # two threads on the same person every round
            phone = f"137{edit_no:08d}"
            try:
                with session_scope(engine, write=False) as s:  # the page loads the table
                    version = s.scalar(select(Person.version).where(Person.id == pid))
                barrier.wait(timeout=60)  # both editors have loaded before either saves
                with session_scope(engine, actor=tw1) as s:  # the page saves the edit
                    n = people.save_quick_edits(s, tw1, [people.RowEdit(pid, version, {"phone": phone})])
                assert n == 1
                with lock:
                    accepted.append((pid, version, phone))
            except ConflictError:
                with lock:
                    refused.append((pid, phone))
            except BaseException as e:  # noqa: BLE001
                with lock:
                    other_errors.append(e)
                barrier.abort()
                return

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(300)
    assert not other_errors, other_errors[:3]
    assert len(accepted) + len(refused) == THREADS * ROUNDS == 200
    assert refused, "the schedule puts two editors on one person: some saves must be refused"
    assert len(accepted) >= 100  # one of each pair always wins

    with session_scope(engine, write=False) as s:
        final = {p.id: (p.phone, p.version) for p in s.scalars(select(Person).where(Person.id.in_(pids)))}
        updates = s.scalars(select(AuditLog).where(AuditLog.entity == "person", AuditLog.action == "update",
                                                   AuditLog.username == "tw1")).all()
    by_person = defaultdict(list)
    for pid, version, phone in accepted:
        by_person[pid].append((version, phone))
    for pid in pids:
        edits = sorted(by_person[pid])
        # accepted edits of one person form one chain 1, 2, 3 … with no version used twice
        assert [v for v, _ in edits] == list(range(1, len(edits) + 1)), (pid, edits)
        expected_phone = edits[-1][1] if edits else "13800000000"
        assert final[pid] == (expected_phone, 1 + len(edits)), pid
    # every accepted edit is in the audit log (masked: 137****NNNN, NNNN unique per edit), none refused is
    logged = sorted((int(r.entity_id), r.changes["phone"][1]) for r in updates)
    assert logged == sorted((pid, f"137****{phone[-4:]}") for pid, _, phone in accepted)
    assert not {f"137****{p[-4:]}" for _, p in refused} & {v for _, v in logged}
