//! Documentation generated from the catalog (README table, report appendix).

use std::fmt::Write as _;

use super::catalog;

/// The README's checks table: id, title, severity, references, minimum licence.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Id | Title | Severity | References | Minimum licence |\n|---|---|---|---|---|\n",
    );
    for c in catalog() {
        let refs: Vec<String> = c.references.iter().map(super::RefDef::label).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            c.id,
            c.title.replace('|', "\\|"),
            c.severity.as_str(),
            refs.join("; "),
            c.minimum_licence.label()
        );
    }
    out
}

/// Replaces the text between `<!-- checks:start -->` and `<!-- checks:end -->`.
pub fn splice_readme(readme: &str, table: &str) -> Option<String> {
    const START: &str = "<!-- checks:start -->";
    const END: &str = "<!-- checks:end -->";
    let start = readme.find(START)? + START.len();
    let end = start + readme[start..].find(END)?;
    Some(format!("{}\n{}{}", &readme[..start], table, &readme[end..]))
}

/// The report appendix: every check with its references, licence, data, rationale and
/// remediation (steps, portal path, Microsoft Graph PowerShell).
pub fn appendix_markdown() -> String {
    let mut out = String::from("# Check catalog\n");
    for c in catalog() {
        let refs: Vec<String> = c.references.iter().map(super::RefDef::label).collect();
        let mut data: Vec<&str> = c.data.iter().map(|d| d.as_str()).collect();
        data.extend(c.data_with_pim.iter().map(|d| d.as_str()));
        let _ = writeln!(out, "\n## {} {}\n", c.id, c.title);
        let _ = writeln!(out, "- Category: {}", c.category.label());
        let _ = writeln!(
            out,
            "- Severity: {} (weight {})",
            c.severity.as_str(),
            c.severity.weight()
        );
        let _ = writeln!(out, "- References: {}", refs.join("; "));
        let _ = writeln!(out, "- Minimum licence: {}", c.minimum_licence.label());
        let _ = writeln!(out, "- Reads: {}", data.join(", "));
        let _ = writeln!(out, "\n{}\n", c.rationale);
        let _ = writeln!(out, "Remediation ({}):\n", c.remediation.portal_path);
        for (n, step) in c.remediation.steps.iter().enumerate() {
            let _ = writeln!(out, "{}. {step}", n + 1);
        }
        let _ = writeln!(out, "\n```powershell\n{}\n```", c.remediation.powershell);
    }
    out
}
