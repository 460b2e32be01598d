"""The officer's whole path in a real browser: log in, download the template, fill it, upload
it, watch the worker validate it, read the error at its cell, correct it online, submit."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from submissions.models import Submission, Version
from submissions.template import DATA_SHEET, FIRST_DATA_ROW, HEADER_ROW
from tests.factories import PASSWORD
from tests.integration.conftest import wait_for
from tests.submissions.helpers import valid_values

pytestmark = [pytest.mark.browser, pytest.mark.integration,
              pytest.mark.django_db(transaction=True)]

VALUE_COLUMN = 6  # F: 本年数值
WAIT_MS = 30_000


def _fill_template(source: Path, target: Path) -> None:
    """The officer's typing: every value, E102 wrong on purpose, P01 in full-width digits."""
    values: dict[str, object] = {code: int(v) if v == v.to_integral_value() else float(v)
                                 for code, v in valid_values().items()}
    values["E102"] = 150  # the model allows 0–100
    values["P01"] = "２１７０．７"  # typed on a Chinese keyboard: 2170.7
    workbook = load_workbook(source)
    sheet = workbook[DATA_SHEET]
    assert sheet.cell(HEADER_ROW, VALUE_COLUMN).value == "本年数值"
    written = set()
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        code = sheet.cell(row, 1).value
        if code in values:
            sheet.cell(row, VALUE_COLUMN).value = values[code]
            written.add(code)
    assert written == set(values), set(values) - written
    workbook.save(target)


def test_an_officer_uploads_corrects_and_submits(
        live_server, celery_worker_thread, worker_gate, bj_submission, officer_bj, page,
        console, tmp_path):
    base = live_server.url

    # Log in through the real form (django-axes counts failures: the right password).
    response = page.goto(f"{base}/accounts/login/")
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")
    page.fill("#id_username", officer_bj.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".account .who")).to_contain_text(officer_bj.username)

    # My submissions → the 2017 submission.
    page.get_by_role("link", name="我的填报").click()
    page.locator("tr", has_text="2017").get_by_role("link", name="打开").click()
    expect(page).to_have_url(re.compile(rf"/submissions/{bj_submission.pk}/$"))
    expect(page.locator("#submission-state")).to_have_attribute("data-state", "draft")
    expect(page.locator("#submit-button")).to_be_disabled()

    # The template, filled in.
    with page.expect_download() as download_info:
        page.click("#download-template")
    download = download_info.value
    assert download.suggested_filename == "template-2017-110000.xlsx"
    template = tmp_path / download.suggested_filename
    download.save_as(template)
    filled = tmp_path / "北京-2017.xlsx"
    _fill_template(template, filled)

    # Upload while the worker is held, to see the page wait for it.
    worker_gate.close()
    page.set_input_files("input[type=file][name=file]", str(filled))
    page.click("#upload-button")
    status = page.locator("#version-status")
    expect(status).to_have_attribute("data-state", "pending")
    expect(status.locator("progress")).to_be_visible()
    assert status.get_attribute("hx-get"), "the progress element does not poll"
    wait_for(worker_gate.waiting.is_set, what="the worker to take the validation")
    with page.expect_response(re.compile(r"/submissions/versions/\d+/status/$")) as polled:
        pass  # htmx polls every second
    assert polled.value.ok
    # Let the worker go on: htmx sees the version validated and reloads the page itself.
    with page.expect_event("load", timeout=WAIT_MS):
        worker_gate.open()

    expect(status).to_have_attribute("data-state", "invalid")
    error = page.locator("tr[data-code=E102] .issue[data-rule=ABOVE_MAX]")
    expect(error).to_be_visible()
    expect(error).to_contain_text("150")
    # grouped, with its own decimals
    expect(page.locator("tr[data-code=P01] td.num").nth(1)).to_have_text("2,170.7")
    expect(page.locator("tr[data-code=P01] .issue")).to_have_count(0)
    expect(page.locator("#submit-button")).to_be_disabled()

    # The online correction.
    page.click("#edit-values")
    form = page.locator("#values-form")
    expect(form).to_be_visible()
    expect(form.locator("tr[data-code=E102] .issue")).to_have_count(1)
    page.fill("input[name=value_E102]", "82.85")
    page.click("#save-values")
    expect(page).to_have_url(re.compile(rf"/submissions/{bj_submission.pk}/$"))
    expect(status).to_have_attribute("data-state", "valid", timeout=WAIT_MS)
    submit = page.locator("#submit-button")
    expect(submit).to_be_enabled(timeout=WAIT_MS)  # after the page reloaded itself
    expect(page.locator("tr[data-code=E102] .issue")).to_have_count(0)
    expect(page.locator("tr[data-code=E102] td.num").nth(1)).to_have_text("82.85")
    expect(page.locator("#submission-state")).to_have_attribute("data-state", "draft")

    current = Version.objects.get(pk=Submission.objects.get(pk=bj_submission.pk)
                                  .current_version_id)
    assert (current.number, current.source, current.validation) == (
        2, Version.Source.EDIT, Version.Validation.VALID)
    assert current.values.get(element__code="E102").value == Decimal("82.85")
    assert current.values.get(element__code="P01").value == Decimal("2170.7")

    # Submit; the worker's check moves it on. The page does not poll the submission's state:
    # reload it as the officer would.
    submit.click()
    state = page.locator("#submission-state")
    expect(state).to_have_attribute("data-state",
                                    re.compile(r"^(submitted|validating|awaiting_review)$"))

    def awaiting_review() -> bool:
        if state.get_attribute("data-state") == "awaiting_review":
            return True
        page.reload()
        return False

    wait_for(awaiting_review, interval=0.5, what="the submission to await review")
    expect(page.locator("#submit-button")).to_have_count(0)  # no longer editable

    page.screenshot(path=str(tmp_path / "officer-flow.png"), full_page=True)
    assert not console.csp_violations(), console.csp_violations()
    assert not console.exceptions, console.exceptions
