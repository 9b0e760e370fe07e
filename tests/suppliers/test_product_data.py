"""`ProductData.to_dict` is `dataclasses.asdict`, only faster: the reading digest depends on it."""

from collections import OrderedDict, namedtuple
from dataclasses import asdict
from decimal import Decimal

from suppliers.plugins.base import ProductData, VariantData

Pair = namedtuple("Pair", "a b")


def _types(value):
    if isinstance(value, dict):
        return (type(value), {key: _types(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value), [_types(item) for item in value])
    return type(value)


def test_to_dict_equals_asdict_for_every_kind_of_value():
    data = ProductData(
        external_id="B0TEST0001",
        price=Decimal("19.99"),
        rating=Decimal("4.5"),
        review_count=12,
        images=["https://img/1.jpg"],
        variations=[{"asin": "B0TEST0002", "dimensions": {"color_name": "Red"}}],
        variants=[VariantData(sku="B0TEST0002", price=Decimal("9.50"), attributes={"color_name": "Red"})],
        extra={
            "tuple": (1, [Decimal("1.5")]),
            "pair": Pair(1, {"k": [2]}),
            "variant": VariantData(sku="x"),
            "ordered": OrderedDict(a=1),
            "set": {1, 2},
            "float": 1.5,
            "none": None,
            "flag": True,
        },
    )

    plain = data.to_dict()

    assert plain == asdict(data)
    assert _types(plain) == _types(asdict(data))
    assert plain["images"] is not data.images
    assert plain["variations"][0]["dimensions"] is not data.variations[0]["dimensions"]
    assert plain["extra"]["set"] is not data.extra["set"]
