//! The readiness plan: ordered steps derived from the findings. Pure.
//!
//! Order: licences → emergency-access accounts → permanent to eligible → GA/PRA role
//! settings → other roles' settings → alerts → access reviews → Conditional Access →
//! account hygiene → data gaps. Each step names the checks it fixes and its objects.
//! A tenant with nothing open gets one "ready" step saying what to keep watching.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cost::CostEstimate;
use crate::finding::{Finding, Status};
use crate::licensing::Licensing;
use crate::privileged::{
    GLOBAL_ADMINISTRATOR, HoldingKind, PRIVILEGED_ROLE_ADMINISTRATOR, PrivilegedPopulation,
};
use crate::snapshot::PrincipalKind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanItem {
    pub object: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanStep {
    pub order: u32,
    pub title: String,
    pub detail: String,
    /// Check ids this step fixes.
    pub checks: Vec<String>,
    pub items: Vec<PlanItem>,
}

/// Something to fix: failed, warned, or absent for want of a licence.
fn is_open(f: &Finding) -> bool {
    matches!(
        f.status,
        Status::Fail | Status::Warning | Status::NotLicensed
    )
}

fn item(object: impl Into<String>, action: impl Into<String>) -> PlanItem {
    PlanItem {
        object: object.into(),
        principal_name: None,
        role: None,
        since: None,
        action: action.into(),
    }
}

struct Open<'a> {
    findings: &'a [Finding],
}

impl<'a> Open<'a> {
    fn get(&self, id: &str) -> Option<&'a Finding> {
        self.findings.iter().find(|f| f.id == id && is_open(f))
    }

    fn any(&self, ids: &[&str]) -> Vec<&'a Finding> {
        ids.iter().filter_map(|id| self.get(id)).collect()
    }
}

fn ids(findings: &[&Finding]) -> Vec<String> {
    findings.iter().map(|f| f.id.clone()).collect()
}

const GA_NAME: &str = "Global Administrator";
const PRA_NAME: &str = "Privileged Role Administrator";

