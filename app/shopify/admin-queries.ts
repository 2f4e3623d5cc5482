// Every GraphQL document the app sends to the Admin API (2026-10). Kept in one place so
// test/standin/schema.test.ts can validate each against Shopify's real schema;
// page sizes keep each query well under Shopify's 1000-point single-query limit.

/** Shop facts the storefront dates depend on. Cost 1. */
export const SHOP_FACTS = `#graphql
  query ShopFacts {
    shop {
      id
      ianaTimezone
      currencyCode
    }
    shopLocales {
      locale
      primary
    }
  }
`;

/** One page of the catalog: variant <-> inventory item, product, levels per location. Requested cost ~877. */
export const CATALOG_VARIANTS = `#graphql
  query CatalogVariants($after: String) {
    productVariants(first: 25, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        title
        sku
        price
        inventoryPolicy
        product {
          id
          title
          tags
          updatedAt
        }
        inventoryItem {
          id
          inventoryLevels(first: 10) {
            nodes {
              updatedAt
              location {
                id
              }
              quantities(names: ["available"]) {
                name
                quantity
              }
            }
          }
        }
      }
    }
  }
`;

/**
 * The whole catalog as one bulk operation (bulkOperationRunQuery): what CATALOG_VARIANTS
 * reads, for every variant, without pages. Bulk queries take no pagination arguments; in
 * the JSONL result each variant is a line and each of its inventory levels a line of its own
 * (`__parentId`), which names its inventory item itself (`item { id }`) so that any line can
 * be applied without the lines before it (a resumed sync starts mid-file).
 */
export const CATALOG_BULK_VARIANTS = `#graphql
  query CatalogBulkVariants {
    productVariants {
      edges {
        node {
          id
          title
          sku
          price
          inventoryPolicy
          product {
            id
            title
            tags
            updatedAt
          }
          inventoryItem {
            id
            inventoryLevels {
              edges {
                node {
                  id
                  updatedAt
                  location {
                    id
                  }
                  item {
                    id
                  }
                  quantities(names: ["available"]) {
                    name
                    quantity
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

/** Starts a bulk query; the result is ungrouped (Shopify's advice: grouping is slower and times out more). */
export const RUN_BULK_QUERY = `#graphql
  mutation RunBulkQuery($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: false) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** A bulk operation's progress and, once done, where its result is. */
export const BULK_OPERATION = `#graphql
  query BulkOperationStatus($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      url
      partialDataUrl
    }
  }
`;

/** Products of variants the catalog does not know yet (productVariantsBulkUpdate needs them). */
export const VARIANT_PRODUCTS = `#graphql
  query VariantProducts($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on ProductVariant {
        id
        product {
          id
        }
      }
    }
  }
`;

/** One page of a collection's product ids (the auto-enable collection). Requested cost 253. */
export const COLLECTION_PRODUCTS = `#graphql
  query CollectionProducts($id: ID!, $after: String) {
    collection(id: $id) {
      id
      products(first: 250, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
        }
      }
    }
  }
`;

/** Up to 25 metafields at once (Shopify's limit per call); all or nothing. */
export const SET_METAFIELDS = `#graphql
  mutation SetMetafields($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        id
        namespace
        key
      }
      userErrors {
        field
        message
        code
        elementIndex
      }
    }
  }
`;

