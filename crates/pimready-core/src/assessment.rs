//! The assessment: everything a report shows, computed from a snapshot. Pure: the
//! same snapshot, settings and price book always give the same assessment.
//! Its JSON form (`schema_version` 1) is the report contract; field names are stable.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cloud::Cloud;
use crate::cost::CostEstimate;
use crate::finding::Finding;
use crate::licensing::Licensing;
use crate::plan::PlanStep;
use crate::score::Score;
use crate::snapshot::{Dataset, GapReason};

pub const ASSESSMENT_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Generator {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TenantInfo {
    pub id: String,
    pub display_name: String,
    pub default_domain: Option<String>,
    pub cloud: Cloud,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GapInfo {
    pub dataset: Dataset,
    pub reason: GapReason,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_scope: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CollectionInfo {
    pub requests: u32,
    pub duration_ms: u64,
    pub graph_host: String,
    pub scopes: Vec<String>,
    /// Datasets read successfully.
    pub datasets: Vec<Dataset>,
}

/// A headline count for summaries: standing admins today.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Headline {
    /// Distinct principals with a permanent active highly privileged role (emergency accounts excluded).
    pub standing_admins: u32,
    /// Distinct principals eligible for a highly privileged role.
    pub eligible_admins: u32,
    /// Distinct users holding Global Administrator (active or eligible).
    pub global_admins: u32,
    pub emergency_accounts: u32,
    /// The licence verdict every face shows as it is (empty in files written before it existed).
    #[serde(default)]
    pub licence: crate::cost::LicenceVerdict,
}

/// An emergency-access (break-glass) account as the report lists it: `designated` by the
/// user (the only kind exempted from PIM-01, PIM-03 and licence scope) or `suggested`
/// from its shape (exempts nothing until someone designates it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EmergencyAccountInfo {
    /// Object id; null for a designation that matched no privileged user.
    pub id: Option<String>,
    /// For a designation not found, the text that was designated.
    pub user_principal_name: String,
    pub display_name: String,
    pub status: crate::privileged::EmergencyOrigin,
    /// Designated: enabled, cloud-only and a permanent Global Administrator (what ADM-02
    /// asks). Always false for a designation not found.
    pub well_formed: bool,
    /// For a suggestion: why it looks like an emergency account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<String>,
}

impl EmergencyAccountInfo {
    /// Designated accounts first (those not found last), then suggestions.
    fn of(population: &crate::privileged::PrivilegedPopulation) -> Vec<Self> {
        let listed = |a: &crate::privileged::EmergencyAccount| EmergencyAccountInfo {
            id: Some(a.principal_id.to_string()),
            user_principal_name: a.user_principal_name.clone(),
            display_name: a.display_name.clone(),
            status: a.origin,
            well_formed: a.well_formed,
            signals: a.signals.clone(),
        };
        let mut out: Vec<Self> = population.emergency_accounts.iter().map(listed).collect();
        out.extend(
            population
                .designated_not_found
                .iter()
                .map(|wanted| EmergencyAccountInfo {
                    id: None,
                    user_principal_name: wanted.clone(),
                    display_name: wanted.clone(),
                    status: crate::privileged::EmergencyOrigin::Designated,
                    well_formed: false,
                    signals: Vec::new(),
                }),
        );
        out.extend(population.suggested_emergency_accounts.iter().map(listed));
        out
    }
}

/// The whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Assessment {
    pub schema_version: u32,
    pub generator: Generator,
    pub assessed_at: DateTime<Utc>,
    pub tenant: TenantInfo,
    pub headline: Headline,
    pub licensing: Licensing,
    pub cost: CostEstimate,
    pub score: Score,
    pub checks: Vec<Finding>,
    pub plan: Vec<PlanStep>,
    pub gaps: Vec<GapInfo>,
    pub collection: CollectionInfo,
    /// Emergency-access accounts: designated ones and suggestions (empty in files written
    /// before it existed).
    #[serde(default)]
    pub emergency_accounts: Vec<EmergencyAccountInfo>,
    /// Users the plan and the approval checks suggest as approvers (holders of Global
    /// Administrator or Privileged Role Administrator, emergency accounts aside).
    #[serde(default)]
    pub suggested_approvers: Vec<crate::licensing::UserRef>,
    /// Azure resources (subscriptions, management groups, who holds Owner and the other
    /// privileged Azure roles); absent when Azure Resource Manager was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<crate::azure::AzureSection>,
}

impl Assessment {
    /// The licence verdict as every face shows it: the one stored with the assessment, or,
    /// for files written before it was stored, the same function applied now.
    pub fn licence_verdict(&self) -> crate::cost::LicenceVerdict {
        if self.headline.licence.label.is_empty() {
            crate::cost::licence_verdict(&self.licensing, &self.cost)
        } else {
            self.headline.licence.clone()
        }
    }
}

