"""`/api/v1/analytics/research/stats?format=csv`: one row with the JSON's fields."""

import csv
import io

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/research/stats"


def test_stats_export_one_csv_row_with_the_json_fields(auth_client, market):
    body = auth_client.get(URL, {"supplier": "uzum"}).json()

    response = auth_client.get(URL, {"supplier": "uzum", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="research-stats.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert list(rows[0]) == list(body)
    assert rows[0] == {name: "" if value is None else str(value) for name, value in body.items()}
    assert (rows[0]["products"], rows[0]["sellers"]) == ("3", "2")


def test_invalid_stats_parameters_stay_json_under_csv(auth_client):
    response = auth_client.get(URL, {"supplier": "nowhere", "format": "csv"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
