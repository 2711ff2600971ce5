//! Azure resources through Azure Resource Manager (ARM): the management groups and
//! subscriptions the account can see, who holds Owner, User Access Administrator, Role Based
//! Access Control Administrator and Contributor there (directly, eligible or activated through
//! PIM), their PIM role settings, and the root-scope assignments of "elevate access".
//!
//! The same client rules as Graph ([`GraphClient`]: retries honouring `Retry-After`, bounded
//! concurrency, `nextLink` only on the ARM host), with its own pace: ARM's limits are not
//! Graph's. Reads stay scoped to those four roles; resource groups and resources are never
//! listed. Nothing here fails the run: a refused sign-in, a 403, a 429 beyond the retry
//! budget or a 503 becomes a gap on an `azure_*` dataset, and the Entra part is unchanged.
//!
//! API versions, as Microsoft's REST reference documents them today:
//! - subscriptions 2022-12-01 (<https://learn.microsoft.com/rest/api/resources/subscriptions/list>);
//! - management groups 2023-04-01 (<https://learn.microsoft.com/rest/api/managementgroups/management-groups/list>);
//! - role assignments 2022-04-01 (<https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope>);
//! - PIM schedule instances and role management policy assignments 2020-10-01
//!   (<https://learn.microsoft.com/rest/api/authorization/role-eligibility-schedule-instances/list-for-scope>,
//!   <https://learn.microsoft.com/rest/api/authorization/role-assignment-schedule-instances/list-for-scope>,
//!   <https://learn.microsoft.com/rest/api/authorization/role-management-policy-assignments/list-for-scope>;
//!   filtered on the role as in <https://learn.microsoft.com/rest/api/authorization/privileged-role-policy-rest-sample>).

use std::collections::BTreeSet;
use std::sync::Arc;

use pimready_core::cloud::ArmHost;
use pimready_core::snapshot::{
    ArmPolicyAssignment, ArmRoleAssignment, ArmScheduleInstance, AzureSnapshot, AzureSubscription,
    Dataset, Gap, GapReason, ManagementGroup, Principal, azure_role_name, is_guid,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::{GraphClient, GraphConfig, GraphError, GraphErrorKind};
use crate::token::TokenSource;

pub const SUBSCRIPTIONS_API: &str = "2022-12-01";
pub const MANAGEMENT_GROUPS_API: &str = "2023-04-01";
pub const ROLE_ASSIGNMENTS_API: &str = "2022-04-01";
pub const PIM_API: &str = "2020-10-01";

/// Environment variable: an ARM bearer token for scripts (as `PIMREADY_ACCESS_TOKEN` is for
/// Graph), e.g. from `az account get-access-token --resource https://management.azure.com`.
pub const ARM_ACCESS_TOKEN_VAR: &str = "PIMREADY_ARM_ACCESS_TOKEN";

/// Microsoft first-party public clients are preauthorized per resource: the Microsoft Graph
/// Command Line Tools client is refused an ARM token (AADSTS65002, "Consent between first
/// party application and first party resource must be configured via preauthorization":
/// <https://learn.microsoft.com/entra/identity-platform/reference-error-codes>). The Azure CLI
/// public client is preauthorized for ARM (`az login` then `az account get-access-token`
/// gets one; Azure PowerShell's client 1950a258-227b-4e31-a9cf-717495945fc2 works the same,
/// see <https://github.com/Azure/azure-cli/pull/30302>). A user's own client id is kept.
pub const ARM_PUBLIC_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/// No ARM token could be had, and why: collection records it as the Azure gap.
#[derive(Debug, Clone)]
pub struct NoArmToken(pub String);

impl TokenSource for NoArmToken {
    fn access_token(&self) -> crate::token::TokenFuture<'_> {
        let why = self.0.clone();
        Box::pin(async move { Err(crate::token::TokenError::SignInRequired(why)) })
    }
}

/// The ARM token of a script's `PIMREADY_ARM_ACCESS_TOKEN`, else the reason there is none.
pub fn arm_tokens_from_env() -> Arc<dyn TokenSource> {
    match std::env::var(ARM_ACCESS_TOKEN_VAR) {
        Ok(t) if !t.trim().is_empty() => Arc::new(crate::token::StaticToken(
            crate::token::AccessToken::new(t.trim()),
        )),
        _ => Arc::new(NoArmToken(format!(
            "no token was given for it; set {ARM_ACCESS_TOKEN_VAR} to an ARM token of the same account (for example from `az account get-access-token --resource https://management.azure.com`) to assess Azure resources"
        ))),
    }
}

