"""The upload template writer: the workbook read back with openpyxl. No database; the text is
gettext's, in the language the caller activates."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from submissions.template import (
    DATA_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    META_SHEET,
    TemplateRow,
    allowed_range_text,
    build_template,
)

D = Decimal
GENERATED_AT = datetime(2018, 3, 1, 2, 30, 15, tzinfo=UTC)  # 10:30 Beijing time


def row(code: str, kind: str = "number", **kwargs: object) -> TemplateRow:
    defaults: dict[str, object] = {
        "name_zh": f"数据项{code}", "name_en": f"Element {code}", "unit": "万人",
        "minimum": D(0), "minimum_exclusive": False, "maximum": None, "max_level": None,
        "range_note": "", "last_value": None, "value": None, "note": "",
    }
    defaults.update(kwargs)
    return TemplateRow(code=code, kind=kind, **defaults)  # type: ignore[arg-type]


# The level names of the 2017 model's ordinal elements (its file, indicators/data).
LEVELS_2017 = (("无", "none"), ("起步", "started"), ("基本健全", "largely in place"),
               ("健全", "complete"))

# A slice of the 2017 model: every kind and every shape of range.
ROWS = [
    row("P01", name_zh="常住人口", name_en="Resident population", minimum=D("0.000000"),
        minimum_exclusive=True, last_value=D("2170.7"), value=D("2171.3")),
    row("P03", "integer", name_zh="行政村数", name_en="Administrative villages", unit="个",
        minimum_exclusive=True, last_value=D("3937")),
    row("E101", name_zh="网民数量", name_en="Internet users", range_note="≤ P01",
        last_value=D("1690.12")),
    row("E102", name_zh="网上政务服务能力指数",
        name_en="Online government service capability index", unit="分",
        maximum=D("100.000000"), last_value=D("88.5"), note="口径同上年"),
    row("E403", "integer", name_zh="通宽带行政村数", name_en="Villages with broadband", unit="个",
        range_note="≤ P03"),
    row("E601", "ordinal", name_zh="信息化协调机制",
        name_en="Informatization coordination mechanism", unit="级", minimum=None, max_level=3,
        last_value=D("2"), value=D("3"), levels=LEVELS_2017),
]
CODES = [r.code for r in ROWS]
VALUE_COL, NOTE_COL = "F", "G"


def build(rows: list[TemplateRow] = ROWS, language: str = "zh-hans", **kwargs: object) -> bytes:
    """The workbook built under ``language``, as a view builds it under its request's."""
    arguments: dict[str, object] = {
        "region_code": "110000", "region_name": "北京市", "cycle_year": 2017,
        "model_version": "2017", "rows": rows, "generated_at": GENERATED_AT,
    }
    arguments.update(kwargs)
    with translation.override(language):
        return build_template(**arguments)  # type: ignore[arg-type]


def open_book(data: bytes) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def book() -> Workbook:
    return open_book(build())


@pytest.fixture(scope="module")
def sheet(book: Workbook) -> Worksheet:
    return book[DATA_SHEET]


def validations_by_cell(ws: Worksheet) -> dict[str, DataValidation]:
    found: dict[str, DataValidation] = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            for (r, c) in cell_range.cells:
                found[f"{openpyxl.utils.get_column_letter(c)}{r}"] = dv
    return found


# --- sheets and meta --------------------------------------------------------------------------


def test_it_writes_the_sheets_in_order(book: Workbook) -> None:
    assert book.sheetnames == [INSTRUCTIONS_SHEET, DATA_SHEET, META_SHEET]
    assert book.sheetnames == ["填报说明", "填报数据", "_meta"]
    assert book[INSTRUCTIONS_SHEET].sheet_state == "visible"
    assert book[DATA_SHEET].sheet_state == "visible"


def test_it_hides_the_meta_sheet_with_the_key_values(book: Workbook) -> None:
    meta_ws = book[META_SHEET]
    assert meta_ws.sheet_state == "hidden"
    meta = {key: value for key, value in meta_ws.iter_rows(values_only=True)}
    assert meta["region_code"] == "110000"
    assert meta["cycle"] == "2017"
    assert meta["model"] == "2017"
    assert meta["generated_at"] == "2018-03-01T02:30:15+00:00"
    assert meta["region_name"] == "北京市"
    assert meta["language"] == "zh-hans"
    # Every key and value is text: a region code must not come back as 110000.0.
    assert all(isinstance(v, str) for pair in meta.items() for v in pair)


def test_it_puts_region_and_cycle_in_the_titles(book: Workbook, sheet: Worksheet) -> None:
    assert sheet["A1"].value == "2017年度 北京市 信息化发展评价数据填报表"
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:G1"]  # above the header only
    instructions = book[INSTRUCTIONS_SHEET]
    assert instructions["A1"].value == "2017年度 北京市 信息化发展评价数据填报说明"


