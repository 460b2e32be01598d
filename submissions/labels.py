"""The words staff pages show for the codes the submissions store: a check's rule code
(``YOY_CHANGE``) and a transition's action (``approve``). A code is stored and exported to
programs as it is; a page shows its words (``submissions/templatetags/submission_labels.py``).
The checks' titles are the ones the help page explains them under (``public/help.py``;
``tests/submissions/test_labels.py`` keeps the two alike)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from submissions.workflow import Action

RULE_TITLES: dict[str, Promise] = {
    "UNKNOWN_ELEMENT": _("未知数据项"),
    "MISSING_CODE": _("缺少数据项代码"),
    "DUPLICATE_ELEMENT": _("数据项重复"),
    "MISSING_VALUE": _("缺少数值"),
    "NOT_A_NUMBER": _("不是数值"),
    "UNIT_MISMATCH": _("单位不符"),
    "PERCENT_NOT_ALLOWED": _("不应填写百分号"),
    "DATE_NOT_ALLOWED": _("不应填写日期"),
    "CELL_ERROR": _("单元格公式出错"),
    "NUMBER_OUT_OF_BOUNDS": _("数值过大或过小"),
    "NOT_INTEGER": _("应为整数"),
    "NOT_ORDINAL": _("等级超出范围"),
    "BELOW_MIN": _("低于允许范围"),
    "ABOVE_MAX": _("高于允许范围"),
    "RULE_UNDEFINED": _("规则无法检查"),
    "YOY_CHANGE": _("同比变化过大"),
    "OUTLIER": _("明显偏离其他地区"),
    "TOO_MANY_ROWS_FOR_MODEL": _("文件行数过多"),
    "MORE_OF_RULE": _("同类问题过多"),
    "MORE_IN_VERSION": _("问题过多"),
}
# A rule of the indicator model (E101_LE_P01): its message says what it checks.
MODEL_RULE_TITLE = _("指标体系规则")

ACTION_LABELS: dict[str, Promise] = {
    Action.NEW_VERSION: _("新版本"),
    Action.SUBMIT: _("提交"),
    Action.START_VALIDATION: _("开始校验"),
    Action.VALIDATION_PASSED: _("校验通过"),
    Action.VALIDATION_FAILED: _("校验未通过"),
    Action.APPROVE: _("审核通过"),
    Action.RETURN: _("退回"),
    Action.REOPEN: _("重新打开"),
    Action.BULK_APPROVE: _("批量导入并通过"),
}


def rule_title(code: str) -> Promise:
    return RULE_TITLES.get(code, MODEL_RULE_TITLE)


def action_label(code: str) -> Promise | str:
    """An action no version of the platform knows (a row older than this table) shows as
    stored rather than as nothing."""
    return ACTION_LABELS.get(code, code)
