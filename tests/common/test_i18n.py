from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from common.i18n import language_code, localized, pick


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
