//! The check catalog: every PIM readiness check, declared once with its metadata beside
//! its logic, and the runner that wraps each one in licence gating and missing-data
//! handling. Pure: a check reads a [`CheckContext`] and returns an [`Outcome`].
//!
//! Invariant: a check never passes on missing data. The runner, not the check, decides
//! `not_licensed` and `not_assessed` from the declared datasets and the licensing verdict.

mod adm;
mod az;
mod ca;
mod controls;
pub mod docs;
mod id;
mod lic;
mod pim;
pub(crate) use pim::{PIM_01_APP_ACTION, PIM_01_GROUP_ACTION};

pub use id::{CheckId, UnknownCheck};

#[cfg(test)]
mod az_tests;
#[cfg(test)]
pub(crate) mod tests;

use chrono::{DateTime, Utc};

use crate::finding::{
    Category, Evidence, Finding, MinimumLicence, MissingData, Reference, Remediation, Severity,
    Status,
};
use crate::licensing::Licensing;
pub use crate::plan::Step;
use crate::privileged::{HIGHLY_PRIVILEGED_ROLES, Holding, PrivilegedPopulation};
use crate::settings::AssessmentSettings;
use crate::snapshot::{
    Dataset, GapReason, Principal, PrincipalKind, RoleManagementPolicy, TenantSnapshot,
};
pub(crate) use ca::CIS_MFA_ADMIN_ROLES;

/// Everything a check may read. Time is the snapshot's `collected_at`.
#[derive(Debug, Clone, Copy)]
pub struct CheckContext<'a> {
    pub snapshot: &'a TenantSnapshot,
    pub settings: &'a AssessmentSettings,
    pub population: &'a PrivilegedPopulation,
    pub licensing: &'a Licensing,
}

/// What a check's logic concludes, before the runner adds the metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    /// One sentence.
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// What the check itself found missing inside a dataset that was read.
    pub missing_data: Vec<MissingData>,
}

impl Outcome {
    pub fn new(status: Status, summary: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Outcome {
            status,
            summary: summary.into(),
            evidence,
            missing_data: Vec::new(),
        }
    }

    pub fn pass(summary: impl Into<String>) -> Self {
        Self::new(Status::Pass, summary, Vec::new())
    }
}

/// A benchmark reference as declared in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefDef {
    pub framework: &'static str,
    pub id: &'static str,
    pub version: &'static str,
    pub url: Option<&'static str>,
}

/// CIS Microsoft 365 Foundations Benchmark version every CIS reference cites (see data/references.toml).
pub const CIS_VERSION: &str = "6.0.1";
const SCUBA_URL: &str =
    "https://github.com/cisagov/ScubaGear/blob/main/PowerShell/ScubaGear/baselines/aad.md";

impl RefDef {
    pub const fn cis(id: &'static str) -> Self {
        RefDef {
            framework: "CIS M365",
            id,
            version: CIS_VERSION,
            url: None,
        }
    }

    pub const fn scuba(id: &'static str) -> Self {
        RefDef {
            framework: "CISA SCuBA",
            id,
            version: "1",
            url: Some(SCUBA_URL),
        }
    }

    pub const fn zta(id: &'static str) -> Self {
        RefDef {
            framework: "ZTA",
            id,
            version: "",
            url: Some("https://github.com/microsoft/zerotrustassessment"),
        }
    }

    pub const fn pim_deployment_plan() -> Self {
        RefDef {
            framework: "Microsoft",
            id: "PIM deployment plan",
            version: "",
            url: Some(
                "https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-deployment-plan",
            ),
        }
    }

    pub const fn pim_licensing() -> Self {
        RefDef {
            framework: "Microsoft",
            id: "PIM licensing",
            version: "",
            url: Some(
                "https://learn.microsoft.com/en-us/entra/id-governance/licensing-fundamentals",
            ),
        }
    }

    pub const fn pim_alert(id: &'static str) -> Self {
        RefDef {
            framework: "Microsoft PIM alert",
            id,
            version: "",
            url: Some(
                "https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-how-to-configure-security-alerts",
            ),
        }
    }

    pub fn to_reference(&self) -> Reference {
        Reference {
            framework: self.framework.to_owned(),
            id: self.id.to_owned(),
            version: self.version.to_owned(),
            url: self.url.map(str::to_owned),
        }
    }

    /// `CIS M365 1.1.3 (v6.0.1)`.
    pub fn label(&self) -> String {
        self.to_reference().label()
    }
}

