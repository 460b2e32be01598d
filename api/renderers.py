"""The API's answers are JSON; errors are also given to a client that accepts only
``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer

PROBLEM_JSON = "application/problem+json"


class ProblemJSONRenderer(JSONRenderer):
    media_type = PROBLEM_JSON
