"""The officer's pages (template, upload, progress, correction, submission) and the staff's
read-only submission pages. Each view starts with a permission helper, then reads through a
selector or writes through a service, then renders or redirects."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from accounts import roles
from common.errors import ApplicationError
from common.exports import CONTENT_TYPES, render_table
from common.i18n import localized
from common.params import query_choice, query_id, query_match
from common.views import error_message, form_error_message, shown_again
from submissions import selectors
from submissions.bulk import bulk_import
from submissions.forms import (
    BulkImportForm,
    CommentForm,
    CycleForm,
    CycleStateForm,
    DeadlineForm,
    ReasonForm,
    UploadForm,
    ValuesForm,
)
from submissions.models import Cycle, Submission, UploadedFile
from submissions.permissions import (
    get_file_for_user,
    get_submission_for_officer,
    get_submission_for_reviewer,
    get_submission_for_user,
    get_version_for_user,
    require_administrator,
    require_officer,
    require_participant,
    require_staff_reader,
)
from submissions.services.cycles import (
    cycle_close,
    cycle_create,
    cycle_reopen,
    cycle_set_deadline,
)
from submissions.services.files import (
    StorageUnavailable,
    bulk_file_read,
    file_check_size,
    file_store,
)
from submissions.services.progress import Stage, progress_get
from submissions.services.review import comment_add, submission_submit, submission_transition
from submissions.services.versions import (
    submission_ensure_editable,
    version_create_from_edit,
    version_create_from_upload,
)
from submissions.tables import QueueFilter, QueueTable
from submissions.template import build_template
from submissions.workflow import Action, Actor


def _to_detail(submission: Submission) -> HttpResponse:
    return redirect("submissions:detail", submission_id=submission.pk)


@login_required
@require_GET
def officer_home(request: HttpRequest) -> HttpResponse:
    region_id = require_officer(request)
    return render(request, "submissions/officer_home.html",
                  {"rows": selectors.officer_rows(region_id=region_id)})


@login_required
@require_GET
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_user(request, submission_id)
    return _detail_page(request, submission)


def _detail_page(request: HttpRequest, submission: Submission, *, status: int = 200,
                 **forms: Form) -> HttpResponse:
    """The submission page; a form posted from it and refused comes back in ``forms``
    (``return_form``, ``reopen_form``, ``comment_form``) with its errors at its fields."""
    page = selectors.submission_detail_page(submission=submission, user=request.user)
    context = {**page.as_context(), "upload_form": UploadForm(), "severity": selectors.Severity,
               "return_form": ReasonForm(), "reopen_form": ReasonForm(),
               "comment_form": CommentForm(),
               "return_reason": selectors.return_reason(submission), **forms}
    return render(request, "submissions/submission_detail.html", context, status=status)


def _refused(request: HttpRequest, submission: Submission, name: str, form: Form
             ) -> HttpResponse:
    """A form of the submission page refused: the page again, 400, the errors at the fields,
    nothing changed."""
    return _detail_page(request, submission, status=400, **{name: shown_again(form)})


@login_required
@require_GET
def template_download(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_user(request, submission_id)
    content = build_template(
        region_code=submission.region.code, region_name=localized(submission.region, "name"),
        cycle_year=submission.cycle.year, model_version=submission.cycle.model_version.code,
        rows=selectors.template_rows(submission), generated_at=timezone.now(),
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"template-{submission.cycle.year}-{submission.region.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def upload(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_officer(request, submission_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        form_error_message(request, form)
        return _to_detail(submission)
    uploaded = form.cleaned_data["file"]
    try:
        file_check_size(size=uploaded.size)  # before the bytes are read into memory
        version = version_create_from_upload(
            submission=submission, content=b"".join(uploaded.chunks()), filename=uploaded.name,
            actor=request.user,
        )
    except StorageUnavailable as exc:
        # Nothing was kept; the officer tries again later.
        messages.error(request, exc.message)
        response = _detail_page(request, submission, status=503)
        response["Retry-After"] = "60"
        return response
    except ApplicationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("已收到 %(what)s的文件「%(file)s」（第 %(n)s 版），正在校验")
                         % {**_named(submission), "file": uploaded.name, "n": version.number})
    return _to_detail(submission)


@login_required
@require_GET
def submission_state(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Polled by htmx while the worker checks a submitted submission."""
    submission = get_submission_for_user(request, submission_id)
    checking = selectors.submission_is_checking(submission)
    response = render(request, "submissions/_submission_state.html",
                      {"submission": submission, "checking": checking})
    if not checking and request.htmx:  # type: ignore[attr-defined]
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def version_status(request: HttpRequest, version_id: int) -> HttpResponse:
    """Polled by htmx every second while a version is being validated."""
    version = get_version_for_user(request, version_id)
    progress = progress_get(version_id=version.pk) or {"percent": 0, "stage": Stage.QUEUED}
    response = render(request, "submissions/_version_status.html",
                      {"version": version, "progress": progress,
                       "lost": selectors.validation_is_lost(version)})
    finished = version.is_validated or version.validation == version.Validation.FAILED
    if finished and request.htmx:  # type: ignore[attr-defined]
        response["HX-Refresh"] = "true"  # show the results at their cells
    return response


