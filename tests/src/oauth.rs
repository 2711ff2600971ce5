//! The emulator's authorization server: a faithful-enough Microsoft identity
//! platform v2.0 (`/{tenant}/oauth2/v2.0/authorize`, `/token`, `/devicecode`).
//!
//! - Authorization codes are single-use, bound to client, redirect URI and a PKCE
//!   S256 challenge that is really verified.
//! - Tokens are bound to a tenant: unsigned JWT-shaped access and ID tokens carrying
//!   `tid`, `scp`, `upn`, `exp`; the Graph emulator checks them with
//!   [`OAuthState::validate`].
//! - Refresh tokens can be revoked (the next refresh gets `invalid_grant`); the clock
//!   can be advanced to expire access tokens; device-code outcomes can be scripted.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::Rng as _;
use serde_json::{Value, json};
use sha2::Digest as _;

/// A tenant the authorization server knows.
#[derive(Debug, Clone)]
pub struct TenantSpec {
    /// Tenant id (a GUID).
    pub id: String,
    /// Verified domains, e.g. `contoso.onmicrosoft.com`.
    pub domains: Vec<String>,
    /// The user who signs in (auto-approved).
    pub upn: String,
    /// Graph permissions the tenant granted; `None` grants whatever is asked.
    pub granted: Option<Vec<String>>,
    /// `false`: the app has no consent here; sign-in fails with AADSTS65001.
    pub consented: bool,
    /// `false`: Azure Resource Manager's `user_impersonation` is not consented (or the user
    /// refuses it): a request for it fails with AADSTS65001, Graph sign-in is unaffected.
    pub arm_consented: bool,
}

impl TenantSpec {
    pub fn new(id: &str, domain: &str, upn: &str) -> Self {
        TenantSpec {
            id: id.to_owned(),
            domains: vec![domain.to_owned()],
            upn: upn.to_owned(),
            granted: None,
            consented: true,
            arm_consented: true,
        }
    }
}

/// What the next poll of a device code answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceOutcome {
    Pending,
    SlowDown,
    Approve,
    Decline,
    Expire,
    BadCode,
}

/// What a valid access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub tenant_id: String,
    pub scopes: Vec<String>,
    pub upn: String,
}

/// Why Graph refuses a bearer token: 401 `InvalidAuthenticationToken` (unknown,
/// malformed or expired token) or 403 `Authorization_RequestDenied` (scope missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

/// One request the token endpoint answered (for assertions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequestRecord {
    /// The tenant segment of the path, as sent.
    pub tenant: String,
    pub grant_type: String,
    /// `ok`, or the OAuth error code returned.
    pub outcome: String,
}

#[derive(Debug, Clone)]
struct CodeGrant {
    tenant_id: String,
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scopes: Vec<String>,
    upn: String,
    issued_at: DateTime<Utc>,
    redeemed: bool,
}

#[derive(Debug, Clone)]
struct RefreshGrant {
    tenant_id: String,
    client_id: String,
    scopes: Vec<String>,
    upn: String,
    revoked: bool,
}

#[derive(Debug, Clone)]
struct AccessRecord {
    /// Issued for Azure Resource Manager (`aud` `https://management.azure.com/`), not Graph.
    arm: bool,
    tenant_id: String,
    scopes: Vec<String>,
    upn: String,
    expires_at: DateTime<Utc>,
}

impl From<&AccessRecord> for TokenInfo {
    fn from(r: &AccessRecord) -> Self {
        TokenInfo {
            tenant_id: r.tenant_id.clone(),
            scopes: r.scopes.clone(),
            upn: r.upn.clone(),
        }
    }
}

/// A 401 as Graph and ARM answer an unusable bearer.
fn unauthorized(message: &str) -> Denied {
    Denied {
        status: 401,
        code: "InvalidAuthenticationToken",
        message: message.to_owned(),
    }
}

#[derive(Debug, Clone)]
struct DeviceGrant {
    tenant_id: String,
    client_id: String,
    scopes: Vec<String>,
    upn: String,
    expires_at: DateTime<Utc>,
    script: VecDeque<DeviceOutcome>,
    done: bool,
}

