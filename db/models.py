"""The CareDesk data model (DESIGN.md §4), SQLAlchemy 2 typed ORM.

Conventions:
- every editable table carries `version` (optimistic lock: SQLAlchemy adds
  `WHERE version = :old` to each UPDATE and raises StaleDataError on a conflict);
- `Audited` tables are written to `audit_log` by the single mechanism in db/audit.py;
- nothing is hard-deleted from the UI: `SoftDelete` tables carry who/when/why.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from core.clock import utcnow  # noqa: F401  (re-exported: models stamp rows with it)
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from core.categories import ACTIVE

# Stable constraint names so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class Versioned:
    """Optimistic lock: a stale UPDATE matches no row and raises StaleDataError."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # noqa: N805
        return {"version_id_col": cls.version}


class Stamped:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[Optional[str]] = mapped_column(String(64))
    updated_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), onupdate=utcnow)
    updated_by: Mapped[Optional[str]] = mapped_column(String(64))


class SoftDelete:
    deleted_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    deleted_by: Mapped[Optional[str]] = mapped_column(String(64))
    delete_reason: Mapped[Optional[str]] = mapped_column(String(200))


class Audited:
    """Marker: inserts, updates and soft deletes of these rows go to audit_log."""

    __audit_entity__: str = ""


# ---------------------------------------------------------------- regions
class Region(Base):
    __tablename__ = "regions"
    # Audited explicitly, not per flush (its boundary is a large geometry): the division import
    # and maintenance write their rows with db.audit.record_bulk under this entity.
    __audit_entity__ = "region"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16), index=True)  # county / township / village
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("regions.id"), index=True)
    boundary: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)  # GeoJSON geometry, d3 winding
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Optional["Region"]] = relationship(remote_side=[id])


# ---------------------------------------------------------------- people
class Person(Audited, Versioned, Stamped, Base):
    __tablename__ = "people"
    __audit_entity__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str] = mapped_column(String(2))  # 男 / 女, derived from the ID number
    birth_date: Mapped[dt.date] = mapped_column(Date)
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    # township_id duplicates village.parent_id on purpose: it is the scope key of every
    # query a township user makes, so it must be indexable without a join.
    township_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    village_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    address: Mapped[Optional[str]] = mapped_column(String(200))
    difficulty: Mapped[str] = mapped_column(String(8), default="一般")  # 一般 / 特别困难
    status: Mapped[str] = mapped_column(String(8), default=ACTIVE)  # core.categories.STATUSES
    enrolled_on: Mapped[dt.date] = mapped_column(Date)
    exited_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    exit_reason: Mapped[Optional[str]] = mapped_column(String(64))
    family_situation: Mapped[Optional[str]] = mapped_column(Text)
    living_situation: Mapped[Optional[str]] = mapped_column(Text)
    parents_status: Mapped[Optional[str]] = mapped_column(Text)  # 父母或子女动态
    school_situation: Mapped[Optional[str]] = mapped_column(Text)
    health_situation: Mapped[Optional[str]] = mapped_column(Text)
    psychological_situation: Mapped[Optional[str]] = mapped_column(Text)
    notes: Mapped[Optional[str]] = mapped_column(Text)
    reviewed_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # last monthly ledger check

    village: Mapped[Region] = relationship(foreign_keys=[village_id])
    township: Mapped[Region] = relationship(foreign_keys=[township_id])
    categories: Mapped[list["PersonCategory"]] = relationship(back_populates="person")
    guardians: Mapped[list["Guardian"]] = relationship(back_populates="person")

    __table_args__ = (
        Index("ix_people_scope", "township_id", "status", "village_id"),
        Index("ix_people_status_village", "status", "village_id"),  # migration 0008
        Index("ix_people_registry", "township_id", "enrolled_on", "status", "exited_on"),  # migration 0008
        Index("ix_people_name", "name"),
        Index("ix_people_phone", "phone"),
        Index("ix_people_birth", "birth_date"),
    )


class PersonCategory(Audited, Versioned, Stamped, Base):
    __tablename__ = "person_categories"
    __audit_entity__ = "person_category"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    category: Mapped[str] = mapped_column(String(32))
    subtype: Mapped[Optional[str]] = mapped_column(String(32))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # inclusive: the last day it held (db.conditions)

    person: Mapped[Person] = relationship(back_populates="categories")
    __table_args__ = (
        Index("ix_person_categories_person", "person_id", "category"),
        Index("ix_person_categories_category", "category", "person_id"),
        Index("ix_person_categories_cat_cover", "category", "person_id", "start_on", "end_on"),  # 0008
        Index("ix_person_categories_current", "person_id", "category", "start_on", "end_on"),  # 0008
    )


