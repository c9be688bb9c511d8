"""The 系统管理 pages and 我的账户 through AppTest: what each shows, the actions they call,
and that other roles cannot open them."""
from pathlib import Path

from sqlalchemy import func, select

from areas.admin import users
from db.engine import session_scope
from db.models import AuditLog, User
from components.text import md
from tests import factories as f
from tests.harness import all_text, app_test


def _btn(at, label):
    found = [b for b in at.button if b.label == label]
    assert found, (label, [b.label for b in at.button])
    return found[0]


def test_admin_pages_are_refused_to_other_roles(app_db):
    for username in ("office", "tw1", "unit", "leader"):
        at = app_test(username)
        for page in ("users", "audit", "backup"):
            try:
                at.switch_page(f"pages/{page}.py")
            except ValueError:
                continue  # not even registered for this role
            at.run()
            assert any("无权" in e.value for e in at.error), (username, page)
            assert not at.dataframe


def test_users_page_creates_an_account_and_shows_the_password_once(app_db):
    at = app_test("admin", "users")
    assert not at.exception, at.exception
    listed = at.dataframe[0].value
    assert sorted(listed["用户名"]) == ["admin", "leader", "office", "tw1", "unit"]
    at.text_input(key="new_username").input("zhou.li")
    at.text_input(key="new_display").input("周丽")
    at.selectbox(key="new_role").select("township").run()
    at.selectbox(key="new_town").select(app_db["ids"]["T2"])
    _btn(at, "创建账户").click()
    at.run()
    assert not at.exception, at.exception
    assert any(f"已创建账户 {md('zhou.li')}" in s.value for s in at.success)  # Markdown-escaped (components/text.py)
    shown = [c.value for c in at.code]
    assert len(shown) == 1
    with session_scope(app_db["engine"], write=False) as s:
        u = users.get_user(s, "zhou.li")
        assert u.must_change_password and u.township_id == app_db["ids"]["T2"]
        assert users.verify_password(shown[0], u.password_hash)
    assert "zhou.li" in at.dataframe[0].value["用户名"].tolist()
    at.run()  # shown once only
    assert not at.code


def test_users_page_refuses_township_account_without_township(app_db):
    at = app_test("admin", "users")
    at.text_input(key="new_username").input("nobody")
    at.text_input(key="new_display").input("无名")
    at.selectbox(key="new_role").select("township").run()
    _btn(at, "创建账户").click()
    at.run()
    assert any("所属乡镇" in e.value for e in at.error)
    with session_scope(app_db["engine"], write=False) as s:
        assert users.get_user(s, "nobody") is None


def test_users_page_disables_only_after_confirmation(app_db):
    with session_scope(app_db["engine"], write=False) as s:
        uid = s.scalar(select(User.id).where(User.username == "office"))
    at = app_test("admin", "users")
    at.selectbox(key="manage_user").select(uid).run()
    disable = _btn(at, "停用账户")
    assert disable.disabled  # nothing happens without the confirmation box
    at.text_input(key=f"reason_{uid}").input("调岗")
    at.checkbox(key=f"sure_disable_{uid}").check().run()
    _btn(at, "停用账户").click()
    at.run()
    assert not at.exception, at.exception
    assert any("已停用 office" in s.value for s in at.success)
    with session_scope(app_db["engine"], write=False) as s:
        assert s.scalar(select(User.active).where(User.id == uid)) is False
        assert s.scalar(select(AuditLog.summary).where(AuditLog.action == "disable")) == "调岗"
    table = at.dataframe[0].value
    assert table.loc[table["用户名"] == "office", "状态"].item() == "已停用"


def test_audit_page_filters_pages_and_exports(app_db):
    with session_scope(app_db["engine"]) as s:
        from db import audit

        for i in range(60):
            audit.record(s, "view", "person", 1000 + i, actor="tw1")
    at = app_test("admin", "audit")
    assert not at.exception, at.exception
    text = all_text(at)
    assert "+08:00" in text
    at.multiselect(key="audit_actions").select("view").run()
    assert "共 60 条 · 第 1/2 页" in " ".join(c.value for c in at.caption)
    first = at.dataframe[0].value
    assert len(first) == 50 and first["编号"].iloc[0] == "1059"
    at.pagination(key="audit_page").set_value(2).run()
    second = at.dataframe[0].value
    assert second["编号"].tolist() == [str(1000 + i) for i in range(9, -1, -1)]
    at.text_input(key="audit_entity_id").input("1007").run()
    assert at.dataframe[0].value["编号"].tolist() == ["1007"]
    _btn(at, "生成 Excel 文件").click()
    at.run()
    assert not at.exception, at.exception
    with session_scope(app_db["engine"], write=False) as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "export")).one()
        assert row.username == "admin" and "1 条" in row.summary and "编号=1007" in row.summary


def test_backup_page_triggers_a_backup_and_lists_it(app_db, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREDESK_BACKUP_DIR", str(tmp_path / "bk"))
    at = app_test("admin", "backup")
    assert not at.exception, at.exception
    assert any("尚无备份" in w.value for w in at.warning)
    _btn(at, "立即备份").click()
    at.run()
    assert not at.exception, at.exception
    assert any("备份完成" in s.value for s in at.success)
    files = list(Path(tmp_path / "bk").glob("caredesk-*.sqlite3"))
    assert len(files) == 1
    listed = at.dataframe[0].value
    assert listed["文件"].tolist() == [files[0].name] and listed["人员档案"].tolist() == [9]
    assert {m.label: m.value for m in at.metric}["备份中的人员档案"] == "9"
    with session_scope(app_db["engine"], write=False) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "backup")) == 1


def test_account_page_changes_password_and_signs_out(app_db):
    at = app_test("leader", "account")
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["角色"] == "领导(只读)"
    pw = [t for t in at.text_input]
    by_label = {t.label: t for t in pw}
    by_label["原密码"].input(f.PASSWORD)
    by_label["新密码"].input("leader")  # contains the username, too short
    by_label["再次输入新密码"].input("leader")
    [b for b in at.button if b.label == "确认修改"][0].click()
    at.run()
    assert any("10" in e.value for e in at.error)
    by_label = {t.label: t for t in at.text_input}
    by_label["原密码"].input(f.PASSWORD)
    by_label["新密码"].input("Winter#Rain2026")
    by_label["再次输入新密码"].input("Winter#Rain2026")
    [b for b in at.button if b.label == "确认修改"][0].click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    # the form asks for sign-out; the real sign-out is checked in Chromium (test_session_browser.py)
    assert at.session_state["_auth_notice"] == "密码已修改，请用新密码重新登录。"
    with session_scope(app_db["engine"], write=False) as s:
        u = users.get_user(s, "leader")
        assert users.verify_password("Winter#Rain2026", u.password_hash)
        assert u.sessions_valid_after is not None
