//! Signing in and collecting: the network half of `assess` and `collect`.

use std::sync::Arc;

use pimready_core::cloud::{Cloud, Endpoints};
use pimready_core::snapshot::TenantSnapshot;
use pimready_graph::auth::{
    self, AuthError, DeviceCodePrompt, KeyringStore, ProfileStore, SignIn, SignInConfig,
    SystemBrowser,
};
use pimready_graph::collect::{CollectConfig, CollectError, collect_snapshot};
use pimready_graph::progress::Progress;
use pimready_graph::token::{AccessToken, StaticToken, TokenSource};

use crate::args::{CloudArg, ConnectionArgs};
use crate::error::{CliError, Exit};
use crate::progress::Reporter;

/// A bearer token for scripts (documented in the README); bypasses sign-in.
const ACCESS_TOKEN_VAR: &str = "PIMREADY_ACCESS_TOKEN";

pub fn cloud(arg: CloudArg) -> Cloud {
    match arg {
        CloudArg::Global => Cloud::Global,
        CloudArg::Usgov => Cloud::Usgov,
        CloudArg::UsgovDod => Cloud::UsgovDod,
        CloudArg::China => Cloud::China,
    }
}

pub fn profiles() -> Result<ProfileStore, CliError> {
    ProfileStore::default_location().ok_or_else(|| {
        CliError::usage("no configuration folder could be found for saved tenants (is HOME set?)")
    })
}

fn auth_error(e: &AuthError) -> CliError {
    let err = CliError::new(Exit::SignIn, e.to_string());
    match e.kind() {
        "consent_required" => err.hint("a Global Administrator or Privileged Role Administrator of the tenant must grant the read-only permissions listed in the README, or use --client-id with an app your tenant allows"),
        "browser_unavailable" => err.hint("use --device-code to sign in on another device"),
        "timeout" => err.hint("the sign-in page was not completed in time; run the command again"),
        "tenant_mismatch" => err.hint("sign in with an account of that tenant (or a guest account in it), or check --tenant"),
        "network" => err.hint("check the network connection and --authority-host"),
        "declined" | "device_code_expired" | "bad_verification_code" => err.hint("run the command again and complete the sign-in"),
        _ => err,
    }
}

/// Signs in to `tenant` (silently from the keychain when possible).
pub async fn sign_in(
    conn: &ConnectionArgs,
    tenant: &str,
    reporter: &Reporter,
) -> Result<Arc<dyn TokenSource>, CliError> {
    if let Ok(token) = std::env::var(ACCESS_TOKEN_VAR)
        && !token.trim().is_empty()
    {
        return Ok(Arc::new(StaticToken(AccessToken::new(token.trim()))));
    }
    let mut config = SignInConfig::new(cloud(conn.cloud).as_str(), tenant)
        .map_err(|e| CliError::usage(e.to_string()))?;
    if let Some(host) = &conn.authority_host {
        config.authority_host = url::Url::parse(host)
            .map_err(|e| CliError::usage(format!("--authority-host {host:?} is not a URL: {e}")))?;
    }
    if let Some(id) = &conn.client_id {
        config.client_id.clone_from(id);
    }
    let profiles = profiles()?;
    let sign_in = SignIn::new(config);
    let on_prompt = |p: &DeviceCodePrompt| reporter.notice(&p.message());
    reporter.message(&format!("Signing in to {tenant}…"));
    let prompt = if conn.device_code {
        auth::Prompt::DeviceCode {
            on_prompt: &on_prompt,
            sleep: auth::tokio_sleeper(),
        }
    } else {
        auth::Prompt::BrowserOrDeviceCode {
            browser: &SystemBrowser,
            on_prompt: &on_prompt,
            sleep: auth::tokio_sleeper(),
        }
    };
    let session = sign_in
        .sign_in(&profiles, prompt)
        .await
        .map_err(|e| auth_error(&e))?;
    if let Some(w) = session.keychain_warning() {
        reporter.notice(&format!("warning: {w}"));
    }
    Ok(session.token_source())
}

