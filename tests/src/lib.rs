//! Tenant emulator: a local Entra ID + Microsoft Graph look-alike that serves a
//! fixture tenant over real HTTP, with fault injection and a request log.
//!
//! ```no_run
//! # async fn demo() {
//! let emulator = pimready_tests::Emulator::start_named("contoso-e5").await.unwrap();
//! let url = format!("{}/v1.0/organization", emulator.base_url());
//! # }
//! ```
//!
//! Seams for the sign-in work: [`EmulatorBuilder::token_validator`] replaces the fixed
//! bearer check, and [`EmulatorBuilder::router`] merges extra routes (OAuth endpoints).
//!
//! Strict by default: every Graph route checks the delegated permissions Microsoft
//! documents for it against the scopes granted to the token (`permissions`), and answers
//! 403 `Authorization_RequestDenied` when none was granted. The fixed token carries the
//! scopes PIM Ready asks for ([`app_scopes`]); a test that needs other grants names them
//! with [`EmulatorBuilder::token_scopes`].

pub mod arm;
pub mod fault;
pub mod fixture;
mod graph;
pub mod oauth;
pub mod permissions;
#[cfg(unix)]
pub mod webdriver;
mod writes;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use fault::{Fault, FaultKind, RouteMatcher, Throttling};
pub use fixture::{Fixture, FixtureError, Tenant};

use fault::Bucket;
use graph::{GraphRequest, Outcome};

/// The Graph permissions PIM Ready asks for at sign-in: what the fixed token is granted
/// unless a test names others.
pub fn app_scopes() -> Vec<String> {
    pimready_graph::auth::scopes::SCOPES
        .iter()
        .filter(|s| s.graph)
        .map(|s| s.name.to_owned())
        .collect()
}

/// The app's read scopes and every write permission a change-set can need, with the reads
/// Graph names beside creating a Conditional Access policy: what `pimready apply` asks for.
pub fn write_scopes() -> Vec<String> {
    let mut scopes = app_scopes();
    scopes.extend(
        pimready_core::remediation::WRITE_SCOPES
            .iter()
            .chain(&pimready_core::remediation::CA_COMPANIONS)
            .map(|s| (*s).to_owned()),
    );
    scopes
}

/// The integration tests' fixed clock: 2026-11-20 09:00 UTC, the date the fixtures are written for.
#[must_use]
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z")
        .expect("a valid RFC 3339 date")
        .with_timezone(&chrono::Utc)
}

/// A collection of `emu` (global cloud, Graph at the emulator's address) whose clock reads `now`.
///
/// # Panics
/// Never: the emulator's address is loopback, which every cloud accepts as a Graph host.
#[must_use]
pub fn collect_config(
    emu: &Emulator,
    now: fn() -> chrono::DateTime<chrono::Utc>,
) -> pimready_graph::collect::CollectConfig {
    use pimready_core::cloud::{Cloud, Endpoints};
    let mut config = pimready_graph::collect::CollectConfig::new(emu.tenant_id(), Cloud::Global);
    config.endpoints = Endpoints::new(Cloud::Global, None, Some(emu.base_url())).unwrap();
    config.now = now;
    config
}

/// `emu` collected as the app collects it (its fixed token, every dataset), at `now`.
pub async fn collect_from(
    emu: &Emulator,
    now: fn() -> chrono::DateTime<chrono::Utc>,
) -> pimready_core::snapshot::TenantSnapshot {
    use pimready_graph::token::{AccessToken, StaticToken};
    let config = collect_config(emu, now);
    let tokens = Arc::new(StaticToken(AccessToken::new(emu.token())));
    pimready_graph::collect::collect_snapshot(config, tokens, &mut |_| {})
        .await
        .expect("collects")
}

/// `emu` collected as the app collects it, at the fixtures' [`now`].
pub async fn collect(emu: &Emulator) -> pimready_core::snapshot::TenantSnapshot {
    collect_from(emu, now).await
}

