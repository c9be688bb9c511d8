"""Cross-process cache invalidation: generation tokens per (area, township) (issue 14).

Every app process keeps its own `st.cache_data` (components/cached.py, the one cached-read
layer). To stay correct when several processes share one database, a cached read takes, as
part of its key, the tokens of the *areas* of figures it shows for the townships it reaches:

* `cache_tokens` (migration 0007) holds a random token per (area, township_id);
  township_id COUNTY (0) is data of no one township (visit rules, tasks, county targets,
  boundaries, a bulk import), and every reader's key includes it.
* `app_settings['data_generation']` (migration 0002) is the token of *everything*: replaced
  by a database restore and by any write of an entity this module has no line for.
* The single audit mechanism (db/audit.py) notes, from the rows it audits, which (area,
  township) each write can change (`note_rows` for ORM flushes, `note_entity` for
  `audit.record()` write events and bulk writes), and replaces exactly those tokens inside
  the write transaction, just before it commits (`bump`): they commit or roll back with it.
* A page run reads its tokens with one SELECT (`token`); a write committed by process A
  changes them, so process B misses its cache on its next page run — for the figures that
  write can change, not for every page of everyone.
* Entries also expire after config.cache_ttl_s seconds (CAREDESK_CACHE_TTL, default 60 s):
  that bounds how long row-level personal data stays in memory, and covers writes that bypass
  the ORM and the audit log (tools/demo.py bulk load, a restore done by another tool).

Which write feeds which area is decided here and nowhere else (`FEEDS`, `PERSON_LEDGER_ONLY`);
areas/care/status.py asks the same mapping whether a person's change can move the visit rule.

Tokens rather than counters: a restored backup brings old values back, and a counter could
then count up to a number already used as a cache key before the restore.
"""
from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Iterable

from sqlalchemy import bindparam, column, inspect, literal, select, table, text, union_all
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from db.models import Person, Region

KEY = "data_generation"
DIRTY = "caredesk_generation_dirty"  # session.info: the (area, township) keys this transaction bumps
COUNTY = 0
EVERYTHING = ("*", COUNTY)  # the key of app_settings['data_generation']

# Areas of cached figures.
REGISTRY = "registry"  # the ledger's rows as 人员台账 lists them (any column it shows)
PEOPLE = "people"  # who is in the registry, where, in which category (工作台 counts)
CARE = "care"  # visit status, overdue, incident cards, care measures (工作台, the ledger's 最近走访)
INDICATORS = "indicators"  # every indicator figure (指标看板, 乡镇地图 values, slides)
MEETINGS = "meetings"  # joint meetings, member units, tasks (工作台 open tasks)
WORKFORCE = "workforce"  # workers and facilities
REGIONS = "regions"  # township boundaries (乡镇地图 shapes)
AREAS = (REGISTRY, PEOPLE, CARE, INDICATORS, MEETINGS, WORKFORCE, REGIONS)

_PEOPLE = frozenset({REGISTRY, PEOPLE, CARE, INDICATORS})
_CARE = frozenset({REGISTRY, CARE, INDICATORS})
# What a change of each audited entity (Audited.__audit_entity__, or audit.record()'s entity)
# can move. An entity without a line replaces everything (a new model is then correct, if
# slow, until it gets its line; tests/perf/test_cache_areas.py wants a line for every model).
FEEDS: dict[str, frozenset[str]] = {
    "person": _PEOPLE,  # refined per column: person_areas()
    "person_category": _PEOPLE,
    "visit": _CARE,  # the ledger shows the last visit and the overdue state
    "assessment": _CARE,
    "visit_rule": _CARE,
    "assessment_round": frozenset({CARE, INDICATORS}),
    "guardian": frozenset({REGISTRY, INDICATORS}),  # 监护落实率
    "helper": frozenset({REGISTRY, INDICATORS}),  # 帮扶责任人落实率
    "assignment": frozenset({REGISTRY, INDICATORS}),
    "care_measure": frozenset({REGISTRY, CARE}),
    "incident_card": frozenset({CARE, INDICATORS}),
    "worker": frozenset({WORKFORCE, INDICATORS}),
    "facility": frozenset({WORKFORCE, INDICATORS}),
    "school_stat": frozenset({INDICATORS}),
    "target": frozenset({INDICATORS}),
    "indicator_month": frozenset({INDICATORS}),  # the audited recompute of a closed month
    "unit": frozenset({MEETINGS}),
    "unit_member": frozenset({MEETINGS}),
    "meeting": frozenset({MEETINGS}),
    "task": frozenset({MEETINGS, INDICATORS}),  # 任务按期办结率
    "task_update": frozenset({MEETINGS, INDICATORS}),
    "task_event": frozenset({MEETINGS, INDICATORS}),
    "region_boundary": frozenset({REGIONS}),
    "ledger_touch": frozenset({INDICATORS}),  # a new month in a file's ledger history: 台账月度更新率
    "user": frozenset(),  # accounts feed no cached figure
}

