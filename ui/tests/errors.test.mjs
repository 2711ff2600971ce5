// The error panel's advice.
import assert from "node:assert/strict";
import test from "node:test";

import { adviceFor } from "../js/errors.js";

test("an error's own hint is shown instead of its kind's generic advice", () => {
  assert.equal(adviceFor({ kind: "invalid_input", message: "m", hint: "type contoso.com to confirm" }), "type contoso.com to confirm");
});

test("without a hint, the kind's advice; an unknown kind advises nothing", () => {
  assert.equal(adviceFor({ kind: "invalid_input" }), "Check what you entered.");
  assert.equal(adviceFor({ kind: "network", hint: null }), "Check the network connection and try again.");
  assert.equal(adviceFor({ kind: "network", hint: "" }), "Check the network connection and try again.");
  assert.equal(adviceFor({ kind: "something_new" }), "");
});