/// The Graph client the integration tests collect with: 2 s timeouts, up to five retries
/// from 10 ms to 200 ms within 3 s, 8 requests in flight, 50 pages, jitter from `jitter_seed`.
#[must_use]
pub fn retrying_graph_config(
    clock: Arc<dyn pimready_graph::client::Clock>,
    jitter_seed: u64,
) -> pimready_graph::client::GraphConfig {
    use pimready_graph::client::{GraphConfig, RetryPolicy};
    GraphConfig {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(200),
            budget: Duration::from_secs(3),
        },
        max_concurrency: 8,
        max_pages: 50,
        jitter_seed: Some(jitter_seed),
        clock,
    }
}

/// The fixture tenant `name` served to a token granted exactly `scopes`.
///
/// # Panics
/// When the fixture cannot be loaded or the emulator cannot start.
pub async fn start_with_scopes(
    name: &str,
    scopes: impl IntoIterator<Item = impl Into<String>>,
) -> Emulator {
    Emulator::builder(Fixture::load(name).unwrap())
        .token_scopes(scopes)
        .start()
        .await
        .unwrap()
}

/// A fixture's owner designated emergency accounts (as `--emergency-account` would): the
/// two break-glass accounts of `contoso-e5` and `northwind-p2`, none elsewhere.
#[must_use]
pub fn designated(name: &str) -> Vec<String> {
    let upns: &[&str] = match name {
        "contoso-e5" => &[
            "bg-admin01@contoso.onmicrosoft.com",
            "bg-admin02@contoso.onmicrosoft.com",
        ],
        "northwind-p2" => &[
            "breakglass1@northwindtraders.onmicrosoft.com",
            "breakglass2@northwindtraders.onmicrosoft.com",
        ],
        _ => &[],
    };
    upns.iter().map(|u| (*u).to_owned()).collect()
}

/// `snapshot` assessed with default settings and these emergency accounts designated.
#[must_use]
pub fn assessed(
    snapshot: &pimready_core::snapshot::TenantSnapshot,
    emergency: &[&str],
) -> pimready_core::assessment::Assessment {
    let settings = pimready_core::settings::AssessmentSettings {
        emergency_accounts: emergency.iter().map(|e| (*e).to_owned()).collect(),
        ..pimready_core::settings::AssessmentSettings::default()
    };
    pimready_core::assessment::assess(
        snapshot,
        &settings,
        &pimready_core::pricebook::PriceBook::default_book(),
    )
}

/// The `code` of a Graph error body (`{"error":{"code",…}}`); empty when there is none.
pub fn error_code(body: &serde_json::Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// The repository's root folder (this package sits in its `tests/` folder).
///
/// # Panics
/// Never: the package's folder has a parent.
#[must_use]
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// What a valid bearer token grants: its tenant and its delegated scopes (`scp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub tenant_id: TenantId,
    pub scopes: Vec<String>,
}

impl Grant {
    pub fn new(
        tenant_id: impl Into<String>,
        scopes: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Grant {
            tenant_id: tenant_id.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }
}

/// A tenant id (GUID).
pub type TenantId = String;

/// Why a token validator refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// 401 `InvalidAuthenticationToken` with this message.
    Unauthenticated(String),
    /// 403 `Authorization_RequestDenied` with this message (e.g. the missing scope).
    Forbidden(String),
}

/// Decides whether a bearer is a live token and what it grants; the routes check the
/// grant against the permissions Graph documents for them.
pub type TokenValidator = Arc<dyn Fn(&str) -> Result<Grant, Denied> + Send + Sync>;

/// Which listener received a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// The Graph host (`base_url`).
    Graph,
    /// The second, "foreign" host that foreign nextLinks point at.
    Foreign,
    /// The Azure Resource Manager host (`arm_base_url`).
    Arm,
}

/// One request as the emulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub listener: Listener,
    pub method: String,
    /// Path and query as sent, e.g. `/v1.0/users/1?$select=id` (inner batch requests
    /// are prefixed with the envelope's version).
    pub path_and_query: String,
    /// The `Host` header (`None` for inner batch requests).
    pub host: Option<String>,
    /// The `Authorization` header value, if one was sent (inner batch requests carry the envelope's).
    pub authorization: Option<String>,
    /// Whether it came inside a `$batch` envelope.
    pub in_batch: bool,
    /// The status answered (`None` while pending or when the route hung).
    pub status: Option<u16>,
}

impl RecordedRequest {
    pub fn has_authorization(&self) -> bool {
        self.authorization.is_some()
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.path_and_query.split('?').next().unwrap_or_default()
    }
}

