//! Does the tenant have Entra ID P2 (or Governance), through which path, and how many
//! seats PIM needs. Pure functions over the snapshot.
//! Contract (JSON field names are stable): see issue "Licensing".
//!
//! Detection reads each SKU's service plans, never a list of SKU names: a SKU carries a
//! plan only when its `servicePlans` list it with provisioning status `Success`: `Disabled`,
//! `Error` and the `Pending*` states are not (yet) working plans
//! (https://learn.microsoft.com/en-us/graph/api/resources/serviceplaninfo).
//! The SKU table (`data/sku-paths.toml`) only names the path for the report; an unknown
//! SKU that carries the plan still counts, as `other_bundle`.
//!
//! Seat rules where Microsoft's rule leaves room:
//! - PIM is "in use" when any holding is eligible, time-bound or activated, or any
//!   eligibility schedule (roles or PIM for Groups) exists.
//! - Available seats add up every counted P2/Governance SKU (a licence count: stacked
//!   add-ons on the same users overstate it; a note says so).
//! - Approvers count only where the approval rule is on; group approvers count by the
//!   group's members when the snapshot has them, else a note.
//! - Reviewers count only for reviews over directory roles or privileged groups, and
//!   only when they hold no role themselves; manager and self reviews are noted.
//! - Readiness: one extra seat for a Global Administrator activation approver unless
//!   two users in scope hold Global or Privileged Role Administrator (each approves the
//!   other) or approvers are already configured.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::privileged::{
    GLOBAL_ADMINISTRATOR, Holding, HoldingKind, PRIVILEGED_ROLE_ADMINISTRATOR, PrivilegedPopulation,
};
use crate::settings::AssessmentSettings;
use crate::snapshot::{
    CapabilityStatus, Dataset, Principal, PrincipalKind, ProvisioningStatus, ServicePlanInfo,
    SubscribedSku, TenantSnapshot,
};

/// Service plan id of `AAD_PREMIUM` (Entra ID P1).
pub const AAD_PREMIUM: &str = "41781fb2-bc02-4b7c-bd55-b576c07bb09d";
/// Service plan id of `AAD_PREMIUM_P2` (Entra ID P2).
pub const AAD_PREMIUM_P2: &str = "eec0eb4f-6444-4f95-aba0-50c24d67f998";
/// Service plan id of `Entra_Identity_Governance` (Entra ID Governance).
pub const ENTRA_IDENTITY_GOVERNANCE: &str = "e866a266-3cff-43a3-acca-0c90a7e00c8b";

/// The licensing path a SKU belongs to (for the report and the cost options).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LicencePath {
    EntraIdP2,
    DefenderSuiteBusinessPremium,
    DefenderSuite,
    M365E5,
    M365E7,
    EmsE5,
    M365F5Security,
    EntraSuite,
    EntraIdGovernance,
    OtherBundle,
}

/// One row of [`LicencePath::TABLE`].
struct PathNames {
    path: LicencePath,
    /// Stable snake_case name (the data files and the JSON).
    key: &'static str,
    /// The product's name, as Microsoft sells it.
    product: &'static str,
    /// A short name for narrow table columns and change lists.
    short: &'static str,
}

impl LicencePath {
    /// Every path with all its names: the one place a path's label is written.
    const TABLE: [PathNames; 10] = [
        PathNames {
            path: LicencePath::EntraIdP2,
            key: "entra_id_p2",
            product: "Microsoft Entra ID P2",
            short: "Entra ID P2",
        },
        PathNames {
            path: LicencePath::DefenderSuiteBusinessPremium,
            key: "defender_suite_business_premium",
            product: "Microsoft Defender Suite for Business Premium",
            short: "Defender Suite for Business Premium",
        },
        PathNames {
            path: LicencePath::DefenderSuite,
            key: "defender_suite",
            product: "Microsoft Defender Suite",
            short: "Defender Suite",
        },
        PathNames {
            path: LicencePath::M365E5,
            key: "m365_e5",
            product: "Microsoft 365 E5",
            short: "Microsoft 365 E5",
        },
        PathNames {
            path: LicencePath::M365E7,
            key: "m365_e7",
            product: "Microsoft 365 E7",
            short: "Microsoft 365 E7",
        },
        PathNames {
            path: LicencePath::EmsE5,
            key: "ems_e5",
            product: "Enterprise Mobility + Security E5",
            short: "EMS E5",
        },
        PathNames {
            path: LicencePath::M365F5Security,
            key: "m365_f5_security",
            product: "Microsoft 365 F5 Security",
            short: "Microsoft 365 F5 Security",
        },
        PathNames {
            path: LicencePath::EntraSuite,
            key: "entra_suite",
            product: "Microsoft Entra Suite",
            short: "Entra Suite",
        },
        PathNames {
            path: LicencePath::EntraIdGovernance,
            key: "entra_id_governance",
            product: "Microsoft Entra ID Governance",
            short: "Entra ID Governance",
        },
        PathNames {
            path: LicencePath::OtherBundle,
            key: "other_bundle",
            product: "another bundle carrying Entra ID P2",
            short: "Other bundle with P2",
        },
    ];

    fn names(self) -> &'static PathNames {
        Self::TABLE
            .iter()
            .find(|n| n.path == self)
            .expect("every path has a row in LicencePath::TABLE")
    }

    /// The stable snake_case name (as in the data files and the JSON).
    pub fn as_str(self) -> &'static str {
        self.names().key
    }

    /// The product's name for people ("Enterprise Mobility + Security E5").
    pub fn label(self) -> &'static str {
        self.names().product
    }

    /// A short name for narrow columns ("EMS E5").
    pub fn short_label(self) -> &'static str {
        self.names().short
    }
}

/// The three Entra premium service plans licensing reads.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum EntraPlan {
    #[serde(rename = "AAD_PREMIUM")]
    P1,
    #[serde(rename = "AAD_PREMIUM_P2")]
    P2,
    #[serde(rename = "Entra_Identity_Governance")]
    Governance,
}

impl EntraPlan {
    pub const ALL: [EntraPlan; 3] = [EntraPlan::P1, EntraPlan::P2, EntraPlan::Governance];

    pub fn service_plan_id(self) -> &'static str {
        match self {
            EntraPlan::P1 => AAD_PREMIUM,
            EntraPlan::P2 => AAD_PREMIUM_P2,
            EntraPlan::Governance => ENTRA_IDENTITY_GOVERNANCE,
        }
    }

    pub fn service_plan_name(self) -> &'static str {
        match self {
            EntraPlan::P1 => "AAD_PREMIUM",
            EntraPlan::P2 => "AAD_PREMIUM_P2",
            EntraPlan::Governance => "Entra_Identity_Governance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntraPlan::P1 => "Entra ID P1",
            EntraPlan::P2 => "Entra ID P2",
            EntraPlan::Governance => "Entra ID Governance",
        }
    }

    /// Which Entra plan a service plan is, by id (names as a fallback for hand-made snapshots).
    pub fn of(plan: &ServicePlanInfo) -> Option<EntraPlan> {
        EntraPlan::ALL.into_iter().find(|p| {
            plan.service_plan_id
                .eq_ignore_ascii_case(p.service_plan_id())
                || (plan.service_plan_id.is_empty()
                    && plan.service_plan_name == p.service_plan_name())
        })
    }

    /// Whether it gives PIM (P2 or Governance).
    pub fn gives_pim(self) -> bool {
        matches!(self, EntraPlan::P2 | EntraPlan::Governance)
    }
}

/// A base licence the cost estimate asks about (add-on prerequisites, E3 → E5 step-up).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BaseLicence {
    M365BusinessPremium,
    M365E3,
}

impl BaseLicence {
    pub fn label(self) -> &'static str {
        match self {
            BaseLicence::M365BusinessPremium => "Microsoft 365 Business Premium",
            BaseLicence::M365E3 => "Microsoft 365 E3",
        }
    }
}

/// One row of `data/sku-paths.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuRow {
    pub sku_part_number: String,
    /// `None` for products whose skuId is not known yet (matched on the part number).
    #[serde(default)]
    pub sku_id: Option<String>,
    pub product_name: String,
    #[serde(default)]
    pub former_product_name: Option<String>,
    /// `None`: the SKU carries neither P2 nor Governance.
    #[serde(default)]
    pub path: Option<LicencePath>,
    /// The Entra plans Microsoft's table lists for it.
    pub plans: Vec<EntraPlan>,
    #[serde(default)]
    pub base: Option<BaseLicence>,
    pub verified: bool,
    #[serde(default)]
    pub note: Option<String>,
    /// The SKU's full service-plan list where the table was transcribed (test fixtures).
    #[serde(default, rename = "service_plan")]
    pub service_plans: Vec<SkuServicePlan>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuServicePlan {
    pub name: String,
    pub id: String,
}

