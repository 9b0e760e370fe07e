import threading

import pytest
from django.db import connection

from accounts.models import User
from dropship_central.api.exceptions import ServiceError
from marketplaces.models import StoreAccount
from marketplaces.services import store_account_create
from tests.factories import UserFactory


def create_shopify(user: User, name: str) -> StoreAccount:
    return store_account_create(
        user=user,
        marketplace="shopify",
        name=name,
        shop_domain=f"{name}.myshopify.com",
        credentials={"access_token": "shpat_token"},
    )


@pytest.mark.django_db
def test_create_refuses_a_bad_domain_even_without_the_api():
    with pytest.raises(ServiceError) as exc:
        create_shopify(UserFactory(), "bad_domain!")

    assert exc.value.code == "validation_error"
    assert "shop_domain" in exc.value.details


@pytest.mark.django_db
def test_create_refuses_unknown_credentials():
    with pytest.raises(ServiceError) as exc:
        store_account_create(
            user=UserFactory(),
            marketplace="ebay",
            name="eBay",
            credentials={"client_id": "a", "client_secret": "b", "password": "c"},
        )

    assert exc.value.details["credentials"] == {"password": "Unknown credential for this marketplace."}


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_cannot_pass_the_quota_together():
    user = UserFactory(tier=User.Tier.FREE)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(name: str) -> None:
        barrier.wait()
        try:
            create_shopify(user, name)
            outcomes.append("created")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("shop-a", "shop-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created", "quota_exceeded"]
    assert StoreAccount.objects.filter(user=user).count() == 1