class Guardian(Audited, Versioned, Stamped, SoftDelete, Base):
    __tablename__ = "guardians"
    __audit_entity__ = "guardian"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    relation: Mapped[str] = mapped_column(String(16))
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    id_number: Mapped[Optional[str]] = mapped_column(String(18))
    capacity: Mapped[str] = mapped_column(String(8), default="待评估")  # 有 / 无 / 待评估
    entrusted: Mapped[bool] = mapped_column(Boolean, default=False)
    agreement_signed_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    witnessed_by: Mapped[Optional[str]] = mapped_column(String(64))  # village committee witness

    person: Mapped[Person] = relationship(back_populates="guardians")


class Helper(Audited, Versioned, Stamped, SoftDelete, Base):
    """帮扶责任人."""

    __tablename__ = "helpers"
    __audit_entity__ = "helper"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[Optional[str]] = mapped_column(String(64))  # 职务
    unit: Mapped[Optional[str]] = mapped_column(String(64))
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    township_id: Mapped[Optional[int]] = mapped_column(ForeignKey("regions.id"), index=True)


class Assignment(Audited, Versioned, Stamped, Base):
    """A 帮扶责任人 assigned to a person for [start_on, end_on): end_on is the handover day,
    which belongs to the next helper (db.conditions.assignment_current, the one reader)."""

    __tablename__ = "assignments"
    __audit_entity__ = "assignment"
    id: Mapped[int] = mapped_column(primary_key=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("helpers.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # exclusive: the handover day; NULL = open

    helper: Mapped[Helper] = relationship()
    __table_args__ = (Index("ix_assignments_person", "person_id", "end_on"),
                      Index("ix_assignments_current", "person_id", "start_on", "end_on", "helper_id"))  # 0008


class CareMeasure(Audited, Versioned, Stamped, SoftDelete, Base):
    __tablename__ = "care_measures"
    __audit_entity__ = "care_measure"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    text: Mapped[Optional[str]] = mapped_column(Text)
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[Optional[dt.date]] = mapped_column(Date)


class Visit(Audited, Versioned, Stamped, SoftDelete, Base):
    __tablename__ = "visits"
    __audit_entity__ = "visit"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    helper_id: Mapped[Optional[int]] = mapped_column(ForeignKey("helpers.id"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    findings: Mapped[Optional[str]] = mapped_column(Text)
    problems: Mapped[Optional[str]] = mapped_column(Text)
    follow_up: Mapped[Optional[str]] = mapped_column(Text)
    __table_args__ = (
        Index("ix_visits_person_date", "person_id", "visited_on"),
        Index("ix_visits_date", "visited_on"),
    )


class VisitRule(Audited, Versioned, Stamped, Base):
    """Office-configurable visit frequency per category and difficulty (seed 001)."""

    __tablename__ = "visit_rules"
    __audit_entity__ = "visit_rule"
    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32))  # '*' = every category
    difficulty: Mapped[str] = mapped_column(String(8))  # 一般 / 特别困难
    period: Mapped[str] = mapped_column(String(8))  # month / week
    min_visits: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("category", "difficulty", name="uq_visit_rules_cat_diff"),)


class AssessmentRound(Audited, Versioned, Stamped, Base):
    __tablename__ = "assessment_rounds"
    __audit_entity__ = "assessment_round"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), unique=True)  # 2026-03 / 2026-09
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[Optional[dt.date]] = mapped_column(Date)


class Assessment(Audited, Versioned, Stamped, SoftDelete, Base):
    __tablename__ = "assessments"
    __audit_entity__ = "assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    round_id: Mapped[Optional[int]] = mapped_column(ForeignKey("assessment_rounds.id"))
    period: Mapped[str] = mapped_column(String(7))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    risk_level: Mapped[str] = mapped_column(String(2))  # 低 / 中 / 高
    issues: Mapped[Optional[str]] = mapped_column(Text)
    actions: Mapped[Optional[str]] = mapped_column(Text)
    assessor: Mapped[Optional[str]] = mapped_column(String(64))
    __table_args__ = (
        Index("ix_assessments_person_period", "person_id", "period"),
        Index("ix_assessments_period", "period", "risk_level"),
    )


class IncidentCard(Audited, Versioned, Stamped, SoftDelete, Base):
    """通报处置卡: discovered → reported → referred → handled → closed."""

    __tablename__ = "incident_cards"
    __audit_entity__ = "incident_card"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("people.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    source: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16))
    description: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="discovered")
    discovered_on: Mapped[dt.date] = mapped_column(Date)
    reported_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    referred_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    referred_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id"), index=True)
    deadline: Mapped[Optional[dt.date]] = mapped_column(Date)
    needs_contact: Mapped[bool] = mapped_column(Boolean, default=False)  # unit may see ID/phone
    handled_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    handling: Mapped[Optional[str]] = mapped_column(Text)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[Optional[str]] = mapped_column(String(64))
    resolution: Mapped[Optional[str]] = mapped_column(Text)
    __table_args__ = (Index("ix_incident_cards_scope", "township_id", "status"),)


