//! Sign-in against the emulator's authorization server on 127.0.0.1:0.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use pimready_core::cloud::Cloud;
use pimready_graph::auth::{
    AuthError, AuthErrorKind, BrowserOpener, Clock, CredentialStore, DeviceCodePrompt, MemoryStore,
    ProfileStore, Prompt, Session, SignIn, SignInConfig, Sleeper, sign_out,
};
use pimready_graph::token::{TokenError, TokenSource as _};
use pimready_tests::oauth::{DeviceOutcome, OAuthState, TenantSpec};
use url::Url;

const CONTOSO: &str = "0f9c2b4e-1a2b-4c3d-8e9f-000000000001";
const FABRIKAM: &str = "0f9c2b4e-1a2b-4c3d-8e9f-000000000002";

fn tenants() -> OAuthState {
    OAuthState::new()
        .with_tenant(TenantSpec::new(
            CONTOSO,
            "contoso.onmicrosoft.com",
            "consultant@contoso.onmicrosoft.com",
        ))
        .with_tenant(TenantSpec::new(
            FABRIKAM,
            "fabrikam.onmicrosoft.com",
            "admin@fabrikam.onmicrosoft.com",
        ))
}

/// The authorization server, served on 127.0.0.1 on a port the OS picks.
async fn serve(state: &OAuthState) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = state.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Url::parse(&format!("http://{addr}")).unwrap()
}

/// A clock the test moves forward together with the emulator's.
#[derive(Clone)]
struct TestClock(Arc<Mutex<DateTime<Utc>>>);
impl TestClock {
    fn new() -> Self {
        TestClock(Arc::new(Mutex::new(Utc::now())))
    }
    fn clock(&self) -> Clock {
        let t = self.0.clone();
        Arc::new(move || *t.lock().unwrap())
    }
    fn advance(&self, state: &OAuthState, by: Duration) {
        *self.0.lock().unwrap() += chrono::Duration::from_std(by).unwrap();
        state.advance_clock(by);
    }
}

fn config(authority: &Url, tenant: &str) -> SignInConfig {
    let mut c = SignInConfig::new(Cloud::Global, tenant).unwrap();
    c.authority_host = authority.clone();
    c.loopback_timeout = Duration::from_secs(20);
    c
}

/// What the test "browser" does with the authorize URL.
#[derive(Clone)]
enum Behaviour {
    Follow,
    ForgeState,
    /// Swap the PKCE challenge for one whose verifier the app does not have.
    SwapChallenge,
    /// Deliver this (already used) code instead of the fresh one.
    ReplayCode(String),
    /// Never come back (the user closed the tab).
    Ignore,
    /// Open an idle connection to the listener first, as browsers pre-connect.
    IdleConnectionFirst,
    /// The sign-in page is shown (no auto-approval): click "Approve".
    ClickApprove,
}

/// What the browser saw.
#[derive(Debug, Default, Clone)]
struct Seen {
    redirect: Option<Url>,
    page_status: Option<u16>,
    page: Option<String>,
}

/// A small reqwest "browser": follows the authorize URL to the loopback redirect.
struct TestBrowser {
    behaviour: Behaviour,
    seen: Arc<Mutex<Seen>>,
    done: Arc<tokio::sync::Notify>,
}

impl TestBrowser {
    fn new(behaviour: Behaviour) -> Self {
        TestBrowser {
            behaviour,
            seen: Arc::default(),
            done: Arc::default(),
        }
    }
    fn seen(&self) -> Seen {
        self.seen.lock().unwrap().clone()
    }
    /// Wait until the browser got its page (the listener answers before the exchange).
    async fn finished(&self) {
        tokio::time::timeout(Duration::from_secs(10), self.done.notified())
            .await
            .unwrap();
    }
}

