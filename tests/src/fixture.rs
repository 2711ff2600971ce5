//! Fixture tenants: Graph-shaped JSON files in `tests/fixtures/tenants/`, indexed into
//! the collections the emulator serves.
//!
//! A fixture states what a tenant *is* (users, groups, apps, PIM schedules, role
//! settings as changes to Microsoft's defaults); everything Graph derives from that
//! (active role assignments, schedule instances, one policy per role) is derived
//! here, so a fixture stays readable and cannot contradict itself.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Service plans that make PIM work (Entra ID P2, Entra ID Governance).
pub const PIM_PLANS: [&str; 2] = [
    "eec0eb4f-6444-4f95-aba0-50c24d67f998",
    "e866a266-3cff-43a3-acca-0c90a7e00c8b",
];
/// Entra ID P1 (`AAD_PREMIUM`); P2 implies it for sign-in activity.
pub const P1_PLAN: &str = "41781fb2-bc02-4b7c-bd55-b576c07bb09d";

/// The folder holding the fixture tenants.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("tenants")
}

/// A fixture file as written, plus a user-count override (`large-100`).
#[derive(Debug, Clone)]
pub struct Fixture {
    pub name: String,
    raw: Value,
}

/// A fixture that cannot be used.
#[derive(Debug)]
pub struct FixtureError(pub String);

impl std::fmt::Display for FixtureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FixtureError {}

impl Fixture {
    /// The tenant id the fixture file names (`tenantId`).
    pub fn tenant_id(&self) -> Option<&str> {
        self.raw.get("tenantId").and_then(Value::as_str)
    }

    /// A fixture by name (`contoso-e5`, `large`, `large-100`, `large-N`) or by file path.
    pub fn load(name_or_path: &str) -> Result<Self, FixtureError> {
        let path = Path::new(name_or_path);
        if path.extension().is_some_and(|e| e == "json") || path.is_file() {
            let text = std::fs::read_to_string(path).map_err(|e| {
                FixtureError(format!("cannot read fixture {}: {e}", path.display()))
            })?;
            let name = path.file_stem().map_or_else(
                || name_or_path.to_owned(),
                |s| s.to_string_lossy().into_owned(),
            );
            return Self::from_json(&name, &text);
        }
        // `large-100`: the `large` tenant with 100 users (same privileged population).
        if let Some((base, n)) = name_or_path.rsplit_once('-')
            && let Ok(users) = n.parse::<u64>()
        {
            let file = fixtures_dir().join(format!("{base}.json"));
            if file.is_file() {
                let mut fixture = Self::load(file.to_str().unwrap_or_default())?;
                name_or_path.clone_into(&mut fixture.name);
                fixture.set_generated_users(users);
                return Ok(fixture);
            }
        }
        let file = fixtures_dir().join(format!("{name_or_path}.json"));
        if !file.is_file() {
            return Err(FixtureError(format!(
                "no fixture tenant named {name_or_path} (looked for {})",
                file.display()
            )));
        }
        Self::load(file.to_str().unwrap_or_default())
    }

    pub fn from_json(name: &str, text: &str) -> Result<Self, FixtureError> {
        let raw: Value = serde_json::from_str(text)
            .map_err(|e| FixtureError(format!("fixture {name} is not valid JSON: {e}")))?;
        if !raw.is_object() {
            return Err(FixtureError(format!(
                "fixture {name} must be a JSON object"
            )));
        }
        Ok(Fixture {
            name: name.to_owned(),
            raw,
        })
    }

    /// Overrides `generate.users` (only meaningful for generated tenants).
    pub fn set_generated_users(&mut self, users: u64) {
        if let Some(generate) = self.raw.get_mut("generate").and_then(Value::as_object_mut) {
            generate.insert("users".into(), json!(users));
        }
    }