# ---------------------------------------------------------------- workforce
class Worker(Audited, Versioned, Stamped, SoftDelete, Base):
    __tablename__ = "workers"
    __audit_entity__ = "worker"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # 儿童主任 / 儿童督导员 / 志愿者 / 看护岗
    name: Mapped[str] = mapped_column(String(64))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    appointed_on: Mapped[dt.date] = mapped_column(Date)
    left_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    trained_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    __table_args__ = (Index("ix_workers_kind_region", "kind", "region_id"),)


class Facility(Audited, Versioned, Stamped, SoftDelete, Base):
    __tablename__ = "facilities"
    __audit_entity__ = "facility"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    status: Mapped[str] = mapped_column(String(8), default="运行")  # 运行 / 建设中 / 停用
    standard: Mapped[bool] = mapped_column(Boolean, default=True)  # meets the standard (达标)
    opened_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    __table_args__ = (Index("ix_facilities_kind_region", "kind", "region_id"),)


class SchoolStat(Audited, Versioned, Stamped, Base):
    __tablename__ = "school_stats"
    __audit_entity__ = "school_stat"
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    school_year: Mapped[str] = mapped_column(String(9))  # 2025-2026
    level: Mapped[str] = mapped_column(String(4))  # 小学 / 初中
    enrolled: Mapped[int] = mapped_column(Integer)
    dropouts: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        UniqueConstraint("township_id", "school_year", "level", name="uq_school_stats_key"),
    )


# ---------------------------------------------------------------- joint meeting
class Unit(Audited, Versioned, Stamped, Base):
    """成员单位; the seat belongs to the unit, not the person (seed 004)."""

    __tablename__ = "units"
    __audit_entity__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    short_name: Mapped[str] = mapped_column(String(16))
    duties: Mapped[Optional[str]] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class UnitMember(Audited, Versioned, Stamped, Base):
    __tablename__ = "unit_members"
    __audit_entity__ = "unit_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    person_name: Mapped[str] = mapped_column(String(64))
    title: Mapped[Optional[str]] = mapped_column(String(64))
    seat_role: Mapped[str] = mapped_column(String(8))  # 总召集人 / 召集人 / 成员 / 联络员
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    from_on: Mapped[dt.date] = mapped_column(Date)
    to_on: Mapped[Optional[dt.date]] = mapped_column(Date)


