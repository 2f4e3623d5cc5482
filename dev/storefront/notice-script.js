/* global document, subscribe, PUB_SUB_EVENTS */
// Source of extensions/backorder-notice/assets/backorder-notice.js (minified by
// `npm run build:theme`; a test checks the shipped asset is this file's build).
// Runs once per page: no request, no framework; every variant's sentence is already in
// the page as JSON, rendered by Liquid, so switching variants only swaps text.
(() => {
  const setUp = (root) => {
    const variants = JSON.parse(root.querySelector("[data-bq-variants]").textContent);
    const text = root.querySelector("p");
    const property = root.querySelector("input");
    const embed = root.parentElement.hasAttribute("data-bq-embed") && root.parentElement;
    const form =
      document.getElementById(root.dataset.form) ||
      (root.closest("section") || document).querySelector('form[action*="/cart/add"]') ||
      document.querySelector('form[action*="/cart/add"]');
    if (embed) {
      // The theme has the app block too: it is already in place.
      if (document.querySelectorAll("[data-bq-notice]").length > 1) return embed.remove();
      if (form) form.prepend(embed);
      embed.hidden = false;
    }
    // The promised date must travel with the form (Dawn's is found by the `form` attribute).
    if (form && !property.form) form.append(property);

    const show = (variantId) => {
      const status = variants[variantId] || { state: "in_stock", text: "" };
      const promised = status.state == "backorder" && status.eta;
      root.className = "bq-notice bq-notice--" + status.state;
      // Liquid already escaped the sentence (merchant text included), so it is markup-safe.
      text.innerHTML = status.text;
      property.value = promised ? status.eta : "";
      property.disabled = !promised;
    };
    // Dawn (and most themes) set the form's `id` input and fire `change` on variant change.
    if (form) form.addEventListener("change", (e) => e.target.name == "id" && show(e.target.value));
    // Newer Dawn also publishes variant changes on its pub/sub.
    if (typeof subscribe == "function" && typeof PUB_SUB_EVENTS == "object")
      subscribe(PUB_SUB_EVENTS.variantChange, (e) => e.data.variant && show(e.data.variant.id));
    if (form && form.elements.id) show(form.elements.id.value);
  };
  document.querySelectorAll("[data-bq-notice]").forEach((root) => setUp(root));
})();
