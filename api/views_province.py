"""A provincial system's calls, with its API token: its region's submission of a year.

Each view starts with ``get_submission_for_token`` (another region's submission: 404) and
then calls exactly the service the officer's page calls (``submissions.services`` and
``api.services``, which reshapes a request into those calls): the cycle's state, the
submission's state, validation, versions and the audit log are the web's. Writes answer 202:
the new version is validated by a worker, and its report is at the ``Location`` given.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api import selectors
from api.negotiation import FirstRendererNegotiation
from api.permissions import TokenRequired, get_submission_for_token
from api.schema import PROBLEMS, TOKEN_ERRORS
from api.serializers import (
    AcceptedVersionSerializer,
    ExplanationsSerializer,
    FileSerializer,
    SubmissionSerializer,
    TemplateSerializer,
    ValuesSerializer,
    VersionReportSerializer,
    VersionSummarySerializer,
)
from api.services import api_explanations_add, api_values_send
from common.errors import ApplicationError
from common.i18n import localized
from submissions.models import Submission, Version
from submissions.selectors import template_rows
from submissions.services.files import file_check_size
from submissions.services.review import submission_submit
from submissions.services.versions import version_create_from_upload
from submissions.template import build_template

TAG = "provincial submission"
REFUSED = {**TOKEN_ERRORS, 400: PROBLEMS, 409: PROBLEMS}


class ProvinceView(GenericAPIView):
    permission_classes = [TokenRequired]


def _accepted(request: Request, submission: Submission, version: Version) -> Response:
    url = reverse("api:version", kwargs={"year": submission.cycle.year,
                                         "region_code": submission.region.code,
                                         "number": version.number})
    data = {"year": submission.cycle.year, "region_code": submission.region.code,
            **(selectors.version_summary(version) or {}), "report": request.build_absolute_uri(url)}
    return Response(AcceptedVersionSerializer(data).data, status=status.HTTP_202_ACCEPTED,
                    headers={"Location": url})


class SubmissionDetail(ProvinceView):
    serializer_class = SubmissionSerializer

    @extend_schema(tags=[TAG], summary="The submission's state",
                   responses={200: SubmissionSerializer, **TOKEN_ERRORS})
    def get(self, request: Request, year: int, region_code: str) -> Response:
        submission = get_submission_for_token(request, year, region_code)
        return Response(SubmissionSerializer(selectors.submission_document(submission)).data)


class Template(ProvinceView):
    serializer_class = TemplateSerializer

    @extend_schema(tags=[TAG], summary="The template's data",
                   description="Every data element with its unit, bounds, last year's "
                               "approved value and the current value and note.",
                   responses={200: TemplateSerializer, **TOKEN_ERRORS})
    def get(self, request: Request, year: int, region_code: str) -> Response:
        submission = get_submission_for_token(request, year, region_code)
        return Response(TemplateSerializer(selectors.template_document(submission)).data)


class TemplateFile(ProvinceView):
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(tags=[TAG], summary="The template as a spreadsheet (xlsx)",
                   responses={(200, "application/vnd.openxmlformats-officedocument."
                                    "spreadsheetml.sheet"): OpenApiResponse(
                                        description="the same workbook as the web's"),
                              **TOKEN_ERRORS})
    def get(self, request: Request, year: int, region_code: str) -> HttpResponse:
        submission = get_submission_for_token(request, year, region_code)
        content = build_template(
            region_code=submission.region.code,
            region_name=localized(submission.region, "name"),
            cycle_year=submission.cycle.year,
            model_version=submission.cycle.model_version.code,
            rows=template_rows(submission),
            generated_at=timezone.now())
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-"
                                                      "officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = (f'attachment; filename="template-{year}-'
                                           f'{submission.region.code}.xlsx"')
        return response


class Values(ProvinceView):
    serializer_class = ValuesSerializer

    @extend_schema(tags=[TAG], summary="Send values",
                   description="A new version: the current values with these put over them "
                               "(an element not sent keeps its value and note). Values are "
                               "read like an officer's typing; the version is validated by "
                               "a worker.",
                   request=ValuesSerializer,
                   responses={202: AcceptedVersionSerializer, **REFUSED})
    def post(self, request: Request, year: int, region_code: str) -> Response:
        submission = get_submission_for_token(request, year, region_code)
        form = ValuesSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version = api_values_send(submission=submission, values=form.sent(), actor=request.user)
        return _accepted(request, submission, version)


class File(ProvinceView):
    serializer_class = FileSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(tags=[TAG], summary="Send a file",
                   description="The filled template (or any file the upload page takes), "
                               "as the multipart field `file`: a new version, validated by a "
                               "worker.",
                   request={"multipart/form-data": FileSerializer},
                   responses={202: AcceptedVersionSerializer, **REFUSED, 413: PROBLEMS})
    def post(self, request: Request, year: int, region_code: str) -> Response:
        submission = get_submission_for_token(request, year, region_code)
        form = FileSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        uploaded = form.validated_data["file"]
        file_check_size(size=uploaded.size)  # before the bytes are read into memory
        version = version_create_from_upload(
            submission=submission, content=b"".join(uploaded.chunks()),
            filename=uploaded.name or "upload", actor=request.user)
        return _accepted(request, submission, version)


class Explanations(ProvinceView):
    serializer_class = ExplanationsSerializer

    @extend_schema(tags=[TAG], summary="Explain warnings",
                   description="Each explanation is the note of its element's value, as an "
                               "officer writes it: a new version with the current values.",
                   request=ExplanationsSerializer,
                   responses={202: AcceptedVersionSerializer, **REFUSED})
    def post(self, request: Request, year: int, region_code: str) -> Response:
        submission = get_submission_for_token(request, year, region_code)
        form = ExplanationsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version = api_explanations_add(submission=submission, notes=form.notes(),
                                       actor=request.user)
        return _accepted(request, submission, version)


class Submit(ProvinceView):
    serializer_class = SubmissionSerializer

    @extend_schema(tags=[TAG], summary="Submit for review",
                   description="Submits the current version; a worker checks it and moves "
                               "it to review. A refusal lists the current version's problems.",
                   request=None, responses={202: SubmissionSerializer, **REFUSED})
    def post(self, request: Request, year: int, region_code: str) -> Response:
        submission = get_submission_for_token(request, year, region_code)
        try:
            submission_submit(submission_id=submission.pk, actor=request.user)
        except ApplicationError as exc:
            exc.extra.setdefault("errors", selectors.current_issues(submission))
            raise
        submission = selectors.submission_of(year=year, region=submission.region)
        return Response(SubmissionSerializer(selectors.submission_document(submission)).data,
                        status=status.HTTP_202_ACCEPTED)


class VersionList(ProvinceView):
    serializer_class = VersionSummarySerializer

    @extend_schema(tags=[TAG], summary="The submission's versions, newest first",
                   responses={200: VersionSummarySerializer(many=True), **TOKEN_ERRORS})
    def get(self, request: Request, year: int, region_code: str) -> Response:
        submission = get_submission_for_token(request, year, region_code)
        rows = [selectors.version_summary(v) for v in selectors.versions_of(submission)]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(VersionSummarySerializer(page, many=True).data)


class VersionDetail(ProvinceView):
    serializer_class = VersionReportSerializer

    @extend_schema(tags=[TAG], summary="A version's values and validation report",
                   description="Every problem with its element, rule code and messages "
                               "(`message` in the request's language, and both).",
                   responses={200: VersionReportSerializer, **TOKEN_ERRORS})
    def get(self, request: Request, year: int, region_code: str, number: int) -> Response:
        submission = get_submission_for_token(request, year, region_code)
        version = selectors.version_of(submission, number)
        return Response(VersionReportSerializer(
            selectors.version_report(submission, version)).data)
