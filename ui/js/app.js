// PIM Ready UI: one module per concern; this one owns the screens and the state they read.
import { h, svg, replace } from "./dom.js";
import { call, channel, asAppError } from "./ipc.js";
import { formatMoney, formatPercent, formatDate, formatDateTime, formatElapsed, unitPrice, costTotals, parsePrice, GRADE_TONE } from "./format.js";
import { STATUSES, STATUS_LABEL, SEVERITIES, emptyFilter, filterFindings, countByStatus, topRisks, sortForList } from "./findings.js";
import { coverModel, maskUpn, pseudonymizer } from "./masking.js";
import { trendChart, trendSummary, toggleCompare, diffRows } from "./history.js";

/** @typedef {import("./ipc.js").AppError} AppError */
/** @typedef {import("./findings.js").FindingFilter} FindingFilter */

/**
 * @typedef {Object} State
 * @property {any | null} assessment
 * @property {any | null} settings      the SettingsView from `get_settings`
 * @property {string} screen
 * @property {FindingFilter} filter
 * @property {string | null} selectedFinding
 * @property {{ path: string } | null} lastExport
 * @property {"pdf"|"json"|"csv"} exportFormat
 * @property {string | null} historyTenant  the tenant the History screen shows
 * @property {number[]} compare             at most two assessment ids to compare
 */

/** @type {State} */
const state = {
  assessment: null,
  settings: null,
  screen: "connect",
  filter: emptyFilter(),
  selectedFinding: null,
  lastExport: null,
  exportFormat: "pdf",
  historyTenant: null,
  compare: [],
};

const main = /** @type {HTMLElement} */ (document.getElementById("main"));
const sidebar = /** @type {HTMLElement} */ (document.getElementById("sidebar"));
const topbarTenant = /** @type {HTMLElement} */ (document.getElementById("topbar-tenant"));
const topbarActions = /** @type {HTMLElement} */ (document.getElementById("topbar-actions"));

const SCREENS = [
  { id: "overview", label: "Overview", icon: "◎" },
  { id: "findings", label: "Findings", icon: "☰" },
  { id: "licensing", label: "Licensing & cost", icon: "¤" },
  { id: "plan", label: "Plan", icon: "✓" },
  { id: "export", label: "Export", icon: "⇩" },
];

/** Screens that need no assessment on screen. */
const TOOLS = [
  { id: "history", label: "History", icon: "↺" },
  { id: "portfolio", label: "Portfolio", icon: "▦" },
  { id: "settings", label: "Settings", icon: "⚙" },
];

const CATEGORY_LABEL = /** @type {Record<string, string>} */ ({
  licensing: "Licensing",
  privileged_accounts: "Privileged accounts",
  pim_assignments: "PIM assignments",
  pim_role_settings: "PIM role settings",
  conditional_access: "Conditional Access",
});

// ---------------------------------------------------------------- shell

/** @param {string} screen */
function go(screen) {
  state.screen = screen;
  render();
  main.focus({ preventScroll: true });
  main.scrollTop = 0;
}

function render() {
  renderChrome();
  const renderers = /** @type {Record<string, () => HTMLElement>} */ ({
    connect: connectScreen,
    overview: overviewScreen,
    findings: findingsScreen,
    licensing: licensingScreen,
    plan: planScreen,
    export: exportScreen,
    history: historyScreen,
    portfolio: portfolioScreen,
    settings: settingsScreen,
  });
  const needsAssessment = !["connect", ...TOOLS.map((t) => t.id)].includes(state.screen);
  if (needsAssessment && !state.assessment) state.screen = "connect";
  replace(main, (renderers[state.screen] ?? connectScreen)());
}

function renderChrome() {
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
    h("div", { class: "nav-foot muted" }, "Read-only: PIM Ready never changes your tenant."));
}

/** @type {number | undefined} */
let toastTimer;
/**
 * @param {string} message
 * @param {"info"|"error"} [tone]
 */
function toast(message, tone = "info") {
  const el = /** @type {HTMLElement} */ (document.getElementById("toast"));
  el.textContent = message;
  el.dataset.tone = tone;
  el.classList.add("visible");
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el.classList.remove("visible"), 4500);
}

/**
 * A designed error state; the action depends on the error's kind only.
 * @param {AppError} error
 * @param {string} title
 */
function errorPanel(error, title) {
  const advice = /** @type {Record<string, string>} */ ({
    sign_in_required: "Sign in again, or try the demo tenant.",
    consent_required: "An administrator must grant PIM Ready's read permissions to the tenant first.",
    network: "Check the network connection and try again.",
    not_licensed: "This tenant lacks the licence the operation needs.",
    permission_denied: "Your account lacks a role this needs (Global Reader is enough).",
    io: "Check that the folder exists and that you can write to it.",
    invalid_input: "Check what you entered.",
    cancelled: "Nothing was changed.",
    internal: "This is a bug in PIM Ready; please report it with the message above.",
  });
  return h("div", { class: "panel error-panel", role: "alert" },
    h("h2", {}, title),
    h("p", { class: "error-message" }, error.message),
    h("p", { class: "muted" }, advice[error.kind] ?? ""),
    h("div", { class: "row" },
      h("button", { class: "primary", onclick: () => go("connect") }, "Back to Connect"),
      h("button", { onclick: () => startDemo() }, "Try the demo tenant")));
}

/** @param {string} text */
async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast("Copied to the clipboard.");
  } catch {
    toast("Copying is not allowed here: select the text and press Ctrl+C.", "error");
  }
}

/** @param {string} status */
function statusBadge(status) {
  return h("span", { class: `badge status-${status}` }, STATUS_LABEL[/** @type {import("./findings.js").Status} */ (status)] ?? status);
}
/** @param {string} severity */
function severityBadge(severity) {
  return h("span", { class: `badge sev-${severity}` }, severity[0].toUpperCase() + severity.slice(1));
}

/**
 * @param {string} title
 * @param {string} [subtitle]
 * @param {...HTMLElement} actions
 */
function pageHeader(title, subtitle, ...actions) {
  return h("header", { class: "page-header" },
    h("div", {}, h("h1", { title }, title), subtitle ? h("p", { class: "muted" }, subtitle) : null),
    h("div", { class: "row" }, actions));
}

// ---------------------------------------------------------------- Connect

