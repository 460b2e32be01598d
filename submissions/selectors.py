"""Reads of the submissions app. Scoring and the national view read approved data only
through the functions here; the pages read everything they show through the second half
(what to do next, who may do what, the rows of a page), so that views and templates decide
nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import Count, F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts import roles
from indicators.expressions import parse_expression
from indicators.models import DataElement, ModelVersion, Region, Rule
from submissions.models import (
    Comment,
    Cycle,
    Submission,
    Transition,
    ValidationIssue,
    Value,
    Version,
)
from submissions.rules import CrossRule, ElementRule, IndicatorCheck, RuleSet, primary_code
from submissions.template import TemplateRow
from submissions.workflow import CYCLE_STEP_LABELS, CYCLE_STEPS


def ruleset_for(model_version: ModelVersion) -> RuleSet:
    elements = list(model_version.elements.all())
    codes = {e.code for e in elements}
    return RuleSet(
        model=model_version.code,
        elements={e.code: element_rule(e) for e in elements},
        rules=[
            CrossRule(r.code, parse_expression(r.expression, known_codes=codes), r.severity,
                      r.message_zh, r.message_en)
            for r in model_version.rules.all()
        ],
        indicators=[
            IndicatorCheck(i.code, i.name_zh, i.name_en, expr, primary_code(expr))
            for i in model_version.indicators.all()
            if (expr := parse_expression(i.formula, known_codes=codes))
        ],
    )


def element_rule(e: DataElement) -> ElementRule:
    return ElementRule(
        code=e.code, name_zh=e.name_zh, name_en=e.name_en, unit=e.unit, kind=e.kind,
        minimum=e.min_value, minimum_exclusive=e.min_exclusive, maximum=e.max_value,
        max_level=e.max_level, yoy_threshold=e.yoy_threshold,
    )


def previous_cycle(cycle: Cycle) -> Cycle | None:
    return Cycle.objects.filter(year__lt=cycle.year).order_by("-year").first()


def approved_values_by_region(cycle: Cycle) -> dict[int, dict[str, Decimal | None]]:
    """region id → element code → value of the approved versions of a cycle (the version each
    approval pinned: ``Submission.approved_version``)."""
    result: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    # No ordering (Value's default ordering joins four more tables and sorts every row) and
    # no join for the element codes (a few dozen, read once): a county-level cycle has
    # 180,000 values, read by every bulk load of the year after.
    rows = Value.objects.filter(
        version__submission__cycle=cycle,
        version__submission__state=Submission.State.APPROVED,
        version__submission__approved_version=F("version"),
    ).order_by().values_list("version__submission__region_id", "element_id", "value")
    codes: dict[int, str] = {}
    for region_id, element_id, value in rows:
        if not codes:  # at the first row: no query for a cycle without values
            codes = element_codes(cycle)
        result[region_id][codes[element_id]] = value
    return result


def element_codes(cycle: Cycle) -> dict[int, str]:
    """element id → code of the cycle's model version, whose elements are the only ones its
    values have: a few dozen read once, instead of a join for each of up to 180,000 values
    (``approved_values_by_region`` of a county-level cycle: 0.18 s, and 0.30 s with the join;
    docs/benchmarks.md, "Speed tricks")."""
    return dict(DataElement.objects.filter(version_id=cycle.model_version_id)
                .values_list("pk", "code"))


def previous_approved_values(cycle: Cycle, region: Region) -> dict[str, Decimal | None]:
    before = previous_cycle(cycle)
    if before is None:
        return {}
    return approved_values_by_region(before).get(region.pk, {})


def current_values_by_region(cycle: Cycle) -> dict[int, dict[str, float]]:
    """region id → code → value of the cycle's current validated versions (any state)."""
    versions = Version.objects.filter(
        submission__cycle=cycle,
        validation__in=[Version.Validation.VALID, Version.Validation.INVALID],
        submission__current_version=F("pk"),
    )
    result: dict[int, dict[str, float]] = defaultdict(dict)
    codes: dict[int, str] = {}
    for region_id, element_id, value in Value.objects.filter(
        version__in=versions, value__isnull=False
    ).order_by().values_list("version__submission__region_id", "element_id", "value"):
        if not codes:
            codes = element_codes(cycle)
        result[region_id][codes[element_id]] = float(value)  # type: ignore[arg-type]
    return result


