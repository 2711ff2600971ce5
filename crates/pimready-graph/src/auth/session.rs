//! The signed-in session: the access token in memory, silent refresh through the
//! refresh token (rotated back into the keychain), and the `TokenSource` seam.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, ClientId, DeviceAuthorizationUrl, EndpointNotSet, EndpointSet, RequestTokenError,
    StandardRevocableToken, TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::cache::CacheKey;
use super::error::AuthError;
use super::http::{self, HttpError};
use super::jwt;
use super::profiles::TenantProfile;
use super::{Clock, SignIn, SignInConfig};
use crate::token::{AccessToken, RefreshToken, TokenError, TokenFuture, TokenSource};

/// Microsoft's token answer carries an `id_token` besides the standard fields.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl fmt::Debug for IdTokenField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdTokenField([redacted])")
    }
}
impl oauth2::ExtraTokenFields for IdTokenField {}

pub(crate) type TokenResponse = oauth2::StandardTokenResponse<IdTokenField, BasicTokenType>;
pub(crate) type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// An oauth2 client for `tenant` (a domain before sign-in, the tenant id after).
pub(crate) fn oauth_client(config: &SignInConfig, tenant: &str) -> Result<OAuthClient, AuthError> {
    config.check_authority()?;
    let bad = |e: url::ParseError| AuthError::InvalidResponse(format!("bad authority URL: {e}"));
    Ok(oauth2::Client::new(ClientId::new(config.client_id.clone()))
        .set_auth_uri(AuthUrl::new(config.endpoint(tenant, "authorize")).map_err(bad)?)
        .set_token_uri(TokenUrl::new(config.endpoint(tenant, "token")).map_err(bad)?)
        .set_device_authorization_url(
            DeviceAuthorizationUrl::new(config.endpoint(tenant, "devicecode")).map_err(bad)?,
        ))
}

/// The oauth2 HTTP client over our reqwest client.
pub(crate) fn http_fn(
    client: &reqwest::Client,
) -> impl Fn(oauth2::HttpRequest) -> http::SendFuture + Send + Sync + use<> {
    let client = client.clone();
    move |req| Box::pin(http::send(client.clone(), req))
}

/// Map a failed token request to an [`AuthError`] without ever printing a body
/// (a body that failed to parse may be a successful answer holding tokens).
pub(crate) fn token_error(
    e: RequestTokenError<HttpError, BasicErrorResponse>,
    config: &SignInConfig,
) -> AuthError {
    match e {
        RequestTokenError::ServerResponse(r) => AuthError::from_server(
            r.error().as_ref(),
            r.error_description().map(String::as_str),
            &config.tenant,
            &config.client_id,
            |error, description| AuthError::TokenRequestFailed { error, description },
        ),
        other => transport_error(other),
    }
}

pub(crate) fn transport_error<T: oauth2::ErrorResponse>(
    e: RequestTokenError<HttpError, T>,
) -> AuthError {
    match e {
        RequestTokenError::Request(e) => AuthError::Network(e.to_string()),
        RequestTokenError::Parse(e, _body) => AuthError::InvalidResponse(format!(
            "could not read the token answer (at `{}`)",
            e.path()
        )),
        RequestTokenError::Other(m) => AuthError::InvalidResponse(m),
        RequestTokenError::ServerResponse(_) => {
            AuthError::InvalidResponse("unexpected error answer".into())
        }
    }
}

/// Tokens from one answer, checked against the tenant asked for.
pub(crate) struct Accepted {
    pub access: AccessToken,
    pub expires_at: DateTime<Utc>,
    pub refresh: Option<RefreshToken>,
    pub tenant_id: String,
    pub account: String,
}

