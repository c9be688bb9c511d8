"""components/action.run_action: the one way a page runs a write (confirmation, refusal,
conflict, unexpected error) — driven through a tiny Streamlit script under AppTest."""
from streamlit.testing.v1 import AppTest

from components.action import UNEXPECTED
from components.text import md


def _script():
    import streamlit as st

    from components import flash
    from components.action import run_action
    from db.errors import ConflictError, ServiceError

    def boom(s, actor):
        raise RuntimeError("connection lost")

    def refuse(s, actor):
        raise ServiceError("您的角色不能这样做。")

    def clash(s, actor):
        raise ConflictError("该任务已被unit_a修改，您的修改未保存，请刷新后重试。",
                            [{"时间": "2026-03-01 09:00", "用户": "unit_a", "操作": "修改", "对象": "该任务",
                              "变更内容": "progress：0 → 50"}])

    def save(s, actor, n):
        return n

    fns = {"boom": boom, "refuse": refuse, "clash": clash, "save": save}
    flash.show("t_flash")
    note = st.text_area("note", key="note")
    if st.button("go", key="go"):
        which = st.session_state["which"]
        run_action("tester", fns[which], *([3] if which == "save" else []), flash_key="t_flash",
                   success=lambda n: f"已保存 {n} 项。", reload=lambda: st.session_state.pop("note", None), key="t")
    st.caption(f"typed:{note}")


def _run(which: str) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["which"] = which
    at.run()
    at.text_area(key="note").input("已经填写的内容")
    at.button(key="go").click().run()
    return at


def test_success_confirms_after_the_rerun(app_db):
    at = _run("save")
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["已保存 3 项。"]


def test_refusal_is_shown_verbatim_and_input_is_kept(app_db):
    at = _run("refuse")
    assert [e.value for e in at.error] == ["您的角色不能这样做。"]
    assert at.text_area(key="note").value == "已经填写的内容"


def test_conflict_shows_who_changed_what_and_offers_reload(app_db):
    at = _run("clash")
    # messages go through components.text.md: the user name arrives Markdown-escaped
    assert md("unit_a") == "unit\\_a" and md("unit_a") in at.error[0].value and "未保存" in at.error[0].value
    assert list(at.dataframe[0].value.columns) == ["时间", "用户", "操作", "对象", "变更内容"]
    assert at.dataframe[0].value["用户"].tolist() == ["unit_a"]
    at.button(key="t_conflict_reload").click().run()
    assert at.text_area(key="note").value == ""  # reload callback ran (this script drops the draft)


def test_unexpected_error_is_one_sentence_and_the_page_goes_on(app_db):
    at = _run("boom")
    assert not at.exception  # no traceback for the user
    assert [e.value for e in at.error] == [UNEXPECTED]
    assert at.text_area(key="note").value == "已经填写的内容"
    assert any(c.value == "typed:已经填写的内容" for c in at.caption)  # drawn after the failed action
