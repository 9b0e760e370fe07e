"""The fixed catalog behind `seed_demo`: realistic supplier products, some with variants."""

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class DemoVariant:
    sku: str
    title: str
    attributes: dict[str, str]
    price_offset: Decimal


@dataclass(frozen=True)
class DemoProduct:
    supplier: str
    external_id: str
    title: str
    brand: str
    category: tuple[str, ...]
    seller: str
    price: Decimal
    image: str
    rating: Decimal
    reviews: int
    variants: tuple[DemoVariant, ...] = field(default_factory=tuple)

    @property
    def currency(self) -> str:
        return "UZS" if self.supplier == "uzum" else "USD"


SUPPLIERS = {
    "amazon": {"name": "Amazon", "requests_per_minute": 30, "concurrency": 4, "require_proxy": True},
    "aliexpress": {"name": "AliExpress", "requests_per_minute": 40, "concurrency": 4, "require_proxy": True},
    "uzum": {"name": "Uzum Market", "requests_per_minute": 120, "concurrency": 8, "require_proxy": False},
}

AMAZON_IMG = "https://m.media-amazon.com/images/I/{}._AC_SL1500_.jpg"
ALI_IMG = "https://ae01.alicdn.com/kf/{}.jpg"
UZUM_IMG = "https://images.uzum.uz/{}/original.jpg"


def _sizes(prefix: str, sizes: tuple[str, ...], step: str) -> tuple[DemoVariant, ...]:
    return tuple(
        DemoVariant(f"{prefix}-{size}", f"Size {size}", {"Size": size}, Decimal(step) * index)
        for index, size in enumerate(sizes)
    )


def _colors(prefix: str, colors: tuple[str, ...]) -> tuple[DemoVariant, ...]:
    return tuple(
        DemoVariant(f"{prefix}-{color[:3].upper()}", color, {"Color": color}, Decimal("0")) for color in colors
    )


A, X, U = "amazon", "aliexpress", "uzum"
D = Decimal