#[derive(Debug)]
struct Inner {
    tenants: Vec<TenantSpec>,
    codes: HashMap<String, CodeGrant>,
    refresh: HashMap<String, RefreshGrant>,
    access: HashMap<String, AccessRecord>,
    devices: HashMap<String, DeviceGrant>,
    next_device_script: VecDeque<DeviceOutcome>,
    clock_offset: chrono::Duration,
    access_lifetime: Duration,
    auto_approve: bool,
    issued: Vec<String>,
    requests: Vec<TokenRequestRecord>,
    /// Redirect URIs registered per client id (public clients' app registrations).
    clients: HashMap<String, Vec<String>>,
}

/// Microsoft Graph Command Line Tools, the app's default client id: its registration
/// lists `http://localhost` as its loopback redirect (what MSAL and Microsoft Graph
/// PowerShell send), not `http://127.0.0.1`.
pub const DEFAULT_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// The authorization server's state; clone it freely (shared).
#[derive(Debug, Clone)]
pub struct OAuthState {
    inner: Arc<Mutex<Inner>>,
}

impl Default for OAuthState {
    fn default() -> Self {
        Self::new()
    }
}

const OIDC_SCOPES: &[&str] = &["openid", "profile", "offline_access", "email"];

impl OAuthState {
    pub fn new() -> Self {
        OAuthState {
            inner: Arc::new(Mutex::new(Inner {
                tenants: Vec::new(),
                codes: HashMap::new(),
                refresh: HashMap::new(),
                access: HashMap::new(),
                devices: HashMap::new(),
                next_device_script: VecDeque::new(),
                clock_offset: chrono::Duration::zero(),
                access_lifetime: Duration::from_secs(3600),
                auto_approve: true,
                issued: Vec::new(),
                requests: Vec::new(),
                clients: HashMap::from([
                    (
                        DEFAULT_CLIENT_ID.to_owned(),
                        vec!["http://localhost".to_owned()],
                    ),
                    // Azure CLI's public client: `az login` redirects to `http://localhost`.
                    (
                        pimready_graph::arm::ARM_PUBLIC_CLIENT_ID.to_owned(),
                        vec!["http://localhost".to_owned()],
                    ),
                ]),
            })),
        }
    }

    /// Add a tenant (builder style).
    pub fn with_tenant(self, tenant: TenantSpec) -> Self {
        self.lock().tenants.push(tenant);
        self
    }

    /// Register another public client and its redirect URIs (builder style), as an app
    /// registration's `replyUrlsWithType` would list them.
    pub fn with_client(self, client_id: &str, redirect_uris: &[&str]) -> Self {
        self.lock().clients.insert(
            client_id.to_lowercase(),
            redirect_uris.iter().map(|u| (*u).to_owned()).collect(),
        );
        self
    }

    /// Whether Azure Resource Manager's `user_impersonation` is consented in every tenant
    /// (`false`: requests for it get AADSTS65001, as when consent is refused).
    pub fn set_arm_consented(&self, consented: bool) {
        for t in &mut self.lock().tenants {
            t.arm_consented = consented;
        }
    }

    /// `false`: `/authorize` shows a sign-in page with an "Approve" link instead of
    /// redirecting at once.
    pub fn set_auto_approve(&self, auto: bool) {
        self.lock().auto_approve = auto;
    }

    /// Lifetime of access tokens issued from now on.
    pub fn set_access_token_lifetime(&self, lifetime: Duration) {
        self.lock().access_lifetime = lifetime;
    }

    /// Move the server's clock forward (expires access tokens and device codes).
    pub fn advance_clock(&self, by: Duration) {
        self.lock().clock_offset += chrono::Duration::from_std(by).expect("small duration");
    }

