//! The words of each benchmark control the catalog cites, kept once per control (several
//! checks cite the same one). `docs/checks.md` quotes them beside the rule as implemented.
//!
//! Sources: CISA SCuBA `baselines/aad.md` (policy statements, quoted exactly); CIS Microsoft
//! 365 Foundations recommendation titles (the benchmark text itself is licensed; titles are
//! published in CIS's own audit listings); Microsoft Zero Trust Assessment test titles.

use super::RefDef;

/// `(framework, id, words)`.
const WORDS: &[(&str, &str, &str)] = &[
    (
        "CIS M365",
        "1.1.1",
        "Ensure Administrative accounts are cloud-only",
    ),
    (
        "CIS M365",
        "1.1.2",
        "Ensure two emergency access accounts have been defined",
    ),
    (
        "CIS M365",
        "1.1.3",
        "Ensure that between two and four global admins are designated",
    ),
    (
        "CIS M365",
        "1.1.4",
        "Ensure administrative accounts use licenses with a reduced application footprint",
    ),
    (
        "CIS M365",
        "5.2.2.1",
        "Ensure multifactor authentication is enabled for all users in administrative roles",
    ),
    (
        "CIS M365",
        "5.2.2.4",
        "Ensure Sign-in frequency is enabled and browser sessions are not persistent for Administrative users",
    ),
    (
        "CIS M365",
        "5.2.2.5",
        "Ensure 'Phishing-resistant MFA strength' is required for Administrators",
    ),
    (
        "CIS M365",
        "5.3.1",
        "Ensure 'Privileged Identity Management' is used to manage roles",
    ),
    (
        "CIS M365",
        "5.3.3",
        "Ensure 'Access reviews' for privileged roles are configured",
    ),
    (
        "CIS M365",
        "5.3.4",
        "Ensure approval is required for Global Administrator role activation",
    ),
    (
        "CIS M365",
        "5.3.5",
        "Ensure approval is required for Privileged Role Administrator activation",
    ),
    (
        "CISA SCuBA",
        "MS.AAD.7.1v1",
        "A minimum of two users and a maximum of eight users SHALL be provisioned with the Global Administrator role.",
    ),
    (
        "CISA SCuBA",
        "MS.AAD.7.2v1",
        "Privileged users SHALL be provisioned with finer-grained roles instead of Global Administrator.",
    ),
    (
        "CISA SCuBA",
        "MS.AAD.7.3v1",
        "Privileged users SHALL be provisioned cloud-only accounts separate from an on-premises directory or other federated identity providers.",
    ),
    (
        "CISA SCuBA",
        "MS.AAD.7.4v1",
        "Permanent active role assignments SHALL NOT be allowed for highly privileged roles.",
    ),
    (
        "CISA SCuBA",
        "MS.AAD.7.5v1",
        "Provisioning users to highly privileged roles SHALL NOT occur outside of a PAM system.",
    ),
    (
        "CISA SCuBA",
        "MS.AAD.7.6v1",
        "Activation of the Global Administrator role SHALL require approval.",
    ),
    (
        "CISA SCuBA",
        "MS.AAD.7.7v1",
        "Eligible and active highly privileged role assignments SHALL trigger an alert.",
    ),
    (
        "CISA SCuBA",
        "MS.AAD.7.8v1",
        "User activation of the Global Administrator role SHALL trigger an alert.",
    ),
    (
        "CISA SCuBA",
        "MS.AAD.7.9v1",
        "User activation of other highly privileged roles SHOULD trigger an alert.",
    ),
    (
        "ZTA",
        "21836",
        "Workload Identities are not assigned privileged roles",
    ),
];

/// The control's own words, when it is a numbered benchmark control we quote.
pub fn words(r: &RefDef) -> Option<&'static str> {
    WORDS
        .iter()
        .find(|(framework, id, _)| *framework == r.framework && *id == r.id)
        .map(|(_, _, words)| *words)
}