/// What a merged router may want to know about the emulator it runs in.
#[derive(Debug, Clone)]
pub struct EmulatorInfo {
    pub base_url: String,
    pub tenant_id: String,
    pub token: String,
}

#[derive(Default)]
struct Control {
    latency: Duration,
    faults: Vec<(RouteMatcher, Fault)>,
    bucket: Option<Bucket>,
    throttled: u64,
    requests: Vec<RecordedRequest>,
    /// Objects created by write requests (their ids derive from it).
    writes: u64,
}

pub(crate) struct Shared {
    /// The tenant as served; a write replaces it (copy on write), so a read in flight keeps
    /// the state it started with.
    tenant: Mutex<Arc<Tenant>>,
    /// The fixture's "now" (RFC 3339).
    now: String,
    /// The fixed bearer token (JWT-shaped, unsigned: `tid` and `scp` claims).
    token: String,
    /// The fixed ARM bearer (audience `https://management.azure.com/`).
    pub(crate) arm_token: String,
    pub(crate) base_url: String,
    pub(crate) foreign_base_url: String,
    pub(crate) arm_base_url: String,
    pub(crate) validator: TokenValidator,
    /// Accepts ARM bearers besides the fixed one (the authorization server's ARM-audience
    /// tokens, when sign-in is emulated).
    pub(crate) arm_validator: Option<ArmTokenValidator>,
    control: Mutex<Control>,
}

/// Is this bearer a live ARM-audience token of this tenant?
pub type ArmTokenValidator = Arc<dyn Fn(&str) -> bool + Send + Sync>;

impl Shared {
    /// The tenant as it stands.
    pub(crate) fn tenant(&self) -> Arc<Tenant> {
        Arc::clone(
            &self
                .tenant
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Applies a write to the tenant; later reads see it.
    pub(crate) fn write_tenant<R>(&self, f: impl FnOnce(&mut Tenant) -> R) -> R {
        let mut guard = self
            .tenant
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(Arc::make_mut(&mut guard))
    }

    fn control(&self) -> MutexGuard<'_, Control> {
        self.control
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn record(&self, r: RecordedRequest) -> usize {
        let mut c = self.control();
        c.requests.push(r);
        c.requests.len() - 1
    }

    pub(crate) fn set_status(&self, index: usize, status: Option<u16>) {
        if let Some(r) = self.control().requests.get_mut(index) {
            r.status = status;
        }
    }

    /// A token from the bucket: `Ok` with the share of the limit used when it is above
    /// 80 % (what Graph reports in `x-ms-throttle-limit-percentage`), or the wait a 429
    /// names.
    pub(crate) fn take_throttle(&self) -> Result<Option<f64>, Duration> {
        let mut c = self.control();
        let Some(bucket) = c.bucket.as_mut() else {
            return Ok(None);
        };
        match bucket.take() {
            Ok(used) => Ok(Some(used).filter(|u| *u > 0.8)),
            Err(wait) => {
                c.throttled += 1;
                Err(wait)
            }
        }
    }

    /// The first matching fault with firings left; consumes one firing.
    pub(crate) fn take_fault(&self, method: &str, path: &str, query: &str) -> Option<FaultKind> {
        let mut c = self.control();
        let (_, fault) = c
            .faults
            .iter_mut()
            .find(|(m, f)| f.times != Some(0) && m.matches(method, path, query))?;
        if let Some(n) = &mut fault.times {
            *n -= 1;
        }
        Some(fault.kind.clone())
    }

    /// After a latency fault: the first matching non-latency fault.
    pub(crate) fn take_fault_after_latency(
        &self,
        method: &str,
        path: &str,
        query: &str,
    ) -> Option<FaultKind> {
        let mut c = self.control();
        let (_, fault) = c.faults.iter_mut().find(|(m, f)| {
            f.times != Some(0)
                && !matches!(f.kind, FaultKind::Latency(_))
                && m.matches(method, path, query)
        })?;
        if let Some(n) = &mut fault.times {
            *n -= 1;
        }
        Some(fault.kind.clone())
    }
}

/// An unsigned JWT-shaped ARM token for the tenant (`az account get-access-token` shape).
fn fixed_arm_token(tenant_id: &str) -> String {
    use base64::Engine as _;
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
    };
    let header = serde_json::json!({"typ": "JWT", "alg": "none", "kid": "emulator-arm"});
    let claims = serde_json::json!({
        "aud": "https://management.azure.com/",
        "iss": format!("https://sts.windows.net/{tenant_id}/"),
        "tid": tenant_id,
        "appid": pimready_graph::arm::ARM_PUBLIC_CLIENT_ID,
        "upn": "emulator@fixed.token",
        "scp": "user_impersonation",
    });
    format!("{}.{}.ZW11bGF0b3I", b64(&header), b64(&claims))
}

/// An unsigned JWT-shaped token for the tenant with these delegated scopes.
fn fixed_token(tenant_id: &str, scopes: &[String]) -> String {
    use base64::Engine as _;
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
    };
    let header = serde_json::json!({"typ": "JWT", "alg": "none", "kid": "emulator-fixed"});
    let claims = serde_json::json!({
        "aud": "https://graph.microsoft.com",
        "iss": format!("https://sts.windows.net/{tenant_id}/"),
        "tid": tenant_id,
        "upn": "emulator@fixed.token",
        "scp": scopes.join(" "),
    });
    format!("{}.{}.ZW11bGF0b3I", b64(&header), b64(&claims))
}

