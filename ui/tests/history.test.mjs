import { test } from "node:test";
import assert from "node:assert/strict";
import { trendChart, trendSummary, toggleCompare, diffRows } from "../js/history.js";

const a = (id, assessed_at, score_percent, grade = "F") => ({ id, assessed_at, score_percent, grade });

test("the trend is laid out by date, oldest left, on a fixed 0-100 axis", () => {
  const box = { left: 0, right: 0, top: 0, bottom: 0 };
  const chart = trendChart([a(3, "2026-03-01T00:00:00Z", 100, "A"), a(1, "2026-01-01T00:00:00Z", 0), a(2, "2026-01-31T00:00:00Z", 50, "D")], 100, 100, box);
  assert.deepEqual(chart.points.map((p) => p.id), [1, 2, 3]);
  assert.deepEqual(chart.points.map((p) => [p.x, p.y]), [[0, 100], [50.8, 50], [100, 0]], "59 days: Jan 31 sits 30/59 along");
  assert.equal(chart.path, "M0,100 L50.8,50 L100,0");
  assert.deepEqual(chart.gridY, [{ value: 0, y: 100 }, { value: 50, y: 50 }, { value: 100, y: 0 }]);
  assert.deepEqual([chart.x0, chart.x1], [0, 100]);
  assert.deepEqual((({ x0, x1 }) => [x0, x1])(trendChart([], 640, 180)), [34, 628], "default padding");
  assert.equal(chart.first, "2026-01-01T00:00:00Z");
  assert.equal(chart.last, "2026-03-01T00:00:00Z");
});

test("edge cases: one point, equal dates, out-of-range scores, nothing", () => {
  const box = { left: 0, right: 0, top: 0, bottom: 0 };
  const cases = [
    [[a(1, "2026-01-01T00:00:00Z", 40)], [[50, 60]]],
    [[a(1, "2026-01-01T00:00:00Z", 10), a(2, "2026-01-01T00:00:00Z", 20), a(3, "2026-01-01T00:00:00Z", 30)], [[0, 90], [50, 80], [100, 70]]],
    [[a(1, "2026-01-01T00:00:00Z", -5), a(2, "2026-02-01T00:00:00Z", 250), a(3, "2026-03-01T00:00:00Z", NaN)], [[0, 100], [52.5, 0], [100, 100]]],
    [[], []],
  ];
  for (const [input, expected] of cases) {
    assert.deepEqual(trendChart(input, 100, 100, box).points.map((p) => [p.x, p.y]), expected, JSON.stringify(input));
  }
  assert.equal(trendChart([], 100, 100).path, "");
});

test("the summary reads the direction", () => {
  const cases = [
    [[], "No assessments yet."],
    [[a(1, "2026-01-01T00:00:00Z", 34)], "One assessment: 34% (F)."],
    [[a(2, "2026-02-01T00:00:00Z", 72, "C"), a(1, "2026-01-01T00:00:00Z", 34)], "2 assessments: from 34% (F) up to 72% (C)."],
    [[a(1, "2026-01-01T00:00:00Z", 72, "C"), a(2, "2026-02-01T00:00:00Z", 34)], "2 assessments: from 72% (C) down to 34% (F)."],
    [[a(1, "2026-01-01T00:00:00Z", 34), a(2, "2026-02-01T00:00:00Z", 34)], "2 assessments: from 34% (F) unchanged at 34% (F)."],
  ];
  for (const [input, expected] of cases) assert.equal(trendSummary(input), expected);
});

test("compare keeps the two most recent picks", () => {
  let s = [];
  s = toggleCompare(s, 5); assert.deepEqual(s, [5]);
  s = toggleCompare(s, 7); assert.deepEqual(s, [5, 7]);
  s = toggleCompare(s, 9); assert.deepEqual(s, [7, 9]);
  s = toggleCompare(s, 7); assert.deepEqual(s, [9]);
});

const change = (from, to) => ({ from, to });
const diff = (over = {}) => ({
  tenant_id: "t", display_name: "Contoso",
  assessed_at: change("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
  score: change(34, 34), grade: change("F", "F"), coverage: change(100, 100),
  checks: [],
  standing_admins: { count: change(7, 7), compared: true, added: [], removed: [] },
  licensing: { pim_capable: change(true, true), paths_added: [], paths_removed: [], seats: { available: change(6, 6), in_scope: change(6, 6), shortfall: change(0, 0) } },
  ...over,
});

test("a diff becomes rows with a tone per change", () => {
  const none = diffRows(diff());
  assert.equal(none.empty, true);
  assert.deepEqual(none.headline.map((r) => r.tone), ["neutral", "neutral", "neutral"]);

  const better = diffRows(diff({
    score: change(34, 61.5), grade: change("F", "D"),
    standing_admins: { count: change(7, 5), compared: true, added: [], removed: [{ display_name: "Adele", principal_name: "adele@contoso.com", roles: ["Global Administrator"] }] },
    checks: [{ id: "PIM-01", title: "No standing access", from: "fail", to: "pass" }, { id: "CA-02", title: "MFA", from: "pass", to: "fail" }, { id: "NEW-01", title: "New", from: null, to: "warning" }],
    licensing: { pim_capable: change(false, true), paths_added: ["entra_id_p2"], paths_removed: [], seats: { available: change(0, 10), in_scope: change(6, 6), shortfall: change(6, 0) } },
  }));
  assert.equal(better.empty, false);
  assert.deepEqual(better.headline[0], { label: "Score", from: "34.0% (F)", to: "61.5% (D)", tone: "good" });
  assert.equal(better.headline[2].tone, "good", "fewer standing admins is better");
  assert.deepEqual(better.checks.map((r) => [r.from, r.to, r.tone]), [["Fail", "Pass", "good"], ["Pass", "Fail", "bad"], ["(not in that version)", "Warning", "good"]]);
  assert.deepEqual(better.removed, ["Adele (adele@contoso.com): Global Administrator"]);
  assert.deepEqual(better.licensing.map((r) => [r.label, r.to, r.tone]), [
    ["PIM licensed", "yes", "good"], ["Seats available", "10", "good"], ["Seat shortfall", "0", "good"], ["Licence path", "entra_id_p2 added", "good"],
  ]);
});
