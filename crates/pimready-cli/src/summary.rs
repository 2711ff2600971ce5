//! The terminal summary of an assessment: score, licence verdict, cost, failing checks.

use std::fmt::Write as _;

use pimready_core::assessment::Assessment;
use pimready_core::finding::Status;

/// Plain text, no colour: it also goes to logs and pipes.
pub fn render(a: &Assessment) -> String {
    let mut out = String::new();
    let domain = a.tenant.default_domain.as_deref().unwrap_or("");
    let _ = writeln!(
        out,
        "{} ({domain}) — assessed {}",
        a.tenant.display_name,
        a.assessed_at.format("%Y-%m-%d %H:%M UTC")
    );
    let _ = writeln!(
        out,
        "Readiness score: {:.1}% (grade {}), coverage {:.0}%",
        a.score.percent, a.score.grade, a.score.coverage
    );
    let _ = writeln!(
        out,
        "Standing admins: {}, eligible admins: {}, Global Administrators: {}, emergency accounts: {}",
        a.headline.standing_admins,
        a.headline.eligible_admins,
        a.headline.global_admins,
        a.headline.emergency_accounts
    );
    let _ = writeln!(
        out,
        "\nLicensing: {}. {}",
        a.licence_verdict().label,
        a.licensing.verdict
    );
    let _ = writeln!(
        out,
        "  seats available {}, users in PIM scope {}, shortfall {}",
        a.licensing.seats.available, a.licensing.seats.in_scope, a.licensing.seats.shortfall
    );
    let _ = writeln!(out, "Cost: {}", a.cost.recommendation);
    let options = a.cost.options.iter().filter(|o| o.available && o.seats > 0);
    for o in options {
        let mark = if o.recommended { "*" } else { " " };
        let _ = writeln!(
            out,
            "  {mark} {:<48} {:>4} seats  {} {:>10.2}/month  {:>11.2}/year{}",
            o.name,
            o.seats,
            a.cost.currency,
            o.monthly,
            o.annual,
            o.upgrade_label(|v| format!("{} {v:.2}", a.cost.currency))
                .map(|l| format!(
                    "  ({} {:.2}/user: {l})",
                    a.cost.currency, o.monthly_per_user
                ))
                .unwrap_or_default()
        );
    }
    let failing: Vec<_> = a
        .checks
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Warning))
        .collect();
    let _ = writeln!(
        out,
        "\nChecks: {} pass, {} warning, {} fail, {} requires P2, {} not assessed, {} not applicable",
        count(a, Status::Pass),
        count(a, Status::Warning),
        count(a, Status::Fail),
        count(a, Status::NotLicensed),
        count(a, Status::NotAssessed),
        count(a, Status::NotApplicable)
    );
    for f in failing {
        let _ = writeln!(
            out,
            "  {:<7} {:<8} {:<8} {}",
            f.id,
            f.status.as_str(),
            f.severity.as_str(),
            f.summary
        );
    }
    for f in a.checks.iter().filter(|f| f.status == Status::NotAssessed) {
        let why = f.missing_data.first().map_or_else(String::new, |m| {
            format!(" ({}: {})", m.dataset, m.reason.as_str())
        });
        let _ = writeln!(out, "  {:<7} not assessed{why}", f.id);
    }
    if !a.gaps.is_empty() {
        let _ = writeln!(out, "\nData that could not be read:");
        for g in &a.gaps {
            let _ = writeln!(
                out,
                "  {:<38} {:<17} {}",
                g.dataset.as_str(),
                g.reason.as_str(),
                g.detail
            );
        }
    }
    if let Some(first) = a.plan.first() {
        let _ = writeln!(out, "\nNext step: {}", first.title);
    }
    out
}

fn count(a: &Assessment, s: Status) -> usize {
    a.checks.iter().filter(|f| f.status == s).count()
}

/// The change-set in a few lines: what will be sent, what will not and why.
pub fn change_set(cs: &pimready_core::remediation::ChangeSet) -> String {
    let mut out = String::new();
    let order = cs.apply_order(None);
    let _ = writeln!(
        out,
        "{} ({}): {} change(s), {} ready to apply, {} waiting on a precondition.",
        cs.tenant.display_name,
        cs.tenant.id,
        cs.changes.len(),
        order.len(),
        cs.changes.len() - order.len()
    );
    for c in &order {
        let _ = writeln!(out, "  ready    {}", c.title);
    }
    for c in cs.changes.iter().filter(|c| !c.applicable()) {
        let why: Vec<&str> = c.unmet().map(|p| p.description.as_str()).collect();
        let _ = writeln!(out, "  waiting  {} — {}", c.title, why.join("; "));
    }
    for g in &cs.guidance {
        let _ = writeln!(out, "  advice   {}: {}", g.target.name, g.advice);
    }
    if !cs.resolves.is_empty() {
        let _ = writeln!(
            out,
            "Once applied, these checks pass: {}.",
            cs.resolves.join(", ")
        );
    }
    let scopes = cs.sign_in_scopes();
    if !scopes.is_empty() {
        let _ = writeln!(
            out,
            "Permissions the scripts sign in with: {}.",
            scopes.join(", ")
        );
    }
    out.push_str("The remediation script runs as -WhatIf unless given -Apply; review it first.\n");
    out
}