impl BrowserOpener for TestBrowser {
    fn open(&self, url: &Url) -> Result<(), String> {
        let mut url = url.clone();
        let behaviour = self.behaviour.clone();
        let seen = self.seen.clone();
        let done = self.done.clone();
        if matches!(behaviour, Behaviour::Ignore) {
            return Ok(());
        }
        if matches!(behaviour, Behaviour::SwapChallenge) {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let v = if k == "code_challenge" {
                        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        let redirect_uri = url
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.into_owned());
        tokio::spawn(async move {
            let _idle = match (&behaviour, redirect_uri) {
                (Behaviour::IdleConnectionFirst, Some(uri)) => {
                    let u = Url::parse(&uri).unwrap();
                    Some(
                        tokio::net::TcpStream::connect(("127.0.0.1", u.port().unwrap()))
                            .await
                            .unwrap(),
                    )
                }
                _ => None,
            };
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let mut answer = http.get(url.clone()).send().await.unwrap();
            if matches!(behaviour, Behaviour::ClickApprove) {
                assert_eq!(answer.status(), 200, "a sign-in page is shown");
                let page = answer.text().await.unwrap();
                let href = page
                    .split("href=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .replace("&amp;", "&");
                answer = http.get(url.join(&href).unwrap()).send().await.unwrap();
            }
            assert_eq!(
                answer.status(),
                303,
                "the authorize endpoint redirects back to the app"
            );
            let location = answer.headers()["location"].to_str().unwrap().to_owned();
            let mut redirect = Url::parse(&location).unwrap();
            let rewrite = |redirect: &mut Url, key: &str, value: &str| {
                let pairs: Vec<(String, String)> = redirect
                    .query_pairs()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            if k == key {
                                value.to_owned()
                            } else {
                                v.into_owned()
                            },
                        )
                    })
                    .collect();
                redirect.query_pairs_mut().clear().extend_pairs(pairs);
            };
            match &behaviour {
                Behaviour::ForgeState => rewrite(&mut redirect, "state", "forged-state"),
                Behaviour::ReplayCode(code) => rewrite(&mut redirect, "code", code),
                _ => {}
            }
            seen.lock().unwrap().redirect = Some(redirect.clone());
            let page = http.get(redirect).send().await.unwrap();
            let status = page.status().as_u16();
            let body = page.text().await.unwrap();
            {
                let mut s = seen.lock().unwrap();
                s.page_status = Some(status);
                s.page = Some(body);
            }
            done.notify_one();
        });
        Ok(())
    }
}

fn code_of(seen: &Seen) -> String {
    seen.redirect
        .as_ref()
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned()
}

async fn bearer(session: &Session) -> String {
    session.access_token().await.unwrap().secret().to_owned()
}

#[tokio::test]
async fn loopback_flow_signs_in_end_to_end() {
    let state = tenants();
    let authority = serve(&state).await;
    let store = Arc::new(MemoryStore::new());
    let sign_in = SignIn::with_store(config(&authority, "contoso.onmicrosoft.com"), store.clone());
    let browser = TestBrowser::new(Behaviour::Follow);
    let session = sign_in.interactive(&browser).await.unwrap();
    browser.finished().await;

    let seen = browser.seen();
    let redirect = seen.redirect.clone().unwrap();
    assert_eq!(
        redirect.host_str(),
        Some("localhost"),
        "the default client's registered loopback host"
    );
    assert_eq!(seen.page_status, Some(200));
    assert!(seen.page.unwrap().contains("You can close this tab"));

    assert_eq!(
        session.tenant_id(),
        CONTOSO,
        "a domain was given: the tid is recorded"
    );
    assert_eq!(session.account(), "consultant@contoso.onmicrosoft.com");
    assert!(session.keychain_warning().is_none());
    let info = state
        .validate(&bearer(&session).await, "RoleManagement.Read.Directory")
        .unwrap();
    assert_eq!(info.tenant_id, CONTOSO);
    assert_eq!(info.upn, "consultant@contoso.onmicrosoft.com");
    assert!(info.scopes.iter().all(|s| !s.contains("Write")));
    assert_eq!(store.keys(), vec![session.cache_key().clone()]);
    let requests = state.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (
            requests[0].grant_type.as_str(),
            requests[0].outcome.as_str()
        ),
        ("authorization_code", "ok")
    );
}

/// One-shot: once the answer is in, nothing listens on the redirect port any more.
#[tokio::test]
async fn the_loopback_listener_is_gone_after_one_answer() {
    let state = tenants();
    let authority = serve(&state).await;
    let sign_in = SignIn::with_store(
        config(&authority, "contoso.onmicrosoft.com"),
        Arc::new(MemoryStore::new()),
    );
    let browser = TestBrowser::new(Behaviour::Follow);
    sign_in.interactive(&browser).await.unwrap();
    browser.finished().await;
    let port = browser.seen().redirect.unwrap().port().unwrap();
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "the listener closed after its one answer"
    );
}

/// A forged `state` gets 400 and the listener keeps waiting (a port scanner cannot end
/// a sign-in); nothing is redeemed, and the wait ends only at the timeout.
#[tokio::test]
async fn forged_state_is_refused() {
    let state = tenants();
    let authority = serve(&state).await;
    let mut c = config(&authority, CONTOSO);
    c.loopback_timeout = Duration::from_secs(3);
    let sign_in = SignIn::with_store(c, Arc::new(MemoryStore::new()));
    let browser = TestBrowser::new(Behaviour::ForgeState);
    let err = sign_in.interactive(&browser).await.unwrap_err();
    browser.finished().await;
    assert!(matches!(err, AuthError::Timeout(_)), "{err}");
    let seen = browser.seen();
    assert_eq!(seen.page_status, Some(400));
    assert!(seen.page.unwrap().contains("another sign-in request"));
    assert!(
        state.token_requests().is_empty(),
        "the code is never redeemed"
    );
}

