//! The readiness plan: ordered steps derived from the findings. Pure.
//!
//! Each check declares its place in the plan beside its rule (`CheckDef::plan`: the
//! [`Step`], the action for each object it names); this module only orders the steps and
//! lists their objects. Order: licences → emergency-access accounts → permanent to
//! eligible → GA/PRA role settings → other roles' settings → alerts → access reviews →
//! Conditional Access → account hygiene → data gaps. A tenant with nothing open gets one
//! "ready" step saying what to keep watching.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::checks::{Approvers, CheckDef, CheckId, PlanDef, check_def};
use crate::cost::CostEstimate;
use crate::finding::{Evidence, Finding, Status};
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
    pub checks: Vec<CheckId>,
    pub items: Vec<PlanItem>,
}

/// The plan's steps, in the order they are done. A check names its step in its
/// [`PlanDef`]; role settings become two steps (GA/PRA first, then the other roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Licences,
    EmergencyAccess,
    Eligible,
    RoleSettings,
    Alerts,
    AccessReviews,
    ConditionalAccess,
    Hygiene,
}

impl Step {
    const ALL: [Step; 8] = [
        Step::Licences,
        Step::EmergencyAccess,
        Step::Eligible,
        Step::RoleSettings,
        Step::Alerts,
        Step::AccessReviews,
        Step::ConditionalAccess,
        Step::Hygiene,
    ];
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

/// An open finding with the catalog entry that declares its plan step.
#[derive(Clone, Copy)]
struct Open<'a> {
    finding: &'a Finding,
    def: &'static CheckDef,
}

impl Open<'_> {
    fn plan(&self) -> &'static PlanDef {
        &self.def.plan
    }

    /// One item per object the check names, with the check's action.
    fn evidence_items(&self) -> impl Iterator<Item = PlanItem> + '_ {
        self.finding.evidence.iter().map(|e| self.evidence_item(e))
    }

    fn evidence_item(&self, e: &Evidence) -> PlanItem {
        PlanItem {
            object: e.display_name.clone(),
            principal_name: e.principal_name.clone(),
            role: e.role.clone(),
            since: e.start,
            action: format!("{} ({}: {})", self.plan().action, self.finding.id, e.detail),
        }
    }

    /// The check's evidence as items, or its subject when it names no object.
    fn items_or_subject(&self) -> Vec<PlanItem> {
        let items: Vec<PlanItem> = self.evidence_items().collect();
        if !items.is_empty() {
            return items;
        }
        let subject = self.plan().subject;
        vec![item(subject, self.plan().action)]
    }
}

/// A hygiene check's evidence as items. ADM-05's evidence also lists the ratio and the
/// users already in finer-grained roles: only its Global Administrators have work to do,
/// and of those not the designated emergency accounts, which must stay Global Administrators.
fn hygiene_items(o: &Open<'_>, population: &PrivilegedPopulation) -> Vec<PlanItem> {
    let adm_05 = o.finding.id == "ADM-05";
    o.finding
        .evidence
        .iter()
        .filter(|e| {
            !adm_05
                || (e.role.as_deref() == Some(GA_NAME)
                    && !e
                        .object_id
                        .as_deref()
                        .is_some_and(|id| population.is_emergency(id)))
        })
        .map(|e| o.evidence_item(e))
        .collect()
}

