/*
 * <clubcrm-app>: the shell. The login form while signed out (inputs named
 * `login` and `password`); once in, the nav of the registered pages, the
 * `Reconnecting…` banner while the server is away, the message area, and
 * the page the URL's hash names. A reload logs in again with the tab's
 * resume token (sessionStorage), never asking for the password.
 */
import { LitElement, html, nothing } from "lit";
import type { Operator } from "../gen/clubcrm_pb.js";
import { lang, setLang, t, type Lang, useClubLanguage } from "../i18n.js";
import { Api } from "../lib/api.js";
import { ClubClient, type LinkState, sessionTokenStore } from "../lib/client.js";
import { CatalogView, catalogView } from "../lib/live.js";
import { pageWebSocketUrl, webSocketPipe } from "../lib/pipe.js";
import { ClubError, Status } from "../lib/status.js";
import { type AppContext, allPages, isAdmin, navEntryFor, page, parseRoute } from "./context.js";
import { errorText } from "./errors.js";

interface Message {
  id: number;
  text: string;
  kind: "info" | "error";
}

export class ClubcrmApp extends LitElement {
  static properties = {
    linkState: { state: true },
    route: { state: true },
    loginError: { state: true },
    busy: { state: true },
    messages: { state: true },
    resuming: { state: true },
  };

  declare linkState: LinkState;
  declare route: string[];
  declare loginError: string;
  declare busy: boolean;
  declare messages: Message[];
  declare resuming: boolean;

  client: ClubClient;
  api: Api;
  catalog?: CatalogView;
  ctx?: AppContext;
  private nextMsg = 1;

  constructor() {
    super();
    this.client = new ClubClient({
      pipe: webSocketPipe(pageWebSocketUrl()),
      tokens: sessionTokenStore(window.sessionStorage),
      terminalName: `browser ${navigator.platform || ""}`.trim(),
    });
    this.api = new Api(this.client);
    this.linkState = this.client.state;
    this.route = parseRoute(location.hash);
    this.loginError = "";
    this.busy = false;
    this.messages = [];
    this.resuming = this.client.hasToken();
    this.client.onState((s) => {
      this.linkState = s;
      if (s === "signedOut") this.signedOut();
    });
    window.addEventListener("hashchange", () => (this.route = parseRoute(location.hash)));
    document.documentElement.setAttribute("lang", lang());
  }

  // Light DOM: one stylesheet for the whole page, and scripts can find rows.
  createRenderRoot() {
    return this;
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (this.resuming)
      this.client.resume().then((op) => (op ? this.signedIn(op) : (this.resuming = false)))
        .catch(() => (this.resuming = false));
  }

  private signedIn(me: Operator): void {
    this.resuming = false;
    this.catalog?.close();
    this.catalog = catalogView(this.client);
    const w = this.client.welcome;
    this.ctx = {
      client: this.client,
      api: this.api,
      catalog: this.catalog,
      me,
      zone: w?.timeZone || "UTC",
      clubName: w?.clubName || "",
      navigate: (r) => (location.hash = `#/${r}`),
      notify: (text, kind = "info") => this.notify(text, kind),
    };
    this.catalog.onChange(() => {
      // The club's language, for a user who never picked one (i18n.ts).
      if (this.catalog?.settings) useClubLanguage(this.catalog.settings.language);
      this.requestUpdate();
    });
    if (!this.route.length || !page(this.route[0])) this.ctx.navigate("board/all");
    this.requestUpdate();
  }

  private signedOut(): void {
    this.catalog?.close();
    this.catalog = undefined;
    this.ctx = undefined;
    this.resuming = false;
    if (this.client.lastError && !this.loginError) this.loginError = errorText(this.client.lastError);
  }

  notify(text: string, kind: "info" | "error" = "info"): void {
    const id = this.nextMsg++;
    this.messages = [...this.messages, { id, text, kind }];
    if (kind === "info") setTimeout(() => this.dismiss(id), 5000);
  }

  private dismiss(id: number): void {
    this.messages = this.messages.filter((m) => m.id !== id);
  }