/// Where Azure Resource Manager is and how to get its token.
#[derive(Clone)]
pub struct ArmSource {
    pub host: ArmHost,
    pub tokens: Arc<dyn TokenSource>,
    pub client: GraphConfig,
}

impl std::fmt::Debug for ArmSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArmSource")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// A failure on one scope, kept to mark it unreadable and to name the gap.
struct ScopeFailure {
    dataset: Dataset,
    error: GraphError,
}

fn gap(dataset: Dataset, e: &GraphError, host: &ArmHost) -> Gap {
    let reason = match (e.kind, e.status) {
        (_, Some(403)) => GapReason::PermissionDenied,
        (kind, _) => kind.gap_reason(),
    };
    Gap {
        dataset,
        reason,
        detail: format!("Azure Resource Manager: {}", e.detail),
        status: e.status,
        code: e.code.clone(),
        missing_scope: (reason == GapReason::PermissionDenied).then(|| host.scope()),
    }
}

fn parse<T: DeserializeOwned>(what: &str, values: Vec<Value>) -> Result<Vec<T>, GraphError> {
    values
        .into_iter()
        .map(|v| {
            serde_json::from_value(v).map_err(|e| {
                GraphError::other(
                    Some(200),
                    format!("{what}: an item has an unexpected shape: {e}"),
                )
            })
        })
        .collect()
}

async fn list<T: DeserializeOwned>(client: &GraphClient, path: &str) -> Result<Vec<T>, GraphError> {
    let values = client.get_collection(path).await?;
    parse(path.split('?').next().unwrap_or(path), values)
}

/// Keeps the four privileged roles only (ARM lists every role at a scope).
fn privileged<T>(items: Vec<T>, role: impl Fn(&T) -> &str) -> Vec<T> {
    items
        .into_iter()
        .filter(|i| azure_role_name(role(i)).is_some())
        .collect()
}

/// What one scope answered.
#[derive(Default)]
struct ScopeRead {
    assignments: Vec<ArmRoleAssignment>,
    eligible: Vec<ArmScheduleInstance>,
    active: Vec<ArmScheduleInstance>,
    settings: Vec<ArmPolicyAssignment>,
    failures: Vec<ScopeFailure>,
}

async fn read_scope(client: &GraphClient, scope: &str, below: bool) -> ScopeRead {
    // At a subscription, unfiltered lists include resource groups and resources below it;
    // at a management group, `atScope()` keeps the group and above (its subscriptions are
    // read on their own).
    let filter = if below { "" } else { "&$filter=atScope()" };
    let assignments = format!(
        "{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={ROLE_ASSIGNMENTS_API}{filter}"
    );
    let eligible = format!(
        "{scope}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?api-version={PIM_API}{filter}"
    );
    let active = format!(
        "{scope}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version={PIM_API}{filter}"
    );
    let settings = pimready_core::snapshot::AZURE_PRIVILEGED_ROLES.map(|(role, _)| {
        format!(
            "{scope}/providers/Microsoft.Authorization/roleManagementPolicyAssignments?api-version={PIM_API}&$filter=roleDefinitionId eq '{scope}/providers/Microsoft.Authorization/roleDefinitions/{role}'"
        )
    });
    let (a, e, s) = futures::join!(
        list::<ArmRoleAssignment>(client, &assignments),
        list::<ArmScheduleInstance>(client, &eligible),
        list::<ArmScheduleInstance>(client, &active),
    );
    let policies = futures::future::join_all(
        settings
            .iter()
            .map(|p| list::<ArmPolicyAssignment>(client, p)),
    )
    .await;
    let mut read = ScopeRead::default();
    match a {
        Ok(v) => read.assignments = privileged(v, |a| &a.properties.role_definition_id),
        Err(error) => read.failures.push(ScopeFailure {
            dataset: Dataset::AzureRoleAssignments,
            error,
        }),
    }
    match e {
        Ok(v) => read.eligible = privileged(v, |i| &i.properties.role_definition_id),
        Err(error) => read.failures.push(ScopeFailure {
            dataset: Dataset::AzureRoleSchedules,
            error,
        }),
    }
    match s {
        Ok(v) => read.active = privileged(v, |i| &i.properties.role_definition_id),
        Err(error) => read.failures.push(ScopeFailure {
            dataset: Dataset::AzureRoleSchedules,
            error,
        }),
    }
    for p in policies {
        match p {
            Ok(v) => read
                .settings
                .extend(privileged(v, |p| &p.properties.role_definition_id)),
            Err(error) => read.failures.push(ScopeFailure {
                dataset: Dataset::AzureRoleSettings,
                error,
            }),
        }
    }
    read
}