    /// The server's current time.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.lock().clock_offset
    }

    /// Outcomes of the successive polls of the *next* device code issued (then it
    /// approves). E.g. `[Pending, Pending, SlowDown, Approve]`.
    pub fn script_device_code(&self, outcomes: impl IntoIterator<Item = DeviceOutcome>) {
        self.lock().next_device_script = outcomes.into_iter().collect();
    }

    /// Revoke every refresh token of `upn` in tenant `tenant_id` (like
    /// `revokeSignInSessions`): the next refresh fails with `invalid_grant`.
    pub fn revoke_sessions(&self, tenant_id: &str, upn: &str) {
        for g in self.lock().refresh.values_mut() {
            if g.tenant_id.eq_ignore_ascii_case(tenant_id) && g.upn.eq_ignore_ascii_case(upn) {
                g.revoked = true;
            }
        }
    }

    /// Every secret this server handed out (codes, access, refresh and ID tokens):
    /// tests search files and logs for them.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.lock().issued.clone()
    }

    /// The token endpoint requests answered so far.
    pub fn token_requests(&self) -> Vec<TokenRequestRecord> {
        self.lock().requests.clone()
    }

    /// The seam for the Graph emulator: is `bearer` (with or without `Bearer `) a
    /// live access token of this server carrying `required_scope` (empty: any)?
    pub fn validate(&self, bearer: &str, required_scope: &str) -> Result<TokenInfo, Denied> {
        let any: &[&str] = if required_scope.is_empty() {
            &[]
        } else {
            &[required_scope]
        };
        self.validate_any(bearer, any)
    }

    /// Like [`validate`](Self::validate), for routes that accept any of several
    /// permissions (e.g. `RoleManagement.Read.Directory` or `Directory.Read.All`);
    /// an empty list accepts any live token.
    pub fn validate_any(&self, bearer: &str, any_of: &[&str]) -> Result<TokenInfo, Denied> {
        let Some(record) = self.access_record(bearer)? else {
            return Err(unauthorized(
                "Invalid JWT token. The token was not issued by this authority.",
            ));
        };
        if record.arm {
            return Err(unauthorized("Invalid audience."));
        }
        if record.expires_at <= self.now() {
            return Err(unauthorized(
                "Lifetime validation failed, the token is expired.",
            ));
        }
        if !any_of.is_empty()
            && !record
                .scopes
                .iter()
                .any(|s| any_of.iter().any(|r| s.eq_ignore_ascii_case(r)))
        {
            return Err(Denied {
                status: 403,
                code: "Authorization_RequestDenied",
                message: format!(
                    "Insufficient privileges to complete the operation. Missing scope {}.",
                    any_of.join(" or ")
                ),
            });
        }
        Ok(TokenInfo::from(&record))
    }

    /// The seam for the ARM listener: is `bearer` a live access token of this server issued
    /// for Azure Resource Manager (never a Graph token)?
    pub fn validate_arm(&self, bearer: &str) -> Result<TokenInfo, Denied> {
        match self.access_record(bearer)? {
            Some(r) if r.arm && r.expires_at > self.now() => Ok(TokenInfo::from(&r)),
            Some(r) if !r.arm => Err(unauthorized("InvalidAuthenticationTokenAudience")),
            _ => Err(unauthorized("The access token is invalid or expired.")),
        }
    }

    /// The access token `bearer` (with or without its `Bearer ` prefix) names: `None` when
    /// this server did not issue it; 401 when it is not a token at all.
    fn access_record(&self, bearer: &str) -> Result<Option<AccessRecord>, Denied> {
        let bearer = bearer.strip_prefix("Bearer ").unwrap_or(bearer).trim();
        let claims =
            decode(bearer).ok_or_else(|| unauthorized("Access token is empty or malformed."))?;
        let jti = claims["jti"].as_str().unwrap_or_default();
        Ok(self.lock().access.get(jti).cloned())
    }

    /// The authorization server's routes (merge into the emulator's router).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/{tenant}/oauth2/v2.0/authorize", get(authorize))
            .route("/{tenant}/oauth2/v2.0/token", post(token))
            .route("/{tenant}/oauth2/v2.0/devicecode", post(devicecode))
            .with_state(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("oauth state lock")
    }
}

