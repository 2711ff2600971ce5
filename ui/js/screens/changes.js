// The Changes screen: this tenant's findings as a reviewed change-set (the same one
// `pimready remediate` writes), ticked or unticked change by change, exported as the pack.
// "Apply…" and "Roll back…" are the only way the app writes to a tenant: their own
// sign-in with write permissions, after the tenant's domain is typed (checked in Rust).
import { confirmationWord, confirms, graphAnswer, journalSummary, readyChanges, requestLines, splitList, statusWord } from "../changes.js";
import { h, replace } from "../dom.js";
import { adviceFor } from "../errors.js";
import { asAppError, call, channel } from "../ipc.js";
import { go, pageHeader, toast } from "../shell.js";
import { state } from "../state.js";

/** The journal the last apply of this window wrote, per tenant. @type {Record<string, string>} */
const journals = {};

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
  const writing = h("div", { id: "changes-apply" });
  /** @type {any} */
  let shown = null;

  const request = () => ({ approvers: choice.approvers, notify: choice.notify, deselected: choice.deselected });
  const refresh = async () => {
    try {
      const view = /** @type {any} */ (await call("compute_changes", { choices: request() }));
      replace(users, view.users.map((/** @type {any} */ u) => h("option", { value: u.user_principal_name ?? u.id }, u.display_name)));
      shown = view.change_set;
      replace(body, changeList(view.change_set, choice, refresh));
    } catch (e) {
      const err = asAppError(e);
      replace(body, h("div", { class: "panel error-panel", role: "alert" }, h("p", {}, err.message), h("p", { class: "muted" }, adviceFor(err))));
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
  /** @param {{ confirm: string, sign_in: any }} confirmation */
  const applyWith = (confirmation) => runWrite(writing, shown, "apply_changes", { choices: request(), ...confirmation });
  /** @param {{ confirm: string, sign_in: any }} confirmation */
  const rollbackWith = (confirmation) => runWrite(writing, shown, "rollback_changes", { journal: journals[a.tenant.id] ?? null, ...confirmation });
  const openApply = () => { if (shown) replace(writing, confirmPanel(shown, "apply", applyWith)); };
  const openRollback = () => { if (shown) replace(writing, confirmPanel(shown, "rollback", rollbackWith)); };
  refresh();
  return h("div", { class: "screen changes" },
    pageHeader("Changes", "The findings as changes you can review, export and hand over. Only \"Apply…\" writes to the tenant, after you type its domain.",
      h("button", { class: "primary", id: "export-changes", onclick: exportPack }, "Export change-set and scripts"),
      h("button", { id: "apply-changes", onclick: openApply }, "Apply…"),
      h("button", { id: "rollback-changes", onclick: openRollback }, "Roll back…")),
    writing,
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

/**
 * The confirmation panel of an apply or a rollback: what will be sent (an apply's diff),
 * how to sign in, and the tenant's domain to type.
 * @param {any} cs
 * @param {"apply" | "rollback"} what
 * @param {(confirmation: { confirm: string, sign_in: any }) => void} onConfirm
 */
function confirmPanel(cs, what, onConfirm) {
  const word = confirmationWord(cs);
  const ready = readyChanges(cs);
  const typed = /** @type {HTMLInputElement} */ (h("input", { id: "apply-confirm", autocomplete: "off", spellcheck: "false", placeholder: word }));
  const deviceCode = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", id: "apply-device-code" }));
  const go = /** @type {HTMLButtonElement} */ (h("button", { class: "primary danger", id: "apply-go", type: "submit", disabled: true },
    what === "apply" ? `Apply ${ready.length} change(s)` : "Undo the applied changes"));
  typed.addEventListener("input", () => { go.disabled = !confirms(cs, typed.value); });
  const submit = (/** @type {Event} */ e) => {
    e.preventDefault();
    onConfirm({
      confirm: typed.value,
      sign_in: { tenant: word, cloud: state.assessment.tenant.cloud, client_id: null, method: deviceCode.checked ? "device_code" : "browser", azure: false },
    });
  };
  return h("form", { class: "panel apply-confirm", onsubmit: submit },
    h("h2", {}, what === "apply" ? `Apply to ${cs.tenant.display_name}` : `Roll back in ${cs.tenant.display_name}`),
    h("p", { class: "small muted" }, "You sign in again, with the write permissions these changes need; that sign-in is kept nowhere. A journal beside the change-set in the reports folder records each answer."),
    h("div", { class: "plan-head" }, deviceCode, h("label", { for: "apply-device-code" }, "Sign in with a code on another device")),
    h("label", { for: "apply-confirm" }, `Type ${word} to confirm`), typed,
    h("div", { class: "row" }, go),
    what === "apply"
      ? h("div", {}, h("p", {}, `These ${ready.length} change(s) go to Microsoft Graph (role settings, reviews and report-only policies first, conversions last), each with its undo ready:`),
        h("ol", { class: "apply-diff" }, ready.map((/** @type {any} */ c) => h("li", {}, h("strong", {}, c.title), h("pre", { class: "request-preview" }, requestLines(c.requests))))))
      : h("p", {}, "Every change the journal of this window's last apply records as applied is undone, newest first (with none, a dialog asks for the journal)."));
}

/**
 * Sends the apply or the rollback and shows the journal: each change's status and
 * Graph's answer.
 * @param {HTMLElement} where
 * @param {any} cs
 * @param {"apply_changes" | "rollback_changes"} command
 * @param {any} request
 */
async function runWrite(where, cs, command, request) {
  const status = h("p", { role: "status", id: "apply-status" }, "Signing in with write permissions…");
  const rows = h("ol", { class: "journal-list" });
  replace(where, h("section", { class: "panel" }, status, rows));
  /** @param {any} event */
  const onEvent = (event) => {
    if (event.event === "sign_in") {
      const e = event.data;
      if (e.event === "code_issued") status.textContent = `Open ${e.data.verification_uri} and enter ${e.data.user_code}.`;
      else if (e.event === "browser_opened") status.textContent = "Your browser opened the Microsoft sign-in page. Finish signing in there.";
      else if (e.event === "signed_in") status.textContent = `Signed in as ${e.data.account}. Sending…`;
    } else if (event.event === "change") {
      rows.append(journalRow(event.data));
    }
  };
  try {
    const view = /** @type {any} */ (await call(command, { request, onEvent: channel(onEvent) }));
    if (command === "apply_changes") journals[cs.tenant.id] = view.journal_path;
    replace(rows, view.journal.entries.map(journalRow));
    status.textContent = `${journalSummary(view.journal)} Journal: ${view.journal_path}`;
    // The list below was computed before this write: say so, and offer the way to a fresh one.
    rows.after(h("p", { class: "muted", id: "changes-stale" },
      "The changes listed below come from the assessment made before this ",
      command === "apply_changes" ? "apply" : "rollback",
      ". Assess the tenant again to see what it holds now. ",
      h("button", { class: "ghost", id: "assess-again", onclick: () => go("connect") }, "Assess again")));
  } catch (e) {
    const err = asAppError(e);
    status.textContent = err.message;
    status.classList.add("error-message");
    rows.replaceWith(h("p", { class: "muted" }, adviceFor(err)));
  }
}

/** @param {any} entry */
function journalRow(entry) {
  return h("li", { class: `journal-entry status-${entry.status}` },
    h("strong", {}, statusWord(entry.status)), " ", entry.title,
    entry.status === "skipped" ? null : h("div", { class: "small mono" }, graphAnswer(entry)));
}
