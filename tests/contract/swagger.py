"""The Logikal swagger (2.0) as Draft 4 validators: `$ref`s inlined, object schemas made strict."""

from __future__ import annotations

import copy
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

SWAGGER_PATH = Path(__file__).with_name(
    "logikal-swagger.json"
)  # copy of ../shared/reference/logikal-swagger.json
ERROR_SCHEMA = "Ofcas.Lk.MbioeService.Contracts.Documentation.Schema.ErrorResponseSchema"

_formats = FormatChecker()


@_formats.checks("guid", raises=ValueError)
def _is_guid(value: object) -> bool:
    return not isinstance(value, str) or str(uuid.UUID(value)) == value  # lower-case, hyphenated


@cache
def swagger() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SWAGGER_PATH.read_text(encoding="utf-8"))
    return data


def _inline(schema: Any, definitions: dict[str, Any], depth: int = 0) -> Any:
    if depth > 20:
        raise ValueError("recursive $ref")
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].removeprefix("#/definitions/")
            return _inline(definitions[name], definitions, depth + 1)
        return {key: _inline(value, definitions, depth + 1) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inline(item, definitions, depth + 1) for item in schema]
    return schema


def _strict(schema: Any) -> Any:
    """Every declared property required, nothing undeclared: the fake sends exactly the swagger's fields."""
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        if schema.get("type") == "object" and "properties" in schema:
            schema["additionalProperties"] = False
            schema["required"] = sorted(schema["properties"])
    elif isinstance(schema, list):
        schema = [_strict(item) for item in schema]
    return schema


def validator_for(schema: dict[str, Any], *, strict: bool = True) -> Draft4Validator:
    resolved = _inline(copy.deepcopy(schema), swagger()["definitions"])
    return Draft4Validator(_strict(resolved) if strict else resolved, format_checker=_formats)


def definition_validator(name: str, *, strict: bool = True) -> Draft4Validator:
    return validator_for({"$ref": f"#/definitions/{name}"}, strict=strict)


def documented_statuses(path: str, method: str) -> set[int]:
    return {int(code) for code in swagger()["paths"][path][method.lower()]["responses"]}


def response_schema(path: str, method: str, status: int) -> dict[str, Any] | None:
    """The swagger's schema for one operation's status (None when the status is not documented)."""
    responses = swagger()["paths"][path][method.lower()]["responses"]
    response = responses.get(str(status))
    if response is None:
        return None
    schema: dict[str, Any] = response.get("schema", {})
    return schema
