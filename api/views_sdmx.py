"""SDMX for the published data: the structure (SDMX-ML 3.0) and the figures (SDMX-CSV 2.0) of
a published year, the same documents ``export_sdmx`` writes. Cached per model and per run."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request

from api import sdmx, selectors
from api.cache import cached
from api.negotiation import FirstRendererNegotiation
from api.schema import PROBLEMS, PUBLIC_ERRORS
from api.views_public import PUBLICATION, PublicView, _int

TAG = "SDMX"


class SdmxStructure(PublicView):
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(tags=[TAG], summary="The data structure definition (SDMX-ML 3.0)",
                   description="Dimensions REF_AREA, INDICATOR, TIME_PERIOD; measure "
                               "OBS_VALUE; attributes UNIT_MEASURE, OBS_STATUS; code lists "
                               "in Chinese and English.",
                   responses={(200, "application/vnd.sdmx.structure+xml"): OpenApiResponse(
                       description="an SDMX-ML 3.0 structure message"),
                       **PUBLIC_ERRORS, 404: PROBLEMS})
    def get(self, request: Request, year: int) -> HttpResponse:
        model = selectors.published_run(year).model_version
        text = cached(f"sdmx-structure:{model.code}:{model.source_sha256}",
                      lambda: sdmx.structure_xml(model))
        return HttpResponse(text.encode("utf-8"), content_type=sdmx.STRUCTURE_CONTENT_TYPE)


class SdmxData(PublicView):
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(tags=[TAG], summary="A publication's figures (SDMX-CSV 2.0)",
                   description="Indicator values and scores, dimension points and ranks, "
                               "totals, ranks and rank intervals of every region.",
                   parameters=[PUBLICATION],
                   responses={(200, "application/vnd.sdmx.data+csv"): OpenApiResponse(
                       description="SDMX-CSV 2.0"), **PUBLIC_ERRORS, 404: PROBLEMS})
    def get(self, request: Request, year: int) -> HttpResponse:
        run = selectors.published_run(year, _int(request, "publication"))
        text = cached(f"sdmx-data:{run.pk}", lambda: sdmx.data_csv(run))
        response = HttpResponse(text.encode("utf-8"), content_type=sdmx.DATA_CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="ifdi-{year}.csv"'
        return response
