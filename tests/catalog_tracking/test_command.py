"""`manage.py track`: a pass now, with a progress bar and a summary."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Product
from tests.catalog_import.conftest import SLOWPLAY
from tests.catalog_tracking.conftest import rewrite_price
from tests.loopback import Reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.shared]


def _track(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("track", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_all_due_refreshes_every_due_product_in_as_many_passes_as_needed(site, tracked, loopback, settings):
    settings.TRACKING_BATCH_SIZE = 2
    for number in range(5):
        tracked(f"B5{number:08d}")
        loopback.route(f"/dp/B5{number:08d}", Reply(body=site.page(SLOWPLAY)))
    loopback.route("/dp/B500000004", Reply(body=rewrite_price(site.page(SLOWPLAY), "150.00")))

    out, _ = _track("--all-due", "--supplier", "amazon")

    assert "5 refreshed in" in out
    assert "1 changed, 4 unchanged, 0 gone" in out
    assert "suspect readings: 0 held, 0 confirmed, 0 rejected" in out
    assert not Product.objects.filter(next_check_at__lte=timezone.now()).exists()


def test_a_named_product_is_refreshed_even_when_not_due(site, tracked, loopback):
    product = tracked("B600000001")
    Product.objects.filter(pk=product.pk).update(next_check_at=timezone.now() + timedelta(hours=3))
    loopback.route("/dp/B600000001", Reply(body=rewrite_price(site.page(SLOWPLAY), "150.00")))

    out, _ = _track("--product", str(product.pk))

    assert "1 refreshed" in out
    assert "1 changed" in out
    assert loopback.hits["/dp/B600000001"] == 1


def test_failures_are_summarised_by_kind_and_fail_the_command(site, tracked, loopback):
    tracked("B600000002")
    loopback.route("/dp/B600000002", Reply(status=200, body=site.captcha()))

    out = StringIO()
    with pytest.raises(CommandError, match="1 products could not be refreshed"):
        call_command("track", "--all-due", stdout=out, stderr=StringIO())
    assert "failed: 1 captcha" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Say what to track"),
        (("--all-due", "--supplier", "nope"), "No supplier 'nope'"),
        (("--product", "999999"), "No such product"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_error(site, args, message):
    with pytest.raises(CommandError, match=message):
        _track(*args)