def current_values_with_notes(cycle: Cycle, region_ids: Iterable[int]
                              ) -> dict[int, dict[str, tuple[Decimal | None, str]]]:
    """region id → code → (value, note) of the current versions of these regions' submissions
    in the cycle: what a bulk load replaces, for the audit log's old → new."""
    result: dict[int, dict[str, tuple[Decimal | None, str]]] = defaultdict(dict)
    for region_id, code, value, note in Value.objects.filter(
        version__submission__cycle=cycle, version__submission__region_id__in=list(region_ids),
        version__submission__current_version=F("version_id"),
    ).order_by().values_list("version__submission__region_id", "element__code", "value",
                             "note"):
        result[region_id][code] = (value, note)
    return result


def peer_values(cycle: Cycle, *, exclude_region_id: int | None) -> list[dict[str, float]]:
    """The current validated values of the cycle's other submissions, for outlier checks."""
    return [values for region_id, values in current_values_by_region(cycle).items()
            if region_id != exclude_region_id]


def version_values(version: Version) -> QuerySet[Value]:
    return version.values.select_related("element").order_by("element__order")


def current_values(submission: Submission) -> dict[str, Value]:
    """element code → value of the submission's current version (none without one)."""
    current = submission.current_version
    return {v.element.code: v for v in version_values(current)} if current else {}


def version_issues(version: Version) -> QuerySet[ValidationIssue]:
    return version_issues_order(version.issues.all())


def version_issues_order(issues: QuerySet[ValidationIssue]) -> QuerySet[ValidationIssue]:
    return issues.order_by("severity", "row", "element_code", "id")


@dataclass(frozen=True)
class ApprovedVersion:
    region: Region
    version_id: int
    values: dict[str, float]


def approved_versions(cycle: Cycle) -> list[ApprovedVersion]:
    """The approved versions (``Submission.approved_version``, the one each approval pinned)
    of the cycle's approved submissions with their values, in region order (two queries,
    whatever the number of units)."""
    submissions = list(
        Submission.objects.filter(cycle=cycle, state=Submission.State.APPROVED,
                                  approved_version__isnull=False)
        .select_related("region").order_by("region__order", "region__code")
    )
    values: dict[int, dict[str, float]] = defaultdict(dict)
    for version_id, code, value in Value.objects.filter(
        version_id__in=[s.approved_version_id for s in submissions], value__isnull=False
    ).order_by().values_list("version_id", "element__code", "value"):
        values[version_id][code] = float(value)  # type: ignore[arg-type]
    return [ApprovedVersion(s.region, s.approved_version_id, values[s.approved_version_id])
            for s in submissions if s.approved_version_id is not None]


def regions_without_approval(cycle: Cycle, *, ranked_only: bool = True) -> list[Region]:
    approved = Submission.objects.filter(cycle=cycle, state=Submission.State.APPROVED)
    regions = Region.objects.exclude(pk__in=approved.values("region_id")).order_by("order")
    return list(regions.filter(ranked=True) if ranked_only else regions)


def values_of_versions(version_ids: list[int]) -> dict[int, dict[str, float]]:
    """version id → element code → value, for recomputing a stored scoring run."""
    values: dict[int, dict[str, float]] = {vid: {} for vid in version_ids}
    for version_id, code, value in Value.objects.filter(
        version_id__in=version_ids, value__isnull=False
    ).order_by().values_list("version_id", "element__code", "value"):
        values[version_id][code] = float(value)  # type: ignore[arg-type]
    return values


@dataclass(frozen=True)
class ValueChange:
    code: str
    before: Decimal | None
    after: Decimal | None
    note_before: str
    note_after: str


def version_diff(before: Version, after: Version) -> list[ValueChange]:
    """The values and notes that differ between two versions of a submission."""
    old = {v.element.code: v for v in before.values.select_related("element")}
    new = {v.element.code: v for v in after.values.select_related("element")}
    order = {e.code: e.order for e in before.submission.cycle.model_version.elements.all()}
    changes = []
    for code in sorted(old.keys() | new.keys(), key=lambda c: (order.get(c, 999), c)):
        a, b = old.get(code), new.get(code)
        value_a, value_b = (a.value if a else None), (b.value if b else None)
        note_a, note_b = (a.note if a else ""), (b.note if b else "")
        if value_a != value_b or note_a != note_b:
            changes.append(ValueChange(code, value_a, value_b, note_a, note_b))
    return changes


