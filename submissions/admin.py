from django.contrib import admin

from common.admin import ReadOnlyAdmin
from submissions.models import Cycle, Submission, UploadedFile, Version


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdmin):
    """Cycles are managed on the platform's own page (submissions:cycles)."""

    list_display = ("year", "model_version", "opens_on", "deadline", "state")


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "region", "state", "current_version", "updated_at")
    list_filter = ("cycle", "state")


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ("submission", "number", "source", "validation", "created_by", "created_at")


@admin.register(UploadedFile)
class UploadedFileAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "cycle", "region", "sha256", "size", "uploaded_by",
                    "uploaded_at")
