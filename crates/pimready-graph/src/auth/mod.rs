//! Sign-in to Microsoft Entra ID (v2.0 endpoints) and the signed-in [`Session`],
//! which is the Graph client's [`TokenSource`](crate::token::TokenSource).
//!
//! - [`SignIn::interactive`]: authorization code + PKCE (S256) on a loopback redirect.
//! - [`SignIn::device_code`]: the device authorization grant.
//! - [`SignIn::from_cache`]: silent, from the refresh token in the OS keychain.
//!
//! Invariants: refresh tokens only in a [`CredentialStore`] (the OS keychain), one
//! entry per (authority origin, cloud, tenant id, account, client id), and only ever
//! redeemed at the authority that issued them; access tokens only in memory;
//! a token whose `tid` is not the tenant asked for is refused; no token is logged.

mod cache;
mod device_code;
mod error;
mod http;
pub(crate) mod jwt;
mod loopback;
pub mod permissions;
mod profiles;
pub mod scopes;
mod session;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use pimready_core::cloud::Cloud;
use url::Url;

pub use cache::{
    CacheKey, CredentialStore, KEYCHAIN_SERVICE, KeyringStore, MemoryStore, StoreError,
};
pub use device_code::{DeviceCodePrompt, Sleeper, tokio_sleeper};
pub use error::{AuthError, AuthErrorKind};
pub use loopback::{BrowserOpener, RedirectHost, SystemBrowser};
pub use permissions::{REQUESTS, RequestPermission, granted_scopes};
pub use profiles::{ProfileStore, TenantProfile};
pub use scopes::{SCOPES, Scope};
pub use session::Session;

/// Microsoft Graph Command Line Tools: a Microsoft-owned multi-tenant public client,
/// already consented in many tenants. See `docs/sign-in.md` for the trade-offs.
pub const DEFAULT_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// Accept a tenant only as a tenant id (GUID) or a DNS name (`[A-Za-z0-9.-]`, labels of
/// 1–63 characters not starting or ending with `-`). The multi-tenant aliases `common`,
/// `organizations` and `consumers` are refused: the assessment is of one named tenant,
/// and a token must say which.
pub fn check_tenant_name(tenant: &str) -> Result<(), String> {
    if tenant.is_empty() {
        return Err("enter the tenant's domain (contoso.com) or its tenant id".into());
    }
    if ["common", "organizations", "consumers"]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(tenant))
    {
        return Err(format!(
            "{tenant:?} is not one tenant: name the tenant to assess by its domain (contoso.com) or its tenant id"
        ));
    }
    if pimready_core::snapshot::is_guid(tenant) {
        return Ok(());
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if tenant.len() > 253 || !tenant.trim_end_matches('.').split('.').all(label_ok) {
        return Err(format!(
            "{tenant:?} is not a tenant domain (letters, digits, '-' and '.') or a tenant id"
        ));
    }
    Ok(())
}

/// The loopback redirect host a known client registers (`None`: unknown, the user's
/// own app). Microsoft Graph Command Line Tools lists `http://localhost` only, as MSAL,
/// Azure Identity and Microsoft Graph PowerShell send it.
pub fn registered_redirect_host(client_id: &str) -> Option<RedirectHost> {
    let id = client_id.trim();
    // Azure CLI's client redirects `az login` to `http://localhost` too.
    (id.eq_ignore_ascii_case(DEFAULT_CLIENT_ID)
        || id.eq_ignore_ascii_case(crate::arm::ARM_PUBLIC_CLIENT_ID))
    .then_some(RedirectHost::Localhost)
}

/// The client that asks for the ARM token when `client_id` signed in to Graph: Azure CLI's
/// public client instead of the default one (which ARM refuses with AADSTS65002), else the
/// user's own client.
pub fn arm_client_id(client_id: &str) -> String {
    if client_id.trim().eq_ignore_ascii_case(DEFAULT_CLIENT_ID) {
        crate::arm::ARM_PUBLIC_CLIENT_ID.to_owned()
    } else {
        client_id.trim().to_owned()
    }
}

