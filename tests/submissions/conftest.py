import pytest

from submissions.models import Submission
from tests.factories import CycleFactory


@pytest.fixture
def bj_submission(officer_bj):
    return Submission.objects.get_or_create(cycle=CycleFactory(), region=officer_bj.region)[0]


@pytest.fixture
def sh_submission(officer_sh):
    return Submission.objects.get_or_create(cycle=CycleFactory(), region=officer_sh.region)[0]
