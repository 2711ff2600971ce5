//! Collection: everything the assessment reads, from Microsoft Graph, into a
//! [`TenantSnapshot`]. All I/O of an assessment happens here.
//!
//! Requests form a small dependency graph, run wave by wave, everything in a wave
//! concurrently:
//! 1. eleven tenant-wide reads (organization, licences, roles, PIM schedules and
//!    policies, access reviews, Conditional Access);
//! 2. the principals named there (holders, eligible holders, approvers) through
//!    `$batch`: details, sign-in activity, role-holding groups with members, owners
//!    and PIM for Groups; principals of unknown type through `directoryObjects/getByIds`,
//!    and, in the same wave, as users (they nearly always are);
//! 3. only if wave 2 found new principals (group members and owners, PIM for Groups
//!    principals, resolved groups and service principals): their details.
//!
//! The request count depends on the privileged population only: the directory is never
//! listed. A dataset that cannot be read becomes a [`Gap`]; only a refused token, an
//! unreachable Graph host or a tenant mismatch fails the whole collection.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::cloud::{Cloud, Endpoints};
use crate::graph::{GraphClient, GraphConfig, GraphCounters, GraphError, GraphErrorKind};
use crate::progress::Progress;
use crate::snapshot::is_guid;
use crate::snapshot::{
    CollectionMeta, Dataset, Gap, GapReason, GroupScheduleInstance, Organization, Principal,
    PrincipalKind, PrivilegedGroup, SignInActivity, TenantSnapshot,
};
use crate::token::{TokenError, TokenSource};

/// What to collect from where.
#[derive(Debug, Clone)]
pub struct CollectConfig {
    /// The tenant asked for: a GUID or a verified domain. Graph must confirm it.
    pub tenant: String,
    pub cloud: Cloud,
    pub endpoints: Endpoints,
    pub graph: GraphConfig,
    /// The time written into the snapshot (passed in so tests are deterministic).
    pub now: fn() -> DateTime<Utc>,
}

impl CollectConfig {
    /// The cloud's own hosts and the default client behaviour.
    pub fn new(tenant: impl Into<String>, cloud: Cloud) -> Self {
        CollectConfig {
            tenant: tenant.into(),
            cloud,
            endpoints: cloud.endpoints(),
            graph: GraphConfig::default(),
            now: Utc::now,
        }
    }
}

/// Why nothing could be collected.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CollectError {
    /// No token, or Graph refused it even after a refresh.
    #[error("Microsoft Graph did not accept the sign-in: {0}")]
    SignIn(String),
    #[error("cannot reach Microsoft Graph at {host}: {detail}")]
    Unreachable { host: String, detail: String },
    /// Graph answered for another tenant than the one asked for.
    #[error("the signed-in account belongs to tenant {found}, not to {asked}")]
    TenantMismatch { asked: String, found: String },
    /// Every tenant-wide read failed (the first failure is named).
    #[error("nothing could be read from Microsoft Graph: {0}")]
    NothingRead(String),
    #[error("{0}")]
    Setup(String),
}

impl CollectError {
    /// A stable name for faces to branch on.
    pub fn kind(&self) -> &'static str {
        match self {
            CollectError::SignIn(_) => "sign_in",
            CollectError::Unreachable { .. } => "unreachable",
            CollectError::TenantMismatch { .. } => "tenant_mismatch",
            CollectError::NothingRead(_) => "nothing_read",
            CollectError::Setup(_) => "setup",
        }
    }
}

impl From<TokenError> for CollectError {
    fn from(e: TokenError) -> Self {
        CollectError::SignIn(e.to_string())
    }
}

/// How a collection went, beyond what the snapshot's metadata holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectStats {
    /// Waves of dependent requests (the longest chain of round trips, counting a
    /// `$batch` and its follow-up pages once).
    pub depth: u32,
    /// HTTP requests sent in each wave.
    pub requests_per_wave: Vec<u32>,
    /// The longest chain of dependent round trips in each wave: pages of one collection
    /// fetched one after another (a `$batch` and its follow-up pages are one chain).
    pub chain_per_wave: Vec<u32>,
    pub counters: GraphCounters,
}

impl CollectStats {
    /// Round trips that had to happen one after another: the latency lower bound of
    /// this collection is this many times the round-trip time.
    pub fn longest_chain(&self) -> u32 {
        self.chain_per_wave.iter().sum()
    }
}

