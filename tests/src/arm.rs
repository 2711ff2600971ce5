//! The Azure Resource Manager look-alike, on its own listener (as ARM is its own host):
//! subscriptions, management groups, role assignments, PIM schedule instances and role
//! management policy assignments of a fixture tenant's `azure` section.
//!
//! Strict like ARM: `api-version` is required and must be one ARM documents for the route
//! (the versions cited in `pimready_graph::arm`); only an ARM token is accepted (a Graph
//! token is refused with `InvalidAuthenticationTokenAudience`); a scope the account may not
//! read answers 403 `AuthorizationFailed`; lists page with an absolute `nextLink`. Error
//! bodies are ARM's `{"error":{"code","message"}}`
//! (<https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors>).

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::fault::{FaultKind, retry_after_value};
use crate::graph::Outcome;
use crate::{Shared, percent_decode};

/// Items per page: small, so every list the collector reads is paged in the tests.
const PAGE: usize = 2;

/// The Azure part of a fixture tenant, ARM-shaped.
#[derive(Debug, Clone, Default)]
pub struct AzureTenant {
    pub management_groups: Vec<Value>,
    /// Each with `parent` (a management group name) kept aside in `parents`.
    pub subscriptions: Vec<Value>,
    /// (child scope, parent scope), child lowercased.
    pub parents: Vec<(String, String)>,
    /// Scopes (lowercased) whose `Microsoft.Authorization` reads answer 403.
    pub unreadable: HashSet<String>,
    pub role_assignments: Vec<Value>,
    pub eligibility_instances: Vec<Value>,
    pub active_instances: Vec<Value>,
    pub policy_assignments: Vec<Value>,
    /// Whether the account may list assignments at the root scope `/`.
    pub root_readable: bool,
}

pub(crate) fn arm_error(status: u16, code: &str, message: &str) -> Outcome {
    Outcome::json(status, json!({"error": {"code": code, "message": message}}))
}

