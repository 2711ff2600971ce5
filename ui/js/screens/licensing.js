// The Licensing screen.
import { h } from "../dom.js";
import { costTotals, formatMoney, parsePrice, unitPrice } from "../format.js";
import { asAppError, call } from "../ipc.js";
import { pageHeader, toast } from "../shell.js";
import { state } from "../state.js";

export function licensingScreen() {
  const a = state.assessment;
  const currency = a.cost.currency;
  const overrides = state.settings?.settings.price_overrides ?? {};
  // Nothing to buy: seats and totals would all be zero, so only the list prices are shown.
  const covered = Boolean(a.cost.covered);
  /** @type {number | undefined} */
  let saveTimer;

  const rows = a.cost.options.map((/** @type {any} */ o) => {
    const initial = overrides[o.path] ?? unitPrice(o);
    const monthlyCell = h("td", { class: "num" });
    const annualCell = h("td", { class: "num strong" });
    const input = /** @type {HTMLInputElement} */ (h("input", { class: "price-input", inputmode: "decimal", value: initial.toFixed(2), "aria-label": `Price per user per month for ${o.name}` }));
    const update = () => {
      const price = parsePrice(input.value);
      input.setAttribute("aria-invalid", price === null ? "true" : "false");
      const t = costTotals(o.seats, price ?? 0);
      monthlyCell.textContent = formatMoney(t.monthly, currency);
      annualCell.textContent = formatMoney(t.annual, currency);
      return price;
    };
    input.addEventListener("input", () => {
      const price = update();
      if (price === null || !state.settings) return;
      clearTimeout(saveTimer);
      saveTimer = window.setTimeout(() => savePriceOverride(o.path, price), 600);
    });
    update();
    return h("tr", { class: o.recommended ? "recommended" : !o.available ? "unavailable" : "" },
      h("th", { scope: "row" }, o.name, o.recommended ? h("span", { class: "badge status-pass" }, "Recommended") : null, h("div", { class: "muted small" }, o.includes)),
      h("td", { class: "small" }, o.available ? o.reason : h("span", { class: "muted" }, o.reason)),
      covered ? null : h("td", { class: "num" }, String(o.seats)),
      h("td", { class: "num" }, input,
        // An upgrade price (E3 → E5) is labelled, with the full price beside it.
        o.upgrade_from ? h("div", { class: "muted small" }, `Upgrade from ${o.upgrade_from}; full price ${formatMoney(o.full_monthly_per_user, currency)}`) : null),
      covered ? null : monthlyCell, covered ? null : annualCell);
  });
  const columns = covered ? ["Option", "Fit", "Per user / month"] : ["Option", "Fit", "Seats", "Per user / month", "Monthly", "Annual"];

  return h("div", { class: "screen licensing" },
    pageHeader("Licensing & cost", `Prices in ${currency}, list prices checked on ${a.cost.prices_checked_on}. Edit a price to use your own agreement; it is saved to your price book.`),
    h("section", { class: "panel" },
      h("h2", { id: "cost-title" }, covered ? "Other licensing paths, for reference" : "Options to cover the shortfall"),
      h("p", {}, a.cost.recommendation),
      h("div", { class: "table-wrap" }, h("table", { class: "cost-table", "aria-labelledby": "cost-title" },
        h("thead", {}, h("tr", {}, columns.map((c, i) => h("th", { scope: "col", class: i >= 2 ? "num" : "" }, c)))),
        h("tbody", {}, rows)))),
    h("section", { class: "panel" },
      h("h2", {}, "Licences in the tenant"),
      h("p", { class: "muted" }, `${a.licensing.seats.available} PIM seats available for ${a.licensing.seats.in_scope} users in PIM scope (shortfall ${a.licensing.seats.shortfall}).`),
      h("div", { class: "table-wrap" }, h("table", {},
        h("thead", {}, h("tr", {}, ["Product", "SKU", "Entra plans", "Status", "Enabled", "Consumed", "Counts for PIM"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, a.licensing.sources.map((/** @type {any} */ s) => h("tr", {},
          h("th", { scope: "row" }, s.product_name), h("td", { class: "mono small" }, s.sku_part_number),
          h("td", { class: "small" }, s.plans.join(", ")), h("td", {}, s.capability_status),
          h("td", { class: "num" }, String(s.enabled_units)), h("td", { class: "num" }, String(s.consumed_units)),
          h("td", {}, s.counted && s.plans.some((/** @type {string} */ p) => p !== "AAD_PREMIUM") ? "Yes" : "No"))))))));
}

/**
 * @param {string} path
 * @param {number} price
 */
async function savePriceOverride(path, price) {
  const settings = structuredClone(state.settings.settings);
  settings.price_overrides[path] = price;
  try {
    state.settings = await call("save_settings", { settings });
    toast("Price saved to your price book.");
  } catch (e) {
    toast(asAppError(e).message, "error");
  }
}
