// The Overview screen.
import { h, svg } from "../dom.js";
import { STATUSES, countByStatus, emptyFilter, topRisks } from "../findings.js";
import { GRADE_TONE, formatDate, formatMoney, formatPercent } from "../format.js";
import { go, pageHeader, severityBadge, statusBadge } from "../shell.js";
import { CATEGORY_LABEL, state } from "../state.js";

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

export function overviewScreen() {
  const a = state.assessment;
  const lic = a.licensing;
  const counts = countByStatus(a.checks);
  const risks = topRisks(a.checks, 5);
  // The verdict is core's (headline.licence): shown as it is, never re-derived here.
  const verdict = a.headline.licence;
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
      h("section", { class: `panel verdict-card tone-${verdict.tone}`, "aria-labelledby": "verdict-title" },
        h("h2", { id: "verdict-title" }, "Licence verdict"),
        h("p", { class: "verdict", id: "licence-verdict" }, verdict.label),
        h("p", { class: "small", id: "licence-verdict-sentence" }, verdict.sentence),
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
export function openFinding(id) {
  state.filter = emptyFilter();
  state.selectedFinding = id;
  go("findings");
}
