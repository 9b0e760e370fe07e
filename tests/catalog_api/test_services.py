import pytest

from catalog.models import TrackedProduct
from catalog.selectors import product_for_user, products_for_user
from catalog.services import tracked_product_untrack, tracked_product_update
from dropship_central.api.exceptions import ServiceError
from dropship_central.models import AuditLog
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_untrack_of_a_product_the_user_does_not_track_is_refused_as_not_found(user):
    product = ProductFactory()

    with pytest.raises(ServiceError) as refused:
        tracked_product_untrack(user=user, product=product)

    assert refused.value.status_code == 404


def test_update_of_a_product_the_user_does_not_track_is_refused(user, other_user, track):
    theirs = track(other_user)

    with pytest.raises(ServiceError):
        tracked_product_update(user=user, product=theirs, label="mine")


def test_update_without_a_change_writes_no_audit_entry(user, track):
    product = track(user)

    tracked_product_update(user=user, product=product, label="", notes=None)

    assert not AuditLog.objects.exists()


def test_update_returns_the_saved_tracking_link(user, track):
    product = track(user)

    tracked = tracked_product_update(user=user, product=product, notes="restock soon")

    assert tracked.notes == "restock soon"
    assert TrackedProduct.objects.get(pk=tracked.pk).notes == "restock soon"


def test_products_for_user_annotates_the_users_own_tracking_fields(user, other_user, track):
    product = track(user)
    track(other_user, product=product)
    TrackedProduct.objects.filter(user=other_user).update(label="theirs")
    TrackedProduct.objects.filter(user=user).update(label="mine")

    assert [p.label for p in products_for_user(user=user)] == ["mine"]


def test_product_for_user_is_none_for_another_users_product(user, other_user, track):
    theirs = track(other_user)

    assert product_for_user(user=user, product_id=theirs.pk) is None
    assert product_for_user(user=other_user, product_id=theirs.pk) == theirs