def test_it_explains_what_to_fill_in_the_instructions(book: Workbook) -> None:
    text = "\n".join(str(c) for c in book[INSTRUCTIONS_SHEET].iter_rows(values_only=True))
    for token in ("—", "-", "/", "无", "N/A"):
        assert token in text
    for fragment in (".xlsx", ".xls", ".ods", ".csv", "本年数值", "备注", "单位", "万人",
                     "110000", "2017", "2018-03-01 10:30（北京时间）", "撤销工作表保护",
                     "等级类数据项的“无”等级请填数字 0"):
        assert fragment in text, fragment
    # Deadline-free: the text names no date other than the generation time.
    assert "截止日期前" in text
    assert text.count("2018-") == 1


# --- the data sheet ---------------------------------------------------------------------------


def test_it_writes_the_header_row(sheet: Worksheet) -> None:
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header == ["代码", "名称", "单位", "允许范围", "上年审定值", "本年数值", "备注"]


def test_it_writes_one_row_per_element_with_codes_in_order(sheet: Worksheet) -> None:
    codes = [sheet.cell(row=r, column=1).value for r in range(FIRST_DATA_ROW, sheet.max_row + 1)]
    assert codes == CODES
    names = [sheet.cell(row=r, column=2).value for r in range(FIRST_DATA_ROW, sheet.max_row + 1)]
    assert names[0] == "常住人口"


def test_it_writes_last_values_and_current_values_as_numbers(sheet: Worksheet) -> None:
    by_code = {
        sheet.cell(row=r, column=1).value: [c.value for c in sheet[r]]
        for r in range(FIRST_DATA_ROW, sheet.max_row + 1)
    }
    assert by_code["P01"][4:7] == [2170.7, 2171.3, None]
    assert by_code["P03"][4] == 3937 and isinstance(by_code["P03"][4], int)
    assert by_code["E101"][4:6] == [1690.12, None]
    assert by_code["E102"][4:7] == [88.5, None, "口径同上年"]
    assert by_code["E403"][4:6] == [None, None]
    assert by_code["E601"][4:6] == [2, 3]
    for code in by_code:
        assert all(not isinstance(v, str) for v in by_code[code][4:6]), code


def test_it_writes_the_allowed_range_for_people(sheet: Worksheet) -> None:
    ranges = {
        sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=4).value
        for r in range(FIRST_DATA_ROW, sheet.max_row + 1)
    }
    assert ranges == {
        "P01": "> 0",
        "P03": "整数 > 0",
        "E101": "≥ 0，≤ P01",
        "E102": "0 – 100",
        "E403": "整数 ≥ 0，≤ P03",
        "E601": "等级 0–3（0 无，1 起步，2 基本健全，3 健全）",
    }


@pytest.mark.parametrize(
    ("template_row", "zh", "en"),
    [
        (row("X", minimum=None), "任意数值", "any number"),
        (row("X", "integer", minimum=None), "整数", "whole number"),
        (row("X", minimum=D(0), minimum_exclusive=True, maximum=D(100)), "> 0，≤ 100",
         "> 0, ≤ 100"),
        (row("X", minimum=None, maximum=D("1.50")), "≤ 1.5", "≤ 1.5"),
        (row("X", "ordinal", minimum=None, max_level=5), "等级 0–5", "level 0–5"),
        (row("X", "ordinal", minimum=None, max_level=3), "等级 0–3", "level 0–3"),
        (row("X", "ordinal", minimum=None, max_level=3, levels=LEVELS_2017),
         "等级 0–3（0 无，1 起步，2 基本健全，3 健全）",
         "level 0–3 (0 none, 1 started, 2 largely in place, 3 complete)"),
    ],
)
def test_it_describes_every_shape_of_range(template_row: TemplateRow, zh: str, en: str) -> None:
    with translation.override("zh-hans"):
        assert allowed_range_text(template_row) == zh
    with translation.override("en"):
        assert allowed_range_text(template_row) == en