/// How to fix a failing check, as declared in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemediationDef {
    pub steps: &'static [&'static str],
    /// Entra admin center path.
    pub portal_path: &'static str,
    /// Microsoft Graph PowerShell.
    pub powershell: &'static str,
}

impl RemediationDef {
    pub fn to_remediation(&self) -> Remediation {
        Remediation {
            steps: self.steps.iter().map(|s| (*s).to_owned()).collect(),
            portal_path: self.portal_path.to_owned(),
            powershell: self.powershell.to_owned(),
        }
    }
}

/// The check's place in the readiness plan, declared beside its rule: `plan` only orders
/// the steps and lists the objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanDef {
    pub step: Step,
    /// What the step is about when the check names no object (a role, a licence).
    pub subject: &'static str,
    /// What to do about each object the check names, for people.
    pub action: &'static str,
    /// A stricter action for Global Administrator and Privileged Role Administrator.
    pub top_roles: Option<&'static str>,
    /// How the plan words an approval setting.
    pub approvers: Approvers,
}

/// Whether a plan action is about approvers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approvers {
    /// Not an approval setting.
    NotNamed,
    /// An approval setting: the plan names the tenant's likely approvers when it knows some.
    Suggested,
}

impl PlanDef {
    pub const fn new(step: Step, subject: &'static str, action: &'static str) -> Self {
        PlanDef {
            step,
            subject,
            action,
            top_roles: None,
            approvers: Approvers::NotNamed,
        }
    }

    /// Global Administrator and Privileged Role Administrator get `action` instead.
    pub const fn stricter_for_top_roles(mut self, action: &'static str) -> Self {
        self.top_roles = Some(action);
        self
    }

    /// The action is approval: name the likely approvers.
    pub const fn suggesting_approvers(mut self) -> Self {
        self.approvers = Approvers::Suggested;
        self
    }
}

/// One check: metadata and a pure evaluate function.
#[derive(Debug, Clone, Copy)]
pub struct CheckDef {
    /// Stable id (reports and other tools depend on it).
    pub id: &'static str,
    pub title: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub references: &'static [RefDef],
    pub minimum_licence: MinimumLicence,
    /// Datasets the check cannot be assessed without.
    pub data: &'static [Dataset],
    /// Datasets also needed when the tenant is PIM-capable (they exist only with P2).
    pub data_with_pim: &'static [Dataset],
    pub rationale: &'static str,
    /// Where the rule deliberately differs from ScubaGear, Maester or the CIS benchmark, and
    /// why (`docs/checks.md`). "None" only where the counterpart was read and matches.
    pub differs: &'static str,
    pub remediation: RemediationDef,
    pub plan: PlanDef,
    pub evaluate: fn(&CheckContext<'_>) -> Outcome,
}

impl CheckDef {
    /// The check's id, as findings carry it.
    pub fn check_id(&self) -> CheckId {
        CheckId::new(self.id)
    }

    /// The datasets this check needs on this tenant.
    pub fn required_data(&self, licensing: &Licensing) -> Vec<Dataset> {
        let mut out = self.data.to_vec();
        if licensing.pim_capable {
            out.extend_from_slice(self.data_with_pim);
        }
        out
    }

    fn finding(
        &self,
        status: Status,
        summary: String,
        evidence: Vec<Evidence>,
        missing_data: Vec<MissingData>,
    ) -> Finding {
        Finding {
            id: self.check_id(),
            title: self.title.to_owned(),
            category: self.category,
            severity: self.severity,
            status,
            summary,
            references: self.references.iter().map(RefDef::to_reference).collect(),
            minimum_licence: self.minimum_licence,
            rationale: self.rationale.to_owned(),
            evidence,
            remediation: self.remediation.to_remediation(),
            missing_data,
        }
    }

