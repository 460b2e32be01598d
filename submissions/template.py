"""The upload template (填报模板): one .xlsx per region and cycle, written with openpyxl.

Plain ``TemplateRow`` dataclasses in, the bytes of the workbook out; no database. The text is
gettext's, in the language the caller activates (``translation.override``; a request's own
language in the view, ``submissions.views.template_download``, which builds the rows from the
model); the element names and units are data, read through ``common.i18n``.

The workbook:

* sheet 1 "填报说明" — instructions: what to fill, units, the "no value" tokens, the file
  formats accepted, how the checks work; the region and cycle in its title. No deadline date:
  the text stays true if the administrators move the deadline.
* sheet 2 "填报数据" — the data sheet (the reader picks this name first): a title in row 1
  (merged across the seven columns *above* the header, so the reader's merged-cell check of the
  data area never sees it), the header in row 2, one row per element from row 3, in the order
  given. Columns: 代码 | 名称 | 单位 | 允许范围 | 上年审定值 | 本年数值 | 备注 (Code ... Value, Note
  in English: the reader accepts ``code``, ``value`` and ``note``, so those three translations
  are part of the file format). The sheet names stay Chinese in both languages because the
  reader looks for "填报数据".
* a hidden sheet "_meta": key/value rows (region_code, region_name, cycle, model, generated_at,
  language, template_version), read back by ``readers.read_template_meta`` to catch
  another region's template.

Decisions:

* **Data validation warns, it does not block.** Numbers get a ``decimal`` rule, counts a
  ``whole`` rule, ordinal elements a ``0,1,…,M`` list, each with the static bounds, an input
  prompt and an error message naming the allowed range. The error style is ``warning``: Excel
  asks "continue?" and keeps the entry when the user says yes. A ``stop`` style would refuse
  text that the platform accepts and parses (``１２．５``, ``1,234``, ``—`` for "no value",
  ``72%``); ``information`` would be too easy to click past for a real typo. The platform's
  validation on upload is the authority either way. What Excel cannot express is left to the
  platform: an exclusive minimum together with a maximum (the rule uses an inclusive
  ``between``), cross-element bounds (``≤ P01``, shown as text in 允许范围) and elements without
  any static bound (no rule).
* **Protection without a password**: the data sheet is protected so that headers, codes and
  last year's values are not changed by accident; the value and note cells are unlocked, and
  resizing rows and columns stays allowed. No password, so an officer who needs to can use
  审阅 → 撤销工作表保护. The "_meta" sheet is protected the same way.
* **Numbers as numbers**: Decimal values are written as numeric cells (``int`` when whole, else
  ``float``: a cell holds a double anyway), never as text, with the General format so the cell
  shows what it holds.
* **Deterministic**: the same inputs give the same bytes. The document properties take
  ``generated_at`` instead of "now", and the zip entries are rewritten with ``generated_at`` as
  their timestamp (openpyxl stamps them with the current time).
* Times shown to people are Beijing time (UTC+8, no daylight saving since 1991); a naive
  ``generated_at`` is taken as already in Beijing time. The "_meta" sheet keeps the ISO form
  of the value given.
* No formulas anywhere: every cell is a literal, and every text cell goes through
  ``common.exports.escape_formula`` (an officer's note ``=HYPERLINK(...)``, a name from the
  model): text that starts like a formula gets an apostrophe in front. The upload's reader
  takes it off again (``submissions.rules.parse_rows``), so a note survives the round trip.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from common.exports import escape_formula
from common.i18n import language_code, pick
from indicators.units import UNIT_NOTES, unit_en

__all__ = [
    "DATA_SHEET",
    "FIRST_DATA_ROW",
    "HEADER_ROW",
    "INSTRUCTIONS_SHEET",
    "META_SHEET",
    "TEMPLATE_VERSION",
    "TemplateRow",
    "allowed_range_text",
    "build_template",
]

# The sheet names are part of the file format (the reader looks for 填报数据), the same in
# both languages.
INSTRUCTIONS_SHEET: Final = "填报说明"
DATA_SHEET: Final = "填报数据"
META_SHEET: Final = "_meta"
TEMPLATE_VERSION: Final = "1"

TITLE_ROW: Final = 1
HEADER_ROW: Final = 2
FIRST_DATA_ROW: Final = 3

# The reader recognises the English "Code", "Value" and "Note" (and the Chinese headers): their
# translations are part of the file format.
HEADERS: Final = (
    pgettext_lazy("template header", "代码"),
    pgettext_lazy("template header", "名称"),
    pgettext_lazy("template header", "单位"),
    pgettext_lazy("template header", "允许范围"),
    pgettext_lazy("template header", "上年审定值"),
    pgettext_lazy("template header", "本年数值"),
    pgettext_lazy("template header", "备注"),
)
# Column positions (1-based), in the order of HEADERS.
COL_CODE, COL_NAME, COL_UNIT, COL_RANGE, COL_LAST, COL_VALUE, COL_NOTE = range(1, 8)
_WIDTHS: Final = (10, 40, 12, 34, 18, 18, 40)

KINDS: Final = ("number", "integer", "ordinal")
# What an officer may type for "no value" (submissions.values): input, the same in both
# languages.
NO_VALUE_TOKENS: Final = ("—", "-", "/", "无", "N/A")

# Excel's limits on data-validation texts.
_MAX_TITLE: Final = 32
_MAX_MESSAGE: Final = 255

_BEIJING: Final = timezone(timedelta(hours=8))

_THIN = Side(style="thin", color="FFBFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="FFD9E1F2")
_VALUE_HEADER_FILL = PatternFill("solid", fgColor="FFFFD966")
_VALUE_FILL = PatternFill("solid", fgColor="FFFFF2CC")
_LOCKED_FILL = PatternFill("solid", fgColor="FFF2F2F2")
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class TemplateRow:
    """One data element of the template."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    kind: str  # "number" | "integer" | "ordinal"
    minimum: Decimal | None
    minimum_exclusive: bool
    maximum: Decimal | None  # static bounds only; cross-element bounds come in range_note
    max_level: int | None  # ordinal
    range_note: str  # extra text for the "allowed range" column, e.g. "≤ P01"
    last_value: Decimal | None  # last cycle's approved value
    value: Decimal | None  # this cycle's current value, if any (pre-filled)
    note: str
    # An ordinal element's level names from the model, level 0 first, as (Chinese, English);
    # without them a level is shown by its number.
    levels: tuple[tuple[str, str], ...] = ()