/// The reviewed SKU classification table, `data/sku-paths.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuTable {
    pub service_plan_ids: BTreeMap<String, String>,
    #[serde(rename = "sku")]
    pub skus: Vec<SkuRow>,
    #[serde(default, rename = "unresolved_sku")]
    pub unresolved: Vec<SkuRow>,
}

const SKU_TABLE_TOML: &str = include_str!("../data/sku-paths.toml");

static SKU_TABLE: LazyLock<SkuTable> = LazyLock::new(|| {
    toml::from_str(SKU_TABLE_TOML)
        .expect("data/sku-paths.toml parses (unit test `sku_table_is_consistent`)")
});

impl SkuTable {
    /// The embedded table, parsed once.
    pub fn get() -> &'static SkuTable {
        &SKU_TABLE
    }

    /// The row for a subscribed SKU: by skuId, else (for rows without one) by part number.
    pub fn row(&self, sku_id: &str, sku_part_number: &str) -> Option<&SkuRow> {
        let rows = || self.skus.iter().chain(&self.unresolved);
        rows()
            .find(|r| {
                r.sku_id
                    .as_deref()
                    .is_some_and(|id| id.eq_ignore_ascii_case(sku_id))
            })
            .or_else(|| {
                rows().find(|r| {
                    r.sku_id.is_none()
                        && !sku_part_number.is_empty()
                        && r.sku_part_number.eq_ignore_ascii_case(sku_part_number)
                })
            })
    }
}

/// The base licence a subscribed SKU is, per the SKU table.
pub fn base_of(sku: &SubscribedSku) -> Option<BaseLicence> {
    SkuTable::get()
        .row(&sku.sku_id, &sku.sku_part_number)
        .and_then(|r| r.base)
}

/// Whether a SKU's seats count (status `Enabled` or `Warning`).
pub fn is_counted(status: &CapabilityStatus) -> bool {
    matches!(
        status,
        CapabilityStatus::Enabled | CapabilityStatus::Warning
    )
}

/// Usable seats of a counted SKU: `prepaidUnits.enabled + warning`; 0 otherwise.
pub fn usable_seats(sku: &SubscribedSku) -> u32 {
    if is_counted(&sku.capability_status) {
        // Saturating: unit counts come from the tenant and may be absurd.
        clamp_u32(
            sku.prepaid_units
                .enabled
                .max(0)
                .saturating_add(sku.prepaid_units.warning.max(0)),
        )
    } else {
        0
    }
}

fn clamp_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// One SKU that carries (or could carry) an Entra premium plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LicenceSource {
    pub sku_id: String,
    pub sku_part_number: String,
    /// Friendly product name when the SKU is known.
    pub product_name: String,
    /// Set when the SKU carries P2 or Governance (unknown SKUs: `other_bundle`).
    pub path: Option<LicencePath>,
    /// Entra plans it carries: `AAD_PREMIUM`, `AAD_PREMIUM_P2`, `Entra_Identity_Governance`.
    pub plans: Vec<String>,
    pub capability_status: CapabilityStatus,
    pub enabled_units: i64,
    pub consumed_units: i64,
    /// Whether its seats count (status Enabled or Warning).
    pub counted: bool,
    /// `prepaidUnits.warning` (counted while the status is Warning).
    #[serde(default)]
    pub warning_units: i64,
    /// `prepaidUnits.suspended` and `lockedOut`: reported, never counted.
    #[serde(default)]
    pub suspended_units: i64,
    #[serde(default)]
    pub locked_out_units: i64,
    /// Usable seats it gives: `enabled + warning` when counted, else 0.
    #[serde(default)]
    pub seats: u32,
    /// Entra plans listed with a provisioning status other than `Success` (not carried).
    #[serde(default)]
    pub disabled_plans: Vec<String>,
    /// P1 is implied by P2 (the SKU carries P2 without listing `AAD_PREMIUM`).
    #[serde(default)]
    pub p1_implied: bool,
    /// Whether the SKU is in the reviewed SKU table.
    #[serde(default)]
    pub known: bool,
}

impl LicenceSource {
    /// Carries P2 or Governance.
    pub fn gives_pim(&self) -> bool {
        self.path.is_some()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Seats {
    /// Usable P2/Governance seats (sum over counted SKUs; a licence count, not distinct users).
    pub available: u32,
    /// Users PIM needs a seat for (including `planned_approvers`).
    pub in_scope: u32,
    pub shortfall: u32,
    /// Seats left over when covered (`available - in_scope`).
    pub headroom: u32,
    /// Approvers the plan needs that are not among the users in scope (not on PIM yet).
    pub planned_approvers: u32,
}

/// A user who needs a PIM seat, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScopedUser {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    /// One short phrase per reason ("eligible for Global Administrator", "approver for …").
    pub why: Vec<String>,
}

/// A user, for informational lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UserRef {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
}

/// How the users in scope were counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeRule {
    /// PIM in use: eligible and time-bound holders, approvers, reviewers.
    OnPim,
    /// PIM not in use yet: every user holding a role today, minus emergency accounts, plus approvers.
    #[default]
    Readiness,
}

/// The licensing verdict.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Licensing {
    /// `false` when the tenant's licences could not be read: the flags below are then
    /// unknown (reported `false`), never a finding of "no P2".
    pub assessed: bool,
    /// Why licences could not be read.
    pub unknown_reason: Option<String>,
    pub pim_capable: bool,
    pub p2: bool,
    pub governance: bool,
    pub p1: bool,
    /// Usable seats carrying P1 (or P2, which implies it).
    pub p1_seats: u32,
    pub sources: Vec<LicenceSource>,
    pub seats: Seats,
    pub scope_rule: ScopeRule,
    /// Who needs a seat, sorted by id.
    pub in_scope_users: Vec<ScopedUser>,
    /// Users in scope with no P2/Governance licence assigned (informational: seats need
    /// not be assigned to them).
    pub users_without_pim_licence: Vec<UserRef>,
    /// Users in scope whose assigned licences were not collected.
    pub licence_assignment_unknown: u32,
    /// One sentence: "Entra ID P2 present through Microsoft 365 E5, 120 seats, 14 needed."
    pub verdict: String,
    /// What the counts could not include, and other caveats.
    pub notes: Vec<String>,
}

/// Reads the tenant's licences and counts the seats PIM needs.
pub fn analyse(
    snapshot: &TenantSnapshot,
    population: &PrivilegedPopulation,
    // The emergency designations arrive through `population` (its one `is_emergency`).
    _settings: &AssessmentSettings,
) -> Licensing {
    let detection = detect(snapshot);
    let mut scope = Scope::new(snapshot, population);
    let scope_rule = if scope.on_pim() {
        ScopeRule::OnPim
    } else {
        ScopeRule::Readiness
    };
    match scope_rule {
        ScopeRule::OnPim => scope.add_pim_holders(),
        ScopeRule::Readiness => scope.add_role_holders(),
    }
    scope.add_azure_eligible();
    scope.add_approvers();
    scope.add_reviewers();
    let planned_approvers = if scope_rule == ScopeRule::Readiness {
        scope.planned_approvers()
    } else {
        0
    };

    let in_scope =
        clamp_u32(i64::try_from(scope.users.len()).unwrap_or(i64::MAX)) + planned_approvers;
    let available = detection.pim_seats;
    let seats = Seats {
        available,
        in_scope,
        shortfall: in_scope.saturating_sub(available),
        headroom: available.saturating_sub(in_scope),
        planned_approvers,
    };
    let (users_without_pim_licence, licence_assignment_unknown) =
        unlicensed(snapshot, population, &scope.users);
    let mut notes = detection.notes;
    notes.append(&mut scope.notes);
    if detection.p2_seats > 0 && detection.governance_seats > 0 {
        notes.push(
            "P2 and Governance seats are added up; where both are assigned to the same users, fewer users are covered."
                .to_owned(),
        );
    }
    let mut licensing = Licensing {
        assessed: detection.unknown_reason.is_none(),
        unknown_reason: detection.unknown_reason,
        pim_capable: detection.p2 || detection.governance,
        p2: detection.p2,
        governance: detection.governance,
        p1: detection.p1,
        p1_seats: detection.p1_seats,
        sources: detection.sources,
        seats,
        scope_rule,
        in_scope_users: scope.users.into_values().collect(),
        users_without_pim_licence,
        licence_assignment_unknown,
        verdict: String::new(),
        notes,
    };
    licensing.verdict = verdict(&licensing, snapshot);
    licensing
}