# --- the pages: what a view or a template needs to know ---------------------------------------

S = Submission.State
Severity = ValidationIssue.Severity
# The submission's state is polled while the worker checks it.
CHECKING_STATES = frozenset({S.SUBMITTED, S.VALIDATING})

NEXT_UPLOAD = _("下载模板，填写后上传")
NEXT_FIX = _("改正错误")
NEXT_EXPLAIN = _("在备注中说明警告，然后提交")
NEXT_SUBMIT = _("提交审核")
NEXT_WAIT = _("等待审核")
NEXT_CLOSED = _("填报已截止，不能再修改或提交")
NEXT_BY_STATE: dict[str, str | Promise] = {
    S.RETURNED: _("按审核意见修改后重新提交"),
    S.INVALID: _("改正错误后重新提交"),
    S.APPROVED: _("无需操作"),
}


def validation_is_lost(version: Version) -> bool:
    """Whether a version not yet validated waits longer than it should: queued and not started
    for ``VALIDATION_STUCK_AFTER_SECONDS``, or "running" past its hard time limit (its worker
    died). The sweep re-queues such a version; the officer's page says so."""
    now = timezone.now()
    if version.validation == Version.Validation.PENDING:
        since = version.validation_queued_at or version.created_at
        return (now - since).total_seconds() > settings.VALIDATION_STUCK_AFTER_SECONDS
    if version.validation == Version.Validation.RUNNING:
        since = version.validation_started_at or version.created_at
        return (now - since).total_seconds() > settings.VALIDATION_TIME_LIMIT + 5
    return False


def submission_is_checking(submission: Submission) -> bool:
    return submission.state in CHECKING_STATES


def officer_next_step(submission: Submission) -> str | Promise:
    """What the region's officer has to do next with a submission."""
    current = submission.current_version
    if submission.is_editable and submission.cycle.state != Cycle.State.OPEN:
        return NEXT_CLOSED
    if submission.state != S.DRAFT:
        return NEXT_BY_STATE.get(submission.state, NEXT_WAIT)
    if current is None:
        return NEXT_UPLOAD
    if current.error_count:
        return NEXT_FIX
    if current.unexplained_warning_count:
        return NEXT_EXPLAIN
    return NEXT_SUBMIT


def return_reason(submission: Submission) -> str:
    """The reviewer's reason while the submission is returned, else ""."""
    if submission.state != S.RETURNED:
        return ""
    last = (Transition.objects.filter(submission=submission, to_state=S.RETURNED)
            .order_by("-created_at", "-id").first())
    return last.reason if last else ""


@dataclass(frozen=True)
class OfficerRow:
    submission: Submission
    next_step: str | Promise
    return_reason: str  # why it was returned, while it is
    deadline: Deadline


def officer_rows(*, region_id: int) -> list[OfficerRow]:
    """The officer's home: the region's submissions, newest cycle first, with what to do."""
    submissions = list(Submission.objects.filter(region_id=region_id)
                       .select_related("cycle", "current_version").order_by("-cycle__year"))
    reasons = dict(Transition.objects.filter(submission__in=submissions, to_state=S.RETURNED)
                   .order_by("submission_id", "created_at")
                   .values_list("submission_id", "reason"))  # the latest per submission wins
    return [OfficerRow(s, officer_next_step(s),
                       reasons.get(s.pk, "") if s.state == S.RETURNED else "",
                       cycle_deadline(s.cycle))
            for s in submissions]


@dataclass(frozen=True)
class Abilities:
    """What the person looking at a submission may do with it; the page shows only that."""

    can_edit: bool
    can_submit: bool
    submit_blocked_by_errors: bool
    can_comment: bool
    can_review: bool
    can_reopen: bool


def submission_abilities(*, submission: Submission, user: Any) -> Abilities:
    current = submission.current_version
    # The services refuse an officer's change to a cycle that is not open (CYCLE_CLOSED);
    # the page does not offer it.
    can_edit = (roles.is_officer(user) and submission.is_editable
                and user.region_id == submission.region_id
                and submission.cycle.state == Cycle.State.OPEN)
    can_submit = (can_edit and submission.state == S.DRAFT and current is not None
                  and current.is_validated and not current.error_count
                  and not current.unexplained_warning_count)
    return Abilities(
        can_edit=can_edit,
        can_submit=can_submit,
        submit_blocked_by_errors=bool(not can_submit and current and current.error_count),
        can_comment=can_edit or roles.is_decider(user),
        can_review=roles.is_decider(user) and submission.state == S.AWAITING_REVIEW,
        can_reopen=roles.is_administrator(user) and submission.state == S.APPROVED,
    )


