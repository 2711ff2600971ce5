// The Export screen.
import { h, replace, svg } from "../dom.js";
import { GRADE_TONE, formatDate, formatPercent } from "../format.js";
import { asAppError, call } from "../ipc.js";
import { coverModel } from "../masking.js";
import { pageHeader, toast } from "../shell.js";
import { state } from "../state.js";

export function exportScreen() {
  const a = state.assessment;
  const branding = structuredClone(state.settings?.settings.branding ?? { consultant_name: "", client_display_name: "", logo_path: null, mask_names: false });
  const preview = h("div", { class: "cover-preview", "aria-label": "Cover preview", role: "img" });
  const drawPreview = () => {
    const c = coverModel(a, branding);
    preview.setAttribute("aria-label", `Cover preview: ${c.title}, ${c.client}, grade ${c.grade}`);
    replace(preview,
      h("div", { class: "cover-band" }, h("img", { src: "assets/logo.svg", alt: "", width: 28, height: 28 }), h("span", {}, "PIM Ready")),
      h("p", { class: "cover-kicker" }, c.title),
      h("p", { class: "cover-client" }, c.client),
      h("p", { class: "cover-tenant" }, c.tenantLine),
      h("div", { class: `cover-grade tone-${GRADE_TONE[c.grade] ?? "warn"}` }, h("span", {}, c.grade), h("small", {}, `${formatPercent(c.percent)} · coverage ${formatPercent(c.coverage)}`)),
      h("p", { class: "cover-foot" }, c.preparedBy || "\u00a0", h("br", {}), formatDate(a.assessed_at)));
  };
  drawPreview();

  /** @type {number | undefined} */
  let saveTimer;
  const persist = () => {
    drawPreview();
    if (!state.settings) return;
    clearTimeout(saveTimer);
    saveTimer = window.setTimeout(async () => {
      const settings = { ...structuredClone(state.settings.settings), branding };
      try { state.settings = await call("save_settings", { settings }); } catch (e) { toast(asAppError(e).message, "error"); }
    }, 500);
  };
  const consultant = /** @type {HTMLInputElement} */ (h("input", { id: "consultant", value: branding.consultant_name, maxlength: 120, oninput: () => { branding.consultant_name = consultant.value; persist(); } }));
  const client = /** @type {HTMLInputElement} */ (h("input", { id: "client-name", value: branding.client_display_name, maxlength: 120, placeholder: a.tenant.display_name, oninput: () => { branding.client_display_name = client.value; persist(); } }));
  const mask = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", id: "mask-names", checked: branding.mask_names, onchange: () => { branding.mask_names = mask.checked; persist(); } }));

  const result = h("div", { class: "export-result", "aria-live": "polite" });
  const showResult = () => replace(result, state.lastExport ? h("div", { class: "notice ok" },
    h("p", {}, "Saved ", h("span", { class: "mono", id: "export-path" }, state.lastExport.path)),
    h("button", { onclick: () => call("show_in_folder", { path: state.lastExport?.path }).catch((e) => toast(asAppError(e).message, "error")) }, "Show in folder")) : []);
  showResult();
  /** @param {"reports_folder" | "save_as"} destination */
  const run = async (destination) => {
    replace(result, h("p", { class: "muted", role: "status" }, "Writing the report…"));
    try {
      state.lastExport = await call("export_report", { format: state.exportFormat, destination });
      showResult();
      toast("Report saved.");
    } catch (e) {
      const err = asAppError(e);
      if (err.kind === "cancelled") showResult();
      else replace(result, h("div", { class: "notice bad", role: "alert" }, err.message));
    }
  };

  const formats = h("div", { class: "segmented", role: "radiogroup", "aria-label": "Format" }, /** @type {const} */ (["pdf", "json", "csv"]).map((f) => {
    const id = `format-${f}`;
    return h("label", { for: id, class: "segment" },
      h("input", { type: "radio", name: "format", id, value: f, checked: state.exportFormat === f, onchange: () => { state.exportFormat = f; } }),
      h("span", {}, f.toUpperCase()));
  }));

  return h("div", { class: "screen export" },
    pageHeader("Export the report", "A PDF for people, JSON and CSV for other tools."),
    h("div", { class: "export-grid" },
      h("section", { class: "panel" },
        h("h2", {}, "Format"), formats,
        h("p", { class: "muted small" }, "Reports folder: ", h("span", { class: "mono" }, state.settings?.reports_folder ?? "…")),
        h("div", { class: "row" },
          h("button", { class: "primary", id: "export-to-folder", onclick: () => run("reports_folder") }, "Export to reports folder"),
          h("button", { id: "export-save-as", onclick: () => run("save_as") }, "Save as…")),
        result,
        h("h2", {}, "Branding"),
        h("label", { for: "consultant" }, "Prepared by (consultant or company)"), consultant,
        h("label", { for: "client-name" }, "Client name on the cover"), client,
        h("div", { class: "check-row" }, mask, h("label", { for: "mask-names" }, "Mask names (people become “Person 1”, accounts are shortened)"))),
      h("section", { class: "panel preview-panel", "aria-labelledby": "preview-title" }, h("h2", { id: "preview-title" }, "Cover preview"), preview)));
}
