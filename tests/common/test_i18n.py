from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from common.i18n import in_both_languages, language_code, localized, pick, pick_lazy


def test_it_reads_the_chinese_field_by_default():
    obj = SimpleNamespace(name_zh="北京", name_en="Beijing")
    with translation.override("zh-hans"):
        assert localized(obj, "name") == "北京"


def test_it_reads_the_english_field_in_english():
    obj = SimpleNamespace(name_zh="北京", name_en="Beijing")
    with translation.override("en"):
        assert localized(obj, "name") == "Beijing"
        assert language_code() == "en"


def test_it_falls_back_to_chinese_where_no_english_is_stored():
    with translation.override("en"):
        assert localized({"label_zh": "前列", "label_en": ""}, "label") == "前列"
        assert pick("万人", "") == "万人"


def test_it_reads_a_short_name_against_the_full_english_name():
    region = SimpleNamespace(short_name_zh="北京", name_zh="北京市", name_en="Beijing")
    with translation.override("en"):
        assert localized(region, "short_name") == "Beijing"
    with translation.override("zh-hans"):
        assert localized(region, "short_name") == "北京"


def test_it_is_a_template_filter():
    template = Template('{% load i18n_data %}{{ r|localized:"name" }}')
    with translation.override("en"):
        rendered = template.render(Context({"r": {"name_zh": "江苏", "name_en": "Jiangsu"}}))
    assert rendered == "Jiangsu"


def test_it_reads_a_unit_stored_once_with_its_english_name():
    from indicators.models import DataElement

    element = DataElement(unit="万人")
    with translation.override("en"):
        assert localized(element, "unit") == "10,000 persons"
        assert localized(DataElement(unit="吨"), "unit") == "吨"  # no English name: as stored
    with translation.override("zh-hans"):
        assert localized(element, "unit") == "万人"


def test_it_renders_a_message_in_both_languages_whatever_is_active():
    from submissions.rules import MESSAGES

    name = pick_lazy("网民数量", "Internet users")
    with translation.override("en"):
        pair = in_both_languages(MESSAGES["MISSING_VALUE"], code="E101", name=name)
        assert language_code() == "en"  # the active language is left as it was
    assert pair == ("缺少数据项 E101（网民数量）的数值", "No value for E101 (Internet users)")
