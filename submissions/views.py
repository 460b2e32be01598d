"""The officer's pages (template, upload, progress, correction, submission) and the staff's
read-only submission pages. Each view starts with a permission helper."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from accounts import roles
from common.exports import CONTENT_TYPES, render_table
from submissions import selectors, services
from submissions.forms import (
    CommentForm,
    CycleForm,
    DeadlineForm,
    ReasonForm,
    UploadForm,
    ValuesForm,
)
from submissions.models import Cycle, Submission, Transition, Version
from submissions.permissions import (
    get_file_for_user,
    get_submission_for_officer,
    get_submission_for_reviewer,
    get_submission_for_user,
    get_version_for_user,
)
from submissions.tables import QueueFilter, QueueTable
from submissions.template import TemplateRow, build_template
from submissions.workflow import Action, Actor, TransitionError


@login_required
@require_GET
def officer_home(request: HttpRequest) -> HttpResponse:
    if not roles.is_officer(request.user):
        raise PermissionDenied
    region_id = request.user.region_id  # type: ignore[union-attr]  # is_officer: it has one
    submissions = list(
        Submission.objects.filter(region_id=region_id)  # type: ignore[misc]
        .select_related("cycle", "current_version").order_by("-cycle__year"))
    reasons = dict(Transition.objects.filter(submission__in=submissions, to_state="returned")
                   .order_by("submission_id", "created_at")
                   .values_list("submission_id", "reason"))  # the latest per submission wins
    for submission in submissions:
        submission.last_reason = reasons.get(submission.pk, "")  # type: ignore[attr-defined]
    return render(request, "submissions/officer_home.html", {"submissions": submissions})


def _issues_by_code(version: Version | None) -> tuple[dict[str, list[Any]], list[Any]]:
    by_code: dict[str, list[Any]] = defaultdict(list)
    general: list[Any] = []
    if version is None:
        return by_code, general
    for issue in selectors.version_issues(version):
        (by_code[issue.element_code] if issue.element_code else general).append(issue)
    return by_code, general


@login_required
@require_GET
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_user(request, submission_id)
    current = submission.current_version
    latest = submission.versions.select_related("file", "created_by").first()
    by_code, general = _issues_by_code(current)
    values = {v.element.code: v for v in selectors.version_values(current)} if current else {}
    previous = selectors.previous_approved_values(submission.cycle, submission.region)
    rows = [
        {"element": e, "value": values.get(e.code), "issues": by_code.get(e.code, []),
         "previous": previous.get(e.code),
         "change": _change(previous.get(e.code), values.get(e.code))}
        for e in submission.cycle.model_version.elements.all()
    ]
    can_edit = (roles.is_officer(request.user) and submission.is_editable
                and request.user.region_id == submission.region_id)  # type: ignore[union-attr]
    context = {
        "submission": submission,
        "current": current,
        "latest": latest,
        "pending": latest if latest and not latest.is_validated else None,
        "rows": rows,
        "general_issues": general,
        "versions": submission.versions.select_related("file", "created_by"),
        "transitions": submission.transitions.select_related("actor"),
        "can_edit": can_edit,
        "can_submit": can_edit and submission.state == Submission.State.DRAFT and current
        is not None and current.is_validated and not current.error_count,
        "upload_form": UploadForm(),
        "comments": submission.comments.select_related("author"),
        "can_comment": can_edit or roles.is_reviewer(request.user)
        or roles.is_administrator(request.user),
        "days_left": (submission.cycle.deadline - timezone.localdate()).days,
    }
    return render(request, "submissions/submission_detail.html", context)


def _change(previous: Any, value: Any) -> float | None:
    if previous in (None, 0) or value is None or value.value is None:
        return None
    return float((value.value - previous) / abs(previous) * 100)


@login_required
@require_GET
def template_download(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_user(request, submission_id)
    current = submission.current_version
    values = {v.element.code: v for v in selectors.version_values(current)} if current else {}
    previous = selectors.previous_approved_values(submission.cycle, submission.region)
    rows = [
        TemplateRow(
            code=e.code, name_zh=e.name_zh, name_en=e.name_en, unit=e.unit, kind=e.kind,
            minimum=e.min_value, minimum_exclusive=e.min_exclusive, maximum=e.max_value,
            max_level=e.max_level, range_note=_range_note(submission, e.code),
            last_value=previous.get(e.code),
            value=values[e.code].value if e.code in values else None,
            note=values[e.code].note if e.code in values else "",
        )
        for e in submission.cycle.model_version.elements.all()
    ]
    language = "en" if (request.LANGUAGE_CODE or "").startswith("en") else "zh-hans"
    content = build_template(
        region_code=submission.region.code,
        region_name=submission.region.name_en if language == "en" else submission.region.name_zh,
        cycle_year=submission.cycle.year, model_version=submission.cycle.model_version.code,
        rows=rows, generated_at=timezone.now(), language=language,
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"template-{submission.cycle.year}-{submission.region.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _range_note(submission: Submission, code: str) -> str:
    # The model's cross-element error rules with this element on the left ("E101 <= P01").
    notes = []
    for rule in submission.cycle.model_version.rules.all():
        left, _, right = rule.expression.partition("<=")
        if right and left.strip() == code and rule.severity == "error":
            notes.append(f"≤ {right.strip()}")
    return "，".join(notes)


@login_required
@require_POST
def upload(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_officer(request, submission_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件"))
        return redirect("submissions:detail", submission_id=submission.pk)
    uploaded = form.cleaned_data["file"]
    try:
        content = _read_bounded(uploaded)
        version = services.version_create_from_upload(
            submission=submission, content=content, filename=uploaded.name, actor=request.user
        )
    except services.UploadRejected as exc:
        messages.error(request, exc.message)
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已收到文件（第 %(n)s 版），正在校验") % {"n": version.number})
    return redirect("submissions:detail", submission_id=submission.pk)


def _read_bounded(uploaded: Any) -> bytes:
    from django.conf import settings

    if uploaded.size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES / 1048576
        raise services.UploadRejected(str(services.FILE_TOO_LARGE).format(
            size=f"{uploaded.size / 1048576:.1f} MB", limit=f"{limit:.1f} MB"))
    return b"".join(uploaded.chunks())


@login_required
@require_GET
def submission_state(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Polled by htmx while the worker checks a submitted submission."""
    submission = get_submission_for_user(request, submission_id)
    response = render(request, "submissions/_submission_state.html", {"submission": submission})
    if submission.state not in CHECKING_STATES and request.htmx:  # type: ignore[attr-defined]
        response["HX-Refresh"] = "true"
    return response