/// Read the answer's claims; refuse it when its `tid` is not `expected_tid`, or (on
/// first sign-in with a tenant id) not the tenant asked for.
pub(crate) fn accept(
    response: &TokenResponse,
    config: &SignInConfig,
    expected_tid: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Accepted, AuthError> {
    let access = response.access_token().secret().clone();
    let from_id = response
        .extra_fields()
        .id_token
        .as_deref()
        .and_then(jwt::claims);
    let from_access = jwt::claims(&access);
    let tid = from_id
        .as_ref()
        .and_then(|c| c.tid.clone())
        .or_else(|| from_access.as_ref().and_then(|c| c.tid.clone()));
    let Some(tid) = tid else {
        return Err(AuthError::InvalidResponse(
            "the token names no tenant (no tid claim)".into(),
        ));
    };
    let asked = match expected_tid {
        Some(t) => Some(t.to_owned()),
        None if pimready_core::snapshot::is_guid(&config.tenant) => Some(config.tenant.clone()),
        None => None,
    };
    if let Some(asked) = asked
        && !asked.eq_ignore_ascii_case(&tid)
    {
        return Err(AuthError::TenantMismatch { asked, got: tid });
    }
    let account = from_id
        .as_ref()
        .and_then(jwt::Claims::account)
        .or_else(|| from_access.as_ref().and_then(jwt::Claims::account))
        .ok_or_else(|| AuthError::InvalidResponse("the token names no account".into()))?;
    let lifetime = response
        .expires_in()
        .unwrap_or(std::time::Duration::from_secs(3600));
    let expires_at =
        now + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::hours(1));
    Ok(Accepted {
        access: AccessToken::new(access),
        expires_at,
        refresh: response
            .refresh_token()
            .map(|r| RefreshToken::new(r.secret().clone())),
        tenant_id: tid.to_lowercase(),
        account,
    })
}

/// Renew this long before expiry, so a token does not lapse mid-request.
const EXPIRY_MARGIN: chrono::Duration = chrono::Duration::minutes(2);

/// Only one "no keychain" warning per process.
static KEYCHAIN_WARNED: AtomicBool = AtomicBool::new(false);