# Person columns that only the ledger's own rows show (联系电话, 备注, the case notes, the
# address, the name): no visit rule, indicator or map reads them. Any other column of a
# person (status, township, village, category-relevant dates, difficulty …) feeds the whole
# of _PEOPLE; 台账月度更新率 follows the ledger history ("ledger_touch").
PERSON_LEDGER_ONLY = frozenset({
    "name", "phone", "address", "notes", "family_situation", "living_situation", "parents_status",
    "school_situation", "health_situation", "psychological_situation",
})
_STAMPS = frozenset({"version", "updated_at", "updated_by", "created_at", "created_by"})


def person_areas(person: Person, changed: Iterable[str] | None) -> frozenset[str]:
    """The areas a change of `person` can move; `changed` = the changed columns, None for a
    new or deleted person."""
    if changed is None:
        return _PEOPLE
    changed = set(changed)
    if changed - PERSON_LEDGER_ONLY - _STAMPS - {"reviewed_on"}:
        return _PEOPLE
    if not changed:
        return frozenset()
    # The ledger rows carry the version the next quick edit is checked against; 最近核查 is also
    # shown by the indicators' shortfall lists. Whether the edit moves 台账月度更新率 is the
    # ledger history's to say: areas/registry/ledger.py notes "ledger_touch" when it records a
    # month the person was not counted in yet.
    if "reviewed_on" in changed:
        return frozenset({REGISTRY, INDICATORS})
    return frozenset({REGISTRY})


def changed_columns(obj) -> set[str]:
    """The column attributes of `obj` with pending or just-flushed changes (attribute history)."""
    state = inspect(obj)
    return {a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()}


def areas_of(obj, changed: Iterable[str] | None) -> frozenset[str]:
    """The areas a write of the audited `obj` can move (`changed` None: inserted or deleted)."""
    if isinstance(obj, Person):
        return person_areas(obj, changed)
    return FEEDS.get(type(obj).__audit_entity__ or type(obj).__tablename__, frozenset({EVERYTHING[0]}))


# ---------------------------------------------------------------- where a row belongs
def _values(obj, attr: str) -> list:
    """The attribute's current value and, if it changed, its previous one."""
    hist = inspect(obj).attrs[attr].history
    return [v for v in (*hist.added, *hist.unchanged, *hist.deleted) if v is not None]


def _townships(session: Session, objs: list) -> dict[int, set[int]]:
    """id(obj) → the townships whose figures it belongs to (old and new, if it moved):
    its township_id, else its person's, else its region's; COUNTY when it has none."""
    out: dict[int, set[int]] = {}
    people: dict[int, list] = {}
    regions: dict[int, list] = {}
    for obj in objs:
        found: set[int] = set()
        if hasattr(obj, "township_id"):
            found.update(_values(obj, "township_id"))
        elif hasattr(obj, "person_id"):
            for pid in _values(obj, "person_id"):
                people.setdefault(pid, []).append(obj)
        elif hasattr(obj, "region_id"):
            for rid in _values(obj, "region_id"):
                regions.setdefault(rid, []).append(obj)
        out[id(obj)] = found
    if people:
        known = {}
        for pid in people:  # usually loaded by the service already: no SELECT
            p = session.identity_map.get(inspect(Person).identity_key_from_primary_key((pid,)))
            if p is not None and p.township_id is not None:
                known[pid] = p.township_id
        missing = [pid for pid in people if pid not in known]
        if missing:
            known.update(session.connection().execute(
                select(Person.id, Person.township_id).where(Person.id.in_(missing))).all())
        for pid, objs_ in people.items():
            for obj in objs_:
                if pid in known:
                    out[id(obj)].add(known[pid])
    if regions:
        rows = session.connection().execute(
            select(Region.id, Region.level, Region.parent_id).where(Region.id.in_(list(regions)))).all()
        town = {rid: (parent if level == "village" else rid if level == "township" else COUNTY)
                for rid, level, parent in rows}
        for rid, objs_ in regions.items():
            for obj in objs_:
                out[id(obj)].add(town.get(rid, COUNTY) or COUNTY)
    return {k: v or {COUNTY} for k, v in out.items()}