impl Inner {
    fn tenant(&self, name: &str) -> Option<TenantSpec> {
        if name.eq_ignore_ascii_case("organizations") || name.eq_ignore_ascii_case("common") {
            return self.tenants.first().cloned();
        }
        self.tenants
            .iter()
            .find(|t| {
                t.id.eq_ignore_ascii_case(name)
                    || t.domains.iter().any(|d| d.eq_ignore_ascii_case(name))
            })
            .cloned()
    }

    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
    }

    fn secret(&mut self, prefix: &str) -> String {
        let bytes: [u8; 24] = rand::rng().random();
        let s = format!("{prefix}{}", b64(&bytes));
        self.issued.push(s.clone());
        s
    }

    /// Issue access, refresh and ID tokens for a grant.
    fn issue(
        &mut self,
        tenant_id: &str,
        client_id: &str,
        upn: &str,
        scopes: &[String],
        with_refresh: bool,
    ) -> Value {
        let now = self.now();
        let lifetime = self.access_lifetime;
        let expires_at = now + chrono::Duration::from_std(lifetime).expect("lifetime");
        let jti = self.secret("jti-");
        let oid = object_id(tenant_id, upn);
        let graph_scopes: Vec<String> = scopes
            .iter()
            .filter(|s| !OIDC_SCOPES.contains(&s.as_str()))
            .cloned()
            .collect();
        // One resource per token: an ARM request gets an ARM-audience token.
        let arm = graph_scopes.iter().any(|s| s == ARM_SCOPE);
        let audience = if arm {
            "https://management.azure.com/"
        } else {
            "https://graph.microsoft.com"
        };
        let access = jwt(&json!({
            "aud": audience,
            "iss": format!("https://sts.windows.net/{tenant_id}/"),
            "iat": now.timestamp(), "nbf": now.timestamp(), "exp": expires_at.timestamp(),
            "tid": tenant_id, "oid": oid, "upn": upn, "unique_name": upn,
            "appid": client_id, "scp": graph_scopes.join(" "), "jti": jti,
        }));
        self.issued.push(access.clone());
        self.access.insert(
            jti,
            AccessRecord {
                arm,
                tenant_id: tenant_id.to_owned(),
                scopes: graph_scopes.clone(),
                upn: upn.to_owned(),
                expires_at,
            },
        );
        let id_token = jwt(&json!({
            "aud": client_id, "iss": format!("https://login.microsoftonline.com/{tenant_id}/v2.0"),
            "iat": now.timestamp(), "nbf": now.timestamp(), "exp": expires_at.timestamp(),
            "tid": tenant_id, "oid": oid, "preferred_username": upn, "name": upn, "ver": "2.0",
        }));
        self.issued.push(id_token.clone());
        let mut body = json!({
            "token_type": "Bearer",
            "scope": graph_scopes.iter().map(|s| format!("{}/{s}", audience.trim_end_matches('/'))).collect::<Vec<_>>().join(" "),
            "expires_in": lifetime.as_secs(),
            "ext_expires_in": lifetime.as_secs(),
            "access_token": access,
            "id_token": id_token,
        });
        if with_refresh {
            let refresh = self.secret("rt-");
            self.refresh.insert(
                refresh.clone(),
                RefreshGrant {
                    tenant_id: tenant_id.to_owned(),
                    client_id: client_id.to_owned(),
                    scopes: scopes.to_vec(),
                    upn: upn.to_owned(),
                    revoked: false,
                },
            );
            body["refresh_token"] = Value::String(refresh);
        }
        body
    }
}

/// Scope names without their resource prefix (`https://graph.microsoft.com/X` → `X`).
fn scope_names(scope: &str, granted: Option<&Vec<String>>) -> Vec<String> {
    scope
        .split_whitespace()
        .map(|s| {
            if s.contains("://") {
                s.rsplit('/').next().unwrap_or(s)
            } else {
                s
            }
        })
        .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case(".default"))
        .filter(|s| {
            // `granted` lists Graph permissions; ARM's consent is `arm_consented`.
            OIDC_SCOPES.contains(s)
                || *s == ARM_SCOPE
                || granted.is_none_or(|g| g.iter().any(|x| x.eq_ignore_ascii_case(s)))
        })
        .map(str::to_owned)
        .collect()
}

/// Microsoft's first-party public clients are preauthorized per resource: the Microsoft
/// Graph Command Line Tools client (PIM Ready's default) is not preauthorized for Azure
/// Resource Manager, and Entra refuses the request with AADSTS65002
/// (<https://learn.microsoft.com/entra/identity-platform/reference-error-codes>).
fn first_party_refusal(client_id: &str, scope: &str) -> Option<String> {
    (asks_arm(scope) && client_id.eq_ignore_ascii_case(pimready_graph::auth::DEFAULT_CLIENT_ID)).then(|| {
        format!(
            "AADSTS65002: Consent between first party application '{client_id}' and first party resource '797f4846-ba00-4fd7-ba43-dac1f8f63013' must be configured via preauthorization - applications owned and operated by Microsoft must get approval from the API owner before requesting tokens for that API."
        )
    })
}