/// The default client registers `http://localhost` only: Entra (and the strict
/// emulator) answer AADSTS50011 to `http://127.0.0.1:PORT`, on a page that never comes
/// back to the app. The app says so at once instead of waiting for the browser.
#[tokio::test]
async fn default_client_with_127_0_0_1_fails_with_aadsts50011_at_once() {
    let state = tenants();
    let authority = serve(&state).await;
    // What the emulator answers, as Entra would, to the default client's authorize
    // request with a 127.0.0.1 redirect (and that it accepts localhost on any port).
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let authorize = |redirect: &str| {
        let mut u = authority
            .join("/contoso.onmicrosoft.com/oauth2/v2.0/authorize")
            .unwrap();
        u.query_pairs_mut()
            .append_pair("client_id", pimready_graph::auth::DEFAULT_CLIENT_ID)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect)
            .append_pair(
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            )
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", "s");
        u
    };
    let refused = http
        .get(authorize("http://127.0.0.1:51234"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("AADSTS50011"));
    let accepted = http
        .get(authorize("http://localhost:51234"))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 303);

    let mut c = config(&authority, "contoso.onmicrosoft.com");
    c.redirect_host = pimready_graph::auth::RedirectHost::Ipv4Loopback;
    let browser = TestBrowser::new(Behaviour::Follow);
    let started = std::time::Instant::now();
    let err = SignIn::with_store(c, Arc::new(MemoryStore::new()))
        .interactive(&browser)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no wait for the browser"
    );
    assert_eq!(err.kind(), AuthErrorKind::RedirectUriNotRegistered);
    assert!(err.to_string().contains("AADSTS50011"), "{err}");
    assert!(browser.seen().redirect.is_none(), "no browser was opened");
}

#[tokio::test]
async fn wrong_pkce_verifier_is_refused() {
    let state = tenants();
    let authority = serve(&state).await;
    let sign_in = SignIn::with_store(config(&authority, CONTOSO), Arc::new(MemoryStore::new()));
    let err = sign_in
        .interactive(&TestBrowser::new(Behaviour::SwapChallenge))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::TokenRequestFailed);
    assert!(err.to_string().contains("AADSTS501481"), "{err}");
    assert!(
        err.to_string().contains("Code_Verifier does not match"),
        "{err}"
    );
}

#[tokio::test]
async fn replayed_code_is_refused() {
    let state = tenants();
    let authority = serve(&state).await;
    let sign_in = SignIn::with_store(config(&authority, CONTOSO), Arc::new(MemoryStore::new()));
    let first = TestBrowser::new(Behaviour::Follow);
    sign_in.interactive(&first).await.unwrap();
    first.finished().await;
    let used = code_of(&first.seen());

    let err = sign_in
        .interactive(&TestBrowser::new(Behaviour::ReplayCode(used)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::TokenRequestFailed);
    assert!(err.to_string().contains("already redeemed"), "{err}");
}

#[tokio::test]
async fn loopback_times_out() {
    let state = tenants();
    let authority = serve(&state).await;
    let mut c = config(&authority, CONTOSO);
    c.loopback_timeout = Duration::from_millis(300);
    let sign_in = SignIn::with_store(c, Arc::new(MemoryStore::new()));
    let started = std::time::Instant::now();
    let err = sign_in
        .interactive(&TestBrowser::new(Behaviour::Ignore))
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Timeout(_)), "{err}");
    assert!(
        err.to_string()
            .contains("no sign-in answer from the browser within 0.3s"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn an_idle_preconnection_does_not_hold_up_the_answer() {
    let state = tenants();
    let authority = serve(&state).await;
    let sign_in = SignIn::with_store(config(&authority, CONTOSO), Arc::new(MemoryStore::new()));
    let started = std::time::Instant::now();
    let session = sign_in
        .interactive(&TestBrowser::new(Behaviour::IdleConnectionFirst))
        .await
        .unwrap();
    assert_eq!(session.tenant_id(), CONTOSO);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn sign_in_page_approved_by_a_click() {
    let state = tenants();
    state.set_auto_approve(false);
    let authority = serve(&state).await;
    let sign_in = SignIn::with_store(config(&authority, CONTOSO), Arc::new(MemoryStore::new()));
    let session = sign_in
        .interactive(&TestBrowser::new(Behaviour::ClickApprove))
        .await
        .unwrap();
    assert_eq!(
        state
            .validate(&bearer(&session).await, "")
            .unwrap()
            .tenant_id,
        CONTOSO
    );
}

#[tokio::test]
async fn browser_that_cannot_open_suggests_device_code() {
    let state = tenants();
    let authority = serve(&state).await;
    let sign_in = SignIn::with_store(config(&authority, CONTOSO), Arc::new(MemoryStore::new()));
    let no_browser = |_: &Url| Err::<(), _>("no display".to_owned());
    let err = sign_in.interactive(&no_browser).await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::BrowserUnavailable);
    assert!(err.to_string().contains("--device-code"));
}

/// A sleeper that records the waits and returns at once.
fn recording_sleeper() -> (Sleeper, Arc<Mutex<Vec<Duration>>>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let w = waits.clone();
    let sleeper: Sleeper = Arc::new(move |d| {
        w.lock().unwrap().push(d);
        Box::pin(async {})
    });
    (sleeper, waits)
}

async fn device_sign_in(
    state: &OAuthState,
    script: &[DeviceOutcome],
) -> (
    Result<Session, AuthError>,
    Vec<DeviceCodePrompt>,
    Vec<Duration>,
) {
    let authority = serve(state).await;
    state.script_device_code(script.iter().copied());
    let sign_in = SignIn::with_store(
        config(&authority, "contoso.onmicrosoft.com"),
        Arc::new(MemoryStore::new()),
    );
    let prompts = Arc::new(Mutex::new(Vec::new()));
    let p = prompts.clone();
    let on_prompt = move |prompt: &DeviceCodePrompt| p.lock().unwrap().push(prompt.clone());
    let (sleeper, waits) = recording_sleeper();
    let result = sign_in.device_code(&on_prompt, sleeper).await;
    let prompts = prompts.lock().unwrap().clone();
    let waits = waits.lock().unwrap().clone();
    (result, prompts, waits)
}

#[tokio::test]
async fn device_code_pending_then_slow_down_then_success() {
    use DeviceOutcome::{Approve, Pending, SlowDown};
    let state = tenants();
    let (result, prompts, waits) =
        device_sign_in(&state, &[Pending, Pending, SlowDown, Pending, Approve]).await;
    let session = result.unwrap();
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0].user_code.len(), 8);
    assert!(prompts[0].verification_uri.ends_with("/devicelogin"));
    assert!(prompts[0].message().contains(&prompts[0].user_code));
    let secs: Vec<u64> = waits.iter().map(Duration::as_secs).collect();
    assert_eq!(
        secs,
        [5, 5, 10, 10],
        "slow_down adds 5 s to every later poll"
    );
    assert_eq!(
        state
            .validate(&bearer(&session).await, "")
            .unwrap()
            .tenant_id,
        CONTOSO
    );
}

