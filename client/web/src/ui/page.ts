// What the page elements share: they render into the light DOM (the
// desk's stylesheet applies, CSP-clean), hear the page's keys on the
// document while they are shown, and, with `redrawEvery`, draw themselves
// again on a timer for what the clock changes ("waiting 12 min", the
// "now" slot, today's column).
import { LitElement } from "lit";

export abstract class PageElement extends LitElement {
  /** Milliseconds between redraws while shown; 0 for none. */
  protected redrawEvery = 0;
  private redrawTimer?: ReturnType<typeof setInterval>;
  private readonly onPageKey = (e: KeyboardEvent) => {
    this.pageKey(e);
  };

  createRenderRoot() {
    return this;
  }

  connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener("keydown", this.onPageKey);
    if (this.redrawEvery > 0) this.redrawTimer = setInterval(() => this.requestUpdate(), this.redrawEvery);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener("keydown", this.onPageKey);
    clearInterval(this.redrawTimer);
    this.redrawTimer = undefined;
  }

  /** A key pressed anywhere while the page is shown; true (or nothing) when it took it. */
  protected abstract pageKey(e: KeyboardEvent): boolean | void;
}
