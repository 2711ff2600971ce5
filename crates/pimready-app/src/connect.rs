//! Sign-in and the signed-in sessions of this process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use pimready_graph::arm::{ARM_ACCESS_TOKEN_VAR, NoArmToken};
use pimready_graph::auth::{
    self, BrowserOpener, DeviceCodePrompt, KeyringStore, ProfileStore, Session, SignIn,
    SignInConfig, TenantProfile,
};
use pimready_graph::token::{AccessToken, StaticToken, TokenSource};

use crate::problem::{Problem, ProblemKind, Result};
use crate::target::{AzureSignIn, Target};

/// A bearer token for scripts (documented in the README): skips sign-in.
pub const ACCESS_TOKEN_VAR: &str = "PIMREADY_ACCESS_TOKEN";

/// How to sign in when the keychain has no usable sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMethod {
    /// The system browser; the device code flow when no browser can be opened.
    Browser,
    /// A code to enter on another device.
    DeviceCode,
}

/// What a face shows while a sign-in waits for the user.
pub struct SignInPrompts<'a> {
    pub browser: &'a dyn BrowserOpener,
    pub on_device_code: &'a (dyn Fn(&DeviceCodePrompt) + Send + Sync),
}

/// A signed-in tenant: the target it was made for and where its tokens come from.
#[derive(Clone)]
pub struct Connection {
    pub target: Target,
    /// The tenant id the token names; the typed tenant when a script supplied the token.
    pub tenant_id: String,
    /// The signed-in account; empty when a script supplied the token.
    pub account: String,
    pub tokens: Arc<dyn TokenSource>,
    /// Azure Resource Manager's bearer (`PIMREADY_ARM_ACCESS_TOKEN`), or why there is none:
    /// Azure then becomes a named gap, never a failed run.
    pub arm_tokens: Arc<dyn TokenSource>,
    /// Set when the refresh token could not be kept in the OS keychain.
    pub keychain_warning: Option<String>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("target", &self.target)
            .field("tenant_id", &self.tenant_id)
            .field("account", &self.account)
            .field("keychain_warning", &self.keychain_warning)
            .finish_non_exhaustive()
    }
}

/// The saved sign-ins (profiles) in the platform configuration folder.
pub fn profiles() -> Result<ProfileStore> {
    ProfileStore::default_location().ok_or_else(|| {
        Problem::new(
            ProblemKind::Storage,
            "no configuration folder could be found for saved tenants (is HOME set?)",
        )
    })
}

/// The connection a script's `PIMREADY_ACCESS_TOKEN` gives, if it is set.
pub fn connection_from_env(target: &Target) -> Option<Connection> {
    let token = std::env::var(ACCESS_TOKEN_VAR).ok()?;
    let token = token.trim();
    if token.is_empty() {
        return None;
    }
    Some(Connection {
        target: target.clone(),
        tenant_id: target.tenant().to_owned(),
        account: String::new(),
        tokens: Arc::new(StaticToken(AccessToken::new(token))),
        arm_tokens: pimready_graph::arm::arm_tokens_from_env(),
        keychain_warning: None,
    })
}

fn prompt<'a>(method: SignInMethod, prompts: &SignInPrompts<'a>) -> auth::Prompt<'a> {
    match method {
        SignInMethod::Browser => auth::Prompt::BrowserOrDeviceCode {
            browser: prompts.browser,
            on_prompt: prompts.on_device_code,
            sleep: auth::tokio_sleeper(),
        },
        SignInMethod::DeviceCode => auth::Prompt::DeviceCode {
            on_prompt: prompts.on_device_code,
            sleep: auth::tokio_sleeper(),
        },
    }
}

/// Signs in to `target`: silently from the keychain when its saved sign-in still works,
/// else with `method`; then to Azure Resource Manager for the same account (see
/// [`arm_sign_in`]).
pub async fn sign_in(
    target: &Target,
    method: SignInMethod,
    prompts: SignInPrompts<'_>,
) -> Result<Connection> {
    let config = target.sign_in_config()?;
    let profiles = profiles()?;
    let session = SignIn::new(config.clone())
        .sign_in(&profiles, prompt(method, &prompts))
        .await?;
    let arm_tokens = arm_sign_in(target, &config, &session, method, &prompts).await;
    Ok(Connection {
        target: target.clone(),
        tenant_id: session.tenant_id().to_owned(),
        account: session.account().to_owned(),
        tokens: session.token_source(),
        arm_tokens,
        keychain_warning: session.keychain_warning(),
    })
}