fn push_unique<T>(into: &mut Vec<T>, items: Vec<T>, id: impl Fn(&T) -> &str) {
    for item in items {
        if !into.iter().any(|o| id(o).eq_ignore_ascii_case(id(&item))) {
            into.push(item);
        }
    }
}

/// Reads Azure resources. Returns what was read and the gaps; never fails. `graph` looks up
/// the Graph records (user type, UPN) of the users ARM names that are not in `known` (the
/// Entra snapshot's principals, lowercased ids).
pub async fn collect_azure(
    source: &ArmSource,
    graph: Option<&GraphClient>,
    known: &BTreeSet<String>,
) -> (AzureSnapshot, Vec<Gap>) {
    let host = &source.host;
    let mut azure = AzureSnapshot {
        arm_host: host.host(),
        ..AzureSnapshot::default()
    };
    let mut gaps: Vec<Gap> = Vec::new();
    let client = match arm_client(source).await {
        Ok(c) => c,
        Err(e) => {
            return (
                azure,
                Dataset::AZURE.iter().map(|d| gap(*d, &e, host)).collect(),
            );
        }
    };

    let subscriptions = format!("/subscriptions?api-version={SUBSCRIPTIONS_API}");
    let groups = format!(
        "/providers/Microsoft.Management/managementGroups?api-version={MANAGEMENT_GROUPS_API}"
    );
    let root = format!(
        "/providers/Microsoft.Authorization/roleAssignments?api-version={ROLE_ASSIGNMENTS_API}&$filter=atScope()"
    );
    let (subs, mgs, root) = futures::join!(
        list::<AzureSubscription>(&client, &subscriptions),
        list::<ManagementGroup>(&client, &groups),
        list::<ArmRoleAssignment>(&client, &root),
    );
    match root {
        Ok(v) => {
            azure.root_assignments = Some(
                v.into_iter()
                    .filter(|a| a.properties.scope.trim_end_matches('/').is_empty())
                    .collect(),
            );
        }
        Err(e) => gaps.push(gap(Dataset::AzureRootScope, &e, host)),
    }
    let (mut subs, mut mgs) = match (subs, mgs) {
        (Ok(s), Ok(m)) => (s, m),
        (Err(e), _) | (_, Err(e)) => {
            gaps.extend(
                [
                    Dataset::AzureSubscriptions,
                    Dataset::AzureRoleAssignments,
                    Dataset::AzureRoleSchedules,
                    Dataset::AzureRoleSettings,
                ]
                .iter()
                .map(|d| gap(*d, &e, host)),
            );
            azure.requests = client.counters().requests;
            return (azure, gaps);
        }
    };
    // Ids go into request paths: only GUID subscription ids and plain group names.
    subs.retain(|s| is_guid(&s.subscription_id));
    mgs.retain(|g| {
        !g.name.is_empty()
            && g.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
    });

    let read = read_scopes(&client, &mut subs, &mut mgs).await;
    keep_complete_datasets(&mut azure, read, &mut gaps, host);
    if let Some(graph) = graph {
        azure.principals = arm_only_users(graph, &azure, known).await;
    }
    azure.subscriptions = Some(subs);
    azure.management_groups = Some(mgs);
    azure.requests = client.counters().requests;
    (azure, gaps)
}

/// A client for ARM, once the token source has given an ARM token.
async fn arm_client(source: &ArmSource) -> Result<GraphClient, GraphError> {
    if let Err(e) = source.tokens.access_token().await {
        return Err(GraphError {
            status: None,
            code: None,
            kind: GraphErrorKind::Unauthorized,
            detail: e.to_string(),
        });
    }
    GraphClient::new(
        source.host.as_client_host().clone(),
        Arc::clone(&source.tokens),
        source.client.clone(),
    )
}

