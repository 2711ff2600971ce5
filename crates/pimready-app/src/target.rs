//! A tenant target: what the user typed (tenant, cloud, client id, host overrides), checked
//! once and turned into the sign-in and collection configurations both faces use.

use pimready_core::cloud::{Cloud, Endpoints};
use pimready_graph::auth::{RedirectHost, SignInConfig, check_tenant_name};
use pimready_graph::collect::CollectConfig;

use crate::problem::{Problem, Result};

/// Environment variables that point sign-in and Graph at other hosts (the emulator, a
/// national cloud's own host); the CLI's `--authority-host` / `--graph-host` win over them.
pub const AUTHORITY_HOST_VAR: &str = "PIMREADY_AUTHORITY_HOST";
pub const GRAPH_HOST_VAR: &str = "PIMREADY_GRAPH_HOST";
/// Points Azure Resource Manager at another host (`--arm-host` wins over it).
pub const ARM_HOST_VAR: &str = "PIMREADY_ARM_HOST";

/// Host overrides as given; validated by [`Target::endpoints`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostOverrides {
    pub authority: Option<String>,
    pub graph: Option<String>,
    /// Azure Resource Manager (`--arm-host`): a cloud's own ARM host, or loopback.
    pub arm: Option<String>,
}

impl HostOverrides {
    /// The overrides from the environment (empty values are ignored).
    pub fn from_env() -> Self {
        HostOverrides {
            authority: env_value(AUTHORITY_HOST_VAR),
            graph: env_value(GRAPH_HOST_VAR),
            arm: env_value(ARM_HOST_VAR),
        }
    }

    /// `self`, with each override the environment sets and `self` does not.
    #[must_use]
    pub fn or_env(self) -> Self {
        let env = HostOverrides::from_env();
        HostOverrides {
            authority: self.authority.or(env.authority),
            graph: self.graph.or(env.graph),
            arm: self.arm.or(env.arm),
        }
    }
}

fn env_value(var: &str) -> Option<String> {
    std::env::var(var)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// One tenant to sign in to and collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    tenant: String,
    cloud: Cloud,
    client_id: Option<String>,
    hosts: HostOverrides,
    redirect_host: RedirectHost,
    azure: AzureSignIn,
}

/// Whether an interactive sign-in also gets Azure Resource Manager's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AzureSignIn {
    /// After the Graph sign-in, a second one for ARM (same account and tenant): Azure
    /// resources are assessed.
    #[default]
    WithGraph,
    /// No ARM sign-in (`--no-azure`): Azure resources become a named gap.
    Skip,
}

impl Target {
    /// `tenant` as typed (trimmed): a tenant id or a DNS name; never `common`,
    /// `organizations` or `consumers`.
    pub fn new(tenant: &str, cloud: Cloud) -> Result<Self> {
        let tenant = tenant.trim();
        check_tenant_name(tenant).map_err(|why| {
            let mut chars = why.chars();
            let sentence = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default();
            Problem::invalid_input(format!("{sentence}."))
        })?;
        Ok(Target {
            tenant: tenant.to_owned(),
            cloud,
            client_id: None,
            hosts: HostOverrides::default(),
            redirect_host: RedirectHost::default(),
            azure: AzureSignIn::default(),
        })
    }

    /// The host of the browser sign-in's redirect URI (`localhost` unless the user's own
    /// app registration lists `http://127.0.0.1`).
    #[must_use]
    pub fn with_redirect_host(mut self, host: RedirectHost) -> Self {
        self.redirect_host = host;
        self
    }

    /// Use the user's own app registration; blank means the default client.
    #[must_use]
    pub fn with_client_id(mut self, client_id: Option<&str>) -> Self {
        self.client_id = client_id
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        self
    }

    /// Whether to sign in to Azure Resource Manager too.
    #[must_use]
    pub fn with_azure(mut self, azure: AzureSignIn) -> Self {
        self.azure = azure;
        self
    }

    pub fn azure(&self) -> AzureSignIn {
        self.azure
    }