@dataclass(frozen=True)
class Deadline:
    """How a page tells the cycle's deadline: closed (已截止 with the date), days left, or
    passed while the cycle is still open (a submission now is marked late). Never a negative
    count of days."""

    date: Any
    closed: bool
    days_left: int | None
    overdue: bool


def cycle_deadline(cycle: Cycle) -> Deadline:
    days = (cycle.deadline - timezone.localdate()).days
    closed = cycle.state != Cycle.State.OPEN
    return Deadline(cycle.deadline, closed, None if closed or days < 0 else days,
                    not closed and days < 0)


def unexplained_warnings(version: Version | None) -> list[ValidationIssue]:
    """The warnings of a version whose value carries no note (its explanation), in the order
    of the page, one per element and rule."""
    if version is None or not version.unexplained_warning_count:
        return []
    explained = set(version.values.exclude(note="").values_list("element__code", flat=True))
    return [issue for issue in version_issues(version).filter(severity=Severity.WARNING)
            if issue.element_code not in explained][:GENERAL_ISSUES_SHOWN]


# A page shows a few issues per element (and the file's own, at no element), each list with a
# link to the paginated list of the version's issues when there are more
# (``version_issues_page``): one upload once stored 249,000 issues and made a 41 MB page.
ISSUES_SHOWN_PER_ELEMENT = 3
GENERAL_ISSUES_SHOWN = 20
TIMELINE_ISSUES_SHOWN = 5
ISSUES_PER_PAGE = 100
# Versions, transitions and comments: the timeline pages its versions and shows the latest
# transitions and comments; the submission's page shows the latest few of each.
TIMELINE_VERSIONS_PER_PAGE = 50
TIMELINE_HISTORY_SHOWN = 100
DETAIL_VERSIONS_SHOWN = 20
DETAIL_HISTORY_SHOWN = 30


class IssueList(list[ValidationIssue]):
    """The issues shown for one element; ``more``: how many of its issues are not shown."""

    more: int = 0


@dataclass(frozen=True)
class IssueGroups:
    by_code: dict[str, IssueList]
    general: IssueList  # the file's own problems, at no element


def issues_by_code(version: Version | None) -> IssueGroups:
    """The first issues of each element of a version (two queries, however many)."""
    groups = IssueGroups(defaultdict(IssueList), IssueList())
    if version is None:
        return groups
    counts = dict(version.issues.order_by().values_list("element_code")
                  .annotate(n=Count("id")).values_list("element_code", "n"))
    place = Window(RowNumber(), partition_by=[F("element_code")],
                   order_by=[F("severity").asc(), F("row").asc(nulls_first=True), F("id").asc()])
    first = (version.issues.annotate(place=place)
             .filter(place__lte=max(ISSUES_SHOWN_PER_ELEMENT, GENERAL_ISSUES_SHOWN))
             .order_by("severity", "row", "element_code", "id"))
    for issue in first:
        shown = groups.by_code[issue.element_code] if issue.element_code else groups.general
        if len(shown) < (ISSUES_SHOWN_PER_ELEMENT if issue.element_code
                         else GENERAL_ISSUES_SHOWN):
            shown.append(issue)
    for code, count in counts.items():
        shown = groups.by_code[code] if code else groups.general
        shown.more = count - len(shown)
    return groups


@dataclass(frozen=True)
class IssuePage:
    version: Version
    page: Page[ValidationIssue]
    element: str | None


def version_issues_page(*, version: Version, page: int | None, element: str | None
                        ) -> IssuePage:
    """One page of a version's issues (of one element when ``element`` is given); 404 past
    the last page."""
    issues = version_issues(version)
    if element is not None:
        issues = issues.filter(element_code=element)
    paginator = Paginator(issues, ISSUES_PER_PAGE, allow_empty_first_page=True)
    try:
        return IssuePage(version, paginator.page(page or 1), element)
    except EmptyPage:
        raise Http404 from None


