// Finding filters and ordering (pure; unit-tested).

/** @typedef {"pass"|"warning"|"fail"|"not_applicable"|"not_licensed"|"not_assessed"} Status */
/** @typedef {"critical"|"high"|"medium"|"low"} Severity */
/**
 * @typedef {Object} FindingLike
 * @property {string} id
 * @property {string} title
 * @property {string} summary
 * @property {string} category
 * @property {Severity} severity
 * @property {Status} status
 */
/**
 * @typedef {Object} FindingFilter
 * @property {Status[]} statuses  empty = all
 * @property {Severity | ""} severity
 * @property {string} category     "" = all
 * @property {string} text         matched against id, title and summary
 */

/** @type {Status[]} */
export const STATUSES = ["fail", "warning", "not_assessed", "not_licensed", "pass", "not_applicable"];
/** @type {Record<Status, string>} */
export const STATUS_LABEL = {
  pass: "Pass", warning: "Warning", fail: "Fail",
  not_applicable: "Not applicable", not_licensed: "Requires P2", not_assessed: "Not assessed",
};
/** @type {Severity[]} */
export const SEVERITIES = ["critical", "high", "medium", "low"];
/** @type {Record<Severity, number>} */
const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 };
/** @type {Record<Status, number>} */
const STATUS_RANK = { fail: 0, warning: 1, not_assessed: 2, not_licensed: 3, pass: 4, not_applicable: 5 };

/** @returns {FindingFilter} */
export function emptyFilter() {
  return { statuses: [], severity: "", category: "", text: "" };
}

/**
 * @template {FindingLike} T
 * @param {T[]} findings
 * @param {FindingFilter} filter
 * @returns {T[]}
 */
export function filterFindings(findings, filter) {
  const text = filter.text.trim().toLowerCase();
  return findings.filter((f) =>
    (filter.statuses.length === 0 || filter.statuses.includes(f.status)) &&
    (!filter.severity || f.severity === filter.severity) &&
    (!filter.category || f.category === filter.category) &&
    (!text || `${f.id} ${f.title} ${f.summary}`.toLowerCase().includes(text)));
}

/**
 * Counts per status, for the filter chips.
 * @param {FindingLike[]} findings
 * @returns {Record<Status, number>}
 */
export function countByStatus(findings) {
  /** @type {Record<Status, number>} */
  const counts = { pass: 0, warning: 0, fail: 0, not_applicable: 0, not_licensed: 0, not_assessed: 0 };
  for (const f of findings) counts[f.status] += 1;
  return counts;
}

/**
 * The worst problems first: failures before warnings, then by severity; `limit` of them.
 * @template {FindingLike} T
 * @param {T[]} findings
 * @param {number} limit
 * @returns {T[]}
 */
export function topRisks(findings, limit) {
  return findings
    .filter((f) => f.status === "fail" || f.status === "warning")
    .sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.id.localeCompare(b.id))
    .slice(0, limit);
}

/**
 * Catalog order is kept; this orders by status then severity for the list view.
 * @template {FindingLike} T
 * @param {T[]} findings
 * @returns {T[]}
 */
export function sortForList(findings) {
  return [...findings].sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status] || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}