def _num(value: Decimal | int) -> str:
    """A bound as people read it: 0, 100, 0.5 (the database gives Decimal("100.000000"))."""
    d = Decimal(value).normalize()
    return format(abs(d) if d.is_zero() else d, "f")


def _cell_number(value: Decimal) -> int | float:
    # A numeric cell, never text; whole numbers as int so Excel shows 110000, not 110000.0.
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    return float(value)


def _join(parts: Sequence[str]) -> str:
    return pgettext("list separator", "，").join(parts)


def _level_names(row: TemplateRow) -> list[str]:
    """The row's level names in the active language; none unless the model names them all."""
    if len(row.levels) != _max_level(row) + 1:
        return []
    return [pick(zh, en) for zh, en in row.levels]


def _levels_text(row: TemplateRow) -> str:
    max_level = _max_level(row)
    names = _level_names(row)
    if not names:
        return _("等级 0–{top}").format(top=max_level)
    listed = _join([f"{i} {name}" for i, name in enumerate(names)])
    return _("等级 0–{top}（{names}）").format(top=max_level, names=listed)


def _bounds_text(row: TemplateRow) -> list[str]:
    low, high = row.minimum, row.maximum
    if low is not None and high is not None and not row.minimum_exclusive:
        return [f"{_num(low)} – {_num(high)}"]
    parts = []
    if low is not None:
        parts.append(f"{'>' if row.minimum_exclusive else '≥'} {_num(low)}")
    if high is not None:
        parts.append(f"≤ {_num(high)}")
    return parts


def allowed_range_text(row: TemplateRow) -> str:
    """The human-readable allowed range, in the active language: "> 0", "0 – 100",
    "整数 ≥ 0，≤ P01", "等级 0–3（0 无，1 起步，2 基本健全，3 健全）"; in English
    "whole number ≥ 0, ≤ P01"."""
    parts = [_levels_text(row)] if row.kind == "ordinal" else _bounds_text(row)
    if row.range_note.strip():
        parts.append(row.range_note.strip())
    text = _join(parts)
    if row.kind == "integer":
        return _("整数 {range}").format(range=text) if text else pgettext("range", "整数")
    return text or _("任意数值")


def _max_level(row: TemplateRow) -> int:
    if row.max_level is None or row.max_level < 1:
        raise ValueError(f"ordinal element {row.code} needs a max_level of 1 or more")
    return row.max_level


def _check_rows(rows: Sequence[TemplateRow]) -> None:
    seen: set[str] = set()
    for row in rows:
        if row.kind not in KINDS:
            raise ValueError(f"element {row.code}: unknown kind {row.kind!r}; use one of {KINDS}")
        if row.kind == "ordinal":
            _max_level(row)
        if row.code in seen:
            raise ValueError(f"element {row.code} appears twice in the template rows")
        seen.add(row.code)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(row: TemplateRow) -> str:
    return pick(row.name_zh, row.name_en)


