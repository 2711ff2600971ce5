// The History screen.
import { h, replace, svg } from "../dom.js";
import { GRADE_TONE, formatDateTime, formatPercent } from "../format.js";
import { diffRows, toggleCompare, trendChart, trendSummary } from "../history.js";
import { asAppError, call } from "../ipc.js";
import { showAssessment } from "../screens/connect.js";
import { go, main, render, toast } from "../shell.js";
import { state } from "../state.js";

export function historyScreen() {
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
  const rowsTable = (/** @type {import("../history.js").DiffRow[]} */ rows, /** @type {string} */ caption) => h("table", { class: "diff-table" },
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