    /// Runs this check once, with licence gating and missing-data handling around it.
    pub fn run(&self, ctx: &CheckContext<'_>) -> Finding {
        let missing: Vec<MissingData> = self
            .required_data(ctx.licensing)
            .into_iter()
            .filter(|d| !ctx.snapshot.has(*d))
            .map(|d| missing_data(ctx.snapshot, d))
            .collect();

        if self.minimum_licence == MinimumLicence::P2 && !ctx.licensing.pim_capable {
            let summary = format!(
                "Requires {}: the tenant has no PIM-capable licence, so this control cannot exist yet.",
                MinimumLicence::P2.label()
            );
            return self.finding(Status::NotLicensed, summary, Vec::new(), missing);
        }
        if let Some(gap) = missing.iter().find(|m| m.reason == GapReason::NotLicensed) {
            let summary = format!(
                "Requires {}: {} cannot be read on this tenant's licences.",
                self.minimum_licence.label(),
                gap.dataset.label()
            );
            return self.finding(Status::NotLicensed, summary, Vec::new(), missing);
        }
        if !missing.is_empty() {
            let what: Vec<String> = missing
                .iter()
                .map(|m| match &m.missing_scope {
                    Some(scope) => format!(
                        "{} ({}, needs {scope})",
                        m.dataset.label(),
                        m.reason.as_str()
                    ),
                    None => format!("{} ({})", m.dataset.label(), m.reason.as_str()),
                })
                .collect();
            let summary = format!("Not assessed: could not read {}.", what.join("; "));
            return self.finding(Status::NotAssessed, summary, Vec::new(), missing);
        }
        let mut outcome = (self.evaluate)(ctx);
        if self
            .data
            .iter()
            .any(|d| matches!(d, Dataset::PrivilegedPrincipals | Dataset::PrivilegedGroups))
        {
            withhold_on_unknown_principals(ctx, &mut outcome);
        }
        self.finding(
            outcome.status,
            outcome.summary,
            outcome.evidence,
            outcome.missing_data,
        )
    }
}

/// Privileged principals Graph showed only by id (and type): a look-up refused, or an
/// answer with limited information. A check that reads principals cannot pass while one
/// of them is unknown; it names each of them.
fn withhold_on_unknown_principals(ctx: &CheckContext<'_>, outcome: &mut Outcome) {
    let mut unknown: Vec<&Principal> = Vec::new();
    for h in &ctx.population.holdings {
        let principal = ctx
            .snapshot
            .principal(&h.principal_id)
            .or(h.principal.as_ref());
        if let Some(p) = principal.filter(|p| p.is_unknown())
            && !unknown.iter().any(|u| u.id == p.id)
        {
            unknown.push(p);
        }
    }
    if unknown.is_empty() {
        return;
    }
    let names: Vec<String> = unknown.iter().map(|p| p.label()).collect();
    let detail = format!(
        "Microsoft Graph did not show {} privileged principal(s) to this sign-in (the look-up was refused, or only the id and type were returned): {}",
        unknown.len(),
        names.join("; ")
    );
    if outcome.status == Status::Pass {
        outcome.status = Status::NotAssessed;
        outcome.summary = format!("Not assessed: {detail}.");
    }
    outcome.missing_data.push(MissingData {
        dataset: Dataset::PrivilegedPrincipals,
        reason: GapReason::PermissionDenied,
        detail,
        missing_scope: None,
    });
}

fn missing_data(snapshot: &TenantSnapshot, dataset: Dataset) -> MissingData {
    match snapshot.gap(dataset) {
        Some(gap) => MissingData {
            dataset,
            reason: gap.reason,
            detail: gap.detail.clone(),
            missing_scope: gap.missing_scope.clone(),
        },
        None => MissingData {
            dataset,
            reason: GapReason::Error,
            detail: format!("{} was not collected.", dataset.label()),
            missing_scope: None,
        },
    }
}

static CATALOG: [CheckDef; 32] = [
    lic::LIC_01,
    lic::LIC_02,
    adm::ADM_01,
    adm::ADM_02,
    adm::ADM_03,
    adm::ADM_04,
    adm::ADM_05,
    adm::ADM_06,
    adm::ADM_07,
    adm::ADM_08,
    pim::PIM_01,
    pim::PIM_02,
    pim::PIM_03,
    pim::PIM_04,
    pim::PIM_05,
    pim::PIM_06,
    pim::PIM_07,
    pim::PIM_08,
    pim::PIM_09,
    pim::PIM_10,
    pim::PIM_11,
    pim::PIM_12,
    pim::PIM_13,
    ca::CA_01,
    ca::CA_02,
    ca::CA_03,
    az::AZ_01,
    az::AZ_02,
    az::AZ_03,
    az::AZ_04,
    az::AZ_05,
    az::AZ_06,
];

/// Every check, in report order.
pub fn catalog() -> &'static [CheckDef] {
    &CATALOG
}

