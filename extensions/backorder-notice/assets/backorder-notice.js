// Why each step: docs/decisions/0019 and the snippets.
document.querySelectorAll("[data-bq-notice]").forEach((notice, _, notices) => {
  const [text, property, json] = notice.children;
  const form = notice.closest("section,body").querySelector('[action*="/cart/add"]:has([name="add"])');
  if (!form) return;
  if (notice.hidden && notices[1]) return notice.remove();
  if (notice.hidden) form.prepend(notice);
  notice.hidden = false;
  form.append(property);
  const variants = JSON.parse(json.textContent);
  const label = notice.dataset.button;
  let backorder, themeLabel, latest;
  const relabel = () => {
    const node = document.evaluate('.//*[@name="add"]//text()[normalize-space()]', form, null, 9, null).singleNodeValue;
    if (!node || backorder == (node.data == label)) return;
    if (backorder) themeLabel = node.data;
    node.data = backorder ? label : themeLabel;
  };
  new MutationObserver(relabel).observe(form, { subtree: true, childList: true, characterData: true });
  const show = (id) => {
    const [markup = "", date] = variants[/\d+$/.exec(id)] || [];
    text.innerHTML = markup;
    property.disabled = !(property.value = date || "");
    backorder = date != null;
    relabel();
  };
  document.addEventListener("shopify:product:select", (event) => {
    if (event.product?.handle != notice.dataset.product) return;
    const pick = (latest = event.promise);
    pick?.then((result) => pick == latest && show(result?.variant?.id));
  });
  const current = () => show(form.elements.id.value);
  form.addEventListener("change", current);
  current();
});

let cart = document.querySelector("[data-bq-cart]");
if (cart) {
  cart.parentNode.remove();
  const missing = '[name="checkout"]:not([data-bq-cart] + *)';
  const place = () => document.querySelectorAll(missing).forEach((button) => button.before(cart.cloneNode(true)));
  place();
  new MutationObserver(async () => {
    if (!document.querySelector(missing)) return;
    place();
    const page = await (await fetch(cart.dataset.url)).text();
    cart = new DOMParser().parseFromString(page, "text/html").querySelector("[data-bq-cart]") || cart;
    document.querySelectorAll("[data-bq-cart]").forEach((notice) => notice.replaceWith(cart.cloneNode(true)));
  }).observe(document.body, { childList: true, subtree: true });
}
