// The Settings screen.
import { h } from "../dom.js";
import { formatMoney } from "../format.js";
import { asAppError, call } from "../ipc.js";
import { pageHeader, render, toast } from "../shell.js";
import { state } from "../state.js";

export function settingsScreen() {
  if (!state.settings) return h("div", { class: "screen" }, h("p", { role: "status" }, "Loading settings…"));
  const view = state.settings;
  const s = structuredClone(view.settings);
  const lines = (/** @type {string[]} */ xs) => xs.join("\n");
  const parseLines = (/** @type {string} */ t) => t.split(/\r?\n/).map((x) => x.trim()).filter(Boolean);
  // Emergency accounts are designated per tenant: the tenant on screen is the one edited.
  const tenant = state.assessment?.tenant;
  const tenantKey = tenant ? String(tenant.id).toLowerCase() : null;
  s.emergency_accounts ??= {};
  const emergency = /** @type {HTMLTextAreaElement} */ (h("textarea", { id: "emergency", rows: 3, spellcheck: "false", placeholder: "bg01@contoso.onmicrosoft.com", disabled: !tenantKey }));
  emergency.value = tenantKey ? lines(s.emergency_accounts[tenantKey] ?? []) : "";
  const legacy = /** @type {string[]} */ (s.assessment.emergency_accounts);
  const others = Object.entries(/** @type {Record<string, string[]>} */ (s.emergency_accounts)).filter(([k, v]) => k !== tenantKey && v.length > 0);
  const roles = /** @type {HTMLTextAreaElement} */ (h("textarea", { id: "extra-roles", rows: 3, spellcheck: "false", placeholder: "Intune Administrator or a role template id" }));
  roles.value = lines(s.assessment.extra_privileged_roles);
  const stale = /** @type {HTMLInputElement} */ (h("input", { id: "stale", type: "number", min: 1, max: 3650, value: s.assessment.stale_after_days }));
  const status = h("p", { role: "status", "aria-live": "polite", class: "muted" });
  const prices = Object.entries(s.price_overrides);

  const save = async (/** @type {Event} */ e) => {
    e.preventDefault();
    if (tenantKey) s.emergency_accounts[tenantKey] = parseLines(emergency.value);
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
        h("label", { for: "emergency" }, tenant ? `Emergency-access accounts of ${tenant.display_name} (one UPN or object id per line)` : "Emergency-access accounts (open a tenant to designate its accounts)"), emergency,
        h("p", { class: "muted small" }, "Only designated accounts are exempt from the standing-privilege checks and licence scope. Accounts that look like emergency accounts are only suggested (ADM-02). Each tenant keeps its own list; without one, its last designation in the history is used."),
        others.length ? h("p", { class: "muted small", id: "emergency-others" }, `Lists kept for ${others.length} other tenant(s).`) : null,
        legacy.length ? h("p", { class: "notice small" }, `An older setting designates ${legacy.join(", ")} for every tenant without a list of its own.`) : null,
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