/// Builds the plan. `cost` supplies the recommended licensing path.
pub fn plan(
    findings: &[Finding],
    population: &PrivilegedPopulation,
    licensing: &Licensing,
    cost: &CostEstimate,
) -> Vec<PlanStep> {
    let open = Open { findings };
    let mut steps: Vec<(String, String, Vec<String>, Vec<PlanItem>)> = Vec::new();

    // 1. Licences.
    let lic = open.any(&["LIC-01", "LIC-02"]);
    if !lic.is_empty() {
        let s = &licensing.seats;
        let mut items: Vec<PlanItem> = cost
            .options
            .iter()
            .filter(|o| o.recommended)
            .map(|o| {
                item(
                    o.name.clone(),
                    format!(
                        "Buy {} seats ({:.2} {} a month, {:.2} a year); {}",
                        o.seats, o.monthly, cost.currency, o.annual, o.includes
                    ),
                )
            })
            .collect();
        if items.is_empty() {
            items.push(item(
                "Entra ID P2 or Governance seats",
                format!("Cover {} more users in PIM scope", s.shortfall.max(1)),
            ));
        }
        let detail = format!(
            "{} PIM-capable seats available for {} users in PIM scope (shortfall {}). {}",
            s.available, s.in_scope, s.shortfall, cost.recommendation
        );
        steps.push((
            "Get Entra ID P2 or Governance licences for everyone in PIM scope".to_owned(),
            detail,
            ids(&lic),
            items,
        ));
    }

    // 2. Emergency-access accounts.
    if let Some(f) = open.get("ADM-02") {
        let mut items: Vec<PlanItem> = population
            .emergency_accounts
            .iter()
            .map(|a| {
                let action = match (a.origin, a.well_formed) {
                    (crate::privileged::EmergencyOrigin::Detected, true) => "Looks like an emergency account: designate it to exempt it",
                    (crate::privileged::EmergencyOrigin::Designated, true) => "Keep: cloud-only, permanent Global Administrator",
                    (_, false) => "Make it an enabled, cloud-only account with a permanent Global Administrator assignment, or replace it",
                };
                PlanItem { principal_name: Some(a.user_principal_name.clone()), role: Some(GA_NAME.to_owned()), ..item(a.display_name.clone(), action) }
            })
            .collect();
        items.extend(population.designated_not_found.iter().map(|u| {
            item(
                u.clone(),
                "Designated but not found: check the UPN or give it Global Administrator",
            )
        }));
        items.extend(population.suggested_emergency_accounts.iter().map(|a| PlanItem {
            principal_name: Some(a.user_principal_name.clone()),
            role: Some(GA_NAME.to_owned()),
            ..item(
                a.display_name.clone(),
                "Looks like an emergency account: if it is one, designate it (--emergency-account or Settings); until then it is not exempted",
            )
        }));
        let known =
            population.emergency_accounts.len() + population.suggested_emergency_accounts.len();
        let missing = 2usize.saturating_sub(known);
        for n in 0..missing {
            items.push(item(
                format!("New emergency-access account {}", known + n + 1),
                "Create a cloud-only *.onmicrosoft.com account without licences, with permanent Global Administrator, phishing-resistant credentials stored apart, excluded from lock-out policies, sign-ins alerted",
            ));
        }
        if population.emergency_accounts.len() > 2 {
            items.push(item("Extra accounts", "Keep exactly two emergency-access accounts; make the others eligible or remove them"));
        }
        steps.push((
            "Have exactly two emergency-access accounts".to_owned(),
            "Do this before removing standing access, so the tenant stays reachable if PIM, MFA or federation fail.".to_owned(),
            vec![f.id.clone()],
            items,
        ));
    }

    // 3. Permanent → eligible.
    let assign = open.any(&["PIM-01", "PIM-02", "PIM-03"]);
    if !assign.is_empty() {
        let emergency = |id: &str| {
            population
                .emergency_accounts
                .iter()
                .any(|e| e.principal_id.eq_ignore_ascii_case(id))
        };
        let mut items = Vec::new();
        if open.get("PIM-01").is_some() {
            items.extend(
                population
                    .holdings
                    .iter()
                    .filter(|h| h.highly_privileged && h.holding == HoldingKind::PermanentActive && h.kind == PrincipalKind::User)
                    .filter(|h| h.via_group.is_none() && !emergency(&h.principal_id))
                    .map(|h| PlanItem {
                        object: h.principal.as_ref().map_or_else(|| h.principal_id.clone(), |p| p.name().to_owned()),
                        principal_name: h.principal.as_ref().and_then(|p| p.user_principal_name.clone()),
                        role: Some(h.role_name.clone()),
                        since: h.start,
                        action: "Create an eligible assignment, have the user activate once, then remove the permanent active assignment".to_owned(),
                    }),
            );
        }
        for (id, action) in [
            (
                "PIM-02",
                "Re-create the assignment through PIM (eligible where possible) and remove the original; stop the tool that made it",
            ),
            (
                "PIM-03",
                "Make the group membership eligible through PIM for Groups and remove the permanent membership",
            ),
        ] {
            if let Some(f) = open.get(id) {
                items.extend(f.evidence.iter().map(|e| PlanItem {
                    object: e.display_name.clone(),
                    principal_name: e.principal_name.clone(),
                    role: e.role.clone(),
                    since: e.start,
                    action: action.to_owned(),
                }));
            }
        }
        let detail = if licensing.pim_capable {
            "Every administrator becomes eligible and activates for a few hours when needed; only the emergency-access accounts stay permanent."
        } else {
            "Once P2 is in place: every administrator becomes eligible and activates when needed; only the emergency-access accounts stay permanent."
        };
        steps.push((
            "Convert permanent assignments to eligible".to_owned(),
            detail.to_owned(),
            ids(&assign),
            items,
        ));
    }

    // 4 and 5. Role settings.
    let settings_checks = ["PIM-04", "PIM-05", "PIM-06", "PIM-07", "PIM-08", "PIM-09"];
    let settings = open.any(&settings_checks);
    if !settings.is_empty() {
        let approvers = suggested_approvers(population);
        let (top, other) = role_setting_items(&settings, &approvers);
        if !top.is_empty() {
            let relevant: Vec<&Finding> = settings
                .iter()
                .copied()
                .filter(|f| {
                    f.status == Status::NotLicensed
                        || f.evidence.iter().any(|e| is_top_role(e.role.as_deref()))
                })
                .collect();
            steps.push((
                "Harden Global Administrator and Privileged Role Administrator settings".to_owned(),
                "Approval with named approvers, activation of 1–4 hours (8 at most), MFA and a justification on activation, no permanent active assignment.".to_owned(),
                ids(&relevant),
                top,
            ));
        }
        if !other.is_empty() {
            let relevant: Vec<&Finding> = settings
                .iter()
                .copied()
                .filter(|f| {
                    f.status == Status::NotLicensed
                        || f.evidence.iter().any(|e| !is_top_role(e.role.as_deref()))
                })
                .filter(|f| f.id != "PIM-04" && f.id != "PIM-05")
                .collect();
            steps.push((
                "Harden the other highly privileged roles' settings".to_owned(),
                "Activation of 8 hours at most, MFA and a justification on activation, no permanent active assignment.".to_owned(),
                ids(&relevant),
                other,
            ));
        }
    }

    // 6. Alerts.
    let alerts = open.any(&["PIM-10", "PIM-11", "PIM-12"]);
    if !alerts.is_empty() {
        let mut items = Vec::new();
        for f in &alerts {
            let what = match f.id.as_str() {
                "PIM-10" => {
                    "Notify the security team (additional recipient) when the role is assigned, eligible or active"
                }
                _ => "Notify the security team (additional recipient) when the role is activated",
            };
            if f.evidence.is_empty() {
                let object = if f.id == "PIM-11" {
                    GA_NAME
                } else {
                    "Highly privileged roles"
                };
                items.push(PlanItem {
                    role: Some(object.to_owned()),
                    ..item(object, what)
                });
            }
            items.extend(f.evidence.iter().map(|e| PlanItem {
                role: e.role.clone(),
                ..item(e.display_name.clone(), format!("{what} ({})", e.detail))
            }));
        }
        steps.push((
            "Alert the security team on assignments and activations".to_owned(),
            "Default recipients are the admins themselves; add a monitored mailbox as an additional recipient.".to_owned(),
            ids(&alerts),
            items,
        ));
    }

    // 7. Access reviews.
    if let Some(f) = open.get("PIM-13") {
        let mut items: Vec<PlanItem> = f
            .evidence
            .iter()
            .map(|e| PlanItem {
                role: e.role.clone(),
                ..item(
                    e.display_name.clone(),
                    "Add to a monthly recurring access review with auto-apply",
                )
            })
            .collect();
        if items.is_empty() {
            items.push(item(
                "Global Administrator and the other highly privileged roles in use",
                "Create a monthly recurring access review with auto-apply",
            ));
        }
        steps.push((
            "Review privileged roles every month".to_owned(),
            "Reviewers other than the holders confirm each eligible and active assignment; unreviewed access is removed.".to_owned(),
            vec![f.id.clone()],
            items,
        ));
    }

    // 8. Conditional Access for admins.
    let ca = open.any(&["CA-01", "CA-02", "CA-03"]);
    if !ca.is_empty() {
        let items = ca
            .iter()
            .map(|f| {
                let roles: Vec<&str> = f.evidence.iter().map(|e| e.display_name.as_str()).collect();
                let object = if roles.is_empty() { "Highly privileged roles".to_owned() } else { roles.join(", ") };
                let action = match f.id.as_str() {
                    "CA-01" => "Require MFA (or an authentication strength) on all cloud apps",
                    "CA-02" => "Require the Phishing-resistant MFA authentication strength on all cloud apps",
                    _ => "Set sign-in frequency to 4 hours or less and browser sessions to never persistent",
                };
                item(object, action)
            })
            .collect();
        steps.push((
            "Protect admin sign-ins with Conditional Access".to_owned(),
            "Target the highly privileged roles (directory roles condition), exclude only the emergency-access accounts, test in report-only first.".to_owned(),
            ids(&ca),
            items,
        ));
    }

    // 9. Account hygiene.
    let hygiene_checks = [
        (
            "ADM-01",
            "Bring Global Administrators to two to four: move the others to finer-grained roles",
        ),
        ("ADM-03", "Replace with a cloud-only admin account"),
        (
            "ADM-04",
            "Remove the productivity licence; use a separate daily account",
        ),
        (
            "ADM-05",
            "Move to a finer-grained role than Global Administrator",
        ),
        ("ADM-06", "Remove the role from the guest account"),
        ("ADM-07", "Confirm the role is still needed, else remove it"),
        (
            "ADM-08",
            "Replace the directory role with narrow application permissions",
        ),
    ];
    let hygiene: Vec<&Finding> = hygiene_checks
        .iter()
        .filter_map(|(id, _)| open.get(id))
        .collect();
    if !hygiene.is_empty() {
        let mut items = Vec::new();
        for f in &hygiene {
            let action = hygiene_checks
                .iter()
                .find(|(id, _)| *id == f.id)
                .map_or("", |(_, a)| *a);
            items.extend(f.evidence.iter().map(|e| PlanItem {
                object: e.display_name.clone(),
                principal_name: e.principal_name.clone(),
                role: e.role.clone(),
                since: e.start,
                action: format!("{action} ({}: {})", f.id, e.detail),
            }));
        }
        steps.push((
            "Clean up privileged accounts".to_owned(),
            "Fewer, cloud-only, unlicensed, member accounts in finer-grained roles.".to_owned(),
            ids(&hygiene),
            items,
        ));
    }

    // 10. Data that could not be read.
    let unread: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::NotAssessed)
        .collect();
    if !unread.is_empty() {
        let mut items: Vec<PlanItem> = Vec::new();
        for f in &unread {
            for m in &f.missing_data {
                let action = match &m.missing_scope {
                    Some(scope) => format!(
                        "Grant {scope} and collect again ({}: {})",
                        m.reason.as_str(),
                        m.detail
                    ),
                    None => format!("Collect again ({}: {})", m.reason.as_str(), m.detail),
                };
                if !items
                    .iter()
                    .any(|i| i.object == m.dataset.label() && i.action == action)
                {
                    items.push(item(m.dataset.label(), action));
                }
            }
            if f.missing_data.is_empty() {
                items.push(item(f.id.clone(), f.summary.clone()));
            }
        }
        steps.push((
            "Read what could not be read".to_owned(),
            "These checks were not assessed; the score's coverage shows how much is missing."
                .to_owned(),
            ids(&unread),
            items,
        ));
    }

    if steps.is_empty() {
        let watch = [
            (
                "New permanent assignments",
                "PIM-01",
                "Any assignment made outside PIM or without an end date",
            ),
            (
                "Global Administrator count",
                "ADM-01",
                "Stay between two and four",
            ),
            (
                "Emergency-access accounts",
                "ADM-02",
                "Alert on every sign-in; test them twice a year",
            ),
            (
                "PIM alerts and notifications",
                "PIM-10",
                "Someone reads them",
            ),
            (
                "Access reviews",
                "PIM-13",
                "Completed every month, decisions applied",
            ),
            (
                "Licence seats",
                "LIC-02",
                "Seats grow with the number of eligible administrators",
            ),
        ];
        return vec![PlanStep {
            order: 1,
            title: "Ready: every administrator is just-in-time".to_owned(),
            detail: "Every check passes. Keep watching the items below so the tenant stays ready."
                .to_owned(),
            checks: watch.iter().map(|(_, id, _)| (*id).to_owned()).collect(),
            items: watch.iter().map(|(o, _, a)| item(*o, *a)).collect(),
        }];
    }
    steps
        .into_iter()
        .zip(1u32..)
        .map(|((title, detail, checks, items), order)| PlanStep {
            order,
            title,
            detail,
            checks,
            items,
        })
        .collect()
}