/// How long the loopback listener waits for the browser by default.
pub const DEFAULT_LOOPBACK_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The current time; injectable so tests can move past token expiry.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Everything a sign-in needs to know. Build with [`SignInConfig::new`], then
/// adjust fields (`client_id`, `authority_host` for `--authority-host`, …).
#[derive(Debug, Clone)]
pub struct SignInConfig {
    /// The cloud (its name is part of the cache key).
    pub cloud: Cloud,
    /// e.g. `https://login.microsoftonline.com`, or the emulator's `http://127.0.0.1:PORT`.
    pub authority_host: Url,
    /// The Graph resource the scopes are asked for (`https://graph.microsoft.com`);
    /// unaffected by `--graph-host`, which only changes where requests go.
    pub graph_resource: String,
    /// The tenant as the user named it: a domain or a tenant id.
    pub tenant: String,
    pub client_id: String,
    /// Host name in the redirect URI (`http://localhost:PORT` by default); the listener
    /// binds 127.0.0.1 and ::1 whichever it is.
    pub redirect_host: RedirectHost,
    pub loopback_timeout: Duration,
    /// Write permissions asked for beside the read-only ones: empty for every sign-in but
    /// `pimready apply`'s ([`SignIn::sign_in_to_write`]).
    pub write_scopes: Vec<String>,
    /// The resource the token is for: Microsoft Graph, or Azure Resource Manager
    /// ([`SignInConfig::for_arm`]).
    pub resource: TokenResource,
    /// The account to sign in as (`login_hint`), for the ARM sign-in after the Graph one.
    pub login_hint: Option<String>,
}

/// Which API a sign-in's token is for: Entra issues one token per resource.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TokenResource {
    /// Microsoft Graph with [`SCOPES`].
    #[default]
    Graph,
    /// Azure Resource Manager (`https://management.azure.com` or a national cloud's ARM
    /// host) with its one delegated permission, `user_impersonation`.
    Arm { resource: String },
}

impl SignInConfig {
    /// Defaults for `tenant` in cloud `cloud`.
    pub fn new(cloud: Cloud, tenant: &str) -> Result<Self, AuthError> {
        let tenant = tenant.trim();
        check_tenant_name(tenant).map_err(AuthError::InvalidResponse)?;
        Ok(Self {
            cloud,
            authority_host: Url::parse(&format!("https://{}", cloud.authority_host()))
                .expect("static URL"),
            graph_resource: format!("https://{}", cloud.graph_host()),
            tenant: tenant.to_owned(),
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            redirect_host: RedirectHost::default(),
            loopback_timeout: DEFAULT_LOOPBACK_TIMEOUT,
            write_scopes: Vec::new(),
            resource: TokenResource::Graph,
            login_hint: None,
        })
    }

    /// The sign-in for Azure Resource Manager's token after a Graph sign-in of `account` in
    /// `tenant_id`: the same authority, cloud and tenant; the user's own client id is kept,
    /// the default client (not preauthorized for ARM: AADSTS65002) becomes Azure CLI's
    /// public client, which is ([`crate::arm::ARM_PUBLIC_CLIENT_ID`]).
    #[must_use]
    pub fn for_arm(&self, tenant_id: &str, account: &str) -> Self {
        let cloud = self.cloud;
        Self {
            tenant: tenant_id.to_owned(),
            client_id: arm_client_id(&self.client_id),
            write_scopes: Vec::new(),
            resource: TokenResource::Arm {
                resource: format!("https://{}", cloud.arm_host()),
            },
            login_hint: Some(account.to_owned()),
            ..self.clone()
        }
    }

    /// The scope strings sent to the authority: the read-only ones, then the write ones.
    pub fn requested_scopes(&self) -> Vec<String> {
        if let TokenResource::Arm { resource } = &self.resource {
            // https://learn.microsoft.com/entra/identity-platform/scopes-oidc#scopes-and-permissions
            return vec![
                format!("{}/user_impersonation", resource.trim_end_matches('/')),
                "openid".into(),
                "profile".into(),
                "offline_access".into(),
            ];
        }
        let resource = self.graph_resource.trim_end_matches('/');
        let mut out = scopes::requested_scopes(&self.graph_resource);
        out.extend(self.write_scopes.iter().map(|s| format!("{resource}/{s}")));
        out
    }

