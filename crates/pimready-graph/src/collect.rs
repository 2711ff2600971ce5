//! Collection: everything the assessment reads, from Microsoft Graph, into a
//! [`TenantSnapshot`]. All I/O of an assessment happens here.
//!
//! Requests form a small dependency graph in waves (generations):
//! 1. eleven tenant-wide reads (organization, licences, roles, PIM schedules and
//!    policies, access reviews, Conditional Access), all at once, each page after the
//!    one before;
//! 2. the principals named there (holders, eligible holders, approvers) through
//!    `$batch`: details, sign-in activity, role-holding groups with members, owners
//!    and PIM for Groups. Every read that names a holder expands it
//!    (`$expand=principal`), so its type is known; one Graph did not type is looked up
//!    as a user, a group and a service principal (two of the three answer 404).
//!    `directoryObjects/getByIds` is never used: it needs `Directory.Read.All`;
//! 3. only if wave 2 found new principals (group members and owners, PIM for Groups
//!    principals, resolved groups and service principals): their details.
//!
//! Wave 2 does not wait for wave 1: a page's principals are looked up as soon as the
//! page arrives, in full `$batch` requests of 20, while later pages are still coming;
//! the short rest goes when the reads are done. What wave 2 looks up is decided page by
//! page from that page alone, and answers are kept by id, so the requests and the
//! snapshot do not depend on the order answers arrive in. Nothing is looked up before
//! Graph has confirmed the tenant.
//!
//! The request count depends on the privileged population only: the directory is never
//! listed. A dataset that cannot be read becomes a [`Gap`]; only a refused token, an
//! unreachable Graph host or a tenant mismatch fails the whole collection. A look-up of
//! one principal that Graph refuses (403) loses that principal only: it is kept by id
//! and type as an unknown principal ([`Principal::is_unknown`]), as are the objects Graph
//! answers with limited information (id and type only), and every other answer is kept.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::client::{
    BATCH_LIMIT, GraphClient, GraphConfig, GraphCounters, GraphError, GraphErrorKind,
};
use crate::progress::Progress;
use crate::token::{TokenError, TokenSource};
use pimready_core::cloud::{Cloud, Endpoints};
use pimready_core::snapshot::{
    CollectionMeta, Dataset, Gap, GapReason, GroupScheduleInstance, Organization, Principal,
    PrincipalKind, PrivilegedGroup, SignInActivity, TenantSnapshot,
};
use pimready_core::snapshot::{ObjectId, is_guid};

