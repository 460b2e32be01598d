"""Who may see and do what with a submission. Every view's first line is one of these.

Another region's submission answers 404 (its existence is not disclosed); a person who may see
a submission but not do the thing asked (an auditor posting, a reviewer editing values)
gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts import roles
from submissions.models import Submission, UploadedFile, Version

_RELATED = ("cycle__model_version", "region", "current_version")


def _visible(request: HttpRequest, region_id: int | None) -> bool:
    user = request.user
    if roles.is_staff_reader(user):
        return True
    return roles.is_officer(user) and region_id is not None and user.region_id == region_id  # type: ignore[union-attr]


def get_submission_for_user(request: HttpRequest, submission_id: int) -> Submission:
    """Read access: the region's officers and all national staff."""
    submission = get_object_or_404(Submission.objects.select_related(*_RELATED), pk=submission_id)
    if not _visible(request, submission.region_id):
        raise Http404
    return submission


def get_submission_for_officer(request: HttpRequest, submission_id: int) -> Submission:
    """Changing the data: only the officers of the submission's own region."""
    submission = get_submission_for_user(request, submission_id)
    user = request.user
    if not (roles.is_officer(user) and user.region_id == submission.region_id):  # type: ignore[union-attr]
        raise PermissionDenied
    return submission


def get_submission_for_reviewer(request: HttpRequest, submission_id: int) -> Submission:
    """Approving and returning: reviewers and administrators."""
    submission = get_submission_for_user(request, submission_id)
    if not roles.is_decider(request.user):
        raise PermissionDenied
    return submission


def require_officer(request: HttpRequest) -> int:
    """A province officer's own pages; the id of their region."""
    if not roles.is_officer(request.user):
        raise PermissionDenied
    # is_officer: the user has a region.
    region_id: int = request.user.region_id  # type: ignore[union-attr,assignment]
    return region_id


def require_staff_reader(request: HttpRequest) -> None:
    """The national staff's pages: reviewers, administrators, auditors."""
    if not roles.is_staff_reader(request.user):
        raise PermissionDenied


def require_administrator(request: HttpRequest) -> None:
    if not roles.is_administrator(request.user):
        raise PermissionDenied


def require_participant(request: HttpRequest) -> None:
    """Taking part in a submission's discussion: anyone who sees it but a read-only auditor."""
    if roles.is_read_only(request.user):
        raise PermissionDenied


def get_version_for_user(request: HttpRequest, version_id: int) -> Version:
    version = get_object_or_404(
        Version.objects.select_related("submission__region", "submission__cycle", "file"),
        pk=version_id,
    )
    if not _visible(request, version.submission.region_id):
        raise Http404
    return version


def get_file_for_user(request: HttpRequest, file_id: int) -> UploadedFile:
    upload = get_object_or_404(UploadedFile.objects.select_related("region", "cycle"), pk=file_id)
    # A bulk file spans regions: only national staff may download it.
    if upload.region_id is None and not roles.is_staff_reader(request.user):
        raise Http404
    if upload.region_id is not None and not _visible(request, upload.region_id):
        raise Http404
    return upload
