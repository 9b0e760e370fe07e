import pytest

from tests.factories import ProductFactory, TrackedProductFactory


@pytest.fixture
def track():
    """`track(user, **product_fields)`: a new shared product that `user` tracks."""

    def make(user, product=None, **product_fields):
        product = product or ProductFactory(**product_fields)
        TrackedProductFactory(user=user, product=product)
        return product

    return make