/// Azure Resource Manager's one delegated permission
/// (<https://learn.microsoft.com/azure/azure-resource-manager/management/manage-resources-rest>).
const ARM_SCOPE: &str = "user_impersonation";

/// Does this `scope` parameter ask for Azure Resource Manager (any cloud's)?
fn asks_arm(scope: &str) -> bool {
    scope.split_whitespace().any(|s| {
        let s = s.to_ascii_lowercase();
        s.starts_with("https://management.azure.com/")
            || s.starts_with("https://management.core.windows.net/")
            || s.starts_with("https://management.usgovcloudapi.net/")
            || s.starts_with("https://management.chinacloudapi.cn/")
    })
}

/// Entra's answer when ARM's permission is not consented (or the user declines it)
/// (<https://learn.microsoft.com/entra/identity-platform/reference-error-codes>).
const ARM_NOT_CONSENTED: &str = "The user or administrator has not consented to use the application with ID '{client}'. Send an interactive authorization request for this user and resource.";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn jwt(payload: &Value) -> String {
    let header = json!({"typ": "JWT", "alg": "none", "kid": "emulator"});
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes()),
        b64(b"emulator-unsigned")
    )
}

fn decode(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .ok()?,
    )
    .ok()
}

fn object_id(tenant_id: &str, upn: &str) -> String {
    let h = sha2::Sha256::digest(format!("{tenant_id}/{upn}").as_bytes());
    let x = h.iter().take(16).fold(String::new(), |mut s, b| {
        let _ = std::fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
        s
    });
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// Whether `sent` matches a `registered` redirect URI as Microsoft Entra matches them
/// (<https://learn.microsoft.com/entra/identity-platform/reply-url#localhost-exceptions>):
/// scheme, host and path must match; the port of a loopback URI (`localhost`,
/// `127.0.0.1`) is ignored; `localhost` and `127.0.0.1` are different hosts; the IPv6
/// loopback `[::1]` is not supported; `http` only for loopback.
fn redirect_matches(registered: &str, sent: &str) -> bool {
    let (Ok(r), Ok(s)) = (url::Url::parse(registered), url::Url::parse(sent)) else {
        return false;
    };
    let loopback = |u: &url::Url| matches!(u.host_str(), Some("127.0.0.1" | "localhost"));
    if s.scheme() == "http" && !loopback(&s) {
        return false;
    }
    if s.host_str() == Some("[::1]") {
        return false;
    }
    let same_port = loopback(&s) || r.port_or_known_default() == s.port_or_known_default();
    r.scheme() == s.scheme()
        && r.host_str().map(str::to_ascii_lowercase) == s.host_str().map(str::to_ascii_lowercase)
        && same_port
        && r.path() == s.path()
        && s.query().is_none()
        && s.fragment().is_none()
}

fn oauth_error(status: StatusCode, error: &str, aadsts: &str, description: &str) -> Response {
    let code: u32 = aadsts.trim_start_matches("AADSTS").parse().unwrap_or(0);
    (
        status,
        Json(json!({
            "error": error,
            "error_description": format!("{aadsts}: {description}"),
            "error_codes": [code],
            "timestamp": Utc::now().to_rfc3339(),
            "trace_id": "00000000-0000-0000-0000-000000000000",
            "correlation_id": "00000000-0000-0000-0000-000000000000",
        })),
    )
        .into_response()
}

fn error_page(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!doctype html><title>Sign in</title><h1>Sign-in error</h1><p>{message}</p>"
        )),
    )
        .into_response()
}

