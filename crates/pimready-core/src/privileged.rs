//! Who holds which privileged role, and how: the privileged population, resolved once
//! from every assignment source (active assignments, PIM schedules, role-assignable
//! groups and PIM for Groups) and shared by licensing, checks and the plan. Pure.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::settings::AssessmentSettings;
use crate::snapshot::{Principal, PrincipalKind, TenantSnapshot};

/// Built-in highly privileged roles (template ids, verified against Microsoft's
/// "Microsoft Entra built-in roles" reference).
pub const HIGHLY_PRIVILEGED_ROLES: [(&str, &str); 11] = [
    ("62e90394-69f5-4237-9190-012177145e10", "Global Administrator"),
    ("e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator"),
    ("7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator"),
    ("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator"),
    ("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator"),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    ("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator"),
    ("f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator"),
    ("8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", "Hybrid Identity Administrator"),
    ("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator"),
    ("158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator"),
];

pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const PRIVILEGED_ROLE_ADMINISTRATOR: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";

/// How a principal holds a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldingKind {
    /// Active with no end date: standing privilege.
    PermanentActive,
    /// Active with an end date, assigned (not activated).
    TimeBoundActive,
    /// Active because an eligible user activated it (PIM).
    Activated,
    /// Eligible: must activate through PIM.
    Eligible,
}

impl HoldingKind {
    pub fn label(self) -> &'static str {
        match self {
            HoldingKind::PermanentActive => "permanent active",
            HoldingKind::TimeBoundActive => "time-bound active",
            HoldingKind::Activated => "activated (PIM)",
            HoldingKind::Eligible => "eligible",
        }
    }
}

/// One principal holding one role (directly, or through a group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holding {
    pub principal_id: String,
    pub principal: Option<Principal>,
    pub kind: PrincipalKind,
    /// The role's template id (stable across tenants).
    pub role_template_id: String,
    pub role_name: String,
    pub highly_privileged: bool,
    pub holding: HoldingKind,
    /// The role-assignable group this holding comes through, if any.
    pub via_group: Option<String>,
    pub via_group_name: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// Assigned outside PIM (null `startDateTime` or null `createdUsing`).
    pub outside_pim: bool,
}

/// Why an account is treated as an emergency-access account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyOrigin {
    /// Named by the user in settings.
    Designated,
    /// Guessed from its shape (permanent GA, cloud-only, onmicrosoft.com, no licence, CA-excluded).
    Detected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmergencyAccount {
    pub principal_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub origin: EmergencyOrigin,
    /// Cloud-only and permanent Global Administrator.
    pub well_formed: bool,
}

/// Every privileged holding in the tenant, with emergency accounts identified.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrivilegedPopulation {
    pub holdings: Vec<Holding>,
    pub emergency_accounts: Vec<EmergencyAccount>,
    /// Designated emergency accounts that were not found among privileged users.
    pub designated_not_found: Vec<String>,
}

impl PrivilegedPopulation {
    /// Resolves the population from the snapshot (groups expanded).
    pub fn resolve(snapshot: &TenantSnapshot, settings: &AssessmentSettings) -> Self {
        let _ = (snapshot, settings);
        todo!("implemented by the privileged-population work")
    }
}
