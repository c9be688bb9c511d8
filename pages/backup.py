"""备份: the last backup, a backup now (the system stays in use), the backup files."""
import datetime as dt

import pandas as pd
import streamlit as st

from components import flash

from components.page import page_header
from components.text import md
from components import tables
from db import backup, config
from db.engine import get_engine, session_scope
from areas.admin import reads as q

actor = page_header("backup", "在线备份：备份时系统可照常使用。备份文件含全部个人信息，请妥善保管并定期复制到离线介质。")

flash.show("backup_flash")

with session_scope(write=False) as s:
    last = q.last_backup(s, actor)

if last:
    age = dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(last["at"])
    c1, c2, c3 = st.columns(3)
    c1.metric("最近一次备份", last["at_local"][:16])
    c2.metric("备份大小", f"{last['size'] / 1024 / 1024:.1f} MB")
    c3.metric("备份中的人员档案", f"{last.get('people') or 0:,}")
    st.caption(f"文件：{md(last['file'])} · 操作人：{md(last.get('by')) or '-'}")
    if age > dt.timedelta(days=2):
        st.warning(f"已有 {age.days} 天没有备份，请立即备份并检查定时任务。")  # md-ok: a count
else:
    st.warning("尚无备份记录。请立即备份，并按说明配置每日定时备份。")

if st.button("立即备份", type="primary", key="backup_now"):
    with st.spinner("正在备份……系统可继续使用，请勿关闭本页"):
        try:
            result = backup.make_backup(get_engine(), actor=actor)
        except backup.BackupError as e:
            st.error(md(str(e)))
        else:
            total = sum(t["rows"] for t in result.manifest["tables"].values())
            flash.done("backup_flash", f"备份完成：{result.path.name}（{len(result.manifest['tables'])} 张表，共 {total:,} 行，已生成校验清单）")

st.subheader("备份文件")
settings = config.load()
files = backup.list_backups(settings.backup_dir)
if not files:
    st.info(f"备份目录中还没有备份文件（{md(settings.backup_dir)}）。")
else:
    tables.dataframe(
        pd.DataFrame([{
            "文件": b.name,
            "时间": q.local_time(b.created_at),
            "大小(MB)": round(b.size / 1024 / 1024, 2),
            "人员档案": b.people,
            "校验清单": "有" if b.verified else "无",
        } for b in files]),
        hide_index=True, width="stretch",
    )
    st.caption(f"备份目录：{md(settings.backup_dir)} · 共 {len(files)} 份")

with st.expander("如何恢复"):
    st.markdown(
        "恢复只能由管理员在服务器上执行，恢复到一个**新的空数据库**，完成后逐表核对行数和校验值：\n\n"
        "1. 停止本系统；\n2. 执行下面的命令（目标库已有数据时会拒绝，确需覆盖加 `--force`）；\n"
        "3. 将 `DATABASE_URL` 指向恢复后的数据库，重新启动。"
    )
    st.code("python -m db.restore data/backups/<备份文件> --database-url <新数据库地址>", language="bash")