#[tokio::test]
async fn device_code_expiry() {
    let state = tenants();
    let (result, _, _) =
        device_sign_in(&state, &[DeviceOutcome::Pending, DeviceOutcome::Expire]).await;
    let err = result.unwrap_err();
    assert!(matches!(err, AuthError::DeviceCodeExpired), "{err}");
    assert!(err.to_string().contains("expired"));
}

#[tokio::test]
async fn device_code_declined() {
    let state = tenants();
    let (result, _, _) =
        device_sign_in(&state, &[DeviceOutcome::Pending, DeviceOutcome::Decline]).await;
    let err = result.unwrap_err();
    assert!(matches!(err, AuthError::Declined), "{err}");
    assert_eq!(err.to_string(), "sign-in was declined by the user");
}

#[tokio::test]
async fn device_code_bad_verification_code() {
    let state = tenants();
    let (result, _, _) = device_sign_in(&state, &[DeviceOutcome::BadCode]).await;
    assert_eq!(
        result.unwrap_err().kind(),
        AuthErrorKind::BadVerificationCode
    );
}

#[tokio::test]
async fn two_tenants_keep_separate_cache_entries_and_tokens() {
    let state = tenants();
    let authority = serve(&state).await;
    let store = Arc::new(MemoryStore::new());
    let profiles_dir = tempfile::tempdir().unwrap();
    let profiles = ProfileStore::at(profiles_dir.path().join("profiles.json"));

    let mut sessions = Vec::new();
    for tenant in ["contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com"] {
        let sign_in = SignIn::with_store(config(&authority, tenant), store.clone());
        let session = sign_in
            .interactive(&TestBrowser::new(Behaviour::Follow))
            .await
            .unwrap();
        profiles.upsert(session.profile()).unwrap();
        sessions.push(session);
    }
    let (a, b) = (&sessions[0], &sessions[1]);
    assert_eq!((a.tenant_id(), b.tenant_id()), (CONTOSO, FABRIKAM));
    let keys = store.keys();
    assert_eq!(keys.len(), 2, "one keychain entry per tenant");
    assert_ne!(keys[0].tenant_id, keys[1].tenant_id);

    // Which token reaches which tenant: the validator says whose each token is.
    let (ta, tb) = (bearer(a).await, bearer(b).await);
    assert_ne!(ta, tb);
    assert_eq!(state.validate(&ta, "").unwrap().tenant_id, CONTOSO);
    assert_eq!(state.validate(&tb, "").unwrap().tenant_id, FABRIKAM);
    assert_eq!(
        state.validate(&tb, "").unwrap().upn,
        "admin@fabrikam.onmicrosoft.com"
    );

    // Silent sign-in from each profile redeems that tenant's own refresh token.
    for (name, tid) in [("contoso.onmicrosoft.com", CONTOSO), (FABRIKAM, FABRIKAM)] {
        let profile = profiles.find(name).unwrap().remove(0);
        let sign_in = SignIn::with_store(config(&authority, &profile.tenant), store.clone());
        let resumed = sign_in.from_cache(&profile).await.unwrap();
        assert_eq!(
            state
                .validate(&bearer(&resumed).await, "")
                .unwrap()
                .tenant_id,
            tid
        );
    }
    let refreshes: Vec<_> = state
        .token_requests()
        .into_iter()
        .filter(|r| r.grant_type == "refresh_token")
        .collect();
    assert_eq!(refreshes.len(), 2);
    assert_eq!(
        refreshes[0].tenant.to_lowercase(),
        CONTOSO,
        "refresh goes to the tenant id's endpoint"
    );
    assert_eq!(refreshes[1].tenant.to_lowercase(), FABRIKAM);

    // Sign-out of one tenant leaves the other.
    let gone = sign_out(&profiles, store.as_ref(), Some("contoso.onmicrosoft.com")).unwrap();
    assert_eq!(gone.removed.len(), 1);
    assert_eq!(store.keys().len(), 1);
    assert_eq!(store.keys()[0].tenant_id, FABRIKAM);
}