async fn authorize(
    State(state): State<OAuthState>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut inner = state.lock();
    let Some(spec) = inner.tenant(&tenant) else {
        return error_page(&format!("AADSTS90002: Tenant '{tenant}' not found."));
    };
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let redirect_uri = get("redirect_uri");
    let client_id = get("client_id").to_lowercase();
    let Some(registered) = inner.clients.get(&client_id) else {
        return error_page(&format!(
            "AADSTS700016: Application with identifier '{client_id}' was not found in the directory."
        ));
    };
    // Entra shows this on its own page and never redirects to an unregistered URI.
    if !registered.iter().any(|r| redirect_matches(r, redirect_uri)) {
        return error_page(&format!(
            "AADSTS50011: The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'."
        ));
    }
    let mut target = url::Url::parse(redirect_uri).expect("checked above");
    let state_param = get("state").to_owned();
    let redirect_error = |mut target: url::Url, error: &str, description: &str| -> Response {
        target
            .query_pairs_mut()
            .append_pair("error", error)
            .append_pair("error_description", description)
            .append_pair("state", &state_param);
        Redirect::to(target.as_str()).into_response()
    };
    if get("response_type") != "code" {
        return redirect_error(
            target,
            "unsupported_response_type",
            "AADSTS70005: response_type 'code' is required.",
        );
    }
    if get("code_challenge").is_empty() || get("code_challenge_method") != "S256" {
        return redirect_error(
            target,
            "invalid_request",
            "AADSTS9002325: Proof Key for Code Exchange (S256) is required.",
        );
    }
    if let Some(refusal) = first_party_refusal(&client_id, get("scope")) {
        return redirect_error(target, "invalid_request", &refusal);
    }
    if asks_arm(get("scope")) && !spec.arm_consented {
        return redirect_error(
            target,
            "consent_required",
            &format!(
                "AADSTS65001: {}",
                ARM_NOT_CONSENTED.replace("{client}", &client_id)
            ),
        );
    }
    if !spec.consented {
        return redirect_error(
            target,
            "consent_required",
            "AADSTS65001: The user or administrator has not consented to use the application.",
        );
    }
    if !inner.auto_approve && get("approve") != "1" {
        let mut approve = url::Url::parse("http://emulator/").expect("static");
        approve.set_path(&format!("/{tenant}/oauth2/v2.0/authorize"));
        approve
            .query_pairs_mut()
            .extend_pairs(q.iter())
            .append_pair("approve", "1");
        let link = format!("{}?{}", approve.path(), approve.query().unwrap_or_default())
            .replace('&', "&amp;");
        return Html(format!(
            "<!doctype html><title>Sign in</title><h1>Sign in to {}</h1><p>Signed in as {}.</p><a id=\"approve\" href=\"{link}\">Approve</a>",
            spec.domains.first().cloned().unwrap_or_default(),
            spec.upn
        ))
        .into_response();
    }
    let code = inner.secret("code-");
    let grant = CodeGrant {
        tenant_id: spec.id.clone(),
        client_id: get("client_id").to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        challenge: get("code_challenge").to_owned(),
        scopes: scope_names(get("scope"), spec.granted.as_ref()),
        upn: spec.upn.clone(),
        issued_at: inner.now(),
        redeemed: false,
    };
    inner.codes.insert(code.clone(), grant);
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &state_param);
    Redirect::to(target.as_str()).into_response()
}

async fn devicecode(
    State(state): State<OAuthState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut inner = state.lock();
    let Some(spec) = inner.tenant(&tenant) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "AADSTS90002",
            &format!("Tenant '{tenant}' not found."),
        );
    };
    let Some(client_id) = form.get("client_id").filter(|c| !c.is_empty()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "AADSTS900144",
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    if let Some(refusal) = first_party_refusal(
        client_id,
        form.get("scope").map(String::as_str).unwrap_or_default(),
    ) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "AADSTS65002",
            refusal.trim_start_matches("AADSTS65002: "),
        );
    }
    let device_code = inner.secret("dc-");
    let n: u32 = rand::rng().random_range(0..100_000_000);
    let user_code = format!("{n:08}");
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let script = std::mem::take(&mut inner.next_device_script);
    let grant = DeviceGrant {
        tenant_id: spec.id.clone(),
        client_id: client_id.clone(),
        scopes: scope_names(
            form.get("scope").map(String::as_str).unwrap_or_default(),
            spec.granted.as_ref(),
        ),
        upn: spec.upn.clone(),
        expires_at: inner.now() + chrono::Duration::minutes(15),
        script,
        done: false,
    };
    inner.devices.insert(device_code.clone(), grant);
    let verification_uri = format!("http://{host}/devicelogin");
    Json(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "expires_in": 900,
        "interval": 5,
        "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."),
    }))
    .into_response()
}