/// Assesses a snapshot: licensing, cost, checks, score and plan. Pure: no I/O, no
/// clock (the assessment date is the snapshot's collection date).
pub fn assess(
    snapshot: &crate::snapshot::TenantSnapshot,
    settings: &crate::settings::AssessmentSettings,
    price_book: &crate::pricebook::PriceBook,
) -> Assessment {
    use crate::privileged::{HoldingKind, PrivilegedPopulation};

    let population = PrivilegedPopulation::resolve(snapshot, settings);
    let licensing = crate::licensing::analyse(snapshot, &population, settings);
    let cost = crate::cost::estimate(snapshot, &licensing, price_book);
    let ctx = crate::checks::CheckContext {
        snapshot,
        settings,
        population: &population,
        licensing: &licensing,
    };
    let checks = crate::checks::run_checks(&ctx);
    let score = crate::score::score(&checks);
    let azure = crate::azure::section(snapshot, &crate::azure::AzureView::resolve(snapshot));
    let plan = crate::plan::plan(&checks, &population, &licensing, &cost);
    let emergency_accounts = EmergencyAccountInfo::of(&population);

    let distinct = |pred: &dyn Fn(&crate::privileged::Holding) -> bool| {
        let mut ids: Vec<&str> = population
            .highly_privileged()
            .filter(|h| pred(h))
            .map(|h| h.principal_id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len() as u32
    };
    let headline = Headline {
        standing_admins: distinct(&|h| {
            h.holding == HoldingKind::PermanentActive
                && h.kind != crate::snapshot::PrincipalKind::Group
                && !population.is_emergency(&h.principal_id)
        }),
        eligible_admins: distinct(&|h| {
            h.holding == HoldingKind::Eligible && h.kind != crate::snapshot::PrincipalKind::Group
        }),
        global_admins: {
            let mut ids: Vec<&str> = population
                .of_role(crate::privileged::GLOBAL_ADMINISTRATOR)
                .filter(|h| h.kind == crate::snapshot::PrincipalKind::User)
                .map(|h| h.principal_id.as_str())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids.len() as u32
        },
        emergency_accounts: population.emergency_accounts.len() as u32,
        licence: crate::cost::licence_verdict(&licensing, &cost),
    };

    Assessment {
        schema_version: ASSESSMENT_SCHEMA_VERSION,
        generator: Generator {
            name: crate::TOOL_NAME.to_owned(),
            version: crate::TOOL_VERSION.to_owned(),
        },
        assessed_at: snapshot.meta.collected_at,
        tenant: TenantInfo {
            id: snapshot.tenant_id.clone(),
            display_name: snapshot.display_name().to_owned(),
            default_domain: snapshot.default_domain().map(str::to_owned),
            cloud: snapshot.meta.cloud,
        },
        headline,
        licensing,
        cost,
        score,
        checks,
        plan,
        // Azure gaps are reported in `azure.gaps`: the Entra part is the same with or without ARM.
        gaps: snapshot
            .gaps
            .iter()
            .filter(|g| !g.dataset.is_azure())
            .map(|g| GapInfo {
                dataset: g.dataset,
                reason: g.reason,
                detail: g.detail.clone(),
                missing_scope: g.missing_scope.clone(),
            })
            .collect(),
        collection: CollectionInfo {
            requests: snapshot.meta.requests,
            duration_ms: snapshot.meta.duration_ms,
            graph_host: snapshot.meta.graph_host.clone(),
            scopes: snapshot.meta.scopes.clone(),
            datasets: Dataset::ALL
                .into_iter()
                .filter(|d| snapshot.has(*d))
                .collect(),
        },
        emergency_accounts,
        suggested_approvers: crate::plan::suggested_approver_users(&population),
        azure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privileged::EmergencyOrigin;
    use crate::settings::AssessmentSettings;

    fn listed(settings: &AssessmentSettings) -> Vec<(Option<String>, String, EmergencyOrigin)> {
        let a = assess(
            &crate::demo::snapshot(),
            settings,
            &crate::pricebook::PriceBook::default_book(),
        );
        a.emergency_accounts
            .into_iter()
            .map(|e| (e.id, e.user_principal_name, e.status))
            .collect()
    }

    #[test]
    fn emergency_accounts_are_listed_as_designated_or_suggested() {
        let designated = listed(&crate::demo::settings(AssessmentSettings::default()));
        assert_eq!(designated.len(), 2, "{designated:?}");
        for (id, upn, status) in &designated {
            assert!(id.is_some(), "{upn} found");
            assert!(crate::demo::EMERGENCY_ACCOUNTS.contains(&upn.as_str()));
            assert_eq!(*status, EmergencyOrigin::Designated);
        }

        // No one designated: the same two accounts are listed as suggestions only.
        let guessed = listed(&AssessmentSettings::default());
        assert!(
            guessed
                .iter()
                .all(|(_, _, s)| *s == EmergencyOrigin::Suggested),
            "{guessed:?}"
        );
        assert!(
            guessed
                .iter()
                .any(|(_, upn, _)| upn == crate::demo::EMERGENCY_ACCOUNTS[0])
        );

        // A designation that matches no privileged user is listed without an id.
        let settings = AssessmentSettings {
            emergency_accounts: vec!["nobody@contoso.com".to_owned()],
            ..AssessmentSettings::default()
        };
        let missing = listed(&settings);
        assert!(missing.contains(&(
            None,
            "nobody@contoso.com".to_owned(),
            EmergencyOrigin::Designated
        )));
    }
}
