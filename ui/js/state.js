// What the screens read and write: the state of the window.
import { emptyFilter } from "./findings.js";

/** @typedef {import("./findings.js").FindingFilter} FindingFilter */

/**
 * @typedef {Object} State
 * @property {any | null} assessment
 * @property {any | null} settings      the SettingsView from `get_settings`
 * @property {string} screen
 * @property {FindingFilter} filter
 * @property {string | null} selectedFinding
 * @property {{ path: string } | null} lastExport
 * @property {"pdf"|"json"|"csv"} exportFormat
 * @property {string | null} historyTenant  the tenant the History screen shows
 * @property {number[]} compare             at most two assessment ids to compare
 */

/** @type {State} */
export const state = {
  assessment: null,
  settings: null,
  screen: "connect",
  filter: emptyFilter(),
  selectedFinding: null,
  lastExport: null,
  exportFormat: "pdf",
  historyTenant: null,
  compare: [],
};


export const SCREENS = [
  { id: "overview", label: "Overview", icon: "◎" },
  { id: "findings", label: "Findings", icon: "☰" },
  { id: "licensing", label: "Licensing & cost", icon: "¤" },
  { id: "plan", label: "Plan", icon: "✓" },
  { id: "changes", label: "Changes", icon: "⇄" },
  { id: "export", label: "Export", icon: "⇩" },
];

/** Screens that need no assessment on screen. */
export const TOOLS = [
  { id: "history", label: "History", icon: "↺" },
  { id: "portfolio", label: "Portfolio", icon: "▦" },
  { id: "settings", label: "Settings", icon: "⚙" },
];

export const CATEGORY_LABEL = /** @type {Record<string, string>} */ ({
  licensing: "Licensing",
  privileged_accounts: "Privileged accounts",
  pim_assignments: "PIM assignments",
  pim_role_settings: "PIM role settings",
  conditional_access: "Conditional Access",
  azure_resources: "Azure resources",
});