/// Builds extra routes once the emulator's address is known.
pub type RouterFactory = Box<dyn FnOnce(&EmulatorInfo) -> Router + Send>;

/// Configures an emulator before it starts.
pub struct EmulatorBuilder {
    fixture: Fixture,
    validator: Option<TokenValidator>,
    arm_validator: Option<ArmTokenValidator>,
    /// What the fixed token is granted (`None`: [`app_scopes`]).
    token_scopes: Option<Vec<String>>,
    routers: Vec<RouterFactory>,
    latency: Duration,
    port: u16,
}

impl EmulatorBuilder {
    /// The Graph listener's port (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Replaces the fixed-bearer check (the sign-in work plugs its token check in here).
    pub fn token_validator(
        mut self,
        f: impl Fn(&str) -> Result<Grant, Denied> + Send + Sync + 'static,
    ) -> Self {
        self.validator = Some(Arc::new(f));
        self
    }

    /// Accepts these ARM bearers too, besides the fixed ARM token.
    pub fn arm_token_validator(mut self, f: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        self.arm_validator = Some(Arc::new(f));
        self
    }

    /// The delegated scopes the fixed token carries, instead of [`app_scopes`]: a token
    /// that lacks some (what a tenant that withheld consent hands out), or has others.
    pub fn token_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.token_scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Merges extra routes (e.g. OAuth endpoints) built once the base URL is known.
    /// The router must not have its own fallback: unmatched paths go to Graph.
    pub fn router(mut self, f: impl FnOnce(&EmulatorInfo) -> Router + Send + 'static) -> Self {
        self.routers.push(Box::new(f));
        self
    }

    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Binds 127.0.0.1:0 (and a second "foreign" listener) and serves.
    pub async fn start(self) -> Result<Emulator, FixtureError> {
        let tenant = Tenant::build(&self.fixture)?;
        let io = |e: std::io::Error| FixtureError(format!("cannot bind a loopback port: {e}"));
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(io)?;
        let foreign = TcpListener::bind("127.0.0.1:0").await.map_err(io)?;
        let arm = TcpListener::bind("127.0.0.1:0").await.map_err(io)?;
        let arm_base_url = format!("http://127.0.0.1:{}", arm.local_addr().map_err(io)?.port());
        let base_url = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().map_err(io)?.port()
        );
        // Another host name as well as another port, so a host-only comparison also sees it.
        let foreign_base_url = format!(
            "http://localhost:{}",
            foreign.local_addr().map_err(io)?.port()
        );
        let tenant_id = tenant.tenant_id.clone();
        let scopes = self.token_scopes.unwrap_or_else(app_scopes);
        let token = fixed_token(&tenant_id, &scopes);
        let validator = self.validator.unwrap_or_else(|| {
            let grant = Grant::new(tenant_id.clone(), scopes);
            let token = token.clone();
            Arc::new(move |bearer: &str| {
                if bearer == token {
                    Ok(grant.clone())
                } else {
                    Err(Denied::Unauthenticated(
                        "Invalid JWT token. The token is not valid.".into(),
                    ))
                }
            })
        });
        let shared = Arc::new(Shared {
            now: tenant.now.clone(),
            tenant: Mutex::new(Arc::new(tenant)),
            token,
            arm_token: fixed_arm_token(&tenant_id),
            base_url: base_url.clone(),
            foreign_base_url: foreign_base_url.clone(),
            arm_base_url,
            validator,
            arm_validator: self.arm_validator,
            control: Mutex::new(Control {
                latency: self.latency,
                ..Control::default()
            }),
        });
        let info = EmulatorInfo {
            base_url: base_url.clone(),
            tenant_id: tenant_id.clone(),
            token: shared.token.clone(),
        };
        let mut app: Router = Router::new()
            .fallback(serve_graph)
            .with_state(Arc::clone(&shared));
        for f in self.routers {
            app = app.merge(f(&info));
        }
        let foreign_app = Router::new()
            .fallback(serve_foreign)
            .with_state(Arc::clone(&shared));
        let arm_app = Router::new()
            .fallback(serve_arm)
            .with_state(Arc::clone(&shared));
        let tasks = vec![
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            }),
            tokio::spawn(async move {
                let _ = axum::serve(foreign, foreign_app).await;
            }),
            tokio::spawn(async move {
                let _ = axum::serve(arm, arm_app).await;
            }),
        ];
        Ok(Emulator {
            shared,
            base_url,
            foreign_base_url,
            tenant_id,
            tasks,
        })
    }
}