/// What the SKUs say.
struct Detection {
    unknown_reason: Option<String>,
    sources: Vec<LicenceSource>,
    p1: bool,
    p2: bool,
    governance: bool,
    p1_seats: u32,
    p2_seats: u32,
    governance_seats: u32,
    pim_seats: u32,
    notes: Vec<String>,
}

fn detect(snapshot: &TenantSnapshot) -> Detection {
    let mut d = Detection {
        unknown_reason: None,
        sources: Vec::new(),
        p1: false,
        p2: false,
        governance: false,
        p1_seats: 0,
        p2_seats: 0,
        governance_seats: 0,
        pim_seats: 0,
        notes: Vec::new(),
    };
    let Some(skus) = snapshot.subscribed_skus.as_ref() else {
        d.unknown_reason = Some(match snapshot.gap(Dataset::SubscribedSkus) {
            Some(gap) => match &gap.missing_scope {
                Some(scope) => format!(
                    "the subscribed SKUs could not be read ({}: {}; needs {scope})",
                    gap.reason.as_str(),
                    gap.detail
                ),
                None => format!(
                    "the subscribed SKUs could not be read ({}: {})",
                    gap.reason.as_str(),
                    gap.detail
                ),
            },
            None => "the snapshot holds no subscribed SKUs".to_owned(),
        });
        return d;
    };
    let table = SkuTable::get();
    for sku in skus {
        let row = table.row(&sku.sku_id, &sku.sku_part_number);
        let mut carried = BTreeSet::new();
        let mut disabled = BTreeSet::new();
        for plan in &sku.service_plans {
            if let Some(p) = EntraPlan::of(plan) {
                if plan.provisioning_status == ProvisioningStatus::Success {
                    carried.insert(p);
                } else {
                    disabled.insert(p);
                }
            }
        }
        disabled.retain(|p| !carried.contains(p));
        if sku.service_plans.is_empty() && row.is_some_and(|r| r.path.is_some()) {
            d.notes.push(format!(
                "{} lists no service plans, so its seats are not counted towards PIM.",
                sku.sku_part_number
            ));
        }
        if carried.is_empty() && disabled.is_empty() {
            continue;
        }
        let gives_pim = carried.iter().any(|p| p.gives_pim());
        let counted = is_counted(&sku.capability_status);
        let seats = usable_seats(sku);
        let source = LicenceSource {
            sku_id: sku.sku_id.clone(),
            sku_part_number: sku.sku_part_number.clone(),
            product_name: row
                .map_or_else(|| sku.sku_part_number.clone(), |r| r.product_name.clone()),
            path: gives_pim.then(|| row.and_then(|r| r.path).unwrap_or(LicencePath::OtherBundle)),
            plans: carried
                .iter()
                .map(|p| p.service_plan_name().to_owned())
                .collect(),
            capability_status: sku.capability_status.clone(),
            enabled_units: sku.prepaid_units.enabled,
            consumed_units: sku.consumed_units,
            counted,
            warning_units: sku.prepaid_units.warning,
            suspended_units: sku.prepaid_units.suspended,
            locked_out_units: sku.prepaid_units.locked_out,
            seats,
            disabled_plans: disabled
                .iter()
                .map(|p| p.service_plan_name().to_owned())
                .collect(),
            p1_implied: carried.contains(&EntraPlan::P2) && !carried.contains(&EntraPlan::P1),
            known: row.is_some(),
        };
        if counted {
            let p2 = carried.contains(&EntraPlan::P2);
            let gov = carried.contains(&EntraPlan::Governance);
            let p1 = p2 || carried.contains(&EntraPlan::P1);
            d.p2 |= p2;
            d.governance |= gov;
            d.p1 |= p1;
            if p1 {
                d.p1_seats = d.p1_seats.saturating_add(seats);
            }
            if p2 {
                d.p2_seats = d.p2_seats.saturating_add(seats);
            } else if gov {
                d.governance_seats = d.governance_seats.saturating_add(seats);
            }
            if gives_pim {
                d.pim_seats = d.pim_seats.saturating_add(seats);
            }
        } else if gives_pim {
            d.notes.push(format!(
                "{} is {} ({} units): it gives no seats until it is active again.",
                source.product_name,
                sku.capability_status,
                sku.prepaid_units
                    .enabled
                    .saturating_add(sku.prepaid_units.suspended)
                    .saturating_add(sku.prepaid_units.locked_out)
            ));
        }
        d.sources.push(source);
    }
    d
}

/// Builds the set of users in PIM scope.
struct Scope<'a> {
    snapshot: &'a TenantSnapshot,
    population: &'a PrivilegedPopulation,
    /// Every principal id holding a role (any kind): "admins".
    admins: BTreeSet<String>,
    users: BTreeMap<String, ScopedUser>,
    notes: Vec<String>,
}

