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
