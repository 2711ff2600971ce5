//! The id of a role-management-policy rule (`Expiration_EndUser_Assignment`, …).
//!
//! Microsoft Graph names each rule of a PIM policy by a fixed id that says what it governs,
//! who acts and at which level (`<kind>_<caller>_<level>`, notifications
//! `Notification_<recipient>_<caller>_<level>`): see
//! <https://learn.microsoft.com/graph/api/resources/unifiedrolemanagementpolicyrule> and the
//! list of rules in <https://learn.microsoft.com/graph/identity-governance-pim-rules-overview>.
//! Azure Resource Manager's role management policies (PIM for Azure resources) use the
//! same ids.

use std::hash::{Hash, Hasher};

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares the known rule ids; any other id is kept as `Other`.
macro_rules! policy_rule_ids {
    ($($variant:ident => $wire:literal),+ $(,)?) => {
        /// A policy rule id: one of the documented ids, or `Other` with an id this version
        /// does not know (kept verbatim). Compared case-insensitively, as Graph treats ids.
        #[derive(Debug, Clone)]
        pub enum PolicyRuleId {
            $($variant,)+
            /// An id this version does not know, or a known one spelled in another case;
            /// kept verbatim so that a snapshot writes back what Graph sent.
            Other(String),
        }

        impl PolicyRuleId {
            /// Every documented id, in the order of Microsoft's list.
            pub const KNOWN: &'static [PolicyRuleId] = &[$(PolicyRuleId::$variant,)+];

            pub fn as_str(&self) -> &str {
                match self {
                    $(PolicyRuleId::$variant => $wire,)+
                    PolicyRuleId::Other(s) => s,
                }
            }
        }

        impl From<&str> for PolicyRuleId {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => PolicyRuleId::$variant,)+
                    other => PolicyRuleId::Other(other.to_owned()),
                }
            }
        }
    };
}

policy_rule_ids! {
    // Activation (end user), assignment (admin) and eligibility (admin) rules.
    EnablementEndUserAssignment => "Enablement_EndUser_Assignment",
    ExpirationEndUserAssignment => "Expiration_EndUser_Assignment",
    ApprovalEndUserAssignment => "Approval_EndUser_Assignment",
    AuthenticationContextEndUserAssignment => "AuthenticationContext_EndUser_Assignment",
    EnablementAdminAssignment => "Enablement_Admin_Assignment",
    ExpirationAdminAssignment => "Expiration_Admin_Assignment",
    EnablementAdminEligibility => "Enablement_Admin_Eligibility",
    ExpirationAdminEligibility => "Expiration_Admin_Eligibility",
    // Notifications: recipient, then the caller and level of the event.
    NotificationAdminAdminEligibility => "Notification_Admin_Admin_Eligibility",
    NotificationRequestorAdminEligibility => "Notification_Requestor_Admin_Eligibility",
    NotificationApproverAdminEligibility => "Notification_Approver_Admin_Eligibility",
    NotificationAdminAdminAssignment => "Notification_Admin_Admin_Assignment",
    NotificationRequestorAdminAssignment => "Notification_Requestor_Admin_Assignment",
    NotificationApproverAdminAssignment => "Notification_Approver_Admin_Assignment",
    NotificationAdminEndUserAssignment => "Notification_Admin_EndUser_Assignment",
    NotificationRequestorEndUserAssignment => "Notification_Requestor_EndUser_Assignment",
    NotificationApproverEndUserAssignment => "Notification_Approver_EndUser_Assignment",
}

impl From<String> for PolicyRuleId {
    fn from(s: String) -> Self {
        match PolicyRuleId::from(s.as_str()) {
            PolicyRuleId::Other(_) => PolicyRuleId::Other(s),
            known => known,
        }
    }
}

impl Default for PolicyRuleId {
    /// The empty id of a rule Graph sent without one.
    fn default() -> Self {
        PolicyRuleId::Other(String::new())
    }
}

/// The one place rule ids are compared: ASCII case-insensitively.
impl PartialEq for PolicyRuleId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str().eq_ignore_ascii_case(other.as_str())
    }
}

impl Eq for PolicyRuleId {}

impl Hash for PolicyRuleId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.as_str().bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}

impl std::fmt::Display for PolicyRuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for PolicyRuleId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PolicyRuleId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(PolicyRuleId::from)
    }
}

/// A plain string in the schema.
impl JsonSchema for PolicyRuleId {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PolicyRuleId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn known_ids_round_trip_by_their_documented_spelling() {
        assert_eq!(PolicyRuleId::KNOWN.len(), 17);
        for id in PolicyRuleId::KNOWN {
            let wire = serde_json::to_value(id).unwrap();
            assert_eq!(wire, serde_json::json!(id.as_str()));
            let back: PolicyRuleId = serde_json::from_value(wire).unwrap();
            assert!(!matches!(back, PolicyRuleId::Other(_)), "{id}");
            assert_eq!(&back, id);
        }
        assert_eq!(
            PolicyRuleId::ExpirationEndUserAssignment.as_str(),
            "Expiration_EndUser_Assignment"
        );
    }

    /// Unknown ids and other spellings are kept verbatim (a snapshot writes back what Graph
    /// sent) and still compare equal to the documented id, whatever the case.
    #[test]
    fn unknown_and_differently_cased_ids_are_kept_and_compare_case_insensitively() {
        let lower: PolicyRuleId =
            serde_json::from_str("\"expiration_enduser_assignment\"").unwrap();
        assert_eq!(lower.as_str(), "expiration_enduser_assignment");
        assert_eq!(
            serde_json::to_string(&lower).unwrap(),
            "\"expiration_enduser_assignment\""
        );
        assert_eq!(lower, PolicyRuleId::ExpirationEndUserAssignment);
        let set: HashSet<PolicyRuleId> = [lower, PolicyRuleId::ExpirationEndUserAssignment].into();
        assert_eq!(set.len(), 1, "equal ids hash alike");

        let future = PolicyRuleId::from("Expiration_Approver_Something");
        assert_eq!(
            future,
            PolicyRuleId::Other("Expiration_Approver_Something".into())
        );
        assert_ne!(future, PolicyRuleId::ExpirationEndUserAssignment);
        assert_eq!(PolicyRuleId::default().as_str(), "");
    }
}
