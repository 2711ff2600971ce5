// Pure formatting helpers (unit-tested with `node --test ui/tests`).

/**
 * Money in the price book's currency, two decimals: `formatMoney(40, "USD")` → "$40.00".
 * @param {number} amount
 * @param {string} currency ISO 4217 code
 * @returns {string}
 */
export function formatMoney(amount, currency) {
  if (!Number.isFinite(amount)) return "—";
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
  } catch {
    return `${currency} ${amount.toFixed(2)}`;
  }
}

/**
 * A whole percentage: `formatPercent(41.63)` → "42%".
 * @param {number} value 0–100
 * @returns {string}
 */
export function formatPercent(value) {
  return Number.isFinite(value) ? `${Math.round(value)}%` : "—";
}

/**
 * A date as "26 Nov 2026" (UTC, so reports read the same everywhere).
 * @param {string | null | undefined} iso
 * @returns {string}
 */
export function formatDate(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

/**
 * A date and time as "26 Nov 2026, 09:30 UTC", for lists where one day can hold several.
 * @param {string | null | undefined} iso
 * @returns {string}
 */
export function formatDateTime(iso) {
  const date = formatDate(iso);
  if (date === "—") return date;
  const d = new Date(/** @type {string} */ (iso));
  return `${date}, ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")} UTC`;
}

/**
 * Elapsed time as m:ss.
 * @param {number} ms
 * @returns {string}
 */
export function formatElapsed(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * The per-user monthly price of a cost option: core's `monthly_per_user` (set even when
 * nothing needs buying), else the monthly total over the seats (older assessments).
 * @param {{ monthly: number, seats: number, monthly_per_user?: number }} option
 * @returns {number}
 */
export function unitPrice(option) {
  if (typeof option.monthly_per_user === "number" && Number.isFinite(option.monthly_per_user) && option.monthly_per_user > 0) {
    return option.monthly_per_user;
  }
  return option.seats > 0 ? Math.round((option.monthly / option.seats) * 100) / 100 : 0;
}

/**
 * Totals for a cost option at a given price per user.
 * @param {number} seats
 * @param {number} pricePerUser
 * @returns {{ monthly: number, annual: number }}
 */
export function costTotals(seats, pricePerUser) {
  const price = Number.isFinite(pricePerUser) && pricePerUser >= 0 ? pricePerUser : 0;
  const monthly = Math.round(seats * price * 100) / 100;
  return { monthly, annual: Math.round(monthly * 12 * 100) / 100 };
}

/**
 * Parses a price typed by the user ("9.50", "9,50", "$9.50"); null when it is not a price.
 * @param {string} text
 * @returns {number | null}
 */
export function parsePrice(text) {
  const cleaned = text.trim().replace(/^[^\d.,-]+/, "").replace(",", ".");
  if (!/^\d+(\.\d{0,2})?$/.test(cleaned)) return null;
  return Number(cleaned);
}

/** @type {Record<string, string>} */
export const GRADE_TONE = { A: "good", B: "good", C: "warn", D: "warn", F: "bad" };