/// Collects the tenant's snapshot with progress on the terminal.
pub async fn collect(
    conn: &ConnectionArgs,
    tenant: &str,
    tokens: Arc<dyn TokenSource>,
    reporter: &Reporter,
) -> Result<TenantSnapshot, CliError> {
    let cloud = cloud(conn.cloud);
    let endpoints = Endpoints::new(
        cloud,
        conn.authority_host.as_deref(),
        conn.graph_host.as_deref(),
    )
    .map_err(|e| CliError::usage(e.to_string()))?;
    let mut config = CollectConfig::new(tenant, cloud);
    config.endpoints = endpoints;
    let mut done = 0usize;
    let total = pimready_core::snapshot::Dataset::ALL.len();
    let mut on_progress = |p: Progress| match p {
        Progress::Started { .. } => {}
        Progress::Finished { dataset, items } => {
            done += 1;
            reporter.message(&format!("[{done}/{total}] {} ({items})", dataset.label()));
        }
        Progress::Gap {
            dataset, reason, ..
        } => {
            done += 1;
            reporter.message(&format!(
                "[{done}/{total}] {}: {}",
                dataset.label(),
                reason.as_str()
            ));
        }
    };
    let result = collect_snapshot(config, tokens, &mut on_progress).await;
    reporter.finish();
    result.map_err(|e| collect_error(&e))
}

/// Reads each dataset once with the signed-in token (`pimready preflight`).
pub async fn preflight(
    conn: &ConnectionArgs,
    tenant: &str,
    tokens: Arc<dyn TokenSource>,
) -> Result<pimready_app::preflight::PreflightReport, CliError> {
    let cloud = cloud(conn.cloud);
    let endpoints = Endpoints::new(
        cloud,
        conn.authority_host.as_deref(),
        conn.graph_host.as_deref(),
    )
    .map_err(|e| CliError::usage(e.to_string()))?;
    let mut config = CollectConfig::new(tenant, cloud);
    config.endpoints = endpoints;
    pimready_app::preflight::probe(&config, tokens)
        .await
        .map_err(|e| collect_error(&e))
}

fn collect_error(e: &CollectError) -> CliError {
    match e {
        CollectError::SignIn(_) => CliError::new(Exit::SignIn, e.to_string())
            .hint("sign in again (pimready signout --tenant X, then run the command again)"),
        CollectError::TenantMismatch { .. } => CliError::new(Exit::SignIn, e.to_string())
            .hint("check --tenant, or sign in with an account of that tenant"),
        CollectError::Setup(_) => CliError::usage(e.to_string()),
        CollectError::Unreachable { .. } => CliError::new(Exit::Collection, e.to_string())
            .hint("check the network connection and --graph-host"),
        CollectError::NothingRead(_) => CliError::new(Exit::Collection, e.to_string())
            .hint("the signed-in account needs a reader role in the tenant (e.g. Global Reader) and the consented read-only permissions"),
    }
}

/// After a successful assessment: remember when the tenant was last assessed.
pub fn mark_assessed(snapshot: &TenantSnapshot) {
    if let Some(store) = ProfileStore::default_location() {
        let _ = store.mark_assessed(&snapshot.tenant_id, snapshot.meta.collected_at);
    }
}

pub fn tenants() -> Result<(), CliError> {
    let list = profiles()?
        .list()
        .map_err(|e| CliError::usage(e.to_string()))?;
    if list.is_empty() {
        println!("No saved tenants. Sign in with `pimready assess --tenant <domain>`.");
        return Ok(());
    }
    println!(
        "{:<32}  {:<36}  {:<9}  {:<32}  last assessed",
        "tenant", "tenant id", "cloud", "account"
    );
    for p in list {
        println!(
            "{:<32}  {:<36}  {:<9}  {:<32}  {}",
            p.tenant,
            p.tenant_id,
            p.cloud,
            p.account,
            p.last_assessed.map_or_else(
                || "never".to_owned(),
                |d| d.format("%Y-%m-%d %H:%M").to_string()
            )
        );
    }
    Ok(())
}

/// Removes the tenant's saved profiles and keychain entries; returns how many.
pub fn forget_sign_in(tenant: &str) -> Result<usize, CliError> {
    let Some(profiles) = ProfileStore::default_location() else {
        return Ok(0);
    };
    auth::sign_out(&profiles, &KeyringStore::new(), Some(tenant))
        .map(|gone| gone.len())
        .map_err(|e| auth_error(&e))
}

pub fn signout(tenant: Option<&str>, quiet: bool) -> Result<(), CliError> {
    let profiles = profiles()?;
    let gone =
        auth::sign_out(&profiles, &KeyringStore::new(), tenant).map_err(|e| auth_error(&e))?;
    if !quiet {
        match (gone.len(), tenant) {
            (0, Some(t)) => println!("No saved sign-in for {t}."),
            (0, None) => println!("No saved sign-ins."),
            (n, _) => println!(
                "Signed out of {n} tenant profile(s); cached tokens removed from the keychain."
            ),
        }
    }
    Ok(())
}