    /// The raw JSON as written.
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

/// Deterministic GUID from a seed string (v4-shaped).
pub fn guid(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let h: String = digest.iter().take(16).fold(String::new(), |mut acc, b| {
        use std::fmt::Write as _;
        let _ = write!(acc, "{b:02x}");
        acc
    });
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// The indexed tenant the emulator serves.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub name: String,
    pub tenant_id: String,
    /// The fixture's "now" (the date its timestamps were written against).
    pub now: String,
    pub organization: Value,
    pub subscribed_skus: Vec<Value>,
    pub role_definitions: Vec<Value>,
    /// Directory objects by id, each with `@odata.type`.
    pub objects: HashMap<String, Value>,
    /// Explicit users, in fixture order (the directory listing starts with them).
    pub user_ids: Vec<String>,
    /// Generated filler users (never privileged): resolved lazily.
    pub filler: Option<Filler>,
    pub group_members: HashMap<String, Vec<String>>,
    pub group_owners: HashMap<String, Vec<String>>,
    pub role_assignments: Vec<Value>,
    pub role_assignment_schedules: Vec<Value>,
    pub role_assignment_schedule_instances: Vec<Value>,
    pub role_eligibility_schedules: Vec<Value>,
    pub role_eligibility_schedule_instances: Vec<Value>,
    pub policy_assignments: Vec<Value>,
    pub group_eligibility_schedule_instances: Vec<Value>,
    pub group_assignment_schedule_instances: Vec<Value>,
    pub access_reviews: Vec<Value>,
    pub conditional_access_policies: Vec<Value>,
    pub pim_licensed: bool,
    pub p1_licensed: bool,
    /// Azure resources (subscriptions, management groups, Azure role assignments and
    /// settings) from the fixture's `azure` section; `None`: the tenant has no Azure.
    pub azure: Option<crate::arm::AzureTenant>,
}

/// Users generated on demand: `count` users named `user{index}@{domain}`.
#[derive(Debug, Clone)]
pub struct Filler {
    pub count: u64,
    pub seed: u64,
    pub domain: String,
}

impl Filler {
    const PREFIX: &'static str = "f111";

    pub fn id(&self, index: u64) -> String {
        format!(
            "{}{:04x}-0000-4000-8000-{index:012}",
            Self::PREFIX,
            self.seed & 0xffff
        )
    }

    pub fn index_of(&self, id: &str) -> Option<u64> {
        let rest = id.strip_prefix(Self::PREFIX)?;
        let (seed, tail) = rest.split_once("-0000-4000-8000-")?;
        if u64::from_str_radix(seed, 16).ok()? != self.seed & 0xffff {
            return None;
        }
        let index: u64 = tail.parse().ok()?;
        (index < self.count).then_some(index)
    }

    pub fn user(&self, index: u64) -> Value {
        json!({
            "@odata.type": "#microsoft.graph.user",
            "id": self.id(index),
            "displayName": format!("User {index}"),
            "givenName": "User",
            "surname": format!("{index}"),
            "userPrincipalName": format!("user{index}@{}", self.domain),
            "mail": format!("user{index}@{}", self.domain),
            "userType": "Member",
            "accountEnabled": true,
            "businessPhones": [],
            "onPremisesSyncEnabled": null,
            "assignedLicenses": [],
        })
    }
}

fn arr(raw: &Value, key: &str) -> Vec<Value> {
    raw.get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn set_default(obj: &mut Value, key: &str, value: Value) {
    if let Some(map) = obj.as_object_mut() {
        map.entry(key.to_owned()).or_insert(value);
    }
}

/// RFC 7396 JSON merge: objects merge recursively, anything else replaces.
pub fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// Built-in role definitions, from the researched reference file.
fn builtin_role_definitions() -> Vec<Value> {
    #[derive(serde::Deserialize)]
    struct File {
        role: Vec<Role>,
    }
    #[derive(serde::Deserialize)]
    struct Role {
        name: String,
        template_id: String,
        #[serde(default)]
        ms_privileged_label: bool,
    }
    let text = include_str!("../../crates/pimready-core/data/references.toml");
    let file: File = toml::from_str(text).expect("references.toml parses");
    file.role
        .into_iter()
        .map(|r| {
            json!({
                "id": r.template_id,
                "description": format!("Built-in role: {}.", r.name),
                "displayName": r.name,
                "isBuiltIn": true,
                "isEnabled": true,
                "isPrivileged": r.ms_privileged_label,
                "resourceScopes": ["/"],
                "templateId": r.template_id,
                "version": "1",
                "rolePermissions": [],
            })
        })
        .collect()
}

fn target(caller: &str, level: &str) -> Value {
    json!({"caller": caller, "operations": ["All"], "level": level, "inheritableSettings": [], "enforcedSettings": []})
}

fn notification(id: &str, recipient: &str, caller: &str, level: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
        "id": id,
        "notificationType": "Email",
        "recipientType": recipient,
        "notificationLevel": "All",
        "isDefaultRecipientsEnabled": true,
        "notificationRecipients": [],
        "target": target(caller, level),
    })
}