def _unit(unit: str) -> str:
    return pick(unit, unit_en(unit))


# --- data validation --------------------------------------------------------------------------


def _rule(row: TemplateRow) -> DataValidation | None:
    """The Excel rule of one value cell, without its texts; None when Excel cannot check
    anything useful."""
    if row.kind == "ordinal":
        levels = ",".join(str(i) for i in range(_max_level(row) + 1))
        return DataValidation(type="list", formula1=f'"{levels}"', allow_blank=True)
    kind = "whole" if row.kind == "integer" else "decimal"
    low, high = row.minimum, row.maximum
    if low is not None and high is not None:
        # Excel's "between" is inclusive: an exclusive minimum with a maximum is left to
        # the platform's own check.
        return DataValidation(type=kind, operator="between", formula1=_num(low),
                              formula2=_num(high), allow_blank=True)
    if low is not None:
        operator = "greaterThan" if row.minimum_exclusive else "greaterThanOrEqual"
        return DataValidation(type=kind, operator=operator, formula1=_num(low), allow_blank=True)
    if high is not None:
        return DataValidation(type=kind, operator="lessThanOrEqual", formula1=_num(high),
                              allow_blank=True)
    return None


def _validation(row: TemplateRow) -> DataValidation | None:
    """The Excel rule for one value cell with its warning and prompt, or None."""
    dv = _rule(row)
    if dv is None:
        return None
    allowed = allowed_range_text(row)
    params = {"code": row.code, "name": _name(row), "allowed": allowed,
              "unit": _unit(row.unit)}
    dv.showErrorMessage = True
    dv.errorStyle = "warning"
    dv.errorTitle = _clip(_("超出允许范围"), _MAX_TITLE)
    dv.error = _clip(_("{code} {name}：允许范围为 {allowed}。如填写的是“—”（无数值）或全角数字"
                       "等文字，请点“是”保留；上传后平台会统一校验。").format(**params),
                     _MAX_MESSAGE)
    dv.showInputMessage = True
    dv.promptTitle = _clip(f"{row.code} {params['name']}", _MAX_TITLE)
    dv.prompt = _clip(_("单位：{unit}；允许范围：{allowed}").format(**params), _MAX_MESSAGE)
    return dv


# --- sheets -----------------------------------------------------------------------------------


