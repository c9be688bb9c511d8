"""A township user deletes a wrong visit from the person file; the office restores it
from the 回收站 — both through the real pages."""
import datetime as dt

from sqlalchemy import select

from db.engine import session_scope
from db.models import Person, Visit
from tests.harness import app_test


def test_delete_from_person_file_then_restore_from_recycle(app_db):
    eng = app_db["engine"]
    with session_scope(eng) as s:
        pid = s.scalar(select(Person.id).where(Person.township_id == app_db["ids"]["T1"], Person.status == "在册"))
        v = Visit(person_id=pid, visited_on=dt.date(2026, 11, 2), service_types=["精神陪伴"])
        s.add(v)
        s.flush()
        vid = v.id

    at = app_test("tw1")
    at.query_params["id"] = str(pid)
    at.switch_page("pages/person.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="del_visit_id").set_value(vid)
    at.text_input(key="del_visit_reason").input("录入错误")
    at.checkbox(key="del_visit_sure").check()
    next(b for b in at.button if b.label == "删除").click().run()
    with session_scope(eng, write=False) as s:
        assert s.get(Visit, vid).deleted_by == "tw1"

    office = app_test("office", "recycle")
    assert not office.exception
    assert list(office.dataframe[0].value["记录编号"]) == [vid]
    office.checkbox[0].check()
    next(b for b in office.button if b.label == "恢复").click().run()
    with session_scope(eng, write=False) as s:
        assert s.get(Visit, vid).deleted_at is None

    tw = app_test("tw1", "recycle")  # the township sees its deletions but cannot restore
    assert not [b for b in tw.button if b.label == "恢复"]