/// Microsoft's default role settings for a directory role (the rules every
/// `unifiedRoleManagementPolicy` has, with their documented ids).
pub fn default_policy_rules() -> Vec<Value> {
    let expiration = "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule";
    let enablement = "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule";
    vec![
        json!({"@odata.type": expiration, "id": "Expiration_Admin_Eligibility", "isExpirationRequired": false,
               "maximumDuration": "P365D", "target": target("Admin", "Eligibility")}),
        json!({"@odata.type": enablement, "id": "Enablement_Admin_Eligibility", "enabledRules": [],
               "target": target("Admin", "Eligibility")}),
        notification(
            "Notification_Admin_Admin_Eligibility",
            "Admin",
            "Admin",
            "Eligibility",
        ),
        notification(
            "Notification_Requestor_Admin_Eligibility",
            "Requestor",
            "Admin",
            "Eligibility",
        ),
        notification(
            "Notification_Approver_Admin_Eligibility",
            "Approver",
            "Admin",
            "Eligibility",
        ),
        json!({"@odata.type": expiration, "id": "Expiration_Admin_Assignment", "isExpirationRequired": false,
               "maximumDuration": "P180D", "target": target("Admin", "Assignment")}),
        json!({"@odata.type": enablement, "id": "Enablement_Admin_Assignment",
               "enabledRules": ["Justification"], "target": target("Admin", "Assignment")}),
        notification(
            "Notification_Admin_Admin_Assignment",
            "Admin",
            "Admin",
            "Assignment",
        ),
        notification(
            "Notification_Requestor_Admin_Assignment",
            "Requestor",
            "Admin",
            "Assignment",
        ),
        notification(
            "Notification_Approver_Admin_Assignment",
            "Approver",
            "Admin",
            "Assignment",
        ),
        json!({"@odata.type": expiration, "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true,
               "maximumDuration": "PT8H", "target": target("EndUser", "Assignment")}),
        json!({"@odata.type": enablement, "id": "Enablement_EndUser_Assignment",
               "enabledRules": ["MultiFactorAuthentication", "Justification"], "target": target("EndUser", "Assignment")}),
        json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
               "id": "Approval_EndUser_Assignment", "target": target("EndUser", "Assignment"),
               "setting": {"isApprovalRequired": false, "isApprovalRequiredForExtension": false,
                           "isRequestorJustificationRequired": true, "approvalMode": "SingleStage",
                           "approvalStages": [{"approvalStageTimeOutInDays": 1, "isApproverJustificationRequired": true,
                                               "escalationTimeInMinutes": 0, "isEscalationEnabled": false,
                                               "primaryApprovers": [], "escalationApprovers": []}]}}),
        json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
               "id": "AuthenticationContext_EndUser_Assignment", "isEnabled": false, "claimValue": "",
               "target": target("EndUser", "Assignment")}),
        notification(
            "Notification_Admin_EndUser_Assignment",
            "Admin",
            "EndUser",
            "Assignment",
        ),
        notification(
            "Notification_Requestor_EndUser_Assignment",
            "Requestor",
            "EndUser",
            "Assignment",
        ),
        notification(
            "Notification_Approver_EndUser_Assignment",
            "Approver",
            "EndUser",
            "Assignment",
        ),
    ]
}

pub(crate) fn instance_from_schedule(schedule: &Value, eligibility: bool) -> Value {
    let id = s(schedule, "id").unwrap_or_default();
    let start = schedule
        .pointer("/scheduleInfo/startDateTime")
        .cloned()
        .unwrap_or(Value::Null);
    let end = schedule
        .pointer("/scheduleInfo/expiration/endDateTime")
        .cloned()
        .unwrap_or(Value::Null);
    let mut inst = json!({
        "id": format!("{id}-0"),
        "principalId": schedule["principalId"],
        "roleDefinitionId": schedule["roleDefinitionId"],
        "directoryScopeId": schedule["directoryScopeId"],
        "appScopeId": null,
        "startDateTime": start,
        "endDateTime": end,
        "memberType": schedule["memberType"],
    });
    if eligibility {
        inst["roleEligibilityScheduleId"] = json!(id);
    } else {
        inst["assignmentType"] = schedule["assignmentType"].clone();
        inst["roleAssignmentScheduleId"] = json!(id);
        inst["roleAssignmentOriginId"] = json!(assignment_id(schedule));
    }
    inst
}