fn is_top_role(role: Option<&str>) -> bool {
    matches!(role, Some(GA_NAME | PRA_NAME))
}

/// Up to three non-emergency users who hold GA or PRA: the natural approvers.
fn suggested_approvers(population: &PrivilegedPopulation) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in &population.holdings {
        let top = h
            .role_template_id
            .eq_ignore_ascii_case(GLOBAL_ADMINISTRATOR)
            || h.role_template_id
                .eq_ignore_ascii_case(PRIVILEGED_ROLE_ADMINISTRATOR);
        let emergency = population
            .emergency_accounts
            .iter()
            .any(|e| e.principal_id.eq_ignore_ascii_case(&h.principal_id));
        if !top || emergency || h.kind != PrincipalKind::User {
            continue;
        }
        let name = match h.principal.as_ref() {
            Some(p) => match &p.user_principal_name {
                Some(upn) => format!("{} ({upn})", p.name()),
                None => p.name().to_owned(),
            },
            None => h.principal_id.clone(),
        };
        if !out.contains(&name) {
            out.push(name);
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}

/// Items for GA/PRA and for the other roles, one per role, merging every open settings check.
fn role_setting_items(
    settings: &[&Finding],
    approvers: &[String],
) -> (Vec<PlanItem>, Vec<PlanItem>) {
    let approval = if approvers.is_empty() {
        "require approval and name at least two approvers (or a security group)".to_owned()
    } else {
        format!(
            "require approval; approvers: {} (an approver cannot approve their own request)",
            approvers.join(", ")
        )
    };
    let action_for = |id: &str, role: &str| -> Option<String> {
        let top = role == GA_NAME || role == PRA_NAME;
        Some(match id {
            "PIM-04" | "PIM-05" => approval.clone(),
            "PIM-06" if role == GA_NAME => {
                "activation at most 8 hours; 1–4 hours suggested".to_owned()
            }
            "PIM-06" if top => "activation at most 4 hours".to_owned(),
            "PIM-06" => "activation at most 8 hours".to_owned(),
            "PIM-07" => "require MFA (or an authentication context) on activation".to_owned(),
            "PIM-08" => "require a justification on activation".to_owned(),
            "PIM-09" => {
                "forbid permanent active assignment (expire after at most 6 months)".to_owned()
            }
            _ => return None,
        })
    };
    // role -> actions, in the order roles first appear.
    let mut roles: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |role: &str, action: String| {
        if let Some((_, actions)) = roles.iter_mut().find(|(r, _)| r == role) {
            if !actions.contains(&action) {
                actions.push(action);
            }
        } else {
            roles.push((role.to_owned(), vec![action]));
        }
    };
    for f in settings {
        if f.status == Status::NotLicensed {
            // Nothing was read: apply the whole recommended setting once P2 is in place.
            let targets: &[&str] = match f.id.as_str() {
                "PIM-04" => &[GA_NAME],
                "PIM-05" => &[PRA_NAME],
                _ => &[GA_NAME, PRA_NAME, "Other highly privileged roles"],
            };
            for role in targets {
                if let Some(a) = action_for(&f.id, role) {
                    add(role, a);
                }
            }
            continue;
        }
        for e in &f.evidence {
            let role = e.role.as_deref().unwrap_or(&e.display_name);
            if let Some(a) = action_for(&f.id, role) {
                add(role, a);
            }
        }
    }
    let mut top = Vec::new();
    let mut other = Vec::new();
    for (role, actions) in roles {
        let mut text = actions.join("; ");
        if let Some(first) = text.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        let it = PlanItem {
            role: Some(role.clone()),
            ..item(role.clone(), text)
        };
        if is_top_role(Some(&role)) {
            top.push(it);
        } else {
            other.push(it);
        }
    }
    top.sort_by_key(|i| i.object != GA_NAME);
    (top, other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::tests::good;
    use crate::cost::CostOption;
    use crate::duration::IsoDuration;
    use crate::licensing::LicencePath;
    use crate::privileged::GLOBAL_ADMINISTRATOR as GA;
    use crate::snapshot::{Dataset, GapReason};

    fn cost() -> CostEstimate {
        CostEstimate {
            currency: "USD".to_owned(),
            prices_checked_on: "2026-11-26".to_owned(),
            options: vec![CostOption {
                path: LicencePath::EntraIdP2,
                name: "Microsoft Entra ID P2".to_owned(),
                available: true,
                reason: "standalone add-on".to_owned(),
                seats: 8,
                monthly: 80.0,
                annual: 960.0,
                recommended: true,
                includes: "PIM, access reviews, Identity Protection".to_owned(),
                monthly_per_user: 10.0,
                replaces_base: false,
                pricing: "per user per month".to_owned(),
                source: "price book".to_owned(),
                price_verified: true,
            }],
            recommended: Some(LicencePath::EntraIdP2),
            recommendation: "Buy 8 Entra ID P2 seats.".to_owned(),
            ..CostEstimate::default()
        }
    }

    fn plan_of(fx: &crate::checks::tests::Fx) -> Vec<PlanStep> {
        plan(&fx.findings(), &fx.population, &fx.licensing, &cost())
    }

    fn titles(steps: &[PlanStep]) -> Vec<&str> {
        steps.iter().map(|s| s.title.as_str()).collect()
    }

    #[test]
    fn all_pass_is_one_ready_step() {
        let steps = plan_of(&good());
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].order, 1);
        assert!(steps[0].title.starts_with("Ready"));
        assert!(!steps[0].items.is_empty(), "says what to keep watching");
    }

    #[test]
    fn tenant_without_p2_gets_licences_first_then_every_step_in_order() {
        let mut fx = good();
        fx.no_p2();
        fx.licensing.seats = crate::licensing::Seats {
            available: 0,
            in_scope: 8,
            shortfall: 8,
            ..Default::default()
        };
        let steps = plan_of(&fx);
        assert_eq!(
            titles(&steps),
            [
                "Get Entra ID P2 or Governance licences for everyone in PIM scope",
                "Convert permanent assignments to eligible",
                "Harden Global Administrator and Privileged Role Administrator settings",
                "Harden the other highly privileged roles' settings",
                "Alert the security team on assignments and activations",
                "Review privileged roles every month",
            ]
        );
        assert_eq!(
            steps.iter().map(|s| s.order).collect::<Vec<_>>(),
            (1..=6).collect::<Vec<u32>>()
        );
        assert_eq!(steps[0].checks, ["LIC-01", "LIC-02"]);
        assert!(
            steps[0].items[0].action.starts_with("Buy 8 seats"),
            "{:?}",
            steps[0].items
        );
        assert!(steps[0].detail.contains("shortfall 8"));

        // Every permanent admin, emergency accounts excepted, with role and since when.
        let convert = &steps[1];
        assert!(convert.checks.contains(&"PIM-01".to_owned()));
        let ada = convert
            .items
            .iter()
            .find(|i| i.object == "Ada Admin")
            .expect("Ada is converted");
        assert_eq!(ada.role.as_deref(), Some("Global Administrator"));
        assert_eq!(ada.principal_name.as_deref(), Some("ada@contoso.com"));
        assert!(ada.since.is_some());
        assert!(
            !convert
                .items
                .iter()
                .any(|i| i.object.starts_with("Emergency"))
        );

        // GA first, approvers named, 1–4 h suggested.
        let top = &steps[2];
        assert_eq!(top.items[0].object, "Global Administrator");
        assert!(
            top.items[0].action.contains("Ada Admin (ada@contoso.com)"),
            "{}",
            top.items[0].action
        );
        assert!(top.items[0].action.contains("1–4 hours"));
        assert!(
            top.checks.contains(&"PIM-04".to_owned()) && top.checks.contains(&"PIM-05".to_owned())
        );
        assert!(!steps[3].checks.contains(&"PIM-04".to_owned()));
    }

    #[test]
    fn role_settings_name_the_failing_roles() {
        let mut fx = good();
        fx.rule(GA, "Expiration_EndUser_Assignment")
            .maximum_duration = Some(IsoDuration::from_hours(6));
        fx.rule(
            "29232cdf-9323-42fd-ade2-1d097af3e4de",
            "Enablement_EndUser_Assignment",
        )
        .enabled_rules = Some(Vec::new());
        let steps = plan_of(&fx);
        assert_eq!(
            titles(&steps),
            [
                "Harden Global Administrator and Privileged Role Administrator settings",
                "Harden the other highly privileged roles' settings"
            ]
        );
        assert_eq!(steps[0].checks, ["PIM-06"]);
        assert_eq!(steps[0].items.len(), 1);
        assert_eq!(
            steps[0].items[0].action,
            "Activation at most 8 hours; 1–4 hours suggested"
        );
        assert_eq!(steps[1].checks, ["PIM-07", "PIM-08"]);
        assert_eq!(steps[1].items[0].object, "Exchange Administrator");
        assert_eq!(
            steps[1].items[0].action,
            "Require MFA (or an authentication context) on activation; require a justification on activation"
        );
    }

    #[test]
    fn emergency_accounts_hygiene_and_gaps() {
        let mut fx = good();
        fx.population.emergency_accounts.pop();
        fx.population.holdings.retain(|h| h.principal_id != "bg2");
        fx.user("uma").user_type = Some("Guest".to_owned());
        fx.gap(
            Dataset::ConditionalAccessPolicies,
            GapReason::PermissionDenied,
        );
        let steps = plan_of(&fx);
        assert_eq!(
            titles(&steps),
            [
                "Have exactly two emergency-access accounts",
                "Clean up privileged accounts",
                "Read what could not be read"
            ]
        );
        assert!(
            steps[0]
                .items
                .iter()
                .any(|i| i.object == "New emergency-access account 2")
        );
        assert!(steps[1].items[0].action.contains("ADM-06"));
        assert_eq!(steps[2].checks, ["CA-01", "CA-02", "CA-03"]);
        assert_eq!(steps[2].items.len(), 1, "one item per missing dataset");
        assert!(steps[2].items[0].action.contains("Policy.Read.All"));
    }

    #[test]
    fn steps_name_real_checks_and_are_deterministic() {
        let mut fx = good();
        fx.no_p2();
        fx.population.emergency_accounts.clear();
        fx.user("sam").on_premises_sync_enabled = Some(true);
        let a = plan_of(&fx);
        assert_eq!(a, plan_of(&fx));
        for plan in [a, plan_of(&good())] {
            for step in &plan {
                assert!(
                    !step.checks.is_empty() && !step.items.is_empty(),
                    "{}",
                    step.title
                );
                for id in &step.checks {
                    assert!(crate::checks::check_def(id).is_some(), "{id}");
                }
            }
        }
    }
}