    /// Codes, verifiers and refresh tokens travel to the authority: plain `http://`
    /// only to a loopback host (the emulator).
    pub(crate) fn check_authority(&self) -> Result<(), AuthError> {
        let loopback = matches!(
            self.authority_host.host_str(),
            Some("127.0.0.1" | "localhost" | "[::1]")
        );
        match self.authority_host.scheme() {
            "https" => Ok(()),
            "http" if loopback => Ok(()),
            _ => Err(AuthError::InvalidResponse(format!(
                "authority host {} must use https (plain http only on 127.0.0.1/localhost)",
                self.authority_host
            ))),
        }
    }

    /// Refuse, before any browser opens, a redirect URI the client is known not to
    /// register: Entra would show AADSTS50011 in the browser and never come back.
    pub(crate) fn check_redirect_registered(&self) -> Result<(), AuthError> {
        match registered_redirect_host(&self.client_id) {
            Some(registered) if registered != self.redirect_host => {
                Err(AuthError::RedirectUriNotRegistered {
                    client_id: self.client_id.clone(),
                    sent: self.redirect_host,
                    registered,
                })
            }
            _ => Ok(()),
        }
    }

    /// The authority's origin (`https://login.microsoftonline.com`): part of the cache
    /// key, so a refresh token is only ever sent back to the authority that issued it.
    pub fn authority_origin(&self) -> String {
        self.authority_host.origin().ascii_serialization()
    }

    /// The v2.0 endpoint `leaf` (`authorize`, `token`, `devicecode`) for `tenant`.
    pub(crate) fn endpoint(&self, tenant: &str, leaf: &str) -> String {
        format!(
            "{}/{tenant}/oauth2/v2.0/{leaf}",
            self.authority_host.as_str().trim_end_matches('/')
        )
    }
}

/// Signs a user in, by browser, device code or cache, and hands back a [`Session`].
#[derive(Clone)]
pub struct SignIn {
    pub(crate) config: SignInConfig,
    pub(crate) store: Arc<dyn CredentialStore>,
    pub(crate) http: reqwest::Client,
    pub(crate) clock: Clock,
}

impl SignIn {
    /// Sign-in with the OS keychain as the refresh-token store.
    pub fn new(config: SignInConfig) -> Self {
        Self::with_store(config, Arc::new(KeyringStore::new()))
    }

    pub fn with_store(config: SignInConfig, store: Arc<dyn CredentialStore>) -> Self {
        Self {
            config,
            store,
            http: http::client(),
            clock: Arc::new(Utc::now),
        }
    }

    /// Replace the clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn config(&self) -> &SignInConfig {
        &self.config
    }

    /// Silent sign-in from the keychain entry of `profile`: redeems the cached refresh
    /// token now, so a refused one surfaces as [`AuthError::SignInRequired`] up front.
    pub async fn from_cache(&self, profile: &TenantProfile) -> Result<Session, AuthError> {
        let key = profile.cache_key();
        if !key
            .authority
            .eq_ignore_ascii_case(&self.config.authority_origin())
        {
            return Err(AuthError::SignInRequired(format!(
                "the saved sign-in of {} was issued by {}, not {}",
                profile.account,
                key.authority,
                self.config.authority_origin()
            )));
        }
        let refresh = match self.store.load(&key) {
            Ok(Some(r)) => r,
            Ok(None) => {
                return Err(AuthError::SignInRequired(format!(
                    "no saved sign-in for {} in {}",
                    profile.account, profile.tenant
                )));
            }
            Err(e) => {
                return Err(AuthError::SignInRequired(format!(
                    "{e}; sign in interactively"
                )));
            }
        };
        let session = Session::resumed(self, key, refresh)?;
        session.refresh_now().await?;
        Ok(session)
    }
}

/// A boxed `Send` future, for injected callbacks.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// How to sign in when no saved sign-in works.
pub enum Prompt<'a> {
    /// The browser (authorization code + PKCE on a loopback redirect).
    Browser(&'a dyn BrowserOpener),
    /// The device code flow; `on_prompt` shows the code and URL.
    DeviceCode {
        on_prompt: &'a (dyn Fn(&DeviceCodePrompt) + Send + Sync),
        sleep: Sleeper,
    },
    /// The browser, and the device code flow when no browser can be opened.
    BrowserOrDeviceCode {
        browser: &'a dyn BrowserOpener,
        on_prompt: &'a (dyn Fn(&DeviceCodePrompt) + Send + Sync),
        sleep: Sleeper,
    },
}

