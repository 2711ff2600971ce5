//! Masking user names for reports that travel: `alice@contoso.com` → `a•••@contoso.com`,
//! `Alice Smith` → `A••• S•••`. A pure transform of the assessment, so the PDF, JSON
//! and CSV hide exactly the same things.

use crate::assessment::Assessment;
use crate::finding::Evidence;
use crate::history::{AssessmentDiff, StandingAdmin};
use crate::plan::PlanItem;

const DOTS: &str = "•••";

/// `alice@contoso.com` → `a•••@contoso.com`. Text without `@` is masked as a name.
pub fn mask_upn(upn: &str) -> String {
    match upn.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}{DOTS}@{domain}")
        }
        None => mask_display_name(upn),
    }
}

/// `Alice Smith` → `A••• S•••`: each word keeps its first letter.
pub fn mask_display_name(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            let first: String = word.chars().take(1).collect();
            format!("{first}{DOTS}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Masks every e-mail-like token (a UPN) inside free text, keeping the rest.
pub fn mask_upns_in_text(text: &str) -> String {
    if !text.contains('@') {
        return text.to_owned();
    }
    let is_part =
        |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '\'' | '#' | '@');
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        let trimmed = token.trim_end_matches('.');
        let tail = &token[trimmed.len()..];
        match trimmed.split_once('@') {
            Some((local, domain)) if !local.is_empty() && domain.contains('.') => {
                out.push_str(&mask_upn(trimmed));
                out.push_str(tail);
            }
            _ => out.push_str(token),
        }
        token.clear();
    };
    for c in text.chars() {
        if is_part(c) {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

fn is_person(object_type: &str) -> bool {
    matches!(object_type, "user" | "guest" | "member")
}

fn mask_evidence(e: &Evidence) -> Evidence {
    let person =
        is_person(&e.object_type) || e.principal_name.as_deref().is_some_and(|p| p.contains('@'));
    Evidence {
        display_name: if person {
            mask_display_name(&e.display_name)
        } else {
            mask_upns_in_text(&e.display_name)
        },
        principal_name: e.principal_name.as_deref().map(|p| {
            if p.contains('@') {
                mask_upn(p)
            } else {
                p.to_owned()
            }
        }),
        detail: mask_upns_in_text(&e.detail),
        role: e.role.as_deref().map(mask_upns_in_text),
        assignment_type: e.assignment_type.as_deref().map(mask_upns_in_text),
        ..e.clone()
    }
}

fn mask_plan_item(item: &PlanItem) -> PlanItem {
    let person = item
        .principal_name
        .as_deref()
        .is_some_and(|p| p.contains('@'));
    PlanItem {
        object: if person {
            mask_display_name(&item.object)
        } else {
            mask_upns_in_text(&item.object)
        },
        principal_name: item.principal_name.as_deref().map(mask_upn),
        action: mask_upns_in_text(&item.action),
        ..item.clone()
    }
}

/// The assessment with user names masked in evidence, plan items and free text.
/// Tenant, role, group and policy names stay readable.
pub fn mask_assessment(assessment: &Assessment) -> Assessment {
    let mut a = assessment.clone();
    for finding in &mut a.checks {
        finding.summary = mask_upns_in_text(&finding.summary);
        finding.evidence = finding.evidence.iter().map(mask_evidence).collect();
        for m in &mut finding.missing_data {
            m.detail = mask_upns_in_text(&m.detail);
        }
    }
    for step in &mut a.plan {
        step.detail = mask_upns_in_text(&step.detail);
        step.items = step.items.iter().map(mask_plan_item).collect();
    }
    for gap in &mut a.gaps {
        gap.detail = mask_upns_in_text(&gap.detail);
    }
    a
}

/// The diff with the standing admins' names masked, as [`mask_assessment`] masks
/// evidence: users lose their names and UPNs; apps (an app id, no `@`) keep theirs.
pub fn mask_diff(diff: &AssessmentDiff) -> AssessmentDiff {
    let admin = |a: &StandingAdmin| {
        let app = a
            .principal_name
            .as_deref()
            .is_some_and(|p| !p.contains('@'));
        StandingAdmin {
            display_name: if app {
                a.display_name.clone()
            } else {
                mask_display_name(&a.display_name)
            },
            principal_name: a
                .principal_name
                .as_deref()
                .map(|p| if app { p.to_owned() } else { mask_upn(p) }),
            ..a.clone()
        }
    };
    let mut d = diff.clone();
    d.standing_admins.added = d.standing_admins.added.iter().map(admin).collect();
    d.standing_admins.removed = d.standing_admins.removed.iter().map(admin).collect();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: fn(&str) -> String, input: &str, expected: &str) {
        assert_eq!(f(input), expected, "input: {input}");
    }

    #[test]
    fn masks_upns_and_names() {
        check(mask_upn, "alice@contoso.com", "a•••@contoso.com");
        check(mask_upn, "ζωή.παπαδοπούλου@contoso.gr", "ζ•••@contoso.gr");
        check(mask_display_name, "Alice Smith", "A••• S•••");
        check(mask_display_name, "Дмитрий Иванов", "Д••• И•••");
        check(
            mask_upns_in_text,
            "Owned by bob@contoso.com.",
            "Owned by b•••@contoso.com.",
        );
        check(
            mask_upns_in_text,
            "(carol@x.io, dan@x.io)",
            "(c•••@x.io, d•••@x.io)",
        );
        check(mask_upns_in_text, "no at sign", "no at sign");
        check(mask_upns_in_text, "see @mention", "see @mention");
    }

    #[test]
    fn masked_assessment_contains_no_upn_or_user_name_from_the_input() {
        let a = super::super::sample::demo();
        let masked = mask_assessment(&a);
        let json = serde_json::to_string(&masked).unwrap();
        for f in &a.checks {
            for e in &f.evidence {
                if let Some(upn) = e.principal_name.as_deref().filter(|p| p.contains('@')) {
                    assert!(!json.contains(upn), "{upn} leaked");
                    assert!(!json.contains(&e.display_name), "{} leaked", e.display_name);
                }
            }
        }
        assert!(json.contains("Contoso Ltd"));
    }
}