#[tokio::test]
async fn access_token_is_refreshed_after_expiry() {
    let state = tenants();
    let authority = serve(&state).await;
    let clock = TestClock::new();
    let store = Arc::new(MemoryStore::new());
    let sign_in =
        SignIn::with_store(config(&authority, CONTOSO), store.clone()).with_clock(clock.clock());
    let session = sign_in
        .interactive(&TestBrowser::new(Behaviour::Follow))
        .await
        .unwrap();
    let first = bearer(&session).await;
    assert_eq!(bearer(&session).await, first, "a valid token is reused");
    let refresh_before = store.load(session.cache_key()).unwrap().unwrap();

    clock.advance(&state, Duration::from_secs(2 * 3600));
    assert_eq!(
        state.validate(&first, "").unwrap_err().status,
        401,
        "the old token expired"
    );
    let second = bearer(&session).await;
    assert_ne!(first, second);
    assert_eq!(state.validate(&second, "").unwrap().tenant_id, CONTOSO);
    let refresh_after = store.load(session.cache_key()).unwrap().unwrap();
    assert_ne!(
        refresh_before, refresh_after,
        "the rotated refresh token replaced the old one"
    );

    // Graph answered 401: the token is dropped and the next call refreshes.
    session.token_rejected(&pimready_graph::token::AccessToken::new(second.clone()));
    assert_ne!(bearer(&session).await, second);
}

#[tokio::test]
async fn revoked_refresh_token_asks_for_a_new_sign_in() {
    let state = tenants();
    let authority = serve(&state).await;
    let clock = TestClock::new();
    let store = Arc::new(MemoryStore::new());
    let sign_in =
        SignIn::with_store(config(&authority, CONTOSO), store.clone()).with_clock(clock.clock());
    let session = sign_in
        .interactive(&TestBrowser::new(Behaviour::Follow))
        .await
        .unwrap();
    let profile = session.profile();

    state.revoke_sessions(CONTOSO, "consultant@contoso.onmicrosoft.com");
    clock.advance(&state, Duration::from_secs(2 * 3600));
    let err = session.access_token().await.unwrap_err();
    let TokenError::SignInRequired(message) = err else {
        panic!("expected SignInRequired, got {err:?}")
    };
    assert!(message.contains("sign in again"), "{message}");
    assert!(
        !message.contains("AADSTS"),
        "a clean message, not an error dump: {message}"
    );
    assert!(
        store.keys().is_empty(),
        "the refused refresh token is forgotten"
    );
    let err = sign_in.from_cache(&profile).await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::SignInRequired);
}

#[tokio::test]
async fn token_of_another_tenant_is_refused() {
    // The authority answers for tenant id `asked` with a token of CONTOSO.
    const ASKED: &str = "0f9c2b4e-1a2b-4c3d-8e9f-0000000000ff";
    let mut spec = TenantSpec::new(
        CONTOSO,
        "contoso.onmicrosoft.com",
        "consultant@contoso.onmicrosoft.com",
    );
    spec.domains.push(ASKED.to_owned());
    let state = OAuthState::new().with_tenant(spec);
    let authority = serve(&state).await;
    let store = Arc::new(MemoryStore::new());
    let sign_in = SignIn::with_store(config(&authority, ASKED), store.clone());
    let err = sign_in
        .interactive(&TestBrowser::new(Behaviour::Follow))
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::TenantMismatch { .. }), "{err}");
    assert!(
        store.keys().is_empty(),
        "nothing of the wrong tenant is cached"
    );
}

#[tokio::test]
async fn missing_consent_explains_what_an_admin_must_grant() {
    let mut spec = TenantSpec::new(
        CONTOSO,
        "contoso.onmicrosoft.com",
        "consultant@contoso.onmicrosoft.com",
    );
    spec.consented = false;
    let state = OAuthState::new().with_tenant(spec);
    let authority = serve(&state).await;
    let sign_in = SignIn::with_store(config(&authority, CONTOSO), Arc::new(MemoryStore::new()));
    let browser = TestBrowser::new(Behaviour::Follow);
    let err = sign_in.interactive(&browser).await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::ConsentRequired);
    let text = err.to_string();
    for needle in [
        "AADSTS65001",
        "admin consent",
        "RoleManagementPolicy.Read.Directory",
        "Privileged Role Administrator",
    ] {
        assert!(text.contains(needle), "{needle} missing from: {text}");
    }
    browser.finished().await;
    assert!(
        browser.seen().page.unwrap().contains("admin consent"),
        "the browser page explains it too"
    );
}

