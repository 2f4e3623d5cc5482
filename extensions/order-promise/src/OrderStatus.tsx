/** @jsxImportSource preact */
// Order status page (customer-account.order-status.block.render): the order's
// `$app.backorder_promise` metafield, the dates as the queue has them now.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { PromiseList } from "./PromiseList.tsx";
import { rowsFromAppMetafields } from "./promise.ts";

export default async () => {
  render(<OrderStatusPromise />, document.body);
};

function OrderStatusPromise() {
  return <PromiseList rows={rowsFromAppMetafields(shopify.appMetafields.value)} i18n={shopify.i18n} live />;
}