/// Azure Resource Manager's token for the account `session` signed in: a script's
/// `PIMREADY_ARM_ACCESS_TOKEN` first; else, unless the target skips Azure, a second
/// sign-in through the same kind of prompt (silent from the keychain on later runs) with
/// the scope `{cloud's ARM host}/user_impersonation` and Azure CLI's public client (or the
/// user's own client). A refused or failed ARM sign-in (AADSTS65001/65002, a declined
/// prompt) never fails the run: Azure becomes a named gap with the reason.
async fn arm_sign_in(
    target: &Target,
    config: &SignInConfig,
    session: &Session,
    method: SignInMethod,
    prompts: &SignInPrompts<'_>,
) -> Arc<dyn TokenSource> {
    if std::env::var(ARM_ACCESS_TOKEN_VAR).is_ok_and(|t| !t.trim().is_empty()) {
        return pimready_graph::arm::arm_tokens_from_env();
    }
    if target.azure() == AzureSignIn::Skip {
        return Arc::new(NoArmToken(format!(
            "the Azure sign-in was skipped (--no-azure); run without it, or set {ARM_ACCESS_TOKEN_VAR}, to assess Azure resources"
        )));
    }
    let arm = config.for_arm(session.tenant_id(), session.account());
    let client = arm.client_id.clone();
    match SignIn::new(arm).sign_in_arm(prompt(method, prompts)).await {
        Ok(arm_session) => arm_session.token_source(),
        Err(e) => {
            tracing::warn!(client_id = %client, "no Azure Resource Manager token: {e}");
            // The Graph consent text would name Graph permissions; ARM needs its own.
            let why = match e {
                auth::AuthError::ConsentRequired { code, .. } => format!(
                    "{code}: client {client} has no consent for Azure Service Management's user_impersonation in this tenant"
                ),
                other => other.to_string(),
            };
            Arc::new(NoArmToken(format!(
                "the Azure Resource Manager sign-in of {} with client {client} did not succeed ({why}); an administrator can consent to Azure Service Management's user_impersonation for that client, or run with --no-azure to skip it",
                session.account()
            )))
        }
    }
}

/// `pimready apply`'s sign-in: interactive, asking for `write_scopes` beside the read-only
/// permissions, kept in memory only (no saved profile, nothing in the keychain), so no
/// other command ever holds a token that can write.
pub async fn sign_in_to_write(
    target: &Target,
    method: SignInMethod,
    prompts: SignInPrompts<'_>,
    write_scopes: &[String],
) -> Result<Connection> {
    let mut config = target.sign_in_config()?;
    config.write_scopes = write_scopes.to_vec();
    let prompt = match method {
        SignInMethod::Browser => auth::Prompt::BrowserOrDeviceCode {
            browser: prompts.browser,
            on_prompt: prompts.on_device_code,
            sleep: auth::tokio_sleeper(),
        },
        SignInMethod::DeviceCode => auth::Prompt::DeviceCode {
            on_prompt: prompts.on_device_code,
            sleep: auth::tokio_sleeper(),
        },
    };
    let session = SignIn::with_store(config, Arc::new(auth::MemoryStore::new()))
        .sign_in_to_write(prompt)
        .await?;
    Ok(Connection {
        target: target.clone(),
        tenant_id: session.tenant_id().to_owned(),
        account: session.account().to_owned(),
        tokens: session.token_source(),
        // Apply writes through Graph only; it never reads Azure.
        arm_tokens: pimready_graph::arm::arm_tokens_from_env(),
        keychain_warning: None,
    })
}

/// Removes the saved sign-ins of `tenant` (all of them when `None`): each keychain entry
/// first, then its profile; returns the profiles removed. When any entry could not be
/// removed the answer is a [`ProblemKind::Storage`] naming every one of them (and how
/// many were removed): never "signed out" while a token remains.
pub fn sign_out(tenant: Option<&str>) -> Result<Vec<TenantProfile>> {
    signed_out(auth::sign_out(&profiles()?, &KeyringStore::new(), tenant)?)
}

/// The outcome of a sign-out as the faces see it.
pub fn signed_out(done: auth::SignedOut) -> Result<Vec<TenantProfile>> {
    if done.kept.is_empty() {
        return Ok(done.removed);
    }
    let kept: Vec<String> = done
        .kept
        .iter()
        .map(|(p, why)| format!("{} in {} ({why})", p.account, p.tenant))
        .collect();
    Err(Problem::new(
        ProblemKind::Storage,
        format!(
            "{} saved sign-in(s) removed, but the keychain entry of {} could not be removed, so {} still signed in: {}",
            done.removed.len(),
            kept.len(),
            if kept.len() == 1 { "that one is" } else { "those are" },
            kept.join("; ")
        ),
    )
    .with_hint("unlock the OS keychain (or remove the \"pimready\" entries in it) and run the sign-out again"))
}

/// The signed-in tenants of this process, by tenant id. Tokens stay in memory; refresh
/// tokens in the keychain.
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Connection>>);

impl Sessions {
    pub fn insert(&self, connection: Connection) {
        self.lock().insert(connection.tenant_id.clone(), connection);
    }

    pub fn get(&self, tenant_id: &str) -> Option<Connection> {
        self.lock().get(tenant_id).cloned()
    }

    /// The connection to `tenant_id`, or the problem the user sees when there is none.
    pub fn require(&self, tenant_id: &str) -> Result<Connection> {
        self.get(tenant_id).ok_or_else(|| {
            Problem::new(
                ProblemKind::SignInRequired,
                format!("Sign in to {tenant_id} first."),
            )
        })
    }

    pub fn remove(&self, tenant_id: &str) {
        self.lock().remove(tenant_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Connection>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