fn params(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
        .collect()
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Which list a path asks for, and at which scope.
enum Route {
    Subscriptions,
    ManagementGroups,
    /// (scope, collection)
    Authorization(String, &'static str),
}

fn route(path: &str) -> Option<Route> {
    let path = path.trim_end_matches('/');
    if path.eq_ignore_ascii_case("/subscriptions") {
        return Some(Route::Subscriptions);
    }
    if path.eq_ignore_ascii_case("/providers/Microsoft.Management/managementGroups") {
        return Some(Route::ManagementGroups);
    }
    let lower = path.to_ascii_lowercase();
    let marker = "/providers/microsoft.authorization/";
    let at = lower.rfind(marker)?;
    let collection = match &lower[at + marker.len()..] {
        "roleassignments" => "roleAssignments",
        "roleeligibilityscheduleinstances" => "roleEligibilityScheduleInstances",
        "roleassignmentscheduleinstances" => "roleAssignmentScheduleInstances",
        "rolemanagementpolicyassignments" => "roleManagementPolicyAssignments",
        _ => return None,
    };
    Some(Route::Authorization(path[..at].to_owned(), collection))
}

/// The API versions ARM documents for each route, as the collector uses them.
fn api_versions(route: &Route) -> &'static [&'static str] {
    match route {
        // https://learn.microsoft.com/rest/api/resources/subscriptions/list
        Route::Subscriptions => &["2022-12-01", "2021-01-01", "2020-01-01"],
        // https://learn.microsoft.com/rest/api/managementgroups/management-groups/list
        Route::ManagementGroups => &["2023-04-01", "2021-04-01", "2020-05-01"],
        // https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope
        Route::Authorization(_, "roleAssignments") => &["2022-04-01", "2020-04-01-preview"],
        // https://learn.microsoft.com/rest/api/authorization/role-eligibility-schedule-instances/list-for-scope
        Route::Authorization(..) => &["2020-10-01", "2020-10-01-preview", "2024-09-01-preview"],
    }
}

fn norm(scope: &str) -> String {
    let s = scope.trim_end_matches('/').to_ascii_lowercase();
    if s.is_empty() { "/".to_owned() } else { s }
}

impl AzureTenant {
    /// The scope and its ancestors, lowercased (`/` last).
    fn ancestors(&self, scope: &str) -> Vec<String> {
        let mut out = vec![norm(scope)];
        let mut current = norm(scope);
        // A scope below a subscription inherits from the subscription.
        if current.starts_with("/subscriptions/") {
            let sub: String = current.split('/').take(3).collect::<Vec<_>>().join("/");
            if sub != current {
                out.push(sub.clone());
                current = sub;
            }
        }
        while let Some((_, parent)) = self.parents.iter().find(|(c, _)| *c == current) {
            out.push(parent.clone());
            current = parent.clone();
        }
        if !out.iter().any(|s| s == "/") {
            out.push("/".to_owned());
        }
        out
    }

    /// Items of a collection that apply at `scope`: at or above it with `atScope()`; at,
    /// above or below it otherwise.
    fn applying(&self, items: &[Value], scope: &str, at_scope: bool) -> Vec<Value> {
        let above = self.ancestors(scope);
        let here = norm(scope);
        items
            .iter()
            .filter(|i| {
                let s = norm(i["properties"]["scope"].as_str().unwrap_or_default());
                above.contains(&s)
                    || (!at_scope && here != "/" && s.starts_with(&format!("{here}/")))
            })
            .cloned()
            .collect()
    }
}

impl Shared {
    /// Serves one ARM request (already recorded by the listener).
    pub(crate) fn serve_arm(
        self: &Arc<Self>,
        method: &str,
        raw_path: &str,
        query: &str,
        bearer: Option<&str>,
    ) -> Outcome {
        let path = percent_decode(raw_path);
        if let Some(kind) = self.take_fault(method, &path, query)
            && let Some(outcome) = self.arm_fault(&kind, raw_path, query)
        {
            return outcome;
        }
        if let Err(refused) = self.authenticate_arm(bearer) {
            return refused;
        }
        if method != "GET" {
            return arm_error(405, "MethodNotAllowed", "The emulator serves reads only.");
        }
        let Some(route) = route(&path) else {
            return arm_error(
                404,
                "InvalidResourceType",
                &format!("The resource type could not be found for path '{path}'."),
            );
        };
        let params = params(query);
        if let Err(refused) = check_api_version(&route, &params) {
            return refused;
        }
        let tenant = self.tenant();
        let Some(azure) = &tenant.azure else {
            // A tenant with no Azure: the account sees no subscription and no group.
            return match route {
                Route::Subscriptions | Route::ManagementGroups => {
                    Outcome::json(200, json!({"value": []}))
                }
                Route::Authorization(..) => arm_error(
                    403,
                    "AuthorizationFailed",
                    "The client does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '/'.",
                ),
            };
        };
        let filter = param(&params, "$filter").unwrap_or_default().to_owned();
        let items: Vec<Value> = match &route {
            Route::Subscriptions => azure.subscriptions.clone(),
            Route::ManagementGroups => azure.management_groups.clone(),
            Route::Authorization(scope, collection) => {
                match azure.authorization_items(scope, collection, &filter) {
                    Ok(items) => items,
                    Err(refused) => return refused,
                }
            }
        };
        self.arm_page(&items, &params, raw_path, query)
    }

    /// ARM's answer to an injected fault; `None` for faults ARM does not model.
    fn arm_fault(&self, kind: &FaultKind, raw_path: &str, query: &str) -> Option<Outcome> {
        match kind {
            FaultKind::Throttle { retry_after } => {
                // https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
                Some(
                    arm_error(
                        429,
                        "TooManyRequests",
                        "The request is being throttled as the limit has been reached for operation type - Read.",
                    )
                    .with_header("Retry-After", retry_after_value(*retry_after)),
                )
            }
            FaultKind::Status(status) => Some(arm_error(
                *status,
                "ServiceUnavailable",
                "The service is currently unavailable.",
            )),
            FaultKind::Forbidden => Some(arm_error(
                403,
                "AuthorizationFailed",
                "The client does not have authorization to perform this action.",
            )),
            FaultKind::ForeignNextLink => {
                // A first page whose nextLink leaves the ARM host for the foreign listener.
                Some(Outcome::json(
                    200,
                    json!({"value": [], "nextLink": format!("{}{raw_path}?{query}&$skiptoken=2", self.foreign_base_url)}),
                ))
            }
            FaultKind::Unauthorized => Some(arm_error(
                401,
                "ExpiredAuthenticationToken",
                "The access token expiry UTC time is earlier than current UTC time.",
            )),
            _ => None,
        }
    }

    /// Only an ARM token is accepted: none, a Graph token or an unknown one answers 401.
    fn authenticate_arm(&self, bearer: Option<&str>) -> Result<(), Outcome> {
        let Some(bearer) = bearer else {
            return Err(arm_error(
                401,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
            ));
        };
        if bearer == self.token {
            return Err(arm_error(
                401,
                "InvalidAuthenticationTokenAudience",
                "The access token has been obtained for wrong audience or resource 'https://graph.microsoft.com'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.azure.com/'.",
            ));
        }
        if bearer != self.arm_token && !self.arm_validator.as_ref().is_some_and(|v| v(bearer)) {
            return Err(arm_error(
                401,
                "InvalidAuthenticationToken",
                "The access token is invalid.",
            ));
        }
        Ok(())
    }

    /// One page of `items` from `$skiptoken`, with an absolute `nextLink` when more remain.
    fn arm_page(
        &self,
        items: &[Value],
        params: &[(String, String)],
        raw_path: &str,
        query: &str,
    ) -> Outcome {
        let skip: usize = param(params, "$skiptoken")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let end = (skip + PAGE).min(items.len());
        let page: Vec<Value> = items
            .get(skip..end)
            .map(<[Value]>::to_vec)
            .unwrap_or_default();
        let mut body = json!({"value": page});
        if end < items.len() {
            let mut next =
                url::Url::parse(&format!("{}{}", self.arm_base_url, raw_path)).expect("arm url");
            {
                let mut q = next.query_pairs_mut();
                for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
                    if !k.eq_ignore_ascii_case("$skiptoken") {
                        q.append_pair(&k, &v);
                    }
                }
                q.append_pair("$skiptoken", &end.to_string());
            }
            body["nextLink"] = json!(next.as_str());
        }
        Outcome::json(200, body)
    }
}