#[tokio::test]
async fn without_a_keychain_the_sign_in_lasts_for_the_session() {
    let state = tenants();
    let authority = serve(&state).await;
    let sign_in = SignIn::with_store(
        config(&authority, CONTOSO),
        Arc::new(MemoryStore::unavailable()),
    );
    let session = sign_in
        .interactive(&TestBrowser::new(Behaviour::Follow))
        .await
        .unwrap();
    assert!(
        session
            .keychain_warning()
            .unwrap()
            .contains("next run will ask you to sign in again")
    );
    assert_eq!(
        state
            .validate(&bearer(&session).await, "")
            .unwrap()
            .tenant_id,
        CONTOSO
    );
}

/// A `MakeWriter` into a shared buffer.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);
impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn no_token_material_in_config_dir_or_debug_logs() {
    let logs = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    // The test runtime is single-threaded: the server and the client log here.
    let _guard = tracing::subscriber::set_default(subscriber);

    let state = tenants();
    let authority = serve(&state).await;
    let clock = TestClock::new();
    let config_dir = tempfile::tempdir().unwrap();
    let profiles = ProfileStore::at(config_dir.path().join("pimready/profiles.json"));
    let store = Arc::new(MemoryStore::new());

    let sign_in = SignIn::with_store(config(&authority, "contoso.onmicrosoft.com"), store.clone())
        .with_clock(clock.clock());
    let session = sign_in
        .interactive(&TestBrowser::new(Behaviour::Follow))
        .await
        .unwrap();
    profiles.upsert(session.profile()).unwrap();
    profiles
        .mark_assessed(session.tenant_id(), Utc::now())
        .unwrap();
    clock.advance(&state, Duration::from_secs(2 * 3600));
    bearer(&session).await;
    let (result, _, _) =
        device_sign_in(&state, &[DeviceOutcome::Pending, DeviceOutcome::Approve]).await;
    let device_session = result.unwrap();
    profiles.upsert(device_session.profile()).unwrap();
    tracing::debug!(?session, "debug of a session");

    let secrets = state.issued_secrets();
    assert!(
        secrets.len() >= 8,
        "codes, access, refresh and ID tokens were issued"
    );
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("signed in"),
        "debug logging was captured:\n{logs}"
    );
    assert!(logs.contains("access token refreshed"));
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "a token reached the logs");
    }
    assert!(!logs.contains("eyJ"), "nothing JWT-shaped in the logs");

    let mut files = 0;
    let mut stack = vec![config_dir.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "token material in {}",
                    path.display()
                );
            }
            assert!(
                !text.contains("eyJ") && !text.contains("rt-"),
                "token-like text in {}",
                path.display()
            );
        }
    }
    assert_eq!(files, 1, "only profiles.json");
    let profile_text = std::fs::read_to_string(profiles.path()).unwrap();
    assert!(profile_text.contains(CONTOSO) && profile_text.contains("last_assessed"));
}

