//! Masking user names for reports that travel: `alice@contoso.com` → `a•••@contoso.com`,
//! `Alice Smith` → `A••• S•••`. A pure transform of the assessment, so the PDF, JSON
//! and CSV hide exactly the same things.
//!
//! The promise: no user's UPN or display name appears in a masked report, wherever the
//! assessment mentions it (evidence, plan, seat count, free text). Group, app, role,
//! policy and tenant names stay readable. The property `masking_removes_every_upn`
//! (`tests/properties.rs`) checks it on generated tenants.

use std::borrow::Cow;
use std::collections::BTreeSet;

use pimready_core::assessment::Assessment;
use pimready_core::finding::Evidence;
use pimready_core::history::{AssessmentDiff, StandingAdmin};
use pimready_core::plan::PlanItem;
use pimready_core::snapshot::is_guid;

const DOTS: &str = "•••";

/// `alice@contoso.com` → `a•••@contoso.com`. Text without `@` is masked as a name.
pub fn mask_upn(upn: &str) -> String {
    match upn.rsplit_once('@') {
        // Without a local part the domain is all there is: it names the person, so it is
        // masked like a name (a UPN `@x.example` would otherwise come out whole).
        Some((local, domain)) if !local.is_empty() => {
            let first: String = local.chars().take(1).collect();
            format!("{first}{DOTS}@{domain}")
        }
        _ => mask_display_name(upn),
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

fn is_person_evidence(e: &Evidence) -> bool {
    is_person(&e.object_type) || e.principal_name.as_deref().is_some_and(|p| p.contains('@'))
}

/// The users an assessment names where it says they are users (evidence about a user,
/// the seat count), each name with its masked form. Free text and plan items carry no
/// object type: a known user's name in them is masked too ("approvers: Alice Smith").
#[derive(Debug, Default)]
struct People {
    /// (name, masked), longest name first, so a name inside a longer one is not split.
    names: Vec<(String, String)>,
}

impl People {
    fn of(a: &Assessment) -> Self {
        let mut names: BTreeSet<(String, String)> = BTreeSet::new();
        let mut add = |display_name: Option<&str>, upn: Option<&str>| {
            if let Some(n) = display_name.filter(|n| !n.trim().is_empty()) {
                names.insert((n.to_owned(), mask_display_name(n)));
            }
            if let Some(u) = upn.filter(|u| !u.trim().is_empty()) {
                names.insert((u.to_owned(), mask_upn(u)));
            }
        };
        let evidence = a.checks.iter().flat_map(|f| &f.evidence);
        for e in evidence.filter(|e| is_person_evidence(e)) {
            add(Some(&e.display_name), e.principal_name.as_deref());
        }
        let l = &a.licensing;
        for u in &l.in_scope_users {
            add(u.display_name.as_deref(), u.user_principal_name.as_deref());
        }
        for u in &l.users_without_pim_licence {
            add(u.display_name.as_deref(), u.user_principal_name.as_deref());
        }
        for e in &a.emergency_accounts {
            add(Some(&e.display_name), Some(&e.user_principal_name));
        }
        for u in &a.suggested_approvers {
            add(u.display_name.as_deref(), u.user_principal_name.as_deref());
        }
        let mut names: Vec<(String, String)> = names.into_iter().collect();
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        People { names }
    }

    fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|(n, _)| n == name)
    }

    /// Free text with every UPN-shaped token and every known user's name masked. A name
    /// counts only as a whole word ("Admin" stays in "Administrator").
    fn text(&self, text: &str) -> String {
        let mut out = mask_upns_in_text(&mask_names_beside_upns(text));
        for (name, masked) in &self.names {
            if out.contains(name.as_str()) {
                out = replace_words(&out, name, masked);
            }
        }
        out
    }
}

