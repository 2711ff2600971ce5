// The shell: navigation, the top bar, toasts, error panels and small shared widgets.
import { h, replace } from "./dom.js";
import { adviceFor } from "./errors.js";
import { STATUS_LABEL } from "./findings.js";
import { formatDate } from "./format.js";
import { changesScreen } from "./screens/changes.js";
import { connectScreen, startDemo } from "./screens/connect.js";
import { exportScreen } from "./screens/export.js";
import { findingsScreen } from "./screens/findings.js";
import { historyScreen } from "./screens/history.js";
import { licensingScreen } from "./screens/licensing.js";
import { overviewScreen } from "./screens/overview.js";
import { planScreen } from "./screens/plan.js";
import { portfolioScreen } from "./screens/portfolio.js";
import { settingsScreen } from "./screens/settings.js";
import { SCREENS, TOOLS, state } from "./state.js";

/** @typedef {import("./ipc.js").AppError} AppError */

export const main = /** @type {HTMLElement} */ (document.getElementById("main"));
const sidebar = /** @type {HTMLElement} */ (document.getElementById("sidebar"));
const topbarTenant = /** @type {HTMLElement} */ (document.getElementById("topbar-tenant"));
const topbarActions = /** @type {HTMLElement} */ (document.getElementById("topbar-actions"));


/** @param {string} screen */
export function go(screen) {
  state.screen = screen;
  render();
  main.focus({ preventScroll: true });
  main.scrollTop = 0;
}

export function render() {
  renderChrome();
  const renderers = /** @type {Record<string, () => HTMLElement>} */ ({
    connect: connectScreen,
    overview: overviewScreen,
    findings: findingsScreen,
    licensing: licensingScreen,
    plan: planScreen,
    changes: changesScreen,
    export: exportScreen,
    history: historyScreen,
    portfolio: portfolioScreen,
    settings: settingsScreen,
  });
  const needsAssessment = !["connect", ...TOOLS.map((t) => t.id)].includes(state.screen);
  if (needsAssessment && !state.assessment) state.screen = "connect";
  replace(main, (renderers[state.screen] ?? connectScreen)());
}

export function renderChrome() {
  const a = state.assessment;
  replace(topbarTenant, a ? [h("span", { class: "tenant-name", title: a.tenant.display_name }, a.tenant.display_name),
    h("span", { class: "muted" }, ` · assessed ${formatDate(a.assessed_at)}`)] : []);
  replace(topbarActions, a ? h("button", { class: "ghost", onclick: () => go("connect") }, "Assess another tenant") : []);
  const item = (/** @type {{ id: string, label: string, icon: string }} */ s, /** @type {boolean} */ disabled) => h("button", {
    class: "nav-item", "aria-current": state.screen === s.id ? "page" : false, disabled,
    "data-screen": s.id, onclick: () => go(s.id),
  }, h("span", { class: "nav-icon", "aria-hidden": "true" }, s.icon), s.label);
  replace(sidebar,
    h("button", { class: "nav-item", "aria-current": state.screen === "connect" ? "page" : false, onclick: () => go("connect") },
      h("span", { class: "nav-icon", "aria-hidden": "true" }, "⌂"), "Connect"),
    h("div", { class: "nav-sep", role: "separator" }),
    SCREENS.map((s) => item(s, !a)),
    h("div", { class: "nav-sep", role: "separator" }),
    TOOLS.map((s) => item(s, false)),
    h("div", { class: "nav-foot muted" }, "Read-only: PIM Ready changes a tenant only when you apply a reviewed change-set."));
}

/** @type {number | undefined} */
let toastTimer;
/**
 * @param {string} message
 * @param {"info"|"error"} [tone]
 */
export function toast(message, tone = "info") {
  const el = /** @type {HTMLElement} */ (document.getElementById("toast"));
  el.textContent = message;
  el.dataset.tone = tone;
  el.classList.add("visible");
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el.classList.remove("visible"), 4500);
}

/**
 * A designed error state: the error's own hint, else its kind's advice; the actions depend on the kind only.
 * @param {AppError} error
 * @param {string} title
 */
export function errorPanel(error, title) {
  return h("div", { class: "panel error-panel", role: "alert" },
    h("h2", {}, title),
    h("p", { class: "error-message" }, error.message),
    h("p", { class: "muted error-advice" }, adviceFor(error)),
    h("div", { class: "row" },
      h("button", { class: "primary", onclick: () => go("connect") }, "Back to Connect"),
      h("button", { onclick: () => startDemo() }, "Try the demo tenant")));
}

/** @param {string} text */
export async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast("Copied to the clipboard.");
  } catch {
    toast("Copying is not allowed here: select the text and press Ctrl+C.", "error");
  }
}

/** @param {string} status */
export function statusBadge(status) {
  return h("span", { class: `badge status-${status}` }, STATUS_LABEL[/** @type {import("./findings.js").Status} */ (status)] ?? status);
}
/** @param {string} severity */
export function severityBadge(severity) {
  return h("span", { class: `badge sev-${severity}` }, severity[0].toUpperCase() + severity.slice(1));
}

/**
 * @param {string} title
 * @param {string} [subtitle]
 * @param {...HTMLElement} actions
 */
export function pageHeader(title, subtitle, ...actions) {
  return h("header", { class: "page-header" },
    h("div", {}, h("h1", { title }, title), subtitle ? h("p", { class: "muted" }, subtitle) : null),
    h("div", { class: "row" }, actions));
}