#[tokio::test]
async fn sign_in_falls_back_to_device_code_then_reuses_the_saved_profile() {
    let state = tenants();
    let authority = serve(&state).await;
    let store = Arc::new(MemoryStore::new());
    let dir = tempfile::tempdir().unwrap();
    let profiles = ProfileStore::at(dir.path().join("profiles.json"));
    let sign_in = SignIn::with_store(config(&authority, "contoso.onmicrosoft.com"), store.clone());

    let no_browser = |_: &Url| Err::<(), _>("no display".to_owned());
    let prompts = Arc::new(Mutex::new(Vec::new()));
    let p = prompts.clone();
    let on_prompt = move |prompt: &DeviceCodePrompt| p.lock().unwrap().push(prompt.clone());
    let (sleeper, _) = recording_sleeper();
    let first = sign_in
        .sign_in(
            &profiles,
            Prompt::BrowserOrDeviceCode {
                browser: &no_browser,
                on_prompt: &on_prompt,
                sleep: sleeper,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        prompts.lock().unwrap().len(),
        1,
        "no browser: the device code was shown"
    );
    assert_eq!(profiles.list().unwrap(), vec![first.profile()]);

    let must_not_open =
        |_: &Url| -> Result<(), String> { panic!("the saved sign-in must be used") };
    let second = sign_in
        .sign_in(&profiles, Prompt::Browser(&must_not_open))
        .await
        .unwrap();
    assert_eq!(second.tenant_id(), CONTOSO);
    assert_eq!(
        state
            .validate(&bearer(&second).await, "")
            .unwrap()
            .tenant_id,
        CONTOSO
    );
    assert_eq!(profiles.list().unwrap().len(), 1);

    // signout --all
    assert_eq!(
        sign_out(&profiles, store.as_ref(), None)
            .unwrap()
            .removed
            .len(),
        1
    );
    assert!(store.keys().is_empty() && profiles.list().unwrap().is_empty());
}

/// Sign-out deletes the keychain entry first and the profile only then: a keychain that
/// refuses leaves the profile (and says so), so nothing claims "signed out" while a token
/// remains, and the next sign-out tries again.
#[tokio::test]
async fn sign_out_keeps_the_profile_while_its_token_remains() {
    let state = tenants();
    let authority = serve(&state).await;
    let dir = tempfile::tempdir().unwrap();
    let profiles = ProfileStore::at(dir.path().join("profiles.json"));
    let store = Arc::new(MemoryStore::new());
    SignIn::with_store(config(&authority, CONTOSO), store.clone())
        .sign_in(
            &profiles,
            Prompt::Browser(&TestBrowser::new(Behaviour::Follow)),
        )
        .await
        .unwrap();
    let refusing = MemoryStore::unavailable();
    let done = sign_out(&profiles, &refusing, None).unwrap();
    assert!(done.removed.is_empty());
    assert_eq!(done.kept.len(), 1);
    assert!(done.kept[0].1.contains("keychain"), "{:?}", done.kept);
    assert_eq!(profiles.list().unwrap().len(), 1, "the profile stays");
    assert_eq!(store.keys().len(), 1, "and so does its token");
    let problem = pimready_app::connect::signed_out(done).unwrap_err();
    assert_eq!(problem.kind, pimready_app::ProblemKind::Storage);
    assert!(
        problem.message.contains("still signed in"),
        "{}",
        problem.message
    );

    let done = sign_out(&profiles, store.as_ref(), None).unwrap();
    assert_eq!((done.removed.len(), done.kept.len()), (1, 0));
    assert!(store.keys().is_empty() && profiles.list().unwrap().is_empty());
}

/// A refresh token is keyed by the authority that issued it, and never sent to another:
/// the same tenant, account and client at a second authority finds no saved sign-in, and
/// the second authority never sees a refresh-token request.
#[tokio::test]
async fn a_refresh_token_only_goes_back_to_the_authority_that_issued_it() {
    let first = tenants();
    let first_authority = serve(&first).await;
    let second = tenants();
    let second_authority = serve(&second).await;
    let dir = tempfile::tempdir().unwrap();
    let profiles = ProfileStore::at(dir.path().join("profiles.json"));
    let store = Arc::new(MemoryStore::new());
    SignIn::with_store(config(&first_authority, CONTOSO), store.clone())
        .sign_in(
            &profiles,
            Prompt::Browser(&TestBrowser::new(Behaviour::Follow)),
        )
        .await
        .unwrap();
    let key = &store.keys()[0];
    assert_eq!(
        key.authority,
        first_authority.as_str().trim_end_matches('/')
    );

    let saved = profiles.list().unwrap().remove(0);
    let elsewhere = SignIn::with_store(config(&second_authority, CONTOSO), store.clone());
    let err = elsewhere.from_cache(&saved).await.unwrap_err();
    assert!(matches!(err, AuthError::SignInRequired(_)), "{err:?}");
    // Through the faces' entry point the saved profile is not even tried: a fresh sign-in
    // at the second authority happens instead.
    elsewhere
        .sign_in(
            &profiles,
            Prompt::Browser(&TestBrowser::new(Behaviour::Follow)),
        )
        .await
        .unwrap();
    assert!(
        second
            .token_requests()
            .iter()
            .all(|r| r.grant_type != "refresh_token"),
        "no refresh token reached the second authority"
    );
    assert_eq!(store.keys().len(), 2, "one entry per authority");
}

/// The token client does not follow redirects: a token endpoint answering 307 does not
/// get the device code (or any other form) re-sent to the host it names.
#[tokio::test]
async fn a_redirecting_token_endpoint_is_refused_and_nothing_is_resent() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Where the redirect points: counts what reaches it.
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = reached.clone();
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let elsewhere_url = format!("http://{}", elsewhere.local_addr().unwrap());
    let sink = axum::Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { "{}" }
    });
    tokio::spawn(async move { axum::serve(elsewhere, sink).await.unwrap() });

    // The real authorization server, except that its token endpoint redirects.
    let state = tenants();
    state.script_device_code([DeviceOutcome::Approve]);
    let target = format!("{elsewhere_url}/contoso.onmicrosoft.com/oauth2/v2.0/token");
    let hostile = axum::Router::new()
        .route(
            "/{tenant}/oauth2/v2.0/token",
            axum::routing::post(
                move || async move { axum::response::Redirect::temporary(&target) },
            ),
        )
        .fallback_service(state.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let authority = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move { axum::serve(listener, hostile).await.unwrap() });

    let sign_in = SignIn::with_store(
        config(&authority, "contoso.onmicrosoft.com"),
        Arc::new(MemoryStore::new()),
    );
    let (sleeper, _) = recording_sleeper();
    let result = sign_in
        .device_code(&|_: &DeviceCodePrompt| {}, sleeper)
        .await;
    assert!(result.is_err(), "a redirect is not a token");
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "nothing was re-sent to the redirect target"
    );
}