pub(crate) fn assignment_id(schedule: &Value) -> String {
    let seed = format!(
        "{}|{}|{}",
        s(schedule, "roleDefinitionId").unwrap_or_default(),
        s(schedule, "principalId").unwrap_or_default(),
        s(schedule, "directoryScopeId").unwrap_or("/")
    );
    let digest = Sha256::digest(seed.as_bytes());
    let b64 = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        &digest[..24],
    );
    format!("{b64}-1")
}

fn normalise_schedule(
    schedule: &mut Value,
    kind: &str,
    index: usize,
    tenant: &str,
    eligibility: bool,
) {
    let seed = format!(
        "{tenant}|{kind}|{index}|{}|{}",
        schedule["principalId"], schedule["roleDefinitionId"]
    );
    set_default(schedule, "id", json!(guid(&seed)));
    set_default(schedule, "directoryScopeId", json!("/"));
    set_default(schedule, "appScopeId", Value::Null);
    set_default(schedule, "memberType", json!("Direct"));
    set_default(schedule, "status", json!("Provisioned"));
    set_default(schedule, "createdDateTime", Value::Null);
    set_default(schedule, "createdUsing", Value::Null);
    set_default(schedule, "modifiedDateTime", Value::Null);
    set_default(schedule, "scheduleInfo", json!({"startDateTime": null}));
    if !eligibility {
        set_default(schedule, "assignmentType", json!("Assigned"));
    }
    let info = &mut schedule["scheduleInfo"];
    set_default(info, "recurrence", Value::Null);
    let end = info
        .get("expiration")
        .and_then(|e| e.get("endDateTime"))
        .cloned()
        .unwrap_or(Value::Null);
    let kind = if end.is_null() {
        "noExpiration"
    } else {
        "afterDateTime"
    };
    set_default(
        info,
        "expiration",
        json!({"type": kind, "endDateTime": end, "duration": null}),
    );
}

/// A `subscribedSku` with Graph's defaults for what the fixture leaves out.
fn normalise_sku(mut sku: Value, tenant_id: &str, fixture_name: &str) -> Value {
    let sku_id = s(&sku, "skuId").unwrap_or_default().to_owned();
    set_default(&mut sku, "id", json!(format!("{tenant_id}_{sku_id}")));
    set_default(&mut sku, "appliesTo", json!("User"));
    set_default(&mut sku, "capabilityStatus", json!("Enabled"));
    set_default(&mut sku, "accountId", json!(tenant_id));
    set_default(&mut sku, "accountName", json!(fixture_name));
    set_default(
        &mut sku,
        "subscriptionIds",
        json!([guid(&format!("{tenant_id}|sub|{sku_id}"))]),
    );
    set_default(&mut sku, "consumedUnits", json!(0));
    let units = sku
        .get("prepaidUnits")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut prepaid = json!({"enabled": 0, "suspended": 0, "warning": 0, "lockedOut": 0});
    merge(&mut prepaid, &units);
    sku["prepaidUnits"] = prepaid;
    if let Some(plans) = sku.get_mut("servicePlans").and_then(Value::as_array_mut) {
        for plan in plans {
            set_default(plan, "provisioningStatus", json!("Success"));
            set_default(plan, "appliesTo", json!("User"));
        }
    }
    sku
}

/// Whether a live subscription has one of the `wanted` service plans enabled.
fn plan_enabled(subscribed_skus: &[Value], wanted: &[&str]) -> bool {
    subscribed_skus.iter().any(|sku| {
        s(sku, "capabilityStatus") != Some("Suspended")
            && s(sku, "capabilityStatus") != Some("Deleted")
            && sku["servicePlans"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| {
                    wanted.contains(&s(p, "servicePlanId").unwrap_or_default())
                        && s(p, "provisioningStatus") != Some("Disabled")
                })
    })
}

/// The directory's users, service principals and groups, with Graph's defaults, and each
/// group's members and owners (by id) kept aside.
struct Directory {
    objects: HashMap<String, Value>,
    user_ids: Vec<String>,
    group_members: HashMap<String, Vec<String>>,
    group_owners: HashMap<String, Vec<String>>,
}

