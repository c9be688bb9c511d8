"""Write services: plain functions taking (session, actor, …). They validate again on
the server, raise ServiceError with a Chinese message the page can show as it is,
and leave the audit trail to db/audit.py."""
from __future__ import annotations


class ServiceError(Exception):
    """A refusal the user can act on; str(e) is shown verbatim."""


class ConflictError(ServiceError):
    """Someone else saved the row since it was loaded (optimistic lock)."""

    def __init__(self, message: str, changes: list[dict] | None = None):
        super().__init__(message)
        self.changes = changes or []  # who changed what since, from the audit log


class ForbiddenError(ServiceError):
    """The actor may not do this (scope or role)."""


BUSY_MESSAGE = "系统正忙（有其他用户正在保存大量数据），您的操作未完成，请稍等片刻后重试。"


class Busy(ServiceError):
    """The database stayed locked by another writer longer than a user should wait
    (db/engine.py retries first); nothing was saved."""


def require(actor, action: str, **record) -> None:
    """ForbiddenError with the access table's reason unless `actor` may do `action`
    (core/access.py; `record`: township_id=, unit_id=, what=)."""
    from core.access import refusal

    reason = refusal(actor, action, **record)
    if reason is not None:
        raise ForbiddenError(reason)