def test_it_validates_the_value_cells_by_kind(sheet: Worksheet) -> None:
    dvs = validations_by_cell(sheet)
    cells = {code: f"{VALUE_COL}{FIRST_DATA_ROW + i}" for i, code in enumerate(CODES)}
    # Only the value cells carry a validation.
    assert set(dvs) == set(cells.values())

    p01 = dvs[cells["P01"]]
    assert (p01.type, p01.operator, p01.formula1) == ("decimal", "greaterThan", "0")
    p03 = dvs[cells["P03"]]
    assert (p03.type, p03.operator, p03.formula1) == ("whole", "greaterThan", "0")
    e101 = dvs[cells["E101"]]  # the cross-element bound is the platform's to check
    assert (e101.type, e101.operator, e101.formula1) == ("decimal", "greaterThanOrEqual", "0")
    e102 = dvs[cells["E102"]]
    assert (e102.type, e102.operator, e102.formula1, e102.formula2) == (
        "decimal", "between", "0", "100")
    e403 = dvs[cells["E403"]]
    assert (e403.type, e403.operator, e403.formula1) == ("whole", "greaterThanOrEqual", "0")
    e601 = dvs[cells["E601"]]
    assert (e601.type, e601.formula1) == ("list", '"0,1,2,3"')
    assert not e601.showDropDown  # in OOXML, showDropDown=True hides the arrow


def test_it_warns_rather_than_blocks_so_text_can_be_typed(sheet: Worksheet) -> None:
    """"１２．５" and "—" are valid input for the platform: Excel must let them through."""
    for dv in sheet.data_validations.dataValidation:
        assert dv.showErrorMessage is True
        assert dv.errorStyle == "warning"
        assert dv.allow_blank is True
        assert dv.showInputMessage is True
        assert dv.errorTitle == "超出允许范围"
        assert "允许范围为" in dv.error and "平台会统一校验" in dv.error
        assert len(dv.error) <= 255 and len(dv.errorTitle) <= 32
        assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32


def test_it_skips_validation_when_excel_has_nothing_to_check() -> None:
    data = build([row("X1", minimum=None), row("X2", minimum=D(1))])
    dvs = validations_by_cell(open_book(data)[DATA_SHEET])
    assert set(dvs) == {f"{VALUE_COL}{FIRST_DATA_ROW + 1}"}


def test_it_clips_long_names_to_the_excel_limits() -> None:
    long = row("X1", name_zh="很长" * 200, name_en="long " * 200)
    for language in ("zh-hans", "en"):
        ws = open_book(build([long], language=language))[DATA_SHEET]
        (dv,) = ws.data_validations.dataValidation
        assert len(dv.error) <= 255 and len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32


def test_it_protects_the_sheet_without_a_password(sheet: Worksheet) -> None:
    assert sheet.protection.sheet is True
    assert not sheet.protection.password
    assert sheet.protection.formatColumns is False  # widths may still be changed


def test_it_unlocks_only_the_value_and_note_cells(sheet: Worksheet) -> None:
    for r in range(1, sheet.max_row + 1):
        for cell in sheet[r]:
            unlocked = r >= FIRST_DATA_ROW and cell.column_letter in (VALUE_COL, NOTE_COL)
            assert cell.protection.locked is (not unlocked), cell.coordinate


def test_it_freezes_the_header_and_highlights_the_value_column(sheet: Worksheet) -> None:
    assert sheet.freeze_panes == f"A{FIRST_DATA_ROW}"
    value_fill = sheet[f"{VALUE_COL}{FIRST_DATA_ROW}"].fill.fgColor.rgb
    assert value_fill not in (None, "00000000")
    assert value_fill != sheet[f"B{FIRST_DATA_ROW}"].fill.fgColor.rgb
    header_fill = sheet[f"{VALUE_COL}{HEADER_ROW}"].fill.fgColor.rgb
    assert header_fill != sheet[f"A{HEADER_ROW}"].fill.fgColor.rgb
    assert sheet.column_dimensions["B"].width >= 30
    assert sheet.column_dimensions[VALUE_COL].width >= 15


def test_it_writes_no_formulas_anywhere(book: Workbook) -> None:
    for ws in book.worksheets:
        for line in ws.iter_rows():
            for cell in line:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"
                assert not (isinstance(cell.value, str) and cell.value.startswith("=")), (
                    f"{ws.title}!{cell.coordinate}")


# --- English ----------------------------------------------------------------------------------


def test_it_writes_the_english_variant() -> None:
    book = open_book(build(language="en"))
    assert book.sheetnames == ["填报说明", "填报数据", "_meta"]  # the reader looks for 填报数据
    ws = book[DATA_SHEET]
    assert [c.value for c in ws[HEADER_ROW]] == [
        "Code", "Name", "Unit", "Allowed range", "Last year (approved)", "Value", "Note",
    ]
    assert ws["A1"].value == "2017 informatization development evaluation data form — 北京市"
    assert ws[f"B{FIRST_DATA_ROW}"].value == "Resident population"
    assert ws[f"C{FIRST_DATA_ROW}"].value == "10,000 persons"
    assert ws[f"D{FIRST_DATA_ROW + 1}"].value == "whole number > 0"
    assert ws[f"D{FIRST_DATA_ROW + 2}"].value == "≥ 0, ≤ P01"
    dv = validations_by_cell(ws)[f"{VALUE_COL}{FIRST_DATA_ROW}"]
    assert dv.errorTitle == "Outside the allowed range"
    meta = dict(book[META_SHEET].iter_rows(values_only=True))
    assert meta["language"] == "en"
    text = "\n".join(str(c) for c in book[INSTRUCTIONS_SHEET].iter_rows(values_only=True))
    assert "Unprotect Sheet" in text and "N/A" in text and "(Beijing time)" in text