impl<'a> Scope<'a> {
    fn new(snapshot: &'a TenantSnapshot, population: &'a PrivilegedPopulation) -> Self {
        let admins = population
            .holdings
            .iter()
            .map(|h| h.principal_id.to_ascii_lowercase())
            .collect();
        Scope {
            snapshot,
            population,
            admins,
            users: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    /// PIM is in use when anything is eligible or time-bound (roles or PIM for Groups).
    fn on_pim(&self) -> bool {
        self.population
            .holdings
            .iter()
            .any(|h| h.holding != HoldingKind::PermanentActive)
            || self
                .snapshot
                .role_eligibility_schedule_instances
                .as_ref()
                .is_some_and(|v| !v.is_empty())
            || self
                .snapshot
                .group_eligibility_schedule_instances
                .as_ref()
                .is_some_and(|v| !v.is_empty())
    }

    /// The population's designated emergency accounts: one rule for checks and seats.
    fn is_emergency(&self, id: &str) -> bool {
        self.population.is_emergency(id)
    }

    /// Users eligible for a privileged Azure role need a PIM seat too (PIM for Azure
    /// resources is licensed like PIM for Entra roles). Groups are noted, not expanded.
    fn add_azure_eligible(&mut self) {
        let view = crate::azure::AzureView::resolve(self.snapshot);
        for h in &view.eligible {
            if h.is_user() {
                if !self.is_emergency(&h.principal_id) {
                    let principal = crate::azure::graph_principal(self.snapshot, &h.principal_id);
                    let why = format!("eligible for Azure {} on {}", h.role, h.scope);
                    self.add(&h.principal_id, principal, why);
                    if let Some(entry) = self.users.get_mut(&h.principal_id.to_ascii_lowercase()) {
                        entry.display_name =
                            entry.display_name.take().or_else(|| h.display_name.clone());
                        entry.user_principal_name = entry
                            .user_principal_name
                            .take()
                            .or_else(|| h.sign_in_name.clone());
                    }
                }
            } else if h.principal_type.eq_ignore_ascii_case("Group") {
                let note = format!(
                    "Group {} is eligible for Azure {} on {}: its members are not counted.",
                    h.label(),
                    h.role,
                    h.scope
                );
                if !self.notes.contains(&note) {
                    self.notes.push(note);
                }
            }
        }
    }

    fn add(&mut self, id: &str, principal: Option<&Principal>, why: String) {
        let principal = principal.or_else(|| self.snapshot.principal(id));
        let entry = self
            .users
            .entry(id.to_ascii_lowercase())
            .or_insert_with(|| ScopedUser {
                id: id.to_owned(),
                display_name: None,
                user_principal_name: None,
                why: Vec::new(),
            });
        if let Some(p) = principal {
            entry.display_name = entry.display_name.take().or_else(|| p.display_name.clone());
            entry.user_principal_name = entry
                .user_principal_name
                .take()
                .or_else(|| p.user_principal_name.clone());
        }
        if !entry.why.contains(&why) {
            entry.why.push(why);
        }
    }

    /// Adds a principal that may be a group: users directly, groups by their members.
    /// `skip` filters users out (emergency accounts, admins).
    fn add_principal(&mut self, id: &str, why: &str, skip: &dyn Fn(&Self, &str) -> bool) {
        let principal = self.snapshot.principal(id);
        match principal.map(Principal::kind) {
            Some(PrincipalKind::Group) => self.add_group_members(id, why, skip),
            Some(PrincipalKind::ServicePrincipal) => {}
            _ => {
                if !skip(self, id) {
                    self.add(id, principal, why.to_owned());
                }
            }
        }
    }

    /// Whether the population already lists the members of a group's holding (as
    /// holdings `via_group`); if not, licensing expands the group itself.
    fn expanded(&self, group_holding: &Holding) -> bool {
        self.population.holdings.iter().any(|h| {
            h.via_group
                .as_deref()
                .is_some_and(|g| group_holding.principal_id == g)
                && h.role_template_id
                    .eq_ignore_ascii_case(&group_holding.role_template_id)
        })
    }

    fn add_group_members(&mut self, group_id: &str, why: &str, skip: &dyn Fn(&Self, &str) -> bool) {
        let snapshot = self.snapshot;
        let Some(group) = snapshot
            .privileged_groups
            .iter()
            .flatten()
            .find(|g| g.group.id == group_id)
        else {
            self.notes.push(format!(
                "Group {group_id} ({why}) is not in the snapshot: its members are not counted."
            ));
            return;
        };
        let name = group.group.name().to_owned();
        for member in &group.members {
            if member.kind() == PrincipalKind::User && !skip(self, &member.id) {
                self.add(
                    &member.id,
                    Some(member),
                    format!("{why} (member of {name})"),
                );
            }
        }
    }

    /// On PIM: eligible and time-bound active holders (direct or via group), and
    /// eligible or time-bound members and owners of PIM for Groups.
    fn add_pim_holders(&mut self) {
        let population = self.population;
        let none = |_: &Self, _: &str| false;
        for h in &population.holdings {
            let how = match h.holding {
                HoldingKind::PermanentActive => continue,
                HoldingKind::Eligible => "eligible for",
                HoldingKind::TimeBoundActive => "time-bound active",
                HoldingKind::Activated => "activated",
            };
            let mut why = format!("{how} {}", h.role_name);
            if let Some(group) = h.via_group_name.as_deref().or(h.via_group.as_deref()) {
                why = format!("{why} via {group}");
            }
            match h.kind {
                PrincipalKind::User => self.add(&h.principal_id, h.principal.as_ref(), why),
                PrincipalKind::Group if !self.expanded(h) => {
                    self.add_group_members(&h.principal_id, &why, &none);
                }
                // Groups the population already expanded; applications need no seat.
                PrincipalKind::Group | PrincipalKind::ServicePrincipal | PrincipalKind::Unknown => {
                }
            }
        }
        let snapshot = self.snapshot;
        let group_name = |id: &str| {
            snapshot
                .privileged_groups
                .iter()
                .flatten()
                .find(|g| g.group.id == id)
                .map_or_else(|| id.to_owned(), |g| g.group.name().to_owned())
        };
        for i in snapshot
            .group_eligibility_schedule_instances
            .iter()
            .flatten()
        {
            let access = i.access_id.as_ref().map_or("member", |a| a.as_str());
            let why = format!("eligible {access} of {}", group_name(&i.group_id));
            self.add_principal(&i.principal_id, &why, &none);
        }
        for i in snapshot
            .group_assignment_schedule_instances
            .iter()
            .flatten()
        {
            if i.end_date_time.is_none()
                || i.assignment_type
                    .as_ref()
                    .is_some_and(|t| t.as_str() == "Activated")
            {
                continue;
            }
            let access = i.access_id.as_ref().map_or("member", |a| a.as_str());
            let why = format!("time-bound {access} of {}", group_name(&i.group_id));
            self.add_principal(&i.principal_id, &why, &none);
        }
    }

    /// Not on PIM yet: every user holding a role today (groups expanded), minus emergency accounts.
    fn add_role_holders(&mut self) {
        let population = self.population;
        let skip_emergency = |s: &Self, id: &str| s.is_emergency(id);
        for h in &population.holdings {
            if self.is_emergency(&h.principal_id) {
                continue;
            }
            let mut why = format!("holds {} ({})", h.role_name, h.holding.label());
            if let Some(group) = h.via_group_name.as_deref().or(h.via_group.as_deref()) {
                why = format!("{why} via {group}");
            }
            match h.kind {
                PrincipalKind::User => self.add(&h.principal_id, h.principal.as_ref(), why),
                PrincipalKind::Group if !self.expanded(h) => {
                    self.add_group_members(&h.principal_id, &why, &skip_emergency);
                }
                // Groups the population already expanded; applications need no seat.
                PrincipalKind::Group | PrincipalKind::ServicePrincipal | PrincipalKind::Unknown => {
                }
            }
        }
    }

    /// Approvers named in role settings whose approval rule is on.
    fn add_approvers(&mut self) {
        let snapshot = self.snapshot;
        let none = |_: &Self, _: &str| false;
        for assignment in snapshot.role_management_policies.iter().flatten() {
            let role = role_name(
                snapshot,
                assignment.role_definition_id.as_deref().unwrap_or_default(),
            );
            for rule in assignment.policy.iter().flat_map(|p| &p.rules) {
                let Some(setting) = &rule.setting else {
                    continue;
                };
                if setting.is_approval_required == Some(false) {
                    continue;
                }
                for stage in &setting.approval_stages {
                    for subject in stage
                        .primary_approvers
                        .iter()
                        .chain(&stage.escalation_approvers)
                    {
                        let why = format!("approver for {role}");
                        if let Some(user) = &subject.user_id {
                            self.add_principal(user, &why, &none);
                        } else if let Some(group) = &subject.group_id {
                            self.add_group_members(group, &why, &none);
                        }
                    }
                }
            }
        }
    }

    /// Reviewers of access reviews over roles or privileged groups who are not admins.
    fn add_reviewers(&mut self) {
        let snapshot = self.snapshot;
        let not_admin = |s: &Self, id: &str| s.admins.contains(&id.to_ascii_lowercase());
        for review in snapshot.access_reviews.iter().flatten() {
            if !reviews_privileged_access(snapshot, review.scope_queries().as_slice()) {
                continue;
            }
            let name = review
                .display_name
                .clone()
                .unwrap_or_else(|| review.id.clone());
            let why = format!("reviewer in access review {name}");
            for reviewer in &review.reviewers {
                let Some(query) = reviewer.query.as_deref() else {
                    continue;
                };
                match parse_reviewer(query) {
                    Some(Reviewer::User(id)) => {
                        if !not_admin(self, id) {
                            self.add_principal(id, &why, &not_admin);
                        }
                    }
                    Some(Reviewer::Group(id)) => self.add_group_members(id, &why, &not_admin),
                    None => self.notes.push(format!(
                        "Access review {name} has reviewers given as `{query}` (managers or self-review): not counted."
                    )),
                }
            }
        }
    }

    /// Readiness: Global Administrator activation will need an approver. None extra when
    /// at least two users in scope hold Global or Privileged Role Administrator (each can
    /// approve the other); otherwise one, unless approvers are already configured.
    fn planned_approvers(&mut self) -> u32 {
        let holders = |role: &str| -> BTreeSet<String> {
            self.population
                .holdings
                .iter()
                .filter(|h| h.role_template_id.eq_ignore_ascii_case(role))
                .map(|h| h.principal_id.to_ascii_lowercase())
                .filter(|id| self.users.contains_key(id))
                .collect()
        };
        let global = holders(GLOBAL_ADMINISTRATOR);
        if global.is_empty() {
            return 0;
        }
        let mut approvers = global;
        approvers.extend(holders(PRIVILEGED_ROLE_ADMINISTRATOR));
        let configured = self
            .users
            .values()
            .any(|u| u.why.iter().any(|w| w.starts_with("approver for")));
        if approvers.len() >= 2 || configured {
            return 0;
        }
        self.notes.push(
            "Global Administrator activation needs an approver other than the requester: one more seat is counted for it."
                .to_owned(),
        );
        1
    }
}

fn role_name(snapshot: &TenantSnapshot, id: &str) -> String {
    snapshot
        .role_definitions
        .iter()
        .flatten()
        .find(|d| {
            d.id.eq_ignore_ascii_case(id)
                || d.template_id
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case(id))
        })
        .map_or_else(
            || {
                if id.is_empty() {
                    "a role".to_owned()
                } else {
                    id.to_owned()
                }
            },
            |d| d.display_name.clone(),
        )
}

/// Whether an access review covers directory roles or a privileged group.
fn reviews_privileged_access(snapshot: &TenantSnapshot, queries: &[&str]) -> bool {
    queries.iter().any(|q| {
        let q = q.to_ascii_lowercase();
        q.contains("rolemanagement")
            || q.contains("roledefinition")
            || snapshot
                .privileged_groups
                .iter()
                .flatten()
                .any(|g| !g.group.id.is_empty() && q.contains(&g.group.id.to_ascii_lowercase()))
    })
}

enum Reviewer<'q> {
    User(&'q str),
    Group(&'q str),
}

/// `/users/{id}` or `/groups/{id}/transitiveMembers` (with or without a version prefix).
fn parse_reviewer(query: &str) -> Option<Reviewer<'_>> {
    let query = query.trim();
    let rest = ["/v1.0", "/beta"]
        .iter()
        .find_map(|p| query.strip_prefix(p))
        .unwrap_or(query);
    if let Some(id) = rest.strip_prefix("/users/") {
        let id = id.split('/').next().unwrap_or_default();
        return (!id.is_empty()).then_some(Reviewer::User(id));
    }
    if let Some(id) = rest.strip_prefix("/groups/") {
        let id = id.split('/').next().unwrap_or_default();
        return (!id.is_empty()).then_some(Reviewer::Group(id));
    }
    None
}

/// Users in scope without a P2/Governance licence assigned, and how many could not be told.
fn unlicensed(
    snapshot: &TenantSnapshot,
    population: &PrivilegedPopulation,
    users: &BTreeMap<String, ScopedUser>,
) -> (Vec<UserRef>, u32) {
    let mut without = Vec::new();
    let mut unknown = 0;
    for user in users.values() {
        let licences = snapshot
            .principal(&user.id)
            .and_then(|p| p.assigned_licenses.as_ref())
            .or_else(|| {
                population
                    .holdings
                    .iter()
                    .filter(|h| h.principal_id == user.id)
                    .find_map(|h| {
                        h.principal
                            .as_ref()
                            .and_then(|p| p.assigned_licenses.as_ref())
                    })
            });
        let Some(licences) = licences else {
            unknown += 1;
            continue;
        };
        let covered = licences.iter().any(|l| {
            pim_plans_of(snapshot, &l.sku_id).iter().any(|plan| {
                !l.disabled_plans
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(plan.service_plan_id()))
            })
        });
        if !covered {
            without.push(UserRef {
                id: user.id.clone(),
                display_name: user.display_name.clone(),
                user_principal_name: user.user_principal_name.clone(),
            });
        }
    }
    (without, unknown)
}