/// A check by id; an id the catalog does not have is an error that names it.
pub fn check_def(id: impl AsRef<str>) -> Result<&'static CheckDef, UnknownCheck> {
    let id = id.as_ref();
    CATALOG
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| UnknownCheck(id.to_owned()))
}

/// Runs every check once, in catalog order.
pub fn run_checks(ctx: &CheckContext<'_>) -> Vec<Finding> {
    CATALOG.iter().map(|c| c.run(ctx)).collect()
}

// ----- shared helpers for the check modules -----

/// A role the checks treat as highly privileged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrivilegedRole {
    pub template_id: String,
    pub name: String,
}

pub(crate) const GLOBAL_ADMINISTRATOR: &str = crate::privileged::GLOBAL_ADMINISTRATOR;
pub(crate) const PRIVILEGED_ROLE_ADMINISTRATOR: &str =
    crate::privileged::PRIVILEGED_ROLE_ADMINISTRATOR;

/// The built-in highly privileged roles plus the ones the user added in settings
/// (by template id or display name, resolved through the tenant's role definitions).
pub(crate) fn privileged_roles(ctx: &CheckContext<'_>) -> Vec<PrivilegedRole> {
    roles_with_additions(ctx, &HIGHLY_PRIVILEGED_ROLES)
}

/// A built-in role list (template id, name) plus the roles the user added in settings.
pub(crate) fn roles_with_additions(
    ctx: &CheckContext<'_>,
    base: &[(&str, &str)],
) -> Vec<PrivilegedRole> {
    let mut roles: Vec<PrivilegedRole> = base
        .iter()
        .map(|(id, name)| PrivilegedRole {
            template_id: (*id).to_owned(),
            name: (*name).to_owned(),
        })
        .collect();
    for extra in &ctx.settings.extra_privileged_roles {
        let extra = extra.trim();
        if extra.is_empty() {
            continue;
        }
        let definition = ctx.snapshot.role_definitions.iter().flatten().find(|d| {
            d.template_or_id().eq_ignore_ascii_case(extra)
                || d.id.eq_ignore_ascii_case(extra)
                || d.display_name.eq_ignore_ascii_case(extra)
        });
        let role = match definition {
            Some(d) => PrivilegedRole {
                template_id: d.template_or_id().to_owned(),
                name: d.display_name.clone(),
            },
            None => PrivilegedRole {
                template_id: extra.to_owned(),
                name: extra.to_owned(),
            },
        };
        if !roles
            .iter()
            .any(|r| r.template_id.eq_ignore_ascii_case(&role.template_id))
        {
            roles.push(role);
        }
    }
    roles
}

pub(crate) fn same_id(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Holdings of highly privileged roles.
pub(crate) fn privileged_holdings<'a>(
    ctx: &CheckContext<'a>,
) -> impl Iterator<Item = &'a Holding> + 'a {
    ctx.population
        .holdings
        .iter()
        .filter(|h| h.highly_privileged)
}

pub(crate) fn is_emergency(ctx: &CheckContext<'_>, principal_id: &str) -> bool {
    ctx.population.is_emergency(principal_id)
}

/// The richest record of a principal: the snapshot's, else the holding's copy.
pub(crate) fn principal_of<'a>(
    ctx: &CheckContext<'a>,
    holding: &'a Holding,
) -> Option<&'a Principal> {
    ctx.snapshot
        .principal(&holding.principal_id)
        .or(holding.principal.as_ref())
}

/// Distinct privileged users (by object id) with their first holding, in population order.
pub(crate) fn distinct_users<'a>(holdings: impl Iterator<Item = &'a Holding>) -> Vec<&'a Holding> {
    let mut out: Vec<&Holding> = Vec::new();
    for h in holdings.filter(|h| h.kind == PrincipalKind::User) {
        if !out.iter().any(|o| o.principal_id == h.principal_id) {
            out.push(h);
        }
    }
    out
}

pub(crate) fn kind_label(kind: &PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::User => "user",
        PrincipalKind::Group => "group",
        PrincipalKind::ServicePrincipal => "service_principal",
        PrincipalKind::Unknown => "unknown",
    }
}