/// `api-version` is required and must be one ARM documents for the route.
fn check_api_version(route: &Route, params: &[(String, String)]) -> Result<(), Outcome> {
    match param(params, "api-version") {
        None => Err(arm_error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )),
        Some(v) if !api_versions(route).contains(&v) => Err(arm_error(
            400,
            "InvalidApiVersionParameter",
            &format!(
                "The api-version '{v}' is invalid. The supported versions are '{}'.",
                api_versions(route).join(",")
            ),
        )),
        Some(_) => Ok(()),
    }
}

impl AzureTenant {
    /// A `Microsoft.Authorization` collection at `scope`: 403 for a scope the account may
    /// not read, 400 for a filter ARM does not take on that collection.
    fn authorization_items(
        &self,
        scope: &str,
        collection: &str,
        filter: &str,
    ) -> Result<Vec<Value>, Outcome> {
        let scope_key = norm(scope);
        let denied = if scope_key == "/" {
            !self.root_readable
        } else {
            self.unreadable.contains(&scope_key) || !self.known_scope(&scope_key)
        };
        if denied {
            return Err(arm_error(
                403,
                "AuthorizationFailed",
                &format!(
                    "The client does not have authorization to perform action 'Microsoft.Authorization/{collection}/read' over scope '{}' or the scope is invalid.",
                    if scope.is_empty() { "/" } else { scope }
                ),
            ));
        }
        let at_scope = filter.eq_ignore_ascii_case("atScope()");
        if !filter.is_empty() && !at_scope && collection != "roleManagementPolicyAssignments" {
            return Err(arm_error(
                400,
                "UnsupportedQuery",
                &format!("The filter '{filter}' is not supported."),
            ));
        }
        Ok(match collection {
            "roleAssignments" => self.applying(&self.role_assignments, scope, at_scope),
            "roleEligibilityScheduleInstances" => {
                self.applying(&self.eligibility_instances, scope, at_scope)
            }
            "roleAssignmentScheduleInstances" => {
                self.applying(&self.active_instances, scope, at_scope)
            }
            _ => self.policy_assignments_at(&scope_key, filter)?,
        })
    }

