"""The words of the readers' refusals (submissions/reader_messages.py), in both languages.

The texts are the ones the platform has always shown; the files are built as in tests/readers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import openpyxl
import pytest
from django.utils import translation

from readers import BULK_FIELDS, Detail, FileRejected, RuleCode, read_table
from submissions.reader_messages import (
    ANY_DETAIL,
    DETAILS,
    SENTENCES,
    file_rejected_message,
    file_rejected_texts,
)
from tests.readers.helpers import (
    BILLION_LAUGHS,
    part,
    rejected,
    rezip,
    sample,
    simple_sheet,
    template_sheet_path,
    xlsx,
)

IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def test_it_has_a_sentence_for_every_rule_code() -> None:
    missing = [code for code in RuleCode
               if (code, None) not in SENTENCES and (code, ANY_DETAIL) not in SENTENCES]
    assert not missing


def test_it_words_every_detail() -> None:
    """A detail is either a phrase put into its rule's sentence, or a sentence of its own."""
    own_sentence = {detail for _code, detail in SENTENCES if isinstance(detail, Detail)}
    assert not own_sentence & set(DETAILS)
    assert set(Detail) == own_sentence | set(DETAILS)


# The rule whose sentence takes each phrase.
PHRASE_RULES = {
    RuleCode.FILE_NOT_SPREADSHEET: {
        Detail.WINDOWS_PROGRAM, Detail.LINUX_PROGRAM, Detail.PROGRAM, Detail.PDF, Detail.IMAGE,
        Detail.ARCHIVE, Detail.RTF, Detail.WORD, Detail.POWERPOINT, Detail.PLAIN_ZIP,
        Detail.OTHER_OPENDOCUMENT,
    },
    RuleCode.FILE_ZIP_BOMB: {
        Detail.UNCOMPRESSED_LIMIT, Detail.INFLATES_PAST_SIZE, Detail.TOO_MANY_ENTRIES,
        Detail.INFLATED_SIZE, Detail.COMPRESSION_RATIO,
    },
    RuleCode.NO_HEADER: {
        Detail.IN_TEXT, Detail.NO_VISIBLE_SHEET, Detail.IN_ONE_SHEET, Detail.IN_ANY_SHEET,
    },
}
PARAMS = {"method": 14, "part": "xl/workbook.xml", "entries": 6000, "megabytes": 300,
          "rows": 30, "fields": [("code", "element_code"), ("value",)]}


def _rule_of(detail: Detail) -> RuleCode:
    for code, details in PHRASE_RULES.items():
        if detail in details:
            return code
    return RuleCode.FILE_CORRUPT


@pytest.mark.parametrize("detail", sorted(DETAILS))
def test_it_renders_every_phrase_in_both_languages(detail: Detail) -> None:
    rejection = FileRejected(_rule_of(detail), detail=detail, params=PARAMS, sheet="Data")
    zh, en = file_rejected_texts(rejection)
    assert IDEOGRAPH.search(zh)
    assert not IDEOGRAPH.search(en), en
    assert "{" not in zh + en


def test_it_renders_in_the_active_language() -> None:
    rejection = FileRejected(RuleCode.FILE_EMPTY)
    with translation.override("en"):
        assert file_rejected_message(rejection) == (
            "The file is empty; check that you picked the right file")
    with translation.override("zh-hans"):
        assert file_rejected_message(rejection) == "文件是空的，没有任何内容；请检查是否选错了文件"


# --- the texts, from real files ----------------------------------------------------------------


def _hidden_header_sheet(workbook: openpyxl.Workbook) -> None:
    workbook.active.append(["说明"])
    workbook.create_sheet("其他").append(["x"])


def _too_many_rows() -> bytes:
    return b"code,value\n" + b"".join(b"P%d,%d\n" % (i, i) for i in range(20))


