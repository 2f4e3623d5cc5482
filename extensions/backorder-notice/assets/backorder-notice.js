/* global document, fetch, MutationObserver, window */
// The backorder notice on a product page, shipped as written (well inside Shopify's budget
// for a theme app extension's scripts; theme-check enforces it).
// No request, no framework, no date formatting: Liquid rendered every variant's finished
// markup and promised date into the page, so a variant change only swaps them in.
document.querySelectorAll("[data-bq-notice]").forEach((root, _, notices) => {
  const [text, property, json, alternatives] = root.children;
  // The block names its form (Dawn's `product-form-<section>`); else the section's, or the
  // page's, add-to-cart form. Without one there is nothing to follow or to submit.
  const form = document.getElementById(root.dataset.form) || (root.closest("section") || document).querySelector('[action*="/cart/add"]');
  if (!form) return;
  // Only the app embed renders hidden (at the end of <body>): it moves above the buttons,
  // unless the app block is on the page too and already in place.
  if (root.hidden) {
    if (notices[1]) return root.remove();
    form.prepend(root);
    root.hidden = false;
  }
  // Inside the form the promised date is submitted with it, by the browser or by the
  // theme's `new FormData(form)`.
  form.append(property);
  const variants = JSON.parse(json.textContent);
  const label = root.dataset.button;
  let backorder, themeLabel;
  // The add-to-cart button's label: its first non-blank text (Dawn wraps it in a <span>,
  // Horizon in two). Themes rewrite or re-render the button on a variant change, before or
  // after we hear of it, so the label is put back whenever the form changes.
  const relabel = () => {
    const button = form.querySelector('[name="add"]');
    const walker = button && document.createTreeWalker(button, 4); // 4: text nodes
    let node;
    while ((node = walker?.nextNode()) && !node.data.trim());
    if (!node) return;
    if (backorder) {
      if (node.data.trim() != label) {
        themeLabel = node.data;
        node.data = label;
      }
    } else if (node.data == label) node.data = themeLabel;
  };
  new MutationObserver(relabel).observe(form, { subtree: true, childList: true, characterData: true });
  // Ids come as numbers from Liquid and as GIDs (gid://shopify/ProductVariant/1) from events.
  const show = (id) => {
    const [markup = "", eta] = variants[/\d+$/.exec(id)] || [];
    // Liquid escaped the sentence (merchant text included), so it is markup-safe.
    text.innerHTML = markup;
    property.disabled = !(property.value = eta || "");
    backorder = eta != null;
    alternatives?.toggleAttribute("data-hidden", !backorder);
    relabel();
  };
  // Shopify's standard event (Horizon dispatches it; it may set the form's `id` without any
  // event): its promise resolves with the variant the options map to, or a null variant.
  // Only the latest pick counts: an earlier lookup that resolves late must not win.
  let latest;
  document.addEventListener("shopify:product:select", (e) => {
    if (e.product?.handle != root.dataset.product) return;
    const pick = (latest = e.promise);
    pick?.then((r) => pick == latest && show(r?.variant?.id));
  });
  // Fallback for themes that set the form's `id` input and fire `change` (Dawn). Any other
  // change in the form (quantity, a picker inside it) shows the current `id` again: harmless.
  const current = () => show(form.elements.id.value);
  form.addEventListener("change", current);
  // The browser may have restored another variant than the one Liquid rendered.
  current();
});

// The cart's notice (app embed): a copy above every checkout button, the cart page's and
// the cart drawer's. Liquid gave the cart as it was; when the theme re-renders a checkout
// button (an add, a quantity change), the copies are repainted from the storefront's
// /cart.js (the shop's own endpoint: nothing goes to the app).
const master = document.querySelector("[data-bq-cart]");
if (master) {
  master.remove();
  master.hidden = false;
  const { format, property, ships } = master.dataset;
  let copies = [];
  // The date as Liquid's `date` filter writes it with the merchant's format.
  const shown = (eta) => {
    const [y, m, d] = eta.split("-");
    const month = new Date(Date.UTC(y, m - 1)).toLocaleString("en", { month: "long", timeZone: "UTC" });
    return format.replace(/%(-?)([bBdmY])/g, (_, unpadded, c) => ({ b: month.slice(0, 3), B: month, d: unpadded ? +d : d, m, Y: y })[c]);
  };
  const paint = (copy, items) => {
    const later = items.filter(([, eta]) => /^\d{4}-\d\d-\d\d$/.test(eta));
    const [, list, mixed] = copy.children;
    list.replaceChildren(
      ...later.map(([title, eta]) => {
        const line = document.createElement("li");
        line.textContent = `${title} — ${ships.replace("{date}", shown(eta))}`;
        return line;
      }),
    );
    copy.hidden = !later.length;
    mixed.hidden = later.length == items.length;
  };
  let items = JSON.parse(master.children[3].textContent);
  const place = () => {
    let fresh;
    document.querySelectorAll('[name="checkout"]').forEach((button) => {
      if (button.previousElementSibling?.hasAttribute("data-bq-cart")) return;
      const copy = master.cloneNode(true);
      copies.push(copy);
      button.before(copy);
      paint(copy, items);
      fresh = true;
    });
    return fresh;
  };
  place();
  new MutationObserver(async () => {
    if (!place()) return;
    const cart = await (await fetch(`${window.Shopify?.routes?.root || "/"}cart.js`)).json();
    items = cart.items.map((i) => [i.title, i.properties?.[property] || ""]);
    copies = copies.filter((copy) => copy.isConnected);
    copies.forEach((copy) => paint(copy, items));
  }).observe(document.body, { childList: true, subtree: true });
}
