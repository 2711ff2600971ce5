// History and portfolio logic without the DOM: the trend chart's geometry, which two
// assessments to compare, and a diff as rows to show. Tested in ui/tests/history.test.mjs.

/**
 * @typedef {{ id: number, assessed_at: string, score_percent: number, grade: string }} TrendInput
 * @typedef {{ id: number, x: number, y: number, percent: number, grade: string, assessed_at: string }} TrendPoint
 * @typedef {{ points: TrendPoint[], path: string, gridY: { value: number, y: number }[], x0: number, x1: number, first: string, last: string }} TrendChart
 */

/**
 * Lays out a score-over-time chart in a `width` × `height` box (SVG units). Points are
 * placed by date (oldest left); the y axis is always 0–100 so two tenants' charts compare.
 * One point sits in the middle; equal dates spread evenly instead of stacking. `x0`..`x1`
 * is the plot's horizontal extent (for grid lines and axis labels).
 * @param {TrendInput[]} assessments any order
 * @param {number} width
 * @param {number} height
 * @param {{ left: number, right: number, top: number, bottom: number }} [pad]
 * @returns {TrendChart}
 */
export function trendChart(assessments, width, height, pad = { left: 34, right: 12, top: 10, bottom: 22 }) {
  const sorted = [...assessments].sort((a, b) => Date.parse(a.assessed_at) - Date.parse(b.assessed_at) || a.id - b.id);
  const w = Math.max(1, width - pad.left - pad.right);
  const hgt = Math.max(1, height - pad.top - pad.bottom);
  const times = sorted.map((a) => Date.parse(a.assessed_at));
  const t0 = times[0] ?? 0;
  const span = (times[times.length - 1] ?? 0) - t0;
  const yOf = (/** @type {number} */ percent) => pad.top + hgt * (1 - clamp(percent, 0, 100) / 100);
  const points = sorted.map((a, i) => {
    const share = sorted.length === 1 ? 0.5 : span > 0 ? (times[i] - t0) / span : i / (sorted.length - 1);
    return {
      id: a.id, percent: a.score_percent, grade: a.grade, assessed_at: a.assessed_at,
      x: round(pad.left + w * share), y: round(yOf(a.score_percent)),
    };
  });
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ");
  const gridY = [0, 50, 100].map((value) => ({ value, y: round(yOf(value)) }));
  return { points, path, gridY, x0: pad.left, x1: width - pad.right, first: sorted[0]?.assessed_at ?? "", last: sorted[sorted.length - 1]?.assessed_at ?? "" };
}

/**
 * One sentence for screen readers and the chart's caption.
 * @param {TrendInput[]} assessments
 * @returns {string}
 */
export function trendSummary(assessments) {
  if (assessments.length === 0) return "No assessments yet.";
  const sorted = [...assessments].sort((a, b) => Date.parse(a.assessed_at) - Date.parse(b.assessed_at) || a.id - b.id);
  const first = sorted[0], last = sorted[sorted.length - 1];
  if (sorted.length === 1) return `One assessment: ${Math.round(last.score_percent)}% (${last.grade}).`;
  const delta = last.score_percent - first.score_percent;
  const direction = Math.abs(delta) < 0.05 ? "unchanged at" : delta > 0 ? "up to" : "down to";
  return `${sorted.length} assessments: from ${Math.round(first.score_percent)}% (${first.grade}) ${direction} ${Math.round(last.score_percent)}% (${last.grade}).`;
}

/**
 * Toggles `id` in a selection of at most two (the older pick is dropped for a third).
 * @param {number[]} selected
 * @param {number} id
 * @returns {number[]}
 */
export function toggleCompare(selected, id) {
  if (selected.includes(id)) return selected.filter((x) => x !== id);
  return [...selected, id].slice(-2);
}

/**
 * @typedef {{ label: string, from: string, to: string, tone: "good" | "bad" | "neutral" }} DiffRow
 */