impl SignIn {
    /// The faces' entry point: silently from the saved profile of this tenant (same
    /// cloud and client id) when its refresh token still works, else through `prompt`;
    /// then saves the profile. `session.token_source()` is what the Graph client takes.
    pub async fn sign_in(
        &self,
        profiles: &ProfileStore,
        prompt: Prompt<'_>,
    ) -> Result<Session, AuthError> {
        let saved: Vec<TenantProfile> = profiles
            .find(&self.config.tenant)?
            .into_iter()
            .filter(|p| {
                p.cloud == self.config.cloud
                    && p.client_id.eq_ignore_ascii_case(&self.config.client_id)
                    && p.cache_key()
                        .authority
                        .eq_ignore_ascii_case(&self.config.authority_origin())
            })
            .collect();
        for profile in &saved {
            match self.from_cache(profile).await {
                Ok(session) => {
                    tracing::info!(tenant_id = %session.tenant_id(), account = %session.account(), "signed in with the saved sign-in");
                    return Ok(session);
                }
                Err(AuthError::SignInRequired(why)) => tracing::info!("{why}"),
                Err(e) => return Err(e),
            }
        }
        let session = match prompt {
            Prompt::Browser(browser) => self.interactive(browser).await?,
            Prompt::DeviceCode { on_prompt, sleep } => self.device_code(on_prompt, sleep).await?,
            Prompt::BrowserOrDeviceCode {
                browser,
                on_prompt,
                sleep,
            } => match self.interactive(browser).await {
                Err(AuthError::BrowserUnavailable(why)) => {
                    tracing::info!("no browser ({why}); using the device code flow");
                    self.device_code(on_prompt, sleep).await?
                }
                other => other?,
            },
        };
        let mut profile = session.profile();
        profile.last_assessed = saved
            .iter()
            .find(|p| p.cache_key() == profile.cache_key())
            .and_then(|p| p.last_assessed);
        profiles.upsert(profile)?;
        Ok(session)
    }
}

impl SignIn {
    /// `pimready apply`'s own sign-in: always interactive (never a saved sign-in, whose
    /// token carries no write permission), asking for `config.write_scopes` too, and
    /// remembered nowhere: no profile is saved, and the refresh token goes to the store
    /// this `SignIn` was given (a memory store for apply), never the keychain entry the
    /// assessment uses.
    pub async fn sign_in_to_write(&self, prompt: Prompt<'_>) -> Result<Session, AuthError> {
        self.prompted(prompt).await
    }

    /// The Azure Resource Manager token of the account already signed in to Graph (a
    /// config from [`SignInConfig::for_arm`]): silently from its own keychain entry when that
    /// still works, else through `prompt` (the browser names the account with
    /// `login_hint`). A sign-in as another account is refused and not kept. No profile is
    /// written: the Graph profile stays the one that lists the tenant.
    pub async fn sign_in_arm(&self, prompt: Prompt<'_>) -> Result<Session, AuthError> {
        let (TokenResource::Arm { .. }, Some(account)) =
            (&self.config.resource, self.config.login_hint.clone())
        else {
            return Err(AuthError::InvalidResponse(
                "an ARM sign-in needs the ARM resource and the signed-in account".into(),
            ));
        };
        let key = CacheKey {
            authority: self.config.authority_origin(),
            cloud: self.config.cloud,
            tenant_id: self.config.tenant.to_lowercase(),
            account: account.clone(),
            client_id: self.config.client_id.clone(),
            arm: true,
        };
        if let Ok(Some(refresh)) = self.store.load(&key) {
            let session = Session::resumed(self, key, refresh)?;
            match session.refresh_now().await {
                Ok(_) => {
                    tracing::info!(account = %account, "signed in to Azure Resource Manager with the saved sign-in");
                    return Ok(session);
                }
                Err(AuthError::SignInRequired(why)) => tracing::info!("{why}"),
                Err(e) => return Err(e),
            }
        }
        let session = self.prompted(prompt).await?;
        if !session.account().eq_ignore_ascii_case(&account) {
            let _ = self.store.delete(session.cache_key());
            return Err(AuthError::InvalidResponse(format!(
                "the Azure Resource Manager sign-in was as {}, not {account} (the account signed in to Microsoft Graph)",
                session.account()
            )));
        }
        Ok(session)
    }

