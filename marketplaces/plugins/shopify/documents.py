"""Every GraphQL document the Shopify client sends (Admin API 2025-01), with the cost it is expected to request.

Tests validate each document and its variables against Shopify's published schema, so a field that does not
exist fails a test. `cost` is the estimate used before Shopify has reported a document's `requestedQueryCost`.
"""

from __future__ import annotations

from dataclasses import dataclass

ORDERS_PAGE_SIZE = 10
ORDER_LINES_PAGE_SIZE = 20
ORDER_TRANSACTIONS = 3
ORDER_LINES_FOLLOW_UP_SIZE = 100
ORDER_REFUNDS = 5
REFUND_LINES = 30


@dataclass(frozen=True)
class Operation:
    name: str
    document: str
    cost: int


PRIMARY_LOCATION = Operation(
    name="PrimaryLocation",
    document="""
query PrimaryLocation {
  location {
    id
    name
  }
}
""",
    cost=2,
)

PRODUCT_BY_HANDLE = Operation(
    name="ProductByHandle",
    document="""
query ProductByHandle($identifier: ProductIdentifierInput!) {
  productByIdentifier(identifier: $identifier) {
    id
    handle
    onlineStoreUrl
    variants(first: 100) {
      nodes {
        id
        sku
        inventoryItem {
          id
        }
      }
    }
  }
}
""",
    cost=4,
)

PRODUCT_CREATE = Operation(
    name="ProductCreate",
    document="""
mutation ProductCreate($product: ProductCreateInput!, $media: [CreateMediaInput!]) {
  productCreate(product: $product, media: $media) {
    product {
      id
      handle
      onlineStoreUrl
      variants(first: 1) {
        nodes {
          id
          inventoryItem {
            id
          }
        }
      }
    }
    userErrors {
      field
      message
    }
  }
}
""",
    cost=10,
)

VARIANTS_BULK_CREATE = Operation(
    name="VariantsBulkCreate",
    document="""
mutation VariantsBulkCreate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkCreate(productId: $productId, variants: $variants, strategy: REMOVE_STANDALONE_VARIANT) {
    productVariants {
      id
      sku
      inventoryItem {
        id
      }
    }
    userErrors {
      field
      message
      code
    }
  }
}
""",
    cost=10,
)

VARIANTS_BULK_UPDATE = Operation(
    name="VariantsBulkUpdate",
    document="""
mutation VariantsBulkUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: true) {
    productVariants {
      id
      price
    }
    userErrors {
      field
      message
      code
    }
  }
}
""",
    cost=10,
)

INVENTORY_SET_QUANTITIES = Operation(
    name="InventorySetQuantities",
    document="""
mutation InventorySetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup {
      reason
    }
    userErrors {
      field
      message
      code
    }
  }
}
""",
    cost=10,
)

VARIANT_INVENTORY_ITEMS = Operation(
    name="VariantInventoryItems",
    document="""
query VariantInventoryItems($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on ProductVariant {
      id
      inventoryItem {
        id
      }
    }
  }
}
""",
    cost=2,
)

PRODUCT_SET_STATUS = Operation(
    name="ProductSetStatus",
    document="""
mutation ProductSetStatus($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product {
      id
      status
    }
    userErrors {
      field
      message
    }
  }
}
""",
    cost=10,
)

ORDERS = Operation(
    name="Orders",
    document=f"""
query Orders($query: String!, $after: String) {{
  orders(first: {ORDERS_PAGE_SIZE}, after: $after, query: $query, sortKey: CREATED_AT) {{
    pageInfo {{
      hasNextPage
      endCursor
    }}
    nodes {{
      id
      name
      createdAt
      currencyCode
      transactions(first: {ORDER_TRANSACTIONS}) {{
        fees {{
          amount {{
            amount
            currencyCode
          }}
        }}
      }}
      totalRefundedSet {{
        shopMoney {{
          amount
        }}
      }}
      lineItems(first: {ORDER_LINES_PAGE_SIZE}) {{
        pageInfo {{
          hasNextPage
          endCursor
        }}
        nodes {{
          id
          sku
          quantity
          discountedTotalSet {{
            shopMoney {{
              amount
              currencyCode
            }}
          }}
        }}
      }}
    }}
  }}
}}
""",
    cost=2 + ORDERS_PAGE_SIZE * (2 + ORDER_TRANSACTIONS * 3 + 2 + 3 + ORDER_LINES_PAGE_SIZE * 3),
)

ORDER_LINES = Operation(
    name="OrderLines",
    document=f"""
query OrderLines($id: ID!, $after: String) {{
  order(id: $id) {{
    lineItems(first: {ORDER_LINES_FOLLOW_UP_SIZE}, after: $after) {{
      pageInfo {{
        hasNextPage
        endCursor
      }}
      nodes {{
        id
        sku
        quantity
        discountedTotalSet {{
          shopMoney {{
            amount
            currencyCode
          }}
        }}
      }}
    }}
  }}
}}
""",
    cost=2 + 3 + ORDER_LINES_FOLLOW_UP_SIZE * 3,
)

ORDER_REFUNDS_QUERY = Operation(
    name="OrderRefunds",
    document=f"""
query OrderRefunds($id: ID!) {{
  order(id: $id) {{
    refunds(first: {ORDER_REFUNDS}) {{
      refundLineItems(first: {REFUND_LINES}) {{
        nodes {{
          lineItem {{
            id
          }}
          subtotalSet {{
            shopMoney {{
              amount
            }}
          }}
        }}
      }}
    }}
  }}
}}
""",
    cost=1 + ORDER_REFUNDS * (1 + 2 + REFUND_LINES * 4),
)

VARIANT_STATES = Operation(
    name="VariantStates",
    document="""
query VariantStates($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on ProductVariant {
      id
      sku
      price
      product {
        id
        status
      }
      inventoryItem {
        id
        inventoryLevel(locationId: $locationId) {
          quantities(names: ["available"]) {
            name
            quantity
          }
        }
      }
    }
  }
}
""",
    cost=2 + 100 * 6,
)

ALL_OPERATIONS: tuple[Operation, ...] = (
    PRIMARY_LOCATION,
    PRODUCT_CREATE,
    VARIANTS_BULK_CREATE,
    VARIANTS_BULK_UPDATE,
    INVENTORY_SET_QUANTITIES,
    VARIANT_INVENTORY_ITEMS,
    PRODUCT_SET_STATUS,
    ORDERS,
    ORDER_LINES,
    ORDER_REFUNDS_QUERY,
    VARIANT_STATES,
)
