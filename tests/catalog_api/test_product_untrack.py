import pytest

from catalog.models import Product, TrackedProduct
from dropship_central.models import AuditLog

pytestmark = pytest.mark.django_db


def test_delete_untracks_the_product(auth_client, user, track):
    product = track(user)

    response = auth_client.delete(f"/api/v1/products/{product.pk}")

    assert response.status_code == 204
    assert not TrackedProduct.objects.filter(user=user).exists()
    assert auth_client.get(f"/api/v1/products/{product.pk}").status_code == 404


def test_untrack_keeps_the_shared_product_and_other_users_tracking(auth_client, user, other_user, track):
    product = track(user)
    track(other_user, product=product)

    auth_client.delete(f"/api/v1/products/{product.pk}")

    assert Product.objects.filter(pk=product.pk).exists()
    assert TrackedProduct.objects.filter(user=other_user, product=product).exists()


def test_untrack_is_audited_as_a_delete(auth_client, user, track):
    product = track(user)
    tracked = TrackedProduct.objects.get(user=user, product=product)

    auth_client.delete(f"/api/v1/products/{product.pk}")

    entry = AuditLog.objects.get(action=AuditLog.Action.DELETE)
    assert entry.actor == user
    assert entry.object_id == str(tracked.pk)
    assert entry.changes["product_id"] == [product.pk, None]


def test_delete_of_another_users_tracked_product_is_not_found(auth_client, other_user, track):
    theirs = track(other_user)

    response = auth_client.delete(f"/api/v1/products/{theirs.pk}")

    assert response.status_code == 404
    assert TrackedProduct.objects.filter(user=other_user, product=theirs).exists()
    assert not AuditLog.objects.exists()


def test_second_delete_is_not_found(auth_client, user, track):
    product = track(user)
    auth_client.delete(f"/api/v1/products/{product.pk}")

    assert auth_client.delete(f"/api/v1/products/{product.pk}").status_code == 404
