// The Changes screen: this tenant's findings as a reviewed change-set (the same one
// `pimready remediate` writes), ticked or unticked change by change, exported as the pack.
// Nothing here writes to the tenant.
import { requestLines, splitList } from "../changes.js";
import { h, replace } from "../dom.js";
import { asAppError, call } from "../ipc.js";
import { pageHeader, toast } from "../shell.js";
import { state } from "../state.js";

/** The user's choices, kept per tenant for the session. @type {Record<string, { approvers: string[], notify: string[], deselected: string[] }>} */
const chosen = {};

export function changesScreen() {
  const a = state.assessment;
  const choice = (chosen[a.tenant.id] ??= { approvers: [], notify: [], deselected: [] });
  const body = h("div", { class: "changes-body" }, h("p", { class: "muted" }, "Computing the changes…"));
  const approvers = /** @type {HTMLInputElement} */ (h("input", { id: "changes-approvers", list: "changes-users", value: choice.approvers.join(", "), placeholder: "two people, e.g. diego@contoso.com, nestor@contoso.com", autocomplete: "off", spellcheck: "false" }));
  const notify = /** @type {HTMLInputElement} */ (h("input", { id: "changes-notify", value: choice.notify.join(", "), placeholder: "secops@contoso.com", autocomplete: "off", spellcheck: "false" }));
  const users = h("datalist", { id: "changes-users" });
  const exported = h("div", { id: "changes-exported" });

  const request = () => ({ approvers: choice.approvers, notify: choice.notify, deselected: choice.deselected });
  const refresh = async () => {
    try {
      const view = /** @type {any} */ (await call("compute_changes", { choices: request() }));
      replace(users, view.users.map((/** @type {any} */ u) => h("option", { value: u.user_principal_name ?? u.id }, u.display_name)));
      replace(body, changeList(view.change_set, choice, refresh));
    } catch (e) {
      replace(body, h("div", { class: "panel error-panel", role: "alert" }, h("p", {}, asAppError(e).message)));
    }
  };
  const apply = () => {
    choice.approvers = splitList(approvers.value);
    choice.notify = splitList(notify.value);
    refresh();
  };
  const exportPack = async () => {
    try {
      const paths = /** @type {string[]} */ (await call("export_changes", { choices: request() }));
      replace(exported, h("div", { class: "panel" }, h("p", {}, "Written to the reports folder:"),
        h("ul", { class: "mono small" }, paths.map((p) => h("li", { class: "exported-path" }, p)))));
    } catch (e) {
      toast(asAppError(e).message, "error");
    }
  };
  refresh();
  return h("div", { class: "screen changes" },
    pageHeader("Changes", "The findings as changes you can review, export and hand over. PIM Ready writes nothing to the tenant from here.",
      h("button", { class: "primary", id: "export-changes", onclick: exportPack }, "Export change-set and scripts")),
    h("form", { class: "panel changes-form", onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); apply(); } },
      h("label", { for: "changes-approvers" }, "Approvers for Global Administrator and Privileged Role Administrator (also the access review's reviewers)"), approvers, users,
      h("label", { for: "changes-notify" }, "Notify these addresses of assignments and activations"), notify,
      h("div", { class: "row" }, h("button", { type: "submit" }, "Update changes"))),
    exported,
    body);
}

/**
 * @param {any} cs the change-set (change_set_version 1)
 * @param {{ deselected: string[] }} choice
 * @param {() => void} refresh
 */
function changeList(cs, choice, refresh) {
  const ready = cs.changes.filter((/** @type {any} */ c) => c.selected && c.preconditions.every((/** @type {any} */ p) => p.met)).length;
  return h("div", {},
    h("p", { id: "changes-summary" }, `${cs.changes.length} changes, ${ready} ticked and ready. Once applied they resolve: ${cs.resolves.length ? cs.resolves.join(", ") : "no check yet"}.`),
    h("ol", { class: "change-list" }, cs.changes.map((/** @type {any} */ c) => {
      const id = `change-${c.id}`;
      const unmet = c.preconditions.filter((/** @type {any} */ p) => !p.met);
      const box = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", id, checked: c.selected, "data-change": c.id,
        onchange: () => {
          choice.deselected = box.checked ? choice.deselected.filter((d) => d !== c.id) : [...choice.deselected, c.id];
          refresh();
        } }));
      return h("li", { class: `panel change${unmet.length ? " blocked" : ""}` },
        h("div", { class: "plan-head" }, box, h("label", { for: id }, c.title)),
        h("p", { class: "small muted" }, `Fixes ${c.fixes.join(", ")}`),
        unmet.length ? h("ul", { class: "unmet" }, unmet.map((/** @type {any} */ p) => h("li", { class: "warning-text" }, `Not applied until: ${p.description}`))) : null,
        h("details", {}, h("summary", {}, `Preview ${c.requests.length} request(s) and the undo`),
          h("pre", { class: "request-preview" }, requestLines(c.requests)),
          h("p", { class: "small muted" }, "Undo:"),
          h("pre", { class: "request-preview" }, requestLines(c.undo))));
    })),
    cs.guidance.length ? h("section", { class: "panel" }, h("h2", {}, "Guidance (not changed automatically)"),
      h("ul", {}, cs.guidance.map((/** @type {any} */ g) => h("li", {}, h("strong", {}, g.target.name), ": ", g.advice)))) : null);
}