@dataclass(frozen=True)
class DetailRow:
    """One element of the submission page: this year's value, last year's, the change."""

    element: DataElement
    value: Value | None
    previous: Decimal | None
    issues: list[ValidationIssue]

    @property
    def shown(self) -> Decimal | str:
        if self.value is None:
            return "—"
        if self.value.value is None:
            return self.value.raw or "—"
        return self.value.value.normalize()

    @property
    def cell(self) -> str:
        value = self.value
        return f"{value.sheet}!{value.column}{value.row}" if value and value.row else ""

    @property
    def change(self) -> float | None:
        """Percent change against last year's approved value."""
        if not self.previous or self.value is None or self.value.value is None:
            return None
        return float((self.value.value - self.previous) / abs(self.previous) * 100)


def detail_rows(submission: Submission, groups: IssueGroups) -> list[DetailRow]:
    values = current_values(submission)
    previous = previous_approved_values(submission.cycle, submission.region)
    return [DetailRow(e, values.get(e.code), previous.get(e.code),
                      groups.by_code.get(e.code, IssueList()))
            for e in submission.cycle.model_version.elements.all()]


@dataclass(frozen=True)
class DetailPage:
    """Everything the submission page shows, under the names its template uses."""

    submission: Submission
    current: Version | None
    latest: Version | None
    pending: Version | None        # the latest version while the worker validates it
    pending_lost: bool             # ... and it waits longer than it should (validation_is_lost)
    rejected_upload: Version | None  # the latest version when its file could not be read
    checking: bool
    rows: list[DetailRow]
    general_issues: list[ValidationIssue]
    versions: list[Version]        # the latest DETAIL_VERSIONS_SHOWN
    more_versions: bool            # (the rest on the timeline)
    transitions: list[Transition]  # the latest DETAIL_HISTORY_SHOWN, in order
    comments: list[Comment]
    deadline: Deadline
    unexplained: list[ValidationIssue]  # warnings of the current version without a note
    abilities: Abilities

    def as_context(self) -> dict[str, Any]:
        context = {f.name: getattr(self, f.name) for f in fields(self)}
        context.update({f.name: getattr(self.abilities, f.name) for f in fields(self.abilities)})
        return context


def submission_detail_page(*, submission: Submission, user: Any) -> DetailPage:
    current = submission.current_version
    latest = submission.versions.select_related("file", "created_by").first()
    groups = issues_by_code(current)
    return DetailPage(
        submission=submission, current=current, latest=latest,
        pending=latest if latest and not latest.is_validated else None,
        pending_lost=bool(latest and not latest.is_validated and validation_is_lost(latest)),
        rejected_upload=(latest if latest and latest.validation == Version.Validation.REJECTED
                         else None),
        checking=submission_is_checking(submission),
        rows=detail_rows(submission, groups), general_issues=groups.general,
        versions=list(submission.versions.select_related("file", "created_by")
                      .order_by("-number")[:DETAIL_VERSIONS_SHOWN]),
        more_versions=submission.version_count > DETAIL_VERSIONS_SHOWN,
        transitions=latest_of(submission.transitions.select_related("actor"),
                              DETAIL_HISTORY_SHOWN)[0],
        comments=latest_of(submission.comments.select_related("author"),
                           DETAIL_HISTORY_SHOWN)[0],
        deadline=cycle_deadline(submission.cycle),
        unexplained=unexplained_warnings(current),
        abilities=submission_abilities(submission=submission, user=user),
    )


def range_notes(model_version: ModelVersion) -> dict[str, str]:
    """element code → the bounds other elements set on it, from the model's cross-element
    error rules with the element on the left ("E101 <= P01" → E101: "≤ P01")."""
    notes: dict[str, list[str]] = defaultdict(list)
    for rule in model_version.rules.all():
        left, _sign, right = rule.expression.partition("<=")
        if right and rule.severity == Rule.Severity.ERROR:
            notes[left.strip()].append(f"≤ {right.strip()}")
    separator = pgettext("list separator", "，")
    return {code: separator.join(parts) for code, parts in notes.items()}