impl Directory {
    fn build(users: Vec<Value>, service_principals: Vec<Value>, groups: Vec<Value>) -> Self {
        let mut objects = HashMap::new();
        let mut user_ids = Vec::new();
        let mut group_members: HashMap<String, Vec<String>> = HashMap::new();
        let mut group_owners: HashMap<String, Vec<String>> = HashMap::new();
        for mut user in users {
            set_default(&mut user, "@odata.type", json!("#microsoft.graph.user"));
            set_default(&mut user, "businessPhones", json!([]));
            for key in [
                "givenName",
                "surname",
                "jobTitle",
                "mail",
                "mobilePhone",
                "officeLocation",
                "preferredLanguage",
                "onPremisesSyncEnabled",
                "onPremisesImmutableId",
            ] {
                set_default(&mut user, key, Value::Null);
            }
            set_default(&mut user, "userType", json!("Member"));
            set_default(&mut user, "accountEnabled", json!(true));
            set_default(&mut user, "assignedLicenses", json!([]));
            let id = s(&user, "id").unwrap_or_default().to_owned();
            user_ids.push(id.clone());
            objects.insert(id, user);
        }
        for mut sp in service_principals {
            set_default(
                &mut sp,
                "@odata.type",
                json!("#microsoft.graph.servicePrincipal"),
            );
            set_default(&mut sp, "servicePrincipalType", json!("Application"));
            set_default(&mut sp, "accountEnabled", json!(true));
            let id = s(&sp, "id").unwrap_or_default().to_owned();
            objects.insert(id, sp);
        }
        for mut group in groups {
            set_default(&mut group, "@odata.type", json!("#microsoft.graph.group"));
            set_default(&mut group, "securityEnabled", json!(true));
            set_default(&mut group, "mailEnabled", json!(false));
            set_default(&mut group, "isAssignableToRole", Value::Null);
            set_default(&mut group, "groupTypes", json!([]));
            let id = s(&group, "id").unwrap_or_default().to_owned();
            let map = group.as_object_mut().expect("group is an object");
            let ids = |v: Option<Value>| -> Vec<String> {
                v.and_then(|v| v.as_array().cloned())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            };
            group_members.insert(id.clone(), ids(map.remove("members")));
            group_owners.insert(id.clone(), ids(map.remove("owners")));
            objects.insert(id, group);
        }
        Directory {
            objects,
            user_ids,
            group_members,
            group_owners,
        }
    }
}

/// One policy per role, Microsoft's defaults changed by the fixture's patches.
fn policy_assignments(raw: &Value, role_definitions: &[Value], tenant_id: &str) -> Vec<Value> {
    let mut patches: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for p in arr(raw, "roleManagementPolicies") {
        let role = s(&p, "roleDefinitionId").unwrap_or_default().to_owned();
        patches.entry(role).or_default().extend(arr(&p, "rules"));
    }
    role_definitions
        .iter()
        .map(|role| {
            let role_id = s(role, "id").unwrap_or_default();
            let policy_id = format!(
                "DirectoryRole_{tenant_id}_{}",
                guid(&format!("{tenant_id}|policy|{role_id}"))
            );
            let mut rules = default_policy_rules();
            // `"*"` patches apply to every role, then the role's own.
            let all = patches.get("*").into_iter().flatten();
            for patch in all.chain(patches.get(role_id).into_iter().flatten()) {
                if let Some(rule) = rules.iter_mut().find(|r| r["id"] == patch["id"]) {
                    merge(rule, patch);
                }
            }
            json!({
                "id": format!("{policy_id}_{role_id}"),
                "policyId": policy_id,
                "scopeId": "/",
                "scopeType": "DirectoryRole",
                "roleDefinitionId": role_id,
                "policy": {
                    "id": policy_id,
                    "displayName": "DirectoryRole",
                    "description": "DirectoryRole",
                    "isOrganizationDefault": false,
                    "scopeId": "/",
                    "scopeType": "DirectoryRole",
                    "lastModifiedDateTime": null,
                    "lastModifiedBy": null,
                    "rules": rules,
                }
            })
        })
        .collect()
}