/// Reads every management group and subscription, each item kept once. A scope that failed
/// is marked unreadable; its failures are returned with the rest.
async fn read_scopes(
    client: &GraphClient,
    subs: &mut [AzureSubscription],
    mgs: &mut [ManagementGroup],
) -> ScopeRead {
    let scopes: Vec<(String, bool)> = mgs
        .iter()
        .map(|g| {
            (
                format!(
                    "/providers/Microsoft.Management/managementGroups/{}",
                    g.name
                ),
                false,
            )
        })
        .chain(
            subs.iter()
                .map(|s| (format!("/subscriptions/{}", s.subscription_id), true)),
        )
        .collect();
    let reads = futures::future::join_all(
        scopes
            .iter()
            .map(|(scope, below)| read_scope(client, scope, *below)),
    )
    .await;

    let mut all = ScopeRead::default();
    for ((scope, _), read) in scopes.iter().zip(reads) {
        let refused = !read.failures.is_empty();
        if refused {
            if let Some(s) = subs
                .iter_mut()
                .find(|s| format!("/subscriptions/{}", s.subscription_id) == *scope)
            {
                s.readable = false;
            }
            if let Some(g) = mgs.iter_mut().find(|g| g.id.eq_ignore_ascii_case(scope)) {
                g.readable = false;
            }
        }
        all.failures.extend(read.failures);
        push_unique(&mut all.assignments, read.assignments, |a| a.id.as_str());
        push_unique(&mut all.eligible, read.eligible, |i| i.id.as_str());
        push_unique(&mut all.active, read.active, |i| i.id.as_str());
        push_unique(&mut all.settings, read.settings, |p| p.id.as_str());
    }
    all
}

/// Stores the datasets every scope could speak for, and a gap for each of the others.
fn keep_complete_datasets(
    azure: &mut AzureSnapshot,
    read: ScopeRead,
    gaps: &mut Vec<Gap>,
    host: &ArmHost,
) {
    // A dataset is a gap when a scope failed for a reason other than a refusal of that one
    // scope (throttling, 5xx, a licence): the scopes that answered cannot speak for it. A
    // scope refused with 403 is marked unreadable instead; the checks name it.
    let mut whole: Vec<Dataset> = Vec::new();
    for ScopeFailure { dataset, error } in &read.failures {
        if error.status != Some(403) && !whole.contains(dataset) {
            whole.push(*dataset);
            gaps.push(gap(*dataset, error, host));
        }
    }
    if !whole.contains(&Dataset::AzureRoleAssignments) {
        azure.role_assignments = Some(read.assignments);
    }
    if !whole.contains(&Dataset::AzureRoleSchedules) {
        azure.eligibility_instances = Some(read.eligible);
        azure.active_instances = Some(read.active);
    }
    if !whole.contains(&Dataset::AzureRoleSettings) {
        azure.role_settings = Some(read.settings);
    }
}

/// Graph records of the users only ARM named (not in `known`), for the guest check, by id.
async fn arm_only_users(
    graph: &GraphClient,
    azure: &AzureSnapshot,
    known: &BTreeSet<String>,
) -> Vec<Principal> {
    let mut ids: Vec<String> = azure
        .role_assignments
        .iter()
        .flatten()
        .map(|a| (&a.properties.principal_id, &a.properties.principal_type))
        .chain(
            azure
                .eligibility_instances
                .iter()
                .flatten()
                .map(|i| (&i.properties.principal_id, &i.properties.principal_type)),
        )
        .chain(
            azure
                .root_assignments
                .iter()
                .flatten()
                .map(|a| (&a.properties.principal_id, &a.properties.principal_type)),
        )
        .filter(|(id, kind)| {
            kind.as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case("User"))
                && is_guid(id)
                && !known.contains(&id.to_ascii_lowercase())
        })
        .map(|(id, _)| id.to_ascii_lowercase())
        .collect();
    ids.sort();
    ids.dedup();
    let urls: Vec<String> = ids
        .iter()
        .map(|id| format!("/users/{id}?$select=id,displayName,userPrincipalName,userType"))
        .collect();
    let mut users = Vec::new();
    for (id, answer) in ids.iter().zip(graph.batch_get(&urls).await) {
        if let Ok(mut v) = answer {
            if let Value::Object(map) = &mut v {
                map.entry("@odata.type")
                    .or_insert_with(|| Value::String("#microsoft.graph.user".to_owned()));
            }
            if let Ok(p) = serde_json::from_value::<Principal>(v)
                && p.id == id.as_str()
            {
                users.push(p);
            }
        }
    }
    users
}