/// A running emulator; stops serving when dropped.
pub struct Emulator {
    shared: Arc<Shared>,
    base_url: String,
    foreign_base_url: String,
    tenant_id: String,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Emulator {
    pub fn builder(fixture: Fixture) -> EmulatorBuilder {
        EmulatorBuilder {
            fixture,
            validator: None,
            arm_validator: None,
            token_scopes: None,
            routers: Vec::new(),
            latency: Duration::ZERO,
            port: 0,
        }
    }

    pub async fn start(fixture: Fixture) -> Result<Emulator, FixtureError> {
        Self::builder(fixture).start().await
    }

    /// A fixture by name (`contoso-e5`, `large-100`, …) or path.
    pub async fn start_named(name: &str) -> Result<Emulator, FixtureError> {
        Self::start(Fixture::load(name)?).await
    }

    /// `http://127.0.0.1:PORT` (Graph paths start with `/v1.0` or `/beta`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The Azure Resource Manager listener's base URL (`--arm-host`).
    pub fn arm_base_url(&self) -> &str {
        &self.shared.arm_base_url
    }

    /// The bearer the ARM listener accepts (`PIMREADY_ARM_ACCESS_TOKEN`); the Graph token
    /// is refused there, as ARM refuses a token for another audience.
    pub fn arm_token(&self) -> &str {
        &self.shared.arm_token
    }

    /// Requests that reached the ARM listener.
    pub fn arm_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.listener == Listener::Arm)
            .collect()
    }

    /// The second listener's base URL (where foreign nextLinks point).
    pub fn foreign_base_url(&self) -> &str {
        &self.foreign_base_url
    }

    /// The bearer accepted by the default validator: JWT-shaped (unsigned), its `scp`
    /// the scopes it is granted ([`app_scopes`] unless the builder named others).
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The indexed fixture tenant being served, as it stands (with the writes applied).
    pub fn tenant(&self) -> Arc<Tenant> {
        self.shared.tenant()
    }

    /// The fixture's "now" (RFC 3339), to pass to the collector and checks.
    pub fn now(&self) -> &str {
        &self.shared.now
    }

    /// How long every HTTP request takes to be answered (a `$batch` envelope counts
    /// once), building the answer included: the round trip of a remote Graph.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.control().latency = latency;
    }

    /// Adds a fault; earlier faults take precedence over later ones for the same request.
    pub fn set_fault(&self, matcher: impl Into<RouteMatcher>, fault: impl Into<Fault>) {
        self.shared
            .control()
            .faults
            .push((matcher.into(), fault.into()));
    }

    pub fn clear_faults(&self) {
        self.shared.control().faults.clear();
    }

    /// Graph-like throttling for every request (`None` turns it off).
    pub fn set_throttling(&self, throttling: Option<Throttling>) {
        let mut c = self.shared.control();
        c.bucket = throttling.map(Bucket::new);
    }

    /// How many requests throttling answered with 429.
    pub fn throttled_count(&self) -> u64 {
        self.shared.control().throttled
    }

    /// Every request received, on both listeners, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.control().requests.clone()
    }

    /// Requests that reached the foreign listener.
    pub fn foreign_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.listener == Listener::Foreign)
            .collect()
    }

    /// HTTP requests on the Graph listener (a `$batch` counts once).
    pub fn http_request_count(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.listener == Listener::Graph && !r.in_batch)
            .count()
    }

    pub fn clear_requests(&self) {
        self.shared.control().requests.clear();
    }
}

