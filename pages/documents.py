"""打印文书: 一人一档, 委托监护责任确认书, 通报处置卡, 走访记录表 and a batch of files, as Word
or PDF; masked for the actor by the reads, every print audited with its reason
(areas/documents/printing.py). Opened preselected from a file or a card: ?kind=…&person=…"""
import datetime as dt

import streamlit as st

from areas.care import reads as care_reads
from areas.documents import pdf
from areas.documents import printing as pr
from areas.documents import reads as dq
from areas.registry import reads as rq
from components.action import run_action
from components.care_person_picker import person_picker
from components.downloads import personal_download
from components.filter_bar import STATE_KEY
from components.page import page_header
from components.text import md
from core import access
from db.engine import session_scope

actor = page_header("documents", "按您的权限脱敏；每次打印都须填写事由，并记入审计日志。")
today = dt.date.today()
KINDS = [k for k in (pr.PERSON, pr.GUARDIAN, pr.CARD, pr.VISIT_FORM, pr.BATCH) if access.may(actor, pr.ACTION[k])]
if not KINDS:
    st.info("投屏模式下不能打印文书，请先退出投屏模式。")  # the roles of this page print outside it
    st.stop()


def _param(name: str) -> int | None:
    try:
        return int(st.query_params.get(name, ""))
    except ValueError:
        return None


asked = st.query_params.get("kind")
kind = st.radio("文书", KINDS, index=KINDS.index(asked) if asked in KINDS else 0, horizontal=True,
                format_func=pr.KIND_LABELS.get, key="doc_kind")  # md-ok: fixed labels
req: dict = {"kind": kind}

if kind in (pr.PERSON, pr.GUARDIAN):
    pid = _param("person")
    label = None
    if pid is not None:
        with session_scope(write=False) as s:
            label = dq.person_label(s, actor, pid)
    if label is not None and st.toggle(f"对象：{md(label)}", value=True, key="doc_preset"):
        req["person_id"] = pid
    else:
        req["person_id"] = person_picker(actor, "doc_person", "对象")
    if kind == pr.GUARDIAN and req["person_id"] is not None:
        with session_scope(write=False) as s:
            options = dict(dq.guardians(s, actor, req["person_id"]))
        if not options:
            st.info("该对象没有登记监护人，请先在人员档案的“监护人”中登记。")
        req["guardian_id"] = st.selectbox("监护人记录", list(options), format_func=options.get,
                                          key="doc_guardian") if options else None  # md-ok: fixed label
elif kind == pr.CARD:
    with session_scope(write=False) as s:
        cards = care_reads.list_cards(s, actor, today, limit=200).rows
    labels = {r["卡号"]: f"{r['卡号']}号 · {r['状态']} · {r['类型']} · {r['涉及对象']} · {r['乡镇']}"
              for r in cards.to_dict("records")}
    asked_card = _param("card")
    ids = list(labels)
    req["card_id"] = st.selectbox("通报处置卡", ids, index=ids.index(asked_card) if asked_card in ids else 0,
                                  format_func=labels.get, key="doc_card") if ids else None  # md-ok: fixed label
    if not ids:
        st.info("没有可打印的通报处置卡。")
else:
    with session_scope(write=False) as s:
        villages = {i: n for i, n, _t in rq.villages(s, actor)}
    source = "village"
    if kind == pr.BATCH:
        source = st.radio("范围", ["village", "filter"], horizontal=True, key="doc_source",
                          format_func={"village": "一个村(居)的全部在册人员", "filter": "人员台账当前的筛选结果"}.get)
    if kind == pr.VISIT_FORM:
        req["blank"] = st.checkbox("空白表（不填入应访人员）", key="doc_blank")
    if source == "village":
        asked_village = _param("village")
        vids = list(villages)
        req["village_id"] = st.selectbox("村(居)", vids, index=vids.index(asked_village) if asked_village in vids else 0,
                                         format_func=villages.get, key="doc_village") if vids else None  # md-ok
        if kind == pr.VISIT_FORM and not req["blank"]:
            st.caption(f"填入本月底（{dq.due_until(today):%Y-%m-%d}）前应访及已逾期的人员，每人一行。")  # md-ok: a date
    elif source == "filter":
        flt = st.session_state.get(STATE_KEY) or rq.RegistryFilter(
            township_id=actor.township_id if access.township_bound(actor) else None)
        with session_scope(write=False) as s:
            n = rq.count(s, actor, flt, today)
        st.markdown(f"人员台账当前的筛选结果：**{n:,}** 人（单次最多 {pr.MAX_BATCH} 人）。")  # md-ok: counts
        st.caption("筛选条件：" + (md(flt.describe()) or "全部") + "（在“人员台账”页调整）")
        st.page_link("pages/registry.py", label="去人员台账调整筛选", icon=":material/filter_alt:")
        req["registry_filter"] = flt

formats = [pr.WORD] + ([pr.PDF_ONLY, pr.BOTH] if kind != pr.BATCH else [pr.BOTH])
if not pdf.available():
    formats = [pr.WORD]
    st.caption(pdf.MISSING)
fmt = st.radio("格式", formats, horizontal=True, key="doc_fmt", format_func=pr.FORMAT_LABELS.get)  # md-ok
reason = st.text_input(f"打印事由（必填，至少{pr.REASON_MIN}个字，记入审计日志）", key="doc_reason", max_chars=100)  # md-ok

chosen = {k: v for k, v in req.items() if k != "kind"}
needed = {pr.PERSON: ("person_id",), pr.GUARDIAN: ("person_id", "guardian_id"), pr.CARD: ("card_id",),
          pr.VISIT_FORM: () if req.get("blank") else ("village_id",),
          pr.BATCH: ("registry_filter",) if "registry_filter" in req else ("village_id",)}[kind]
ready = all(req.get(k) is not None for k in needed)
signature = repr((kind, sorted((k, repr(v)) for k, v in chosen.items()), fmt))
if st.button("生成文书", type="primary", key="doc_go", disabled=not ready):
    st.session_state.pop("doc_file", None)
    request = pr.PrintRequest(reason=reason, fmt=fmt, today=today, **req)
    bar = st.progress(0.0, text="正在生成…")
    # built in a read transaction (a village's PDFs take a while), then audited in a short write
    prepared = run_action(actor, pr.prepare, request, progress=lambda x, what: bar.progress(x, text=what),
                          write=False)
    printed = prepared and run_action(actor, pr.record, prepared.result)
    if printed:
        st.session_state["doc_file"] = (signature, printed.result)
made = st.session_state.get("doc_file")
if made and made[0] != signature:  # the choices changed since: the file is not theirs
    st.session_state.pop("doc_file", None)
elif made:
    printed = made[1]
    st.success(f"已生成 {printed.documents} 份文书，打印事由已记入审计日志。")  # md-ok: a count
    # made for this signed-in session and served once (components/downloads.py)
    personal_download(f"下载 {md(printed.file_name)}", lambda data=printed.data: data, file_name=printed.file_name,
                      mime=printed.mime, key="doc_dl", icon=":material/download:")