ELEMENT_CODE = re.compile(r"[A-Za-z0-9_]{1,20}", re.ASCII)


@login_required
@require_GET
def version_issues(request: HttpRequest, version_id: int) -> HttpResponse:
    """Every issue of a version, a page at a time (``?page=``, ``?element=``)."""
    version = get_version_for_user(request, version_id)
    page = selectors.version_issues_page(
        version=version, page=query_id(request, "page"),
        element=query_match(request, "element", ELEMENT_CODE))
    return render(request, "submissions/version_issues.html",
                  {"issues": page, "version": version, "submission": version.submission})


@login_required
@require_http_methods(["GET", "POST"])
def edit_values(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_officer(request, submission_id)
    try:
        submission_ensure_editable(submission=submission)
    except ApplicationError as exc:
        error_message(request, exc)
        return _to_detail(submission)
    form = ValuesForm(request.POST or None,
                      elements=list(submission.cycle.model_version.elements.all()),
                      initial_values=selectors.current_values(submission))
    if request.method == "POST" and form.is_valid():
        try:
            version = version_create_from_edit(submission=submission,
                                               values=form.edited_values(), actor=request.user)
        except ApplicationError as exc:
            error_message(request, exc)
        else:
            messages.success(request, _("已将 %(what)s的修改保存为第 %(n)s 版，正在校验")
                             % {**_named(submission), "n": version.number})
            return _to_detail(submission)
    if form.is_bound:
        form = shown_again(form)  # type: ignore[assignment]
    rows = form.rows(issues=selectors.issues_by_code(submission.current_version).by_code)
    return render(request, "submissions/edit_values.html",
                  {"submission": submission, "form": form, "rows": rows})


@login_required
@require_POST
def submit(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_officer(request, submission_id)
    try:
        submitted = submission_submit(submission_id=submission.pk, actor=request.user)
    except ApplicationError as exc:
        error_message(request, exc)
    else:
        number = submitted.current_version.number if submitted.current_version else ""
        messages.success(request, _("已提交 %(what)s（第 %(n)s 版），正在进行提交校验")
                         % {**_named(submission), "n": number})
    return _to_detail(submission)


REVIEW_ACTIONS = {"approve": Action.APPROVE, "return": Action.RETURN}
# What the page says after a decision: what happened to which submission, and who was told.
DONE = {
    Action.APPROVE: gettext_lazy("已审核通过 %(what)s，已通知填报员"),
    Action.RETURN: gettext_lazy("已退回 %(what)s，理由已通知填报员"),
    Action.REOPEN: gettext_lazy("已重新打开 %(what)s，填报员可以修改后重新提交，已通知填报员"),
}


def _named(submission: Submission) -> dict[str, str]:
    """``%(what)s`` of a message: "北京 2017 年填报"."""
    return {"what": _("%(region)s %(year)s 年填报") % {
        "region": localized(submission.region, "name"), "year": submission.cycle.year}}


@login_required
@require_POST
def review_action(request: HttpRequest, submission_id: int, action: str) -> HttpResponse:
    submission = get_submission_for_reviewer(request, submission_id)
    if action not in REVIEW_ACTIONS:
        raise PermissionDenied
    role = Actor.REVIEWER if roles.is_reviewer(request.user) else Actor.ADMINISTRATOR
    return _decide(request, submission, REVIEW_ACTIONS[action], role, form_name="return_form")


@login_required
@require_POST
def reopen(request: HttpRequest, submission_id: int) -> HttpResponse:
    """An administrator reopens an approved submission: first a page that says what will
    happen, then (``confirm``) the step itself."""
    submission = get_submission_for_user(request, submission_id)
    require_administrator(request)
    if request.POST.get("confirm") != "1":
        form = ReasonForm(request.POST)
        if not form.is_valid() or not form.cleaned_data["reason"].strip():
            if form.is_valid():
                form.add_error("reason", _("请填写原因"))
            return _refused(request, submission, "reopen_form", form)
        return _confirm_page(request, title=_("确认重新打开已通过的填报"), lines=[
            _("%(year)s 年 %(region)s 的填报将回到草稿，填报员可以再次修改和提交。") % {
                "year": submission.cycle.year, "region": localized(submission.region, "name")},
            _("已通过的第 %(n)s 版不再算作审定数据：发布前须重新审核通过。") % {
                "n": submission.approved_version.number if submission.approved_version
                else "—"},
        ], action=reverse("submissions:reopen", args=[submission.pk]),
            hidden={"reason": form.cleaned_data["reason"].strip()},
            button=_("确认重新打开"), cancel=reverse("submissions:detail", args=[submission.pk]))
    return _decide(request, submission, Action.REOPEN, Actor.ADMINISTRATOR,
                   form_name="reopen_form")


def _confirm_page(request: HttpRequest, *, title: str, lines: list[str], action: str,
                  hidden: dict[str, str], button: str, cancel: str,
                  reason_form: Form | None = None, table: list[tuple[str, int]] | None = None,
                  status: int = 200) -> HttpResponse:
    """The page that says what an irreversible or wide step will do, with the deliberate
    second action (a form posting ``confirm=1``) and a way back."""
    return render(request, "submissions/confirm.html", {
        "title": title, "lines": lines, "action": action, "hidden": hidden, "button": button,
        "cancel": cancel, "reason_form": reason_form, "table": table or []}, status=status)


def _decide(request: HttpRequest, submission: Submission, action: Action, role: Actor,
            *, form_name: str) -> HttpResponse:
    """A reviewer's or administrator's transition, with the reason of the form."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(request, submission, form_name, form)
    try:
        submission_transition(submission_id=submission.pk, action=action, actor=request.user,
                              actor_role=role, reason=form.cleaned_data["reason"].strip())
    except ApplicationError as exc:
        if exc.field in form.fields:  # a missing reason: said at its field
            form.add_error(exc.field, exc.message)
            return _refused(request, submission, form_name, form)
        error_message(request, exc)
    else:
        messages.success(request, str(DONE[action]) % _named(submission))
    return _to_detail(submission)


@login_required
@require_GET
def timeline(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Everything that happened to a submission, for auditors (and the people involved)."""
    submission = get_submission_for_user(request, submission_id)
    return render(request, "submissions/timeline.html", {
        "submission": submission,
        "timeline": selectors.timeline_page(submission, query_id(request, "page")),
        "comparison": selectors.version_comparison(submission, query_id(request, "a"),
                                                   query_id(request, "b")),
    })


@login_required
@require_POST
def comment(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_user(request, submission_id)
    require_participant(request)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _refused(request, submission, "comment_form", form)
    try:
        comment_add(submission=submission, author=request.user, body=form.cleaned_data["body"])
    except ApplicationError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return _refused(request, submission, "comment_form", form)
        error_message(request, exc)
    return _to_detail(submission)


@login_required
@require_http_methods(["GET", "POST"])
def cycles(request: HttpRequest) -> HttpResponse:
    require_staff_reader(request)
    form = CycleForm(request.POST or None)
    if request.method == "POST":
        require_administrator(request)
        if form.is_valid():
            cycle = cycle_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("已创建 %(year)s 年度填报周期（指标体系 %(model)s，"
                                        "截止日期 %(deadline)s），各地区的填报已建好")
                             % {"year": cycle.year, "model": cycle.model_version.code,
                                "deadline": cycle.deadline})
            return redirect("submissions:cycles")
    return _cycles_page(request, form, status=400 if form.is_bound else 200)


def _cycles_page(request: HttpRequest, form: CycleForm | None = None, *, status: int = 200
                 ) -> HttpResponse:
    return render(request, "submissions/cycles.html",
                  {"rows": selectors.cycle_rows(), "form": form or CycleForm()}, status=status)


@login_required
@require_POST
def cycle_update(request: HttpRequest, cycle_id: int) -> HttpResponse:
    require_administrator(request)
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    if "state" in request.POST:
        return _cycle_state(request, cycle)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        # Buttons of the cycles page, not a page of their own: the error on the page, 400.
        form_error_message(request, form)
        return _cycles_page(request, status=400)
    try:
        cycle_set_deadline(cycle=cycle, deadline=form.cleaned_data["deadline"],
                           actor=request.user)
    except ApplicationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("已将 %(year)s 年度填报的截止日期改为 %(date)s") % {
            "year": cycle.year, "date": form.cleaned_data["deadline"].isoformat()})
    return redirect("submissions:cycles")


def _cycle_state(request: HttpRequest, cycle: Cycle) -> HttpResponse:
    """Close or reopen a cycle: first the page that says what will happen (and, to reopen,
    asks why), then (``confirm``) the step itself."""
    form = CycleStateForm(request.POST)
    if not form.is_valid():
        form_error_message(request, form)
        return _cycles_page(request, status=400)
    state = form.cleaned_data["state"]
    closing = state == Cycle.State.CLOSED
    reason_form = None if closing else ReasonForm(request.POST)
    confirmed = request.POST.get("confirm") == "1"
    if confirmed and reason_form is not None and (
            not reason_form.is_valid() or not reason_form.cleaned_data["reason"].strip()):
        if reason_form.is_valid():
            reason_form.add_error("reason", _("请填写原因"))
        confirmed = False
    if not confirmed:
        return _cycle_confirm(request, cycle, state, reason_form,
                              status=400 if reason_form is not None and reason_form.errors
                              else 200)
    try:
        if closing:
            cycle_close(cycle=cycle, actor=request.user)
        else:
            assert reason_form is not None
            cycle_reopen(cycle=cycle, actor=request.user,
                         reason=reason_form.cleaned_data["reason"])
    except ApplicationError as exc:
        error_message(request, exc)
    else:
        messages.success(request, (
            _("已截止 %(year)s 年度填报：填报员不能再上传、修改、说明或提交") if closing
            else _("已重新开放 %(year)s 年度填报，填报员可以继续填报")) % {"year": cycle.year})
    return redirect("submissions:cycles")


def _cycle_confirm(request: HttpRequest, cycle: Cycle, state: str, reason_form: Form | None,
                   *, status: int) -> HttpResponse:
    closing = state == Cycle.State.CLOSED
    params = {"year": cycle.year, "deadline": cycle.deadline.isoformat()}
    lines = ([_("%(year)s 年度填报将截止（截止日期 %(deadline)s）：各地区填报员不能再上传、"
                "修改、说明或提交；审核员仍可审核已提交的填报。") % params,
              _("截止后可以重新开放，但须说明原因。") % params] if closing else
             [_("%(year)s 年度填报将重新开放：各地区填报员可以再次上传、修改和提交；"
                "截止日期（%(deadline)s）之后提交的记为逾期。") % params])
    if reason_form is not None and not reason_form.is_bound:
        reason_form = ReasonForm()
    return _confirm_page(
        request, title=(_("确认截止 %(year)s 年度填报") if closing
                        else _("确认重新开放 %(year)s 年度填报")) % params,
        lines=lines, action=reverse("submissions:cycle_update", args=[cycle.pk]),
        hidden={"state": state}, button=_("确认截止") if closing else _("确认重新开放"),
        cancel=reverse("submissions:cycles"), reason_form=reason_form,
        table=selectors.submission_counts(cycle), status=status)


BULK_PROBLEMS_SHOWN = 200


@login_required
@require_http_methods(["GET", "POST"])
def bulk_import_page(request: HttpRequest) -> HttpResponse:
    """An administrator's bulk load, as ``import_values``: "只检查不保存" runs every check and
    shows the report, storing nothing; "导入" checks first and then asks for a confirmation
    that says what will be stored (and approved), the file kept meanwhile; the confirmation
    loads it."""
    require_administrator(request)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        return _bulk_confirmed(request)
    form = (BulkImportForm(request.POST, request.FILES) if request.method == "POST"
            else BulkImportForm())
    if not form.is_bound or not form.is_valid():
        return render(request, "submissions/bulk_import.html", {"form": shown_again(form)
                      if form.is_bound else form}, status=400 if form.is_bound else 200)
    data = form.cleaned_data
    uploaded = data["file"]
    try:
        file_check_size(size=uploaded.size, limit=settings.BULK_MAX_BYTES)
        content = b"".join(uploaded.chunks())
        result = bulk_import(content=content, filename=uploaded.name, year=data["year"],
                             actor=request.user, approve=data["approve"],
                             late_reason=data["late_reason"], dry_run=True)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return render(request, "submissions/bulk_import.html", {"form": shown_again(form)},
                      status=400)
    report = {"form": form, "result": result,
              "problems": (result.errors + result.warnings)[:BULK_PROBLEMS_SHOWN],
              "more": max(0, len(result.errors) + len(result.warnings) - BULK_PROBLEMS_SHOWN)}
    if request.POST.get("mode") != "import" or not result.ok:
        return render(request, "submissions/bulk_import.html", report)
    record = file_store(content=content, filename=uploaded.name, cycle=None, region=None,
                        purpose=UploadedFile.Purpose.BULK, actor=request.user)
    params = {"year": data["year"], "regions": result.regions, "rows": result.rows,
              "warnings": len(result.warnings), "name": uploaded.name}
    lines = [_("将从 %(name)s 导入 %(year)s 年度 %(regions)s 个地区的数据（%(rows)s 行），"
               "每个地区生成一个新版本，有 %(warnings)s 个警告。") % params]
    if result.created_cycle:
        lines.append(_("%(year)s 年度还没有填报周期：将新建一个（填报中）。") % params)
    if data["approve"]:
        lines.append(_("这 %(regions)s 个地区的填报将直接审核通过，不经审核员；之后只能由管理员"
                       "逐个重新打开。") % params)
    if data["late_reason"].strip():
        lines.append(_("周期已截止，按补录导入；原因记入审计日志。"))
    return _confirm_page(
        request, title=(_("确认批量导入并审核通过") if data["approve"] else _("确认批量导入")),
        lines=lines, action=reverse("submissions:bulk_import"),
        hidden={"sha256": record.sha256, "name": uploaded.name[:255],
                "year": str(data["year"]),
                "approve": "1" if data["approve"] else "",
                "late_reason": data["late_reason"].strip()},
        button=_("确认导入并审核通过") if data["approve"] else _("确认导入"),
        cancel=reverse("submissions:bulk_import"))


SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)