def test_it_reads_en_us_as_english() -> None:
    ws = open_book(build(language="en-us"))[DATA_SHEET]
    assert ws["F2"].value == "Value"


CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# Input, the same in both languages: the data sheet's name (the reader looks for it) and the
# "no value" token 无.
INPUT_WORDS = ("填报数据", "无")


def test_it_writes_no_chinese_in_the_english_variant() -> None:
    book = open_book(build(language="en", region_name="Beijing"))
    instructions = [str(c) for row in book[INSTRUCTIONS_SHEET].iter_rows(values_only=True)
                    for c in row if c is not None]
    ws = book[DATA_SHEET]
    texts = instructions + [str(c.value) for r in (1, HEADER_ROW) for c in ws[r] if c.value]
    texts += [str(ws.cell(row=r, column=col).value) for r in range(FIRST_DATA_ROW, ws.max_row + 1)
              for col in (2, 3, 4)]
    for dv in ws.data_validations.dataValidation:
        texts += [dv.error, dv.errorTitle, dv.prompt, dv.promptTitle]
    left = []
    for text in texts:
        for word in INPUT_WORDS:
            text = text.replace(word, "")
        if CHINESE.search(text):
            left.append(text)
    assert not left, left
    assert book.properties.language == "en"


# --- determinism and refusals -----------------------------------------------------------------


def test_it_gives_the_same_bytes_for_the_same_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    first = build()
    # Another wall-clock time must not change a byte: zip entry dates and document properties
    # come from generated_at.
    import time as time_module

    real = time_module.time
    monkeypatch.setattr(time_module, "time", lambda: real() + 86_400 * 400)
    assert build() == first
    assert build(generated_at=GENERATED_AT + timedelta(seconds=2)) != first


def test_it_dates_the_file_with_the_generation_time() -> None:
    data = build()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2018, 3, 1, 10, 30, 14)}
    book = open_book(data)
    assert book.properties.created == datetime(2018, 3, 1, 2, 30, 15)
    assert book.properties.modified == datetime(2018, 3, 1, 2, 30, 15)


def test_it_takes_a_naive_time_as_beijing_time() -> None:
    naive = datetime(2018, 3, 1, 10, 30)
    book = open_book(build(generated_at=naive))
    text = "\n".join(str(c) for c in book[INSTRUCTIONS_SHEET].iter_rows(values_only=True))
    assert "2018-03-01 10:30" in text and "北京时间" not in text
    aware = datetime(2018, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=8)))
    assert dict(open_book(build(generated_at=aware))[META_SHEET].iter_rows(values_only=True))[
        "generated_at"] == "2018-03-01T10:30:00+08:00"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([row("X", "text")], "unknown kind"),
        ([row("X", "ordinal", max_level=None)], "max_level"),
        ([row("X"), row("X")], "twice"),
    ],
)
def test_it_refuses_rows_it_cannot_describe(rows: list[TemplateRow], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build(rows)


def test_it_writes_an_empty_template() -> None:
    ws = open_book(build([]))[DATA_SHEET]
    assert ws.cell(row=HEADER_ROW, column=1).value == "代码"
    assert ws.max_row == HEADER_ROW


# --- the reader reads what the writer writes --------------------------------------------------


def test_it_is_read_back_by_the_upload_reader() -> None:
    from readers import TEMPLATE_FIELDS, read_table, read_template_meta

    data = build()
    table = read_table(data, "template.xlsx", fields=TEMPLATE_FIELDS)
    assert table.sheet == DATA_SHEET
    assert table.header_row == HEADER_ROW
    assert table.columns == {"code": "A", "value": "F", "note": "G"}
    assert [r.cells["code"].value for r in table.rows] == CODES
    assert [r.cells["value"].value for r in table.rows] == [2171.3, None, None, None, None, 3]
    assert table.rows[3].cells["note"].value == "口径同上年"
    meta = read_template_meta(data)
    assert meta is not None
    assert (meta["region_code"], meta["cycle"], meta["model"]) == ("110000", "2017", "2017")

    english = read_table(build(language="en"), "template.xlsx", fields=TEMPLATE_FIELDS)
    assert [r.cells["code"].value for r in english.rows] == CODES