CASES: list[tuple[str, Callable[[], FileRejected], str, str]] = [
    (
        "no header, one sheet",
        lambda: rejected(simple_sheet([["x"]] * 30 + [["代码", "数值"]])),
        "未找到表头：工作表“填报数据”的前 30 行中没有一行同时包含“代码”列（"
        "可写作：代码、数据项代码、"
        "指标代码、code、element_code）和“本年数值”列（可写作：本年数值、数值、值、value）；请使用平台"
        "模板，或在数据上方加一行这样的表头后重新上传",
        'No header row found: none of the first 30 rows of sheet "填报数据" names all of the '
        'columns "代码" (代码, 数据项代码, 指标代码, code, element_code) and "本年数值" (本年数值, '
        "数值, 值, value); use the platform's template or add such a header row above the data "
        "and upload again",
    ),
    (
        "no header, bulk csv",
        lambda: rejected(b"a,b\n1,2\n", "x.csv", fields=BULK_FIELDS),
        "未找到表头：文件的前 30 行中没有一行同时包含“region_code”列（"
        "可写作：region_code、地区代码、"
        "地区、region）和“element_code”列（可写作：element_code、代码、数据项代码、code）和“value”列"
        "（可写作：value、数值、本年数值）；请使用平台模板，或在数据上方加一行这样的表头后重新上传",
        "No header row found: none of the first 30 rows of the file names all of the columns "
        '"region_code" (region_code, 地区代码, 地区, region) and "element_code" (element_code, '
        '代码, 数据项代码, code) and "value" (value, 数值, 本年数值); use the platform\'s template '
        "or add such a header row above the data and upload again",
    ),
    (
        "no header, several sheets",
        lambda: rejected(xlsx(_hidden_header_sheet)),
        "未找到表头：各个可见工作表的前 30 行中没有一行同时包含“代码”列（可写作：代码、数据项代码、"
        "指标代码、code、element_code）和“本年数值”列（可写作：本年数值、数值、值、value）；请使用平台"
        "模板，或在数据上方加一行这样的表头后重新上传",
        "No header row found: none of the first 30 rows of any visible sheet names all of the "
        'columns "代码" (代码, 数据项代码, 指标代码, code, element_code) and "本年数值" (本年数值, '
        "数值, 值, value); use the platform's template or add such a header row above the data "
        "and upload again",
    ),
    (
        "duplicate header",
        lambda: rejected(simple_sheet([["代码", "数值", "本年数值"], ["P01", 1, 2]])),
        "工作表“填报数据”第 1 行的表头中有 2 列都表示“本年数值”（B 列“数值”、C 列“本年数值”）；"
        "请删除多余的列或修改其列名后重新上传",
        'The header (row 1 of sheet "填报数据") has 2 columns meaning "本年数值" (column B '
        '"数值", column C "本年数值"); delete or rename the extra ones and upload again',
    ),
    (
        "merged cells",
        lambda: rejected(sample("merged_data.xlsx")),
        "工作表“填报数据”的数据区域中有合并单元格（C3:C4），无法确定数值属于哪一行；请取消合并后"
        "重新上传",
        'The data area of sheet "填报数据" has merged cells (C3:C4), so it is not clear which '
        "row a value belongs to; unmerge them and upload again",
    ),
    (
        "formula without a value",
        lambda: rejected(simple_sheet([["代码", "数值"], ["P01", 1], ["P02", "=B2*2"]])),
        "工作表“填报数据”B3 单元格是公式但没有计算结果（文件可能由程序生成而未经 Excel 计算）；"
        "请在 Excel 中打开并保存后重新上传",
        'Cell B3 of sheet "填报数据" holds a formula without a calculated result (the file was '
        "probably written by a program and never calculated); open it in Excel, save it and "
        "upload it again",
    ),
    (
        "too many rows",
        lambda: rejected(_too_many_rows(), "x.csv", max_rows=19),
        "数据行数超过上限 19 行（在第 21 行处超出）；请拆分文件后分别上传",
        "More than 19 data rows (the limit was passed at row 21); split the file and upload "
        "the parts",
    ),
    (
        "too large",
        lambda: rejected(b"x" * 3000, "x.csv", max_bytes=1000),
        "文件过大（0.00286 MB），上限为 0.000954 MB；请删除无关的工作表、图片或多余行后重新上传",
        "The file is too large (0.00286 MB; the limit is 0.000954 MB); remove unrelated sheets, "
        "pictures or extra rows and upload it again",
    ),
    (
        "a pdf",
        lambda: rejected(b"%PDF-1.7\n", "x.xlsx"),
        "文件内容不是电子表格（看起来是PDF 文档），请上传 .xlsx、.xls、.ods 或 .csv 格式的电子表格",
        "The file is not a spreadsheet (it looks like a PDF document); upload a spreadsheet in "
        ".xlsx, .xls, .ods or .csv format",
    ),
    (
        "a web page",
        lambda: rejected(b"<html><body></body></html>", "export.xls"),
        "文件是网页（HTML）或 XML 格式，只是扩展名像电子表格；"
        "请在 Excel 中打开后另存为 .xlsx 再上传",
        "The file is a web page (HTML) or XML file with a spreadsheet's extension; open it in "
        "Excel, save it as .xlsx and upload that",
    ),
    (
        "unknown encoding",
        lambda: rejected(b"code,value\nP01,1\n\x80\x80,2\n", "x.csv"),
        "无法识别文件的文字编码（第 3 行起出现无效字符）；支持 UTF-8（可带 BOM）和 GB18030/GBK，"
        "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传",
        "The text encoding of the file is not recognised (invalid characters from line 3); "
        "UTF-8 (with or without BOM) and GB18030/GBK are supported: save it in Excel as "
        '"CSV UTF-8 (Comma delimited)" or .xlsx and upload it again',
    ),
    (
        "nul bytes",
        lambda: rejected(b"code,value\nP01,1\nP02,\x002\n", "x.csv"),
        "第 3 行含有空字符（NUL），文件可能已损坏或不是文本文件；请在 Excel 中打开、另存为 .xlsx "
        "或 CSV 后重新上传",
        "Line 3 contains NUL characters; the file may be damaged or not a text file. Open it in "
        "Excel, save it as .xlsx or CSV and upload it again",
    ),
    (
        "a truncated zip",
        lambda: rejected(sample("template.xlsx")[:3000]),
        "文件已损坏，无法读取（不是完整的 zip 压缩包）；"
        "请在 Excel 中打开确认，另存为 .xlsx 后重新上传",
        "The file is damaged and cannot be read (not a complete zip archive); open it in Excel "
        "to check, save it as .xlsx and upload it again",
    ),
    (
        "a zip bomb",
        lambda: rejected(
            rezip(sample("template.xlsx"), add={"xl/x.xml": bytes(2 * 2**20)}),
            max_uncompressed_bytes=2**20,
        ),
        "文件解压后过大或结构异常（解压后约 2 MB），已拒绝；请上传正常保存的电子表格",
        "The file expands to too much data or has an abnormal structure (about 2 MB inflated) "
        "and was refused; upload a normally saved spreadsheet",
    ),
    (
        "an entity declaration",
        lambda: rejected(rezip(sample("template.xlsx"),
                               {"xl/workbook.xml": BILLION_LAUGHS + b"<workbook/>"})),
        "文件内部的 XML（xl/workbook.xml）含有 DOCTYPE/ENTITY 声明，正常的电子表格不会有，出于安全"
        "原因已拒绝；请在 Excel 中打开并另存为 .xlsx 后重新上传",
        "An XML part of the file (xl/workbook.xml) declares a DOCTYPE/ENTITY, which normal "
        "spreadsheets never do, and was refused for safety; open it in Excel, save it as .xlsx "
        "and upload it again",
    ),
    (
        "macros",
        lambda: rejected(sample("macro.xls"), "macro.xls"),
        "文件含有宏（VBA 或宏表），出于安全原因不接受；请在 Excel 中另存为不含宏的 .xlsx"
        "（“Excel 工作簿”）后重新上传",
        "The file contains macros (VBA or macro sheets), which are not accepted for security "
        'reasons; save it in Excel as a macro-free .xlsx ("Excel Workbook") and upload it again',
    ),
    (
        "encrypted",
        lambda: rejected(sample("encrypted.xlsx")),
        "文件设置了打开密码（已加密），无法读取；请在 Excel 中取消密码保护后重新上传",
        "The file is password-protected (encrypted) and cannot be read; remove the password in "
        "Excel and upload it again",
    ),
    (
        "a sheet too large",
        lambda: rejected(rezip(simple_sheet([["代码", "数值"]]), {
            "xl/worksheets/sheet1.xml": part(simple_sheet([["代码", "数值"]]),
                                             "xl/worksheets/sheet1.xml").replace(
                b"</sheetData>", b'<row r="300000"><c r="AB300000"><v>1</v></c></row></sheetData>')
        })),
        "工作表“填报数据”的使用范围过大（约 300000 行 × 28 列）；请删除数据区域以外的多余单元格"
        "（或把数据复制到新工作表）后重新上传",
        'The used range of sheet "填报数据" is too large (about 300000 rows x 28 columns); delete '
        "stray cells outside the data (or copy the data to a new sheet) and upload again",
    ),
    (
        "a csv record that cannot be read",
        lambda: rejected(b'code,value\nP01,"' + b"x" * 200_000 + b'"\n', "x.csv"),
        "第 2 行无法按 CSV 格式读取（可能是引号不配对或单元格过长）；请在 Excel 中打开并另存为 CSV "
        "或 .xlsx 后重新上传",
        "Line 2 cannot be read as CSV (perhaps a quote is not closed or a cell is too long); "
        "open the file in Excel, save it as CSV or .xlsx and upload it again",
    ),
]


