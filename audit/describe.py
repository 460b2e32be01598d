"""Audit entries as sentences: what happened, in the page's language, and what changed from
what to what ("E101 网民数量: 1,234.5 → 1,300"), never the stored JSON.

An entry's ``data`` is as its writer stored it (audit.services knows no domain); the sentence of
each action is here, and an action not listed still reads as its name and its values. Values
that are codes (states, languages, yes/no) read as their labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts import roles
from common.i18n import pick
from common.numbers import grouped, plain_decimal

# How many changed values an entry shows; the rest are counted.
CHANGES_SHOWN = 20

SENTENCES = {
    "auth.login": gettext_lazy("登录"),
    "auth.logout": gettext_lazy("退出登录"),
    "auth.login_failed": gettext_lazy("登录失败（用户名 {username}）"),
    "auth.locked_out": gettext_lazy("账户被锁定（用户名 {username}）"),
    "auth.otp_enrol": gettext_lazy("绑定认证器"),
    "auth.otp_verify": gettext_lazy("通过双因素认证"),
    "auth.otp_failed": gettext_lazy("双因素认证失败"),
    "auth.otp_reset": gettext_lazy("重置双因素认证（{devices} 个设备）"),
    "auth.password_set": gettext_lazy("设置密码"),
    "auth.sessions_end": gettext_lazy("结束 {count} 个登录会话"),
    "user.create": gettext_lazy("创建用户 {username}"),
    "user.change": gettext_lazy("修改用户 {username}"),
    "user.roles": gettext_lazy("修改用户的角色"),
    "cycle.create": gettext_lazy("创建填报周期（指标体系 {model_version}，开始日期 {opens_on}，"
                                 "截止日期 {deadline}）"),
    "cycle.state": gettext_lazy("修改填报周期的状态"),
    "cycle.deadline": gettext_lazy("修改填报周期的截止日期"),
    "version.upload": gettext_lazy("上传文件 {file}，成为第 {version} 版"),
    "version.edit": gettext_lazy("在线修改，保存为第 {version} 版（基于第 {previous} 版）"),
    "version.values": gettext_lazy("第 {version} 版读入的数值（与第 {previous} 版相比）"),
    "version.validate": gettext_lazy("第 {version} 版校验完成：{result}，{errors} 个错误，"
                                     "{warnings} 个警告"),
    "version.validation_failed": gettext_lazy("第 {version} 版校验多次失败，已放弃"),
    "version.validation_retry": gettext_lazy("重新校验第 {version} 版"),
    "version.bulk_import": gettext_lazy("批量导入，成为第 {version} 版"),
    "submission.submit": gettext_lazy("提交审核"),
    "submission.approve": gettext_lazy("审核通过"),
    "submission.return": gettext_lazy("退回修改（原因：{reason}）"),
    "submission.reopen": gettext_lazy("重新打开（原因：{reason}）"),
    "submission.bulk_approve": gettext_lazy("批量导入时审核通过"),
    "submission.comment": gettext_lazy("评论：{body}"),
    "scoring.run": gettext_lazy("测算（第 {run} 次，{units} 个地区）"),
    "scoring.publish": gettext_lazy("发布第 {run} 次测算的结果"),
    "scoring.scenario_save": gettext_lazy("保存模拟方案「{name}」"),
    "model.import": gettext_lazy("导入指标体系 {version}"),
    "model.derive": gettext_lazy("由指标体系 {from} 派生草稿 {version}"),
    "model.update": gettext_lazy("修改指标体系 {version}"),
    "target.change": gettext_lazy("修改国家目标 {code}"),
    "announcement.create": gettext_lazy("创建通知公告「{title_zh}」"),
    "announcement.update": gettext_lazy("修改通知公告"),
    "announcement.publish": gettext_lazy("发布通知公告「{title_zh}」"),
    "announcement.withdraw": gettext_lazy("撤回通知公告「{title_zh}」"),
    "api_token.create": gettext_lazy("创建接口令牌 {token}"),
    "api_token.revoke": gettext_lazy("吊销接口令牌 {token}"),
    "api_token.refused": gettext_lazy("接口令牌被拒绝"),
    "api_token.use": gettext_lazy("使用接口令牌"),
}

FIELDS = {
    "username": gettext_lazy("用户名"),
    "full_name": gettext_lazy("姓名"),
    "email": gettext_lazy("电子邮箱"),
    "region": gettext_lazy("所属地区"),
    "is_active": gettext_lazy("启用"),
    "language": gettext_lazy("语言"),
    "roles": gettext_lazy("角色"),
    "state": gettext_lazy("状态"),
    "deadline": gettext_lazy("截止日期"),
    "target": gettext_lazy("目标值"),
    "target_year": gettext_lazy("目标年份"),
    "name_zh": gettext_lazy("名称（中文）"),
    "name_en": gettext_lazy("名称（英文）"),
    "unit": gettext_lazy("单位"),
    "provincial_formula": gettext_lazy("省级汇总公式"),
    "provincial_scale": gettext_lazy("换算系数"),
    "year": gettext_lazy("年度"),
    "value": gettext_lazy("数值"),
    "reported_growth": gettext_lazy("报告增长"),
    "title_zh": gettext_lazy("标题（中文）"),
    "title_en": gettext_lazy("标题（英文）"),
    "body_zh": gettext_lazy("正文（中文）"),
    "body_en": gettext_lazy("正文（英文）"),
}

# The values that are codes (read through LABELS); any other value reads as stored (a user
# called "auditor" stays "auditor").
CODED = frozenset({"result", "is_active", "language", "state", "from", "to", "roles"})

# Stored codes and what they read as.
LABELS = {
    "True": gettext_lazy("是"), "False": gettext_lazy("否"),
    "zh-hans": gettext_lazy("简体中文"), "en": "English",
    "open": gettext_lazy("填报中"), "closed": gettext_lazy("已截止"),
    "scored": gettext_lazy("已测算"), "published": gettext_lazy("已发布"),
    "draft": gettext_lazy("草稿"), "submitted": gettext_lazy("已提交"),
    "validating": gettext_lazy("校验中"), "invalid": gettext_lazy("校验未通过"),
    "awaiting_review": gettext_lazy("待审核"), "returned": gettext_lazy("已退回"),
    "approved": gettext_lazy("已通过"), "valid": gettext_lazy("通过"),
    "rejected": gettext_lazy("文件无法读取"),
    **roles.ROLE_LABELS,
}


class _Values(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "—"


def label(value: Any) -> str:
    """A stored value as the page shows it: "—" for none, a code's label, a number grouped."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value in LABELS:
        return str(LABELS[value])
    if isinstance(value, list):
        return _separator().join(label(v) for v in value) or "—"
    return str(value)