def _bulk_confirmed(request: HttpRequest) -> HttpResponse:
    """The second, deliberate step of a bulk load: the file the first step checked and kept
    (content-addressed: named by its SHA-256, which the confirmation carries)."""
    sha256 = request.POST.get("sha256", "")
    year = request.POST.get("year", "")
    if not SHA256.fullmatch(sha256) or not year.isdigit() or len(year) != 4:
        raise Http404
    content = bulk_file_read(sha256=sha256)
    if content is None:
        raise Http404
    approve = request.POST.get("approve") == "1"
    try:
        result = bulk_import(content=content, filename=request.POST.get("name", "")[:255]
                             or f"{sha256}.csv", year=int(year), actor=request.user,
                             approve=approve,
                             late_reason=request.POST.get("late_reason", "")[:2000])
    except ApplicationError as exc:
        error_message(request, exc)
        return redirect("submissions:bulk_import")
    if not result.ok:
        messages.error(request, _("文件有 %(n)s 个错误，没有导入任何数据") % {
            "n": len(result.errors)})
        return redirect("submissions:bulk_import")
    messages.success(request, (
        _("已导入 %(year)s 年度 %(regions)s 个地区的数据并审核通过") if approve
        else _("已导入 %(year)s 年度 %(regions)s 个地区的数据")) % {
        "year": year, "regions": len(result.versions)})
    return redirect("submissions:cycles")


@login_required
@require_GET
def file_download(request: HttpRequest, file_id: int) -> FileResponse:
    upload = get_file_for_user(request, file_id)
    # Data, never a page: the type is fixed, not guessed from the uploader's file name (a
    # ".html" or ".svg" served as such would run on this origin), and the browser must not
    # sniff one either.
    response = FileResponse(upload.file.open("rb"), as_attachment=True,
                            filename=upload.original_name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    require_staff_reader(request)
    filtered = QueueFilter(request.GET, queryset=selectors.queue_submissions())
    table = QueueTable(filtered.qs)
    RequestConfig(request, paginate={"per_page": 40}).configure(table)
    fmt = query_choice(request, "_export", ("csv", "xlsx"))
    if fmt is not None:
        return _table_download(table, fmt)
    return render(request, "submissions/queue.html", {"table": table, "filter": filtered})


def _table_download(table: QueueTable, fmt: str) -> HttpResponse:
    rows = list(table.as_values())
    columns = [str(c) for c in rows[0]]
    content = render_table(fmt, columns, [dict(zip(columns, r, strict=True)) for r in rows[1:]])
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="queue.{fmt}"'
    return response
