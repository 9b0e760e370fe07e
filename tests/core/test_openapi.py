"""The whole API's OpenAPI schema generates valid and without a single warning."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_schema_of_every_endpoint_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/products/import" in out.read_text()
