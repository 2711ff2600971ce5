//! The uniform record every check emits (ScubaGear's lesson: one shape per control
//! makes every report trivial to render).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::checks::CheckId;
use crate::snapshot::{Dataset, GapReason};

/// A check's verdict. The wire words are a contract.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Warning,
    Fail,
    /// The control does not apply to this tenant.
    NotApplicable,
    /// The tenant lacks the licence this control needs: a missing control, not an error.
    NotLicensed,
    /// The data could not be read; the gap says why. Never counted as a pass.
    NotAssessed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warning => "warning",
            Status::Fail => "fail",
            Status::NotApplicable => "not_applicable",
            Status::NotLicensed => "not_licensed",
            Status::NotAssessed => "not_assessed",
        }
    }

    /// Human label for reports and the UI.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "Pass",
            Status::Warning => "Warning",
            Status::Fail => "Fail",
            Status::NotApplicable => "Not applicable",
            Status::NotLicensed => "Requires P2",
            Status::NotAssessed => "Not assessed",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// Score weight: critical 10, high 6, medium 3, low 1.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Critical => 10,
            Severity::High => 6,
            Severity::Medium => 3,
            Severity::Low => 1,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Licensing,
    PrivilegedAccounts,
    PimAssignments,
    PimRoleSettings,
    ConditionalAccess,
    /// PIM for Azure resources: subscriptions and management groups (checks AZ-*).
    AzureResources,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Licensing,
        Category::PrivilegedAccounts,
        Category::PimAssignments,
        Category::PimRoleSettings,
        Category::ConditionalAccess,
        Category::AzureResources,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Category::Licensing => "Licensing",
            Category::PrivilegedAccounts => "Privileged accounts",
            Category::PimAssignments => "PIM assignments",
            Category::PimRoleSettings => "PIM role settings",
            Category::ConditionalAccess => "Conditional Access",
            Category::AzureResources => "Azure resources",
        }
    }
}

/// Licence a control needs to exist at all.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MinimumLicence {
    /// Entra ID Free.
    Free,
    /// Entra ID P1 (Conditional Access, sign-in activity).
    P1,
    /// Entra ID P2 or Entra ID Governance (PIM).
    P2,
}

impl MinimumLicence {
    pub fn label(self) -> &'static str {
        match self {
            MinimumLicence::Free => "Entra ID Free",
            MinimumLicence::P1 => "Entra ID P1",
            MinimumLicence::P2 => "Entra ID P2 or Governance",
        }
    }
}

/// A benchmark reference, e.g. CIS M365 `1.1.3` version `5.0.0`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Reference {
    /// `CIS M365`, `CISA SCuBA`, `Microsoft`, `ZTA`.
    pub framework: String,
    pub id: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Reference {
    pub fn label(&self) -> String {
        if self.version.is_empty() {
            format!("{} {}", self.framework, self.id)
        } else {
            format!("{} {} (v{})", self.framework, self.id, self.version)
        }
    }
}

/// One object that made a check fail (or, for informational checks, that was counted).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// Display name of the user, group, app, policy or role setting.
    pub display_name: String,
    /// UPN for users, app id for service principals, object id otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// `user`, `group`, `service_principal`, `policy`, `role_setting`, `licence`, ...
    pub object_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `permanent active`, `eligible`, `time-bound active`, `via group X`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<DateTime<Utc>>,
    /// What is wrong with this object, in a few words.
    pub detail: String,
}

/// How to fix a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Remediation {
    /// Ordered, human steps.
    pub steps: Vec<String>,
    /// Entra admin center path, e.g. "Identity governance > Privileged Identity Management > ...".
    pub portal_path: String,
    /// A Microsoft Graph PowerShell snippet.
    pub powershell: String,
}

/// Why a check could not be assessed (from the snapshot's gaps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MissingData {
    pub dataset: Dataset,
    pub reason: GapReason,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_scope: Option<String>,
}

/// The uniform result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    pub id: CheckId,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub status: Status,
    /// One sentence.
    pub summary: String,
    pub references: Vec<Reference>,
    pub minimum_licence: MinimumLicence,
    pub rationale: String,
    pub evidence: Vec<Evidence>,
    pub remediation: Remediation,
    /// Filled when `status` is `not_assessed` or `not_licensed` because of a gap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_data: Vec<MissingData>,
}
