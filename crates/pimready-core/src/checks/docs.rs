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