/// What to collect from where.
#[derive(Debug, Clone)]
pub struct CollectConfig {
    /// The tenant asked for: a GUID or a verified domain. Graph must confirm it.
    pub tenant: String,
    pub cloud: Cloud,
    pub endpoints: Endpoints,
    pub graph: GraphConfig,
    /// Azure Resource Manager and its token: when set, Azure resources are read after Graph
    /// (see [`crate::arm`]); when not, the snapshot has no Azure part.
    pub arm: Option<crate::arm::ArmSource>,
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
            arm: None,
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

pimready_core::error_kind!(
    /// The stable kind of a [`CollectError`].
    CollectErrorKind {
        SignIn => "sign_in",
        Unreachable => "unreachable",
        TenantMismatch => "tenant_mismatch",
        NothingRead => "nothing_read",
        Setup => "setup",
    }
);

impl CollectError {
    /// A stable name for faces to branch on.
    pub fn kind(&self) -> CollectErrorKind {
        match self {
            CollectError::SignIn(_) => CollectErrorKind::SignIn,
            CollectError::Unreachable { .. } => CollectErrorKind::Unreachable,
            CollectError::TenantMismatch { .. } => CollectErrorKind::TenantMismatch,
            CollectError::NothingRead(_) => CollectErrorKind::NothingRead,
            CollectError::Setup(_) => CollectErrorKind::Setup,
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
    /// Waves (generations) of requests: 1 the tenant-wide reads, 2 the look-ups they
    /// name, 3 the look-ups named by the answers of 2.
    pub depth: u32,
    /// HTTP requests each wave sent (pages and `$batch` envelopes; retries and throttled
    /// `$batch` requests split in smaller ones not counted).
    pub requests_per_wave: Vec<u32>,
    /// Round trips each wave adds to the longest chain of requests that waited for one
    /// another. A request waits for the answer that named what it asks for (a page for
    /// the next page, a page for the look-ups of its principals); a short `$batch` and
    /// getByIds also wait for the end of the wave before, which decides what they hold.
    /// Waves overlap, so a wave adds only the round trips by which its deepest request
    /// goes beyond the waves before (wave 2 of a tenant whose role assignments take three
    /// pages: look-ups of the last page, one round trip after it).
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
        "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances?$expand=principal",
    ),
    (
        Dataset::RoleAssignmentSchedules,
        "/v1.0/roleManagement/directory/roleAssignmentSchedules?$expand=principal",
    ),
    (
        Dataset::RoleEligibilityScheduleInstances,
        "/v1.0/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal",
    ),
    (
        Dataset::RoleEligibilitySchedules,
        "/v1.0/roleManagement/directory/roleEligibilitySchedules?$expand=principal",
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
    let client = Arc::new(client);
    let meta = CollectionMeta {
        collected_at: (config.now)(),
        tool_version: pimready_core::TOOL_VERSION.to_owned(),
        cloud: config.cloud,
        graph_host: client.host().host(),
        requests: 0,
        batched_requests: 0,
        retries: 0,
        duration_ms: 0,
        scopes,
    };
    let (events, received) = mpsc::unbounded_channel();
    let mut run = Collection {
        client: Arc::clone(&client),
        events,
        tasks: JoinSet::new(),
        stops: HashMap::new(),
        tenant: config.tenant.clone(),
        token_tenant,
        snapshot: TenantSnapshot::empty(config.tenant.clone(), meta),
        progress,
        people: Population::default(),
        generations: vec![Generation::default(); MAX_WAVES as usize + 1],
        reading: BTreeSet::new(),
        answers: Answers::default(),
        failures: HashMap::new(),
        tenant_confirmed: false,
        stopped: false,
    };
    run.run(received).await?;
    let stats = run.stats();
    let Collection { mut snapshot, .. } = run;
    if let Some(arm) = &config.arm {
        let known: BTreeSet<String> = snapshot
            .privileged_principals
            .iter()
            .flatten()
            .map(|p| p.id.to_ascii_lowercase())
            .collect();
        let (azure, gaps) = crate::arm::collect_azure(arm, Some(&client), &known).await;
        snapshot.azure = Some(azure);
        for gap in gaps {
            if snapshot.gap(gap.dataset).is_none() {
                snapshot.gaps.push(gap);
            }
        }
    }
    let mut stats = stats;
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
    /// Types named by the reads (`$expand=principal`), approvers and typed look-ups.
    kinds: BTreeMap<String, PrincipalKind>,
    /// Ids named without a type: looked up as each type when the reads are done, unless
    /// another read or an approver rule names their type.
    named: BTreeSet<String>,
    /// Ids being looked up as each type: the answer that is not 404 says what it is.
    probing: BTreeSet<String>,
    /// Groups that hold roles (not merely approve): members, owners and PIM for Groups read.
    role_groups: BTreeSet<String>,
    /// Every look-up planned so far: none is made twice.
    planned: BTreeSet<Lookup>,
}

impl Population {
    /// Ids go into request URLs: only object ids (GUIDs), never arbitrary tenant text.
    fn learn(&mut self, id: &str, kind: PrincipalKind) -> bool {
        if !is_guid(id) {
            return false;
        }
        if kind != PrincipalKind::Unknown {
            self.kinds.entry(id.to_owned()).or_insert(kind);
        }
        true
    }

    /// The look-ups a principal of this kind needs.
    fn lookups_for(&self, id: &str, kind: &PrincipalKind) -> Vec<Lookup> {
        let id = id.to_owned();
        match kind {
            PrincipalKind::User => vec![Lookup::User(id.clone()), Lookup::SignIn(id)],
            PrincipalKind::ServicePrincipal => vec![Lookup::ServicePrincipal(id)],
            PrincipalKind::Group if self.role_groups.contains(&id) => vec![
                Lookup::Group(id.clone()),
                Lookup::Members(id.clone()),
                Lookup::Owners(id.clone()),
                Lookup::GroupEligibility(id.clone()),
                Lookup::GroupAssignment(id),
            ],
            PrincipalKind::Group => vec![Lookup::Group(id)],
            PrincipalKind::Unknown => Vec::new(),
        }
    }
}

/// What a `$batch` request of wave 2 or later is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lookup {
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
    pub fn url(&self) -> String {
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

    pub fn dataset(&self) -> Dataset {
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

/// One generation of requests: 1 is the tenant-wide reads with all their pages, 2 the
/// look-ups their items name, 3 the look-ups named by the answers of 2, and so on.
#[derive(Debug, Clone, Default)]
struct Generation {
    /// Planned look-ups not sent yet, each with the round trips it waited for (the
    /// depth of the answer that made it known).
    pool: Vec<(Lookup, u32)>,
    /// Requests sent, not answered yet.
    in_flight: u32,
    /// No more look-ups will be planned for it: a short `$batch` may go.
    closed: bool,
    /// Closed, sent and answered.
    complete: bool,
    /// HTTP requests it sent: pages and `$batch` envelopes (retries not counted).
    requests: u32,
    /// Round trips from the start of the collection to its deepest answer.
    deepest: u32,
}

/// What a request in flight comes back with.
enum Event {
    /// A page of a tenant-wide read; `more` when the next one is on its way.
    Page {
        dataset: Dataset,
        depth: u32,
        items: Result<Vec<Value>, GraphError>,
        more: bool,
    },
    /// A `$batch` of look-ups: one answer per look-up, with the pages a collection took.
    Batch {
        generation: usize,
        depth: u32,
        lookups: Vec<Lookup>,
        answers: Vec<Result<(Value, u32), GraphError>>,
    },
}

/// The answers of generations 2 and later, kept by id so that their order of arrival
/// does not show in the snapshot.
#[derive(Debug, Default)]
struct Answers {
    principals: BTreeMap<String, Principal>,
    sign_ins: BTreeMap<String, SignInActivity>,
    groups: BTreeMap<String, PrivilegedGroup>,
    eligibility: Vec<GroupScheduleInstance>,
    assignment: Vec<GroupScheduleInstance>,
    /// Types the look-ups of untyped ids found, learnt when their generation is complete.
    resolved: Vec<(String, PrincipalKind)>,
    /// Users an answer named (members, owners; PIM for Groups principals with `true`:
    /// users unless their type is known), learnt when their generation is complete so
    /// that the next plan does not depend on which answer came first.
    users: Vec<(String, bool)>,
}

struct Collection<'a> {
    client: Arc<GraphClient>,
    /// Requests run as tasks of their own (aborted if the collection is dropped) and
    /// report here: a read's next page leaves as soon as its page is in, however busy
    /// the collector is with other answers.
    events: mpsc::UnboundedSender<Event>,
    tasks: JoinSet<()>,
    /// Set when a tenant-wide read failed: its task stops paging.
    stops: HashMap<Dataset, Arc<AtomicBool>>,
    /// The tenant asked for, and the one the token names (the fallback check).
    tenant: String,
    token_tenant: Option<String>,
    snapshot: TenantSnapshot,
    progress: &'a mut (dyn FnMut(Progress) + Send),
    people: Population,
    /// Indexed by generation (0 unused).
    generations: Vec<Generation>,
    /// Tenant-wide reads still paging.
    reading: BTreeSet<Dataset>,
    answers: Answers,
    /// The first failure of each dataset of generation 2 and later (read in many requests).
    failures: HashMap<Dataset, GraphError>,
    /// Graph confirmed the tenant: look-ups may go.
    tenant_confirmed: bool,
    /// A source of the population could not be read: nothing more is looked up.
    stopped: bool,
}

impl Collection<'_> {
    /// Every tenant-wide read at once; look-ups as soon as a page names them (full
    /// `$batch` requests of 20 at once, the short rest when the generation closes).
    async fn run(
        &mut self,
        mut received: mpsc::UnboundedReceiver<Event>,
    ) -> Result<(), CollectError> {
        for (dataset, _) in WAVE_1 {
            (self.progress)(Progress::Started { dataset });
        }
        for dataset in PRINCIPAL_DATASETS {
            (self.progress)(Progress::Started { dataset });
        }
        for (dataset, path) in WAVE_1 {
            self.reading.insert(dataset);
            self.sent(1);
            let stop = Arc::new(AtomicBool::new(false));
            self.stops.insert(dataset, Arc::clone(&stop));
            let client = Arc::clone(&self.client);
            let events = self.events.clone();
            self.tasks.spawn(async move {
                let mut page = client.first_page(path).await;
                let mut depth = 1;
                loop {
                    let (items, next) = match page {
                        Ok(p) => (Ok(p.items), p.next),
                        Err(e) => (Err(e), None),
                    };
                    let next = next.filter(|_| !stop.load(Ordering::Relaxed));
                    let more = next.is_some();
                    let event = Event::Page {
                        dataset,
                        depth,
                        items,
                        more,
                    };
                    if events.send(event).is_err() {
                        return;
                    }
                    let Some(next) = next else { return };
                    depth += 1;
                    page = client.next_page(next).await;
                }
            });
        }
        self.generations[1].closed = true;
        loop {
            let event = tokio::select! {
                Some(event) = received.recv() => event,
                Some(joined) = self.tasks.join_next() => {
                    // A task that panicked would never report: panic here instead of waiting.
                    if let Err(e) = joined
                        && e.is_panic()
                    {
                        std::panic::resume_unwind(e.into_panic());
                    }
                    continue;
                }
            };
            match event {
                Event::Page {
                    dataset,
                    depth,
                    items,
                    more,
                } => self.on_page(dataset, depth, items, more)?,
                Event::Batch {
                    generation,
                    depth,
                    lookups,
                    answers,
                } => self.on_batch(generation, depth, lookups, answers),
            }
            self.advance()?;
            if self.stopped || self.idle() {
                break;
            }
        }
        if !self.stopped {
            self.finish();
        }
        Ok(())
    }

    /// Nothing is being read or looked up.
    fn idle(&self) -> bool {
        self.reading.is_empty() && self.generations.iter().all(|g| g.in_flight == 0)
    }

    fn sent(&mut self, generation: usize) {
        let g = &mut self.generations[generation];
        g.in_flight += 1;
        g.requests += 1;
    }

    fn answered(&mut self, generation: usize, depth: u32) {
        let g = &mut self.generations[generation];
        g.in_flight = g.in_flight.saturating_sub(1);
        g.deepest = g.deepest.max(depth);
    }

    /// Round trips, one after another, to the deepest answer of `generation` or before.
    fn depth_through(&self, generation: usize) -> u32 {
        self.generations[..=generation]
            .iter()
            .map(|g| g.deepest)
            .max()
            .unwrap_or(0)
    }

    fn on_page(
        &mut self,
        dataset: Dataset,
        depth: u32,
        items: Result<Vec<Value>, GraphError>,
        more: bool,
    ) -> Result<(), CollectError> {
        self.answered(1, depth);
        if more {
            // Its task is already asking for the next page.
            self.sent(1);
        }
        if !self.reading.contains(&dataset) {
            // Already failed: later pages are dropped.
            return Ok(());
        }
        let items = match items {
            Ok(items) => items,
            Err(e) => {
                if dataset == Dataset::Organization {
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
                self.read_failed(dataset, &e);
                return Ok(());
            }
        };
        let start = match self.store_page(dataset, items) {
            Ok(start) => start,
            Err(e) => {
                self.read_failed(dataset, &e);
                return Ok(());
            }
        };
        if !more {
            self.read_finished(dataset)?;
        }
        self.name_from_page(dataset, start, depth);
        Ok(())
    }

    /// Appends a page's items to the dataset; returns the index of the first new one.
    fn store_page(&mut self, dataset: Dataset, values: Vec<Value>) -> Result<usize, GraphError> {
        fn add<T: DeserializeOwned>(
            slot: &mut Option<Vec<T>>,
            dataset: Dataset,
            values: Vec<Value>,
        ) -> Result<usize, GraphError> {
            let items = parse(dataset, values)?;
            let all = slot.get_or_insert_with(Vec::new);
            let start = all.len();
            all.extend(items);
            Ok(start)
        }
        let s = &mut self.snapshot;
        match dataset {
            Dataset::Organization => {
                let mut orgs = parse::<Organization>(dataset, values)?;
                if s.organization.is_none() && !orgs.is_empty() {
                    s.organization = Some(orgs.swap_remove(0));
                }
                Ok(0)
            }
            Dataset::SubscribedSkus => add(&mut s.subscribed_skus, dataset, values),
            Dataset::RoleDefinitions => add(&mut s.role_definitions, dataset, values),
            Dataset::RoleAssignments => add(&mut s.role_assignments, dataset, values),
            Dataset::RoleAssignmentScheduleInstances => {
                add(&mut s.role_assignment_schedule_instances, dataset, values)
            }
            Dataset::RoleAssignmentSchedules => {
                add(&mut s.role_assignment_schedules, dataset, values)
            }
            Dataset::RoleEligibilityScheduleInstances => {
                add(&mut s.role_eligibility_schedule_instances, dataset, values)
            }
            Dataset::RoleEligibilitySchedules => {
                add(&mut s.role_eligibility_schedules, dataset, values)
            }
            Dataset::RoleManagementPolicies => {
                add(&mut s.role_management_policies, dataset, values)
            }
            Dataset::AccessReviews => add(&mut s.access_reviews, dataset, values),
            Dataset::ConditionalAccessPolicies => {
                add(&mut s.conditional_access_policies, dataset, values)
            }
            other => unreachable!("{other} is not read in wave 1"),
        }
    }

    /// A tenant-wide read failed: what it had read is dropped, the dataset is a gap.
    fn read_failed(&mut self, dataset: Dataset, e: &GraphError) {
        self.reading.remove(&dataset);
        if let Some(stop) = self.stops.get(&dataset) {
            stop.store(true, Ordering::Relaxed);
        }
        // Only tenant-wide reads get here (`reading` holds nothing else).
        self.snapshot.forget(dataset);
        self.gap(dataset, e);
    }

    /// A tenant-wide read has its last page.
    fn read_finished(&mut self, dataset: Dataset) -> Result<(), CollectError> {
        self.reading.remove(&dataset);
        let s = &self.snapshot;
        let items = match dataset {
            Dataset::Organization => {
                let Some(org) = &s.organization else {
                    let e = GraphError::other(
                        Some(200),
                        "GET /v1.0/organization: the answer names no organization",
                    );
                    self.gap(dataset, &e);
                    return Ok(());
                };
                check_tenant(&self.tenant, org)?;
                let id = org.id.clone();
                self.snapshot.tenant_id = id;
                self.tenant_confirmed = true;
                1
            }
            Dataset::SubscribedSkus => s.subscribed_skus.as_ref().map_or(0, Vec::len),
            Dataset::RoleDefinitions => s.role_definitions.as_ref().map_or(0, Vec::len),
            Dataset::RoleAssignments => s.role_assignments.as_ref().map_or(0, Vec::len),
            Dataset::RoleAssignmentScheduleInstances => s
                .role_assignment_schedule_instances
                .as_ref()
                .map_or(0, Vec::len),
            Dataset::RoleAssignmentSchedules => {
                s.role_assignment_schedules.as_ref().map_or(0, Vec::len)
            }
            Dataset::RoleEligibilityScheduleInstances => s
                .role_eligibility_schedule_instances
                .as_ref()
                .map_or(0, Vec::len),
            Dataset::RoleEligibilitySchedules => {
                s.role_eligibility_schedules.as_ref().map_or(0, Vec::len)
            }
            Dataset::RoleManagementPolicies => {
                s.role_management_policies.as_ref().map_or(0, Vec::len)
            }
            Dataset::AccessReviews => s.access_reviews.as_ref().map_or(0, Vec::len),
            Dataset::ConditionalAccessPolicies => {
                s.conditional_access_policies.as_ref().map_or(0, Vec::len)
            }
            _ => 0,
        };
        (self.progress)(Progress::Finished { dataset, items });
        Ok(())
    }

    /// Plans the look-ups a page's items name. Each is decided from the page alone, so
    /// the look-ups of generation 2 do not depend on which page came first:
    /// - an assignment, eligibility or schedule names its holder with its type
    ///   (`$expand=principal`); a group holding a role is read with its members;
    /// - an approver rule names a user or a group;
    /// - a holder Graph did not type (no expansion, or a type PIM Ready does not read) is
    ///   looked up as each type when the reads are done, unless typed elsewhere.
    fn name_from_page(&mut self, dataset: Dataset, start: usize, depth: u32) {
        fn holders<'p, T: 'p>(
            all: Option<&'p [T]>,
            start: usize,
            of: impl Fn(&'p T) -> (&'p ObjectId, Option<&'p Principal>),
        ) -> Vec<(String, PrincipalKind)> {
            all.unwrap_or_default()
                .get(start..)
                .unwrap_or_default()
                .iter()
                .map(|item| {
                    let (id, principal) = of(item);
                    (
                        id.to_string(),
                        principal.map_or(PrincipalKind::Unknown, Principal::kind),
                    )
                })
                .collect()
        }
        let s = &self.snapshot;
        let mut approvers: Vec<(String, PrincipalKind)> = Vec::new();
        let named = match dataset {
            Dataset::RoleAssignments => holders(s.role_assignments.as_deref(), start, |a| {
                (&a.principal_id, a.principal.as_ref())
            }),
            Dataset::RoleEligibilityScheduleInstances => holders(
                s.role_eligibility_schedule_instances.as_deref(),
                start,
                |i| (&i.principal_id, i.principal.as_ref()),
            ),
            Dataset::RoleAssignmentScheduleInstances => holders(
                s.role_assignment_schedule_instances.as_deref(),
                start,
                |i| (&i.principal_id, i.principal.as_ref()),
            ),
            Dataset::RoleEligibilitySchedules => {
                holders(s.role_eligibility_schedules.as_deref(), start, |i| {
                    (&i.principal_id, i.principal.as_ref())
                })
            }
            Dataset::RoleAssignmentSchedules => {
                holders(s.role_assignment_schedules.as_deref(), start, |i| {
                    (&i.principal_id, i.principal.as_ref())
                })
            }
            Dataset::RoleManagementPolicies => {
                let all = s.role_management_policies.as_deref().unwrap_or_default();
                let stages = all
                    .get(start..)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|a| a.policy.as_ref())
                    .flat_map(|p| &p.rules)
                    .filter_map(|r| r.setting.as_ref())
                    .flat_map(|s| &s.approval_stages);
                for approver in stages
                    .flat_map(|st| st.primary_approvers.iter().chain(&st.escalation_approvers))
                {
                    if let Some(id) = &approver.user_id {
                        approvers.push((id.to_string(), PrincipalKind::User));
                    }
                    if let Some(id) = &approver.group_id {
                        approvers.push((id.to_string(), PrincipalKind::Group));
                    }
                }
                Vec::new()
            }
            _ => Vec::new(),
        };
        for (id, kind) in named {
            if !self.people.learn(&id, kind.clone()) {
                continue;
            }
            if kind == PrincipalKind::Unknown {
                self.people.named.insert(id);
                continue;
            }
            // Groups holding a role: their members and owners hold it too.
            if kind == PrincipalKind::Group {
                self.people.role_groups.insert(id.clone());
            }
            self.plan_principal(2, &id, &kind, depth);
        }
        for (id, kind) in approvers {
            if self.people.learn(&id, kind.clone()) {
                self.plan_principal(2, &id, &kind, depth);
            }
        }
    }

    fn plan_principal(&mut self, generation: usize, id: &str, kind: &PrincipalKind, ready: u32) {
        for lookup in self.people.lookups_for(id, kind) {
            self.plan(generation, lookup, ready);
        }
    }

    fn plan(&mut self, generation: usize, lookup: Lookup, ready: u32) {
        if generation <= MAX_WAVES as usize && self.people.planned.insert(lookup.clone()) {
            self.generations[generation].pool.push((lookup, ready));
        }
    }

    /// Sends what is ready, closes and completes generations, plans the next.
    fn advance(&mut self) -> Result<(), CollectError> {
        loop {
            let mut progressed = false;
            if !self.generations[1].complete
                && self.reading.is_empty()
                && self.generations[1].in_flight == 0
            {
                self.generations[1].complete = true;
                self.reads_done()?;
                progressed = true;
                if self.stopped {
                    return Ok(());
                }
            }
            for generation in 2..=MAX_WAVES as usize {
                progressed |= self.send_ready(generation);
                let g = &self.generations[generation];
                if g.closed && !g.complete && g.pool.is_empty() && g.in_flight == 0 {
                    self.generations[generation].complete = true;
                    self.generation_done(generation);
                    progressed = true;
                }
            }
            if !progressed {
                return Ok(());
            }
        }
    }

    /// Full `$batch` requests as soon as there are 20 look-ups, the rest once the
    /// generation is closed. Nothing leaves before Graph has confirmed the tenant.
    fn send_ready(&mut self, generation: usize) -> bool {
        if !self.tenant_confirmed {
            return false;
        }
        let mut sent = false;
        loop {
            let g = &mut self.generations[generation];
            let full = g.pool.len() >= BATCH_LIMIT;
            if g.pool.is_empty() || !(full || g.closed) {
                return sent;
            }
            let n = g.pool.len().min(BATCH_LIMIT);
            let batch: Vec<(Lookup, u32)> = g.pool.drain(..n).collect();
            // A short batch waited for the generation before to be complete.
            let waited = if full {
                0
            } else {
                self.depth_through(generation - 1)
            };
            let depth = 1 + batch.iter().map(|(_, d)| *d).max().unwrap_or(0).max(waited);
            let lookups: Vec<Lookup> = batch.into_iter().map(|(l, _)| l).collect();
            self.sent(generation);
            let client = Arc::clone(&self.client);
            let events = self.events.clone();
            self.tasks.spawn(async move {
                let answers = look_up(&client, &lookups).await;
                let _ = events.send(Event::Batch {
                    generation,
                    depth,
                    lookups,
                    answers,
                });
            });
            sent = true;
        }
    }

    /// Every tenant-wide read is done: check that something was read and that the
    /// population is complete, then look up what no read typed as each type and close
    /// generation 2.
    fn reads_done(&mut self) -> Result<(), CollectError> {
        if WAVE_1.iter().all(|(d, _)| self.snapshot.gap(*d).is_some()) {
            let first = &self.snapshot.gaps[0];
            return Err(CollectError::NothingRead(first.detail.clone()));
        }
        if self.snapshot.organization.is_none() {
            // Without /organization the tenant cannot be confirmed by Graph: fall back on
            // the token's own tenant claim, and never label a snapshot with a name alone.
            let asked = self.tenant.trim();
            match &self.token_tenant {
                Some(tid) if is_guid(asked) && !tid.eq_ignore_ascii_case(asked) => {
                    return Err(CollectError::TenantMismatch {
                        asked: self.tenant.clone(),
                        found: tid.clone(),
                    });
                }
                Some(tid) => self.snapshot.tenant_id.clone_from(tid),
                None => {}
            }
            self.tenant_confirmed = true;
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
            self.stopped = true;
            return Ok(());
        }
        let ready = self.depth_through(1);
        let unknown: Vec<String> = self
            .people
            .named
            .iter()
            .filter(|id| !self.people.kinds.contains_key(*id))
            .cloned()
            .collect();
        for id in unknown {
            for lookup in [
                Lookup::User(id.clone()),
                Lookup::Group(id.clone()),
                Lookup::ServicePrincipal(id.clone()),
            ] {
                self.plan(2, lookup, ready);
            }
            self.people.probing.insert(id);
        }
        self.generations[2].closed = true;
        Ok(())
    }

    /// A generation is answered: learn what it named, in a fixed order, and plan the
    /// next generation in one go.
    fn generation_done(&mut self, generation: usize) {
        let mut resolved = std::mem::take(&mut self.answers.resolved);
        resolved.sort_by(|a, b| a.0.cmp(&b.0));
        for (id, kind) in resolved {
            if kind == PrincipalKind::Group {
                self.people.role_groups.insert(id.clone());
            }
            self.people.learn(&id, kind);
        }
        let mut users = std::mem::take(&mut self.answers.users);
        users.sort();
        for (id, unless_known) in users {
            if !(unless_known && self.people.kinds.contains_key(&id)) {
                self.people.learn(&id, PrincipalKind::User);
            }
        }
        let next = generation + 1;
        if next > MAX_WAVES as usize {
            return;
        }
        let ready = self.depth_through(generation);
        let known: Vec<(String, PrincipalKind)> = self
            .people
            .kinds
            .iter()
            .map(|(id, kind)| (id.clone(), kind.clone()))
            .collect();
        for (id, kind) in known {
            self.plan_principal(next, &id, &kind, ready);
        }
        self.generations[next].closed = true;
    }

    fn on_batch(
        &mut self,
        generation: usize,
        depth: u32,
        lookups: Vec<Lookup>,
        answers: Vec<Result<(Value, u32), GraphError>>,
    ) {
        self.answered(generation, depth);
        for (lookup, answer) in lookups.into_iter().zip(answers) {
            let dataset = lookup.dataset();
            let value = match answer {
                Ok((value, pages)) => {
                    // Further pages of a collection: requests of this generation, one
                    // after another.
                    let g = &mut self.generations[generation];
                    g.requests += pages.saturating_sub(1);
                    g.deepest = g.deepest.max(depth + pages.saturating_sub(1));
                    value
                }
                // A principal deleted since it was named (or, for an untyped id, not of
                // this type): nothing to read, not a gap.
                Err(e) if e.kind == GraphErrorKind::NotFound => continue,
                // Graph refused to show this one principal: it stays, by id (and type),
                // as unknown; the other answers stand.
                Err(e) if e.kind == GraphErrorKind::PermissionDenied => {
                    if let Some(unknown) = self.unknown_principal(&lookup) {
                        self.answers
                            .principals
                            .entry(unknown.id.to_string())
                            .or_insert(unknown);
                        continue;
                    }
                    self.fail(dataset, e);
                    continue;
                }
                Err(e) => {
                    self.fail(dataset, e);
                    continue;
                }
            };
            if let Err(e) = self.store_answer(lookup, value) {
                self.fail(dataset, e);
            }
        }
    }

    /// What is known of a principal whose look-up Graph refused: its id, and its type
    /// unless it was being looked up as every type. `None` for look-ups that are not of
    /// one principal (members, sign-in activity, PIM for Groups).
    fn unknown_principal(&self, lookup: &Lookup) -> Option<Principal> {
        let (id, odata_type) = match lookup {
            Lookup::User(id) => (id, "#microsoft.graph.user"),
            Lookup::Group(id) => (id, "#microsoft.graph.group"),
            Lookup::ServicePrincipal(id) => (id, "#microsoft.graph.servicePrincipal"),
            _ => return None,
        };
        let probing = self.people.probing.contains(id);
        Some(Principal {
            id: id.as_str().into(),
            odata_type: (!probing).then(|| odata_type.to_owned()),
            ..Principal::default()
        })
    }

    fn store_answer(&mut self, lookup: Lookup, value: Value) -> Result<(), GraphError> {
        let probing = match &lookup {
            Lookup::User(id) | Lookup::Group(id) | Lookup::ServicePrincipal(id) => {
                self.people.probing.contains(id)
            }
            _ => false,
        };
        let a = &mut self.answers;
        let owners = matches!(lookup, Lookup::Owners(_));
        let eligible = matches!(lookup, Lookup::GroupEligibility(_));
        match lookup {
            Lookup::User(id) => {
                let p = principal(value, &id, "#microsoft.graph.user")?;
                if probing {
                    a.resolved.push((id.clone(), PrincipalKind::User));
                }
                a.principals.insert(id, p);
            }
            Lookup::ServicePrincipal(id) => {
                let p = principal(value, &id, "#microsoft.graph.servicePrincipal")?;
                if probing {
                    a.resolved
                        .push((id.clone(), PrincipalKind::ServicePrincipal));
                }
                a.principals.insert(id, p);
            }
            Lookup::Group(id) => {
                let p = principal(value, &id, "#microsoft.graph.group")?;
                if probing {
                    a.resolved.push((id.clone(), PrincipalKind::Group));
                }
                a.principals.insert(id, p);
            }
            Lookup::SignIn(id) => {
                a.sign_ins.insert(id.clone(), sign_in(&value, &id)?);
            }
            Lookup::Members(id) | Lookup::Owners(id) => {
                let list = principals_of(value)?;
                // Members and owners of a role-holding group hold its roles.
                a.users.extend(
                    list.iter()
                        .filter(|p| p.kind() == PrincipalKind::User)
                        .map(|p| (p.id.to_string(), false)),
                );
                let g = a.groups.entry(id).or_default();
                if owners {
                    g.owners = list;
                } else {
                    g.members = list;
                }
            }
            Lookup::GroupEligibility(id) | Lookup::GroupAssignment(id) => {
                let dataset = if eligible {
                    Dataset::GroupEligibilityScheduleInstances
                } else {
                    Dataset::GroupAssignmentScheduleInstances
                };
                let list = parse::<GroupScheduleInstance>(dataset, value_array(value))?;
                let target = if eligible {
                    &mut a.eligibility
                } else {
                    &mut a.assignment
                };
                for mut i in list {
                    // PIM for Groups principals are users (a group id answers 404, skipped).
                    a.users.push((i.principal_id.to_string(), true));
                    if i.group_id.is_empty() {
                        i.group_id = id.as_str().into();
                    }
                    target.push(i);
                }
            }
        }
        Ok(())
    }

    /// The principal datasets from the answers, sorted by id (and group), whatever
    /// order the answers came in; a dataset with a failed request is a gap.
    fn finish(&mut self) {
        let Answers {
            mut principals,
            sign_ins,
            mut groups,
            mut eligibility,
            mut assignment,
            ..
        } = std::mem::take(&mut self.answers);
        for id in &self.people.role_groups {
            if let Some(p) = principals.get(id) {
                groups.entry(id.clone()).or_default().group = p.clone();
            }
        }
        // Keep only what a role-holding group was read for.
        groups.retain(|id, _| self.people.role_groups.contains(id));
        eligibility.sort_by(|a, b| a.group_id.cmp(&b.group_id));
        assignment.sort_by(|a, b| a.group_id.cmp(&b.group_id));
        let s = &mut self.snapshot;
        let keep = |failures: &HashMap<Dataset, GraphError>, d: Dataset| !failures.contains_key(&d);
        let f = &self.failures;
        let mut done = Vec::new();
        if keep(f, Dataset::PrivilegedPrincipals) {
            done.push((Dataset::PrivilegedPrincipals, principals.len()));
            s.privileged_principals = Some(std::mem::take(&mut principals).into_values().collect());
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
                            g.group.id = id.into();
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

    /// Waves (generations), the requests each sent, and the round trips each added to
    /// the longest chain of requests that waited for one another.
    fn stats(&self) -> CollectStats {
        let used: Vec<&Generation> = self.generations[1..]
            .iter()
            .take_while(|g| g.requests > 0)
            .collect();
        let mut chain = Vec::new();
        let mut reached = 0;
        for g in &used {
            let deeper = reached.max(g.deepest);
            chain.push(deeper - reached);
            reached = deeper;
        }
        CollectStats {
            depth: u32::try_from(used.len()).unwrap_or(u32::MAX),
            requests_per_wave: used.iter().map(|g| g.requests).collect(),
            chain_per_wave: chain,
            counters: GraphCounters::default(),
        }
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

async fn look_up(
    client: &GraphClient,
    lookups: &[Lookup],
) -> Vec<Result<(Value, u32), GraphError>> {
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
                    .map(|(items, pages)| (Value::Array(items), pages))
            } else {
                Ok((first, 1))
            }
        });
    futures::future::join_all(rest).await
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
        p.id = id.into();
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
    activity.user_id = id.into();
    Ok(activity)
}

/// The organization Graph answered for must be the tenant asked for.
pub fn check_tenant(asked: &str, org: &Organization) -> Result<(), CollectError> {
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
    use pimready_core::snapshot::VerifiedDomain;

    /// Every word of `CollectError::kind`, pinned.
    #[test]
    fn kinds_are_stable() {
        assert_eq!(
            CollectErrorKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>(),
            [
                "sign_in",
                "unreachable",
                "tenant_mismatch",
                "nothing_read",
                "setup"
            ]
        );
    }

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
            assert_eq!(p.learn(id, PrincipalKind::User), id == guid, "{id}");
            assert_eq!(p.learn(id, PrincipalKind::Unknown), id == guid, "{id}");
        }
        assert_eq!(p.kinds.keys().collect::<Vec<_>>(), [guid]);
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