function connectScreen() {
  const tenants = h("div", { class: "saved-tenants", "aria-busy": "true" }, h("p", { class: "muted" }, "Loading saved tenants…"));
  call("list_tenants").then((list) => {
    tenants.removeAttribute("aria-busy");
    const rows = /** @type {any[]} */ (list);
    if (rows.length === 0) {
      replace(tenants, h("div", { class: "empty" },
        h("p", {}, "No tenants assessed yet."),
        h("p", { class: "muted" }, "Tenants you assess appear here with their last score, so you can follow progress.")));
      return;
    }
    replace(tenants, h("ul", { class: "tenant-list", role: "list" }, rows.map((t) =>
      h("li", {}, h("button", { class: "tenant-row", onclick: () => startSignIn(t.tenant_id, t.cloud, null, "browser") },
        h("span", { class: "tenant-name" }, t.display_name),
        h("span", { class: "muted" }, `${t.cloud} · ${t.account ?? "not signed in"}`),
        h("span", { class: "score-chip" }, t.last_grade ? `${t.last_grade} · ${formatPercent(t.last_score)}` : "—"))))));
  }).catch((e) => replace(tenants, h("p", { class: "error-message", role: "alert" }, asAppError(e).message)));

  const tenantInput = /** @type {HTMLInputElement} */ (h("input", { id: "tenant", name: "tenant", required: true, placeholder: "contoso.com or tenant id", autocomplete: "off", spellcheck: "false" }));
  const cloudSelect = /** @type {HTMLSelectElement} */ (h("select", { id: "cloud", name: "cloud" },
    h("option", { value: "global" }, "Global (commercial)"),
    h("option", { value: "usgov" }, "US Government (GCC High)"),
    h("option", { value: "usgov-dod" }, "US Government (DoD)"),
    h("option", { value: "china" }, "China (21Vianet)")));
  const clientInput = /** @type {HTMLInputElement} */ (h("input", { id: "client-id", name: "client-id", placeholder: "Default: PIM Ready's public client", autocomplete: "off", spellcheck: "false" }));
  const deviceCode = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", id: "use-device-code", name: "use-device-code" }));

  const form = h("form", { class: "panel connect-form", "aria-labelledby": "new-tenant-title", onsubmit: (/** @type {Event} */ e) => {
    e.preventDefault();
    startSignIn(tenantInput.value.trim(), cloudSelect.value, clientInput.value.trim() || null, deviceCode.checked ? "device_code" : "browser");
  } },
  h("h2", { id: "new-tenant-title" }, "Assess a new tenant"),
  h("p", { class: "muted" }, "Sign in with an account that can read the directory (Global Reader is enough). Nothing is changed in the tenant."),
  h("label", { for: "tenant" }, "Tenant domain or id"), tenantInput,
  h("label", { for: "cloud" }, "Cloud"), cloudSelect,
  h("details", {}, h("summary", {}, "Advanced"), h("label", { for: "client-id" }, "Client id (your own app registration)"), clientInput,
    h("div", { class: "check-row" }, deviceCode, h("label", { for: "use-device-code" }, "Sign in with a code on another device (instead of this computer's browser)")),
    h("p", { class: "muted" }, "Before the assessment meeting: sign in and read each dataset once, to see which permission or directory role is missing and what to ask the tenant's admin."),
    h("button", { type: "button", id: "check-access", onclick: () => {
      if (!tenantInput.reportValidity()) return;
      startAccessCheck(tenantInput.value.trim(), cloudSelect.value, clientInput.value.trim() || null, deviceCode.checked ? "device_code" : "browser");
    } }, "Check access")),
  h("div", { class: "row" }, h("button", { class: "primary", type: "submit" }, "Sign in and assess")));

  return h("div", { class: "screen connect" },
    h("section", { class: "hero" },
      h("h1", {}, "How ready is your tenant for just-in-time admin?"),
      h("p", { class: "lead" }, "PIM Ready reads a Microsoft Entra ID tenant, checks 26 Privileged Identity Management controls, works out the licences you need and what they cost, and writes a plan.")),
    h("div", { class: "connect-grid" },
      h("section", { class: "panel demo-card", "aria-labelledby": "demo-title" },
        h("h2", { id: "demo-title" }, "Try the demo tenant"),
        h("p", { class: "muted" }, "Contoso Ltd: a realistic tenant with standing admins, a licence shortfall and a few gaps. No sign-in needed."),
        h("button", { class: "primary big", id: "open-demo", onclick: () => startDemo() }, "Open the demo tenant"),
        h("button", { class: "link", onclick: () => loadSnapshot() }, "Open a saved snapshot…")),
      form),
    h("section", { "aria-labelledby": "saved-title" }, h("h2", { id: "saved-title" }, "Saved tenants"), tenants));
}

// ---------------------------------------------------------------- Sign-in and progress

/**
 * @param {string} title
 * @returns {{ root: HTMLElement, steps: HTMLOListElement, status: HTMLElement, extra: HTMLElement, stop: () => void }}
 */
function progressView(title) {
  const started = Date.now();
  const elapsed = h("span", { class: "elapsed", "aria-label": "Elapsed time" }, "0:00");
  const timer = window.setInterval(() => { elapsed.textContent = formatElapsed(Date.now() - started); }, 500);
  const steps = /** @type {HTMLOListElement} */ (h("ol", { class: "steps", "aria-label": "Collection steps" }));
  const status = h("p", { class: "progress-status", role: "status", "aria-live": "polite" }, "Starting…");
  const extra = h("div", { class: "progress-extra" });
  const root = h("div", { class: "screen progress" },
    h("section", { class: "panel progress-panel", "aria-busy": "true" },
      h("div", { class: "progress-head" }, h("h1", {}, title), elapsed),
      status, extra, steps,
      h("div", { class: "row" }, h("button", { id: "cancel", onclick: () => call("cancel_assessment").catch(() => {}) }, "Cancel"))));
  return { root, steps, status, extra, stop: () => window.clearInterval(timer) };
}

/**
 * @param {ReturnType<typeof progressView>} view
 * @returns {(event: any) => void}
 */
function onProgress(view) {
  return (event) => {
    if (event.event === "step") {
      view.status.textContent = `Reading ${event.data.label} (${event.data.index} of ${event.data.total})`;
      view.steps.append(h("li", { class: "step running", "data-index": event.data.index },
        h("span", { class: "step-icon", "aria-hidden": "true" }), h("span", {}, event.data.label), h("span", { class: "step-count muted" }, "…")));
      view.steps.lastElementChild?.scrollIntoView({ block: "nearest" });
    } else if (event.event === "step_done") {
      const li = view.steps.querySelector(`[data-index="${Number(event.data.index)}"]`);
      if (!li) return;
      li.classList.remove("running");
      li.classList.add(event.data.gap ? "gap" : "done");
      const count = li.querySelector(".step-count");
      if (count) count.textContent = event.data.gap ? event.data.gap : event.data.count === null ? "read" : `${event.data.count} read`;
    } else if (event.event === "evaluating") {
      view.status.textContent = "Evaluating checks, licensing and cost…";
    }
  };
}

async function startDemo() {
  const view = progressView("Assessing the demo tenant");
  state.screen = "progress";
  renderChrome();
  replace(main, view.root);
  try {
    const assessment = await call("open_demo", { onProgress: channel(onProgress(view)) });
    showAssessment(assessment);
  } catch (e) {
    const err = asAppError(e);
    if (err.kind === "cancelled") { toast("Assessment cancelled."); go("connect"); } else replace(main, errorPanel(err, "The assessment could not finish"));
  } finally {
    view.stop();
  }
}

/**
 * @param {string} tenant
 * @param {string} cloud
 * @param {string | null} clientId
 * @param {"browser" | "device_code"} method
 */
async function startSignIn(tenant, cloud, clientId, method) {
  const view = progressView(`Signing in to ${tenant}`);
  state.screen = "progress";
  renderChrome();
  replace(main, view.root);
  /** @param {any} event */
  const onEvent = (event) => {
    switch (event.event) {
      case "code_issued":
        replace(view.extra, h("div", { class: "device-code" },
          h("p", {}, "Open ", h("strong", {}, event.data.verification_uri), " and enter this code:"),
          h("div", { class: "row" }, h("code", { class: "code", id: "device-code" }, event.data.user_code),
            h("button", { onclick: () => copy(event.data.user_code) }, "Copy code"))));
        view.status.textContent = "Waiting for you to enter the code…";
        break;
      case "browser_opened": view.status.textContent = "Your browser opened the Microsoft sign-in page. Finish signing in there."; break;
      case "waiting": view.status.textContent = "Waiting for the sign-in to complete…"; break;
      case "signed_in": view.status.textContent = `Signed in as ${event.data.account}.`; break;
      case "failed": view.status.textContent = event.data.message; break;
    }
  };
  try {
    const signedIn = /** @type {any} */ (await call("sign_in", { request: { tenant, cloud, client_id: clientId, method }, onEvent: channel(onEvent) }));
    const assessment = await call("run_assessment", { tenantId: signedIn.tenant_id, onProgress: channel(onProgress(view)) });
    showAssessment(assessment);
  } catch (e) {
    const err = asAppError(e);
    if (err.kind === "cancelled") { toast("Cancelled."); go("connect"); } else replace(main, errorPanel(err, "Could not assess the tenant"));
  } finally {
    view.stop();
  }
}

/**
 * Advanced > "Check access": sign in, read each dataset once, show what is missing.
 * @param {string} tenant @param {string} cloud @param {string | null} clientId @param {string} method
 */
