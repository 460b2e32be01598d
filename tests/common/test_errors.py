from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError


def test_it_formats_its_message_in_the_language_of_the_reader():
    error = ApplicationError("SUBMIT_HAS_ERRORS", _("当前版本有 {count} 个错误，请改正后再提交"),
                             params={"count": 3})
    assert error.code == "SUBMIT_HAS_ERRORS"
    with translation.override("zh-hans"):
        assert error.message == "当前版本有 3 个错误，请改正后再提交"
        assert str(error) == error.message


def test_it_carries_the_place_of_the_problem():
    error = ApplicationError("X", "msg", field="reason", place="Sheet1!B3")
    assert (error.field, error.place) == ("reason", "Sheet1!B3")