/// The PIM-giving plans a SKU carries: from the tenant's SKUs, else from the SKU table.
fn pim_plans_of(snapshot: &TenantSnapshot, sku_id: &str) -> Vec<EntraPlan> {
    if let Some(sku) = snapshot
        .subscribed_skus
        .iter()
        .flatten()
        .find(|s| s.sku_id.eq_ignore_ascii_case(sku_id))
    {
        return sku
            .service_plans
            .iter()
            .filter(|p| p.provisioning_status == ProvisioningStatus::Success)
            .filter_map(EntraPlan::of)
            .filter(|p| p.gives_pim())
            .collect();
    }
    SkuTable::get()
        .row(sku_id, "")
        .map(|r| r.plans.iter().copied().filter(|p| p.gives_pim()).collect())
        .unwrap_or_default()
}

fn verdict(l: &Licensing, snapshot: &TenantSnapshot) -> String {
    if !l.assessed {
        let hint = if snapshot.role_eligibility_schedule_instances.is_some() {
            " (PIM data was readable, which suggests P2 or Governance is present)"
        } else {
            ""
        };
        return format!(
            "Licences not assessed: {}; Entra ID P2 status unknown{hint}, {} needed.",
            l.unknown_reason.as_deref().unwrap_or("no licence data"),
            seats_word(l.seats.in_scope),
        );
    }
    if l.pim_capable {
        let plan = if l.p2 {
            "Entra ID P2"
        } else {
            "Entra ID Governance"
        };
        let through = through(l.sources.iter().filter(|s| s.counted && s.gives_pim()));
        let short = if l.seats.shortfall > 0 {
            format!(": {} short", l.seats.shortfall)
        } else {
            String::new()
        };
        return format!(
            "{plan} present through {through}, {}, {} needed{short}.",
            seats_word(l.seats.available),
            l.seats.in_scope
        );
    }
    let p1 = if l.p1 {
        format!(
            " (Entra ID P1 through {})",
            through(
                l.sources
                    .iter()
                    .filter(|s| s.counted && !s.plans.is_empty())
            )
        )
    } else {
        String::new()
    };
    let inactive = l
        .sources
        .iter()
        .filter(|s| s.gives_pim() && !s.counted)
        .count();
    let inactive = if inactive > 0 {
        format!("; {inactive} inactive P2/Governance subscription(s) give no seats")
    } else {
        String::new()
    };
    format!(
        "No usable Entra ID P2 or ID Governance licence{p1}{inactive}; PIM needs {}.",
        seats_word(l.seats.in_scope)
    )
}

