"""What the audit log's action and entity codes are called on screen (审计日志, a person
file's change history, a conflict's "who changed what"): one vocabulary for every view."""
from __future__ import annotations

ACTION_LABELS = {
    "login": "登录",
    "logout": "退出登录",
    "login_failed": "登录失败",
    "password_change": "修改密码",
    "password_reset": "重置密码",
    "view": "查看档案",
    "search": "搜索",
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "restore": "恢复",
    "purge": "彻底删除",
    "import": "导入",
    "export": "导出",
    "print": "打印",
    "role_change": "角色变更",
    "disable": "停用账户",
    "enable": "启用账户",
    "revoke_sessions": "强制下线",
    "unlock": "解除锁定",
    "presentation_on": "进入投屏模式",
    "presentation_off": "退出投屏模式",
    "backup": "备份",
}
ENTITY_LABELS = {
    "person": "人员",
    "person_category": "人员类别",
    "guardian": "监护人",
    "helper": "帮扶责任人",
    "assignment": "帮扶关系",
    "care_measure": "帮扶措施",
    "visit": "走访记录",
    "visit_rule": "走访规则",
    "assessment_round": "评估轮次",
    "assessment": "风险评估",
    "incident_card": "通报处置卡",
    "worker": "工作队伍",
    "facility": "阵地设施",
    "school_stat": "学校统计",
    "unit": "成员单位",
    "unit_member": "单位成员",
    "meeting": "会议",
    "task": "任务",
    "task_update": "任务进展",
    "task_event": "任务督办",
    "target": "指标目标",
    "indicator_month": "指标月度数据",
    "user": "账户",
    "database": "数据库",
    "audit_log": "审计日志",
    "region": "区划",  # a village's printed visit form (打印文书)
    "region_boundary": "区划边界",
    "session": "会话",
}
# Inside one person's file the person is the subject: its own row is its 基本信息.
PERSON_FILE_ENTITY_LABELS = {**ENTITY_LABELS, "person": "基本信息", "assignment": "帮扶责任人"}
OUTCOME_LABELS = {"ok": "成功", "denied": "拒绝", "error": "失败", "conflict": "冲突"}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


# A township tried to enrol (or import) an ID number registered in a township it may not
# see: refused without naming that township, audited, listed for the office (待处理).
DUPLICATE_REFUSED = "dup_refused"
ACTION_LABELS[DUPLICATE_REFUSED] = "重复纳入被拒"


# ---------------------------------------------------------------- a change's fields and values in words
# (a person file's 变更记录, a conflict's 变更内容, an import's list of changed fields)
FIELD_LABELS = {
    "id_number": "身份证号码", "name": "姓名", "gender": "性别", "birth_date": "出生日期", "phone": "联系电话",
    "township_id": "乡镇", "village_id": "村(居)", "address": "住址", "difficulty": "困难程度", "status": "状态",
    "enrolled_on": "纳入日期", "exited_on": "退出日期", "exit_reason": "退出原因", "family_situation": "家庭状况",
    "living_situation": "生活情况", "parents_status": "父母或子女动态", "school_situation": "学习状况",
    "health_situation": "健康状况", "psychological_situation": "心理健康状况", "notes": "备注",
    "reviewed_on": "台账核对日期", "category": "人员类别", "subtype": "子类", "start_on": "开始日期",
    "end_on": "结束日期", "helper_id": "帮扶责任人", "relation": "关系", "capacity": "监护能力",
    "entrusted": "委托监护", "agreement_signed_on": "协议签订日期", "witnessed_by": "见证人", "type": "类型",
    "text": "内容", "person_id": "人员",
    # 走访记录
    "visited_on": "走访日期", "service_types": "服务类型", "findings": "发现情况", "problems": "存在问题",
    "follow_up": "后续跟进",
    # 风险评估
    "round_id": "评估轮次", "period": "评估期", "assessed_on": "评估日期", "risk_level": "风险等级",
    "issues": "存在问题", "actions": "措施", "assessor": "评估人",
    # 通报处置卡
    "source": "来源", "description": "情况描述", "discovered_on": "发现日期", "reported_at": "报告时间",
    "referred_at": "转介时间", "referred_unit_id": "转介单位", "deadline": "办理期限", "needs_contact": "需联系监护人",
    "handled_at": "处置时间", "handling": "处置情况", "closed_at": "结案时间", "closed_by": "结案人",
    "resolution": "结案说明",
    # soft delete (回收站)
    "deleted_at": "删除时间", "deleted_by": "删除人", "delete_reason": "删除原因",
}
# Fields holding the id of another row: the reader looks their names up (NAMED_FIELDS[field]
# says which table) and passes them to `value_text`.
NAMED_FIELDS = {"helper_id": "helper", "township_id": "region", "village_id": "region",
                "referred_unit_id": "unit", "round_id": "assessment_round"}
EMPTY_VALUE = "（空）"


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def value_text(entity: str, field: str, value, names: dict | None = None) -> str:
    """One audited value as a person reads it: a helper's name rather than "4", a category's
    label rather than its code, a list joined with 、, a date as a date, 是/否."""
    from core import categories, incidents  # core imports core only

    if value is None or value == "" or value == []:
        return EMPTY_VALUE
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(value_text(entity, field, v, names) for v in value)
    if field in NAMED_FIELDS:
        key = int(value) if str(value).isdigit() else value  # JSON may carry an id as text
        return (names or {}).get((NAMED_FIELDS[field], key)) or f"（编号 {value}）"
    if field == "category":
        return categories.label(value)
    if entity == "incident_card" and field == "status":
        return incidents.STATE_LABELS.get(value, value)
    text = str(value)
    # audit stores dates and times as ISO text: 2026-10-10, 2026-10-10T08:30:00.123+00:00
    if len(text) >= 16 and text[4] == "-" and text[7] == "-" and text[10] == "T":
        return f"{text[:10]} {text[11:16]}"
    return text