fn header_string(req: &Request, name: header::HeaderName) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn serve_graph(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().as_str().to_owned();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let authorization = header_string(&req, header::AUTHORIZATION);
    let index = shared.record(RecordedRequest {
        listener: Listener::Graph,
        method: method.clone(),
        path_and_query: path_and_query.clone(),
        host: header_string(&req, header::HOST),
        authorization: authorization.clone(),
        in_batch: false,
        status: None,
    });
    // The answer is built while the latency runs, as a remote Graph's own work is part
    // of its round trip: each answer takes the latency, or its building time if longer.
    let answer_at = tokio::time::Instant::now() + shared.control().latency;
    let raw_path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let body = axum::body::to_bytes(req.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let outcome = match version_of(&raw_path) {
        None => graph::graph_error(
            400,
            "BadRequest",
            &format!(
                "Invalid version: {}",
                raw_path
                    .trim_start_matches('/')
                    .split('/')
                    .next()
                    .unwrap_or_default()
            ),
        ),
        Some(version) => {
            let body_json = if body.is_empty() {
                None
            } else {
                serde_json::from_slice(&body).ok()
            };
            if !body.is_empty() && body_json.is_none() {
                graph::graph_error(400, "BadRequest", "Unable to read JSON request payload.")
            } else {
                let path = percent_decode(fault::strip_version(&raw_path));
                let bearer = authorization
                    .as_deref()
                    .and_then(|a| {
                        a.strip_prefix("Bearer ")
                            .or_else(|| a.strip_prefix("bearer "))
                    })
                    .map(str::trim);
                let greq = GraphRequest {
                    method,
                    path,
                    version: version.to_owned(),
                    query,
                    body: body_json,
                };
                shared.dispatch(greq, bearer, false).await
            }
        }
    };
    shared.set_status(index, outcome.status());
    tokio::time::sleep_until(answer_at).await;
    into_response(outcome).await
}

fn version_of(path: &str) -> Option<&'static str> {
    if path == "/v1.0" || path.starts_with("/v1.0/") {
        Some("v1.0")
    } else if path == "/beta" || path.starts_with("/beta/") {
        Some("beta")
    } else {
        None
    }
}

/// A path with its percent-escapes decoded (a `+` stays a `+`).
pub(crate) fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map_or_else(|| s.to_owned(), |(_, v)| v.into_owned())
}

async fn serve_arm(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().as_str().to_owned();
    let authorization = header_string(&req, header::AUTHORIZATION);
    let index = shared.record(RecordedRequest {
        listener: Listener::Arm,
        method: method.clone(),
        path_and_query: req
            .uri()
            .path_and_query()
            .map_or_else(String::new, |p| p.as_str().to_owned()),
        host: header_string(&req, header::HOST),
        authorization: authorization.clone(),
        in_batch: false,
        status: None,
    });
    let answer_at = tokio::time::Instant::now() + shared.control().latency;
    let bearer = authorization
        .as_deref()
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("bearer "))
        })
        .map(str::trim);
    let outcome = shared.serve_arm(
        &method,
        req.uri().path(),
        req.uri().query().unwrap_or_default(),
        bearer,
    );
    shared.set_status(index, outcome.status());
    tokio::time::sleep_until(answer_at).await;
    into_response(outcome).await
}

