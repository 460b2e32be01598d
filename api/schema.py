"""What the OpenAPI schema needs to know beyond the views: the bearer token scheme, the problem
details every error is, and the ranking rows' keys named after the model's dimensions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

from api.serializers import ProblemSerializer

PROBLEMS = OpenApiResponse(ProblemSerializer, description="RFC 9457 problem details "
                                                          "(application/problem+json)")
PUBLIC_ERRORS = {429: PROBLEMS}
TOKEN_ERRORS = {401: PROBLEMS, 404: PROBLEMS, 429: PROBLEMS}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer",
                "description": "An API token issued by the security administrator "
                               "(`manage.py api_token create`), one region per token."}


def dimension_keys(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A ranking row has one key per dimension of the run's model (``D1``, ``rank_D1``...):
    say so in the schema (``POSTPROCESSING_HOOKS``)."""
    row = result.get("components", {}).get("schemas", {}).get("RankingRow")
    if row is not None:
        row["additionalProperties"] = {"type": "number", "nullable": True,
                                       "description": "a dimension's points (its code) or "
                                                      "rank (rank_<code>)"}
    return result
