// "Mask names" for shared reports: what the cover and evidence show instead of real names.

/**
 * "adele@contoso.com" → "a•••@c•••.com"; keeps the shape, hides the person and the company.
 * @param {string} upn
 * @returns {string}
 */
export function maskUpn(upn) {
  const at = upn.lastIndexOf("@");
  if (at <= 0) return maskWord(upn);
  const domain = upn.slice(at + 1);
  const dot = domain.lastIndexOf(".");
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : "";
  return `${maskWord(upn.slice(0, at))}@${maskWord(host)}${tld}`;
}

/**
 * @param {string} word
 * @returns {string}
 */
function maskWord(word) {
  return word.length === 0 ? "" : `${[...word][0]}•••`;
}

/**
 * Stable pseudonyms: the same real name always gets the same "Person N" within one report.
 * @returns {(name: string) => string}
 */
export function pseudonymizer() {
  /** @type {Map<string, string>} */
  const seen = new Map();
  return (name) => {
    let alias = seen.get(name);
    if (!alias) {
      alias = `Person ${seen.size + 1}`;
      seen.set(name, alias);
    }
    return alias;
  };
}

/**
 * @typedef {Object} Branding
 * @property {string} consultant_name
 * @property {string} client_display_name
 * @property {string | null} logo_path
 * @property {boolean} mask_names
 */
/**
 * @typedef {Object} Cover
 * @property {string} title
 * @property {string} client
 * @property {string} tenantLine
 * @property {string} preparedBy
 * @property {string} grade
 * @property {number} percent
 * @property {number} coverage
 */

/**
 * What the report cover shows, given the assessment and the branding.
 * @param {{ tenant: { display_name: string, id: string, default_domain: string | null }, score: { grade: string, percent: number, coverage: number } }} assessment
 * @param {Branding} branding
 * @returns {Cover}
 */
export function coverModel(assessment, branding) {
  const clientName = branding.client_display_name.trim();
  const masked = branding.mask_names;
  const client = clientName || (masked ? "Client" : assessment.tenant.display_name);
  const domain = assessment.tenant.default_domain ?? "";
  const tenantLine = masked
    ? `Tenant ${assessment.tenant.id.slice(0, 8)}…`
    : `${assessment.tenant.display_name}${domain ? ` · ${domain}` : ""}`;
  return {
    title: "PIM readiness assessment",
    client,
    tenantLine,
    preparedBy: branding.consultant_name.trim() ? `Prepared by ${branding.consultant_name.trim()}` : "",
    grade: assessment.score.grade,
    percent: assessment.score.percent,
    coverage: assessment.score.coverage,
  };
}
