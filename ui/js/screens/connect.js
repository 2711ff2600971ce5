// The Connect screen.
import { h, replace } from "../dom.js";
import { emptyFilter } from "../findings.js";
import { formatElapsed, formatPercent } from "../format.js";
import { asAppError, call, channel } from "../ipc.js";
import { copy, errorPanel, go, main, renderChrome, toast } from "../shell.js";
import { state } from "../state.js";

export function connectScreen() {
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
      h("li", {}, h("button", { class: "tenant-row", onclick: () => startSignIn(t.tenant_id, t.cloud, { clientId: null, method: "browser", redirectHost: "localhost", azure: true }) },
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
  const redirectHost = /** @type {HTMLSelectElement} */ (h("select", { id: "redirect-host", name: "redirect-host" },
    h("option", { value: "localhost" }, "http://localhost (default; what PIM Ready's client registers)"),
    h("option", { value: "127.0.0.1" }, "http://127.0.0.1 (only if your own app registration lists it)")));
  const azure = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", id: "read-azure", name: "read-azure", checked: true }));
  /** What Advanced says about the sign-in. */
  const options = () => ({ clientId: clientInput.value.trim() || null, method: deviceCode.checked ? "device_code" : "browser", redirectHost: redirectHost.value, azure: azure.checked });

  const form = h("form", { class: "panel connect-form", "aria-labelledby": "new-tenant-title", onsubmit: (/** @type {Event} */ e) => {
    e.preventDefault();
    startSignIn(tenantInput.value.trim(), cloudSelect.value, options());
  } },
  h("h2", { id: "new-tenant-title" }, "Assess a new tenant"),
  h("p", { class: "muted" }, "Sign in with an account that can read the directory (Global Reader is enough). Nothing is changed in the tenant."),
  h("label", { for: "tenant" }, "Tenant domain or id"), tenantInput,
  h("label", { for: "cloud" }, "Cloud"), cloudSelect,
  h("details", {}, h("summary", {}, "Advanced"), h("label", { for: "client-id" }, "Client id (your own app registration)"), clientInput,
    h("div", { class: "check-row" }, deviceCode, h("label", { for: "use-device-code" }, "Sign in with a code on another device (instead of this computer's browser)")),
    h("label", { for: "redirect-host" }, "Redirect URI host (browser sign-in)"), redirectHost,
    h("div", { class: "check-row" }, azure, h("label", { for: "read-azure" }, "Also read Azure subscriptions (a second sign-in, for Azure Resource Manager)")),
    h("p", { class: "muted" }, "Before the assessment meeting: sign in and read each dataset once, to see which permission or directory role is missing and what to ask the tenant's admin."),
    h("button", { type: "button", id: "check-access", onclick: () => {
      if (!tenantInput.reportValidity()) return;
      startAccessCheck(tenantInput.value.trim(), cloudSelect.value, options());
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

export async function startDemo() {
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
 * @typedef {{ clientId: string | null, method: string, redirectHost: string, azure: boolean }} SignInOptions
 */

/** @param {string} tenant @param {string} cloud @param {SignInOptions} options */
function signInRequest(tenant, cloud, options) {
  return { tenant, cloud, client_id: options.clientId, method: options.method, redirect_host: options.redirectHost, azure: options.azure };
}

/**
 * @param {string} tenant
 * @param {string} cloud
 * @param {SignInOptions} options
 */
async function startSignIn(tenant, cloud, options) {
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
    const signedIn = /** @type {any} */ (await call("sign_in", { request: signInRequest(tenant, cloud, options), onEvent: channel(onEvent) }));
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
 * @param {string} tenant @param {string} cloud @param {SignInOptions} options
 */
async function startAccessCheck(tenant, cloud, options) {
  const view = progressView(`Checking access to ${tenant}`);
  state.screen = "progress";
  renderChrome();
  replace(main, view.root);
  try {
    const signedIn = /** @type {any} */ (await call("sign_in", { request: signInRequest(tenant, cloud, options), onEvent: channel(() => {}) }));
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
    showAssessment(await call("load_snapshot"));
  } catch (e) {
    const err = asAppError(e);
    if (err.kind !== "cancelled") replace(main, errorPanel(err, "The snapshot could not be opened"));
  }
}

/** @param {any} assessment */
export function showAssessment(assessment) {
  state.assessment = assessment;
  if (assessment.history_warning) toast(assessment.history_warning, "error");
  state.filter = emptyFilter();
  state.selectedFinding = null;
  state.lastExport = null;
  go("overview");
}