meeting_attendees = Table(
    "meeting_attendees",
    Base.metadata,
    Column("meeting_id", ForeignKey("meetings.id"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
)

task_co_units = Table(
    "task_co_units",
    Base.metadata,
    Column("task_id", ForeignKey("tasks.id"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True, index=True),
)


class Meeting(Audited, Versioned, Stamped, SoftDelete, Base):
    __tablename__ = "meetings"
    __audit_entity__ = "meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # 全体会议 / 联络员会议 / 专题会议
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[Optional[str]] = mapped_column(Text)
    minutes: Mapped[Optional[str]] = mapped_column(Text)

    attendees: Mapped[list[Unit]] = relationship(secondary=meeting_attendees)


class Task(Audited, Versioned, Stamped, SoftDelete, Base):
    """议定事项/督办任务. Status is derived (core.tasks), never stored."""

    __tablename__ = "tasks"
    __audit_entity__ = "task"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[Optional[int]] = mapped_column(ForeignKey("meetings.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[Optional[str]] = mapped_column(Text)
    acceptance: Mapped[Optional[str]] = mapped_column(Text)  # acceptance criterion
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    assigned_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    completion_claimed_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # unit says done
    closed_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # office accepted (销号)
    closed_by: Mapped[Optional[str]] = mapped_column(String(64))

    lead_unit: Mapped[Unit] = relationship(foreign_keys=[lead_unit_id])
    co_units: Mapped[list[Unit]] = relationship(secondary=task_co_units)
    meeting: Mapped[Optional[Meeting]] = relationship()


class TaskUpdate(Audited, Versioned, Stamped, Base):
    __tablename__ = "task_updates"
    __audit_entity__ = "task_update"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    reported_on: Mapped[dt.date] = mapped_column(Date)
    progress: Mapped[int] = mapped_column(Integer)  # percent
    text: Mapped[Optional[str]] = mapped_column(Text)
    __table_args__ = (Index("ix_task_updates_task", "task_id", "reported_on"),)


class TaskEvent(Audited, Versioned, Stamped, Base):
    """Office actions on a task: reminder (催办), accept (销号), return (退回)."""

    __tablename__ = "task_events"
    __audit_entity__ = "task_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # reminder / accept / return / claim
    on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[Optional[str]] = mapped_column(Text)


class Target(Audited, Versioned, Stamped, Base):
    __tablename__ = "targets"
    __audit_entity__ = "target"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_code: Mapped[str] = mapped_column(String(32))
    township_id: Mapped[Optional[int]] = mapped_column(ForeignKey("regions.id"))
    target_value: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        UniqueConstraint("indicator_code", "township_id", name="uq_targets_code_township"),
    )


# ---------------------------------------------------------------- users and audit
class User(Audited, Versioned, Stamped, Base):
    __tablename__ = "users"
    __audit_entity__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))  # admin / office / township / unit / leader
    township_id: Mapped[Optional[int]] = mapped_column(ForeignKey("regions.id"))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    sessions_valid_after: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """Every sign-in attempt; feeds the per-client throttle."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    ts: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[Optional[str]] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (Index("ix_login_attempts_client_ts", "client", "ts"),)


class Presentation(Base):
    """投屏模式 of one sign-in (issue 13): kept on the server so a reload, a page change or an
    edited URL cannot leave it. `login_key` names the sign-in (its cookie's expiry stamp);
    the row lives until the presenter exits, signs out or the sign-in ends, and each end is
    audited (areas/admin/users.py)."""

    __tablename__ = "presentations"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    login_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditLog(Base):
    """Append-only. Written only through db/audit.py."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    ts: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[Optional[str]] = mapped_column(String(64))
    role: Mapped[Optional[str]] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[Optional[str]] = mapped_column(String(32))
    entity_id: Mapped[Optional[str]] = mapped_column(String(64))
    summary: Mapped[Optional[str]] = mapped_column(String(500))
    changes: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)  # field: [from, to], masked
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    # The hash chain (db/audit.py, checked by db/audit_verify.py); NULL only before 0003 ran.
    prev_hash: Mapped[Optional[str]] = mapped_column(String(64))
    row_hash: Mapped[Optional[str]] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)


class AppSetting(Base):
    """Small key/value store (e.g. last backup time, cache generation)."""

    __tablename__ = "app_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Optional[str]] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class IndicatorMonth(Base):
    """The figures of a closed month (issue 14): numerator and denominator of one indicator
    for one township (township_id 0 = the county row), written once by the first read of the
    month (areas/indicators/reads.py) and replaced only by the office's audited recompute
    (areas/indicators/writes.recompute_month). Targets are not stored: they apply at read
    time. Not Audited: a first read that stores figures changes no data, so it must not
    replace the data generation."""

    __tablename__ = "indicator_months"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    township_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CareStatus(Base):
    """The visit rule's answer per active person, kept (issue 14): a cache of
    areas/care/reads.person_due, written only by areas/care/status.refresh in the same
    transaction as the write that changed an input. `valid_from`/`valid_until` bound the days
    on which the row is the rule's answer (the first / next date of an input of the person —
    visit, assessment, category start or end — on either side of `computed_on`; NULL = open):
    readers use the row on those days and compute the rule live otherwise. Not Audited: a
    cache, its rows change only with audited data."""

    __tablename__ = "care_status"
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # people.id
    township_id: Mapped[int] = mapped_column(Integer)
    last_visit: Mapped[Optional[dt.date]] = mapped_column(Date)
    raised_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # 高 since (core/visits.py, "Effective difficulty")
    effective: Mapped[str] = mapped_column(String(8))  # 一般 / 特别困难 as the rule applies it
    rkey: Mapped[int] = mapped_column(Integer)  # core.visits.Rule.key of the rule that applies
    next_due: Mapped[dt.date] = mapped_column(Date)
    computed_on: Mapped[dt.date] = mapped_column(Date)
    valid_from: Mapped[Optional[dt.date]] = mapped_column(Date)
    valid_until: Mapped[Optional[dt.date]] = mapped_column(Date)  # exclusive
    __table_args__ = (
        Index("ix_care_status_due", "township_id", "next_due"),
        Index("ix_care_status_from", "valid_from"),
        Index("ix_care_status_until", "valid_until"),
    )


class LedgerTouch(Base):
    """The months in which a person's file was checked (核查), created or changed: the history
    behind 台账月度更新率 (seed 001: 台账每月动态调整一次). people.reviewed_on and updated_at
    keep only the latest date, so last month's figure read from them shrank as soon as this
    month's checks overwrote them (issue 20 item 8). Written only by areas/registry/ledger.py,
    in the transaction of the write. Not Audited: its rows follow audited writes."""

    __tablename__ = "ledger_touches"
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # people.id
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    __table_args__ = (Index("ix_ledger_touches_month", "month", "person_id"),)