/// The tenant-wide reads of wave 1. Paths exactly as the emulator serves them.
pub const WAVE_1: [(Dataset, &str); 11] = [
    (Dataset::Organization, "/v1.0/organization"),
    (Dataset::SubscribedSkus, "/v1.0/subscribedSkus"),
    (
        Dataset::RoleDefinitions,
        "/v1.0/roleManagement/directory/roleDefinitions",
    ),
    (
        Dataset::RoleAssignments,
        "/v1.0/roleManagement/directory/roleAssignments?$expand=principal",
    ),
    (
        Dataset::RoleAssignmentScheduleInstances,
        "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances",
    ),
    (
        Dataset::RoleAssignmentSchedules,
        "/v1.0/roleManagement/directory/roleAssignmentSchedules",
    ),
    (
        Dataset::RoleEligibilityScheduleInstances,
        "/v1.0/roleManagement/directory/roleEligibilityScheduleInstances",
    ),
    (
        Dataset::RoleEligibilitySchedules,
        "/v1.0/roleManagement/directory/roleEligibilitySchedules",
    ),
    (
        Dataset::RoleManagementPolicies,
        "/v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'&$expand=policy($expand=rules)",
    ),
    (
        Dataset::AccessReviews,
        "/v1.0/identityGovernance/accessReviews/definitions",
    ),
    (
        Dataset::ConditionalAccessPolicies,
        "/v1.0/identity/conditionalAccess/policies",
    ),
];

/// The datasets filled from waves 2 and later.
const PRINCIPAL_DATASETS: [Dataset; 5] = [
    Dataset::PrivilegedPrincipals,
    Dataset::SignInActivity,
    Dataset::PrivilegedGroups,
    Dataset::GroupEligibilityScheduleInstances,
    Dataset::GroupAssignmentScheduleInstances,
];

const USER_SELECT: &str = "id,displayName,userPrincipalName,mail,userType,accountEnabled,onPremisesSyncEnabled,onPremisesImmutableId,assignedLicenses,createdDateTime";
const SERVICE_PRINCIPAL_SELECT: &str = "id,displayName,appId,servicePrincipalType,accountEnabled";
const GROUP_SELECT: &str =
    "id,displayName,isAssignableToRole,securityEnabled,onPremisesSyncEnabled";
const MEMBER_SELECT: &str = "id,displayName,userPrincipalName,userType,onPremisesSyncEnabled,onPremisesImmutableId,assignedLicenses,accountEnabled";
/// `directoryObjects/getByIds` takes at most 1000 ids.
const GET_BY_IDS_LIMIT: usize = 1000;
/// A safety stop: the plan needs three waves; more means the data keeps naming new ids.
const MAX_WAVES: u32 = 6;