async function startAccessCheck(tenant, cloud, clientId, method) {
  const view = progressView(`Checking access to ${tenant}`);
  state.screen = "progress";
  renderChrome();
  replace(main, view.root);
  try {
    const signedIn = /** @type {any} */ (await call("sign_in", { request: { tenant, cloud, client_id: clientId, method }, onEvent: channel(() => {}) }));
    view.status.textContent = "Reading each dataset once…";
    const check = /** @type {any} */ (await call("check_access", { tenantId: signedIn.tenant_id }));
    const rows = /** @type {any[]} */ (check.rows);
    replace(main, h("div", { class: "screen access-check" },
      h("section", { class: "panel" },
        h("h1", {}, `Access to ${tenant}`),
        h("p", { class: check.access_missing ? "error-message" : "muted", role: "status" }, check.access_missing
          ? "Some data cannot be read with this sign-in: ask the tenant's admin for what the last column names."
          : "Every read the tenant's licences permit works."),
        h("table", { class: "access-table" },
          h("thead", {}, h("tr", {}, h("th", {}, "Dataset"), h("th", {}, "Readable"), h("th", {}, "Missing"), h("th", {}, "Ask the tenant's admin"))),
          h("tbody", {}, rows.map((r) => h("tr", { class: `access-${r.readable.replace(" ", "-")}` },
            h("td", {}, r.label), h("td", {}, r.readable), h("td", {}, r.missing), h("td", {}, r.ask))))),
        h("div", { class: "row" }, h("button", { class: "primary", onclick: () => go("connect") }, "Back")))));
  } catch (e) {
    const err = asAppError(e);
    if (err.kind === "cancelled") { toast("Cancelled."); go("connect"); } else replace(main, errorPanel(err, "Could not check access"));
  } finally {
    view.stop();
  }
}

async function loadSnapshot() {
  try {
    showAssessment(await call("load_snapshot", { path: null }));
  } catch (e) {
    const err = asAppError(e);
    if (err.kind !== "cancelled") replace(main, errorPanel(err, "The snapshot could not be opened"));
  }
}

/** @param {any} assessment */
function showAssessment(assessment) {
  state.assessment = assessment;
  if (assessment.history_warning) toast(assessment.history_warning, "error");
  state.filter = emptyFilter();
  state.selectedFinding = null;
  state.lastExport = null;
  go("overview");
}

// ---------------------------------------------------------------- Overview

/**
 * @param {number} percent
 * @param {string} grade
 */
function gauge(percent, grade) {
  const r = 80, c = 2 * Math.PI * r, arc = 0.75; // a 270° gauge
  const value = Math.max(0, Math.min(100, percent)) / 100;
  const tone = GRADE_TONE[grade] ?? "warn";
  return svg("svg", { viewBox: "0 0 200 190", class: `gauge tone-${tone}`, role: "img", "aria-label": `Score ${Math.round(percent)} percent, grade ${grade}` },
    svg("circle", { cx: 100, cy: 100, r, class: "gauge-track", "stroke-dasharray": `${c * arc} ${c}`, transform: "rotate(135 100 100)" }),
    svg("circle", { cx: 100, cy: 100, r, class: "gauge-value", "stroke-dasharray": `${c * arc * value} ${c}`, transform: "rotate(135 100 100)" }),
    Object.assign(svg("text", { x: 100, y: 98, class: "gauge-grade", "text-anchor": "middle" }), { textContent: grade }),
    Object.assign(svg("text", { x: 100, y: 130, class: "gauge-percent", "text-anchor": "middle" }), { textContent: formatPercent(percent) }));
}

function overviewScreen() {
  const a = state.assessment;
  const lic = a.licensing;
  const counts = countByStatus(a.checks);
  const risks = topRisks(a.checks, 5);
  const verdictTone = !lic.pim_capable ? "bad" : lic.seats.shortfall > 0 ? "warn" : "good";
  const verdict = !lic.pim_capable ? "PIM is not licensed" : lic.seats.shortfall > 0 ? "PIM licensed, seats short" : "PIM licensed for everyone in scope";
  const paths = lic.sources.filter((/** @type {any} */ s) => s.counted && s.plans.some((/** @type {string} */ p) => p !== "AAD_PREMIUM")).map((/** @type {any} */ s) => s.product_name);
  const recommended = a.cost.options.find((/** @type {any} */ o) => o.recommended);

  return h("div", { class: "screen overview" },
    pageHeader(a.tenant.display_name, `${a.tenant.default_domain ?? a.tenant.id} · ${a.checks.length} checks · assessed ${formatDate(a.assessed_at)}`,
      h("button", { class: "primary", onclick: () => go("export") }, "Export report")),
    h("div", { class: "overview-grid" },
      h("section", { class: "panel score-card", "aria-labelledby": "score-title" },
        h("h2", { id: "score-title" }, "Readiness score"),
        h("div", { class: "score-body" }, gauge(a.score.percent, a.score.grade),
          h("div", { class: "score-side" },
            h("p", { class: "big-number", id: "score-percent" }, formatPercent(a.score.percent)),
            h("p", {}, "Grade ", h("strong", { id: "score-grade" }, a.score.grade)),
            h("div", { class: "coverage" },
              h("div", { class: "row spread" }, h("span", {}, "Coverage"), h("strong", { id: "score-coverage" }, formatPercent(a.score.coverage))),
              meter(a.score.coverage, "Coverage"),
              h("p", { class: "muted small" }, a.score.coverage < 100 ? "Some checks could not be read; they are left out of the score." : "Every check could be assessed.")))),
        h("ul", { class: "status-summary", role: "list" },
          STATUSES.filter((s) => counts[s] > 0).map((s) => h("li", {}, h("button", { class: "link", onclick: () => { state.filter = { ...emptyFilter(), statuses: [s] }; go("findings"); } },
            statusBadge(s), ` ${counts[s]}`))))),
      h("section", { class: `panel verdict-card tone-${verdictTone}`, "aria-labelledby": "verdict-title" },
        h("h2", { id: "verdict-title" }, "Licence verdict"),
        h("p", { class: "verdict", id: "licence-verdict" }, verdict),
        h("dl", { class: "facts" },
          h("dt", {}, "Path"), h("dd", {}, paths.length ? paths.join(", ") : "None: no Entra ID P2 or Governance"),
          h("dt", {}, "Seats available"), h("dd", {}, String(lic.seats.available)),
          h("dt", {}, "Users in PIM scope"), h("dd", {}, String(lic.seats.in_scope)),
          h("dt", {}, "Shortfall"), h("dd", { class: lic.seats.shortfall > 0 ? "bad-text" : "" }, String(lic.seats.shortfall))),
        h("p", { class: "small" }, a.cost.recommendation),
        recommended ? h("p", { class: "muted small" }, `Recommended: ${recommended.name}, ${formatMoney(recommended.annual, a.cost.currency)} a year.`) : null,
        h("button", { class: "link", onclick: () => go("licensing") }, "Licensing & cost →")),
      h("section", { class: "panel headline-card", "aria-labelledby": "headline-title" },
        h("h2", { id: "headline-title" }, "Privileged access today"),
        h("div", { class: "stats" },
          stat(a.headline.standing_admins, "standing admins", a.headline.standing_admins > 0 ? "bad" : "good"),
          stat(a.headline.eligible_admins, "eligible admins", "neutral"),
          stat(a.headline.global_admins, "Global Administrators", a.headline.global_admins > 4 ? "warn" : "good"),
          stat(a.headline.emergency_accounts, "emergency accounts", a.headline.emergency_accounts === 2 ? "good" : "warn"))),
      h("section", { class: "panel risks-card", "aria-labelledby": "risks-title" },
        h("h2", { id: "risks-title" }, "Top risks"),
        risks.length === 0 ? h("p", { class: "empty" }, "No failing checks. Keep watching new assignments.") :
          h("ol", { class: "risk-list" }, risks.map((f) => h("li", {},
            h("button", { class: "risk-row", onclick: () => openFinding(f.id) },
              h("span", { class: "check-id" }, f.id), h("span", { class: "risk-title" }, f.title), severityBadge(f.severity), statusBadge(f.status)))))),
      h("section", { class: "panel categories-card", "aria-labelledby": "cat-title" },
        h("h2", { id: "cat-title" }, "By category"),
        h("ul", { class: "category-list", role: "list" }, a.score.categories.map((/** @type {any} */ c) => h("li", {},
          h("div", { class: "row spread" }, h("span", {}, CATEGORY_LABEL[c.category] ?? c.category), h("span", {}, c.coverage > 0 ? formatPercent(c.percent) : "not assessed")),
          meter(c.percent, CATEGORY_LABEL[c.category] ?? c.category))))),
      a.gaps.length ? h("section", { class: "panel gaps-card", "aria-labelledby": "gaps-title" },
        h("h2", { id: "gaps-title" }, "What could not be read"),
        h("ul", {}, a.gaps.map((/** @type {any} */ g) => h("li", {}, h("strong", {}, g.dataset.replaceAll("_", " ")), `: ${g.detail}`,
          g.missing_scope ? h("span", { class: "muted" }, ` (needs ${g.missing_scope})`) : null)))) : null));
}

