/* global DOMParser, HTMLElement, Event, FormData, customElements, document, fetch, location, window */
// Horizon-like product page behaviour (a module, as Horizon's code is), written for our
// tests from how Horizon behaves and from Shopify's "standard events" documentation:
// - <variant-picker>: on a pick, dispatches `shopify:product:select` from the product
//   element, with `product` ({ id, title, handle }), `selectedOptions` ([{ name, value }])
//   and `promise`, which resolves with `{ variant }` (Storefront API shape: a GID id, or a
//   null variant for a combination that does not exist) once the section is re-rendered for
//   it (Section Rendering, `?section_id=`). Then it sets the form's hidden `id` input
//   silently: no `change`, no `input` event.
// - <product-form-component>: posts the form's FormData with fetch and stays on the page;
//   with the cart drawer it asks for the `cart-drawer` section with the add, swaps in its
//   `.cart-drawer__content` and opens the drawer's <dialog>.
const gid = (type, id) => `gid://shopify/${type}/${id}`;

class VariantPicker extends HTMLElement {
  connectedCallback() {
    this.variants = JSON.parse(this.querySelector('script[type="application/json"]').textContent);
    this.addEventListener("change", () => this.select());
  }

  select() {
    const product = this.closest("product-details");
    const selectedOptions = [...this.querySelectorAll("fieldset")].map((f) => ({
      name: f.dataset.option,
      value: f.querySelector("input:checked").value,
    }));
    const variant = this.variants.find((v) => v.options.every((value, i) => value === selectedOptions[i].value)) ?? null;
    const promise = this.rerender(product, variant).then(() => ({
      variant: variant && { id: gid("ProductVariant", variant.id), availableForSale: variant.available },
    }));
    const event = new Event("shopify:product:select", { bubbles: true });
    Object.assign(event, {
      product: {
        id: gid("Product", product.dataset.productId),
        title: product.dataset.productTitle,
        handle: product.dataset.productHandle,
      },
      selectedOptions,
      promise,
    });
    product.dispatchEvent(event);
    promise.then(() => {
      const form = product.querySelector('form[data-type="add-to-cart-form"]');
      // Horizon morphs the button from the re-rendered section: its label comes back anew.
      const button = form.querySelector('[name="add"]');
      button.disabled = !variant?.available;
      button.querySelector(".add-to-cart-text").innerHTML =
        `<span class="add-to-cart-text__content">${variant?.available ? "Add to cart" : "Sold out"}</span>`;
      if (variant) form.elements.id.value = variant.id;
    });
  }

  /** Fetches the section for the variant and takes its price, as Horizon morphs the section. */
  async rerender(product, variant) {
    if (!variant) return;
    const url = `${location.pathname}?variant=${variant.id}&section_id=${product.dataset.sectionId}`;
    const html = new DOMParser().parseFromString(await (await fetch(url)).text(), "text/html");
    product.querySelector("[data-price]").textContent = html.querySelector("[data-price]").textContent;
  }
}

class ProductFormComponent extends HTMLElement {
  connectedCallback() {
    this.querySelector("form").addEventListener("submit", (event) => this.add(event));
  }

  async add(event) {
    event.preventDefault();
    const drawer = document.querySelector("cart-drawer-component");
    const body = new FormData(event.target);
    if (drawer) body.append("sections", "cart-drawer");
    const response = await fetch(window.Theme.routes.cart_add_url, {
      method: "POST",
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      body,
    });
    if (drawer && response.ok) {
      const { sections } = await response.clone().json();
      const html = new DOMParser().parseFromString(sections["cart-drawer"], "text/html");
      drawer.querySelector(".cart-drawer__content").replaceWith(html.querySelector(".cart-drawer__content"));
      drawer.querySelector("dialog").show();
    }
    this.querySelector("[data-cart-status]").textContent = response.ok ? "Added to cart" : "Could not add to cart";
  }
}

customElements.define("variant-picker", VariantPicker);
customElements.define("product-form-component", ProductFormComponent);