/// A signed-in user in one tenant. Cheap to clone; implements [`TokenSource`].
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    sign_in: SignIn,
    oauth: OAuthClient,
    key: CacheKey,
    clock: Clock,
    access: Mutex<Option<(AccessToken, DateTime<Utc>)>>,
    refresh: tokio::sync::Mutex<Option<RefreshToken>>,
    persisted: AtomicBool,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("key", &self.inner.key)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session from a fresh sign-in: stores the refresh token in the keychain.
    pub(crate) fn signed_in(sign_in: &SignIn, accepted: Accepted) -> Result<Session, AuthError> {
        let key = CacheKey {
            authority: sign_in.config.authority_origin(),
            cloud: sign_in.config.cloud,
            tenant_id: accepted.tenant_id.clone(),
            account: accepted.account.clone(),
            client_id: sign_in.config.client_id.clone(),
            arm: matches!(sign_in.config.resource, super::TokenResource::Arm { .. }),
        };
        let session = Self::build(sign_in, key, accepted.refresh.clone())?;
        *session.inner.access.lock().unwrap() = Some((accepted.access, accepted.expires_at));
        if let Some(r) = &accepted.refresh {
            session.persist(r);
        }
        tracing::info!(tenant_id = %session.inner.key.tenant_id, account = %session.inner.key.account, "signed in");
        Ok(session)
    }

    /// A session from a cached refresh token (not yet redeemed).
    pub(crate) fn resumed(
        sign_in: &SignIn,
        key: CacheKey,
        refresh: RefreshToken,
    ) -> Result<Session, AuthError> {
        let s = Self::build(sign_in, key, Some(refresh))?;
        s.inner.persisted.store(true, Ordering::Relaxed);
        Ok(s)
    }

    fn build(
        sign_in: &SignIn,
        key: CacheKey,
        refresh: Option<RefreshToken>,
    ) -> Result<Session, AuthError> {
        let oauth = oauth_client(&sign_in.config, &key.tenant_id)?;
        Ok(Session {
            inner: Arc::new(Inner {
                sign_in: sign_in.clone(),
                oauth,
                clock: sign_in.clock.clone(),
                key,
                access: Mutex::new(None),
                refresh: tokio::sync::Mutex::new(refresh),
                persisted: AtomicBool::new(false),
            }),
        })
    }

    pub fn tenant_id(&self) -> &str {
        &self.inner.key.tenant_id
    }
    pub fn account(&self) -> &str {
        &self.inner.key.account
    }
    pub fn cache_key(&self) -> &CacheKey {
        &self.inner.key
    }

    /// The non-secret profile to save for this sign-in.
    pub fn profile(&self) -> TenantProfile {
        let c = &self.inner.sign_in.config;
        TenantProfile {
            tenant: c.tenant.clone(),
            tenant_id: self.inner.key.tenant_id.clone(),
            cloud: c.cloud,
            account: self.inner.key.account.clone(),
            client_id: c.client_id.clone(),
            authority: self.inner.key.authority.clone(),
            last_assessed: None,
        }
    }

    /// Set when the refresh token could not be kept in the keychain: the sign-in
    /// works for this run only. The faces show this once.
    pub fn keychain_warning(&self) -> Option<String> {
        (!self.inner.persisted.load(Ordering::Relaxed)).then(|| {
            "No OS keychain is available: this sign-in lasts for this session only, and the next run will ask you to sign in again.".to_owned()
        })
    }

    /// This session as the Graph client's token source.
    pub fn token_source(&self) -> Arc<dyn TokenSource> {
        Arc::new(self.clone())
    }

    fn persist(&self, refresh: &RefreshToken) {
        match self.inner.sign_in.store.save(&self.inner.key, refresh) {
            Ok(()) => self.inner.persisted.store(true, Ordering::Relaxed),
            Err(e) => {
                self.inner.persisted.store(false, Ordering::Relaxed);
                if !KEYCHAIN_WARNED.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "{e}: the sign-in is kept for this session only; the next run will ask again"
                    );
                }
            }
        }
    }

    /// Redeem the refresh token now.
    pub(crate) async fn refresh_now(&self) -> Result<AccessToken, AuthError> {
        self.refresh(false).await
    }

    /// Redeem the refresh token; with `only_if_stale`, return the current access
    /// token instead when another caller refreshed while we waited for the lock.
    async fn refresh(&self, only_if_stale: bool) -> Result<AccessToken, AuthError> {
        let mut guard = self.inner.refresh.lock().await;
        if only_if_stale && let Some(t) = self.current() {
            return Ok(t);
        }
        let Some(refresh) = guard.clone() else {
            return Err(AuthError::SignInRequired(
                "this sign-in has no refresh token".into(),
            ));
        };
        let oauth_refresh = oauth2::RefreshToken::new(refresh.secret().to_owned());
        let scopes = self.inner.sign_in.config.requested_scopes();
        let http = http_fn(&self.inner.sign_in.http);
        let result = self
            .inner
            .oauth
            .exchange_refresh_token(&oauth_refresh)
            .add_scopes(scopes.into_iter().map(oauth2::Scope::new))
            .request_async(&http)
            .await;
        let response = match result {
            Ok(r) => r,
            Err(RequestTokenError::ServerResponse(r))
                if matches!(
                    r.error(),
                    oauth2::basic::BasicErrorResponseType::InvalidGrant
                ) && !r
                    .error_description()
                    .is_some_and(|d| d.contains("AADSTS65001")) =>
            {
                // Revoked, expired, password reset, CA change: forget it, ask again.
                *guard = None;
                *self.inner.access.lock().unwrap() = None;
                let _ = self.inner.sign_in.store.delete(&self.inner.key);
                tracing::info!(tenant_id = %self.inner.key.tenant_id, "refresh refused (invalid_grant); a new sign-in is needed");
                return Err(AuthError::SignInRequired(format!(
                    "the saved sign-in of {} to tenant {} is no longer accepted (expired, revoked, or changed by a password reset or Conditional Access); sign in again",
                    self.inner.key.account, self.inner.key.tenant_id
                )));
            }
            Err(e) => return Err(token_error(e, &self.inner.sign_in.config)),
        };
        let accepted = accept(
            &response,
            &self.inner.sign_in.config,
            Some(&self.inner.key.tenant_id),
            (self.inner.clock)(),
        )?;
        if let Some(new_refresh) = accepted.refresh {
            if self.inner.persisted.load(Ordering::Relaxed)
                || !KEYCHAIN_WARNED.load(Ordering::Relaxed)
            {
                self.persist(&new_refresh);
            }
            *guard = Some(new_refresh);
        }
        tracing::debug!(tenant_id = %self.inner.key.tenant_id, "access token refreshed");
        *self.inner.access.lock().unwrap() = Some((accepted.access.clone(), accepted.expires_at));
        Ok(accepted.access)
    }

    fn current(&self) -> Option<AccessToken> {
        let now = (self.inner.clock)();
        self.inner
            .access
            .lock()
            .unwrap()
            .as_ref()
            .filter(|(_, exp)| *exp - EXPIRY_MARGIN > now)
            .map(|(t, _)| t.clone())
    }
}

impl TokenSource for Session {
    fn access_token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            if let Some(t) = self.current() {
                return Ok(t);
            }
            self.refresh(true).await.map_err(TokenError::from)
        })
    }

    fn token_rejected(&self, token: &AccessToken) {
        let mut access = self.inner.access.lock().unwrap();
        if access.as_ref().is_some_and(|(t, _)| t == token) {
            *access = None;
        }
    }
}
