"""Reporting cycles, submissions, their versions, values, files, issues and transitions.

Nothing here is ever overwritten: every upload or online edit is a new ``Version``; the
submission's ``current_version`` is a pointer that moves forward. There is no delete path.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import NoDeleteModel
from indicators.models import DataElement, ModelVersion, Region, Severity


class Cycle(NoDeleteModel):
    class State(models.TextChoices):
        OPEN = "open", _("填报中")
        CLOSED = "closed", _("已截止")
        SCORED = "scored", _("已测算")
        PUBLISHED = "published", _("已发布")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    model_version = models.ForeignKey(
        ModelVersion, verbose_name=_("指标体系版本"), on_delete=models.PROTECT,
        related_name="cycles",
    )
    opens_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("填报周期")
        verbose_name_plural = _("填报周期")

    def __str__(self) -> str:
        return str(self.year)


class Submission(NoDeleteModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        VALIDATING = "validating", _("校验中")
        INVALID = "invalid", _("校验未通过")
        AWAITING_REVIEW = "awaiting_review", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已通过")

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="submissions")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="submissions")
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    current_version = models.ForeignKey(
        "Version", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Numbers versions under the submission's row lock, so that two uploads at the same
    # moment get 1 and 2, never two 1s.
    version_count = models.PositiveIntegerField(default=0)
    # The version the officer submitted and the one a reviewer (or a bulk load) approved:
    # pinned, so that a version whose validation ends later never changes what was approved,
    # and scoring reads exactly the approved one.
    submitted_version = models.ForeignKey(
        "Version", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_version = models.ForeignKey(
        "Version", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Submitted after the deadline while the cycle was still open.
    submitted_late = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "region__order"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "region"], name="uniq_submission")
        ]
        verbose_name = _("填报")
        verbose_name_plural = _("填报")

    def __str__(self) -> str:
        return f"{self.cycle.year} {self.region}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


EDITABLE_STATES = frozenset(
    {Submission.State.DRAFT, Submission.State.INVALID, Submission.State.RETURNED}
)


def upload_path(instance: UploadedFile, filename: str) -> str:
    # The stored name is the content hash: never the user's name, which may be hostile.
    return f"uploads/{instance.sha256[:2]}/{instance.sha256}"


class UploadedFile(NoDeleteModel):
    class Purpose(models.TextChoices):
        SUBMISSION = "submission", _("填报文件")
        BULK = "bulk", _("批量导入")

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="files")
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    file = models.FileField(upload_to=upload_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploads"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("上传文件")
        verbose_name_plural = _("上传文件")

    def __str__(self) -> str:
        return self.original_name


class Version(NoDeleteModel):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("上传")
        EDIT = "edit", _("在线修改")
        BULK = "bulk", _("批量导入")

    class Validation(models.TextChoices):
        PENDING = "pending", _("等待校验")
        RUNNING = "running", _("校验中")
        VALID = "valid", _("校验通过")
        INVALID = "invalid", _("有错误")
        REJECTED = "rejected", _("文件无法读取")
        # Given up after VALIDATION_MAX_ATTEMPTS runs that never finished: an operator's case.
        FAILED = "failed", _("校验未完成")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    file = models.ForeignKey(
        UploadedFile, null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    diff = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="versions"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    validation = models.CharField(
        _("校验状态"), max_length=10, choices=Validation.choices, default=Validation.PENDING
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    # The validation's life in the workers: when it was last queued (at creation, and by each
    # re-queue of the sweep), when a worker last started it, how many times one did. The
    # officer's page tells a lost validation from a queued one with them, and the sweep gives
    # up on one that never finishes (submissions.services.validation).
    validation_queued_at = models.DateTimeField(null=True, blank=True)
    validation_started_at = models.DateTimeField(null=True, blank=True)
    validation_attempts = models.PositiveSmallIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    unexplained_warning_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["submission", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="uniq_version_number")
        ]
        verbose_name = _("版本")
        verbose_name_plural = _("版本")

    def __str__(self) -> str:
        return f"{self.submission} v{self.number}"

    @property
    def is_validated(self) -> bool:
        return self.validation in (self.Validation.VALID, self.Validation.INVALID,
                                   self.Validation.REJECTED)


class Value(NoDeleteModel):
    # No index of their own: the unique (version, element) index serves every lookup by
    # version, nothing looks values up by element alone, and each index costs a bulk load of
    # 180,000 values about 0.15 s of the server (docs/benchmarks.md).
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="values",
                                db_index=False)
    # No constraint in the database either: PostgreSQL checks a foreign key with one query
    # per inserted row, a third of the server's work in a county-level load. The element ids
    # written come from the model version's own elements, which are never deleted (the ORM
    # still refuses to delete an element that has values: PROTECT); the version, created in
    # the same transaction as its values, keeps its database constraint.
    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="+",
                                db_index=False, db_constraint=False)
    value = models.DecimalField(max_digits=22, decimal_places=6, null=True, blank=True)
    raw = models.CharField(_("原始内容"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    row = models.PositiveIntegerField(null=True, blank=True)
    column = models.CharField(max_length=5, blank=True)

    class Meta:
        ordering = ["version", "element__order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "element"], name="uniq_value")
        ]

    def __str__(self) -> str:
        return f"{self.element.code}={self.value}"


class ValidationIssue(NoDeleteModel):
    Severity = Severity

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="issues")
    element_code = models.CharField(max_length=20, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    row = models.PositiveIntegerField(null=True, blank=True)
    column = models.CharField(max_length=5, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    rule_code = models.CharField(max_length=40)
    message_zh = models.CharField(max_length=500)
    message_en = models.CharField(max_length=500)

    class Meta:
        ordering = ["version", "severity", "row", "id"]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.element_code}"


class Transition(NoDeleteModel):
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="transitions")
    version = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, choices=Submission.State.choices)
    to_state = models.CharField(max_length=20, choices=Submission.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state}→{self.to_state}"


class Comment(NoDeleteModel):
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:40]


class Notice(models.Model):
    """An e-mail that must go out once: a deadline reminder (``deadline:<submission>:<days>``)
    or a reviewer's digest (``digest:<user>:<hour>``). The unique key is what keeps a late or
    repeated run of the task from sending it twice."""

    key = models.CharField(max_length=100, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("已发通知")
        verbose_name_plural = _("已发通知")

    def __str__(self) -> str:
        return self.key
