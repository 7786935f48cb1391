// GridGraph's web app: log in with a token, then the explorer or the dashboards.
import { DistrictsDocument } from "../generated/graphql";
import { gql } from "./api";
import { dashboardView } from "./dashboard/view";
import { clear, h } from "./dom";
import { explorerView, type Explorer } from "./explorer/view";
import { lang, setLang, t } from "./i18n";
import { caseId } from "./panel";
import { session } from "./session";
import "./style.css";

declare global {
  interface Window {
    // For tests and measurements (tests/web, docs/webapp.md): the drawing and its timings.
    __gridgraph: { explorer?: Explorer; lastDraw?: { fetchMs: number; renderMs: number; addMs: number; layoutMs: number; nodes: number } };
  }
}
window.__gridgraph = {};

const root = document.getElementById("app") as HTMLElement;
document.documentElement.lang = lang();

function loginView(): HTMLElement {
  const token = h("textarea", { name: "token", rows: 5, placeholder: "eyJhbGciOi…", "data-testid": "token" });
  const purpose = h("input", { type: "text", name: "purpose", maxlength: 200 });
  const message = h("p", { class: "error", "data-testid": "login-error" });
  async function check(): Promise<void> {
    try {
      await gql(DistrictsDocument, {});
      render();
    } catch (error) {
      console.error(error instanceof Error ? error.stack : error);
      session.logOut();
      message.textContent = `${t("loginFailed")}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return h(
    "main",
    { class: "login" },
    h(
      "form",
      {
        onsubmit: (event: Event) => {
          event.preventDefault();
          if (!token.value.trim()) return;
          session.logIn(token.value, purpose.value);
          void check();
        },
      },
      h("h2", {}, t("loginTitle")),
      h("p", { class: "muted" }, t("loginHelp")),
      h("label", {}, t("token"), token),
      h("label", {}, t("purpose"), purpose),
      h("button", { type: "submit", "data-testid": "login" }, t("login")),
      h("button", { type: "button", class: "link", "data-testid": "as-developer", onclick: () => { session.asDeveloper(); void check(); } }, t("asDeveloper")),
      message,
    ),
  );
}

function who(): string {
  const claims = session.claims();
  if (!claims) return "developer";
  const scope = Array.isArray(claims.scope) ? ` [${(claims.scope as string[]).join(", ")}]` : "";
  return `${String(claims.sub ?? "?")} · ${String(claims.role ?? "?")}${scope}`;
}

function render(): void {
  document.title = t("appTitle");
  if (!session.loggedIn()) {
    clear(root, header(null), loginView());
    return;
  }
  const tab = location.hash.startsWith("#/dashboard") ? "dashboard" : "explorer";
  const body = h("main", { class: "content" });
  clear(root, header(tab), body);
  if (tab === "explorer") {
    const explorer = explorerView();
    window.__gridgraph.explorer = explorer;
    body.append(explorer.element);
    const open = new URLSearchParams(location.hash.split("?")[1] ?? "").get("case");
    if (open) void explorer.draw(caseId(open));
  } else {
    body.append(dashboardView((code) => { location.hash = `#/explorer?case=${encodeURIComponent(code)}`; }));
  }
}

function header(tab: "explorer" | "dashboard" | null): HTMLElement {
  return h(
    "header",
    {},
    h("h1", {}, t("appTitle")),
    tab
      ? h(
          "nav",
          {},
          h("a", { href: "#/explorer", class: tab === "explorer" ? "active" : "", "data-testid": "tab-explorer" }, t("explorer")),
          h("a", { href: "#/dashboard", class: tab === "dashboard" ? "active" : "", "data-testid": "tab-dashboard" }, t("dashboard")),
          h("a", { href: "/graphql", target: "_blank" }, t("graphiql")),
        )
      : null,
    h("span", { class: "spacer" }),
    tab ? h("span", { class: "muted", "data-testid": "who" }, `${t("signedInAs")}: ${who()}`) : null,
    h("button", { class: "link", "data-testid": "lang", onclick: () => { setLang(lang() === "en" ? "zh-CN" : "en"); render(); } }, t("switchLang")),
    tab ? h("button", { class: "link", "data-testid": "logout", onclick: () => { session.logOut(); render(); } }, t("logout")) : null,
  );
}

window.addEventListener("hashchange", render);
render();