# ---------------------------------------------------------------- noted by the audit mechanism
def _note(session: Session, keys: Iterable[tuple[str, int]]) -> None:
    session.info.setdefault(DIRTY, set()).update(keys)


def note_rows(session: Session, rows: list[tuple[object, Iterable[str] | None]]) -> None:
    """(obj, changed columns or None) for each audited row of a flush."""
    where = _townships(session, [obj for obj, _ in rows])
    keys = set()
    for obj, changed in rows:
        for area in areas_of(obj, changed):
            if area == EVERYTHING[0]:
                keys.add(EVERYTHING)
            else:
                keys.update((area, t) for t in where[id(obj)])
    _note(session, keys)


def note_entity(session: Session, entity: str | None, township_id: int | None = None) -> None:
    """A write below the ORM (audit.record() event, bulk statements): its entity's areas,
    in `township_id` or else county-wide; everything for an entity without a line."""
    areas = FEEDS.get(entity or "")
    if areas is None:
        _note(session, [EVERYTHING])
    else:
        _note(session, [(a, township_id or COUNTY) for a in areas])


# ---------------------------------------------------------------- tokens
_TOKENS = table("cache_tokens", column("area"), column("township_id"), column("token"))
_SETTINGS = table("app_settings", column("key"), column("value"))
_BUMP_ALL = text("UPDATE app_settings SET value = :v, updated_at = CURRENT_TIMESTAMP WHERE key = :k")
# Portable upsert: SQLite ≥ 3.24 and PostgreSQL share the syntax.
_BUMP = text("INSERT INTO cache_tokens (area, township_id, token) VALUES (:a, :t, :v) "
             "ON CONFLICT (area, township_id) DO UPDATE SET token = excluded.token")


def bump(conn: Connection | Session, keys: Iterable[tuple[str, int]] | None) -> None:
    """Replace the tokens of `keys` in the caller's transaction, in one order (writers never
    wait on each other's rows crosswise). EVERYTHING replaces app_settings['data_generation']."""
    keys = sorted(set(keys or ()))
    if not keys:
        return
    if EVERYTHING in keys:
        conn.execute(_BUMP_ALL, {"v": uuid.uuid4().hex, "k": KEY})
        keys.remove(EVERYTHING)
    if keys:
        conn.execute(_BUMP, [{"a": a, "t": t, "v": uuid.uuid4().hex} for a, t in keys])


@functools.lru_cache(maxsize=32)
def _token_query(areas: tuple[str, ...], one: bool):
    tokens = select(_TOKENS.c.area, _TOKENS.c.township_id, _TOKENS.c.token).where(
        _TOKENS.c.area.in_(areas))
    if one:
        tokens = tokens.where(_TOKENS.c.township_id.in_([COUNTY, bindparam("t")]))
    return union_all(select(literal("*"), literal(COUNTY), _SETTINGS.c.value).where(_SETTINGS.c.key == KEY), tokens)


def token(bind: Engine | Connection | Session, areas: Iterable[str], township_id: int | None = None) -> str:
    """The key of a read of `areas` — for one township's figures, or (None) every township's:
    one SELECT over the tokens it depends on, everything's included."""
    stmt = _token_query(tuple(sorted(areas)), township_id is not None)
    params = {} if township_id is None else {"t": township_id}
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            rows = conn.execute(stmt, params).all()
    else:
        rows = bind.execute(stmt, params).all()
    return hashlib.blake2b(repr(sorted(tuple(r) for r in rows)).encode(), digest_size=16).hexdigest()