# fmt: off
CATALOG: tuple[DemoProduct, ...] = (
    DemoProduct(A, "B0BDHWDR12", "Apple AirPods Pro (2nd Generation) Wireless Earbuds with USB-C Charging Case",
                "Apple", ("Electronics", "Headphones", "Earbuds"), "Amazon.com", D("189.99"),
                AMAZON_IMG.format("61SUj2aKoEL"), D("4.7"), 84213),
    DemoProduct(A, "B09B8V1LZ3", "Echo Dot (5th Gen) Smart Speaker with Alexa, Charcoal", "Amazon",
                ("Electronics", "Smart Home", "Speakers"), "Amazon.com", D("49.99"),
                AMAZON_IMG.format("71C3lbbeLsL"), D("4.6"), 132904),
    DemoProduct(A, "B0C8PSMPTH", "Anker Power Bank 737, 24,000mAh 3-Port Portable Charger with 140W Output",
                "Anker", ("Electronics", "Chargers", "Power Banks"), "AnkerDirect", D("109.99"),
                AMAZON_IMG.format("61FpVq7L0hL"), D("4.5"), 9021),
    DemoProduct(A, "B07PXGQC1Q", "Logitech MX Master 3S Wireless Performance Mouse, Graphite", "Logitech",
                ("Electronics", "Computer Accessories", "Mice"), "Amazon.com", D("99.99"),
                AMAZON_IMG.format("61ni3t1ryQL"), D("4.6"), 20418),
    DemoProduct(A, "B08J65DST5", "Stanley Quencher H2.0 FlowState Stainless Steel Vacuum Insulated Tumbler 40 oz",
                "Stanley", ("Home & Kitchen", "Drinkware", "Tumblers"), "Stanley Store", D("45.00"),
                AMAZON_IMG.format("61Jq3Fq2JHL"), D("4.8"), 58311,
                _colors("STQ", ("Charcoal", "Rose Quartz", "Cream"))),
    DemoProduct(A, "B0B7CPSN2K", "Instant Pot Duo 7-in-1 Electric Pressure Cooker, 6 Quart", "Instant Pot",
                ("Home & Kitchen", "Small Appliances", "Pressure Cookers"), "Amazon.com", D("89.95"),
                AMAZON_IMG.format("71V1LRdAVYL"), D("4.7"), 165220),
    DemoProduct(A, "B0CHX3QBCH", "Kindle Paperwhite (16 GB) 7-inch Display, Adjustable Warm Light", "Amazon",
                ("Electronics", "E-Readers"), "Amazon.com", D("159.99"),
                AMAZON_IMG.format("71nG0pZaxKL"), D("4.6"), 11876),
    DemoProduct(A, "B07ZPKN6YR", "Gaiam Essentials Thick Yoga Mat with Carrier Strap, 72\"L x 24\"W x 2/5\"",
                "Gaiam", ("Sports & Outdoors", "Yoga", "Mats"), "Gaiam Official", D("21.98"),
                AMAZON_IMG.format("81Wq2hN3d9L"), D("4.5"), 41290,
                _colors("GYM", ("Black", "Purple", "Teal", "Navy"))),
    DemoProduct(A, "B0BSHF7WHW", "Ninja AF101 Air Fryer, 4 Quart, Black/Grey", "Ninja",
                ("Home & Kitchen", "Small Appliances", "Air Fryers"), "Amazon.com", D("99.99"),
                AMAZON_IMG.format("71+8uTMDRFL"), D("4.8"), 73421),
    DemoProduct(A, "B08KTZ8249", "Fitbit Charge 6 Fitness Tracker with Heart Rate, GPS and Google Apps",
                "Fitbit", ("Electronics", "Wearables", "Fitness Trackers"), "Amazon.com", D("159.95"),
                AMAZON_IMG.format("61ZvL-9QIVL"), D("4.2"), 6734),
    DemoProduct(A, "B09JQMJHXY", "LEVOIT Air Purifier for Home Large Room, H13 True HEPA Filter, Core 300",
                "LEVOIT", ("Home & Kitchen", "Heating & Cooling", "Air Purifiers"), "LEVOIT", D("99.99"),
                AMAZON_IMG.format("71Ay7Q2bQ4L"), D("4.7"), 102455),
    DemoProduct(A, "B0D1XD1ZV3", "Crocs Unisex-Adult Classic Clogs", "Crocs",
                ("Clothing, Shoes & Jewelry", "Shoes", "Clogs"), "Crocs Store", D("49.99"),
                AMAZON_IMG.format("61s4ENzAyJL"), D("4.8"), 412077,
                _sizes("CRC", ("M6", "M8", "M10", "M12"), "0.00")),
    DemoProduct(X, "1005006128923451", "Magnetic Wireless Charger Stand 3 in 1 15W Fast Charging Station",
                "UGREEN", ("Consumer Electronics", "Chargers", "Wireless Chargers"), "UGREEN Official Store",
                D("24.59"), ALI_IMG.format("S3b2f1c0d7e8a4f1c9b6e2a5d3c7f8e1aQ"), D("4.8"), 3122),
    DemoProduct(X, "1005005834412987", "LED Strip Lights RGB 5050 Bluetooth App Control Music Sync for Room",
                "Govee", ("Home Improvement", "Lighting", "LED Strips"), "Govee Global Store", D("12.87"),
                ALI_IMG.format("S8a1d4e7f2b3c5a6d9e0f1a2b3c4d5e6fK"), D("4.6"), 18240,
                _sizes("LED", ("5m", "10m", "20m"), "6.40")),
    DemoProduct(X, "1005004987251034", "Baseus 65W GaN USB C Charger Fast Charging PD QC 4.0 for Laptop Phone",
                "Baseus", ("Consumer Electronics", "Chargers", "Wall Chargers"), "Baseus Official Store",
                D("18.36"), ALI_IMG.format("Sd2e5f8a1b4c7d0e3f6a9b2c5d8e1f4a7X"), D("4.8"), 25671),
    DemoProduct(X, "1005006001238877", "Silicone Phone Case for iPhone 15 Pro Max Liquid Soft Cover",
                "Generic", ("Phones & Telecommunications", "Phone Cases"), "Shenzhen Case Factory Store",
                D("3.19"), ALI_IMG.format("S1f4a7d0c3b6e9f2a5d8c1b4e7a0d3f6cP"), D("4.7"), 9034,
                _colors("CASE", ("Black", "Sky Blue", "Lilac", "Midnight Green"))),
    DemoProduct(X, "1005005567001122", "Portable Mini Projector 4K 1080P Android 11 WiFi6 Home Cinema",
                "HY300", ("Consumer Electronics", "Home Audio & Video", "Projectors"), "HY Projector Store",
                D("52.80"), ALI_IMG.format("S6c9f2e5a8b1d4c7f0a3e6b9d2c5f8a1eM"), D("4.5"), 14789),
    DemoProduct(X, "1005003219874410", "Stainless Steel Kitchen Knife Set 8 Pieces with Block Damascus Pattern",
                "XITUO", ("Home & Garden", "Kitchen", "Knives"), "XITUO Official Store", D("39.90"),
                ALI_IMG.format("S0e3a6d9c2f5b8e1a4d7c0f3b6e9a2d5cH"), D("4.7"), 4201),
    DemoProduct(X, "1005004412983365", "Men's Cotton Oversized T-Shirt Summer Basic Tee", "Generic",
                ("Men's Clothing", "Tops & Tees", "T-Shirts"), "Urban Basics Store", D("6.49"),
                ALI_IMG.format("S5b8e1d4a7c0f3e6b9d2a5c8f1e4b7a0dT"), D("4.6"), 27733,
                _sizes("TEE", ("S", "M", "L", "XL"), "0.30")),
    DemoProduct(X, "1005005123456701", "Xiaomi Redmi Buds 5 TWS Bluetooth 5.3 Earphones 46dB ANC", "Xiaomi",
                ("Consumer Electronics", "Earphones & Headphones"), "Xiaomi Global Store", D("27.99"),
                ALI_IMG.format("S9d2c5f8a1e4b7d0c3f6a9e2b5d8c1f4aR"), D("4.8"), 38120),
    DemoProduct(X, "1005006655443321", "Electric Shaver for Men Rechargeable Waterproof Rotary Razor", "Kemei",
                ("Beauty & Health", "Shaving & Hair Removal", "Electric Shavers"), "Kemei Official Store",
                D("15.72"), ALI_IMG.format("S4a7d0c3f6b9e2a5d8c1f4b7e0a3d6c9fV"), D("4.5"), 6120),
    DemoProduct(X, "1005004789012233", "Car Phone Holder Magnetic Air Vent Mount for MagSafe", "Baseus",
                ("Automobiles & Motorcycles", "Phone Holders"), "Baseus Official Store", D("9.38"),
                ALI_IMG.format("S7f0a3d6c9b2e5f8a1d4c7b0e3f6a9d2cW"), D("4.7"), 11503),
    DemoProduct(U, "738211", "Смартфон Samsung Galaxy A55 8/256 ГБ", "Samsung",
                ("Электроника", "Смартфоны", "Android"), "Samsung Official", D("4799000"),
                UZUM_IMG.format("cq1a2b3c4d5e6f7g8h9i"), D("4.9"), 2140),
    DemoProduct(U, "1025390", "Пылесос беспроводной Dreame T20 Pro", "Dreame",
                ("Бытовая техника", "Пылесосы"), "Dreame Uzbekistan", D("3290000"),
                UZUM_IMG.format("cp9z8y7x6w5v4u3t2s1r"), D("4.8"), 870),
    DemoProduct(U, "884102", "Кроссовки мужские Nike Air Max SC", "Nike",
                ("Обувь", "Мужская обувь", "Кроссовки"), "Sneaker Point", D("899000"),
                UZUM_IMG.format("cr4m5n6o7p8q9r0s1t2u"), D("4.7"), 512,
                _sizes("NAM", ("41", "42", "43", "44"), "0")),
    DemoProduct(U, "912233", "Чайник электрический Xiaomi Mi Electric Kettle 2", "Xiaomi",
                ("Бытовая техника", "Техника для кухни", "Чайники"), "Mi Store Tashkent", D("289000"),
                UZUM_IMG.format("cs2d3e4f5g6h7i8j9k0l"), D("4.9"), 3311),
    DemoProduct(U, "1104455", "Наушники беспроводные JBL Tune 520BT", "JBL",
                ("Электроника", "Наушники"), "JBL Uzbekistan", D("549000"),
                UZUM_IMG.format("ct7u8v9w0x1y2z3a4b5c"), D("4.8"), 1288),
    DemoProduct(U, "653321", "Детский конструктор LEGO Classic 11717 Кирпичики", "LEGO",
                ("Детские товары", "Игрушки", "Конструкторы"), "Toy Planet", D("439000"),
                UZUM_IMG.format("cu5v6w7x8y9z0a1b2c3d"), D("5.0"), 402),
    DemoProduct(U, "1208877", "Утюг с парогенератором Philips PerfectCare 7000", "Philips",
                ("Бытовая техника", "Уход за одеждой", "Утюги"), "Philips Home", D("2150000"),
                UZUM_IMG.format("cv8w9x0y1z2a3b4c5d6e"), D("4.8"), 219),
    DemoProduct(U, "777001", "Рюкзак городской Xiaomi Business Travel 26 л", "Xiaomi",
                ("Аксессуары", "Рюкзаки"), "Mi Store Tashkent", D("379000"),
                UZUM_IMG.format("cw1x2y3z4a5b6c7d8e9f"), D("4.7"), 955),
)
# fmt: on