    /// Policy assignments are per scope; `roleDefinitionId eq '…'` keeps one role
    /// (https://learn.microsoft.com/rest/api/authorization/privileged-role-policy-rest-sample).
    fn policy_assignments_at(&self, scope_key: &str, filter: &str) -> Result<Vec<Value>, Outcome> {
        let role = filter
            .strip_prefix("roleDefinitionId eq '")
            .and_then(|f| f.strip_suffix('\''))
            .map(str::to_ascii_lowercase);
        if !filter.is_empty() && role.is_none() {
            return Err(arm_error(
                400,
                "UnsupportedQuery",
                &format!("The filter '{filter}' is not supported."),
            ));
        }
        Ok(self
            .policy_assignments
            .iter()
            .filter(|p| norm(p["properties"]["scope"].as_str().unwrap_or_default()) == scope_key)
            .filter(|p| {
                role.as_deref().is_none_or(|r| {
                    p["properties"]["roleDefinitionId"]
                        .as_str()
                        .is_some_and(|d| d.eq_ignore_ascii_case(r))
                })
            })
            .cloned()
            .collect())
    }
}

impl AzureTenant {
    fn known_scope(&self, scope: &str) -> bool {
        self.subscriptions
            .iter()
            .chain(&self.management_groups)
            .any(|s| s["id"].as_str().is_some_and(|id| norm(id) == scope))
    }
}

/// A principal as ARM names it: (object id, principalType, displayName, email).
pub(crate) type ArmPrincipal = (String, String, String, Option<String>);

/// The `azure` section of a fixture, ARM-shaped. `principal` resolves a UPN or id.
pub(crate) fn build(
    raw: &Value,
    tenant_id: &str,
    principal: &dyn Fn(&Value) -> Result<ArmPrincipal, String>,
    now: &str,
) -> Result<AzureTenant, String> {
    let mut azure = AzureTenant {
        root_readable: raw["rootReadable"].as_bool().unwrap_or(false),
        ..AzureTenant::default()
    };
    add_management_groups(&mut azure, raw, tenant_id)?;
    add_subscriptions(&mut azure, raw, tenant_id)?;
    add_assignments(&mut azure, raw, tenant_id, principal)?;
    add_root_assignments(&mut azure, raw, tenant_id, principal, now)?;
    add_policy_assignments(&mut azure, raw, tenant_id);
    Ok(azure)
}

fn mg_id(name: &str) -> String {
    format!("/providers/Microsoft.Management/managementGroups/{name}")
}

/// A management group name as the fixture writes it: `{tenant}` is the tenant root group.
fn group_name<'a>(name: &'a str, tenant_id: &'a str) -> &'a str {
    if name == "{tenant}" { tenant_id } else { name }
}

/// A fixture scope (`mg:<name>`, `sub:<id>` or an ARM scope) as an ARM scope.
fn resolve_scope(s: &str, tenant_id: &str) -> String {
    if let Some(name) = s.strip_prefix("mg:") {
        mg_id(group_name(name, tenant_id))
    } else if let Some(id) = s.strip_prefix("sub:") {
        format!("/subscriptions/{id}")
    } else {
        s.to_owned()
    }
}