/**
 * @param {number} value
 * @param {string} label
 */
function meter(value, label) {
  const bar = h("div", { class: "meter-fill" });
  bar.style.width = `${Math.max(0, Math.min(100, value))}%`;
  return h("div", { class: "meter", role: "meter", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": Math.round(value), "aria-label": label }, bar);
}

/**
 * @param {number} n
 * @param {string} label
 * @param {string} tone
 */
function stat(n, label, tone) {
  return h("div", { class: `stat tone-${tone}` }, h("span", { class: "stat-number" }, String(n)), h("span", { class: "stat-label" }, label));
}

/** @param {string} id */
function openFinding(id) {
  state.filter = emptyFilter();
  state.selectedFinding = id;
  go("findings");
}

// ---------------------------------------------------------------- Findings

function findingsScreen() {
  const a = state.assessment;
  const list = h("div", { class: "finding-list", role: "listbox", "aria-label": "Findings", tabindex: 0 });
  const detail = h("section", { class: "panel finding-detail", "aria-live": "polite" });
  const counter = h("span", { class: "muted", id: "findings-count" });

  const refresh = () => {
    const shown = sortForList(filterFindings(a.checks, state.filter));
    counter.textContent = `${shown.length} of ${a.checks.length} checks`;
    if (!shown.some((f) => f.id === state.selectedFinding)) state.selectedFinding = shown[0]?.id ?? null;
    replace(list, shown.length === 0
      ? h("div", { class: "empty" }, h("p", {}, "No check matches these filters."), h("button", { onclick: () => { state.filter = emptyFilter(); render(); } }, "Clear filters"))
      : shown.map((f) => h("div", {
        class: "finding-row", role: "option", id: `finding-${f.id}`, "data-id": f.id, "data-status": f.status,
        "aria-selected": f.id === state.selectedFinding ? "true" : "false",
        onclick: () => { state.selectedFinding = f.id; refresh(); },
      }, h("span", { class: "check-id" }, f.id), h("span", { class: "finding-title", title: f.title }, f.title), severityBadge(f.severity), statusBadge(f.status))));
    list.setAttribute("aria-activedescendant", state.selectedFinding ? `finding-${state.selectedFinding}` : "");
    const selected = a.checks.find((/** @type {any} */ f) => f.id === state.selectedFinding);
    replace(detail, selected ? findingDetail(selected) : h("p", { class: "empty" }, "Select a check to see its evidence and how to fix it."));
  };

  list.addEventListener("keydown", (e) => {
    const ev = /** @type {KeyboardEvent} */ (e);
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
    ev.preventDefault();
    const ids = [...list.querySelectorAll("[data-id]")].map((el) => /** @type {HTMLElement} */ (el).dataset.id);
    const i = ids.indexOf(state.selectedFinding ?? "");
    const next = ids[Math.max(0, Math.min(ids.length - 1, i + (ev.key === "ArrowDown" ? 1 : -1)))];
    if (next) { state.selectedFinding = next; refresh(); list.querySelector(`[data-id="${next}"]`)?.scrollIntoView({ block: "nearest" }); }
  });

  const counts = countByStatus(a.checks);
  const chips = h("div", { class: "chips", role: "group", "aria-label": "Filter by status" }, STATUSES.map((s) => {
    const pressed = state.filter.statuses.includes(s);
    return h("button", {
      class: `chip status-${s}`, "aria-pressed": pressed ? "true" : "false", "data-status": s, disabled: counts[s] === 0,
      onclick: () => {
        state.filter.statuses = pressed ? state.filter.statuses.filter((x) => x !== s) : [...state.filter.statuses, s];
        render();
      },
    }, `${STATUS_LABEL[s]} ${counts[s]}`);
  }));
  const severity = /** @type {HTMLSelectElement} */ (h("select", { id: "filter-severity", "aria-label": "Severity", onchange: () => { state.filter.severity = /** @type {any} */ (severity.value); refresh(); } },
    h("option", { value: "" }, "All severities"), SEVERITIES.map((s) => h("option", { value: s }, s[0].toUpperCase() + s.slice(1)))));
  severity.value = state.filter.severity;
  const category = /** @type {HTMLSelectElement} */ (h("select", { id: "filter-category", "aria-label": "Category", onchange: () => { state.filter.category = category.value; refresh(); } },
    h("option", { value: "" }, "All categories"), Object.entries(CATEGORY_LABEL).map(([k, v]) => h("option", { value: k }, v))));
  category.value = state.filter.category;
  const search = /** @type {HTMLInputElement} */ (h("input", { type: "search", id: "filter-text", placeholder: "Search id, title…", "aria-label": "Search checks", value: state.filter.text,
    oninput: () => { state.filter.text = search.value; refresh(); } }));

  refresh();
  return h("div", { class: "screen findings" },
    pageHeader("Findings", undefined, counter),
    h("div", { class: "filters" }, chips, h("div", { class: "row" }, severity, category, search)),
    h("div", { class: "findings-split" }, list, detail));
}

/** @param {any} f */
function findingDetail(f) {
  const mask = state.settings?.settings.branding.mask_names ? pseudonymizer() : null;
  return h("article", { "aria-labelledby": "detail-title" },
    h("div", { class: "row detail-badges" }, h("span", { class: "check-id" }, f.id), severityBadge(f.severity), statusBadge(f.status), h("span", { class: "muted small" }, `${f.category_label} · licence: ${f.minimum_licence}`)),
    h("h2", { id: "detail-title" }, f.title),
    h("p", { class: "summary" }, f.summary),
    f.missing_data.length ? h("div", { class: "notice" }, h("strong", {}, "Not assessed: "),
      f.missing_data.map((/** @type {any} */ m) => h("span", {}, m.detail, m.missing_scope ? ` Missing permission: ${m.missing_scope}.` : ""))) : null,
    h("h3", {}, "Why it matters"), h("p", {}, f.rationale),
    f.evidence.length ? [h("h3", {}, `Evidence (${f.evidence.length})`), evidenceTable(f.evidence, mask)] : null,
    h("h3", {}, "How to fix it"),
    h("ol", { class: "remediation-steps" }, f.remediation.steps.map((/** @type {string} */ s) => h("li", {}, s))),
    h("p", { class: "small" }, h("span", { class: "muted" }, "In the Entra admin center: "), f.remediation.portal_path),
    h("div", { class: "code-block" },
      h("div", { class: "code-head" }, h("span", {}, "Microsoft Graph PowerShell"), h("button", { class: "small-button", onclick: () => copy(f.remediation.powershell), "aria-label": `Copy the PowerShell for ${f.id}` }, "Copy")),
      h("pre", { tabindex: 0 }, h("code", {}, f.remediation.powershell))),
    f.references.length ? [h("h3", {}, "References"), h("ul", { class: "references" }, f.references.map((/** @type {any} */ r) =>
      h("li", {}, r.url ? h("button", { class: "link", onclick: () => call("open_reference", { url: r.url }).catch((e) => toast(asAppError(e).message, "error")) }, r.label) : r.label)))] : null);
}

/**
 * @param {any[]} evidence
 * @param {((name: string) => string) | null} mask
 */
function evidenceTable(evidence, mask) {
  const when = (/** @type {any} */ e) => e.start ? `${formatDate(e.start)}${e.end ? ` → ${formatDate(e.end)}` : ""}` : "";
  return h("div", { class: "table-wrap" }, h("table", { class: "evidence" },
    h("thead", {}, h("tr", {}, ["Name", "Account / id", "Role", "Assignment", "Since", "Detail"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, evidence.map((e) => h("tr", {},
      h("td", { class: "clip", title: e.display_name }, mask ? mask(e.display_name) : e.display_name),
      h("td", { class: "clip mono", title: e.principal_name ?? "" }, e.principal_name ? (mask ? maskUpn(e.principal_name) : e.principal_name) : ""),
      h("td", {}, e.role ?? ""), h("td", {}, e.assignment_type ?? ""), h("td", { class: "nowrap" }, when(e)), h("td", {}, e.detail))))));
}

// ---------------------------------------------------------------- Licensing & cost

function licensingScreen() {
  const a = state.assessment;
  const currency = a.cost.currency;
  const overrides = state.settings?.settings.price_overrides ?? {};
  // Nothing to buy: seats and totals would all be zero, so only the list prices are shown.
  const covered = Boolean(a.cost.covered);
  /** @type {number | undefined} */
  let saveTimer;

  const rows = a.cost.options.map((/** @type {any} */ o) => {
    const initial = overrides[o.path] ?? unitPrice(o);
    const monthlyCell = h("td", { class: "num" });
    const annualCell = h("td", { class: "num strong" });
    const input = /** @type {HTMLInputElement} */ (h("input", { class: "price-input", inputmode: "decimal", value: initial.toFixed(2), "aria-label": `Price per user per month for ${o.name}` }));
    const update = () => {
      const price = parsePrice(input.value);
      input.setAttribute("aria-invalid", price === null ? "true" : "false");
      const t = costTotals(o.seats, price ?? 0);
      monthlyCell.textContent = formatMoney(t.monthly, currency);
      annualCell.textContent = formatMoney(t.annual, currency);
      return price;
    };
    input.addEventListener("input", () => {
      const price = update();
      if (price === null || !state.settings) return;
      clearTimeout(saveTimer);
      saveTimer = window.setTimeout(() => savePriceOverride(o.path, price), 600);
    });
    update();
    return h("tr", { class: o.recommended ? "recommended" : !o.available ? "unavailable" : "" },
      h("th", { scope: "row" }, o.name, o.recommended ? h("span", { class: "badge status-pass" }, "Recommended") : null, h("div", { class: "muted small" }, o.includes)),
      h("td", { class: "small" }, o.available ? o.reason : h("span", { class: "muted" }, o.reason)),
      covered ? null : h("td", { class: "num" }, String(o.seats)),
      h("td", { class: "num" }, input), covered ? null : monthlyCell, covered ? null : annualCell);
  });
  const columns = covered ? ["Option", "Fit", "Per user / month"] : ["Option", "Fit", "Seats", "Per user / month", "Monthly", "Annual"];

  return h("div", { class: "screen licensing" },
    pageHeader("Licensing & cost", `Prices in ${currency}, list prices checked on ${a.cost.prices_checked_on}. Edit a price to use your own agreement; it is saved to your price book.`),
    h("section", { class: "panel" },
      h("h2", { id: "cost-title" }, covered ? "Other licensing paths, for reference" : "Options to cover the shortfall"),
      h("p", {}, a.cost.recommendation),
      h("div", { class: "table-wrap" }, h("table", { class: "cost-table", "aria-labelledby": "cost-title" },
        h("thead", {}, h("tr", {}, columns.map((c, i) => h("th", { scope: "col", class: i >= 2 ? "num" : "" }, c)))),
        h("tbody", {}, rows)))),
    h("section", { class: "panel" },
      h("h2", {}, "Licences in the tenant"),
      h("p", { class: "muted" }, `${a.licensing.seats.available} PIM seats available for ${a.licensing.seats.in_scope} users in PIM scope (shortfall ${a.licensing.seats.shortfall}).`),
      h("div", { class: "table-wrap" }, h("table", {},
        h("thead", {}, h("tr", {}, ["Product", "SKU", "Entra plans", "Status", "Enabled", "Consumed", "Counts for PIM"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, a.licensing.sources.map((/** @type {any} */ s) => h("tr", {},
          h("th", { scope: "row" }, s.product_name), h("td", { class: "mono small" }, s.sku_part_number),
          h("td", { class: "small" }, s.plans.join(", ")), h("td", {}, s.capability_status),
          h("td", { class: "num" }, String(s.enabled_units)), h("td", { class: "num" }, String(s.consumed_units)),
          h("td", {}, s.counted && s.plans.some((/** @type {string} */ p) => p !== "AAD_PREMIUM") ? "Yes" : "No"))))))));
}

/**
 * @param {string} path
 * @param {number} price
 */
async function savePriceOverride(path, price) {
  const settings = structuredClone(state.settings.settings);
  settings.price_overrides[path] = price;
  try {
    state.settings = await call("save_settings", { settings });
    toast("Price saved to your price book.");
  } catch (e) {
    toast(asAppError(e).message, "error");
  }
}

// ---------------------------------------------------------------- Plan

/** @type {Record<string, Record<string, boolean>>} */
const planDone = {};

function planScreen() {
  const a = state.assessment;
  // Ticks live for the session (per tenant); the plan itself is in the exported report.
  const done = (planDone[a.tenant.id] ??= {});
  const progress = h("span", { class: "muted" });
  const updateProgress = () => { progress.textContent = `${Object.values(done).filter(Boolean).length} of ${a.plan.length} steps done`; };
  updateProgress();
  if (a.plan.length === 0) {
    return h("div", { class: "screen plan" }, pageHeader("Readiness plan"), h("div", { class: "panel empty" }, h("p", {}, "Ready: nothing to fix. Keep watching new assignments and role settings.")));
  }
  return h("div", { class: "screen plan" },
    pageHeader("Readiness plan", "Work through the steps in order; each names the checks it fixes.", progress),
    h("ol", { class: "plan-list" }, a.plan.map((/** @type {any} */ step) => {
      const id = `plan-step-${step.order}`;
      const box = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", id, checked: Boolean(done[step.order]),
        onchange: () => { done[step.order] = box.checked; li.classList.toggle("done", box.checked); updateProgress(); } }));
      const li = h("li", { class: `panel plan-step${done[step.order] ? " done" : ""}` },
        h("div", { class: "plan-head" }, box, h("label", { for: id }, h("span", { class: "plan-order" }, String(step.order)), step.title)),
        h("p", {}, step.detail),
        h("p", { class: "small" }, "Fixes ", step.checks.map((/** @type {string} */ c) => h("button", { class: "check-id link", onclick: () => openFinding(c) }, c))),
        step.items.length ? h("div", { class: "table-wrap" }, h("table", { class: "compact" },
          h("thead", {}, h("tr", {}, ["Object", "Account", "Role", "Since", "Action"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, step.items.map((/** @type {any} */ it) => h("tr", {},
            h("td", { class: "clip", title: it.object }, it.object), h("td", { class: "clip mono small" }, it.principal_name ?? ""),
            h("td", {}, it.role ?? ""), h("td", { class: "nowrap" }, it.since ? formatDate(it.since) : ""), h("td", {}, it.action)))))) : null);
      return li;
    })));
}

// ---------------------------------------------------------------- Export

function exportScreen() {
  const a = state.assessment;
  const branding = structuredClone(state.settings?.settings.branding ?? { consultant_name: "", client_display_name: "", logo_path: null, mask_names: false });
  const preview = h("div", { class: "cover-preview", "aria-label": "Cover preview", role: "img" });
  const drawPreview = () => {
    const c = coverModel(a, branding);
    preview.setAttribute("aria-label", `Cover preview: ${c.title}, ${c.client}, grade ${c.grade}`);
    replace(preview,
      h("div", { class: "cover-band" }, h("img", { src: "assets/logo.svg", alt: "", width: 28, height: 28 }), h("span", {}, "PIM Ready")),
      h("p", { class: "cover-kicker" }, c.title),
      h("p", { class: "cover-client" }, c.client),
      h("p", { class: "cover-tenant" }, c.tenantLine),
      h("div", { class: `cover-grade tone-${GRADE_TONE[c.grade] ?? "warn"}` }, h("span", {}, c.grade), h("small", {}, `${formatPercent(c.percent)} · coverage ${formatPercent(c.coverage)}`)),
      h("p", { class: "cover-foot" }, c.preparedBy || "\u00a0", h("br", {}), formatDate(a.assessed_at)));
  };
  drawPreview();

  /** @type {number | undefined} */
  let saveTimer;
  const persist = () => {
    drawPreview();
    if (!state.settings) return;
    clearTimeout(saveTimer);
    saveTimer = window.setTimeout(async () => {
      const settings = { ...structuredClone(state.settings.settings), branding };
      try { state.settings = await call("save_settings", { settings }); } catch (e) { toast(asAppError(e).message, "error"); }
    }, 500);
  };
  const consultant = /** @type {HTMLInputElement} */ (h("input", { id: "consultant", value: branding.consultant_name, maxlength: 120, oninput: () => { branding.consultant_name = consultant.value; persist(); } }));
  const client = /** @type {HTMLInputElement} */ (h("input", { id: "client-name", value: branding.client_display_name, maxlength: 120, placeholder: a.tenant.display_name, oninput: () => { branding.client_display_name = client.value; persist(); } }));
  const mask = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", id: "mask-names", checked: branding.mask_names, onchange: () => { branding.mask_names = mask.checked; persist(); } }));

  const result = h("div", { class: "export-result", "aria-live": "polite" });
  const showResult = () => replace(result, state.lastExport ? h("div", { class: "notice ok" },
    h("p", {}, "Saved ", h("span", { class: "mono", id: "export-path" }, state.lastExport.path)),
    h("button", { onclick: () => call("show_in_folder", { path: state.lastExport?.path }).catch((e) => toast(asAppError(e).message, "error")) }, "Show in folder")) : []);
  showResult();
  /** @param {"reports_folder" | "save_as"} destination */
  const run = async (destination) => {
    replace(result, h("p", { class: "muted", role: "status" }, "Writing the report…"));
    try {
      state.lastExport = await call("export_report", { format: state.exportFormat, destination });
      showResult();
      toast("Report saved.");
    } catch (e) {
      const err = asAppError(e);
      if (err.kind === "cancelled") showResult();
      else replace(result, h("div", { class: "notice bad", role: "alert" }, err.message));
    }
  };

  const formats = h("div", { class: "segmented", role: "radiogroup", "aria-label": "Format" }, /** @type {const} */ (["pdf", "json", "csv"]).map((f) => {
    const id = `format-${f}`;
    return h("label", { for: id, class: "segment" },
      h("input", { type: "radio", name: "format", id, value: f, checked: state.exportFormat === f, onchange: () => { state.exportFormat = f; } }),
      h("span", {}, f.toUpperCase()));
  }));

  return h("div", { class: "screen export" },
    pageHeader("Export the report", "A PDF for people, JSON and CSV for other tools."),
    h("div", { class: "export-grid" },
      h("section", { class: "panel" },
        h("h2", {}, "Format"), formats,
        h("p", { class: "muted small" }, "Reports folder: ", h("span", { class: "mono" }, state.settings?.reports_folder ?? "…")),
        h("div", { class: "row" },
          h("button", { class: "primary", id: "export-to-folder", onclick: () => run("reports_folder") }, "Export to reports folder"),
          h("button", { id: "export-save-as", onclick: () => run("save_as") }, "Save as…")),
        result,
        h("h2", {}, "Branding"),
        h("label", { for: "consultant" }, "Prepared by (consultant or company)"), consultant,
        h("label", { for: "client-name" }, "Client name on the cover"), client,
        h("div", { class: "check-row" }, mask, h("label", { for: "mask-names" }, "Mask names (people become “Person 1”, accounts are shortened)"))),
      h("section", { class: "panel preview-panel", "aria-labelledby": "preview-title" }, h("h2", { id: "preview-title" }, "Cover preview"), preview)));
}

// ---------------------------------------------------------------- History

function historyScreen() {
  const body = h("div", { class: "history-body", "aria-busy": "true" }, h("p", { class: "muted", role: "status" }, "Loading the history…"));
  const subtitle = h("p", { class: "muted" }, "Every assessment of a real tenant is kept on this computer.");
  const load = async () => {
    try {
      const all = /** @type {any} */ (await call("list_history", { tenantId: null }));
      body.removeAttribute("aria-busy");
      subtitle.textContent = `Every assessment of a real tenant is kept on this computer, in ${all.path}.`;
      if (all.tenants.length === 0) {
        replace(body, h("div", { class: "panel empty" },
          h("p", {}, "No assessments stored yet."),
          h("p", { class: "muted" }, "Each assessment of a tenant you sign in to is kept here, so you can follow its score and compare any two. The demo tenant is not kept."),
          h("button", { class: "primary", onclick: () => go("connect") }, "Assess a tenant")));
        return;
      }
      const current = state.assessment?.tenant.id;
      const known = (/** @type {string | null} */ id) => all.tenants.some((/** @type {any} */ t) => t.tenant_id === id);
      if (!known(state.historyTenant)) state.historyTenant = known(current) ? current : all.tenants[0].tenant_id;
      const tenant = all.tenants.find((/** @type {any} */ t) => t.tenant_id === state.historyTenant);
      const rows = all.assessments.filter((/** @type {any} */ r) => r.tenant_id === state.historyTenant);
      state.compare = state.compare.filter((id) => rows.some((/** @type {any} */ r) => r.id === id));
      replace(body, h("div", { class: "history-split" },
        h("nav", { class: "panel history-tenants", "aria-label": "Stored tenants" },
          h("h2", {}, "Tenants"),
          h("ul", { class: "plain-list", role: "list" }, all.tenants.map((/** @type {any} */ t) => {
            const latest = all.assessments.find((/** @type {any} */ r) => r.tenant_id === t.tenant_id);
            return h("li", {}, h("button", {
              class: "tenant-row compact", "aria-current": t.tenant_id === state.historyTenant ? "true" : false, "data-tenant": t.tenant_id,
              onclick: () => { state.historyTenant = t.tenant_id; state.compare = []; render(); },
            }, h("span", { class: "tenant-name", title: t.display_name }, t.display_name),
            h("span", { class: "muted small" }, t.default_domain ?? t.tenant_id),
            h("span", { class: "score-chip" }, latest ? `${latest.grade} · ${formatPercent(latest.score_percent)}` : "—")));
          }))),
        tenantHistory(tenant, rows)));
    } catch (e) {
      body.removeAttribute("aria-busy");
      replace(body, h("div", { class: "panel error-panel", role: "alert" },
        h("h2", {}, "The history could not be read"),
        h("p", { class: "error-message" }, asAppError(e).message),
        h("p", { class: "muted" }, "Nothing was changed or deleted. Assessments still work; they are shown but not kept until the history file is readable again.")));
    }
  };
  load();
  return h("div", { class: "screen history" }, h("header", { class: "page-header" }, h("div", {}, h("h1", {}, "History"), subtitle)), body);
}

/**
 * @param {any} tenant
 * @param {any[]} rows  newest first
 */
function tenantHistory(tenant, rows) {
  const diffPanel = h("div", { class: "diff-panel", "aria-live": "polite" });
  const compareButton = /** @type {HTMLButtonElement} */ (h("button", { id: "compare", class: "primary", onclick: () => showDiff() }, "Compare the two selected"));
  const syncCompare = () => {
    compareButton.disabled = state.compare.length !== 2;
    compareButton.textContent = state.compare.length === 2 ? "Compare the two selected" : `Select two to compare (${state.compare.length} of 2)`;
  };
  const showDiff = async () => {
    if (state.compare.length !== 2) return;
    replace(diffPanel, h("p", { class: "muted", role: "status" }, "Comparing…"));
    try {
      const d = await call("compare_assessments", { first: state.compare[0], second: state.compare[1] });
      replace(diffPanel, diffView(d));
    } catch (e) {
      replace(diffPanel, h("p", { class: "error-message", role: "alert" }, asAppError(e).message));
    }
  };
  const table = h("div", { class: "table-wrap" }, h("table", { class: "history-table" },
    h("caption", { class: "sr-only" }, `Assessments of ${tenant.display_name}, newest first`),
    h("thead", {}, h("tr", {}, ["Compare", "Assessed", "Score", "Grade", "Coverage", "Standing admins", "Version", ""].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((r) => {
      const box = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "compare-box", "data-id": r.id, checked: state.compare.includes(r.id), "aria-label": `Compare the assessment of ${formatDateTime(r.assessed_at)}` }));
      box.addEventListener("change", () => {
        state.compare = toggleCompare(state.compare, r.id);
        for (const other of table.querySelectorAll(".compare-box")) {
          const el = /** @type {HTMLInputElement} */ (other);
          el.checked = state.compare.includes(Number(el.dataset.id));
        }
        syncCompare();
      });
      return h("tr", { "data-id": r.id },
        h("td", {}, box),
        h("td", { class: "nowrap" }, formatDateTime(r.assessed_at)),
        h("td", { class: "num" }, formatPercent(r.score_percent)),
        h("td", {}, h("span", { class: `grade-chip tone-${GRADE_TONE[r.grade] ?? "warn"}` }, r.grade)),
        h("td", { class: "num" }, formatPercent(r.coverage)),
        h("td", { class: "num" }, String(r.standing_admins)),
        h("td", { class: "muted small" }, r.tool_version),
        h("td", {}, h("button", { class: "small-button open-stored", onclick: () => openStored(r.id) }, "Open")));
    }))));
  syncCompare();

  const forget = h("div", { class: "row" });
  const askForget = () => replace(forget,
    h("p", { class: "bad-text", role: "alert" }, `Delete ${rows.length} stored assessment${rows.length === 1 ? "" : "s"} of ${tenant.display_name} and its saved sign-in? Reports you exported stay where they are.`),
    h("button", { class: "danger", id: "forget-confirm", onclick: async () => {
      try {
        const gone = /** @type {any} */ (await call("forget_tenant", { tenantId: tenant.tenant_id }));
        if (state.assessment?.tenant.id === tenant.tenant_id) state.assessment = null;
        state.historyTenant = null;
        toast(`Forgot ${tenant.display_name}: ${gone.assessments} assessment(s) and ${gone.sign_ins} saved sign-in(s) deleted.`);
        render();
      } catch (e) {
        toast(asAppError(e).message, "error");
      }
    } }, "Delete"),
    h("button", { onclick: () => replace(forget, forgetButton()) }, "Keep"));
  const forgetButton = () => h("button", { class: "link danger-link", id: "forget", onclick: askForget }, "Forget this tenant…");
  replace(forget, forgetButton());

  return h("div", { class: "history-main" },
    h("section", { class: "panel", "aria-labelledby": "trend-title" },
      h("div", { class: "row spread" }, h("h2", { id: "trend-title", title: tenant.display_name }, `${tenant.display_name}: score over time`), h("span", { class: "muted small" }, tenant.default_domain ?? tenant.tenant_id)),
      trendSvg(rows)),
    h("section", { class: "panel", "aria-labelledby": "assessments-title" },
      h("div", { class: "row spread" }, h("h2", { id: "assessments-title" }, `Assessments (${rows.length})`), compareButton),
      table, diffPanel),
    forget);
}

/** @param {any[]} rows */
function trendSvg(rows) {
  const width = 640, height = 180;
  const chart = trendChart(rows, width, height);
  const caption = trendSummary(rows);
  return h("figure", { class: "trend" },
    svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "trend-chart", role: "img", "aria-label": caption, preserveAspectRatio: "none" },
      ...chart.gridY.map((g) => svg("line", { x1: chart.x0, x2: chart.x1, y1: g.y, y2: g.y, class: "trend-grid" })),
      ...chart.gridY.map((g) => Object.assign(svg("text", { x: chart.x0 - 6, y: g.y + 4, class: "trend-axis", "text-anchor": "end" }), { textContent: `${g.value}` })),
      svg("path", { d: chart.path, class: "trend-line" }),
      ...chart.points.map((p) => svg("circle", { cx: p.x, cy: p.y, r: 4.5, class: `trend-point tone-${GRADE_TONE[p.grade] ?? "warn"}` },
        Object.assign(svg("title", {}), { textContent: `${formatDateTime(p.assessed_at)}: ${formatPercent(p.percent)} (${p.grade})` })))),
    h("figcaption", { class: "muted small", id: "trend-caption" }, caption));
}

/** @param {any} d */
function diffView(d) {
  const m = diffRows(d);
  const rowsTable = (/** @type {import("./history.js").DiffRow[]} */ rows, /** @type {string} */ caption) => h("table", { class: "diff-table" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), h("th", { scope: "col" }, formatDateTime(d.assessed_at.from)), h("th", { scope: "col" }, formatDateTime(d.assessed_at.to)))),
    h("tbody", {}, rows.map((r) => h("tr", { class: `tone-${r.tone}` }, h("th", { scope: "row" }, r.label), h("td", {}, r.from), h("td", { class: "strong" }, r.to)))));
  return h("article", { class: "diff", id: "diff" },
    h("h3", {}, `What changed from ${formatDateTime(d.assessed_at.from)} to ${formatDateTime(d.assessed_at.to)}`),
    m.empty ? h("p", { class: "empty" }, "Nothing changed between these two assessments.") : null,
    rowsTable(m.headline, "Headline"),
    m.checks.length ? rowsTable(m.checks, `Checks that changed (${m.checks.length})`) : h("p", { class: "muted" }, "No check changed status."),
    m.licensing.length ? rowsTable(m.licensing, "Licensing") : null,
    !m.comparedAdmins ? h("p", { class: "muted small" }, "Standing admins could not be compared: one of the two assessments could not read them.") : null,
    m.added.length ? [h("h4", {}, `New standing admins (${m.added.length})`), h("ul", {}, m.added.map((x) => h("li", { class: "bad-text" }, x)))] : null,
    m.removed.length ? [h("h4", {}, `No longer standing admins (${m.removed.length})`), h("ul", {}, m.removed.map((x) => h("li", { class: "good-text" }, x)))] : null);
}