def numbers(old: Any, new: Any) -> tuple[str, str]:
    """An old and a new value of a version, grouped as a statistician prints them, both to
    the places of the more precise one ("1,234.5 → 1,300.0")."""
    figures = [Decimal(str(v)) if _is_number(str(v)) else None for v in (old, new)]
    places = max((len(plain_decimal(f).partition(".")[2]) for f in figures if f is not None),
                 default=0)
    shown = [grouped(f, places) if f is not None else label(v)
             for f, v in zip(figures, (old, new), strict=True)]
    return shown[0], shown[1]


def _separator() -> str:
    return pgettext("enumeration separator", "、")


def _is_number(text: str) -> bool:
    if not isinstance(text, str) or not text or not (text[0].isdigit() or text[0] in "-."):
        return False
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def sentence(action: str, data: Mapping[str, Any]) -> str:
    """What happened, in the active language."""
    template = SENTENCES.get(action)
    if template is None:  # an action of no sentence: its name and its plain values
        details = [f"{key}: {_plain(value)}" for key, value in data.items()
                   if key != "changes" and not isinstance(value, dict | list)]
        if not details:
            return action
        return _("%(action)s（%(details)s）") % {"action": action, "details": "; ".join(details)}
    values = _Values({key: label(value) if key in CODED else _plain(value)
                      for key, value in data.items()})
    return str(template).format_map(values)


def _plain(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


# What an entry's "from" and "to" are, by action (a state unless listed).
FROM_TO = {"cycle.deadline": "deadline"}


def changes(data: Mapping[str, Any], action: str = "") -> tuple[list[str], int]:
    """What changed, one line each ("E101 网民数量: 1,234.5 → 1,300"), and how many more
    there are past CHANGES_SHOWN."""
    lines: list[str] = []
    stored = data.get("changes")
    if isinstance(stored, list):
        for change in stored:
            if isinstance(change, Mapping):
                lines.extend(_change_lines(change))
    elif isinstance(stored, Mapping):  # {"field": {"old": …, "new": …}}
        for name, pair in stored.items():
            if isinstance(pair, Mapping):
                lines.append(f"{FIELDS.get(name, name)}: {_plain(pair.get('old'))} → "
                             f"{_plain(pair.get('new'))}")
    if "from" in data and "to" in data and data["from"] != data["to"]:
        field = FROM_TO.get(action, "state")
        shown = label if field in CODED else _plain
        lines.append(f"{FIELDS[field]}: {shown(data['from'])} → {shown(data['to'])}")
    return lines[:CHANGES_SHOWN], max(0, len(lines) - CHANGES_SHOWN)


def _change_lines(change: Mapping[str, Any]) -> list[str]:
    if "code" in change:  # a value of a version
        name = pick(str(change.get("name_zh", "")), str(change.get("name_en", "")))
        what = f"{change['code']} {name}".strip()
        lines = []
        if change.get("old") != change.get("new"):
            shown = numbers(change.get("old"), change.get("new"))
            lines.append(f"{what}: {shown[0]} → {shown[1]}")
        if change.get("old_note", "") != change.get("new_note", ""):
            note = _("%(what)s 备注") % {"what": what}
            lines.append(f"{note}: {_plain(change.get('old_note'))} → "
                         f"{_plain(change.get('new_note'))}")
        return lines
    field = str(change.get("field", ""))
    old: Any = change.get("old")
    new: Any = change.get("new")
    if field == "region":
        old = _region(old, change.get("old_zh"), change.get("old_en"))
        new = _region(new, change.get("new_zh"), change.get("new_en"))
    elif field == "roles":
        old = _separator().join(label(r) for r in str(old or "").split(", ") if r) or None
        new = _separator().join(label(r) for r in str(new or "").split(", ") if r) or None
    what = str(FIELDS.get(field, field))
    if change.get("year"):  # a yearly value of a national target
        what = _("%(what)s（%(year)s 年）") % {"what": what, "year": change["year"]}
    show = label if field in CODED else _plain
    return [f"{what}: {show(old)} → {show(new)}"]


def _region(code: Any, zh: Any, en: Any) -> str | None:
    if not code:
        return None
    name = pick(str(zh or ""), str(en or ""))
    return _("%(name)s（%(code)s）") % {"name": name, "code": code} if name else str(code)

