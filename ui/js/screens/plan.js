// The Plan screen.
import { h } from "../dom.js";
import { formatDate } from "../format.js";
import { openFinding } from "../screens/overview.js";
import { pageHeader } from "../shell.js";
import { state } from "../state.js";

/** @type {Record<string, Record<string, boolean>>} */
const planDone = {};

export function planScreen() {
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
