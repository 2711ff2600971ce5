// The Changes screen's pure helpers.
import assert from "node:assert/strict";
import test from "node:test";

import { requestLines, splitList } from "../js/changes.js";

test("lists split on commas, spaces and semicolons, blanks dropped", () => {
  assert.deepEqual(splitList(" a@x.com, b@x.com;c@x.com\n\n "), ["a@x.com", "b@x.com", "c@x.com"]);
  assert.deepEqual(splitList(""), []);
});

test("requests preview as method, path and the JSON body Graph gets", () => {
  const text = requestLines([
    { method: "POST", path: "/roleManagement/directory/roleEligibilityScheduleRequests", body: { action: "adminAssign" } },
    { method: "DELETE", path: "/identity/conditionalAccess/policies/{created}" },
  ]);
  assert.equal(text, 'POST /roleManagement/directory/roleEligibilityScheduleRequests\n{\n  "action": "adminAssign"\n}\n\nDELETE /identity/conditionalAccess/policies/{created}');
});

import { confirmationWord, confirms, graphAnswer, journalSummary, readyChanges, statusWord } from "../js/changes.js";

const cs = {
  tenant: { id: "11111111-2222-3333-4444-555555555555", display_name: "Contoso", default_domain: "contoso.com" },
  changes: [
    { id: "a", selected: true, preconditions: [{ met: true }] },
    { id: "b", selected: false, preconditions: [] },
    { id: "c", selected: true, preconditions: [{ met: false }] },
    { id: "d", selected: true, preconditions: [] },
  ],
};

test("an apply sends the ticked changes whose preconditions are met, in order", () => {
  assert.deepEqual(readyChanges(cs).map((c) => c.id), ["a", "d"]);
});

test("the confirmation is the default domain (else the id), typed in any case", () => {
  assert.equal(confirmationWord(cs), "contoso.com");
  assert.equal(confirmationWord({ tenant: { id: "t-1", default_domain: null } }), "t-1");
  assert.ok(confirms(cs, " CONTOSO.com "));
  assert.ok(confirms(cs, "11111111-2222-3333-4444-555555555555"));
  for (const wrong of ["", "  ", "contoso", "fabrikam.com", "contoso.com.evil"]) assert.ok(!confirms(cs, wrong), wrong);
});

test("a journal reads as what happened, with Graph's answer", () => {
  const journal = {
    entries: [
      { status: "applied", title: "Settings", steps: [{ method: "PATCH", path: "/v1.0/x", status: 204 }], undo: [] },
      { status: "rolled_back", title: "Convert Adele", error: "POST /v1.0/y: 403 Authorization_RequestDenied",
        steps: [{ method: "POST", path: "/v1.0/z", status: 201 }, { method: "POST", path: "/v1.0/y", status: 403 }],
        undo: [{ method: "POST", path: "/v1.0/z", status: 201 }] },
      { status: "skipped", title: "Convert Megan", steps: [], undo: [] },
    ],
  };
  assert.equal(journalSummary(journal), '"Convert Adele" failed (its steps were rolled back); 1 applied, 1 skipped.');
  assert.equal(graphAnswer(journal.entries[1]), "POST /v1.0/y: 403 Authorization_RequestDenied");
  assert.equal(graphAnswer(journal.entries[0]), "PATCH /v1.0/x: 204");
  assert.equal(graphAnswer(journal.entries[2]), "");
  assert.equal(statusWord("failed"), "Failed, NOT wholly undone");
  assert.equal(journalSummary({ entries: [{ status: "undone", title: "x" }, { status: "undone", title: "y" }] }), "Every change went through; 2 undone.");
  assert.equal(journalSummary({ entries: [{ status: "failed", title: "Create review" }] }), '"Create review" failed (it may not be wholly undone: check the tenant).');
});