/// The fixture's PIM for Groups schedule instances under `key`, with Graph's defaults.
fn group_instances(raw: &Value, tenant_id: &str, key: &str, assignment: bool) -> Vec<Value> {
    arr(raw, key)
        .into_iter()
        .enumerate()
        .map(|(i, mut inst)| {
            let seed = format!("{tenant_id}|{key}|{i}");
            set_default(&mut inst, "id", json!(guid(&seed)));
            set_default(&mut inst, "accessId", json!("member"));
            set_default(&mut inst, "memberType", json!("direct"));
            set_default(&mut inst, "startDateTime", Value::Null);
            set_default(&mut inst, "endDateTime", Value::Null);
            if assignment {
                set_default(&mut inst, "assignmentType", json!("assigned"));
            }
            inst
        })
        .collect()
}

/// A principal of the fixture's `azure` section as ARM names it: a UPN or object id of
/// the directory, or `{"id", "principalType", "displayName"}` for one outside it.
fn arm_principal(
    objects: &HashMap<String, Value>,
    p: &Value,
) -> Result<crate::arm::ArmPrincipal, String> {
    if let Some(key) = p.as_str() {
        let found = objects.values().find(|o| {
            o["id"]
                .as_str()
                .is_some_and(|i| i.eq_ignore_ascii_case(key))
                || o["userPrincipalName"]
                    .as_str()
                    .is_some_and(|u| u.eq_ignore_ascii_case(key))
        });
        let o = found.ok_or_else(|| format!("azure: no directory object {key}"))?;
        let kind = match o["@odata.type"].as_str().unwrap_or_default() {
            "#microsoft.graph.group" => "Group",
            "#microsoft.graph.servicePrincipal" => "ServicePrincipal",
            _ => "User",
        };
        return Ok((
            o["id"].as_str().unwrap_or_default().to_owned(),
            kind.to_owned(),
            o["displayName"].as_str().unwrap_or_default().to_owned(),
            o["userPrincipalName"].as_str().map(str::to_owned),
        ));
    }
    // A principal outside the Entra fixture: {"id", "principalType", "displayName"}.
    Ok((
        p["id"]
            .as_str()
            .ok_or("azure: a principal needs an id")?
            .to_owned(),
        p["principalType"].as_str().unwrap_or("User").to_owned(),
        p["displayName"].as_str().unwrap_or_default().to_owned(),
        p["email"].as_str().map(str::to_owned),
    ))
}