CHECKING_STATES = (Submission.State.SUBMITTED, Submission.State.VALIDATING)


@login_required
@require_GET
def version_status(request: HttpRequest, version_id: int) -> HttpResponse:
    """Polled by htmx every second while a version is being validated."""
    version = get_version_for_user(request, version_id)
    progress = services.progress_get(version.pk) or {"percent": 0, "stage": "queued"}
    response = render(request, "submissions/_version_status.html",
                      {"version": version, "progress": progress})
    if version.is_validated and request.htmx:  # type: ignore[attr-defined]
        response["HX-Refresh"] = "true"  # show the results at their cells
    return response


@login_required
@require_http_methods(["GET", "POST"])
def edit_values(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_officer(request, submission_id)
    if not submission.is_editable:
        messages.error(request, str(services.NOT_EDITABLE).format(
            state=submission.get_state_display()))
        return redirect("submissions:detail", submission_id=submission.pk)
    current = submission.current_version
    initial = {v.element.code: v for v in selectors.version_values(current)} if current else {}
    elements = list(submission.cycle.model_version.elements.all())
    form = ValuesForm(request.POST or None, elements=elements, initial_values=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_create_from_edit(
                submission=submission, values=form.edited_values(), actor=request.user
            )
        except TransitionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存为第 %(n)s 版，正在校验") % {"n": version.number})
            return redirect("submissions:detail", submission_id=submission.pk)
    by_code, _general = _issues_by_code(current)
    rows = [(e, value, note, by_code.get(e.code, [])) for e, value, note in form.rows()]
    return render(request, "submissions/edit_values.html",
                  {"submission": submission, "form": form, "rows": rows})


@login_required
@require_POST
def submit(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_officer(request, submission_id)
    try:
        services.submission_submit(submission_id=submission.pk, actor=request.user)
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提交，正在进行提交校验"))
    return redirect("submissions:detail", submission_id=submission.pk)


@login_required
@require_POST
def review_action(request: HttpRequest, submission_id: int, action: str) -> HttpResponse:
    submission = get_submission_for_reviewer(request, submission_id)
    actions = {"approve": Action.APPROVE, "return": Action.RETURN}
    if action not in actions:
        raise PermissionDenied
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "").strip()
    role = Actor.REVIEWER if roles.is_reviewer(request.user) else Actor.ADMINISTRATOR
    try:
        services.submission_transition(submission_id=submission.pk, action=actions[action],
                                       actor=request.user, actor_role=role, reason=reason)
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理"))
    return redirect("submissions:detail", submission_id=submission.pk)


@login_required
@require_GET
def timeline(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Everything that happened to a submission, for auditors (and the people involved)."""
    submission = get_submission_for_user(request, submission_id)
    versions = list(submission.versions.select_related("file", "created_by", "based_on")
                    .prefetch_related("issues").order_by("number"))
    by_number = {v.number: v for v in versions}
    diff = None
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if a.isdigit() and b.isdigit() and int(a) in by_number and int(b) in by_number:
        diff = selectors.version_diff(by_number[int(a)], by_number[int(b)])
    return render(request, "submissions/timeline.html", {
        "submission": submission, "versions": versions, "diff": diff, "a": a, "b": b,
        "transitions": submission.transitions.select_related("actor", "version"),
        "comments": submission.comments.select_related("author"),
    })


@login_required
@require_POST
def comment(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_user(request, submission_id)
    if roles.is_auditor(request.user) and not (roles.is_reviewer(request.user)
                                               or roles.is_administrator(request.user)):
        raise PermissionDenied  # auditors read; they do not take part
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_add(submission=submission, author=request.user,
                             body=form.cleaned_data["body"])
    else:
        messages.error(request, str(services.COMMENT_EMPTY))
    return redirect("submissions:detail", submission_id=submission.pk)


@login_required
@require_POST
def reopen(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_submission_for_user(request, submission_id)
    if not roles.is_administrator(request.user):
        raise PermissionDenied
    try:
        services.submission_transition(
            submission_id=submission.pk, action=Action.REOPEN, actor=request.user,
            actor_role=Actor.ADMINISTRATOR, reason=request.POST.get("reason", ""))
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新打开"))
    return redirect("submissions:detail", submission_id=submission.pk)


def _require_administrator(request: HttpRequest) -> None:
    if not roles.is_administrator(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def cycles(request: HttpRequest) -> HttpResponse:
    if not roles.is_staff_reader(request.user):
        raise PermissionDenied
    form = CycleForm(request.POST or None)
    if request.method == "POST":
        _require_administrator(request)
        if form.is_valid():
            data = form.cleaned_data
            cycle = services.cycle_create(year=data["year"], model_version=data["model_version"],
                                          opens_on=data["opens_on"], deadline=data["deadline"],
                                          actor=request.user)
            messages.success(request, _("已创建 %(year)s 年度填报周期") % {"year": cycle.year})
            return redirect("submissions:cycles")
    return render(request, "submissions/cycles.html", {
        "cycles": Cycle.objects.select_related("model_version").order_by("-year"),
        "form": form, "deadline_form": DeadlineForm(),
    })


@login_required
@require_POST
def cycle_update(request: HttpRequest, cycle_id: int) -> HttpResponse:
    _require_administrator(request)
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    try:
        if "state" in request.POST:
            services.cycle_set_state(cycle=cycle, state=request.POST["state"], actor=request.user)
        else:
            form = DeadlineForm(request.POST)
            if not form.is_valid():
                raise TransitionError(_("请填写有效的日期"))
            services.cycle_set_deadline(cycle=cycle, deadline=form.cleaned_data["deadline"],
                                        actor=request.user)
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已更新"))
    return redirect("submissions:cycles")


@login_required
@require_GET
def file_download(request: HttpRequest, file_id: int) -> FileResponse:
    upload = get_file_for_user(request, file_id)
    return FileResponse(upload.file.open("rb"), as_attachment=True,
                        filename=upload.original_name)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if not roles.is_staff_reader(request.user):
        raise PermissionDenied
    submissions = Submission.objects.select_related("cycle", "region", "current_version")
    filtered = QueueFilter(request.GET, queryset=submissions)
    table = QueueTable(filtered.qs)
    RequestConfig(request, paginate={"per_page": 40}).configure(table)
    fmt = request.GET.get("_export")
    if fmt in ("csv", "xlsx"):
        rows = list(table.as_values())
        columns = [str(c) for c in rows[0]]
        content = render_table(fmt, columns, [dict(zip(columns, r, strict=True))
                                              for r in rows[1:]])
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="queue.{fmt}"'
        return response
    return render(request, "submissions/queue.html", {"table": table, "filter": filtered})