async fn serve_foreign(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let index = shared.record(RecordedRequest {
        listener: Listener::Foreign,
        method: req.method().as_str().to_owned(),
        path_and_query: req
            .uri()
            .path_and_query()
            .map_or_else(String::new, |p| p.as_str().to_owned()),
        host: header_string(&req, header::HOST),
        authorization: header_string(&req, header::AUTHORIZATION),
        in_batch: false,
        status: Some(200),
    });
    let _ = index;
    into_response(Outcome::json(200, serde_json::json!({"value": []}))).await
}

const JSON_CONTENT_TYPE: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

async fn into_response(outcome: Outcome) -> Response {
    let mut builder = Response::builder()
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        )
        .header(
            "request-id",
            fixture::guid(&format!("{:?}", std::time::SystemTime::now())),
        );
    match outcome {
        Outcome::Json {
            status,
            headers,
            body,
        } => {
            builder = builder
                .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
            for (k, v) in headers {
                builder = builder.header(k, v);
            }
            builder
                .body(Body::from(body.to_string()))
                .expect("valid response")
        }
        Outcome::Text { status, body } => builder
            .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
            .body(Body::from(body))
            .expect("valid response"),
        Outcome::DropMidBody { prefix } => {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
                Ok(prefix.into_bytes()),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "emulated connection drop",
                )),
            ];
            let stream = futures::stream::iter(chunks).then(|c| async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                c
            });
            builder
                .status(StatusCode::OK)
                .body(Body::from_stream(stream))
                .expect("valid response")
        }
        Outcome::Reset => {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "emulated connection reset",
            ))];
            builder
                .status(StatusCode::OK)
                .body(Body::from_stream(futures::stream::iter(chunks)))
                .expect("valid response")
        }
        Outcome::Hang => std::future::pending().await,
    }
}

use futures::StreamExt as _;

/// The emulator with its authorization server: Graph accepts the tokens the OAuth
/// endpoints issue for this tenant (scopes checked per route), and the fixed
/// [`Emulator::token`] still works for scripting.
pub async fn start_with_sign_in(
    fixture: Fixture,
    latency: Duration,
    port: u16,
) -> Result<(Emulator, oauth::OAuthState), FixtureError> {
    let tenant = fixture::Tenant::build(&fixture)?;
    let domains: Vec<String> = tenant.organization["verifiedDomains"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["name"].as_str().map(str::to_owned))
        .collect();
    let first = domains
        .first()
        .cloned()
        .unwrap_or_else(|| "example.onmicrosoft.com".to_owned());
    let initial = domains
        .iter()
        .find(|d| d.ends_with(".onmicrosoft.com"))
        .cloned()
        .unwrap_or_else(|| first.clone());
    let mut spec =
        oauth::TenantSpec::new(&tenant.tenant_id, &first, &format!("assessor@{initial}"));
    spec.domains = domains;
    let oauth = oauth::OAuthState::new().with_tenant(spec);
    let validating = oauth.clone();
    let arm_validating = oauth.clone();
    let arm_tenant_id = tenant.tenant_id.clone();
    let routes = oauth.clone();
    let fixed = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let fixed_for_validator = fixed.clone();
    let tenant_id = tenant.tenant_id.clone();
    let emulator = Emulator::builder(fixture)
        .latency(latency)
        .port(port)
        .token_validator(move |bearer| {
            if fixed_for_validator.get().is_some_and(|t| t == bearer) {
                return Ok(Grant::new(tenant_id.clone(), app_scopes()));
            }
            // Any live token of this server; the routes check its scopes.
            match validating.validate(bearer, "") {
                Ok(info) if info.tenant_id == tenant_id => Ok(Grant {
                    tenant_id: info.tenant_id,
                    scopes: info.scopes,
                }),
                Ok(info) => Err(Denied::Unauthenticated(format!(
                    "the token was issued for tenant {}",
                    info.tenant_id
                ))),
                Err(d) if d.status == 403 => Err(Denied::Forbidden(d.message)),
                Err(d) => Err(Denied::Unauthenticated(d.message)),
            }
        })
        .arm_token_validator(move |bearer| {
            arm_validating
                .validate_arm(bearer)
                .is_ok_and(|info| info.tenant_id == arm_tenant_id)
        })
        .router(move |_| routes.router())
        .start()
        .await?;
    let _ = fixed.set(emulator.token().to_owned());
    Ok((emulator, oauth))
}