    #[must_use]
    pub fn with_hosts(mut self, hosts: HostOverrides) -> Self {
        self.hosts = hosts;
        self
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    pub fn cloud(&self) -> Cloud {
        self.cloud
    }

    /// The cloud's sign-in and Graph hosts with the overrides applied: one validation rule
    /// for both (https, or http on loopback; a bare origin).
    pub fn endpoints(&self) -> Result<Endpoints> {
        Endpoints::new(
            self.cloud,
            self.hosts.authority.as_deref(),
            self.hosts.graph.as_deref(),
        )
        .and_then(|e| e.with_arm(self.hosts.arm.as_deref()))
        .map_err(|e| Problem::invalid_input(e.to_string()))
    }

    /// The sign-in configuration for this target.
    pub fn sign_in_config(&self) -> Result<SignInConfig> {
        let mut config = SignInConfig::new(self.cloud, &self.tenant)
            .map_err(|e| Problem::invalid_input(e.to_string()))?;
        config.authority_host = self.endpoints()?.authority;
        config.redirect_host = self.redirect_host;
        if let Some(id) = &self.client_id {
            config.client_id.clone_from(id);
        }
        Ok(config)
    }

    /// The collection configuration for the signed-in tenant `tenant_id`.
    pub fn collect_config(&self, tenant_id: &str) -> Result<CollectConfig> {
        let mut config = CollectConfig::new(tenant_id, self.cloud);
        config.endpoints = self.endpoints()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_tenants_are_refused_and_client_ids_trimmed() {
        assert!(Target::new("  ", Cloud::Global).is_err());
        let t = Target::new(" contoso.com ", Cloud::Global)
            .unwrap()
            .with_client_id(Some("  11111111-2222-3333-4444-555555555555 "));
        assert_eq!(t.tenant(), "contoso.com");
        let config = t.sign_in_config().unwrap();
        assert_eq!(config.client_id, "11111111-2222-3333-4444-555555555555");
        let blank = Target::new("contoso.com", Cloud::Global)
            .unwrap()
            .with_client_id(Some(" "));
        assert_eq!(
            blank.sign_in_config().unwrap().client_id,
            pimready_graph::auth::DEFAULT_CLIENT_ID
        );
    }

    #[test]
    fn tenants_are_ids_or_domains_never_the_aliases() {
        for alias in ["common", "organizations", "consumers"] {
            let e = Target::new(alias, Cloud::Global).unwrap_err();
            assert_eq!(e.kind, crate::ProblemKind::InvalidInput);
            assert!(e.message.contains("is not one tenant"), "{}", e.message);
        }
        let e = Target::new("contoso.com&calc", Cloud::Global).unwrap_err();
        assert_eq!(e.kind, crate::ProblemKind::InvalidInput);
        let t = Target::new("contoso.com", Cloud::Global)
            .unwrap()
            .with_redirect_host(RedirectHost::Ipv4Loopback);
        assert_eq!(
            t.sign_in_config().unwrap().redirect_host,
            RedirectHost::Ipv4Loopback
        );
    }

    /// `--arm-host`: the same rule as the other hosts (a cloud's own ARM host, or loopback).
    #[test]
    fn arm_host_override_is_validated() {
        let target = |arm: &str| {
            Target::new("contoso.com", Cloud::Usgov)
                .unwrap()
                .with_hosts(HostOverrides {
                    arm: Some(arm.to_owned()),
                    ..HostOverrides::default()
                })
        };
        let config = target("http://127.0.0.1:9").collect_config("t").unwrap();
        assert_eq!(config.endpoints.arm.host(), "127.0.0.1:9");
        let plain = Target::new("contoso.com", Cloud::Usgov).unwrap();
        assert_eq!(
            plain.collect_config("t").unwrap().endpoints.arm.host(),
            "management.usgovcloudapi.net"
        );
        for bad in ["https://arm.example.com", "https://graph.microsoft.com"] {
            let e = target(bad).collect_config("t").unwrap_err();
            assert_eq!(e.kind, crate::ProblemKind::InvalidInput, "{bad}");
            assert!(
                e.message.contains("Azure Resource Manager"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn one_host_rule_for_sign_in_and_graph() {
        let target = |authority: &str| {
            Target::new("contoso.com", Cloud::Global)
                .unwrap()
                .with_hosts(HostOverrides {
                    authority: Some(authority.to_owned()),
                    graph: None,
                    arm: None,
                })
        };
        // The same refusal whether the host is used to sign in or to collect.
        for bad in [
            "http://login.example.com",
            "https://login.example.com/path",
            "https://login.example.com",
        ] {
            assert!(target(bad).sign_in_config().is_err(), "{bad}");
            assert!(target(bad).collect_config("t").is_err(), "{bad}");
        }
        let ok = target("http://127.0.0.1:9");
        assert_eq!(
            ok.sign_in_config().unwrap().authority_host.as_str(),
            "http://127.0.0.1:9/"
        );
    }
}
