// An element drawn from the live catalogue, in the light DOM (the desk's
// stylesheet applies): it draws again whenever the catalogue changes while
// it is connected (an admin adds a tag or a customer meanwhile). The
// contacts list and the board's filter panel are such elements.
import { LitElement } from "lit";
import type { AppContext } from "./context.js";

export abstract class CatalogElement extends LitElement {
  declare ctx: AppContext;
  private offCatalog?: () => void;

  createRenderRoot() {
    return this;
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.offCatalog = this.ctx.catalog.onChange(() => this.requestUpdate());
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offCatalog?.();
    this.offCatalog = undefined;
  }
}