/// Collects a snapshot of the tenant. See the module docs.
pub async fn collect_snapshot(
    config: CollectConfig,
    tokens: Arc<dyn TokenSource>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<TenantSnapshot, CollectError> {
    collect_snapshot_with_stats(config, tokens, progress)
        .await
        .map(|(s, _)| s)
}

/// [`collect_snapshot`], also returning how the requests went (depth, per-wave counts).
pub async fn collect_snapshot_with_stats(
    config: CollectConfig,
    tokens: Arc<dyn TokenSource>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<(TenantSnapshot, CollectStats), CollectError> {
    let started = Instant::now();
    let token = tokens.access_token().await?;
    // Read for the report and the tenant fallback only; Graph checks the token itself.
    let claims = crate::auth::jwt::claims(token.secret()).unwrap_or_default();
    let scopes = claims.scopes();
    let token_tenant = claims.tid;
    let client = GraphClient::new(config.endpoints.graph.clone(), tokens, config.graph.clone())
        .map_err(|e| CollectError::Setup(e.detail))?;
    let meta = CollectionMeta {
        collected_at: (config.now)(),
        tool_version: crate::TOOL_VERSION.to_owned(),
        cloud: config.cloud.name(),
        graph_host: client.host().host(),
        requests: 0,
        batched_requests: 0,
        retries: 0,
        duration_ms: 0,
        scopes,
    };
    let mut run = Collection {
        client: &client,
        snapshot: TenantSnapshot::empty(config.tenant.clone(), meta),
        progress,
        stats: CollectStats::default(),
        people: Population::default(),
        failures: HashMap::new(),
    };
    run.wave_1(&config.tenant).await?;
    if run.snapshot.organization.is_none() {
        // Without /organization the tenant cannot be confirmed by Graph: fall back on
        // the token's own tenant claim, and never label a snapshot with a name alone.
        match token_tenant {
            Some(tid)
                if is_guid(config.tenant.trim())
                    && !tid.eq_ignore_ascii_case(config.tenant.trim()) =>
            {
                return Err(CollectError::TenantMismatch {
                    asked: config.tenant.clone(),
                    found: tid,
                });
            }
            Some(tid) => run.snapshot.tenant_id = tid,
            None => {}
        }
    }
    run.later_waves().await;
    let Collection {
        mut snapshot,
        mut stats,
        ..
    } = run;
    stats.counters = client.counters();
    snapshot.meta.requests = stats.counters.requests;
    snapshot.meta.batched_requests = stats.counters.batched_requests;
    snapshot.meta.retries = stats.counters.retries;
    snapshot.meta.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok((snapshot, stats))
}

/// Who the privileged population is, as far as known, and what was asked about them.
#[derive(Debug, Default)]
struct Population {
    kinds: BTreeMap<String, PrincipalKind>,
    /// Ids named by schedules without a type: resolved through getByIds.
    unknown: BTreeSet<String>,
    /// Groups that hold roles (not merely approve): members, owners and PIM for Groups read.
    role_groups: BTreeSet<String>,
    resolved: BTreeSet<String>,
    detailed: BTreeSet<String>,
    signed_in: BTreeSet<String>,
    expanded: BTreeSet<String>,
    /// Ids of unknown type already looked up as users, in the wave that resolves them.
    tried_as_user: BTreeSet<String>,
}

impl Population {
    fn learn(&mut self, id: &str, kind: PrincipalKind) {
        // Ids go into request URLs: only object ids (GUIDs), never arbitrary tenant text.
        if !is_guid(id) {
            return;
        }
        match kind {
            PrincipalKind::Unknown => {
                if !self.kinds.contains_key(id) {
                    self.unknown.insert(id.to_owned());
                }
            }
            kind => {
                self.unknown.remove(id);
                self.kinds.entry(id.to_owned()).or_insert(kind);
            }
        }
    }

    fn of_kind(&self, kind: &PrincipalKind) -> impl Iterator<Item = &String> {
        self.kinds
            .iter()
            .filter(move |(_, k)| *k == kind)
            .map(|(id, _)| id)
    }
}

/// What a wave-2+ `$batch` request is for.
#[derive(Debug, Clone)]
enum Lookup {
    User(String),
    SignIn(String),
    ServicePrincipal(String),
    Group(String),
    Members(String),
    Owners(String),
    GroupEligibility(String),
    GroupAssignment(String),
}

impl Lookup {
    /// The URL inside the `$batch` envelope (spaces encoded: it is not parsed as a URL
    /// before it reaches Graph).
    fn url(&self) -> String {
        match self {
            Lookup::User(id) => format!("/users/{id}?$select={USER_SELECT}"),
            Lookup::SignIn(id) => format!("/users/{id}?$select=id,signInActivity"),
            Lookup::ServicePrincipal(id) => {
                format!("/servicePrincipals/{id}?$select={SERVICE_PRINCIPAL_SELECT}")
            }
            Lookup::Group(id) => format!("/groups/{id}?$select={GROUP_SELECT}"),
            Lookup::Members(id) => format!("/groups/{id}/members?$select={MEMBER_SELECT}"),
            Lookup::Owners(id) => format!("/groups/{id}/owners?$select={MEMBER_SELECT}"),
            Lookup::GroupEligibility(id) => {
                format!(
                    "/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances?$filter=groupId%20eq%20'{id}'"
                )
            }
            Lookup::GroupAssignment(id) => {
                format!(
                    "/identityGovernance/privilegedAccess/group/assignmentScheduleInstances?$filter=groupId%20eq%20'{id}'"
                )
            }
        }
    }

    fn dataset(&self) -> Dataset {
        match self {
            Lookup::User(_) | Lookup::ServicePrincipal(_) => Dataset::PrivilegedPrincipals,
            Lookup::SignIn(_) => Dataset::SignInActivity,
            Lookup::Group(_) | Lookup::Members(_) | Lookup::Owners(_) => Dataset::PrivilegedGroups,
            Lookup::GroupEligibility(_) => Dataset::GroupEligibilityScheduleInstances,
            Lookup::GroupAssignment(_) => Dataset::GroupAssignmentScheduleInstances,
        }
    }

    fn is_collection(&self) -> bool {
        matches!(
            self,
            Lookup::Members(_)
                | Lookup::Owners(_)
                | Lookup::GroupEligibility(_)
                | Lookup::GroupAssignment(_)
        )
    }
}

struct Collection<'a> {
    client: &'a GraphClient,
    snapshot: TenantSnapshot,
    progress: &'a mut (dyn FnMut(Progress) + Send),
    stats: CollectStats,
    people: Population,
    /// The first failure of each wave-2+ dataset (those are read in many requests).
    failures: HashMap<Dataset, GraphError>,
}

impl Collection<'_> {
    async fn wave_1(&mut self, tenant: &str) -> Result<(), CollectError> {
        let before = self.client.counters().requests;
        for (dataset, _) in WAVE_1 {
            (self.progress)(Progress::Started { dataset });
        }
        let client = self.client;
        let mut pending: FuturesUnordered<_> = WAVE_1
            .into_iter()
            .map(|(dataset, path)| async move { (dataset, client.get_collection(path).await) })
            .collect();
        let mut organization_error = None;
        while let Some((dataset, answer)) = pending.next().await {
            match answer {
                Ok(values) => self.store_wave_1(dataset, values),
                Err(e) => {
                    if dataset == Dataset::Organization {
                        organization_error = Some(e.clone());
                    }
                    self.gap(dataset, &e);
                }
            }
        }
        self.stats.depth = 1;
        self.stats
            .requests_per_wave
            .push(self.client.counters().requests - before);
        self.stats
            .chain_per_wave
            .push(self.client.take_longest_chain());

        // Nothing can be read at all: say so instead of returning a snapshot of gaps.
        if let Some(e) = organization_error {
            match e.kind {
                GraphErrorKind::Unauthorized => return Err(CollectError::SignIn(e.detail)),
                GraphErrorKind::Unreachable => {
                    return Err(CollectError::Unreachable {
                        host: self.client.host().to_string(),
                        detail: e.detail,
                    });
                }
                _ => {}
            }
        }
        if WAVE_1.iter().all(|(d, _)| self.snapshot.gap(*d).is_some()) {
            let first = &self.snapshot.gaps[0];
            return Err(CollectError::NothingRead(first.detail.clone()));
        }
        if let Some(org) = &self.snapshot.organization {
            check_tenant(tenant, org)?;
            self.snapshot.tenant_id.clone_from(&org.id);
        }
        Ok(())
    }

    fn store_wave_1(&mut self, dataset: Dataset, values: Vec<Value>) {
        let s = &mut self.snapshot;
        let stored = match dataset {
            Dataset::Organization => parse::<Organization>(dataset, values).and_then(|mut orgs| {
                if orgs.is_empty() {
                    Err(GraphError::other(
                        Some(200),
                        "GET /v1.0/organization: the answer names no organization",
                    ))
                } else {
                    s.organization = Some(orgs.swap_remove(0));
                    Ok(1)
                }
            }),
            Dataset::SubscribedSkus => {
                parse(dataset, values).map(|v| count(&mut s.subscribed_skus, v))
            }
            Dataset::RoleDefinitions => {
                parse(dataset, values).map(|v| count(&mut s.role_definitions, v))
            }
            Dataset::RoleAssignments => {
                parse(dataset, values).map(|v| count(&mut s.role_assignments, v))
            }
            Dataset::RoleAssignmentScheduleInstances => {
                parse(dataset, values).map(|v| count(&mut s.role_assignment_schedule_instances, v))
            }
            Dataset::RoleAssignmentSchedules => {
                parse(dataset, values).map(|v| count(&mut s.role_assignment_schedules, v))
            }
            Dataset::RoleEligibilityScheduleInstances => {
                parse(dataset, values).map(|v| count(&mut s.role_eligibility_schedule_instances, v))
            }
            Dataset::RoleEligibilitySchedules => {
                parse(dataset, values).map(|v| count(&mut s.role_eligibility_schedules, v))
            }
            Dataset::RoleManagementPolicies => {
                parse(dataset, values).map(|v| count(&mut s.role_management_policies, v))
            }
            Dataset::AccessReviews => {
                parse(dataset, values).map(|v| count(&mut s.access_reviews, v))
            }
            Dataset::ConditionalAccessPolicies => {
                parse(dataset, values).map(|v| count(&mut s.conditional_access_policies, v))
            }
            other => unreachable!("{other} is not read in wave 1"),
        };
        match stored {
            Ok(items) => (self.progress)(Progress::Finished { dataset, items }),
            Err(e) => self.gap(dataset, &e),
        }
    }

    /// Who wave 1 named: holders with their type, schedule principals, approvers.
    fn discover_from_wave_1(&mut self) {
        let s = &self.snapshot;
        let people = &mut self.people;
        for a in s.role_assignments.iter().flatten() {
            let kind = a
                .principal
                .as_ref()
                .map_or(PrincipalKind::Unknown, Principal::kind);
            people.learn(&a.principal_id, kind);
        }
        let scheduled = s
            .role_assignment_schedule_instances
            .iter()
            .chain(&s.role_eligibility_schedule_instances)
            .flatten()
            .map(|i| &i.principal_id)
            .chain(
                s.role_assignment_schedules
                    .iter()
                    .chain(&s.role_eligibility_schedules)
                    .flatten()
                    .map(|i| &i.principal_id),
            );
        for id in scheduled {
            people.learn(id, PrincipalKind::Unknown);
        }
        let holders: Vec<String> = people.of_kind(&PrincipalKind::Group).cloned().collect();
        people.role_groups.extend(holders);
        let approvers = s
            .role_management_policies
            .iter()
            .flatten()
            .filter_map(|a| a.policy.as_ref())
            .flat_map(|p| &p.rules)
            .filter_map(|r| r.setting.as_ref())
            .flat_map(|s| &s.approval_stages)
            .flat_map(|st| st.primary_approvers.iter().chain(&st.escalation_approvers));
        for approver in approvers {
            if let Some(id) = &approver.user_id {
                people.learn(id, PrincipalKind::User);
            }
            if let Some(id) = &approver.group_id {
                people.learn(id, PrincipalKind::Group);
            }
        }
    }

    /// Waves 2 and later: look up what the previous wave named, until nothing new is named.
    async fn later_waves(&mut self) {
        for dataset in PRINCIPAL_DATASETS {
            (self.progress)(Progress::Started { dataset });
        }
        // A population read from incomplete sources would let principal checks pass on
        // the part that was read: no principals rather than some.
        if let Some(source) = self.incomplete_population_source() {
            for dataset in PRINCIPAL_DATASETS {
                let detail = format!(
                    "not collected: it depends on {}, which could not be read ({})",
                    source.dataset.as_str(),
                    source.detail
                );
                self.push_gap(Gap {
                    dataset,
                    detail,
                    ..source.clone()
                });
            }
            return;
        }
        self.discover_from_wave_1();
        let mut principals: BTreeMap<String, Principal> = BTreeMap::new();
        let mut sign_ins: BTreeMap<String, SignInActivity> = BTreeMap::new();
        let mut groups: BTreeMap<String, PrivilegedGroup> = BTreeMap::new();
        let mut eligibility: Vec<GroupScheduleInstance> = Vec::new();
        let mut assignment: Vec<GroupScheduleInstance> = Vec::new();

        while self.stats.depth < MAX_WAVES {
            let to_resolve: Vec<String> = self
                .people
                .unknown
                .difference(&self.people.resolved)
                .cloned()
                .collect();
            let mut lookups = self.plan_lookups();
            // Ids named only by schedules are nearly always users: look them up as users
            // while getByIds resolves their type, so they need no wave of their own (a
            // service principal or group answers 404, skipped, and is looked up next wave).
            for id in &to_resolve {
                if self.people.tried_as_user.insert(id.clone()) {
                    lookups.push(Lookup::User(id.clone()));
                    lookups.push(Lookup::SignIn(id.clone()));
                }
            }
            if to_resolve.is_empty() && lookups.is_empty() {
                break;
            }
            let before = self.client.counters().requests;
            let (resolved, answers) = futures::join!(
                resolve(self.client, &to_resolve),
                look_up(self.client, &lookups)
            );
            self.stats.depth += 1;
            self.stats
                .requests_per_wave
                .push(self.client.counters().requests - before);
            self.stats
                .chain_per_wave
                .push(self.client.take_longest_chain());
            self.people.resolved.extend(to_resolve);

            match resolved {
                Ok(objects) => {
                    for p in objects {
                        let kind = p.kind();
                        if kind == PrincipalKind::Group {
                            self.people.role_groups.insert(p.id.clone());
                        }
                        self.people.learn(&p.id, kind);
                    }
                }
                Err(e) => self.fail(Dataset::PrivilegedPrincipals, e),
            }
            for (lookup, answer) in lookups.into_iter().zip(answers) {
                let dataset = lookup.dataset();
                let value = match answer {
                    Ok(v) => v,
                    // A principal deleted since it was named: nothing to read, not a gap.
                    Err(e) if e.kind == GraphErrorKind::NotFound => continue,
                    Err(e) => {
                        self.fail(dataset, e);
                        continue;
                    }
                };
                let owners = matches!(lookup, Lookup::Owners(_));
                let eligible = matches!(lookup, Lookup::GroupEligibility(_));
                let stored = match lookup {
                    Lookup::User(id) => principal(value, &id, "#microsoft.graph.user").map(|p| {
                        principals.insert(id, p);
                    }),
                    Lookup::ServicePrincipal(id) => {
                        principal(value, &id, "#microsoft.graph.servicePrincipal").map(|p| {
                            principals.insert(id, p);
                        })
                    }
                    Lookup::Group(id) => principal(value, &id, "#microsoft.graph.group").map(|p| {
                        if self.people.role_groups.contains(&id) {
                            groups.entry(id.clone()).or_default().group = p.clone();
                        }
                        principals.insert(id, p);
                    }),
                    Lookup::SignIn(id) => sign_in(&value, &id).map(|a| {
                        sign_ins.insert(id, a);
                    }),
                    Lookup::Members(id) | Lookup::Owners(id) => {
                        principals_of(value).map(|list| {
                            for p in &list {
                                // Members and owners of a role-holding group hold its roles.
                                if p.kind() == PrincipalKind::User {
                                    self.people.learn(&p.id, PrincipalKind::User);
                                }
                            }
                            let g = groups.entry(id).or_default();
                            if owners {
                                g.owners = list;
                            } else {
                                g.members = list;
                            }
                        })
                    }
                    Lookup::GroupEligibility(id) | Lookup::GroupAssignment(id) => {
                        let target = if eligible {
                            &mut eligibility
                        } else {
                            &mut assignment
                        };
                        parse::<GroupScheduleInstance>(dataset, value_array(value)).map(|list| {
                            for mut i in list {
                                // PIM for Groups principals are users (a group id answers 404, skipped).
                                if !self.people.kinds.contains_key(&i.principal_id) {
                                    self.people.learn(&i.principal_id, PrincipalKind::User);
                                }
                                if i.group_id.is_empty() {
                                    i.group_id.clone_from(&id);
                                }
                                target.push(i);
                            }
                        })
                    }
                };
                if let Err(e) = stored {
                    self.fail(dataset, e);
                }
            }
        }

        let s = &mut self.snapshot;
        let keep = |failures: &HashMap<Dataset, GraphError>, d: Dataset| !failures.contains_key(&d);
        let f = &self.failures;
        let mut done = Vec::new();
        if keep(f, Dataset::PrivilegedPrincipals) {
            done.push((Dataset::PrivilegedPrincipals, principals.len()));
            s.privileged_principals = Some(principals.into_values().collect());
        }
        if keep(f, Dataset::SignInActivity) {
            done.push((Dataset::SignInActivity, sign_ins.len()));
            s.sign_in_activity = Some(sign_ins.into_values().collect());
        }
        if keep(f, Dataset::PrivilegedGroups) {
            done.push((Dataset::PrivilegedGroups, groups.len()));
            s.privileged_groups = Some(
                groups
                    .into_iter()
                    .map(|(id, mut g)| {
                        if g.group.id.is_empty() {
                            g.group.id = id;
                        }
                        g
                    })
                    .collect(),
            );
        }
        if keep(f, Dataset::GroupEligibilityScheduleInstances) {
            done.push((
                Dataset::GroupEligibilityScheduleInstances,
                eligibility.len(),
            ));
            s.group_eligibility_schedule_instances = Some(eligibility);
        }
        if keep(f, Dataset::GroupAssignmentScheduleInstances) {
            done.push((Dataset::GroupAssignmentScheduleInstances, assignment.len()));
            s.group_assignment_schedule_instances = Some(assignment);
        }
        for (dataset, items) in done {
            (self.progress)(Progress::Finished { dataset, items });
        }
        let mut failures: Vec<(Dataset, GraphError)> =
            std::mem::take(&mut self.failures).into_iter().collect();
        failures.sort_by_key(|(d, _)| *d);
        for (dataset, e) in failures {
            self.gap(dataset, &e);
        }
    }

    /// The `$batch` look-ups the population still needs.
    fn plan_lookups(&mut self) -> Vec<Lookup> {
        let p = &mut self.people;
        let mut lookups = Vec::new();
        for (id, kind) in &p.kinds {
            if *kind == PrincipalKind::User && p.tried_as_user.contains(id) {
                p.detailed.insert(id.clone());
                p.signed_in.insert(id.clone());
                continue;
            }
            if p.detailed.insert(id.clone()) {
                match kind {
                    PrincipalKind::User => lookups.push(Lookup::User(id.clone())),
                    PrincipalKind::ServicePrincipal => {
                        lookups.push(Lookup::ServicePrincipal(id.clone()));
                    }
                    PrincipalKind::Group => lookups.push(Lookup::Group(id.clone())),
                    PrincipalKind::Unknown => {}
                }
            }
            if *kind == PrincipalKind::User && p.signed_in.insert(id.clone()) {
                lookups.push(Lookup::SignIn(id.clone()));
            }
        }
        for id in &p.role_groups {
            if p.expanded.insert(id.clone()) {
                lookups.extend([
                    Lookup::Members(id.clone()),
                    Lookup::Owners(id.clone()),
                    Lookup::GroupEligibility(id.clone()),
                    Lookup::GroupAssignment(id.clone()),
                ]);
            }
        }
        lookups
    }

    fn fail(&mut self, dataset: Dataset, e: GraphError) {
        self.failures.entry(dataset).or_insert(e);
    }

    /// The first source of the privileged population that failed for another reason
    /// than a missing licence (without the licence, that source is empty by nature).
    fn incomplete_population_source(&self) -> Option<Gap> {
        [
            Dataset::RoleAssignments,
            Dataset::RoleAssignmentScheduleInstances,
            Dataset::RoleAssignmentSchedules,
            Dataset::RoleEligibilityScheduleInstances,
            Dataset::RoleEligibilitySchedules,
        ]
        .into_iter()
        .filter_map(|d| self.snapshot.gap(d))
        .find(|g| g.reason != GapReason::NotLicensed)
        .cloned()
    }

    fn gap(&mut self, dataset: Dataset, e: &GraphError) {
        let reason = e.kind.gap_reason();
        self.push_gap(Gap {
            dataset,
            reason,
            detail: e.detail.clone(),
            status: e.status,
            code: e.code.clone(),
            missing_scope: (reason == GapReason::PermissionDenied)
                .then(|| dataset.scope().to_owned()),
        });
    }

    fn push_gap(&mut self, gap: Gap) {
        (self.progress)(Progress::Gap {
            dataset: gap.dataset,
            reason: gap.reason,
            detail: gap.detail.clone(),
        });
        if self.snapshot.gap(gap.dataset).is_none() {
            self.snapshot.gaps.push(gap);
        }
    }
}