impl Tenant {
    pub fn build(fixture: &Fixture) -> Result<Tenant, FixtureError> {
        let raw = &fixture.raw;
        let tenant_id = s(raw, "tenantId")
            .ok_or_else(|| FixtureError(format!("fixture {} has no tenantId", fixture.name)))?
            .to_owned();
        let now = s(raw, "now").unwrap_or("2026-11-20T09:00:00Z").to_owned();

        let mut organization = raw
            .get("organization")
            .cloned()
            .unwrap_or_else(|| json!({}));
        organization["id"] = json!(tenant_id);
        set_default(&mut organization, "tenantType", json!("AAD"));
        set_default(&mut organization, "countryLetterCode", json!("US"));

        let subscribed_skus: Vec<Value> = arr(raw, "subscribedSkus")
            .into_iter()
            .map(|sku| normalise_sku(sku, &tenant_id, &fixture.name))
            .collect();
        let pim_licensed = plan_enabled(&subscribed_skus, &PIM_PLANS);
        let p1_licensed = pim_licensed || plan_enabled(&subscribed_skus, &[P1_PLAN]);

        let mut role_definitions = builtin_role_definitions();
        for extra in arr(raw, "roleDefinitions") {
            role_definitions.retain(|r| r["id"] != extra["id"]);
            role_definitions.push(extra);
        }

        let mut users = arr(raw, "users");
        let mut service_principals = arr(raw, "servicePrincipals");
        let mut assignment_schedules = arr(raw, "roleAssignmentSchedules");
        let mut eligibility_schedules = arr(raw, "roleEligibilitySchedules");

        let domain = organization["verifiedDomains"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| d["isDefault"] == json!(true))
            .and_then(|d| s(d, "name"))
            .unwrap_or("example.onmicrosoft.com")
            .to_owned();

        let mut filler = None;
        if let Some(spec) = raw.get("generate") {
            let g = generate(spec, &tenant_id, &domain, &role_definitions);
            users.extend(g.users);
            service_principals.extend(g.service_principals);
            assignment_schedules.extend(g.assignment_schedules);
            eligibility_schedules.extend(g.eligibility_schedules);
            filler = Some(g.filler);
        }
        let directory = Directory::build(users, service_principals, arr(raw, "groups"));

        for (i, schedule) in assignment_schedules.iter_mut().enumerate() {
            normalise_schedule(schedule, "assignment", i, &tenant_id, false);
        }
        for (i, schedule) in eligibility_schedules.iter_mut().enumerate() {
            normalise_schedule(schedule, "eligibility", i, &tenant_id, true);
        }
        let role_assignment_schedule_instances: Vec<Value> = assignment_schedules
            .iter()
            .map(|s| instance_from_schedule(s, false))
            .collect();
        let role_eligibility_schedule_instances: Vec<Value> = eligibility_schedules
            .iter()
            .map(|s| instance_from_schedule(s, true))
            .collect();
        let mut role_assignments: Vec<Value> = assignment_schedules
            .iter()
            .map(|sch| {
                json!({
                    "id": assignment_id(sch),
                    "principalId": sch["principalId"],
                    "roleDefinitionId": sch["roleDefinitionId"],
                    "directoryScopeId": sch["directoryScopeId"],
                    "appScopeId": null,
                    "principalOrganizationId": tenant_id,
                })
            })
            .collect();
        role_assignments.extend(arr(raw, "roleAssignments"));

        let policy_assignments = policy_assignments(raw, &role_definitions, &tenant_id);

        let azure = match raw.get("azure") {
            None => None,
            Some(section) => {
                let principal = |p: &Value| arm_principal(&directory.objects, p);
                Some(
                    crate::arm::build(section, &tenant_id, &principal, &now)
                        .map_err(|e| FixtureError(format!("fixture {}: {e}", fixture.name)))?,
                )
            }
        };

        Ok(Tenant {
            name: fixture.name.clone(),
            tenant_id: tenant_id.clone(),
            now,
            organization,
            subscribed_skus,
            role_definitions,
            objects: directory.objects,
            user_ids: directory.user_ids,
            filler,
            group_members: directory.group_members,
            group_owners: directory.group_owners,
            role_assignments,
            role_assignment_schedules: assignment_schedules,
            role_assignment_schedule_instances,
            role_eligibility_schedules: eligibility_schedules,
            role_eligibility_schedule_instances,
            policy_assignments,
            group_eligibility_schedule_instances: group_instances(
                raw,
                &tenant_id,
                "groupEligibilityScheduleInstances",
                false,
            ),
            group_assignment_schedule_instances: group_instances(
                raw,
                &tenant_id,
                "groupAssignmentScheduleInstances",
                true,
            ),
            access_reviews: arr(raw, "accessReviews"),
            conditional_access_policies: arr(raw, "conditionalAccessPolicies"),
            pim_licensed,
            p1_licensed,
            azure,
        })
    }

    /// A directory object by id (explicit or generated).
    pub fn object(&self, id: &str) -> Option<Value> {
        self.object_ref(id).map(std::borrow::Cow::into_owned)
    }

    /// [`Tenant::object`] without copying a stored object.
    pub fn object_ref(&self, id: &str) -> Option<std::borrow::Cow<'_, Value>> {
        if let Some(o) = self.objects.get(id) {
            return Some(std::borrow::Cow::Borrowed(o));
        }
        let filler = self.filler.as_ref()?;
        filler
            .index_of(id)
            .map(|i| std::borrow::Cow::Owned(filler.user(i)))
    }

    /// Total number of users in the directory.
    pub fn user_count(&self) -> u64 {
        self.user_ids.len() as u64 + self.filler.as_ref().map_or(0, |f| f.count)
    }

    /// The user at a position in the directory listing.
    pub fn user_at(&self, index: u64) -> Option<Value> {
        let explicit = self.user_ids.len() as u64;
        if index < explicit {
            return self.objects.get(&self.user_ids[index as usize]).cloned();
        }
        let filler = self.filler.as_ref()?;
        let i = index - explicit;
        (i < filler.count).then(|| filler.user(i))
    }

    pub fn members(&self, group_id: &str) -> Option<&[String]> {
        self.group_members.get(group_id).map(Vec::as_slice)
    }

    pub fn owners(&self, group_id: &str) -> Option<&[String]> {
        self.group_owners.get(group_id).map(Vec::as_slice)
    }
}

