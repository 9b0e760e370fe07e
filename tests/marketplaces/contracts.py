"""Check HTTP requests against published OpenAPI 3 files, strictly, so a request that would fail in production
fails a test instead.

For each request: the path must match a path template of one of the documents (under its server's base path),
the method must exist there, every required path, query and header parameter must be present, no query parameter
may be unknown, and a JSON body must validate against the operation's `requestBody` schema with every `$ref`
resolved. Strict means an object schema that lists `properties` accepts no others (published files rarely say
`additionalProperties: false`, yet the live API rejects or ignores unknown fields), so a made-up field fails.
`overrides` replaces single properties where a contract is known to be wrong (see the contracts' README).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jsonschema import Draft4Validator

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class ContractViolation(AssertionError):
    """A request that the published contract does not allow."""


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    base_path: str
    regex: re.Pattern[str]
    definition: dict[str, Any]
    document: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.definition.get("operationId", f"{self.method.upper()} {self.base_path}{self.template}"))

    def parameters(self) -> list[dict[str, Any]]:
        path_item = self.document["paths"][self.template]
        params = [*path_item.get("parameters", []), *self.definition.get("parameters", [])]
        return [_resolve(self.document, param) for param in params]


class OpenApiContracts:
    def __init__(self, documents: list[dict[str, Any]], *, overrides: Mapping[str, Mapping[str, Any]] | None = None):
        self.operations: list[Operation] = []
        for document in documents:
            strict = _strict(copy.deepcopy(document))
            for schema_name, properties in (overrides or {}).items():
                target = strict.get("components", {}).get("schemas", {}).get(schema_name)
                if target is not None:
                    target["properties"].update(copy.deepcopy(dict(properties)))
            self._index(strict)

    @classmethod
    def load(cls, paths: list[Path], *, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> OpenApiContracts:
        return cls([json.loads(path.read_text()) for path in paths], overrides=overrides)

    def _index(self, document: dict[str, Any]) -> None:
        base_path = _base_path(document)
        for template, path_item in document.get("paths", {}).items():
            regex = _template_regex(base_path + template.rstrip("/"))
            for method in METHODS:
                if method in path_item:
                    self.operations.append(Operation(method, template, base_path, regex, path_item[method], document))

    def operation(self, method: str, path: str) -> Operation:
        """The operation for `method` on a concrete path; literal segments win over templated ones."""
        path = path.rstrip("/")
        matches = [op for op in self.operations if op.regex.fullmatch(path)]
        if not matches:
            raise ContractViolation(f"{method} {path}: no path in the contracts matches")
        allowed = [op for op in matches if op.method == method.lower()]
        if not allowed:
            methods = sorted({op.method.upper() for op in matches})
            raise ContractViolation(f"{method} {path}: method not in the contract (allowed: {', '.join(methods)})")
        return min(allowed, key=lambda op: op.template.count("{"))

    def check(self, *, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None) -> Operation:
        """Validate one request (`url` may be a path with its query); the matched operation, or ContractViolation."""
        parts = urlsplit(url)
        op = self.operation(method, parts.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        problems = _parameter_problems(op, query, {k.lower() for k in headers})
        problems += _body_problems(op, body)
        if problems:
            raise ContractViolation(f"{method} {url} ({op.operation_id}): " + "; ".join(problems))
        return op


def _base_path(document: dict[str, Any]) -> str:
    server = (document.get("servers") or [{"url": ""}])[0]
    url = server["url"]
    for name, variable in (server.get("variables") or {}).items():
        url = url.replace("{" + name + "}", str(variable.get("default", "")))
    return urlsplit(url).path.rstrip("/")


def _template_regex(template: str) -> re.Pattern[str]:
    """`/offer/{offerId}/publish` → a regex where each templated segment is one non-empty path segment."""
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))


def _parameter_problems(op: Operation, query: dict[str, list[str]], header_names: set[str]) -> list[str]:
    problems = []
    known_query = set()
    for param in op.parameters():
        where, name = param.get("in"), str(param.get("name"))
        if where == "query":
            known_query.add(name)
            if param.get("required") and not query.get(name, [""])[0]:
                problems.append(f"required query parameter {name!r} is missing")
        elif where == "header" and param.get("required") and name.lower() not in header_names:
            problems.append(f"required header {name!r} is missing")
    problems += [f"query parameter {name!r} is not in the contract" for name in sorted(set(query) - known_query)]
    return problems


def _body_problems(op: Operation, body: bytes | str | None) -> list[str]:
    raw = body.decode() if isinstance(body, bytes) else (body or "")
    request_body = _resolve(op.document, op.definition.get("requestBody") or {})
    json_content = (request_body.get("content") or {}).get("application/json")
    if not raw.strip():
        return ["a JSON body is required"] if request_body.get("required") and json_content else []
    if json_content is None:
        return ["the operation takes no JSON body, yet one was sent"]
    try:
        payload = json.loads(raw)
    except ValueError:
        return [f"the body is not JSON: {raw[:100]!r}"]
    schema = {"components": op.document.get("components", {}), **json_content.get("schema", {})}
    validator = Draft4Validator(schema)
    return [
        f"body{''.join(f'[{p!r}]' for p in error.absolute_path)}: {error.message[:300]}"
        for error in sorted(validator.iter_errors(payload), key=lambda e: list(map(str, e.absolute_path)))
    ]


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _strict(node: Any) -> Any:
    """Every object schema that lists `properties` and says nothing of others rejects unknown ones."""
    if isinstance(node, dict):
        for value in node.values():
            _strict(value)
        properties = node.get("properties")
        # A map of property schemas holds only dicts; the `properties` of a property named "properties" does not.
        is_schema = isinstance(properties, dict) and all(isinstance(value, dict) for value in properties.values())
        if is_schema and "additionalProperties" not in node and "allOf" not in node:
            node["additionalProperties"] = False
    elif isinstance(node, list):
        for value in node:
            _strict(value)
    return node
