"""The API's documentation: the OpenAPI schema, Swagger UI and ReDoc, from local static files
(drf-spectacular-sidecar), under the site's Content-Security-Policy.

drf-spectacular's own pages start their viewers with an inline script, which the policy
(``script-src 'self'``) refuses; these pages name the schema in a ``data-`` attribute and start
the viewer from a static script (``static/api/``). ReDoc writes its styles as ``<style>``
elements at run time (styled-components), so its page alone also allows inline styles; no
page allows an inline script. ReDoc's bundle also names its footer's logo on Redocly's CDN (no
option turns it off): the policy blocks that image and ReDoc leaves it out.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from api.negotiation import FirstRendererNegotiation

TITLE = _("信息化发展评价数据填报平台 · 数据接口")


class SwaggerDocs(SpectacularSwaggerView):
    template_name = "api/swagger.html"
    title = TITLE  # type: ignore[assignment]  # lazy: in the language of the request
    content_negotiation_class = FirstRendererNegotiation


@method_decorator(csp_update({"style-src": ["'unsafe-inline'"],
                              "worker-src": ["'self'", "blob:"]}), name="dispatch")
class RedocDocs(SpectacularRedocView):
    template_name = "api/redoc.html"
    title = TITLE  # type: ignore[assignment]  # lazy: in the language of the request
    content_negotiation_class = FirstRendererNegotiation