    async fn prompted(&self, prompt: Prompt<'_>) -> Result<Session, AuthError> {
        match prompt {
            Prompt::Browser(browser) => self.interactive(browser).await,
            Prompt::DeviceCode { on_prompt, sleep } => self.device_code(on_prompt, sleep).await,
            Prompt::BrowserOrDeviceCode {
                browser,
                on_prompt,
                sleep,
            } => match self.interactive(browser).await {
                Err(AuthError::BrowserUnavailable(why)) => {
                    tracing::info!("no browser ({why}); using the device code flow");
                    self.device_code(on_prompt, sleep).await
                }
                other => other,
            },
        }
    }
}

/// What [`sign_out`] did.
#[derive(Debug, Default)]
pub struct SignedOut {
    /// Profiles whose keychain entry is gone, and then the profile too.
    pub removed: Vec<TenantProfile>,
    /// Profiles whose keychain entry could not be removed, with why: the profile stays,
    /// so the token is not forgotten and a later sign-out tries again.
    pub kept: Vec<(TenantProfile, String)>,
}

/// `signout`: for each profile of `tenant` (every profile when `None`, i.e. `--all`),
/// delete its keychain entry first, then the profile. A profile is never removed while its
/// token may remain.
pub fn sign_out(
    profiles: &ProfileStore,
    store: &dyn CredentialStore,
    tenant: Option<&str>,
) -> Result<SignedOut, AuthError> {
    let matching = match tenant {
        Some(t) => profiles.find(t)?,
        None => profiles.list()?,
    };
    let mut done = SignedOut::default();
    for p in matching {
        match store
            .delete(&p.arm_cache_key())
            .and_then(|()| store.delete(&p.cache_key()))
        {
            Ok(()) => {
                profiles.remove_profile(&p)?;
                done.removed.push(p);
            }
            Err(e) => done.kept.push((p, e.to_string())),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_are_a_guid_or_a_dns_name() {
        for ok in [
            "contoso.com",
            "contoso.onmicrosoft.com",
            "xn--bcher-kva.example",
            "0f9c2b4e-1a2b-4c3d-8e9f-000000000001",
            "a-b.c",
        ] {
            assert_eq!(check_tenant_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "contoso.com&calc",
            "contoso.com calc",
            "a/b",
            "-x.com",
            "x..com",
            "bücher.example",
            "contoso.com\"",
        ] {
            assert!(check_tenant_name(bad).is_err(), "{bad}");
        }
        for alias in ["common", "organizations", "Consumers"] {
            let e = check_tenant_name(alias).unwrap_err();
            assert!(e.contains("is not one tenant"), "{e}");
        }
    }

    #[test]
    fn config_defaults_and_authority_check() {
        let mut c = SignInConfig::new(Cloud::Usgov, "contoso.onmicrosoft.us").unwrap();
        assert_eq!(
            c.authority_host.as_str(),
            "https://login.microsoftonline.us/"
        );
        assert_eq!(c.graph_resource, "https://graph.microsoft.us");
        assert_eq!(
            c.endpoint("t", "token"),
            "https://login.microsoftonline.us/t/oauth2/v2.0/token"
        );
        assert!(c.check_authority().is_ok());
        c.authority_host = Url::parse("http://127.0.0.1:8080").unwrap();
        assert!(c.check_authority().is_ok());
        c.authority_host = Url::parse("http://login.example.com").unwrap();
        assert!(c.check_authority().is_err());
        assert!(SignInConfig::new(Cloud::Global, "a/b").is_err());
        assert!(SignInConfig::new(Cloud::Global, "contoso.com&calc").is_err());
        assert_eq!(
            SignInConfig::new(Cloud::Global, "x").unwrap().client_id,
            DEFAULT_CLIENT_ID
        );
    }
}