/** @param {number} id */
async function openStored(id) {
  try {
    showAssessment(await call("open_stored_assessment", { id }));
  } catch (e) {
    toast(asAppError(e).message, "error");
  }
}

// ---------------------------------------------------------------- Portfolio

function portfolioScreen() {
  const body = h("div", { "aria-busy": "true" }, h("p", { class: "muted", role: "status" }, "Loading the portfolio…"));
  const result = h("div", { class: "export-result", "aria-live": "polite" });
  const exportAs = async (/** @type {"pdf" | "csv"} */ format) => {
    replace(result, h("p", { class: "muted", role: "status" }, `Writing the portfolio ${format.toUpperCase()}…`));
    try {
      const done = /** @type {any} */ (await call("export_portfolio", { format, destination: "reports_folder" }));
      replace(result, h("div", { class: "notice ok" },
        h("p", {}, "Saved ", h("span", { class: "mono", id: "portfolio-path" }, done.path)),
        h("button", { class: "small-button", onclick: () => call("show_in_folder", { path: done.path }).catch((e) => toast(asAppError(e).message, "error")) }, "Show in folder")));
    } catch (e) {
      replace(result, h("p", { class: "error-message", role: "alert" }, asAppError(e).message));
    }
  };
  call("list_portfolio").then((list) => {
    body.removeAttribute("aria-busy");
    const rows = /** @type {any[]} */ (list);
    if (rows.length === 0) {
      replace(body, h("div", { class: "panel empty" },
        h("p", {}, "No tenants assessed yet."),
        h("p", { class: "muted" }, "The portfolio shows the latest assessment of every tenant you assess: score, licence path, shortfall, what to buy and the top risk."),
        h("button", { class: "primary", onclick: () => go("connect") }, "Assess a tenant")));
      return;
    }
    replace(body,
      h("section", { class: "panel" },
        h("div", { class: "table-wrap" }, h("table", { class: "portfolio-table" },
          h("caption", { class: "sr-only" }, "The latest assessment of each tenant"),
          h("thead", {}, h("tr", {}, ["Tenant", "Score", "Coverage", "Licence", "Shortfall", "To buy (per month)", "Standing admins", "Top risk"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, rows.map((r) => {
            const s = r.summary;
            if (!s) return h("tr", {}, h("th", { scope: "row" }, r.display_name), h("td", { colspan: 7, class: "bad-text" }, r.failure ?? "not assessed"));
            return h("tr", { "data-tenant": r.tenant },
              h("th", { scope: "row", class: "clip" }, h("button", { class: "link tenant-link", title: `${r.display_name} (${r.tenant})`, onclick: () => openHistoryOf(r.tenant) }, r.display_name),
                h("div", { class: "muted small clip" }, r.tenant)),
              h("td", { class: "nowrap" }, h("span", { class: `grade-chip tone-${GRADE_TONE[s.grade] ?? "warn"}` }, s.grade), ` ${formatPercent(s.score_percent)}`),
              h("td", { class: "num" }, formatPercent(s.coverage)),
              h("td", { class: "clip", title: s.licence_verdict }, s.licence_path ?? "none"),
              h("td", { class: `num ${s.shortfall > 0 ? "bad-text" : ""}` }, String(s.shortfall)),
              h("td", { class: "num" }, s.recommended_option ? `${formatMoney(s.recommended_monthly_cost, s.currency)}` : "—"),
              h("td", { class: "num" }, String(s.standing_admins)),
              h("td", { class: "clip", title: s.top_risk ?? "" }, s.top_risk ?? "none"));
          })))),
        h("div", { class: "row" },
          h("button", { class: "primary", id: "portfolio-pdf", onclick: () => exportAs("pdf") }, "Export portfolio PDF"),
          h("button", { id: "portfolio-csv", onclick: () => exportAs("csv") }, "Export portfolio CSV")),
        result));
  }).catch((e) => {
    body.removeAttribute("aria-busy");
    replace(body, h("div", { class: "panel error-panel", role: "alert" }, h("h2", {}, "The portfolio could not be read"), h("p", { class: "error-message" }, asAppError(e).message)));
  });
  return h("div", { class: "screen portfolio" }, pageHeader("Portfolio", "Every tenant you assessed, by its latest assessment."), body);
}

/** @param {string} tenant default domain or id, as the portfolio names it */
async function openHistoryOf(tenant) {
  try {
    const all = /** @type {any} */ (await call("list_history", { tenantId: null }));
    const t = all.tenants.find((/** @type {any} */ x) => x.default_domain === tenant || x.tenant_id === tenant);
    state.historyTenant = t ? t.tenant_id : null;
    state.compare = [];
    go("history");
  } catch (e) {
    toast(asAppError(e).message, "error");
  }
}

// ---------------------------------------------------------------- Settings

function settingsScreen() {
  if (!state.settings) return h("div", { class: "screen" }, h("p", { role: "status" }, "Loading settings…"));
  const view = state.settings;
  const s = structuredClone(view.settings);
  const lines = (/** @type {string[]} */ xs) => xs.join("\n");
  const parseLines = (/** @type {string} */ t) => t.split(/\r?\n/).map((x) => x.trim()).filter(Boolean);
  const emergency = /** @type {HTMLTextAreaElement} */ (h("textarea", { id: "emergency", rows: 3, spellcheck: "false", placeholder: "bg01@contoso.onmicrosoft.com" }));
  emergency.value = lines(s.assessment.emergency_accounts);
  const roles = /** @type {HTMLTextAreaElement} */ (h("textarea", { id: "extra-roles", rows: 3, spellcheck: "false", placeholder: "Intune Administrator or a role template id" }));
  roles.value = lines(s.assessment.extra_privileged_roles);
  const stale = /** @type {HTMLInputElement} */ (h("input", { id: "stale", type: "number", min: 1, max: 3650, value: s.assessment.stale_after_days }));
  const status = h("p", { role: "status", "aria-live": "polite", class: "muted" });
  const prices = Object.entries(s.price_overrides);

  const save = async (/** @type {Event} */ e) => {
    e.preventDefault();
    s.assessment.emergency_accounts = parseLines(emergency.value);
    s.assessment.extra_privileged_roles = parseLines(roles.value);
    s.assessment.stale_after_days = Number(stale.value);
    try {
      state.settings = await call("save_settings", { settings: s });
      status.textContent = "Saved. New assessments use these settings.";
    } catch (err) {
      status.textContent = asAppError(err).message;
      status.className = "bad-text";
    }
  };

  return h("div", { class: "screen settings" },
    pageHeader("Settings", `Saved in ${view.path}`),
    view.warning ? h("div", { class: "notice bad", role: "alert" }, view.warning) : null,
    h("form", { class: "settings-grid", onsubmit: save },
      h("section", { class: "panel" },
        h("h2", {}, "Assessment"),
        h("label", { for: "emergency" }, "Emergency-access accounts (one UPN per line)"), emergency,
        h("p", { class: "muted small" }, "Designated accounts are excluded from the permanent-assignment checks. Without them PIM Ready guesses, and says so."),
        h("label", { for: "extra-roles" }, "Extra privileged roles (one per line)"), roles,
        h("label", { for: "stale" }, "An admin is stale after this many days without sign-in"), stale),
      h("section", { class: "panel" },
        h("h2", {}, "Reports folder"),
        h("p", { class: "mono", id: "reports-folder" }, view.reports_folder),
        h("button", { type: "button", onclick: async () => {
          try { state.settings = await call("choose_reports_folder"); render(); } catch (err) { if (asAppError(err).kind !== "cancelled") toast(asAppError(err).message, "error"); }
        } }, "Change…"),
        h("h2", {}, "Price book"),
        prices.length === 0 ? h("p", { class: "muted" }, "Using list prices. Edit prices on the Licensing & cost screen to keep your own.") :
          h("ul", { class: "price-list" }, prices.map(([path, price]) => h("li", { class: "row spread" },
            h("span", { class: "mono small" }, path), h("span", {}, formatMoney(Number(price), state.assessment?.cost.currency ?? "USD")),
            h("button", { type: "button", class: "small-button", onclick: () => { delete s.price_overrides[path]; call("save_settings", { settings: s }).then((v) => { state.settings = v; render(); }); } }, "Reset"))))),
      h("div", { class: "row form-actions" }, h("button", { class: "primary", type: "submit" }, "Save settings"), status)));
}

// ---------------------------------------------------------------- start

async function start() {
  render();
  try {
    state.settings = await call("get_settings");
    if (state.settings.warning) toast(state.settings.warning, "error");
  } catch (e) {
    toast(asAppError(e).message, "error");
  }
  if (state.screen === "settings") render();
}

start();