async fn token(
    State(state): State<OAuthState>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let grant_type = form.get("grant_type").cloned().unwrap_or_default();
    let response = {
        let mut inner = state.lock();
        match inner.tenant(&tenant) {
            None => oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "AADSTS90002",
                &format!("Tenant '{tenant}' not found."),
            ),
            Some(spec) => match grant_type.as_str() {
                "authorization_code" => code_grant(&mut inner, &spec, &form),
                "refresh_token" => refresh_grant(&mut inner, &spec, &form),
                "urn:ietf:params:oauth:grant-type:device_code" => {
                    device_grant(&mut inner, &spec, &form)
                }
                _ => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    "AADSTS70003",
                    "The app requested an unsupported grant type.",
                ),
            },
        }
    };
    let (response, outcome) = outcome_of(response).await;
    state.lock().requests.push(TokenRequestRecord {
        tenant,
        grant_type,
        outcome,
    });
    response
}

/// The OAuth error code of a response (or `ok`), keeping the response intact.
async fn outcome_of(response: Response) -> (Response, String) {
    if response.status().is_success() {
        return (response, "ok".to_owned());
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let code = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .unwrap_or_else(|| parts.status.to_string());
    (
        Response::from_parts(parts, axum::body::Body::from(bytes)),
        code,
    )
}

fn code_grant(inner: &mut Inner, spec: &TenantSpec, form: &HashMap<String, String>) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let now = inner.now();
    let Some(grant) = inner.codes.get_mut(get("code")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS9002313",
            "Invalid request. The authorization code is malformed or invalid.",
        );
    };
    if grant.redeemed {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS54005",
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        );
    }
    // One attempt per code, successful or not.
    grant.redeemed = true;
    let grant = grant.clone();
    if now - grant.issued_at > chrono::Duration::minutes(10) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS70008",
            "The provided authorization code or refresh token has expired due to inactivity.",
        );
    }
    if !grant.tenant_id.eq_ignore_ascii_case(&spec.id) || grant.client_id != get("client_id") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS70000",
            "The provided authorization code was issued to another client or tenant.",
        );
    }
    if grant.redirect_uri != get("redirect_uri") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS500112",
            "The reply address does not match the reply address provided when requesting the authorization code.",
        );
    }
    let verifier = get("code_verifier");
    if verifier.is_empty() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "AADSTS50148",
            "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
        );
    }
    if b64(&sha2::Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS501481",
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        );
    }
    let with_refresh = grant.scopes.iter().any(|s| s == "offline_access");
    Json(inner.issue(
        &grant.tenant_id,
        &grant.client_id,
        &grant.upn,
        &grant.scopes,
        with_refresh,
    ))
    .into_response()
}

fn refresh_grant(inner: &mut Inner, spec: &TenantSpec, form: &HashMap<String, String>) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let Some(grant) = inner.refresh.get(get("refresh_token")).cloned() else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS9002313",
            "Invalid request. The refresh token is malformed or invalid.",
        );
    };
    if grant.revoked {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS50173",
            "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
        );
    }
    if !grant.tenant_id.eq_ignore_ascii_case(&spec.id) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS700003",
            "The refresh token was issued to another tenant.",
        );
    }
    if grant.client_id != get("client_id") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS70000",
            "The refresh token was issued to a different client id.",
        );
    }
    // A refresh token redeemed for another resource (ARM) with the same client.
    if let Some(refusal) = first_party_refusal(&grant.client_id, get("scope")) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "AADSTS65002",
            refusal.trim_start_matches("AADSTS65002: "),
        );
    }
    // Consent withdrawn since: the refresh token no longer gets an ARM token.
    if grant.scopes.iter().any(|s| s == ARM_SCOPE) && !spec.arm_consented {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS65001",
            &ARM_NOT_CONSENTED.replace("{client}", &grant.client_id),
        );
    }
    Json(inner.issue(
        &grant.tenant_id,
        &grant.client_id,
        &grant.upn,
        &grant.scopes,
        true,
    ))
    .into_response()
}