async fn look_up(client: &GraphClient, lookups: &[Lookup]) -> Vec<Result<Value, GraphError>> {
    if lookups.is_empty() {
        return Vec::new();
    }
    let urls: Vec<String> = lookups.iter().map(Lookup::url).collect();
    let firsts = client.batch_get(&urls).await;
    let rest = firsts
        .into_iter()
        .zip(lookups)
        .map(|(first, lookup)| async move {
            let first = first?;
            if lookup.is_collection() {
                let what = format!("GET {}", lookup.url().split('?').next().unwrap_or_default());
                client
                    .rest_of_collection(&what, first)
                    .await
                    .map(Value::Array)
            } else {
                Ok(first)
            }
        });
    futures::future::join_all(rest).await
}

async fn resolve(client: &GraphClient, ids: &[String]) -> Result<Vec<Principal>, GraphError> {
    let chunks = ids.chunks(GET_BY_IDS_LIMIT).map(|chunk| {
        let body = json!({ "ids": chunk, "types": ["user", "group", "servicePrincipal"] });
        async move {
            client
                .post_collection("/v1.0/directoryObjects/getByIds", &body)
                .await
        }
    });
    let mut out = Vec::new();
    for answer in futures::future::join_all(chunks).await {
        out.extend(parse::<Principal>(Dataset::PrivilegedPrincipals, answer?)?);
    }
    Ok(out)
}

