/** @jsxImportSource preact */
// Thank you page (purchase.thank-you.block.render). The order metafield cannot be read here (the
// checkout API's app metafields have no order target, and the app writes it only after the order
// webhook): the dates are the ones the product page put on the cart lines at add-to-cart.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { PromiseList } from "./PromiseList.tsx";
import { rowsFromCartLines } from "./promise.ts";

export default async () => {
  render(<ThankYouPromise />, document.body);
};

function ThankYouPromise() {
  // Reading .value inside the component subscribes it to the signal.
  return <PromiseList rows={rowsFromCartLines(shopify.lines.value)} i18n={shopify.i18n} live={false} />;
}
