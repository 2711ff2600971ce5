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
