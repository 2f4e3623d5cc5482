/* global DOMParser, HTMLElement, Event, FormData, customElements, document, fetch, history, window */
// Dawn-like product page behaviour, written for our tests from how Dawn behaves:
// - <variant-radios>: on a pick, finds the variant for the checked options, sets the
//   product form's hidden `id` input and fires a bubbling `change` on it (the event apps
//   follow on Dawn), updates the URL's ?variant= and, last, the button's label (the text of
//   the <span> inside it, whatever an app put there).
// - <product-form>: posts the form's FormData with fetch, then goes to the cart page; with
//   the cart drawer (cart type "drawer") it asks for the `cart-drawer` section with the add,
//   puts its `#CartDrawer` in place of the drawer's and opens it (class `active`).
class VariantRadios extends HTMLElement {
  connectedCallback() {
    this.variants = JSON.parse(this.querySelector('script[type="application/json"]').textContent);
    this.addEventListener("change", () => this.select());
  }

  select() {
    const chosen = [...this.querySelectorAll("fieldset")].map((f) => f.querySelector("input:checked")?.value);
    const variant = this.variants.find((v) => v.options.every((value, i) => value === chosen[i]));
    const form = document.getElementById(this.dataset.form);
    if (variant) {
      history.replaceState(null, "", `?variant=${variant.id}`);
      form.elements.id.value = variant.id;
      form.elements.id.dispatchEvent(new Event("change", { bubbles: true }));
    }
    // Last, as Dawn's product info does once the section for the variant is in.
    const button = form.querySelector('[name="add"]');
    button.disabled = !variant?.available;
    button.querySelector("span").textContent = variant?.available ? "Add to cart" : "Sold out";
  }
}

class ProductForm extends HTMLElement {
  connectedCallback() {
    this.querySelector("form").addEventListener("submit", (event) => this.add(event));
  }

  async add(event) {
    event.preventDefault();
    const drawer = document.querySelector("cart-drawer");
    const body = new FormData(event.target);
    if (drawer) body.append("sections", "cart-drawer");
    const response = await fetch(window.routes.cart_add_url, {
      method: "POST",
      headers: { Accept: "application/javascript", "X-Requested-With": "XMLHttpRequest" },
      body,
    });
    if (!drawer) return void (window.location = window.routes.cart_url);
    const { sections } = await response.json();
    const html = new DOMParser().parseFromString(sections["cart-drawer"], "text/html");
    drawer.querySelector("#CartDrawer").innerHTML = html.querySelector("#CartDrawer").innerHTML;
    drawer.classList.remove("is-empty");
    drawer.classList.add("active");
  }
}

customElements.define("variant-radios", VariantRadios);
customElements.define("product-form", ProductForm);