const STATUS_RANK = /** @type {Record<string, number>} */ ({ pass: 0, not_applicable: 0, warning: 1, not_assessed: 2, not_licensed: 2, fail: 3 });
const STATUS_WORD = /** @type {Record<string, string>} */ ({
  pass: "Pass", fail: "Fail", warning: "Warning", not_applicable: "Not applicable", not_assessed: "Not assessed", not_licensed: "Not licensed",
});

/**
 * A diff (`compare_assessments`) as rows: headline figures, then each check that changed.
 * Tone says whether the change is an improvement.
 * @param {any} diff
 * @returns {{ headline: DiffRow[], checks: DiffRow[], added: string[], removed: string[], licensing: DiffRow[], empty: boolean, comparedAdmins: boolean }}
 */
export function diffRows(diff) {
  const pct = (/** @type {number} */ n) => `${n.toFixed(1)}%`;
  const toneOf = (/** @type {number} */ d, /** @type {boolean} */ higherIsBetter) => Math.abs(d) < 1e-9 ? "neutral" : (d > 0) === higherIsBetter ? "good" : "bad";
  /** @type {DiffRow[]} */
  const headline = [
    { label: "Score", from: `${pct(diff.score.from)} (${diff.grade.from})`, to: `${pct(diff.score.to)} (${diff.grade.to})`, tone: toneOf(diff.score.to - diff.score.from, true) },
    { label: "Coverage", from: pct(diff.coverage.from), to: pct(diff.coverage.to), tone: toneOf(diff.coverage.to - diff.coverage.from, true) },
    { label: "Standing admins", from: String(diff.standing_admins.count.from), to: String(diff.standing_admins.count.to), tone: toneOf(diff.standing_admins.count.to - diff.standing_admins.count.from, false) },
  ];
  const checks = diff.checks.map((/** @type {any} */ c) => {
    const from = c.from ?? "", to = c.to ?? "";
    const d = (STATUS_RANK[to] ?? 2) - (STATUS_RANK[from] ?? 2);
    return { label: `${c.id} ${c.title}`, from: STATUS_WORD[from] ?? "(not in that version)", to: STATUS_WORD[to] ?? "(not in that version)", tone: d < 0 ? "good" : d > 0 ? "bad" : "neutral" };
  });
  const admin = (/** @type {any} */ a) => `${a.display_name}${a.principal_name ? ` (${a.principal_name})` : ""}: ${a.roles.join(", ")}`;
  const s = diff.licensing.seats;
  /** @type {DiffRow[]} */
  const licensing = [];
  if (diff.licensing.pim_capable.from !== diff.licensing.pim_capable.to) {
    licensing.push({ label: "PIM licensed", from: diff.licensing.pim_capable.from ? "yes" : "no", to: diff.licensing.pim_capable.to ? "yes" : "no", tone: diff.licensing.pim_capable.to ? "good" : "bad" });
  }
  for (const [label, c, higherIsBetter] of /** @type {[string, any, boolean][]} */ ([["Seats available", s.available, true], ["Users in PIM scope", s.in_scope, false], ["Seat shortfall", s.shortfall, false]])) {
    if (c.from !== c.to) licensing.push({ label, from: String(c.from), to: String(c.to), tone: toneOf(c.to - c.from, higherIsBetter) });
  }
  for (const p of diff.licensing.paths_added) licensing.push({ label: "Licence path", from: "", to: `${p} added`, tone: "good" });
  for (const p of diff.licensing.paths_removed) licensing.push({ label: "Licence path", from: `${p}`, to: "removed", tone: "bad" });
  const added = diff.standing_admins.added.map(admin);
  const removed = diff.standing_admins.removed.map(admin);
  const empty = headline.every((r) => r.from === r.to) && checks.length === 0 && added.length === 0 && removed.length === 0 && licensing.length === 0;
  return { headline, checks, added, removed, licensing, empty, comparedAdmins: diff.standing_admins.compared };
}

/**
 * @param {number} n
 * @param {number} lo
 * @param {number} hi
 */
function clamp(n, lo, hi) {
  return Math.max(lo, Math.min(hi, Number.isFinite(n) ? n : lo));
}

/** @param {number} n */
function round(n) {
  return Math.round(n * 10) / 10;
}