fn device_grant(inner: &mut Inner, spec: &TenantSpec, form: &HashMap<String, String>) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let now = inner.now();
    let Some(grant) = inner.devices.get_mut(get("device_code")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "bad_verification_code",
            "AADSTS70019",
            "The device code was not recognized.",
        );
    };
    if grant.done || now > grant.expires_at {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "expired_token",
            "AADSTS70020",
            "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
        );
    }
    if !grant.tenant_id.eq_ignore_ascii_case(&spec.id) || grant.client_id != get("client_id") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "AADSTS70000",
            "The device code was issued to another client or tenant.",
        );
    }
    match grant.script.pop_front().unwrap_or(DeviceOutcome::Approve) {
        DeviceOutcome::Pending => oauth_error(
            StatusCode::BAD_REQUEST,
            "authorization_pending",
            "AADSTS70016",
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        ),
        DeviceOutcome::SlowDown => oauth_error(
            StatusCode::BAD_REQUEST,
            "slow_down",
            "AADSTS70016",
            "Polling too fast; slow down.",
        ),
        DeviceOutcome::Decline => {
            grant.done = true;
            oauth_error(
                StatusCode::BAD_REQUEST,
                "authorization_declined",
                "AADSTS70015",
                "The user declined the authorization request.",
            )
        }
        DeviceOutcome::Expire => {
            grant.done = true;
            oauth_error(
                StatusCode::BAD_REQUEST,
                "expired_token",
                "AADSTS70020",
                "This device code has expired.",
            )
        }
        DeviceOutcome::BadCode => oauth_error(
            StatusCode::BAD_REQUEST,
            "bad_verification_code",
            "AADSTS70019",
            "The device code was not recognized.",
        ),
        DeviceOutcome::Approve => {
            grant.done = true;
            let g = grant.clone();
            if g.scopes.iter().any(|s| s == ARM_SCOPE) && !spec.arm_consented {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "AADSTS65001",
                    &ARM_NOT_CONSENTED.replace("{client}", &g.client_id),
                );
            }
            let with_refresh = g.scopes.iter().any(|s| s == "offline_access");
            Json(inner.issue(&g.tenant_id, &g.client_id, &g.upn, &g.scopes, with_refresh))
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_match_as_entra_matches_them() {
        let reg = "http://localhost";
        for (sent, ok) in [
            ("http://localhost:51234", true),
            ("http://localhost:51234/", true),
            ("http://localhost", true),
            ("http://127.0.0.1:51234", false),
            ("http://[::1]:51234", false),
            ("http://localhost:51234/cb", false),
            ("https://localhost:51234", false),
            ("http://localhost.evil.com:1", false),
        ] {
            assert_eq!(redirect_matches(reg, sent), ok, "{sent}");
        }
        assert!(redirect_matches("http://127.0.0.1", "http://127.0.0.1:9"));
        assert!(!redirect_matches("http://127.0.0.1", "http://localhost:9"));
    }

    #[test]
    fn scope_names_strip_the_resource_and_honour_grants() {
        let all = scope_names(
            "https://graph.microsoft.us/User.Read.All offline_access openid",
            None,
        );
        assert_eq!(all, ["User.Read.All", "offline_access", "openid"]);
        let granted = vec!["User.Read".to_owned()];
        assert_eq!(
            scope_names(
                "https://graph.microsoft.com/User.Read.All offline_access",
                Some(&granted)
            ),
            ["offline_access"]
        );
    }

    #[test]
    fn validate_refuses_unknown_expired_and_unscoped_tokens() {
        let s = OAuthState::new().with_tenant(TenantSpec::new(
            "11111111-1111-1111-1111-111111111111",
            "a.com",
            "u@a.com",
        ));
        let body = s.lock().issue(
            "11111111-1111-1111-1111-111111111111",
            "c",
            "u@a.com",
            &["User.Read.All".to_owned()],
            false,
        );
        let token = body["access_token"].as_str().unwrap();
        assert_eq!(s.validate(token, "User.Read.All").unwrap().upn, "u@a.com");
        assert_eq!(
            s.validate(token, "Policy.Read.All").unwrap_err().status,
            403
        );
        assert_eq!(s.validate("garbage", "").unwrap_err().status, 401);
        assert!(
            s.validate_any(token, &["Directory.Read.All", "User.Read.All"])
                .is_ok()
        );
        assert_eq!(
            s.validate_any(token, &["Directory.Read.All"])
                .unwrap_err()
                .code,
            "Authorization_RequestDenied"
        );
        s.advance_clock(Duration::from_secs(7200));
        assert_eq!(
            s.validate(token, "").unwrap_err().message,
            "Lifetime validation failed, the token is expired."
        );
    }
}
