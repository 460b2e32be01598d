"""The OpenAPI schema is valid, and every operation in it is called here and answers as it
documents (its status among the documented ones, its JSON body valid against the documented
schema)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from tests.api.helpers import entries, send_values
from tests.submissions.helpers import template_csv, valid_values

pytestmark = pytest.mark.django_db

PARAMETERS = {"region_code": "110000", "code": "2017", "number": "1"}
BODIES: dict[str, Any] = {
    "values": {"values": entries({"E101": valid_values()["E101"]})},
    "explanations": {"explanations": [{"element_code": "E101", "note": "census"}]},
}


def _schema(client) -> dict[str, Any]:
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_valid_openapi(api_world):
    validate(_schema(api_world.client()))


def _resolve(node: Any, components: dict[str, Any]) -> Any:
    """The schema with every ``$ref`` replaced by what it names (ours has no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _resolve(components[node["$ref"].rsplit("/", 1)[-1]], components)
        return {k: _resolve(v, components) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, components) for v in node]
    return node


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = [(path, method, operation) for path, item in schema["paths"].items()
             for method, operation in item.items() if method in ("get", "post")]
    # Submitting ends the submission's editing: it is called last.
    return sorted(found, key=lambda o: (o[0].endswith("/submit/"), o[0], o[1]))


def _url(path: str) -> str:
    year = "2018" if "/submissions/" in path else "2017"
    url = path.replace("{year}", year)
    for name, value in PARAMETERS.items():
        url = url.replace("{" + name + "}", value)
    assert "{" not in url, f"no value for a parameter of {path}"
    return url


def _call(client, method: str, path: str, url: str):
    if method == "get":
        return client.get(url)
    name = path.rstrip("/").rsplit("/", 1)[-1]
    with TestCase.captureOnCommitCallbacks(execute=True):
        if name == "file":
            upload = SimpleUploadedFile("bj.csv", template_csv(valid_values()), "text/csv")
            return client.post(url, {"file": upload})
        if name in BODIES:
            return client.post(url, json.dumps(BODIES[name]), content_type="application/json")
        return client.post(url)


def test_every_operation_answers_as_documented(api_world):
    anonymous, system = api_world.client(), api_world.client("110000")
    schema = _schema(anonymous)
    components = schema["components"]["schemas"]
    send_values(system)  # version 1, for the routes that name a version
    called = []
    for path, method, operation in _operations(schema):
        needs_token = {} not in operation.get("security", [{}])
        response = _call(system if needs_token else anonymous, method, path, _url(path))
        status = str(response.status_code)
        assert status in operation["responses"], (method, path, status, response.content[:300])
        assert status.startswith("2"), (method, path, status, response.content[:300])
        documented = operation["responses"][status].get("content", {})
        if "application/json" in documented and "schema" in documented["application/json"]:
            body_schema = _resolve(documented["application/json"]["schema"], components)
            OAS30Validator(body_schema).validate(response.json())
        called.append((method, path))
    assert len(called) == sum(1 for item in schema["paths"].values() for m in item
                              if m in ("get", "post"))
    assert len(called) >= 21
