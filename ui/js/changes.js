// Pure helpers of the Changes screen (no DOM), tested under node.

/** Addresses or names typed in one field. @param {string} text */
export function splitList(text) {
  return text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
}

/** Requests as they go to Graph, one block per request. @param {any[]} calls */
export function requestLines(calls) {
  return calls.map((c) => `${c.method} ${c.path}${c.body === undefined || c.body === null ? "" : "\n" + JSON.stringify(c.body, null, 2)}`).join("\n\n");
}

/** The changes an apply sends, in the change-set's order: ticked, every precondition met. @param {any} cs */
export function readyChanges(cs) {
  return cs.changes.filter((/** @type {any} */ c) => c.selected && c.preconditions.every((/** @type {any} */ p) => p.met));
}

/** What to type to confirm an apply or a rollback: the default domain, else the tenant id. @param {any} cs */
export function confirmationWord(cs) {
  return cs.tenant.default_domain ?? cs.tenant.id;
}

/**
 * Whether `typed` names the tenant (a convenience for the button: Rust checks it again).
 * @param {any} cs @param {string} typed
 */
export function confirms(cs, typed) {
  const t = typed.trim().toLowerCase();
  return t !== "" && (t === cs.tenant.id.toLowerCase() || t === (cs.tenant.default_domain ?? "").toLowerCase());
}

/** The journal's statuses, as a person reads them. */
const STATUS_WORDS = /** @type {Record<string, string>} */ ({
  applied: "Applied",
  rolled_back: "Failed, its steps rolled back",
  failed: "Failed, NOT wholly undone",
  skipped: "Skipped",
  undone: "Undone",
});

/** @param {string} status */
export function statusWord(status) {
  return STATUS_WORDS[status] ?? status;
}

/**
 * Graph's answer to a change's last request (or its undo's), as one line.
 * @param {{ steps: any[], undo: any[], error?: string | null }} entry
 */
export function graphAnswer(entry) {
  if (entry.error) return entry.error;
  const last = entry.undo.length ? entry.undo[entry.undo.length - 1] : entry.steps[entry.steps.length - 1];
  if (!last) return "";
  const answer = typeof last.answer === "string" ? last.answer : "";
  return `${last.method} ${last.path}: ${last.status ?? "no answer"}${answer ? ` ${answer}` : ""}`;
}

/**
 * One sentence for a journal: how many changes were applied, failed, skipped, undone.
 * @param {{ entries: { status: string, title: string }[] }} journal
 */
export function journalSummary(journal) {
  /** @type {Record<string, number>} */
  const count = {};
  for (const e of journal.entries) count[e.status] = (count[e.status] ?? 0) + 1;
  const failed = journal.entries.find((e) => e.status === "rolled_back" || e.status === "failed");
  const parts = ["applied", "undone", "skipped"].filter((s) => count[s]).map((s) => `${count[s]} ${s}`);
  const head = failed ? `"${failed.title}" failed (${failed.status === "rolled_back" ? "its steps were rolled back" : "it may not be wholly undone: check the tenant"})` : "Every change went through";
  return parts.length ? `${head}; ${parts.join(", ")}.` : `${head}.`;
}