/// "Name (upn@domain)": a name given with a UPN in parentheses names that person, even
/// when no evidence says so (suggested approvers in a plan step). The name runs back to the
/// nearest list separator.
fn mask_names_beside_upns(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(" (") {
        let (head, after) = (&rest[..open], &rest[open + 2..]);
        let inner = after.find(')').map(|close| &after[..close]);
        let beside_upn = inner.is_some_and(|i| {
            !i.contains(char::is_whitespace)
                && i.rsplit_once('@')
                    .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        });
        if beside_upn {
            let start = [": ", ", ", "; ", "for example "]
                .iter()
                .filter_map(|d| head.rfind(d).map(|i| i + d.len()))
                .max()
                .unwrap_or(0);
            out.push_str(&head[..start]);
            out.push_str(&mask_display_name(&head[start..]));
        } else {
            out.push_str(head);
        }
        out.push_str(" (");
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `text` with each occurrence of `word` that is not part of a longer word replaced.
fn replace_words(text: &str, word: &str, with: &str) -> String {
    if word.is_empty() || !text.contains(word) {
        return text.to_owned();
    }
    let alphanumeric = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (at, _) in text.match_indices(word) {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let inside = (alphanumeric(before) && word.starts_with(char::is_alphanumeric))
            || (alphanumeric(after) && word.ends_with(char::is_alphanumeric));
        out.push_str(&text[done..at]);
        out.push_str(if inside { word } else { with });
        done = at + word.len();
    }
    out.push_str(&text[done..]);
    out
}

fn mask_evidence(e: &Evidence, people: &People) -> Evidence {
    let person = is_person_evidence(e);
    Evidence {
        display_name: if person {
            mask_display_name(&e.display_name)
        } else {
            people.text(&e.display_name)
        },
        // A user's UPN is masked even when it is not e-mail-shaped; an app id stays.
        principal_name: e.principal_name.as_deref().map(|p| {
            if person || p.contains('@') {
                mask_upn(p)
            } else {
                p.to_owned()
            }
        }),
        detail: people.text(&e.detail),
        role: e.role.as_deref().map(|r| people.text(r)),
        assignment_type: e.assignment_type.as_deref().map(|t| people.text(t)),
        ..e.clone()
    }
}

fn mask_plan_item(item: &PlanItem, people: &People) -> PlanItem {
    let person = people.contains(&item.object)
        || item
            .principal_name
            .as_deref()
            .is_some_and(|p| p.contains('@') || people.contains(p));
    PlanItem {
        object: if person {
            mask_display_name(&item.object)
        } else {
            people.text(&item.object)
        },
        principal_name: item.principal_name.as_deref().map(mask_upn),
        action: people.text(&item.action),
        ..item.clone()
    }
}

/// What the data formats (JSON, CSV) render: the assessment itself, or its masked copy.
/// The PDF renderer takes the masking in its options instead.
pub fn for_data(assessment: &Assessment, masking: super::NameMasking) -> Cow<'_, Assessment> {
    match masking {
        super::NameMasking::Clear => Cow::Borrowed(assessment),
        super::NameMasking::Masked => Cow::Owned(mask_assessment(assessment)),
    }
}

/// The assessment with user names masked in evidence, plan items, the seat count and
/// free text. Tenant, role, group and policy names stay readable.
pub fn mask_assessment(assessment: &Assessment) -> Assessment {
    let people = People::of(assessment);
    let mut a = assessment.clone();
    for finding in &mut a.checks {
        finding.summary = people.text(&finding.summary);
        finding.evidence = finding
            .evidence
            .iter()
            .map(|e| mask_evidence(e, &people))
            .collect();
        for m in &mut finding.missing_data {
            m.detail = people.text(&m.detail);
        }
    }
    for step in &mut a.plan {
        step.detail = people.text(&step.detail);
        step.items = step
            .items
            .iter()
            .map(|i| mask_plan_item(i, &people))
            .collect();
    }
    for gap in &mut a.gaps {
        gap.detail = people.text(&gap.detail);
    }
    // The seat count lists the users it counted.
    let l = &mut a.licensing;
    for u in &mut l.in_scope_users {
        u.display_name = u.display_name.as_deref().map(mask_display_name);
        u.user_principal_name = u.user_principal_name.as_deref().map(mask_upn);
        u.why = u.why.iter().map(|w| people.text(w)).collect();
    }
    for u in &mut l.users_without_pim_licence {
        u.display_name = u.display_name.as_deref().map(mask_display_name);
        u.user_principal_name = u.user_principal_name.as_deref().map(mask_upn);
    }
    for e in &mut a.emergency_accounts {
        e.display_name = mask_display_name(&e.display_name);
        e.user_principal_name = mask_upn(&e.user_principal_name);
    }
    for u in &mut a.suggested_approvers {
        u.display_name = u.display_name.as_deref().map(mask_display_name);
        u.user_principal_name = u.user_principal_name.as_deref().map(mask_upn);
    }
    l.verdict = people.text(&l.verdict);
    l.notes = l.notes.iter().map(|n| people.text(n)).collect();
    // The Azure section names the users who hold Azure roles.
    if let Some(az) = &mut a.azure {
        for h in az
            .standing_assignments
            .iter_mut()
            .chain(az.eligible_assignments.iter_mut())
            .filter(|h| h.principal_type.eq_ignore_ascii_case("User"))
        {
            h.principal_name = match h.principal_name.split_once(" (") {
                Some((name, upn)) => format!(
                    "{} ({})",
                    mask_display_name(name),
                    mask_upn(upn.trim_end_matches(')'))
                ),
                None if h.principal_name.contains('@') => mask_upn(&h.principal_name),
                None => mask_display_name(&h.principal_name),
            };
        }
        for g in &mut az.gaps {
            g.detail = people.text(&g.detail);
        }
    }
    a
}

/// The diff with the standing admins' names masked, as [`mask_assessment`] masks
/// evidence: users lose their names and UPNs; apps (an app id, a GUID) keep theirs.
pub fn mask_diff(diff: &AssessmentDiff) -> AssessmentDiff {
    let admin = |a: &StandingAdmin| {
        // An app's principal name is its app id, a GUID; anything else names a user.
        let app = a.principal_name.as_deref().is_some_and(is_guid);
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
        // Found by `masking_removes_every_upn`: a UPN with no local part came out whole,
        // and a name beside its UPN in a plan step stayed.
        check(mask_upn, "@CȺᜥbcd.example", "@•••");
        check(
            mask_names_beside_upns,
            "require approval; approvers: 𑴉\\<IѨc Smith (t@contoso.com), Bob (b@x.io); role (Global Administrator)",
            "require approval; approvers: 𑴉••• S••• (t@contoso.com), B••• (b@x.io); role (Global Administrator)",
        );
        check(
            mask_names_beside_upns,
            "name specific approvers, for example Ada Lovelace (ada@x.io)",
            "name specific approvers, for example A••• L••• (ada@x.io)",
        );
    }

    /// Found by the property `masking_removes_every_upn` (`tests/properties.rs`): the
    /// seat count listed users in clear, and a user's name outside the evidence tables
    /// (a plan item without an e-mail-shaped UPN, the suggested approvers) stayed.
    #[test]
    fn users_named_outside_the_evidence_tables_are_masked() {
        use pimready_core::licensing::{ScopedUser, UserRef};
        let mut a = super::super::sample::demo();
        let (name, upn) = super::super::sample::PEOPLE[3];
        a.licensing.in_scope_users.push(ScopedUser {
            id: "u-quentin".into(),
            display_name: Some("Quentin Blake".into()),
            user_principal_name: Some("quentin.blake@contoso.com".into()),
            why: vec!["eligible for Global Administrator".into()],
        });
        a.licensing.users_without_pim_licence.push(UserRef {
            id: "u-quentin".into(),
            display_name: Some("Quentin Blake".into()),
            user_principal_name: Some("quentin.blake@contoso.com".into()),
        });
        let step = &mut a.plan[0];
        step.items.push(PlanItem {
            object: "Quentin Blake".into(),
            principal_name: None,
            role: None,
            since: None,
            action: format!("Require approval; approvers: {name} ({upn}), Quentin Blake"),
        });
        let masked = mask_assessment(&a);
        let json = serde_json::to_string(&masked).unwrap();
        for leaked in ["Quentin Blake", "quentin.blake@contoso.com", name, upn] {
            assert!(!json.contains(leaked), "{leaked} leaked");
        }
        let item = masked.plan[0].items.last().unwrap();
        assert_eq!(item.object, "Q••• B•••");
        assert_eq!(
            item.action,
            "Require approval; approvers: A••• S••• (a•••@contoso.com), Q••• B•••"
        );
        assert_eq!(
            masked.licensing.in_scope_users.last().unwrap().why,
            ["eligible for Global Administrator"]
        );
    }

    /// The real leak behind the property's first failures: the demo tenant's masked
    /// JSON named 15 of its users (seat count, suggested approvers).
    #[test]
    fn the_demo_tenant_masked_names_none_of_its_users() {
        use pimready_core::snapshot::PrincipalKind;
        let snapshot = pimready_core::demo::snapshot();
        let a = pimready_core::assessment::assess(
            &snapshot,
            &pimready_core::settings::AssessmentSettings::default(),
            &pimready_core::pricebook::PriceBook::default_book(),
        );
        let json = serde_json::to_string(&mask_assessment(&a)).unwrap();
        let users: Vec<_> = snapshot
            .privileged_principals
            .iter()
            .flatten()
            .chain(
                snapshot
                    .privileged_groups
                    .iter()
                    .flatten()
                    .flat_map(|g| g.members.iter().chain(&g.owners)),
            )
            .filter(|p| p.kind() == PrincipalKind::User)
            .collect();
        assert!(users.len() > 10, "{} users", users.len());
        for u in users {
            for name in [&u.display_name, &u.user_principal_name]
                .into_iter()
                .flatten()
            {
                assert!(!json.contains(name.as_str()), "{name} leaked");
            }
        }
    }

    #[test]
    fn a_known_name_is_masked_only_as_a_whole_word() {
        check(
            |t| replace_words(t, "Admin", "A•••"),
            "Admin holds Global Administrator; (Admin)",
            "A••• holds Global Administrator; (A•••)",
        );
        check(
            |t| replace_words(t, "Bob", "B•••"),
            "Bobby, Bob.",
            "Bobby, B•••.",
        );
        check(|t| replace_words(t, ".x!", "•"), "a.x!b", "a•b");
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