fn ids(open: &[Open<'_>]) -> Vec<CheckId> {
    open.iter().map(|o| o.finding.id.clone()).collect()
}

const GA_NAME: &str = "Global Administrator";
const PRA_NAME: &str = "Privileged Role Administrator";

/// One step before it is numbered.
struct Draft {
    title: String,
    detail: String,
    checks: Vec<CheckId>,
    items: Vec<PlanItem>,
}

impl Draft {
    fn new(
        title: &str,
        detail: impl Into<String>,
        open: &[Open<'_>],
        items: Vec<PlanItem>,
    ) -> Self {
        Draft {
            title: title.to_owned(),
            detail: detail.into(),
            checks: ids(open),
            items,
        }
    }
}

/// What the plan reads besides the findings.
struct Inputs<'a> {
    population: &'a PrivilegedPopulation,
    licensing: &'a Licensing,
    cost: &'a CostEstimate,
}

/// Builds the plan. `cost` supplies the recommended licensing path.
pub fn plan(
    findings: &[Finding],
    population: &PrivilegedPopulation,
    licensing: &Licensing,
    cost: &CostEstimate,
) -> Vec<PlanStep> {
    let inputs = Inputs {
        population,
        licensing,
        cost,
    };
    let open: Vec<Open<'_>> = findings
        .iter()
        .filter(|f| is_open(f))
        .filter_map(|finding| {
            Some(Open {
                finding,
                def: check_def(&finding.id).ok()?,
            })
        })
        .collect();
    let mut steps: Vec<Draft> = Vec::new();
    for step in Step::ALL {
        let in_step: Vec<Open<'_>> = open
            .iter()
            .copied()
            .filter(|o| o.plan().step == step)
            .collect();
        if in_step.is_empty() {
            continue;
        }
        match step {
            Step::Licences => steps.push(licences(&in_step, &inputs)),
            Step::EmergencyAccess => steps.push(emergency_access(&in_step, &inputs)),
            Step::Eligible => steps.push(eligible(&in_step, &inputs)),
            Step::RoleSettings => steps.extend(role_settings(&in_step, &inputs)),
            Step::Alerts => steps.push(Draft::new(
                "Alert the security team on assignments and activations",
                "Default recipients are the admins themselves; add a monitored mailbox as an additional recipient.",
                &in_step,
                in_step.iter().flat_map(Open::items_or_subject).collect(),
            )),
            Step::AccessReviews => steps.push(Draft::new(
                "Review privileged roles every month",
                "Reviewers other than the holders confirm each eligible and active assignment; unreviewed access is removed.",
                &in_step,
                in_step.iter().flat_map(Open::items_or_subject).collect(),
            )),
            Step::ConditionalAccess => steps.push(conditional_access(&in_step)),
            Step::Hygiene => steps.push(Draft::new(
                "Clean up privileged accounts",
                "Fewer, cloud-only, unlicensed, member accounts in finer-grained roles.",
                &in_step,
                in_step
                    .iter()
                    .flat_map(|o| hygiene_items(o, inputs.population))
                    .collect(),
            )),
        }
    }
    steps.extend(unread(findings));
    if steps.is_empty() {
        return vec![ready()];
    }
    steps
        .into_iter()
        .zip(1u32..)
        .map(|(d, order)| PlanStep {
            order,
            title: d.title,
            detail: d.detail,
            checks: d.checks,
            items: d.items,
        })
        .collect()
}

fn licences(open: &[Open<'_>], inputs: &Inputs<'_>) -> Draft {
    let (s, cost) = (&inputs.licensing.seats, inputs.cost);
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
        let plan = open[0].plan();
        items.push(item(
            plan.subject,
            format!("{} ({} more users)", plan.action, s.shortfall.max(1)),
        ));
    }
    let detail = format!(
        "{} PIM-capable seats available for {} users in PIM scope (shortfall {}). {}",
        s.available, s.in_scope, s.shortfall, cost.recommendation
    );
    Draft::new(
        "Get Entra ID P2 or Governance licences for everyone in PIM scope",
        detail,
        open,
        items,
    )
}

fn emergency_access(open: &[Open<'_>], inputs: &Inputs<'_>) -> Draft {
    let population = inputs.population;
    let mut items: Vec<PlanItem> = population
        .emergency_accounts
        .iter()
        .map(|a| {
            let action = match (a.origin, a.well_formed) {
                (crate::privileged::EmergencyOrigin::Suggested, true) => {
                    "Looks like an emergency account: designate it to exempt it"
                }
                (crate::privileged::EmergencyOrigin::Designated, true) => {
                    "Keep: cloud-only, permanent Global Administrator"
                }
                (_, false) => {
                    "Make it an enabled, cloud-only account with a permanent Global Administrator assignment, or replace it"
                }
            };
            PlanItem {
                principal_name: Some(a.user_principal_name.clone()),
                role: Some(GA_NAME.to_owned()),
                ..item(a.display_name.clone(), action)
            }
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
    // Only designated accounts count: a suggestion exempts nothing until someone designates it.
    let have = population.emergency_accounts.len();
    for n in have..2 {
        items.push(item(
            format!("New emergency-access account {}", n + 1),
            open[0].plan().action,
        ));
    }
    if have > 2 {
        items.push(item(
            "Extra accounts",
            "Keep exactly two emergency-access accounts; make the others eligible or remove them",
        ));
    }
    Draft::new(
        "Have exactly two emergency-access accounts",
        "Do this before removing standing access, so the tenant stays reachable if PIM, MFA or federation fail.",
        open,
        items,
    )
}

fn eligible(open: &[Open<'_>], inputs: &Inputs<'_>) -> Draft {
    let population = inputs.population;
    let mut items = Vec::new();
    for o in open {
        if o.def.id == "PIM-01" {
            // Every standing principal (users, groups, apps), from the population rather
            // than the finding's evidence (which is capped for the report).
            items.extend(
                population
                    .holdings
                    .iter()
                    .filter(|h| {
                        h.highly_privileged
                            && h.holding == HoldingKind::PermanentActive
                            && h.via_group.is_none()
                            && !population.is_emergency(&h.principal_id)
                    })
                    .map(|h| PlanItem {
                        object: h.display_name(),
                        principal_name: h.principal_name(),
                        role: Some(h.role_name.clone()),
                        since: h.start,
                        action: match h.kind {
                            PrincipalKind::Group => crate::checks::PIM_01_GROUP_ACTION,
                            PrincipalKind::ServicePrincipal => crate::checks::PIM_01_APP_ACTION,
                            PrincipalKind::User | PrincipalKind::Unknown => o.plan().action,
                        }
                        .to_owned(),
                    }),
            );
        } else {
            items.extend(o.evidence_items());
        }
    }
    let detail = if inputs.licensing.pim_capable {
        "Every administrator becomes eligible and activates for a few hours when needed; only the emergency-access accounts stay permanent."
    } else {
        "Once P2 is in place: every administrator becomes eligible and activates when needed; only the emergency-access accounts stay permanent."
    };
    Draft::new(
        "Convert permanent assignments to eligible",
        detail,
        open,
        items,
    )
}

/// Global Administrator and Privileged Role Administrator, or the other roles.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RoleGroup {
    Top,
    Other,
}

/// Whether a settings finding concerns this group of roles: nothing was read (not
/// licensed), or it names a role of the group.
fn concerns(o: &Open<'_>, group: RoleGroup) -> bool {
    o.finding.status == Status::NotLicensed
        || o.finding
            .evidence
            .iter()
            .any(|e| is_top_role(e.role.as_deref()) == (group == RoleGroup::Top))
}

fn role_settings(open: &[Open<'_>], inputs: &Inputs<'_>) -> Vec<Draft> {
    let approvers = suggested_approvers(inputs.population);
    let (top, other) = role_setting_items(open, &approvers);
    let mut steps = Vec::new();
    if !top.is_empty() {
        let relevant: Vec<Open<'_>> = open
            .iter()
            .copied()
            .filter(|o| concerns(o, RoleGroup::Top))
            .collect();
        steps.push(Draft::new(
            "Harden Global Administrator and Privileged Role Administrator settings",
            "Approval with named approvers, activation of 1–4 hours (8 at most), MFA and a justification on activation, no permanent active assignment.",
            &relevant,
            top,
        ));
    }
    if !other.is_empty() {
        let relevant: Vec<Open<'_>> = open
            .iter()
            .copied()
            .filter(|o| concerns(o, RoleGroup::Other))
            .filter(|o| !is_top_role(Some(o.plan().subject)))
            .collect();
        steps.push(Draft::new(
            "Harden the other highly privileged roles' settings",
            "Activation of 8 hours at most, MFA and a justification on activation, no permanent active assignment.",
            &relevant,
            other,
        ));
    }
    steps
}

fn conditional_access(open: &[Open<'_>]) -> Draft {
    let items = open
        .iter()
        .map(|o| {
            let roles: Vec<&str> = o
                .finding
                .evidence
                .iter()
                .map(|e| e.display_name.as_str())
                .collect();
            let object = if roles.is_empty() {
                o.plan().subject.to_owned()
            } else {
                roles.join(", ")
            };
            item(object, o.plan().action)
        })
        .collect();
    Draft::new(
        "Protect admin sign-ins with Conditional Access",
        "Target the highly privileged roles (directory roles condition), exclude only the emergency-access accounts, test in report-only first.",
        open,
        items,
    )
}

/// Checks that were not assessed: what to grant or collect again, once per dataset.
fn unread(findings: &[Finding]) -> Option<Draft> {
    let unread: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::NotAssessed)
        .collect();
    if unread.is_empty() {
        return None;
    }
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
            items.push(item(f.id.as_str(), f.summary.clone()));
        }
    }
    Some(Draft {
        title: "Read what could not be read".to_owned(),
        detail: "These checks were not assessed; the score's coverage shows how much is missing."
            .to_owned(),
        checks: unread.iter().map(|f| f.id.clone()).collect(),
        items,
    })
}

/// Every check passes: what to keep watching.
fn ready() -> PlanStep {
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
    PlanStep {
        order: 1,
        title: "Ready: every administrator is just-in-time".to_owned(),
        detail: "Every check passes. Keep watching the items below so the tenant stays ready."
            .to_owned(),
        checks: watch.iter().map(|(_, id, _)| CheckId::new(id)).collect(),
        items: watch.iter().map(|(o, _, a)| item(*o, *a)).collect(),
    }
}

fn is_top_role(role: Option<&str>) -> bool {
    matches!(role, Some(GA_NAME | PRA_NAME))
}

/// Up to three non-emergency users who hold GA or PRA: the natural approvers, as users
/// (the assessment lists them, so a masked report knows to mask their names).
pub fn suggested_approver_users(
    population: &PrivilegedPopulation,
) -> Vec<crate::licensing::UserRef> {
    let mut out: Vec<crate::licensing::UserRef> = Vec::new();
    for h in &population.holdings {
        let top = h
            .role_template_id
            .eq_ignore_ascii_case(GLOBAL_ADMINISTRATOR)
            || h.role_template_id
                .eq_ignore_ascii_case(PRIVILEGED_ROLE_ADMINISTRATOR);
        if !top || population.is_emergency(&h.principal_id) || h.kind != PrincipalKind::User {
            continue;
        }
        if out.iter().any(|u| u.id == h.principal_id) {
            continue;
        }
        out.push(crate::licensing::UserRef {
            id: h.principal_id.to_string(),
            display_name: h.principal.as_ref().map(|p| p.name().to_owned()),
            user_principal_name: h
                .principal
                .as_ref()
                .and_then(|p| p.user_principal_name.clone()),
        });
        if out.len() == 3 {
            break;
        }
    }
    out
}

/// [`suggested_approver_users`] as text: `Name (upn)`.
pub(crate) fn suggested_approvers(population: &PrivilegedPopulation) -> Vec<String> {
    suggested_approver_users(population)
        .into_iter()
        .map(|u| match (u.display_name, u.user_principal_name) {
            (Some(name), Some(upn)) => format!("{name} ({upn})"),
            (Some(name), None) => name,
            (None, _) => u.id,
        })
        .collect()
}

/// The action one settings check asks for one role.
fn setting_action(o: &Open<'_>, role: &str, approvers: &[String]) -> String {
    let plan = o.plan();
    if plan.approvers == Approvers::Suggested && !approvers.is_empty() {
        return format!(
            "require approval; approvers: {} (an approver cannot approve their own request)",
            approvers.join(", ")
        );
    }
    match plan.top_roles {
        Some(stricter) if is_top_role(Some(role)) => stricter.to_owned(),
        _ => plan.action.to_owned(),
    }
}

/// Items for GA/PRA and for the other roles, one per role, merging every open settings check.
fn role_setting_items(open: &[Open<'_>], approvers: &[String]) -> (Vec<PlanItem>, Vec<PlanItem>) {
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
    for o in open {
        if o.finding.status == Status::NotLicensed {
            // Nothing was read: apply the whole recommended setting once P2 is in place,
            // to the check's own role, or to every highly privileged role.
            let subject = o.plan().subject;
            let targets: &[&str] = if is_top_role(Some(subject)) {
                &[subject]
            } else {
                &[GA_NAME, PRA_NAME, "Other highly privileged roles"]
            };
            for role in targets {
                add(role, setting_action(o, role, approvers));
            }
            continue;
        }
        for e in &o.finding.evidence {
            let role = e.role.as_deref().unwrap_or(&e.display_name);
            add(role, setting_action(o, role, approvers));
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
                full_monthly_per_user: 10.0,
                upgrade_from: None,
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
        assert!(convert.checks.contains(&CheckId::new("PIM-01")));
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
            top.checks.contains(&CheckId::new("PIM-04"))
                && top.checks.contains(&CheckId::new("PIM-05"))
        );
        assert!(!steps[3].checks.contains(&CheckId::new("PIM-04")));
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
            "Activation of 1–4 hours (8 at most)"
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
    fn adm_05_asks_only_the_global_administrators_to_move_emergency_accounts_aside() {
        let mut fx = good();
        // 4 GAs / 3 other users: ADM-05 fails.
        fx.population.holdings.retain(|h| h.principal_id != "sue");
        let steps = plan_of(&fx);
        let moved: Vec<&str> = steps
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| i.action.contains("(ADM-05:"))
            .map(|i| i.object.as_str())
            .collect();
        assert_eq!(moved, ["Ada Admin", "Grace Admin"]);
    }

    #[test]
    fn every_check_declares_its_plan_step_and_an_action() {
        for def in crate::checks::catalog() {
            let p = def.plan;
            assert!(!p.action.is_empty() && !p.subject.is_empty(), "{}", def.id);
            if p.approvers == Approvers::Suggested || p.top_roles.is_some() {
                assert_eq!(p.step, Step::RoleSettings, "{}", def.id);
            }
        }
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
                    assert!(crate::checks::check_def(id).is_ok(), "{id}");
                }
            }
        }
    }
}