fn count<T>(slot: &mut Option<Vec<T>>, values: Vec<T>) -> usize {
    let n = values.len();
    *slot = Some(values);
    n
}

/// Typed items; one that does not fit makes the dataset a gap (wrong shape).
fn parse<T: DeserializeOwned>(dataset: Dataset, values: Vec<Value>) -> Result<Vec<T>, GraphError> {
    values
        .into_iter()
        .map(serde_json::from_value)
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| {
            GraphError::other(
                Some(200),
                format!("{}: an item has an unexpected shape ({e})", dataset.label()),
            )
        })
}

fn value_array(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        _ => Vec::new(),
    }
}

fn principal(value: Value, id: &str, odata_type: &str) -> Result<Principal, GraphError> {
    let mut p: Principal = serde_json::from_value(value).map_err(|e| {
        GraphError::other(
            Some(200),
            format!("directory object {id}: unexpected shape ({e})"),
        )
    })?;
    if p.id.is_empty() {
        id.clone_into(&mut p.id);
    }
    if p.odata_type.is_none() {
        p.odata_type = Some(odata_type.to_owned());
    }
    Ok(p)
}

fn principals_of(value: Value) -> Result<Vec<Principal>, GraphError> {
    parse(Dataset::PrivilegedGroups, value_array(value))
}

