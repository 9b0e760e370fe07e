"""Shopify's published Admin GraphQL schema (2025-01, read from ../shared) as a validator of request bodies."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, OperationDefinitionNode, build_client_schema, parse, validate
from graphql.error import GraphQLError
from graphql.execution.values import get_variable_values

SCHEMA_FILE = Path("contracts/shopify/Shopify__dev-mcp__714c83c__data_admin_schema_2025-01.json.gz")
PRODUCT_FIXTURE = Path("contracts/shopify/Shopify__shopify_python_api__307fa92__test_fixtures_product.json")


@cache
def admin_schema(shared_dir: Path) -> GraphQLSchema:
    """Built once per test session. `assume_valid`: Shopify deprecates some implementing fields where the
    interface field is not, which graphql-core's schema check would reject (see the contract README)."""
    with gzip.open(shared_dir / SCHEMA_FILE) as handle:
        introspection = json.load(handle)
    return build_client_schema(introspection["data"], assume_valid=True)


def request_problems(
    schema: GraphQLSchema, document: str, variables: dict[str, Any] | None, operation_name: str | None = None
) -> list[str]:
    """Everything wrong with a GraphQL request against the schema: the document, then its variables."""
    try:
        ast = parse(document)
    except GraphQLError as exc:
        return [f"syntax: {exc.message}"]
    errors = validate(schema, ast)
    if errors:
        return [error.message for error in errors]
    operations = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)]
    if len(chosen) != 1:
        return [f"expected one operation named {operation_name!r}, found {len(chosen)}"]
    coerced = get_variable_values(schema, chosen[0].variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return [error.message for error in coerced]
    return []