/** Up to 25 metafields at once (shopify.dev changelog "Introducing metafieldsDelete"); a missing one comes back null, not an error. */
export const DELETE_METAFIELDS = `#graphql
  mutation DeleteMetafields($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields {
        ownerId
        namespace
        key
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Inventory policy of several variants of one product. */
export const UPDATE_VARIANT_POLICIES = `#graphql
  mutation UpdateVariantPolicies($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
    productVariantsBulkUpdate(productId: $productId, variants: $variants) {
      productVariants {
        id
        inventoryPolicy
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const ADD_TAGS = `#graphql
  mutation AddTags($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      userErrors {
        field
        message
      }
    }
  }
`;

export const REMOVE_TAGS = `#graphql
  mutation RemoveTags($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
      userErrors {
        field
        message
      }
    }
  }
`;

/**
 * One page of an order's fulfillment orders with their holds and a first page of lines.
 * Requested cost 2 + 10 × (1 + 1 + 2 + 40 × 2) = 842 (Shopify's single-query limit: 1000).
 */
export const ORDER_FULFILLMENT_ORDERS = `#graphql
  query OrderFulfillmentOrders($id: ID!, $after: String) {
    order(id: $id) {
      id
      cancelledAt
      fulfillmentOrders(first: 10, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          status
          fulfillmentHolds {
            id
            handle
          }
          lineItems(first: 40) {
            pageInfo {
              hasNextPage
              endCursor
            }
            nodes {
              id
              remainingQuantity
              lineItem {
                id
              }
            }
          }
        }
      }
    }
  }
`;

/**
 * A fulfillment order by its own id: its holds and a page of its lines (the lines past an
 * order page's first 40, and the holds of an order Shopify no longer shows: the 60-day
 * limit without read_all_orders is on orders, not on fulfillment orders). Requested cost 503.
 */
export const FULFILLMENT_ORDER_PAGE = `#graphql
  query FulfillmentOrderPage($id: ID!, $after: String) {
    fulfillmentOrder(id: $id) {
      id
      status
      fulfillmentHolds {
        id
        handle
      }
      lineItems(first: 250, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          remainingQuantity
          lineItem {
            id
          }
        }
      }
    }
  }
`;

/**
 * Where a fulfillment order is assigned, with a page of its lines: the location of each line's
 * open units (docs/decisions/0021-per-location-queues.md). By its own id, as the
 * fulfillment_orders/* webhooks name it.
 */
export const LOCATED_FULFILLMENT_ORDER = `#graphql
  query LocatedFulfillmentOrder($id: ID!, $after: String) {
    fulfillmentOrder(id: $id) {
      id
      orderId
      status
      updatedAt
      assignedLocation {
        location {
          id
        }
      }
      lineItems(first: 250, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          remainingQuantity
          lineItem {
            id
          }
        }
      }
    }
  }
`;

/** A hold on the whole fulfillment order or (fulfillmentOrderLineItems) on some of its units, which splits it. */
export const HOLD_FULFILLMENT_ORDER = `#graphql
  mutation HoldFulfillmentOrder($id: ID!, $hold: FulfillmentOrderHoldInput!) {
    fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) {
      fulfillmentHold {
        id
        handle
      }
      fulfillmentOrder {
        id
        status
      }
      remainingFulfillmentOrder {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const RELEASE_FULFILLMENT_ORDER_HOLD = `#graphql
  mutation ReleaseFulfillmentOrderHold($id: ID!, $holdIds: [ID!]) {
    fulfillmentOrderReleaseHold(id: $id, holdIds: $holdIds) {
      fulfillmentOrder {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const CANCEL_ORDER = `#graphql
  mutation CancelOrder(
    $orderId: ID!
    $reason: OrderCancelReason!
    $restock: Boolean!
    $notifyCustomer: Boolean
    $refundMethod: OrderCancelRefundMethodInput
    $staffNote: String
  ) {
    orderCancel(
      orderId: $orderId
      reason: $reason
      restock: $restock
      notifyCustomer: $notifyCustomer
      refundMethod: $refundMethod
      staffNote: $staffNote
    ) {
      job {
        id
        done
      }
      orderCancelUserErrors {
        field
        message
        code
      }
    }
  }
`;

// Starts the merchant's workflows that begin with the app's trigger `handle` (an
// extensions/flow-* trigger); the payload carries the fields that extension declares.
export const FLOW_TRIGGER_RECEIVE = `#graphql
  mutation FlowTriggerReceive($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors {
        field
        message
      }
    }
  }
`;

// A customer's "cancel this item" (app/consent): what Shopify would pay back for the line
// (suggestedRefund: the original payment to refund against, the amount with its taxes and
// discounts), then the refund itself with the line's units restocked.
export const SUGGEST_LINE_REFUND = `#graphql
  query SuggestLineRefund($orderId: ID!, $refundLineItems: [RefundLineItemInput!]!) {
    order(id: $orderId) {
      id
      suggestedRefund(refundLineItems: $refundLineItems) {
        suggestedTransactions {
          gateway
          kind
          amountSet {
            presentmentMoney {
              amount
              currencyCode
            }
          }
          parentTransaction {
            id
          }
        }
      }
    }
  }
`;

// refundCreate takes an idempotency key (required since 2026-04): a retry after a lost
// answer gets the same refund, never a second one.
export const REFUND_LINE = `#graphql
  mutation RefundLine($input: RefundInput!, $idempotencyKey: String!) {
    refundCreate(input: $input) @idempotent(key: $idempotencyKey) {
      refund {
        id
        legacyResourceId
        createdAt
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/**
 * The published theme and the two files the onboarding guide reads: the product template
 * (is the app block in it?) and the theme settings (is the app embed on?). Needs read_themes.
 */
export const MAIN_THEME_FILES = `#graphql
  query MainThemeFiles {
    themes(first: 1, roles: [MAIN]) {
      nodes {
        id
        name
        files(first: 2, filenames: ["templates/product.json", "config/settings_data.json"]) {
          nodes {
            filename
            body {
              ... on OnlineStoreThemeFileBodyText {
                content
              }
            }
          }
        }
      }
    }
  }
`;

export const ADMIN_DOCUMENTS = {
  SHOP_FACTS,
  CATALOG_VARIANTS,
  CATALOG_BULK_VARIANTS,
  RUN_BULK_QUERY,
  BULK_OPERATION,
  VARIANT_PRODUCTS,
  COLLECTION_PRODUCTS,
  SET_METAFIELDS,
  DELETE_METAFIELDS,
  UPDATE_VARIANT_POLICIES,
  ADD_TAGS,
  REMOVE_TAGS,
  ORDER_FULFILLMENT_ORDERS,
  FULFILLMENT_ORDER_PAGE,
  HOLD_FULFILLMENT_ORDER,
  RELEASE_FULFILLMENT_ORDER_HOLD,
  CANCEL_ORDER,
  FLOW_TRIGGER_RECEIVE,
  SUGGEST_LINE_REFUND,
  REFUND_LINE,
  MAIN_THEME_FILES,
} as const;