fn sign_in(value: &Value, id: &str) -> Result<SignInActivity, GraphError> {
    let mut activity = match value.get("signInActivity") {
        None | Some(Value::Null) => SignInActivity::default(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            GraphError::other(
                Some(200),
                format!("signInActivity of {id}: unexpected shape ({e})"),
            )
        })?,
    };
    id.clone_into(&mut activity.user_id);
    Ok(activity)
}

/// The organization Graph answered for must be the tenant asked for.
fn check_tenant(asked: &str, org: &Organization) -> Result<(), CollectError> {
    let asked = asked.trim();
    let matches = if is_guid(asked) {
        org.id.eq_ignore_ascii_case(asked)
    } else {
        org.verified_domains
            .iter()
            .any(|d| d.name.eq_ignore_ascii_case(asked))
    };
    if matches {
        Ok(())
    } else {
        Err(CollectError::TenantMismatch {
            asked: asked.to_owned(),
            found: org
                .default_domain()
                .map_or_else(|| org.id.clone(), |d| format!("{} ({d})", org.id)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::VerifiedDomain;

    #[test]
    fn tenant_check() {
        let org = Organization {
            id: "0a1b2c3d-0000-4000-8000-000000000001".into(),
            display_name: Some("Contoso".into()),
            verified_domains: vec![VerifiedDomain {
                name: "contoso.com".into(),
                is_default: true,
                is_initial: false,
            }],
        };
        let check =
            |asked: &str, ok: bool| assert_eq!(check_tenant(asked, &org).is_ok(), ok, "{asked}");
        check("0a1b2c3d-0000-4000-8000-000000000001", true);
        check("0A1B2C3D-0000-4000-8000-000000000001", true);
        check("0a1b2c3d-0000-4000-8000-000000000002", false);
        check("contoso.com", true);
        check("Contoso.COM", true);
        check("fabrikam.com", false);
        check("contoso.com.evil", false);
    }

    #[test]
    fn scopes_from_token() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jwt = format!(
            "{}.{}.sig",
            b64("{}"),
            b64(r#"{"scp":"User.Read.All Directory.Read.All"}"#)
        );
        let scopes = |t: &str| crate::auth::jwt::claims(t).unwrap_or_default().scopes();
        assert_eq!(scopes(&jwt), ["Directory.Read.All", "User.Read.All"]);
        assert!(scopes("opaque-token").is_empty());
        assert!(scopes("a.!!!.c").is_empty());
    }

    #[test]
    fn the_collection_future_is_send() {
        // Faces spawn it on a runtime (tokio::spawn, a Tauri command).
        fn assert_send<T: Send>(_: &T) {}
        let mut sink = |_: Progress| {};
        let tokens: Arc<dyn TokenSource> = Arc::new(crate::token::StaticToken(
            crate::token::AccessToken::new("t"),
        ));
        let future = collect_snapshot(
            CollectConfig::new("contoso.com", Cloud::Global),
            tokens,
            &mut sink,
        );
        assert_send(&future);
    }

    #[test]
    fn only_object_ids_are_looked_up() {
        let mut p = Population::default();
        let guid = "0a1b2c3d-0000-4000-8000-000000000001";
        for id in [
            "",
            "../../me",
            "x?$select=*",
            "0a1b2c3d-0000-4000-8000-00000000000Z",
            guid,
        ] {
            p.learn(id, PrincipalKind::User);
            p.learn(id, PrincipalKind::Unknown);
        }
        assert_eq!(p.kinds.keys().collect::<Vec<_>>(), [guid]);
        assert!(p.unknown.is_empty());
    }

    #[test]
    fn lookups_name_exact_paths() {
        let id = "u1";
        assert_eq!(
            Lookup::SignIn(id.into()).url(),
            "/users/u1?$select=id,signInActivity"
        );
        assert_eq!(
            Lookup::GroupEligibility("g1".into()).url(),
            "/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances?$filter=groupId%20eq%20'g1'"
        );
        assert_eq!(
            Lookup::Members("g1".into()).dataset(),
            Dataset::PrivilegedGroups
        );
    }
}
