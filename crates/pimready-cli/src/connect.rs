//! Signing in and collecting: the network half of `assess` and `collect`, shown on the
//! terminal. The workflow itself is `pimready_app`'s.

use pimready_app::connect::{self as app, Connection, SignInMethod, SignInPrompts};
use pimready_app::run::{self, Step};
use pimready_app::target::{AzureSignIn, HostOverrides, Target};
use pimready_core::snapshot::TenantSnapshot;
use pimready_graph::auth::{DeviceCodePrompt, SystemBrowser};

use crate::args::ConnectionArgs;
use crate::error::CliError;
use crate::progress::Reporter;

/// The tenant target the flags describe.
pub fn target(conn: &ConnectionArgs, tenant: &str) -> Result<Target, CliError> {
    Ok(Target::new(tenant, conn.cloud)?
        .with_client_id(conn.client_id.as_deref())
        .with_redirect_host(conn.redirect_host)
        .with_azure(if conn.no_azure {
            AzureSignIn::Skip
        } else {
            AzureSignIn::WithGraph
        })
        .with_hosts(HostOverrides {
            authority: conn.authority_host.clone(),
            graph: conn.graph_host.clone(),
            arm: conn.arm_host.clone(),
        }))
}

/// Signs in to `tenant` (silently from the keychain when possible).
pub async fn sign_in(
    conn: &ConnectionArgs,
    tenant: &str,
    reporter: &Reporter,
) -> Result<Connection, CliError> {
    let target = target(conn, tenant)?;
    // Hosts are checked before anyone is asked to sign in.
    target.endpoints()?;
    if let Some(connection) = app::connection_from_env(&target) {
        return Ok(connection);
    }
    let on_device_code = |p: &DeviceCodePrompt| reporter.notice(&p.message());
    reporter.message(&format!("Signing in to {tenant}…"));
    let method = if conn.device_code {
        SignInMethod::DeviceCode
    } else {
        SignInMethod::Browser
    };
    let prompts = SignInPrompts {
        browser: &SystemBrowser,
        on_device_code: &on_device_code,
    };
    let connection = app::sign_in(&target, method, prompts).await?;
    if let Some(w) = &connection.keychain_warning {
        reporter.notice(&format!("warning: {w}"));
    }
    Ok(connection)
}

/// `pimready apply`'s sign-in: a token in `PIMREADY_ACCESS_TOKEN`, else an interactive
/// sign-in asking for `write_scopes` too, kept in memory only.
pub async fn sign_in_to_write(
    conn: &ConnectionArgs,
    tenant: &str,
    reporter: &Reporter,
    write_scopes: &[String],
) -> Result<Connection, CliError> {
    let target = target(conn, tenant)?;
    target.endpoints()?;
    if let Some(connection) = app::connection_from_env(&target) {
        return Ok(connection);
    }
    let on_device_code = |p: &DeviceCodePrompt| reporter.notice(&p.message());
    reporter.message(&format!(
        "Signing in to {tenant} with write permissions ({})…",
        write_scopes.join(", ")
    ));
    let method = if conn.device_code {
        SignInMethod::DeviceCode
    } else {
        SignInMethod::Browser
    };
    let prompts = SignInPrompts {
        browser: &SystemBrowser,
        on_device_code: &on_device_code,
    };
    Ok(app::sign_in_to_write(&target, method, prompts, write_scopes).await?)
}

/// Collects the tenant's snapshot with progress on the terminal.
pub async fn collect(
    connection: &Connection,
    reporter: &Reporter,
) -> Result<TenantSnapshot, CliError> {
    let mut on_step = |step: Step| match step {
        Step::Started { .. } => {}
        Step::Read {
            total,
            done,
            dataset,
            items,
            ..
        } => reporter.message(&format!("[{done}/{total}] {} ({items})", dataset.label())),
        Step::Gap {
            total,
            done,
            dataset,
            reason,
            ..
        } => reporter.message(&format!(
            "[{done}/{total}] {}: {}",
            dataset.label(),
            reason.as_str()
        )),
    };
    let never = std::sync::atomic::AtomicBool::new(false);
    let result = run::collect(connection, &mut on_step, &never).await;
    reporter.finish();
    Ok(result?)
}

pub fn tenants() -> Result<(), CliError> {
    let list = app::profiles()?
        .list()
        .map_err(pimready_app::Problem::from)?;
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
    Ok(app::sign_out(Some(tenant))?.len())
}

pub fn signout(tenant: Option<&str>, quiet: bool) -> Result<(), CliError> {
    let gone = app::sign_out(tenant)?;
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