@pytest.mark.parametrize(("refusal", "zh", "en"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_it_words_the_refusal_as_always(refusal: Callable[[], FileRejected], zh: str,
                                        en: str) -> None:
    assert file_rejected_texts(refusal()) == (zh, en)


@pytest.mark.parametrize(
    ("rejection", "zh", "en"),
    [
        (FileRejected(RuleCode.FORMULA_NO_CACHED_VALUE),
         "文件中是公式但没有计算结果（文件可能由程序生成而未经 Excel 计算）"
         "；请在 Excel 中打开并保存"
         "后重新上传",
         "A cell of the file holds a formula without a calculated result (the file was probably "
         "written by a program and never calculated); open it in Excel, save it and upload it "
         "again"),
        (FileRejected(RuleCode.FILE_CORRUPT, detail=Detail.COMPRESSION_METHOD,
                      params={"method": 14}),
         "文件已损坏，无法读取（不支持的压缩方式 14）；"
         "请在 Excel 中打开确认，另存为 .xlsx 后重新上传",
         "The file is damaged and cannot be read (unsupported compression 14); open it in Excel "
         "to check, save it as .xlsx and upload it again"),
        (FileRejected(RuleCode.FILE_ENCODING, detail=Detail.UTF16_WITHOUT_BOM),
         "文件是没有字节顺序标记（BOM）的 UTF-16 文本，无法可靠识别；请在 Excel 中另存为"
         "“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传",
         "The file is UTF-16 text without a byte order mark and cannot be read reliably; save it "
         'in Excel as "CSV UTF-8 (Comma delimited)" or .xlsx and upload it again'),
        (FileRejected(RuleCode.NO_HEADER, detail=Detail.NO_VISIBLE_SHEET,
                      params={"rows": 30, "fields": [("代码",), ("数值", "值")]}),
         "未找到表头：文件（它没有可见的工作表）"
         "的前 30 行中没有一行同时包含“代码”列（可写作：代码）"
         "和“数值”列（可写作：数值、值）；请使用平台模板，或在数据上方加一行这样的表头后重新上传",
         "No header row found: none of the first 30 rows of the file (it has no visible sheet) "
         'names all of the columns "代码" (代码) and "数值" (数值, 值); use the platform\'s '
         "template or add such a header row above the data and upload again"),
    ],
    ids=["formula, no place", "compression method", "utf-16 without bom", "no visible sheet"],
)
def test_it_words_refusals_without_a_file_at_hand(rejection: FileRejected, zh: str,
                                                  en: str) -> None:
    assert file_rejected_texts(rejection) == (zh, en)


def test_it_names_what_is_damaged() -> None:
    data = sample("template.xlsx")
    broken = rezip(data, {template_sheet_path(data): b"not a worksheet"})
    assert file_rejected_texts(rejected(broken)) == (
        "文件已损坏，无法读取（工作表格式错误）；请在 Excel 中打开确认，另存为 .xlsx 后重新上传",
        "The file is damaged and cannot be read (malformed worksheet); open it in Excel to "
        "check, save it as .xlsx and upload it again",
    )


def test_it_is_used_for_whatever_the_readers_raise() -> None:
    with pytest.raises(FileRejected) as caught:
        read_table(b"", "x.csv", fields=BULK_FIELDS)
    zh, en = file_rejected_texts(caught.value)
    assert (zh, en) == ("文件是空的，没有任何内容；请检查是否选错了文件",
                        "The file is empty; check that you picked the right file")
