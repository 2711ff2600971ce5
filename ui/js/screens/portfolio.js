// The Portfolio screen.
import { h, replace } from "../dom.js";
import { GRADE_TONE, formatMoney, formatPercent } from "../format.js";
import { asAppError, call } from "../ipc.js";
import { go, pageHeader, toast } from "../shell.js";
import { state } from "../state.js";

export function portfolioScreen() {
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