def template_rows(submission: Submission) -> list[TemplateRow]:
    """The rows of the submission's spreadsheet template, pre-filled with its current values
    and last year's approved ones."""
    values = current_values(submission)
    previous = previous_approved_values(submission.cycle, submission.region)
    notes = range_notes(submission.cycle.model_version)
    return [
        TemplateRow(
            code=e.code, name_zh=e.name_zh, name_en=e.name_en, unit=e.unit, kind=e.kind,
            minimum=e.min_value, minimum_exclusive=e.min_exclusive, maximum=e.max_value,
            max_level=e.max_level, range_note=notes.get(e.code, ""),
            last_value=previous.get(e.code),
            value=values[e.code].value if e.code in values else None,
            note=values[e.code].note if e.code in values else "",
            levels=tuple((level["label_zh"], level["label_en"]) for level in e.levels),
        )
        for e in submission.cycle.model_version.elements.all()
    ]


@dataclass(frozen=True)
class Comparison:
    """The two versions chosen on the timeline (``?a=&b=``), and what differs between them."""

    a: int | None
    b: int | None
    diff: list[ValueChange] | None


def version_comparison(submission: Submission, a: int | None, b: int | None) -> Comparison:
    """``a`` and ``b`` are version numbers as the query gave them (parsed strictly by the
    view); a number of no version of the submission compares nothing. Unless chosen, the
    second is the latest version."""
    latest = submission.versions.order_by("-number").values_list("number", flat=True).first()
    second_number = b if b is not None else latest
    chosen = {v.number: v for v in submission.versions.filter(
        number__in=[n for n in (a, second_number) if n is not None])}
    first = a if a in chosen else None
    second = second_number if second_number in chosen else None
    diff = (version_diff(chosen[first], chosen[second])
            if first is not None and second is not None and b is not None else None)
    return Comparison(first, second, diff)


@dataclass(frozen=True)
class TimelinePage:
    """One page of a submission's versions (newest first), each with its first issues
    (``first_issues``) and how many it has (``issue_count``); every version number (the
    comparison's choices); the latest transitions and comments, and whether there are more."""

    versions: Page[Version]
    numbers: list[int]
    transitions: list[Transition]
    more_transitions: bool
    comments: list[Comment]
    more_comments: bool


def timeline_page(submission: Submission, page: int | None) -> TimelinePage:
    """404 past the last page of versions."""
    first = Prefetch("issues", to_attr="first_issues",
                     queryset=version_issues_order(ValidationIssue.objects.all())
                     [:TIMELINE_ISSUES_SHOWN])
    versions: QuerySet[Version] = (
        submission.versions.select_related("file", "created_by", "based_on")
        .annotate(issue_count=Count("issues")).prefetch_related(first).order_by("-number"))
    try:
        shown = Paginator(versions, TIMELINE_VERSIONS_PER_PAGE).page(page or 1)
    except EmptyPage:
        raise Http404 from None
    transitions, more_transitions = latest_of(
        submission.transitions.select_related("actor", "version"), TIMELINE_HISTORY_SHOWN)
    comments, more_comments = latest_of(submission.comments.select_related("author"),
                                        TIMELINE_HISTORY_SHOWN)
    return TimelinePage(shown, list(submission.versions.order_by("number")
                                    .values_list("number", flat=True)),
                        transitions, more_transitions, comments, more_comments)


def latest_of(rows: QuerySet[Any], limit: int) -> tuple[list[Any], bool]:
    """The latest ``limit`` rows (by creation) in their order, and whether there were more."""
    newest = list(rows.order_by("-created_at", "-id")[:limit + 1])
    return list(reversed(newest[:limit])), len(newest) > limit


@dataclass(frozen=True)
class CycleRow:
    cycle: Cycle
    next_state: str | None  # the state an administrator can move it to (close, reopen)

    @property
    def next_label(self) -> str | Promise:
        return CYCLE_STEP_LABELS[self.next_state] if self.next_state else ""


def cycle_rows() -> list[CycleRow]:
    return [CycleRow(c, CYCLE_STEPS.get(c.state))
            for c in Cycle.objects.select_related("model_version").order_by("-year")]


def queue_submissions() -> QuerySet[Submission]:
    return Submission.objects.select_related("cycle", "region", "current_version")


def submission_counts(cycle: Cycle) -> list[tuple[str, int]]:
    """(state label, count) of the cycle's submissions, in the order of the states."""
    counts = dict(cycle.submissions.order_by().values_list("state")
                  .annotate(n=Count("id")).values_list("state", "n"))
    return [(str(label), counts[state]) for state, label in Submission.State.choices
            if counts.get(state)]
