"""The one way a page runs a write: submit → service → confirmation, or the refusal in Chinese.

    run_action(actor, svc.update_unit, unit_id, version, name=name,
               success="单位信息已保存。", flash_key="units_flash")

runs `svc.update_unit(session, actor, unit_id, version, name=name)` in one write transaction
(session_scope(actor=actor): the audit trail and the data generation go with it), then:

* success — `then(result)` if given, and the confirmation (`success`, or `success(result)`):
  with `flash_key` it is kept for the next run and the page reruns (components/flash.py: the
  page redraws from the database); without, it is shown at once;
* ConflictError — the message, who changed what since (ConflictError.changes, one shape:
  db/locking.py) and, with `reload`, a button that reloads the latest data;
* ServiceError / ForbiddenError — each message verbatim (a ValidationFailed lists several);
* anything else — logged, and one Chinese sentence instead of a traceback. The page goes on
  drawing, so the widgets below keep what the user typed (Streamlit forgets the state of
  widgets a run does not draw).

The return value is truthy when the service succeeded; `.result` is what it returned and
`.error` the refusal, for the few pages that add something (a link to an existing file).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
import streamlit as st

from components import flash
from components.text import md
from components import tables
from db.engine import session_scope
from db.errors import ConflictError, ServiceError
from db.locking import CHANGE_COLUMNS

log = logging.getLogger(__name__)

UNEXPECTED = "操作未完成：系统出现意外错误，已记录。您填写的内容仍在页面上，请稍后重试；如反复出现，请联系系统管理员。"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    result: Any = None
    error: BaseException | None = None

    def __bool__(self) -> bool:
        return self.ok


def _in_form() -> bool:
    """st.button may not be drawn inside st.form (the reload button is left out there)."""
    try:
        from streamlit.elements.lib.form_utils import is_in_form
    except ImportError:  # a Streamlit without the helper: assume not
        return False
    return is_in_form(st._main)


def show_error(e: ServiceError) -> None:
    for message in getattr(e, "errors", None) or [str(e)]:
        st.error(md(message))  # service messages quote what the user typed


def show_conflict(e: ConflictError, reload: Callable[[], None] | None = None, key: str = "action") -> None:
    st.error(md(str(e)))
    if e.changes:
        st.markdown("**对方的修改：**")
        tables.dataframe(pd.DataFrame(e.changes, columns=list(CHANGE_COLUMNS)), hide_index=True, width="stretch")
    if reload is not None and not _in_form():
        st.button("重新加载最新数据", key=f"{key}_conflict_reload", on_click=reload, type="primary")


def run_action(actor, fn: Callable[..., Any], *args, success: str | Callable[[Any], str] | None = None,
               flash_key: str | None = None, then: Callable[[Any], None] | None = None,
               reload: Callable[[], None] | None = None, key: str = "action", write: bool = True,
               **kwargs) -> Outcome:
    """Run `fn(session, actor, *args, **kwargs)`; see the module docstring."""
    try:
        with session_scope(actor=actor, write=write) as s:
            result = fn(s, actor, *args, **kwargs)
    except ConflictError as e:
        show_conflict(e, reload, key)
        return Outcome(False, error=e)
    except ServiceError as e:
        show_error(e)
        return Outcome(False, error=e)
    except Exception as e:  # noqa: BLE001 — shown as one sentence, logged with its traceback
        log.exception("action %s failed", getattr(fn, "__qualname__", fn))
        st.error(UNEXPECTED)
        return Outcome(False, error=e)
    if then is not None:
        then(result)
    message = success(result) if callable(success) else success
    if flash_key is not None and message:
        flash.done(flash_key, message)  # reruns
    elif message:
        st.success(md(message))
    return Outcome(True, result)