fn through<'s>(sources: impl Iterator<Item = &'s LicenceSource>) -> String {
    let mut names: Vec<&str> = Vec::new();
    for s in sources {
        if !names.contains(&s.product_name.as_str()) {
            names.push(&s.product_name);
        }
    }
    match names.as_slice() {
        [] => "no product".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn seats_word(n: u32) -> String {
    format!("{n} {}", plural(n, "seat", "seats"))
}

fn plural<'w>(n: u32, one: &'w str, many: &'w str) -> &'w str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::privileged::{EmergencyAccount, EmergencyOrigin, Holding};
    use crate::snapshot::{
        AccessReviewDefinition, AccessReviewReviewerScope, ApprovalSettings, ApprovalStage,
        AssignedLicense, Gap, GapReason, GroupAccessId, GroupScheduleInstance, PolicyRule,
        PrivilegedGroup, RoleDefinition, RoleManagementPolicy, RoleManagementPolicyAssignment,
        SubjectSet,
    };
    use crate::test_support::{self, group, raw_sku, sku, user};

    #[test]
    fn every_licence_path_has_one_row_whose_key_is_its_wire_name() {
        let mut keys = std::collections::BTreeSet::new();
        for row in &LicencePath::TABLE {
            let wire = serde_json::to_string(&row.path).unwrap();
            assert_eq!(wire, format!("\"{}\"", row.key));
            assert_eq!(row.path.label(), row.product);
            assert!(keys.insert(row.key), "{} twice", row.key);
        }
        assert_eq!(LicencePath::EmsE5.short_label(), "EMS E5");
        assert_eq!(
            LicencePath::EmsE5.label(),
            "Enterprise Mobility + Security E5"
        );
    }

    /// The test tenant whose SKU list was read and is empty.
    pub(crate) fn empty_snapshot() -> TenantSnapshot {
        TenantSnapshot {
            subscribed_skus: Some(Vec::new()),
            ..test_support::empty_snapshot(Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap())
        }
    }
    use chrono::Utc;

    fn with_plan_status(
        mut sku: SubscribedSku,
        plan_id: &str,
        status: &ProvisioningStatus,
    ) -> SubscribedSku {
        for p in &mut sku.service_plans {
            if p.service_plan_id == plan_id {
                p.provisioning_status = status.clone();
            }
        }
        sku
    }

    /// User `id` holding `role` as `kind`; a permanent active holding was made outside PIM.
    pub(crate) fn holding(id: &str, role: &str, kind: HoldingKind) -> Holding {
        Holding {
            outside_pim: kind == HoldingKind::PermanentActive,
            ..test_support::holding(&user(id), role, kind)
        }
    }

    const EXCHANGE: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";

    /// Expected detection result.
    struct Want {
        pim_capable: bool,
        p2: bool,
        p1: bool,
        governance: bool,
        /// Per reported source: its path.
        paths: &'static [Option<LicencePath>],
        available: u32,
    }

    fn check(skus: Vec<SubscribedSku>, want: &Want) -> Licensing {
        let mut snapshot = empty_snapshot();
        snapshot.subscribed_skus = Some(skus);
        let population = PrivilegedPopulation::default();
        let l = analyse(&snapshot, &population, &AssessmentSettings::default());
        let paths: Vec<Option<LicencePath>> = l.sources.iter().map(|s| s.path).collect();
        assert!(l.assessed);
        assert_eq!(
            (
                l.pim_capable,
                l.p2,
                l.p1,
                l.governance,
                paths.as_slice(),
                l.seats.available
            ),
            (
                want.pim_capable,
                want.p2,
                want.p1,
                want.governance,
                want.paths,
                want.available
            ),
            "{l:#?}"
        );
        l
    }

    use LicencePath as P;

    #[test]
    fn detects_by_service_plan() {
        detects_the_product_behind_each_licence();
        counts_only_active_skus();
        reads_plans_of_unknown_and_partly_provisioned_skus();
        adds_seats_across_counted_skus();
    }

    /// Which product a SKU is, and which of P1, P2 and Governance it carries.
    fn detects_the_product_behind_each_licence() {
        // E5 carries both P1 and P2 → P2 (not misread as P1).
        let l = check(
            vec![sku("SPE_E5", "Enabled", 120)],
            &Want {
                pim_capable: true,
                p2: true,
                p1: true,
                governance: false,
                paths: &[Some(P::M365E5)],
                available: 120,
            },
        );
        assert_eq!(l.sources[0].plans, ["AAD_PREMIUM", "AAD_PREMIUM_P2"]);
        assert_eq!(
            l.verdict,
            "Entra ID P2 present through Microsoft 365 E5, 120 seats, 0 needed."
        );
        // Defender Suite: P2 without the P1 plan → P1 implied.
        let l = check(
            vec![sku("IDENTITY_THREAT_PROTECTION", "Enabled", 50)],
            &Want {
                pim_capable: true,
                p2: true,
                p1: true,
                governance: false,
                paths: &[Some(P::DefenderSuite)],
                available: 50,
            },
        );
        assert!(l.sources[0].p1_implied);
        assert_eq!(l.p1_seats, 50);
        // Business Premium: P1 only → not PIM-capable.
        let l = check(
            vec![sku("SPB", "Enabled", 40)],
            &Want {
                pim_capable: false,
                p2: false,
                p1: true,
                governance: false,
                paths: &[None],
                available: 0,
            },
        );
        assert!(l.verdict.starts_with("No usable Entra ID P2 or ID Governance licence (Entra ID P1 through Microsoft 365 Business Premium)"), "{}", l.verdict);
        // Office 365 E5: no Entra premium plan at all.
        check(
            vec![sku("ENTERPRISEPREMIUM", "Enabled", 100)],
            &Want {
                pim_capable: false,
                p2: false,
                p1: false,
                governance: false,
                paths: &[],
                available: 0,
            },
        );
        // Governance only: PIM-capable without P2.
        let l = check(
            vec![sku("Microsoft_Entra_ID_Governance", "Enabled", 25)],
            &Want {
                pim_capable: true,
                p2: false,
                p1: false,
                governance: true,
                paths: &[Some(P::EntraIdGovernance)],
                available: 25,
            },
        );
        assert!(
            l.verdict.starts_with(
                "Entra ID Governance present through Microsoft Entra ID Governance, 25 seats"
            ),
            "{}",
            l.verdict
        );
    }

    /// A SKU's capability status decides whether its units are seats.
    fn counts_only_active_skus() {
        // A suspended P2 SKU is reported with its units but gives no seats.
        let l = check(
            vec![sku("AAD_PREMIUM_P2", "Suspended", 10)],
            &Want {
                pim_capable: false,
                p2: false,
                p1: false,
                governance: false,
                paths: &[Some(P::EntraIdP2)],
                available: 0,
            },
        );
        assert_eq!(
            (
                l.sources[0].counted,
                l.sources[0].suspended_units,
                l.sources[0].seats
            ),
            (false, 10, 0)
        );
        assert!(l.verdict.contains("1 inactive"), "{}", l.verdict);
        // LockedOut and Deleted likewise; Warning still counts (enabled + warning).
        for status in ["LockedOut", "Deleted"] {
            check(
                vec![sku("SPE_E5", status, 10)],
                &Want {
                    pim_capable: false,
                    p2: false,
                    p1: false,
                    governance: false,
                    paths: &[Some(P::M365E5)],
                    available: 0,
                },
            );
        }
        let mut warning = sku("AAD_PREMIUM_P2", "Warning", 5);
        warning.prepaid_units.warning = 5;
        check(
            vec![warning],
            &Want {
                pim_capable: true,
                p2: true,
                p1: true,
                governance: false,
                paths: &[Some(P::EntraIdP2)],
                available: 10,
            },
        );
    }

    /// Unknown SKUs are read by their plans; a plan counts only when provisioned.
    fn reads_plans_of_unknown_and_partly_provisioned_skus() {
        // An unknown SKU carrying P2 → other_bundle, named by its part number.
        let p2 = [
            ("AAD_PREMIUM_P2".to_owned(), AAD_PREMIUM_P2.to_owned()),
            (
                "WINDEFATP".into(),
                "871d91ec-ec1a-452b-a83f-bd76c7d770ef".into(),
            ),
        ];
        let l = check(
            vec![raw_sku(
                "CONTOSO_SECURE_BUNDLE",
                "7d1e2f3a-1111-4222-8333-944455556666",
                "Enabled",
                30,
                &p2,
            )],
            &Want {
                pim_capable: true,
                p2: true,
                p1: true,
                governance: false,
                paths: &[Some(P::OtherBundle)],
                available: 30,
            },
        );
        assert_eq!(
            (l.sources[0].product_name.as_str(), l.sources[0].known),
            ("CONTOSO_SECURE_BUNDLE", false)
        );
        // P2 plan switched off (provisioning Disabled) → not carried; P1 still is.
        let l = check(
            vec![with_plan_status(
                sku("SPE_E5", "Enabled", 120),
                AAD_PREMIUM_P2,
                &ProvisioningStatus::Disabled,
            )],
            &Want {
                pim_capable: false,
                p2: false,
                p1: true,
                governance: false,
                paths: &[None],
                available: 0,
            },
        );
        assert_eq!(l.sources[0].disabled_plans, ["AAD_PREMIUM_P2"]);
        // Only `Success` carries a plan: Error and the Pending states do not.
        for status in [
            ProvisioningStatus::PendingActivation,
            ProvisioningStatus::PendingProvisioning,
            ProvisioningStatus::PendingInput,
            ProvisioningStatus::Error,
        ] {
            let l = check(
                vec![with_plan_status(
                    sku("AAD_PREMIUM_P2", "Enabled", 3),
                    AAD_PREMIUM_P2,
                    &status,
                )],
                &Want {
                    pim_capable: false,
                    p2: false,
                    p1: true,
                    governance: false,
                    paths: &[None],
                    available: 0,
                },
            );
            assert_eq!(
                l.sources[0].disabled_plans,
                ["AAD_PREMIUM_P2"],
                "{status:?}"
            );
        }
    }

    /// Seats of several SKUs add up.
    fn adds_seats_across_counted_skus() {
        // Seats add up across counted SKUs; suspended ones are left out.
        check(
            vec![
                sku("SPE_E5", "Enabled", 100),
                sku("AAD_PREMIUM_P2", "Enabled", 20),
                sku("EMSPREMIUM", "Suspended", 50),
                sku("SPE_E3", "Enabled", 300),
            ],
            &Want {
                pim_capable: true,
                p2: true,
                p1: true,
                governance: false,
                paths: &[Some(P::M365E5), Some(P::EntraIdP2), Some(P::EmsE5), None],
                available: 120,
            },
        );
    }

    #[test]
    fn every_path_in_the_table_is_detected() {
        for row in SkuTable::get()
            .skus
            .iter()
            .chain(&SkuTable::get().unresolved)
            .filter(|r| r.path.is_some())
        {
            let l = analyse(
                &TenantSnapshot {
                    subscribed_skus: Some(vec![sku(&row.sku_part_number, "Enabled", 7)]),
                    ..empty_snapshot()
                },
                &PrivilegedPopulation::default(),
                &AssessmentSettings::default(),
            );
            assert!(l.pim_capable, "{}", row.sku_part_number);
            assert_eq!(
                l.sources.iter().map(|s| s.path).collect::<Vec<_>>(),
                [row.path],
                "{}",
                row.sku_part_number
            );
            assert_eq!(l.seats.available, 7);
            assert_eq!(
                l.p2,
                row.plans.contains(&EntraPlan::P2),
                "{}",
                row.sku_part_number
            );
        }
    }

    #[test]
    fn e7_and_governance_step_up_rows_carry_governance() {
        let table = SkuTable::get();
        for part in [
            "MICROSOFT_365_E7",
            "MICROSOFT_365_E7_NO_TEAMS",
            "Microsoft_Entra_ID_Governance_Step_Up_for_Microsoft_Entra_ID_P2",
            "MICROSOFT_ENTRA_ID_GOVERNANCE_STEP_UP_FOR_MICROSOFT_ENTRA_ID_P2_FOR_FLW",
        ] {
            let row = table
                .row("", part)
                .or_else(|| table.skus.iter().find(|r| r.sku_part_number == part));
            let row = row.unwrap_or_else(|| panic!("{part} is in data/sku-paths.toml"));
            assert!(row.plans.contains(&EntraPlan::Governance), "{part}");
        }
        // A tenant's step-up SKU, found by part number, is named as ID Governance and gives PIM.
        let l = check(
            vec![sku(
                "Microsoft_Entra_ID_Governance_Step_Up_for_Microsoft_Entra_ID_P2",
                "Enabled",
                7,
            )],
            &Want {
                pim_capable: true,
                p2: false,
                p1: false,
                governance: true,
                paths: &[Some(P::EntraIdGovernance)],
                available: 7,
            },
        );
        assert!(l.sources[0].known);
    }

    #[test]
    fn sku_table_is_consistent() {
        let table: SkuTable = toml::from_str(SKU_TABLE_TOML).expect("data/sku-paths.toml parses");
        for plan in EntraPlan::ALL {
            assert_eq!(
                table
                    .service_plan_ids
                    .get(plan.service_plan_name())
                    .map(String::as_str),
                Some(plan.service_plan_id())
            );
        }
        let mut ids = BTreeSet::new();
        for row in table.skus.iter().chain(&table.unresolved) {
            let name = &row.sku_part_number;
            if let Some(id) = &row.sku_id {
                assert!(
                    ids.insert(id.to_ascii_lowercase()),
                    "{name}: duplicate skuId {id}"
                );
                assert_eq!(id.len(), 36, "{name}: skuId {id} is not a GUID");
            }
            // A path exactly when the table lists P2 or Governance.
            assert_eq!(
                row.path.is_some(),
                row.plans.iter().any(|p| p.gives_pim()),
                "{name}: path vs plans"
            );
            // Where the full service-plan list is transcribed, it agrees with `plans`.
            if !row.service_plans.is_empty() {
                let listed: BTreeSet<EntraPlan> = row
                    .service_plans
                    .iter()
                    .filter_map(|p| {
                        EntraPlan::ALL
                            .into_iter()
                            .find(|e| e.service_plan_id() == p.id)
                    })
                    .collect();
                assert_eq!(
                    listed,
                    row.plans.iter().copied().collect(),
                    "{name}: plans vs service_plan list"
                );
                for p in &row.service_plans {
                    if let Some(e) = EntraPlan::ALL
                        .into_iter()
                        .find(|e| e.service_plan_id() == p.id)
                    {
                        assert_eq!(
                            p.name,
                            e.service_plan_name(),
                            "{name}: {} has the id of {}",
                            p.name,
                            e.service_plan_name()
                        );
                    }
                }
            }
        }
        assert!(
            table
                .unresolved
                .iter()
                .all(|r| r.sku_id.is_none() && !r.verified)
        );
    }

    #[test]
    fn missing_licence_data_is_not_a_finding() {
        let mut snapshot = empty_snapshot();
        snapshot.subscribed_skus = None;
        snapshot.gaps.push(Gap {
            dataset: Dataset::SubscribedSkus,
            reason: GapReason::PermissionDenied,
            detail: "403 Authorization_RequestDenied".into(),
            status: Some(403),
            code: Some("Authorization_RequestDenied".into()),
            missing_scope: Some("LicenseAssignment.Read.All".into()),
        });
        let population = PrivilegedPopulation {
            holdings: vec![holding(
                "u1",
                GLOBAL_ADMINISTRATOR,
                HoldingKind::PermanentActive,
            )],
            ..PrivilegedPopulation::default()
        };
        let l = analyse(&snapshot, &population, &AssessmentSettings::default());
        assert!(!l.assessed);
        assert!(
            l.unknown_reason
                .as_deref()
                .unwrap()
                .contains("LicenseAssignment.Read.All")
        );
        assert!(l.verdict.contains("status unknown"), "{}", l.verdict);
        assert!(!l.verdict.contains("No usable"), "{}", l.verdict);
    }

    /// Who is in scope, by id, and the planned approvers.
    fn check_scope(
        snapshot: &TenantSnapshot,
        population: &PrivilegedPopulation,
        settings: &AssessmentSettings,
        rule: ScopeRule,
        users: &[&str],
        planned: u32,
    ) -> Licensing {
        let l = analyse(snapshot, population, settings);
        let ids: Vec<&str> = l.in_scope_users.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(
            (l.scope_rule, ids.as_slice(), l.seats.planned_approvers),
            (rule, users, planned),
            "{:#?}",
            l.in_scope_users
        );
        assert_eq!(
            l.seats.in_scope,
            u32::try_from(users.len()).unwrap() + planned
        );
        l
    }

    fn privileged_group(id: &str, members: &[&str]) -> PrivilegedGroup {
        PrivilegedGroup {
            group: group(id),
            members: members.iter().map(|m| user(m)).collect(),
            owners: Vec::new(),
        }
    }

    #[test]
    fn readiness_scope_is_every_role_holder_minus_emergency_accounts() {
        let mut snapshot = empty_snapshot();
        snapshot.subscribed_skus = Some(vec![sku("SPB", "Enabled", 40)]);
        // g1's members come as holdings via g1 (the population expanded it); g2's do not,
        // so licensing expands g2 from the snapshot.
        snapshot.privileged_groups = Some(vec![
            privileged_group("g1", &["u3"]),
            privileged_group("g2", &["u4", "bg1"]),
        ]);
        let mut g2_holding = holding("g2", EXCHANGE, HoldingKind::PermanentActive);
        g2_holding.kind = PrincipalKind::Group;
        let mut group_holding = holding(
            "g1",
            "194ae4cb-b126-40b2-bd5b-6091b380977d",
            HoldingKind::PermanentActive,
        );
        group_holding.kind = PrincipalKind::Group;
        group_holding.principal = Some(group("g1"));
        let mut via_group = holding(
            "u3",
            "194ae4cb-b126-40b2-bd5b-6091b380977d",
            HoldingKind::PermanentActive,
        );
        via_group.via_group = Some("g1".into());
        let mut app = holding("sp1", GLOBAL_ADMINISTRATOR, HoldingKind::PermanentActive);
        app.kind = PrincipalKind::ServicePrincipal;
        let population = PrivilegedPopulation {
            holdings: vec![
                holding("u1", GLOBAL_ADMINISTRATOR, HoldingKind::PermanentActive),
                holding("u2", EXCHANGE, HoldingKind::PermanentActive),
                holding("bg1", GLOBAL_ADMINISTRATOR, HoldingKind::PermanentActive),
                holding("bg2", GLOBAL_ADMINISTRATOR, HoldingKind::PermanentActive),
                group_holding,
                via_group,
                g2_holding,
                app,
            ],
            emergency_accounts: ["bg1", "bg2"]
                .map(|id| EmergencyAccount {
                    principal_id: id.into(),
                    user_principal_name: format!("{id}@contoso.com"),
                    display_name: format!("Break glass {id}"),
                    origin: EmergencyOrigin::Designated,
                    well_formed: true,
                    signals: Vec::new(),
                })
                .into(),
            designated_not_found: Vec::new(),
            suggested_emergency_accounts: Vec::new(),
        };
        // bg2 is designated in settings by UPN, and so (as `resolve` does) in the population,
        // whose `is_emergency` licensing asks; one GA in scope → one planned approver.
        let settings = AssessmentSettings {
            emergency_accounts: vec!["BG2@contoso.com".into()],
            ..AssessmentSettings::default()
        };
        let l = check_scope(
            &snapshot,
            &population,
            &settings,
            ScopeRule::Readiness,
            &["u1", "u2", "u3", "u4"],
            1,
        );
        assert_eq!((l.seats.available, l.seats.shortfall), (0, 5));
        let u3 = &l.in_scope_users[2];
        assert_eq!(u3.user_principal_name.as_deref(), Some("u3@contoso.com"));
        assert_eq!(
            u3.why,
            ["holds Security Administrator (permanent active) via g1"]
        );
        assert!(
            l.in_scope_users[3].why[0].ends_with("(member of Group g2)"),
            "{:?}",
            l.in_scope_users[3].why
        );
        // A second Global or Privileged Role Administrator can approve: no extra seat.
        let mut population = population;
        population.holdings.push(holding(
            "u2",
            PRIVILEGED_ROLE_ADMINISTRATOR,
            HoldingKind::PermanentActive,
        ));
        check_scope(
            &snapshot,
            &population,
            &settings,
            ScopeRule::Readiness,
            &["u1", "u2", "u3", "u4"],
            0,
        );
    }

    #[test]
    fn on_pim_scope_counts_eligible_approvers_and_reviewers() {
        let mut snapshot = empty_snapshot();
        snapshot.subscribed_skus = Some(vec![sku("SPE_E5", "Enabled", 5)]);
        snapshot.role_definitions = Some(vec![RoleDefinition {
            id: GLOBAL_ADMINISTRATOR.into(),
            display_name: "Global Administrator".into(),
            template_id: Some(GLOBAL_ADMINISTRATOR.into()),
            is_built_in: true,
            ..RoleDefinition::default()
        }]);
        snapshot.privileged_groups = Some(vec![
            privileged_group("g1", &["u9"]),
            privileged_group("approvers", &["u6"]),
        ]);
        let mut u5 = user("u5");
        u5.assigned_licenses = Some(Vec::new());
        snapshot.privileged_principals = Some(vec![u5, user("u7"), user("u8")]);
        snapshot.role_management_policies = Some(approval_policies());
        snapshot.access_reviews = Some(reviews());
        snapshot.group_eligibility_schedule_instances = Some(vec![GroupScheduleInstance {
            id: "gi1".into(),
            group_id: "g1".into(),
            principal_id: "u8".into(),
            access_id: Some(GroupAccessId::Owner),
            ..GroupScheduleInstance::default()
        }]);
        let population = on_pim_population(&mut snapshot);
        let l = check_scope(
            &snapshot,
            &population,
            &AssessmentSettings::default(),
            ScopeRule::OnPim,
            &["u1", "u3", "u4", "u5", "u6", "u7", "u8", "u9"],
            0,
        );
        assert_eq!((l.seats.available, l.seats.shortfall), (5, 3));
        assert_eq!(
            l.verdict,
            "Entra ID P2 present through Microsoft 365 E5, 5 seats, 8 needed: 3 short."
        );
        assert!(
            l.notes.iter().any(|n| n.contains("unknown-group")),
            "{:?}",
            l.notes
        );
        assert!(
            l.notes.iter().any(|n| n.contains("./manager")),
            "{:?}",
            l.notes
        );
        // u1 holds E5 with P2 on; u3's P2 plan is disabled; u5 has no licence; the rest unknown.
        let without: Vec<&str> = l
            .users_without_pim_licence
            .iter()
            .map(|u| u.id.as_str())
            .collect();
        assert_eq!(without, ["u3", "u5"]);
        assert_eq!(
            l.licence_assignment_unknown, 5,
            "u4, u6, u7, u8, u9 have no licence list in the snapshot"
        );
    }

    /// Role settings: Global Administrator needs approval by u5, the `approvers` group and
    /// a group not in the snapshot; Exchange Administrator's approval is switched off.
    fn approval_policies() -> Vec<RoleManagementPolicyAssignment> {
        let approval = |required: bool, approvers: Vec<SubjectSet>| PolicyRule {
            id: "Approval_EndUser_Assignment".into(),
            setting: Some(ApprovalSettings {
                is_approval_required: Some(required),
                approval_stages: vec![ApprovalStage {
                    primary_approvers: approvers,
                    ..ApprovalStage::default()
                }],
                ..ApprovalSettings::default()
            }),
            ..PolicyRule::default()
        };
        let single = |id: &str| SubjectSet {
            user_id: Some(id.into()),
            ..SubjectSet::default()
        };
        let members = |id: &str| SubjectSet {
            group_id: Some(id.into()),
            ..SubjectSet::default()
        };
        vec![
            RoleManagementPolicyAssignment {
                role_definition_id: Some(GLOBAL_ADMINISTRATOR.into()),
                policy: Some(RoleManagementPolicy {
                    rules: vec![approval(
                        true,
                        vec![single("u5"), members("approvers"), members("unknown-group")],
                    )],
                    ..RoleManagementPolicy::default()
                }),
                ..RoleManagementPolicyAssignment::default()
            },
            // Approval switched off: its approvers need no seat.
            RoleManagementPolicyAssignment {
                role_definition_id: Some(EXCHANGE.into()),
                policy: Some(RoleManagementPolicy {
                    rules: vec![approval(false, vec![single("u10")])],
                    ..RoleManagementPolicy::default()
                }),
                ..RoleManagementPolicyAssignment::default()
            },
        ]
    }

    /// A review of Global Administrator with its reviewers, and a review of something else.
    fn reviews() -> Vec<AccessReviewDefinition> {
        let reviewer = |q: &str| AccessReviewReviewerScope {
            query: Some(q.into()),
            query_type: Some("MicrosoftGraph".into()),
            query_root: None,
        };
        vec![
            AccessReviewDefinition {
                id: "ar1".into(),
                display_name: Some("GA review".into()),
                scope: Some(
                    serde_json::json!({ "query": format!("/roleManagement/directory/roleAssignmentScheduleInstances?$filter=roleDefinitionId eq '{GLOBAL_ADMINISTRATOR}'") }),
                ),
                // u7 is not an admin (counted); u2 is one (needs no extra seat).
                reviewers: vec![
                    reviewer("/users/u7"),
                    reviewer("/v1.0/users/u2"),
                    reviewer("./manager"),
                ],
                ..AccessReviewDefinition::default()
            },
            // A review of something else: its reviewers are out of scope.
            AccessReviewDefinition {
                id: "ar2".into(),
                scope: Some(serde_json::json!({ "query": "/groups/sales/transitiveMembers" })),
                reviewers: vec![reviewer("/users/u11")],
                ..AccessReviewDefinition::default()
            },
        ]
    }

    /// Who holds a role: u1 with E5, u3 with E5 but its P2 plan disabled, u2 and u4 without
    /// a licence list, and the group g1; u1's and u3's accounts join the snapshot.
    fn on_pim_population(snapshot: &mut TenantSnapshot) -> PrivilegedPopulation {
        let mut eligible_group = holding("g1", GLOBAL_ADMINISTRATOR, HoldingKind::Eligible);
        eligible_group.kind = PrincipalKind::Group;
        let mut u1 = user("u1");
        u1.assigned_licenses = Some(vec![AssignedLicense {
            sku_id: "06ebc4ee-1bb5-47dd-8120-11324bc54e06".into(),
            disabled_plans: Vec::new(),
        }]);
        let mut u3 = user("u3");
        u3.assigned_licenses = Some(vec![AssignedLicense {
            sku_id: "06ebc4ee-1bb5-47dd-8120-11324bc54e06".into(),
            disabled_plans: vec![AAD_PREMIUM_P2.into()],
        }]);
        let mut h1 = holding("u1", GLOBAL_ADMINISTRATOR, HoldingKind::Eligible);
        h1.principal = Some(u1);
        let mut h3 = holding("u3", EXCHANGE, HoldingKind::TimeBoundActive);
        h3.principal = Some(u3);
        snapshot
            .privileged_principals
            .as_mut()
            .unwrap()
            .extend([h1.principal.clone().unwrap(), h3.principal.clone().unwrap()]);
        PrivilegedPopulation {
            holdings: vec![
                h1,
                holding("u2", GLOBAL_ADMINISTRATOR, HoldingKind::PermanentActive),
                h3,
                holding("u4", GLOBAL_ADMINISTRATOR, HoldingKind::Activated),
                eligible_group,
            ],
            ..PrivilegedPopulation::default()
        }
    }
}