  private async submitLogin(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const login = String(data.get("login") ?? "").trim();
    const password = String(data.get("password") ?? "");
    if (!login || !password) return;
    this.busy = true;
    this.loginError = "";
    try {
      const me = await this.client.login(login, password);
      (form.elements.namedItem("password") as HTMLInputElement).value = "";
      this.signedIn(me);
    } catch (err) {
      const wrong = err instanceof ClubError && err.code === Status.UNAUTHENTICATED;
      this.loginError = t("login.failed", { why: wrong ? t("login.wrong") : errorText(err) });
    } finally {
      this.busy = false;
    }
  }

  private async logout(): Promise<void> {
    await this.client.logout();
    this.loginError = "";
    location.hash = "";
  }

  private chooseLang(l: Lang): void {
    setLang(l);
    this.requestUpdate();
  }

  render() {
    if (this.resuming) return html`<div class="splash">${t("link.connecting")}</div>`;
    if (!this.ctx || this.linkState === "signedOut") return this.renderLogin();
    const ctx = this.ctx;
    const [name, ...args] = this.route;
    const spec = page(name);
    const allowed = spec && (!spec.adminOnly || isAdmin(ctx));
    const navs = allPages().filter(([, p]) => p.navKey && (!p.adminOnly || isAdmin(ctx)));
    const activeNav = navEntryFor(this.route, navs);
    return html`
      ${this.linkState === "reconnecting" || this.linkState === "connecting"
        ? html`<div class="banner" role="status" data-link="${this.linkState}">${t("link.reconnecting")}</div>`
        : nothing}
      <header class="topbar">
        <span class="brand">clubcrm</span>
        <span class="club">${ctx.clubName}</span>
        <nav>
          ${navs.map(([n, p]) => {
            const r = p.navRoute ?? n;
            return html`<a href="#/${r}" class=${n === activeNav ? "active" : ""} data-nav=${r}>${t(p.navKey!)}</a>`;
          })}
        </nav>
        <span class="me" data-login=${ctx.me.login}>${ctx.me.name || ctx.me.login}</span>
        <span class="live" data-link=${this.linkState}>${this.linkState === "live" ? t("link.live") : ""}</span>
        <select aria-label=${t("nav.language")} @change=${(e: Event) =>
          this.chooseLang((e.target as HTMLSelectElement).value as Lang)}>
          <option value="en" ?selected=${lang() === "en"}>English</option>
          <option value="es" ?selected=${lang() === "es"}>Español</option>
        </select>
        <button class="logout" @click=${() => this.logout()}>${t("nav.logout")}</button>
      </header>
      <div class="messages" aria-live="polite">
        ${this.messages.map((m) => html`<div class="msg ${m.kind}" role=${m.kind === "error" ? "alert" : "status"}>
          ${m.text}<button aria-label=${t("common.close")} @click=${() => this.dismiss(m.id)}>×</button></div>`)}
      </div>
      <main>${allowed ? spec.render(ctx, args) : html`<p class="empty">—</p>`}</main>
      <clubcrm-dialogs .ctx=${ctx}></clubcrm-dialogs>
    `;
  }

  private renderLogin() {
    return html`
      <form class="login" @submit=${(e: Event) => this.submitLogin(e)}>
        <h1>clubcrm</h1>
        <label>${t("login.login")} <input name="login" autocomplete="username" required autofocus></label>
        <label>${t("login.password")} <input name="password" type="password" autocomplete="current-password"
          required></label>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? t("login.busy") : t("login.submit")}</button>
        ${this.loginError ? html`<p class="error" role="alert">${this.loginError}</p>` : nothing}
        <select aria-label=${t("nav.language")} @change=${(e: Event) =>
          this.chooseLang((e.target as HTMLSelectElement).value as Lang)}>
          <option value="en" ?selected=${lang() === "en"}>English</option>
          <option value="es" ?selected=${lang() === "es"}>Español</option>
        </select>
      </form>
    `;
  }
}

customElements.define("clubcrm-app", ClubcrmApp);
