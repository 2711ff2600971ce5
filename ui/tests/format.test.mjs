import { test } from "node:test";
import assert from "node:assert/strict";
import { formatMoney, formatPercent, formatDate, formatDateTime, formatElapsed, unitPrice, costTotals, parsePrice } from "../js/format.js";

const check = (fn, cases) => { for (const [input, expected] of cases) assert.deepEqual(fn(...input), expected, `${fn.name}(${JSON.stringify(input)})`); };

test("money", () => check(formatMoney, [
  [[40, "USD"], "$40.00"],
  [[1234.5, "USD"], "$1,234.50"],
  [[480, "EUR"], "€480.00"],
  [[0, "USD"], "$0.00"],
  [[Number.NaN, "USD"], "—"],
  [[10, "NOT-A-CODE"], "NOT-A-CODE 10.00"],
]));

test("percent", () => check(formatPercent, [[[41.63], "42%"], [[100], "100%"], [[0], "0%"], [[Number.NaN], "—"]]));

test("date", () => check(formatDate, [[["2026-11-26T09:30:00Z"], "26 Nov 2026"], [[null], "—"], [["garbage"], "—"]]));
test("date and time", () => check(formatDateTime, [[["2026-11-26T09:05:59Z"], "26 Nov 2026, 09:05 UTC"], [["2026-11-26T23:30:00+02:00"], "26 Nov 2026, 21:30 UTC"], [[undefined], "—"], [["garbage"], "—"]]));

test("elapsed", () => check(formatElapsed, [[[0], "0:00"], [[61_500], "1:01"], [[-5], "0:00"]]));

test("unit price from a cost option", () => check(unitPrice, [
  [[{ monthly: 40, seats: 4 }], 10], [[{ monthly: 65.6, seats: 4 }], 16.4], [[{ monthly: 0, seats: 0 }], 0],
  // A covered tenant buys nothing, but the list price is still known.
  [[{ monthly: 0, seats: 0, monthly_per_user: 10 }], 10], [[{ monthly: 60, seats: 6, monthly_per_user: 10 }], 10],
  [[{ monthly: 40, seats: 4, monthly_per_user: 0 }], 10],
]));

test("totals follow the price live", () => check(costTotals, [
  [[4, 10], { monthly: 40, annual: 480 }],
  [[4, 9.99], { monthly: 39.96, annual: 479.52 }],
  [[4, -1], { monthly: 0, annual: 0 }],
  [[0, 12], { monthly: 0, annual: 0 }],
]));

test("typed prices", () => check(parsePrice, [
  [["9.50"], 9.5], [["9,50"], 9.5], [["$12"], 12], [[" 10 "], 10],
  [["abc"], null], [["-3"], null], [["1.234"], null], [[""], null],
]));
