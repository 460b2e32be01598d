"""What the help pages say that comes from the code and the data: the checks every upload
goes through (one entry per built-in rule code of ``submissions.rules`` and
``submissions.values``, in plain words — ``tests/public/test_help_views.py`` fails when a code
has none), the model's own cross-element rules and the dimensions of the model in use."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from indicators.models import ModelVersion, Rule, Severity
from submissions.models import Cycle


@dataclass(frozen=True)
class BuiltInCheck:
    code: str        # the rule code stored with an issue; never shown on a page
    title: Promise
    severity: Severity
    meaning: Promise
    remedy: Promise


E, W = Severity.ERROR, Severity.WARNING

BUILT_IN_CHECKS: tuple[BuiltInCheck, ...] = (
    BuiltInCheck("UNKNOWN_ELEMENT", _("未知数据项"), E,
                 _("文件中某行的数据项代码不在本年度指标体系中。"),
                 _("请使用平台为本年度生成的模板，不要修改“代码”列。")),
    BuiltInCheck("MISSING_CODE", _("缺少数据项代码"), E,
                 _("某行填了数值，但“代码”列为空，无法知道这是哪一项数据。"),
                 _("补上代码，或删除这一行。")),
    BuiltInCheck("DUPLICATE_ELEMENT", _("数据项重复"), E,
                 _("同一数据项在文件中出现多次，且数值不同。"),
                 _("只保留正确的一行。")),
    BuiltInCheck("MISSING_VALUE", _("缺少数值"), E,
                 _("模板中的数据项没有填写数值。"),
                 _("填写数值；确实没有数据时填写“无”，并在备注中说明原因。")),
    BuiltInCheck("NOT_A_NUMBER", _("不是数值"), E,
                 _("单元格的内容不能读作数值，例如含有文字或多个小数点。"),
                 _("只填写阿拉伯数字，可带千位分隔符和小数点。")),
    BuiltInCheck("UNIT_MISMATCH", _("单位不符"), E,
                 _("单元格中写的单位与模板要求的单位不同（例如要求“万人”却填了“人”）。"),
                 _("换算到模板要求的单位后只填写数字。")),
    BuiltInCheck("PERCENT_NOT_ALLOWED", _("不应填写百分号"), E,
                 _("该数据项的单位不是百分比，单元格中却有百分号。"),
                 _("去掉百分号，按模板的单位填写。")),
    BuiltInCheck("DATE_NOT_ALLOWED", _("不应填写日期"), E,
                 _("单元格是日期格式，电子表格可能把数字自动改成了日期。"),
                 _("把单元格格式改为“常规”或“数值”后重新填写。")),
    BuiltInCheck("CELL_ERROR", _("单元格公式出错"), E,
                 _("单元格中的公式计算出错（如 #DIV/0!、#REF!）。"),
                 _("改正公式，或直接填写数值。")),
    BuiltInCheck("NUMBER_OUT_OF_BOUNDS", _("数值过大或过小"), E,
                 _("数值的数量级远超任何合理的统计数字。"),
                 _("检查单位和小数点位置。")),
    BuiltInCheck("NOT_INTEGER", _("应为整数"), E,
                 _("该数据项只能是整数（如个数、户数）。"),
                 _("填写整数。")),
    BuiltInCheck("NOT_ORDINAL", _("等级超出范围"), E,
                 _("该数据项是从 0 起的整数等级，填写值不是允许的等级。"),
                 _("按模板说明中的等级填写。")),
    BuiltInCheck("BELOW_MIN", _("低于允许范围"), E,
                 _("数值小于该数据项允许的最小值（例如比率为负）。"),
                 _("核对数值和单位。")),
    BuiltInCheck("ABOVE_MAX", _("高于允许范围"), E,
                 _("数值大于该数据项允许的最大值（例如百分比超过 100）。"),
                 _("核对数值和单位。")),
    BuiltInCheck("RULE_UNDEFINED", _("规则无法检查"), E,
                 _("下面的指标体系规则要用某个数据项做除数，而该数据项为零。"),
                 _("核对作除数的数据项；确实为零时请与审核员联系。")),
    BuiltInCheck("YOY_CHANGE", _("同比变化过大"), W,
                 _("数值与本地区上一年度审定值相比，变化超过该数据项设定的比例（默认 30%）。"),
                 _("核实数值；数值无误时在备注中说明变化的原因，否则不能提交。")),
    BuiltInCheck("OUTLIER", _("明显偏离其他地区"), W,
                 _("由数据算出的指标值与其他地区相差很大（修正 Z 值大于 3.5）。"),
                 _("核实数值；数值无误时在备注中说明原因，否则不能提交。")),
    BuiltInCheck("TOO_MANY_ROWS_FOR_MODEL", _("文件行数过多"), E,
                 _("文件的数据行远多于指标体系的数据项，不像是一份填报（例如整张表被重复粘贴）。"),
                 _("使用平台生成的模板，每个数据项填写一行。")),
    BuiltInCheck("MORE_OF_RULE", _("同类问题过多"), E,
                 _("同一条规则发现的问题超过 1,000 个，只列出前 1,000 个。"),
                 _("先改正列出的问题；它们通常出自同一个原因。")),
    BuiltInCheck("MORE_IN_VERSION", _("问题过多"), E,
                 _("一个版本发现的问题超过 5,000 个，只列出前 5,000 个。"),
                 _("检查文件是否为本地区本年度的模板，改正后重新上传。")),
)


def help_model() -> ModelVersion | None:
    """The model officers fill in now: the one of the latest cycle, else the latest version
    that is not a draft."""
    cycle = Cycle.objects.select_related("model_version").order_by("-year").first()
    if cycle is not None:
        return cycle.model_version
    return (ModelVersion.objects.exclude(state=ModelVersion.State.DRAFT)
            .order_by("-year", "-code").first())


def model_rules(version: ModelVersion | None) -> list[Rule]:
    return list(version.rules.order_by("order")) if version else []
