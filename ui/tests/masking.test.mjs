import { test } from "node:test";
import assert from "node:assert/strict";
import { maskUpn, pseudonymizer, coverModel } from "../js/masking.js";

test("UPNs keep their shape only", () => {
  const cases = [
    ["adele@contoso.com", "a•••@c•••.com"],
    ["lee_fabrikam.com#EXT#@contoso.onmicrosoft.com", "l•••@c•••.com"],
    ["no-at-sign", "n•••"],
    ["8f2c1d7e-3b4a-4c55-9a1e-2f0d6b7c8e91", "8•••"],
  ];
  for (const [input, expected] of cases) assert.equal(maskUpn(input), expected);
});

test("pseudonyms are stable within one report", () => {
  const alias = pseudonymizer();
  assert.deepEqual(["Adele", "Alex", "Adele"].map(alias), ["Person 1", "Person 2", "Person 1"]);
});

const assessment = {
  tenant: { display_name: "Contoso Ltd", id: "7d3c2b1a-5e4f-4a6b-9c8d-0e1f2a3b4c5d", default_domain: "contoso.com" },
  score: { grade: "F", percent: 41.6, coverage: 93.3 },
};
const branding = (o = {}) => ({ consultant_name: "", client_display_name: "", logo_path: null, mask_names: false, ...o });

test("cover preview", () => {
  const cases = [
    [branding(), { client: "Contoso Ltd", tenantLine: "Contoso Ltd · contoso.com", preparedBy: "" }],
    [branding({ consultant_name: " Fourth Coffee Security " }), { client: "Contoso Ltd", tenantLine: "Contoso Ltd · contoso.com", preparedBy: "Prepared by Fourth Coffee Security" }],
    [branding({ mask_names: true }), { client: "Client", tenantLine: "Tenant 7d3c2b1a…", preparedBy: "" }],
    [branding({ mask_names: true, client_display_name: "Retail client" }), { client: "Retail client", tenantLine: "Tenant 7d3c2b1a…", preparedBy: "" }],
  ];
  for (const [b, expected] of cases) {
    const cover = coverModel(assessment, b);
    assert.deepEqual({ client: cover.client, tenantLine: cover.tenantLine, preparedBy: cover.preparedBy }, expected);
    assert.equal(cover.grade, "F");
  }
});

test("hostile names stay plain strings", () => {
  const evil = "<img src=x onerror=alert(1)>".padEnd(200, "x");
  const cover = coverModel({ ...assessment, tenant: { ...assessment.tenant, display_name: evil } }, branding());
  assert.equal(cover.client, evil);
});