/// The role definition id of a built-in role at `scope`.
fn role_path(scope: &str, role: &str) -> Result<String, String> {
    let guid = role_id(role)?;
    let prefix = if scope == "/" {
        String::new()
    } else {
        scope.to_owned()
    };
    Ok(format!(
        "{prefix}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
    ))
}

fn add_management_groups(
    azure: &mut AzureTenant,
    raw: &Value,
    tenant_id: &str,
) -> Result<(), String> {
    for g in raw["managementGroups"].as_array().into_iter().flatten() {
        let name = g["name"]
            .as_str()
            .ok_or("a management group needs a name")?;
        let name = group_name(name, tenant_id);
        azure.management_groups.push(json!({
            "id": mg_id(name),
            "type": "Microsoft.Management/managementGroups",
            "name": name,
            "properties": {"tenantId": tenant_id, "displayName": g["displayName"]},
        }));
        if let Some(parent) = g["parent"].as_str() {
            let parent = group_name(parent, tenant_id);
            azure
                .parents
                .push((norm(&mg_id(name)), norm(&mg_id(parent))));
        } else if name != tenant_id {
            azure
                .parents
                .push((norm(&mg_id(name)), norm(&mg_id(tenant_id))));
        }
        if g["readable"].as_bool() == Some(false) {
            azure.unreadable.insert(norm(&mg_id(name)));
        }
    }
    Ok(())
}

fn add_subscriptions(azure: &mut AzureTenant, raw: &Value, tenant_id: &str) -> Result<(), String> {
    for s in raw["subscriptions"].as_array().into_iter().flatten() {
        let id = s["subscriptionId"]
            .as_str()
            .ok_or("a subscription needs a subscriptionId")?;
        let scope = format!("/subscriptions/{id}");
        azure.subscriptions.push(json!({
            "id": scope,
            "authorizationSource": "RoleBased",
            "subscriptionId": id,
            "tenantId": tenant_id,
            "displayName": s["displayName"],
            "state": s["state"].as_str().unwrap_or("Enabled"),
            "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "EnterpriseAgreement_2014-09-01", "spendingLimit": "Off"},
        }));
        let parent = group_name(
            s["managementGroup"].as_str().unwrap_or(tenant_id),
            tenant_id,
        );
        azure.parents.push((norm(&scope), norm(&mg_id(parent))));
        if s["readable"].as_bool() == Some(false) {
            azure.unreadable.insert(norm(&scope));
        }
    }
    Ok(())
}

