"""The published data, for everyone: no login, throttled per client, cached per run.

Years are addressed by their year and regions by their GB/T 2260 code. Only published runs are
read (``api.selectors`` over ``public.selectors``); a year without a publication answers 404.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from api import selectors
from api.cache import cached
from api.schema import PROBLEMS, PUBLIC_ERRORS
from api.serializers import (
    ModelVersionDetailSerializer,
    ModelVersionSerializer,
    PublicationSerializer,
    RankingRowSerializer,
    RankingSerializer,
    RegionResultSerializer,
    RegionSerializer,
    TargetSerializer,
    YearSerializer,
)

TAG = "published data"
YEAR_FILTER = OpenApiParameter("year", int, description="only this year")
REGION_FILTER = OpenApiParameter("region_code", str, description="only this region (GB/T 2260)")
PUBLICATION = OpenApiParameter("publication", int,
                               description="a publication number of the year (default: the "
                                           "latest; an earlier one is kept as it was)")


def _int(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


class PublicView(GenericAPIView):
    """A read of published data: anyone, cacheable by a proxy for a few minutes."""

    permission_classes: list[Any] = []

    def finalize_response(self, request: Request, response: Any, *args: Any,
                          **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            response["Cache-Control"] = "public, max-age=300"
        return response

    def paginated(self, rows: list[Any]) -> Response:
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(page)


class YearList(PublicView):
    serializer_class = YearSerializer

    @extend_schema(tags=[TAG], summary="Published years and their publications",
                   responses={200: YearSerializer(many=True), **PUBLIC_ERRORS})
    def get(self, request: Request) -> Response:
        return self.paginated(YearSerializer(selectors.published_years(), many=True).data)


class YearDetail(PublicView):
    serializer_class = YearSerializer

    @extend_schema(tags=[TAG], summary="A published year",
                   responses={200: YearSerializer, **PUBLIC_ERRORS, 404: PROBLEMS})
    def get(self, request: Request, year: int) -> Response:
        return Response(YearSerializer(selectors.published_year(year)).data)


class PublicationList(PublicView):
    serializer_class = PublicationSerializer

    @extend_schema(tags=[TAG], summary="Every publication and revision",
                   parameters=[YEAR_FILTER],
                   responses={200: PublicationSerializer(many=True), **PUBLIC_ERRORS})
    def get(self, request: Request) -> Response:
        rows = selectors.publications(year=_int(request, "year"))
        return self.paginated(PublicationSerializer(rows, many=True).data)


class Ranking(PublicView):
    serializer_class = RankingSerializer

    @extend_schema(tags=[TAG], summary="A publication's ranking",
                   description="The fields of `export_rankings --format json` (one key per "
                               "dimension code with its points, `rank_<code>` with its rank), "
                               "with the year, the rank interval (5th and 95th percentiles), "
                               "the tier and completeness.",
                   parameters=[PUBLICATION, REGION_FILTER],
                   responses={200: RankingSerializer, **PUBLIC_ERRORS, 404: PROBLEMS})
    def get(self, request: Request, year: int) -> Response:
        run = selectors.published_run(year, _int(request, "publication"))
        rows = cached(f"ranking:{run.pk}", lambda: [
            dict(row) for row in RankingRowSerializer(selectors.ranking(run), many=True).data])
        region = request.query_params.get("region_code")
        if region:
            rows = [row for row in rows if row["region_code"] == region]
        response = self.paginated(rows)
        response.data = {"year": year,
                         "publication": PublicationSerializer(selectors.publication(run)).data,
                         **response.data}
        return response


def _result(run: Any, result: Any) -> dict[str, Any]:
    return cached(f"result:{run.pk}:{result.region.code}", lambda: dict(
        RegionResultSerializer(selectors.region_results(run, result)).data))


class RegionResults(PublicView):
    serializer_class = RegionResultSerializer

    @extend_schema(tags=[TAG], summary="A region's results in a publication",
                   description="Total, rank and rank interval, each dimension's points and "
                               "rank, each indicator's value and score as published.",
                   parameters=[PUBLICATION],
                   responses={200: RegionResultSerializer, **PUBLIC_ERRORS, 404: PROBLEMS})
    def get(self, request: Request, year: int, region_code: str) -> Response:
        run = selectors.published_run(year, _int(request, "publication"))
        return Response(_result(run, selectors.region_result(run, region_code)))


class ResultList(PublicView):
    serializer_class = RegionResultSerializer

    @extend_schema(tags=[TAG], summary="Results of every region in every published year",
                   description="The latest publication of each year, newest year first.",
                   parameters=[YEAR_FILTER, REGION_FILTER],
                   responses={200: RegionResultSerializer(many=True), **PUBLIC_ERRORS})
    def get(self, request: Request) -> Response:
        region = request.query_params.get("region_code") or None
        rows = [_result(run, result)
                for run in selectors.latest_runs(year=_int(request, "year"))
                for result in selectors.results_of(run, region_code=region)]
        return self.paginated(rows)


class RegionList(PublicView):
    serializer_class = RegionSerializer

    @extend_schema(tags=[TAG], summary="Regions (GB/T 2260 codes)",
                   responses={200: RegionSerializer(many=True), **PUBLIC_ERRORS})
    def get(self, request: Request) -> Response:
        return self.paginated(RegionSerializer(selectors.regions(), many=True).data)


class ModelVersionList(PublicView):
    serializer_class = ModelVersionSerializer

    @extend_schema(tags=[TAG], summary="Index models",
                   responses={200: ModelVersionSerializer(many=True), **PUBLIC_ERRORS})
    def get(self, request: Request) -> Response:
        rows = [selectors.model_version_row(v) for v in selectors.model_versions()]
        return self.paginated(ModelVersionSerializer(rows, many=True).data)


class ModelVersionDetail(PublicView):
    serializer_class = ModelVersionDetailSerializer

    @extend_schema(tags=[TAG], summary="An index model in full",
                   description="Dimensions, data elements, indicators with their formulas, "
                               "normalisations and weights, rules and tiers: the document "
                               "`export_model` writes.",
                   responses={200: ModelVersionDetailSerializer, **PUBLIC_ERRORS,
                              404: PROBLEMS})
    def get(self, request: Request, code: str) -> Response:
        version = selectors.model_version(code)
        return Response(cached(f"model:{version.code}:{version.source_sha256}", lambda: dict(
            ModelVersionDetailSerializer(selectors.model_version_document(version)).data)))


class TargetList(PublicView):
    serializer_class = TargetSerializer

    @extend_schema(tags=[TAG], summary="The national 2020 targets",
                   description="As `export_targets --format json` writes them: the target, "
                               "the published figure of each year, growth and whether met.",
                   responses={200: TargetSerializer(many=True), **PUBLIC_ERRORS})
    def get(self, request: Request) -> Response:
        rows = cached(f"targets:{selectors.targets_stamp()}", lambda: [
            dict(row) for row in TargetSerializer(selectors.targets(), many=True).data])
        return self.paginated(rows)
