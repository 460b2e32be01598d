from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import views_docs, views_province, views_public, views_sdmx

app_name = "api"

SUBMISSION = "v1/years/<int:year>/submissions/<str:region_code>/"

urlpatterns = [
    # --- published data, for everyone ---------------------------------------------------------
    path("v1/years/", views_public.YearList.as_view(), name="years"),
    path("v1/years/<int:year>/", views_public.YearDetail.as_view(), name="year"),
    path("v1/years/<int:year>/ranking/", views_public.Ranking.as_view(), name="ranking"),
    path("v1/years/<int:year>/regions/<str:region_code>/", views_public.RegionResults.as_view(),
         name="region_results"),
    path("v1/publications/", views_public.PublicationList.as_view(), name="publications"),
    path("v1/results/", views_public.ResultList.as_view(), name="results"),
    path("v1/regions/", views_public.RegionList.as_view(), name="regions"),
    path("v1/model-versions/", views_public.ModelVersionList.as_view(), name="model_versions"),
    path("v1/model-versions/<str:code>/", views_public.ModelVersionDetail.as_view(),
         name="model_version"),
    path("v1/targets/", views_public.TargetList.as_view(), name="targets"),
    path("v1/sdmx/structure/<int:year>/", views_sdmx.SdmxStructure.as_view(),
         name="sdmx_structure"),
    path("v1/sdmx/data/<int:year>/", views_sdmx.SdmxData.as_view(), name="sdmx_data"),
    # --- a provincial system's submission, with its token -------------------------------------
    path(SUBMISSION, views_province.SubmissionDetail.as_view(), name="submission"),
    path(SUBMISSION + "template/", views_province.Template.as_view(), name="template"),
    path(SUBMISSION + "template.xlsx", views_province.TemplateFile.as_view(),
         name="template_file"),
    path(SUBMISSION + "values/", views_province.Values.as_view(), name="values"),
    path(SUBMISSION + "file/", views_province.File.as_view(), name="file"),
    path(SUBMISSION + "explanations/", views_province.Explanations.as_view(),
         name="explanations"),
    path(SUBMISSION + "submit/", views_province.Submit.as_view(), name="submit"),
    path(SUBMISSION + "versions/", views_province.VersionList.as_view(), name="versions"),
    path(SUBMISSION + "versions/<int:number>/", views_province.VersionDetail.as_view(),
         name="version"),
    # --- the documentation --------------------------------------------------------------------
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views_docs.SwaggerDocs.as_view(url_name="api:schema"), name="docs"),
    path("docs/redoc/", views_docs.RedocDocs.as_view(url_name="api:schema"), name="redoc"),
]