/// The fixture's `assignments`: Azure role assignments and their PIM schedule instances.
fn add_assignments(
    azure: &mut AzureTenant,
    raw: &Value,
    tenant_id: &str,
    principal: &dyn Fn(&Value) -> Result<ArmPrincipal, String>,
) -> Result<(), String> {
    for (i, a) in raw["assignments"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let scope = resolve_scope(
            a["scope"].as_str().ok_or("an assignment needs a scope")?,
            tenant_id,
        );
        let role = a["role"].as_str().ok_or("an assignment needs a role")?;
        let (pid, ptype, pname, email) = principal(&a["principal"])?;
        let role_def = role_path(&scope, role)?;
        let kind = a["type"].as_str().unwrap_or("permanent");
        let seed = format!("{tenant_id}|{scope}|{role}|{pid}|{i}");
        let expanded =
            json!({"principal": {"id": pid, "displayName": pname, "email": email, "type": ptype}});
        let end = a["end"].as_str();
        let assignment_id = format!(
            "{scope}/providers/Microsoft.Authorization/roleAssignments/{}",
            crate::fixture::guid(&seed)
        );
        let assignment = json!({
            "id": assignment_id,
            "type": "Microsoft.Authorization/roleAssignments",
            "name": crate::fixture::guid(&seed),
            "properties": {"roleDefinitionId": role_def, "principalId": pid, "principalType": ptype, "scope": scope, "createdOn": a["since"].as_str().unwrap_or("2024-03-01T10:00:00Z")},
        });
        let instance = |kind: &str, assignment_type: Option<&str>| {
            let mut props = json!({
                "scope": scope, "roleDefinitionId": role_def, "principalId": pid, "principalType": ptype,
                "status": "Provisioned", "startDateTime": a["since"].as_str().unwrap_or("2024-03-01T10:00:00Z"),
                "endDateTime": end, "memberType": "Direct", "createdOn": a["since"].as_str().unwrap_or("2024-03-01T10:00:00Z"),
                "expandedProperties": expanded,
            });
            if let Some(t) = assignment_type {
                props["assignmentType"] = json!(t);
                props["originRoleAssignmentId"] = json!(assignment_id);
            }
            json!({"id": format!("{scope}/providers/Microsoft.Authorization/{kind}/{}", crate::fixture::guid(&format!("{seed}|{kind}"))), "name": crate::fixture::guid(&format!("{seed}|{kind}")), "type": format!("Microsoft.Authorization/{kind}"), "properties": props})
        };
        match kind {
            "eligible" => azure
                .eligibility_instances
                .push(instance("roleEligibilityScheduleInstances", None)),
            "permanent" | "timebound" | "activated" => {
                azure.role_assignments.push(assignment.clone());
                let assignment_type = if kind == "activated" {
                    "Activated"
                } else {
                    "Assigned"
                };
                azure.active_instances.push(instance(
                    "roleAssignmentScheduleInstances",
                    Some(assignment_type),
                ));
                if kind == "activated" && end.is_none() {
                    return Err(format!("assignment {i}: an activation has an end"));
                }
            }
            // An assignment made outside PIM's API that PIM has not picked up: no instance.
            "direct" => azure.role_assignments.push(assignment),
            other => return Err(format!("assignment {i}: unknown type {other}")),
        }
    }
    Ok(())
}

/// The fixture's `rootAssignments`: assignments at the root scope `/`.
fn add_root_assignments(
    azure: &mut AzureTenant,
    raw: &Value,
    tenant_id: &str,
    principal: &dyn Fn(&Value) -> Result<ArmPrincipal, String>,
    now: &str,
) -> Result<(), String> {
    for (i, a) in raw["rootAssignments"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let role = a["role"].as_str().unwrap_or("User Access Administrator");
        let (pid, ptype, _, _) = principal(&a["principal"])?;
        let name = crate::fixture::guid(&format!("{tenant_id}|root|{pid}|{i}"));
        azure.role_assignments.push(json!({
            "id": format!("/providers/Microsoft.Authorization/roleAssignments/{name}"),
            "type": "Microsoft.Authorization/roleAssignments",
            "name": name,
            "properties": {"roleDefinitionId": role_path("/", role)?, "principalId": pid, "principalType": ptype, "scope": "/", "createdOn": now},
        }));
    }
    Ok(())
}

/// One policy assignment per (scope, role): the emulator's defaults changed by `settings`.
fn add_policy_assignments(azure: &mut AzureTenant, raw: &Value, tenant_id: &str) {
    let scopes: Vec<String> = azure
        .management_groups
        .iter()
        .chain(&azure.subscriptions)
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    for scope in &scopes {
        for (guid, role) in ROLES {
            let setting = raw["settings"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|s| {
                    s["role"].as_str() == Some(role)
                        && s["scope"]
                            .as_str()
                            .map(|x| resolve_scope(x, tenant_id))
                            .is_some_and(|x| norm(&x) == norm(scope))
                })
                .cloned()
                .unwrap_or(Value::Null);
            azure
                .policy_assignments
                .push(policy_assignment(scope, guid, role, &setting));
        }
    }
}