/// After the Graph sign-in, the ARM token comes from a second sign-in of the same account:
/// Azure CLI's public client for the default client (which Entra refuses ARM with
/// AADSTS65002), the scope `https://management.azure.com/user_impersonation`, its refresh
/// token in its own keychain entry. The next run is silent for both; a refused ARM consent
/// is an error for the ARM sign-in only, never for Graph's.
#[tokio::test]
async fn the_arm_token_comes_from_a_second_sign_in_and_is_silent_next_time() {
    let state = tenants();
    let authority = serve(&state).await;
    let store = Arc::new(MemoryStore::new());
    let profiles_dir = tempfile::tempdir().unwrap();
    let profiles = ProfileStore::at(profiles_dir.path().join("profiles.json"));
    let codes = Arc::new(Mutex::new(0_usize));
    let c = codes.clone();
    let on_prompt = move |_: &DeviceCodePrompt| *c.lock().unwrap() += 1;
    let device = || Prompt::DeviceCode {
        on_prompt: &on_prompt,
        sleep: recording_sleeper().0,
    };
    let graph_config = config(&authority, "contoso.onmicrosoft.com");

    let graph = SignIn::with_store(graph_config.clone(), store.clone())
        .sign_in(&profiles, device())
        .await
        .unwrap();
    let arm_config = graph_config.for_arm(graph.tenant_id(), graph.account());
    assert_eq!(
        arm_config.client_id,
        pimready_graph::arm::ARM_PUBLIC_CLIENT_ID
    );
    assert_eq!(
        arm_config.requested_scopes()[0],
        "https://management.azure.com/user_impersonation"
    );
    let arm = SignIn::with_store(arm_config.clone(), store.clone())
        .sign_in_arm(device())
        .await
        .unwrap();
    assert_eq!(*codes.lock().unwrap(), 2);
    assert_eq!(arm.account(), graph.account());
    let arm_bearer = bearer(&arm).await;
    assert_eq!(state.validate_arm(&arm_bearer).unwrap().tenant_id, CONTOSO);
    assert!(
        state.validate(&arm_bearer, "").is_err(),
        "Graph refuses an ARM token"
    );
    assert!(
        state.validate_arm(&bearer(&graph).await).is_err(),
        "ARM refuses a Graph token"
    );
    let keys = store.keys();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.iter()
            .any(|k| k.arm && k.client_id == pimready_graph::arm::ARM_PUBLIC_CLIENT_ID)
    );

    // The next run: both silent, no code shown.
    let before = state.token_requests().len();
    let graph = SignIn::with_store(graph_config.clone(), store.clone())
        .sign_in(&profiles, device())
        .await
        .unwrap();
    let arm = SignIn::with_store(arm_config.clone(), store.clone())
        .sign_in_arm(device())
        .await
        .unwrap();
    assert_eq!(*codes.lock().unwrap(), 2, "no new prompt");
    let grants: Vec<String> = state.token_requests()[before..]
        .iter()
        .map(|r| r.grant_type.clone())
        .collect();
    assert_eq!(grants, ["refresh_token", "refresh_token"]);
    assert!(state.validate_arm(&bearer(&arm).await).is_ok());
    assert!(state.validate(&bearer(&graph).await, "").is_ok());

    // Sign-out removes both entries.
    let done = sign_out(&profiles, store.as_ref(), None).unwrap();
    assert_eq!(done.removed.len(), 1);
    assert!(store.keys().is_empty(), "{:?}", store.keys());

    // ARM consent refused: Graph signs in, the ARM sign-in fails with AADSTS65001.
    state.set_arm_consented(false);
    let graph = SignIn::with_store(graph_config.clone(), store.clone())
        .sign_in(&profiles, device())
        .await
        .unwrap();
    let err = SignIn::with_store(arm_config, store.clone())
        .sign_in_arm(device())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("AADSTS65001"), "{err}");
    assert!(state.validate(&bearer(&graph).await, "").is_ok());
}

/// The user's own client keeps its id for ARM: no Azure CLI client is involved.
#[test]
fn a_custom_client_keeps_its_id_for_arm() {
    let mut c = SignInConfig::new(Cloud::Usgov, "contoso.onmicrosoft.com").unwrap();
    c.client_id = "11111111-2222-3333-4444-555555555555".into();
    let arm = c.for_arm("0f9c2b4e-1a2b-4c3d-8e9f-000000000001", "a@contoso.com");
    assert_eq!(arm.client_id, c.client_id);
    assert_eq!(
        arm.requested_scopes()[0],
        "https://management.usgovcloudapi.net/user_impersonation"
    );
    assert_eq!(arm.login_hint.as_deref(), Some("a@contoso.com"));
}
