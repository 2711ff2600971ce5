// The Findings screen.
import { h, replace } from "../dom.js";
import { SEVERITIES, STATUSES, STATUS_LABEL, countByStatus, emptyFilter, filterFindings, sortForList } from "../findings.js";
import { formatDate } from "../format.js";
import { asAppError, call } from "../ipc.js";
import { maskUpn, pseudonymizer } from "../masking.js";
import { copy, pageHeader, render, severityBadge, statusBadge, toast } from "../shell.js";
import { CATEGORY_LABEL, state } from "../state.js";

export function findingsScreen() {
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