def _beijing(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(_BEIJING)


def _title(region_name: str, cycle_year: int, *, instructions: bool) -> str:
    if instructions:
        text = _("{year}年度 {region} 信息化发展评价数据填报说明")
    else:
        text = _("{year}年度 {region} 信息化发展评价数据填报表")
    return text.format(year=cycle_year, region=region_name)


# The instruction sheet, line by line: (style, text); the text is a gettext message whose
# {placeholders} _instruction_lines fills.
_FILL_IN: Final = (
    ("head", gettext_lazy("一、填写什么")),
    ("text", gettext_lazy("• 在“{sheet}”工作表的“本年数值”列（黄色）填写每个数据项本年度的数值；"
                          "数值变化较大、统计口径调整、数据来源等需要说明的，写在“备注”列。")),
    ("text", gettext_lazy("• 其他列（代码、名称、单位、允许范围、上年审定值）由平台生成并已锁定，"
                          "请勿修改；请勿增删行或调整行序，平台按“代码”列识别数据项。")),
    ("text", gettext_lazy("• 按“单位”列的单位填写数字，不要写其他单位；百分比数据项填 12.5 或 "
                          "12.5% 均表示 12.5%。")),
    ("text", gettext_lazy("• 可以输入全角数字（如“１２．５”）和千位分隔符（如“1,234”）。")),
)
_NO_VALUE: Final = gettext_lazy("• 暂无数据时留空，或填写 {tokens} 之一，表示“无数值”。")
_NO_VALUE_ORDINAL: Final = gettext_lazy(
    "• 暂无数据时留空，或填写 {tokens} 之一，表示“无数值”。等级类数据项的“无”等级请填数字 0；"
    "填写文字“无”表示无数值。")
_CHECKS_AND_UPLOAD: Final = (
    ("text", gettext_lazy("• 使用公式时以公式的计算结果为准，请在 Excel 中保存后再上传。")),
    ("head", gettext_lazy("二、校验")),
    ("text", gettext_lazy("• 选中数值单元格时会显示允许范围；超出范围时 Excel 会提示，但仍可保留"
                          "输入（以便填写“—”等文字）。所有数值以上传后平台的校验为准：错误须改正后"
                          "才能提交；警告（如与上年审定值相比变化较大）须在平台上说明原因。")),
    ("text", gettext_lazy("• 允许范围中的“≤ P01”等表示不得超过另一数据项（如网民数量不超过常住"
                          "人口）。")),
    ("head", gettext_lazy("三、上传")),
    ("text", gettext_lazy("• 可上传本模板（.xlsx），也可上传 .xls、.ods 或 .csv 文件，只要表头中有"
                          "“代码”和“本年数值”两列（或 code、value）；CSV 文件可为 UTF-8 或 "
                          "GB18030/GBK 编码。")),
    ("text", gettext_lazy("• 请在平台显示的本周期截止日期前上传并提交。")),
    ("text", gettext_lazy("• 本模板仅用于{region}，上传其他地区的模板将被拒绝。")),
    ("text", gettext_lazy("• 工作表保护未设密码：如需调整格式，可使用“审阅”→“撤销工作表保护”。")),
)


def _instruction_lines(
    *, region_code: str, region_name: str, cycle_year: int, model_version: str,
    rows: Sequence[TemplateRow], generated_at: datetime,
) -> list[tuple[str, str]]:
    when = _beijing(generated_at).strftime("%Y-%m-%d %H:%M")
    if generated_at.tzinfo is not None:
        when = _("{time}（北京时间）").format(time=when)
    has_ordinal = any(row.kind == "ordinal" for row in rows)
    params = {"region": region_name, "code": region_code, "year": cycle_year,
              "model": model_version, "when": when, "sheet": DATA_SHEET,
              "tokens": pgettext("enumeration separator", "、").join(NO_VALUE_TOKENS)}
    note = _("地区：{region}（代码 {code}）；填报周期：{year}年度；指标体系：{model} 版；"
             "模板生成时间：{when}。")
    lines: list[tuple[str, str | Promise]] = [("note", note)]
    lines += [*_FILL_IN, ("text", _NO_VALUE_ORDINAL if has_ordinal else _NO_VALUE),
              *_CHECKS_AND_UPLOAD]
    result = [(style, str(text).format(**params)) for style, text in lines]
    units = list(dict.fromkeys(row.unit for row in rows if row.unit))
    if units:
        result.append(("head", _("四、单位说明")))
        result += [("text", _unit_line(unit)) for unit in units]
    level_lines = _level_lines(rows)
    if level_lines:
        result.append(("head", _("五、等级说明")))
        result += level_lines
    return result


def _level_lines(rows: Sequence[TemplateRow]) -> list[tuple[str, str]]:
    """The level names of the model's ordinal elements: once when they all share the same
    names, otherwise element by element."""
    named = [row for row in rows if row.kind == "ordinal" and _level_names(row)]
    if not named:
        return []
    if len({row.levels for row in named}) == 1:
        return [("text", _("• {level}：{name}").format(level=i, name=name))
                for i, name in enumerate(_level_names(named[0]))]
    return [("text", _("• {code} {element}：{names}").format(
        code=row.code, element=_name(row),
        names=_join([f"{i} {name}" for i, name in enumerate(_level_names(row))])))
        for row in named]


def _unit_line(unit: str) -> str:
    note = UNIT_NOTES.get(unit)
    if note is None:
        return f"• {_unit(unit)}"
    return _("• {unit}：{note}").format(unit=_unit(unit), note=note)


def _instructions(ws: Worksheet, title: str, lines: Sequence[tuple[str, str]]) -> None:
    ws.column_dimensions["A"].width = 110
    cell = ws.cell(row=1, column=1, value=escape_formula(title))
    cell.font = Font(bold=True, size=14)
    ws.row_dimensions[1].height = 28
    for offset, (style, text) in enumerate(lines, start=2):
        cell = ws.cell(row=offset, column=1, value=escape_formula(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if style == "head":
            cell.font = Font(bold=True, size=12)
        elif style == "note":
            cell.font = Font(color="FF595959")


def _header(ws: Worksheet, title: str) -> None:
    last_col = get_column_letter(len(HEADERS))
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    cell = ws.cell(row=TITLE_ROW, column=1, value=escape_formula(title))
    cell.font = Font(bold=True, size=14)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 30

    for col, text in enumerate(HEADERS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=str(text))
        cell.font = Font(bold=True)
        cell.fill = _VALUE_HEADER_FILL if col == COL_VALUE else _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BORDER
    ws.row_dimensions[HEADER_ROW].height = 22
    for col, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _data_row(ws: Worksheet, r: int, row: TemplateRow) -> None:
    cells = {
        COL_CODE: row.code,
        COL_NAME: _name(row),
        COL_UNIT: _unit(row.unit),
        COL_RANGE: allowed_range_text(row),
        COL_LAST: None if row.last_value is None else _cell_number(row.last_value),
        COL_VALUE: None if row.value is None else _cell_number(row.value),
        COL_NOTE: row.note or None,
    }
    for col, value in cells.items():
        cell = ws.cell(row=r, column=col, value=escape_formula(value))
        cell.border = _BORDER
        cell.alignment = _CENTER if col in (COL_CODE, COL_UNIT) else _WRAP
        if col == COL_VALUE:
            cell.fill = _VALUE_FILL
            cell.protection = _UNLOCKED
        elif col == COL_NOTE:
            cell.protection = _UNLOCKED
        else:
            cell.fill = _LOCKED_FILL
    dv = _validation(row)
    if dv is not None:
        dv.add(f"{get_column_letter(COL_VALUE)}{r}")
        ws.add_data_validation(dv)


def _data_sheet(ws: Worksheet, title: str, rows: Sequence[TemplateRow]) -> None:
    _header(ws, title)
    for index, row in enumerate(rows):
        _data_row(ws, FIRST_DATA_ROW + index, row)
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.sheet_view.zoomScale = 100
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _protect(ws)


def _protect(ws: Worksheet) -> None:
    # Sheet protection only, no password (see the module docstring); resizing stays allowed
    # (in OOXML, False on these flags means "not protected").
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _meta(
    ws: Worksheet, *, region_code: str, region_name: str, cycle_year: int, model_version: str,
    generated_at: datetime,
) -> None:
    pairs = (
        ("region_code", region_code),
        ("region_name", region_name),
        ("cycle", str(cycle_year)),
        ("model", model_version),
        ("generated_at", generated_at.isoformat(timespec="seconds")),
        ("language", language_code()),
        ("template_version", TEMPLATE_VERSION),
    )
    for r, (key, value) in enumerate(pairs, start=1):
        ws.cell(row=r, column=1, value=key)
        # Text, so that a region code keeps its exact form ("110000", never 110000.0).
        ws.cell(row=r, column=2, value=escape_formula(value)).number_format = "@"
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 30
    ws.sheet_state = "hidden"
    _protect(ws)


# --- the workbook -----------------------------------------------------------------------------


def build_template(
    *,
    region_code: str,
    region_name: str,
    cycle_year: int,
    model_version: str,
    rows: Sequence[TemplateRow],
    generated_at: datetime,
) -> bytes:
    """The template workbook of one region and cycle, as .xlsx bytes (see the module docstring),
    in the active language: the caller activates it (``translation.override``), as a view
    does for its request. ``region_name`` is given in that language too.

    Raises ValueError for rows the template cannot describe (unknown kind, an ordinal element
    without max_level, a code given twice)."""
    _check_rows(rows)
    wb = _workbook(region_code=region_code, region_name=region_name, cycle_year=cycle_year,
                       model_version=model_version, rows=rows, generated_at=generated_at)
    raw = io.BytesIO()
    # ExcelWriter rather than wb.save(): save() stamps the "modified" property with now.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return _restamp(raw.getvalue(), _beijing(generated_at))


def _workbook(
    *, region_code: str, region_name: str, cycle_year: int, model_version: str,
    rows: Sequence[TemplateRow], generated_at: datetime,
) -> Workbook:
    wb = Workbook()
    instructions = wb.active
    assert instructions is not None
    instructions.title = INSTRUCTIONS_SHEET
    lines = _instruction_lines(region_code=region_code, region_name=region_name,
                               cycle_year=cycle_year, model_version=model_version, rows=rows,
                               generated_at=generated_at)
    _instructions(instructions, _title(region_name, cycle_year, instructions=True), lines)
    title = _title(region_name, cycle_year, instructions=False)
    _data_sheet(wb.create_sheet(DATA_SHEET), title, rows)
    _meta(wb.create_sheet(META_SHEET), region_code=region_code, region_name=region_name,
          cycle_year=cycle_year, model_version=model_version, generated_at=generated_at)

    utc = generated_at if generated_at.tzinfo is None else generated_at.astimezone(UTC)
    props = wb.properties
    props.creator = _("信息化发展评价数据填报平台")
    props.lastModifiedBy = props.creator
    props.title = title
    props.created = props.modified = utc.replace(tzinfo=None, microsecond=0)
    props.language = language_code()
    return wb


def _restamp(data: bytes, when: datetime) -> bytes:
    """The same zip with every entry dated ``when``: zipfile dates entries with the current
    time, which would make two downloads of the same template differ."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever platform writes the file
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()
