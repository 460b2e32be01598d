"""The words of the readers' refusals, in the user's language.

The readers (the Django-free package ``readers``) refuse a file with ``FileRejected``: a
``RuleCode``, a ``Detail`` where one rule covers several cases, the values the message needs
(``params``) and the place. The sentences are here, as gettext messages (Chinese source strings,
English in ``locale/en``), so that a refusal reads like every other message of the platform:
``file_rejected_message`` renders one in the active language (a page, a command's output), and
``file_rejected_texts`` gives the Chinese and English pair a ``ValidationIssue`` stores.

Every rule code has a sentence: ``SENTENCES[(code, None)]``, or ``SENTENCES[(code, ANY_DETAIL)]``
which takes the phrase of the refusal's detail (``DETAILS``) as its ``{looks_like}``,
``{problem}`` or ``{where}``; a detail that changes the whole sentence has its own
``SENTENCES[(code, detail)]``. ``tests/submissions/test_reader_messages.py`` checks that every
``RuleCode`` and ``Detail`` is covered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Final, cast

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from readers import Detail, FileRejected, RuleCode

ANY_DETAIL: Final = "*"

SENTENCES: Final[dict[tuple[RuleCode, str | None], Promise]] = {
    (RuleCode.FILE_EMPTY, None): _("文件是空的，没有任何内容；请检查是否选错了文件"),
    (RuleCode.FILE_TOO_LARGE, None): _(
        "文件过大（{size}），上限为 {limit}；请删除无关的工作表、图片或多余行后重新上传"
    ),
    (RuleCode.FILE_NOT_SPREADSHEET, None): _(
        "文件内容不是电子表格，请上传 .xlsx、.xls、.ods 或 .csv 格式的电子表格"
    ),
    (RuleCode.FILE_NOT_SPREADSHEET, ANY_DETAIL): _(
        "文件内容不是电子表格（看起来是{looks_like}），请上传 .xlsx、.xls、.ods 或 .csv 格式的"
        "电子表格"
    ),
    (RuleCode.FILE_NOT_SPREADSHEET, Detail.HTML_OR_XML): _(
        "文件是网页（HTML）或 XML 格式，只是扩展名像电子表格；请在 Excel 中打开后另存为 .xlsx "
        "再上传"
    ),
    (RuleCode.FILE_CORRUPT, None): _(
        "文件已损坏，无法读取；请在 Excel 中打开确认，另存为 .xlsx 后重新上传"
    ),
    (RuleCode.FILE_CORRUPT, ANY_DETAIL): _(
        "文件已损坏，无法读取（{problem}）；请在 Excel 中打开确认，另存为 .xlsx 后重新上传"
    ),
    (RuleCode.FILE_CORRUPT, Detail.CSV_RECORD): _(
        "第 {row} 行无法按 CSV 格式读取（可能是引号不配对或单元格过长）；请在 Excel 中打开并"
        "另存为 CSV 或 .xlsx 后重新上传"
    ),
    (RuleCode.FILE_ENCRYPTED, None): _(
        "文件设置了打开密码（已加密），无法读取；请在 Excel 中取消密码保护后重新上传"
    ),
    (RuleCode.FILE_MACROS, None): _(
        "文件含有宏（VBA 或宏表），出于安全原因不接受；请在 Excel 中另存为不含宏的 .xlsx"
        "（“Excel 工作簿”）后重新上传"
    ),
    (RuleCode.FILE_ZIP_BOMB, ANY_DETAIL): _(
        "文件解压后过大或结构异常（{problem}），已拒绝；请上传正常保存的电子表格"
    ),
    (RuleCode.FILE_XML_ENTITIES, None): _(
        "文件内部的 XML（{part}）含有 DOCTYPE/ENTITY 声明，正常的电子表格不会有，出于安全原因"
        "已拒绝；请在 Excel 中打开并另存为 .xlsx 后重新上传"
    ),
    (RuleCode.FILE_NUL_BYTES, None): _(
        "第 {row} 行含有空字符（NUL），文件可能已损坏或不是文本文件；请在 Excel 中打开、"
        "另存为 .xlsx 或 CSV 后重新上传"
    ),
    (RuleCode.FILE_ENCODING, None): _(
        "无法识别文件的文字编码（第 {row} 行起出现无效字符）；支持 UTF-8（可带 BOM）和 "
        "GB18030/GBK，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传"
    ),
    (RuleCode.FILE_ENCODING, Detail.UTF16_WITHOUT_BOM): _(
        "文件是没有字节顺序标记（BOM）的 UTF-16 文本，无法可靠识别；请在 Excel 中另存为"
        "“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传"
    ),
    (RuleCode.NO_HEADER, ANY_DETAIL): _(
        "未找到表头：{where}的前 {rows} 行中没有一行同时包含{fields}；请使用平台模板，"
        "或在数据上方加一行这样的表头后重新上传"
    ),
    (RuleCode.DUPLICATE_HEADER, None): _(
        "{place}的表头中有 {count} 列都表示“{field}”（{columns}）；请删除多余的列或修改其列名后"
        "重新上传"
    ),
    (RuleCode.MERGED_CELLS, None): _(
        "{place}的数据区域中有合并单元格（{cells}），无法确定数值属于哪一行；请取消合并后重新上传"
    ),
    (RuleCode.FORMULA_NO_CACHED_VALUE, None): _(
        "{place}是公式但没有计算结果（文件可能由程序生成而未经 Excel 计算）；请在 Excel 中打开并"
        "保存后重新上传"
    ),
    (RuleCode.TOO_MANY_ROWS, None): _(
        "数据行数超过上限 {max_rows} 行（在{place}处超出）；请拆分文件后分别上传"
    ),
    (RuleCode.SHEET_TOO_LARGE, None): _(
        "工作表“{sheet}”的使用范围过大（约 {rows} 行 × {cols} 列）；请删除数据区域以外的多余"
        "单元格（或把数据复制到新工作表）后重新上传"
    ),
}

# The phrase of each detail, and the placeholder of its rule's sentence it fills.
DETAILS: Final[dict[Detail, Promise]] = {
    Detail.WINDOWS_PROGRAM: pgettext_lazy("reader: looks like", "Windows 程序"),
    Detail.LINUX_PROGRAM: pgettext_lazy("reader: looks like", "Linux 程序"),
    Detail.PROGRAM: pgettext_lazy("reader: looks like", "程序文件"),
    Detail.PDF: pgettext_lazy("reader: looks like", "PDF 文档"),
    Detail.IMAGE: pgettext_lazy("reader: looks like", "图片"),
    Detail.ARCHIVE: pgettext_lazy("reader: looks like", "压缩包"),
    Detail.RTF: pgettext_lazy("reader: looks like", "RTF 文档"),
    Detail.WORD: pgettext_lazy("reader: looks like", "Word 文档"),
    Detail.POWERPOINT: pgettext_lazy("reader: looks like", "PowerPoint 演示文稿"),
    Detail.PLAIN_ZIP: pgettext_lazy("reader: looks like", "普通压缩包"),
    Detail.OTHER_OPENDOCUMENT: pgettext_lazy("reader: looks like", "其他 OpenDocument 文档"),
    Detail.SHEET_DIRECTORY: pgettext_lazy("reader: what is wrong", "工作表目录不一致"),
    Detail.NOT_A_ZIP: pgettext_lazy("reader: what is wrong", "不是完整的 zip 压缩包"),
    Detail.DUPLICATE_ENTRIES: pgettext_lazy("reader: what is wrong", "压缩包中有重名条目"),
    Detail.ENTRY_HEADER: pgettext_lazy("reader: what is wrong", "压缩包条目头损坏"),
    Detail.TRUNCATED: pgettext_lazy("reader: what is wrong", "压缩包被截断"),
    Detail.ENTRY_SIZES: pgettext_lazy("reader: what is wrong", "压缩包条目大小不一致"),
    Detail.DEFLATE_DATA: pgettext_lazy("reader: what is wrong", "压缩数据损坏"),
    Detail.INCOMPLETE_ENTRY: pgettext_lazy("reader: what is wrong", "压缩条目不完整"),
    Detail.COMPRESSION_METHOD: pgettext_lazy("reader: what is wrong", "不支持的压缩方式 {method}"),
    Detail.CRC: pgettext_lazy("reader: what is wrong", "校验和不符"),
    Detail.MALFORMED_PART: pgettext_lazy("reader: what is wrong", "{part} 格式错误"),
    Detail.MALFORMED_WORKSHEET: pgettext_lazy("reader: what is wrong", "工作表格式错误"),
    Detail.MISSING_CONTENT: pgettext_lazy("reader: what is wrong", "缺少 content.xml"),
    Detail.DAMAGED_OLE: pgettext_lazy("reader: what is wrong", "OLE 复合文档损坏"),
    Detail.UNCOMPRESSED_LIMIT: pgettext_lazy("reader: what is wrong", "解压数据超过上限"),
    Detail.INFLATES_PAST_SIZE: pgettext_lazy("reader: what is wrong", "压缩条目的实际大小超过声明"),
    Detail.TOO_MANY_ENTRIES: pgettext_lazy("reader: what is wrong", "包含 {entries} 个条目"),
    Detail.INFLATED_SIZE: pgettext_lazy("reader: what is wrong", "解压后约 {megabytes} MB"),
    Detail.COMPRESSION_RATIO: pgettext_lazy("reader: what is wrong", "压缩比异常"),
    Detail.IN_TEXT: pgettext_lazy("reader: header search", "文件"),
    Detail.NO_VISIBLE_SHEET: pgettext_lazy("reader: header search", "文件（它没有可见的工作表）"),
    Detail.IN_ONE_SHEET: pgettext_lazy("reader: header search", "工作表“{sheet}”"),
    Detail.IN_ANY_SHEET: pgettext_lazy("reader: header search", "各个可见工作表"),
}
_DETAIL_PLACEHOLDER: Final = {
    RuleCode.FILE_NOT_SPREADSHEET: "looks_like",
    RuleCode.FILE_CORRUPT: "problem",
    RuleCode.FILE_ZIP_BOMB: "problem",
    RuleCode.NO_HEADER: "where",
}

# Places: the word order differs between the languages, so each combination is one message.
_PLACES: Final[dict[tuple[bool, bool, bool], Promise]] = {  # (sheet, row, column) given
    (True, True, True): pgettext_lazy("reader: place", "工作表“{sheet}”{column}{row} 单元格"),
    (True, True, False): pgettext_lazy("reader: place", "工作表“{sheet}”第 {row} 行"),
    (True, False, True): pgettext_lazy("reader: place", "工作表“{sheet}”{column} 列"),
    (True, False, False): pgettext_lazy("reader: place", "工作表“{sheet}”"),
    (False, True, True): pgettext_lazy("reader: place", "{column}{row} 单元格"),
    (False, True, False): pgettext_lazy("reader: place", "第 {row} 行"),
    (False, False, True): pgettext_lazy("reader: place", "{column} 列"),
}
_SOMEWHERE_IN_THE_FILE = pgettext_lazy("reader: place", "文件中")

_SEPARATOR = pgettext_lazy("reader: column list", "、")
_AND = pgettext_lazy("reader: column list", "和")
_FIELD_LABEL = pgettext_lazy("reader: column list", "“{name}”列（可写作：{aliases}）")
_HEADER_COLUMN = pgettext_lazy("reader: column list", "{column} 列“{header}”")


def file_rejected_message(rejection: FileRejected) -> str:
    """The refusal as a sentence in the active language."""
    context: dict[str, object] = {
        "sheet": rejection.sheet,
        "row": rejection.row,
        "column": rejection.column,
        **rejection.params,
    }
    context.update(_PIECES.get(rejection.rule_code, _no_pieces)(rejection))
    sentence = SENTENCES.get((rejection.rule_code, rejection.detail))
    if sentence is None:
        sentence = SENTENCES[(rejection.rule_code, ANY_DETAIL)]
        assert rejection.detail is not None
        phrase = str(DETAILS[rejection.detail]).format(**context)
        context[_DETAIL_PLACEHOLDER[rejection.rule_code]] = phrase
    text = str(sentence).format(**context)
    # A sentence may start with a place ("cell B3 of ..."): English starts it with a capital.
    return text[:1].upper() + text[1:]


def file_rejected_texts(rejection: FileRejected) -> tuple[str, str]:
    """The Chinese and the English sentence, for a stored ``ValidationIssue``."""
    with translation.override("zh-hans"):
        zh = file_rejected_message(rejection)
    with translation.override("en"):
        en = file_rejected_message(rejection)
    return zh, en


# --- the pieces a sentence is made of -------------------------------------------------------


def _place(sheet: str | None, row: int | None = None, column: str | None = None) -> str:
    """「工作表“填报数据”C12 单元格」, 'cell C12 of sheet "填报数据"' and the like; "" for none."""
    template = _PLACES.get((bool(sheet), row is not None, bool(column)))
    if template is None:
        return ""
    return str(template).format(sheet=sheet, row=row, column=column)


def _listed(items: Iterable[str], separator: Promise = _SEPARATOR) -> str:
    return str(separator).join(items)


def _no_header_pieces(rejection: FileRejected) -> dict[str, object]:
    fields = cast(Sequence[Sequence[str]], rejection.params["fields"])
    labels = (
        str(_FIELD_LABEL).format(name=aliases[0], aliases=_listed(aliases)) for aliases in fields
    )
    return {"fields": _listed(labels, _AND)}


def _duplicate_header_pieces(rejection: FileRejected) -> dict[str, object]:
    headers = cast(Sequence[tuple[str, str]], rejection.params["headers"])
    columns = (str(_HEADER_COLUMN).format(column=c, header=h) for c, h in headers)
    return {
        "place": _place(rejection.sheet, rejection.row),
        "count": len(headers),
        "columns": _listed(columns),
    }


def _merged_cells_pieces(rejection: FileRejected) -> dict[str, object]:
    return {"place": _place(rejection.sheet)}


def _formula_pieces(rejection: FileRejected) -> dict[str, object]:
    place = _place(rejection.sheet, rejection.row, rejection.column)
    return {"place": place or str(_SOMEWHERE_IN_THE_FILE)}


def _too_many_rows_pieces(rejection: FileRejected) -> dict[str, object]:
    return {"place": _place(rejection.sheet, rejection.row)}


def _no_pieces(_rejection: FileRejected) -> dict[str, object]:
    return {}


_PIECES: Final[dict[RuleCode, Callable[[FileRejected], dict[str, object]]]] = {
    RuleCode.NO_HEADER: _no_header_pieces,
    RuleCode.DUPLICATE_HEADER: _duplicate_header_pieces,
    RuleCode.MERGED_CELLS: _merged_cells_pieces,
    RuleCode.FORMULA_NO_CACHED_VALUE: _formula_pieces,
    RuleCode.TOO_MANY_ROWS: _too_many_rows_pieces,
}