/// Evidence for one holding: who, which role, how, since when.
pub(crate) fn holding_evidence(
    ctx: &CheckContext<'_>,
    h: &Holding,
    detail: impl Into<String>,
) -> Evidence {
    let principal = principal_of(ctx, h);
    let display_name = principal.map_or_else(|| h.principal_id.to_string(), Principal::label);
    let principal_name =
        principal.and_then(|p| p.user_principal_name.clone().or_else(|| p.app_id.clone()));
    let assignment_type = match h.via_group_name.as_deref().or(h.via_group.as_deref()) {
        Some(group) => format!("{} via group {group}", h.holding.label()),
        None => h.holding.label().to_owned(),
    };
    Evidence {
        display_name,
        principal_name,
        object_id: Some(h.principal_id.to_string()),
        object_type: kind_label(&h.kind).to_owned(),
        role: Some(h.role_name.clone()),
        assignment_type: Some(assignment_type),
        start: h.start,
        end: h.end,
        detail: detail.into(),
    }
}

/// Evidence for a role's PIM settings.
pub(crate) fn role_evidence(role: &PrivilegedRole, detail: impl Into<String>) -> Evidence {
    Evidence {
        display_name: role.name.clone(),
        principal_name: None,
        object_id: Some(role.template_id.clone()),
        object_type: "role_setting".to_owned(),
        role: Some(role.name.clone()),
        assignment_type: None,
        start: None,
        end: None,
        detail: detail.into(),
    }
}

/// The PIM policy (role settings) of a role at directory scope, matched on the role template id.
pub(crate) fn role_policy<'a>(
    snapshot: &'a TenantSnapshot,
    template_id: &str,
) -> Option<&'a RoleManagementPolicy> {
    let assignments: Vec<_> = snapshot
        .role_management_policies
        .iter()
        .flatten()
        .filter(|a| {
            a.role_definition_id
                .as_deref()
                .is_some_and(|r| same_id(r, template_id))
        })
        .collect();
    assignments
        .iter()
        .find(|a| a.scope_id == "/" && a.policy.is_some())
        .or_else(|| assignments.iter().find(|a| a.policy.is_some()))
        .and_then(|a| a.policy.as_ref())
}

/// A role's verdict in a per-role settings check.
pub(crate) enum RoleVerdict {
    Ok,
    Warn(String),
    Fail(String),
}

/// Evaluates `rule` for every role and folds the verdicts: any failure ⇒ fail (every
/// failing and warning role listed); a role whose settings were not returned ⇒ not
/// assessed; any warning ⇒ warning; else pass.
pub(crate) fn per_role(
    ctx: &CheckContext<'_>,
    roles: &[PrivilegedRole],
    what: &str,
    rule: impl Fn(&PrivilegedRole, &RoleManagementPolicy) -> RoleVerdict,
) -> Outcome {
    let (mut fails, mut warns, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for role in roles {
        match role_policy(ctx.snapshot, &role.template_id) {
            None => missing.push(role_evidence(
                role,
                "PIM returned no role settings for this role",
            )),
            Some(policy) => match rule(role, policy) {
                RoleVerdict::Ok => {}
                RoleVerdict::Warn(d) => warns.push(role_evidence(role, d)),
                RoleVerdict::Fail(d) => fails.push(role_evidence(role, d)),
            },
        }
    }
    let names = |e: &[Evidence]| {
        e.iter()
            .map(|e| e.display_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let total = roles.len();
    if !fails.is_empty() {
        let summary = format!(
            "{} of {total} roles do not {what}: {}.",
            fails.len(),
            names(&fails)
        );
        fails.extend(warns);
        fails.extend(missing);
        return Outcome::new(Status::Fail, summary, fails);
    }
    if !missing.is_empty() {
        let summary = format!(
            "Not assessed: PIM returned no role settings for {}.",
            names(&missing)
        );
        let missing_data = vec![MissingData {
            dataset: Dataset::RoleManagementPolicies,
            reason: GapReason::NotFound,
            detail: format!("PIM returned no role settings for {}", names(&missing)),
            missing_scope: None,
        }];
        missing.extend(warns);
        let mut outcome = Outcome::new(Status::NotAssessed, summary, missing);
        outcome.missing_data = missing_data;
        return outcome;
    }
    if !warns.is_empty() {
        let summary = format!(
            "All {total} roles {what}, but {} should be stricter: {}.",
            warns.len(),
            names(&warns)
        );
        return Outcome::new(Status::Warning, summary, warns);
    }
    Outcome::pass(format!("All {total} roles {what}."))
}

pub(crate) fn now(ctx: &CheckContext<'_>) -> DateTime<Utc> {
    ctx.snapshot.meta.collected_at
}
