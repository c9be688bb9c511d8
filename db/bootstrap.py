"""Start-up: migrate to head, seed the demo county on an empty database, print accounts."""
from __future__ import annotations

import sys
import threading

from sqlalchemy import func, select

from db import config
from db.engine import get_engine, session_scope
from db.migrate import upgrade
from db.models import Person, User

_done: set[str] = set()
_lock = threading.Lock()


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def ensure_ready(url: str | None = None) -> None:
    """Idempotent and cheap after the first call in a process."""
    settings = config.load()
    url = url or settings.database_url
    if url in _done:
        return
    with _lock:
        if url in _done:
            return
        engine = get_engine(url)
        upgrade(engine)
        if settings.demo:
            with session_scope(engine, write=False) as s:
                empty = not s.scalar(select(func.count()).select_from(Person)) and not s.scalar(
                    select(func.count()).select_from(User)
                )
            if empty:
                from tools import demo

                _say(f"空数据库：正在生成演示数据（示范县，{settings.demo_people} 人）……")
                demo.generate(engine, people=settings.demo_people)
            print_demo_accounts()
        else:
            with session_scope(engine, write=False) as s:
                accounts = s.scalar(select(func.count()).select_from(User))
            if not accounts:  # a real county's first start: no default password, the first admin by command
                _say("尚无任何账户。请先在服务器上建立第一个系统管理员（会提示输入密码）：\n"
                     "  python -m areas.admin.users create --username admin --role admin --display-name 系统管理员\n"
                     "然后用该账户登录，按工作台上的「开通设置」导入区划、成员单位、账户和台账。")
        _done.add(url)


def print_demo_accounts() -> None:
    from tools import demo

    _say("演示账户（仅用于演示数据，正式环境请用 python -m areas.admin.users create 建立账户）：")
    for username, role, password, scope in demo.DEMO_ACCOUNTS:
        _say(f"  {username:<10} {password:<16} {role:<9} {scope}")


if __name__ == "__main__":
    ensure_ready()