const ROLES: [(&str, &str); 4] = [
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"),
    (
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "User Access Administrator",
    ),
    (
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
        "Role Based Access Control Administrator",
    ),
    ("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"),
];

fn role_id(role: &str) -> Result<&'static str, String> {
    ROLES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(role))
        .map(|(g, _)| *g)
        .ok_or_else(|| format!("unknown Azure role {role}"))
}

/// A role management policy assignment with its `effectiveRules`, shaped as on
/// <https://learn.microsoft.com/rest/api/authorization/role-management-policy-assignments/list-for-scope>.
/// The emulator's defaults: activation up to 8 hours with MFA and a justification, no
/// approval, notifications to the default recipients only; `setting` changes them.
fn policy_assignment(scope: &str, guid: &str, role: &str, setting: &Value) -> Value {
    let policy = crate::fixture::guid(&format!("{scope}|{guid}|policy"));
    let target = |caller: &str, level: &str| json!({"caller": caller, "operations": ["All"], "level": level});
    let max = setting["maximumDuration"].as_str().unwrap_or("PT8H");
    let enabled = setting
        .get("enabledRules")
        .cloned()
        .unwrap_or_else(|| json!(["MultiFactorAuthentication", "Justification"]));
    let approval = setting["approval"].as_bool().unwrap_or(false);
    let recipients = setting
        .get("recipients")
        .cloned()
        .unwrap_or_else(|| json!([]));
    let notification = |id: &str, caller: &str, level: &str| json!({"id": id, "ruleType": "RoleManagementPolicyNotificationRule", "notificationType": "Email", "recipientType": "Admin", "notificationLevel": "All", "isDefaultRecipientsEnabled": true, "notificationRecipients": recipients, "target": target(caller, level)});
    let rules = json!([
        {"id": "Expiration_EndUser_Assignment", "ruleType": "RoleManagementPolicyExpirationRule", "isExpirationRequired": true, "maximumDuration": max, "target": target("EndUser", "Assignment")},
        {"id": "Enablement_EndUser_Assignment", "ruleType": "RoleManagementPolicyEnablementRule", "enabledRules": enabled, "target": target("EndUser", "Assignment")},
        {"id": "Approval_EndUser_Assignment", "ruleType": "RoleManagementPolicyApprovalRule", "setting": {"isApprovalRequired": approval, "isApprovalRequiredForExtension": false, "isRequestorJustificationRequired": true, "approvalMode": "SingleStage", "approvalStages": []}, "target": target("EndUser", "Assignment")},
        {"id": "AuthenticationContext_EndUser_Assignment", "ruleType": "RoleManagementPolicyAuthenticationContextRule", "isEnabled": setting["authenticationContext"].is_string(), "claimValue": setting["authenticationContext"], "target": target("EndUser", "Assignment")},
        notification("Notification_Admin_Admin_Eligibility", "Admin", "Eligibility"),
        notification("Notification_Admin_Admin_Assignment", "Admin", "Assignment"),
        notification("Notification_Admin_EndUser_Assignment", "EndUser", "Assignment"),
    ]);
    let role_def = format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}");
    json!({
        "id": format!("{scope}/providers/Microsoft.Authorization/roleManagementPolicyAssignments/{policy}_{guid}"),
        "type": "Microsoft.Authorization/RoleManagementPolicyAssignment",
        "name": format!("{policy}_{guid}"),
        "properties": {
            "scope": scope,
            "roleDefinitionId": role_def,
            "policyId": format!("{scope}/providers/Microsoft.Authorization/roleManagementPolicies/{policy}"),
            "effectiveRules": rules,
            "policyAssignmentProperties": {"scope": {"id": scope, "type": if scope.starts_with("/subscriptions/") {"subscription"} else {"managementgroup"}}, "roleDefinition": {"id": role_def, "displayName": role, "type": "BuiltInRole"}},
        },
    })
}
