"""The schema check itself: the client's documents pass, and it can fail."""

import pytest

from marketplaces.plugins.shopify.documents import ALL_OPERATIONS, INVENTORY_SET_QUANTITIES
from tests.marketplaces.shopify.contract import request_problems


@pytest.mark.parametrize("operation", ALL_OPERATIONS, ids=[op.name for op in ALL_OPERATIONS])
def test_every_document_is_valid_against_the_2025_01_schema(schema, operation):
    from graphql import parse, validate

    assert validate(schema, parse(operation.document)) == []


def test_a_made_up_field_is_rejected(schema):
    document = "query PrimaryLocation { location { id warehouseColour } }"

    problems = request_problems(schema, document, {}, "PrimaryLocation")

    assert problems == ["Cannot query field 'warehouseColour' on type 'Location'."]


def test_a_made_up_mutation_argument_is_rejected(schema):
    document = INVENTORY_SET_QUANTITIES.document.replace(
        "inventorySetQuantities(input: $input)", "inventorySetQuantities(input: $input, force: true)"
    )

    assert request_problems(schema, document, {}, "InventorySetQuantities")


def test_variables_of_the_wrong_type_are_rejected(schema):
    variables = {
        "input": {
            "name": "available",
            "reason": "correction",
            "quantities": [
                {
                    "inventoryItemId": "gid://shopify/InventoryItem/1",
                    "locationId": "gid://shopify/Location/1",
                    "quantity": "ten",
                }
            ],
        }
    }

    problems = request_problems(schema, INVENTORY_SET_QUANTITIES.document, variables, "InventorySetQuantities")

    assert any("quantity" in problem and "Int" in problem for problem in problems)


def test_a_missing_required_input_field_is_rejected(schema):
    variables = {"input": {"reason": "correction", "quantities": []}}

    problems = request_problems(schema, INVENTORY_SET_QUANTITIES.document, variables, "InventorySetQuantities")

    assert any("name" in problem for problem in problems)


def test_the_fake_shop_records_a_request_that_breaks_the_contract(schema, loopback, settings):
    from dropship_central.http import ClientConfig, OutboundClient
    from tests.marketplaces.shopify.fake_shop import API_PATH, FakeShopify

    fake = FakeShopify(schema=schema, token="t")
    loopback.route(API_PATH, fake)
    body = {"query": "query Bogus { shop { bogusField } }", "operationName": "Bogus", "variables": {}}

    result = OutboundClient(ClientConfig(target="shopify")).fetch(
        "POST", f"{loopback.url}{API_PATH}", json=body, headers={"X-Shopify-Access-Token": "t"}
    )

    assert result.status == 400
    assert len(fake.violations) == 1
    assert fake.violations[0].startswith("Cannot query field 'bogusField' on type 'Shop'.")