struct Generated {
    users: Vec<Value>,
    service_principals: Vec<Value>,
    assignment_schedules: Vec<Value>,
    eligibility_schedules: Vec<Value>,
    filler: Filler,
}

/// A small deterministic generator (SplitMix64), so fixtures never depend on a crate's RNG.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// `generate: {users, privilegedPrincipals, seed}`: the privileged population depends
/// only on the seed and its size, never on the user count.
fn generate(spec: &Value, tenant_id: &str, domain: &str, roles: &[Value]) -> Generated {
    let users = spec["users"].as_u64().unwrap_or(1000);
    let privileged = spec["privilegedPrincipals"].as_u64().unwrap_or(30);
    let seed = spec["seed"].as_u64().unwrap_or(1);
    let mut rng = SplitMix(seed);
    let highly: Vec<&str> = [
        "62e90394-69f5-4237-9190-012177145e10",
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "fe930be7-5e62-47db-91af-98c3a49a38b1",
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "158c047a-c907-4556-b7ef-446551a6b5f7",
    ]
    .into_iter()
    .filter(|id| roles.iter().any(|r| r["id"] == *id))
    .collect();
    let all_roles: Vec<&str> = roles.iter().filter_map(|r| s(r, "id")).collect();

    let mut out = Generated {
        users: Vec::new(),
        service_principals: Vec::new(),
        assignment_schedules: Vec::new(),
        eligibility_schedules: Vec::new(),
        filler: Filler {
            count: 0,
            seed,
            domain: domain.to_owned(),
        },
    };
    for i in 0..privileged {
        let id = guid(&format!("{tenant_id}|privileged|{seed}|{i}"));
        let is_sp = i % 25 == 24;
        if is_sp {
            out.service_principals.push(json!({
                "id": id,
                "appId": guid(&format!("{tenant_id}|app|{seed}|{i}")),
                "displayName": format!("Automation app {i}"),
                "servicePrincipalType": "Application",
            }));
        } else {
            let synced = rng.below(10) == 0;
            out.users.push(json!({
                "id": id,
                "displayName": format!("Admin {i}"),
                "userPrincipalName": format!("admin{i}@{domain}"),
                "userType": if rng.below(40) == 0 { "Guest" } else { "Member" },
                "onPremisesSyncEnabled": if synced { json!(true) } else { Value::Null },
                "onPremisesImmutableId": if synced { json!(format!("imm{i}")) } else { Value::Null },
                "assignedLicenses": [],
                "signInActivity": {
                    "lastSignInDateTime": format!("2026-{:02}-{:02}T08:00:00Z", 1 + rng.below(10), 1 + rng.below(28)),
                    "lastNonInteractiveSignInDateTime": null,
                    "lastSuccessfulSignInDateTime": null,
                },
            }));
        }
        // 1–2 roles each: mostly highly privileged, some others.
        let n_roles = 1 + rng.below(2);
        let mut held: Vec<&str> = Vec::new();
        for r in 0..n_roles {
            let role = if rng.below(3) == 0 {
                all_roles[rng.below(all_roles.len() as u64) as usize]
            } else {
                highly[rng.below(highly.len() as u64) as usize]
            };
            // Graph has one assignment per (principal, role, scope).
            if held.contains(&role) {
                continue;
            }
            held.push(role);
            let eligible = !is_sp && rng.below(2) == 0;
            let start = format!("2026-0{}-1{}T10:00:00Z", 1 + rng.below(9), rng.below(10));
            let schedule = json!({
                "id": guid(&format!("{tenant_id}|gen-schedule|{seed}|{i}|{r}")),
                "principalId": id,
                "roleDefinitionId": role,
                "createdUsing": if eligible || rng.below(2) == 0 { json!(guid(&format!("req|{i}|{r}"))) } else { Value::Null },
                "createdDateTime": start,
                "scheduleInfo": {"startDateTime": start},
            });
            if eligible {
                out.eligibility_schedules.push(schedule);
            } else {
                out.assignment_schedules.push(schedule);
            }
        }
    }
    // The directory holds exactly `users` users (privileged ones included).
    out.filler.count = users.saturating_sub(out.users.len() as u64);
    out
}
