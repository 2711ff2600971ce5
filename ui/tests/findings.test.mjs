import { test } from "node:test";
import assert from "node:assert/strict";
import { emptyFilter, filterFindings, countByStatus, topRisks, sortForList } from "../js/findings.js";

const f = (id, status, severity, category = "pim_role_settings", title = `Title ${id}`) => ({ id, status, severity, category, title, summary: "" });
const findings = [
  f("LIC-01", "pass", "critical", "licensing"),
  f("ADM-01", "warning", "high", "privileged_accounts", "Between two and four Global Administrators"),
  f("PIM-01", "fail", "critical", "pim_assignments"),
  f("PIM-04", "fail", "critical"),
  f("PIM-12", "warning", "low"),
  f("ADM-07", "not_assessed", "medium", "privileged_accounts"),
  f("CA-02", "fail", "high", "conditional_access"),
];
const ids = (xs) => xs.map((x) => x.id);

test("filters combine", () => {
  const cases = [
    [{}, ids(findings)],
    [{ statuses: ["fail"] }, ["PIM-01", "PIM-04", "CA-02"]],
    [{ statuses: ["fail", "warning"], severity: "critical" }, ["PIM-01", "PIM-04"]],
    [{ category: "privileged_accounts" }, ["ADM-01", "ADM-07"]],
    [{ text: "global admin" }, ["ADM-01"]],
    [{ text: "pim-0" }, ["PIM-01", "PIM-04"]],
    [{ statuses: ["not_licensed"] }, []],
  ];
  for (const [partial, expected] of cases) {
    assert.deepEqual(ids(filterFindings(findings, { ...emptyFilter(), ...partial })), expected, JSON.stringify(partial));
  }
});

test("counts per status", () => {
  assert.deepEqual(countByStatus(findings), { pass: 1, warning: 2, fail: 3, not_applicable: 0, not_licensed: 0, not_assessed: 1 });
});

test("top risks: failures first, then severity, then id", () => {
  assert.deepEqual(ids(topRisks(findings, 4)), ["PIM-01", "PIM-04", "CA-02", "ADM-01"]);
  assert.deepEqual(topRisks([f("X", "pass", "critical")], 5), []);
});

test("list order keeps passes last", () => {
  assert.deepEqual(ids(sortForList(findings)).at(-1), "LIC-01");
});
