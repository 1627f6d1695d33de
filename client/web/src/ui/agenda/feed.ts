/*
 * "Subscribe to calendar" on My agenda: the operator's secret calendar-feed
 * URL (server: GET /feed/<secret>.ics), which a phone or desktop calendar
 * subscribes to. The server keeps only the secret's hash, so a URL is
 * shown once, when it is made: "New URL" (after a confirmation that the
 * old one stops at once) makes one, shows it and offers Copy. The address
 * before the path is the server's public one (Welcome.web_url) or this
 * page's own.
 */
import { html, LitElement, nothing } from "lit";
import { addWords, t } from "../../i18n.js";
import type { AppContext } from "../context.js";
import { errorText } from "../errors.js";

addWords({
  en: {
    "feed.open": "Subscribe to calendar",
    "feed.title": "Your agenda in your calendar",
    "feed.explain": "A secret address that your phone or computer's calendar (Google, Apple, Thunderbird) " +
      "subscribes to: it shows your planned tasks and keeps them up to date. Anyone with the address can read " +
      "your agenda, so keep it to yourself. It is shown only when it is made.",
    "feed.new": "New URL",
    "feed.confirm": "The old URL stops working at once: calendars subscribed to it stop updating. Make a new one?",
    "feed.yes": "Yes, make a new URL",
    "feed.cancel": "Cancel",
    "feed.url": "Calendar URL",
    "feed.copy": "Copy",
    "feed.copied": "Copied",
    "feed.copyFailed": "Copy it by hand: the text is selected",
    "feed.made": "A new calendar URL: the old one no longer works",
    "feed.close": "Close",
    "feed.how": "In your calendar, add a calendar \"from URL\" (or \"subscribe\") and paste it.",
  },
  es: {
    "feed.open": "Suscribirse en el calendario",
    "feed.title": "Tu agenda en tu calendario",
    "feed.explain": "Una dirección secreta a la que se suscribe el calendario de tu móvil u ordenador (Google, " +
      "Apple, Thunderbird): muestra tus tareas planificadas y las mantiene al día. Quien tenga la dirección puede " +
      "leer tu agenda: no la compartas. Solo se muestra al crearla.",
    "feed.new": "Nueva URL",
    "feed.confirm": "La URL anterior deja de funcionar en el acto: los calendarios suscritos a ella dejan de " +
      "actualizarse. ¿Crear una nueva?",
    "feed.yes": "Sí, crear una URL nueva",
    "feed.cancel": "Cancelar",
    "feed.url": "URL del calendario",
    "feed.copy": "Copiar",
    "feed.copied": "Copiada",
    "feed.copyFailed": "Cópiala a mano: el texto está seleccionado",
    "feed.made": "Una URL de calendario nueva: la anterior ya no funciona",
    "feed.close": "Cerrar",
    "feed.how": "En tu calendario, añade un calendario \"desde URL\" (o \"suscribirse\") y pégala.",
  },
});

type Step = "closed" | "intro" | "confirm" | "busy" | "shown";

export class ClubcrmFeedButton extends LitElement {
  static properties = {
    ctx: { attribute: false }, language: { attribute: false },
    step: { state: true }, url: { state: true }, copied: { state: true },
  };
  declare ctx: AppContext;
  declare language: string;
  declare step: Step;
  declare url: string;
  declare copied: string;

  constructor() {
    super();
    this.step = "closed";
    this.url = "";
    this.copied = "";
  }

  createRenderRoot() {
    return this;
  }

  /** The address people reach the web listener at, without a trailing '/'. */
  private base(): string {
    const pub = this.ctx.client.welcome?.webUrl;
    return pub ? pub.replace(/\/+$/, "") : location.origin;
  }

  private async rotate(): Promise<void> {
    this.step = "busy";
    try {
      const r = await this.ctx.api.rotateFeed();
      this.url = this.base() + r.path;
      this.copied = "";
      this.step = "shown";
      this.ctx.notify(t("feed.made"));
    } catch (e) {
      this.step = "intro";
      this.ctx.notify(errorText(e), "error");
    }
  }

  private async copy(): Promise<void> {
    const input = this.querySelector<HTMLInputElement>("input[data-feed=url]");
    try {
      await navigator.clipboard.writeText(this.url);
      this.copied = t("feed.copied");
    } catch {
      input?.focus();
      input?.select();
      this.copied = t("feed.copyFailed");
    }
  }

  private close(): void {
    // The URL is not kept once the panel closes: it is a secret.
    this.step = "closed";
    this.url = "";
    this.copied = "";
  }

  private panel() {
    const s = this.step;
    return html`<div class="feed-panel" role="dialog" aria-label=${t("feed.title")}
        @keydown=${(e: KeyboardEvent) => { if (e.key === "Escape") { e.stopPropagation(); this.close(); } }}>
      <h2>${t("feed.title")}</h2>
      <p class="feed-explain">${t("feed.explain")}</p>
      ${s === "shown" ? html`<label class="feed-url">${t("feed.url")}
          <input type="text" readonly data-feed="url" .value=${this.url}
            @focus=${(e: Event) => (e.target as HTMLInputElement).select()}></label>
        <p class="feed-actions"><button type="button" data-feed="copy" @click=${() => this.copy()}>${t("feed.copy")}</button>
          <span class="feed-copied" role="status">${this.copied}</span></p>
        <p class="feed-how">${t("feed.how")}</p>` : nothing}
      ${s === "confirm" ? html`<p class="feed-confirm" role="alert">${t("feed.confirm")}</p>
        <p class="feed-actions">
          <button type="button" data-feed="confirm" @click=${() => this.rotate()}>${t("feed.yes")}</button>
          <button type="button" data-feed="cancel" @click=${() => { this.step = this.url ? "shown" : "intro"; }}>
            ${t("feed.cancel")}</button></p>` : html`<p class="feed-actions">
          <button type="button" data-feed="new" ?disabled=${s === "busy"}
            @click=${() => { this.step = "confirm"; }}>${t("feed.new")}</button>
          <button type="button" data-feed="close" @click=${() => this.close()}>${t("feed.close")}</button></p>`}
    </div>`;
  }

  render() {
    return html`<button type="button" class="feed-open" data-feed="open" aria-expanded=${this.step === "closed" ? "false" : "true"}
        @click=${() => { this.step = this.step === "closed" ? "intro" : "closed"; if (this.step === "closed") this.close(); }}>
        ${t("feed.open")}</button>
      ${this.step === "closed" ? nothing : this.panel()}`;
  }
}
customElements.define("clubcrm-feed-button", ClubcrmFeedButton);
