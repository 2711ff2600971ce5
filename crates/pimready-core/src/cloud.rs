//! Microsoft clouds and the hosts PIM Ready talks to.
//!
//! Hosts are checked once, here: a Microsoft cloud's own host over https, or a loopback
//! host (the tenant emulator, http allowed). Tokens and codes only ever travel to such a
//! host. The Graph client trusts a [`GraphHost`] without re-checking.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use url::{Host, Url};

/// A Microsoft cloud (hosts from Microsoft's "national cloud deployments" page). The one
/// cloud type: its wire name (`global`, `usgov`, `usgov-dod`, `china`) is the same in
/// snapshots, reports, the history database, saved profiles, keychain entry names and
/// `--cloud`; the JSON schema still calls it `CloudName`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[schemars(
    rename = "CloudName",
    description = "Which Microsoft cloud a tenant lives in."
)]
pub enum Cloud {
    #[default]
    Global,
    // US Government L4 (GCC High). (Plain comments: a doc comment would enter the schema.)
    Usgov,
    // US Government L5 (DoD).
    UsgovDod,
    // Operated by 21Vianet.
    China,
}

impl Cloud {
    pub const ALL: [Cloud; 4] = [Cloud::Global, Cloud::Usgov, Cloud::UsgovDod, Cloud::China];

    /// The name used on the command line and in settings.
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::Usgov => "usgov",
            Cloud::UsgovDod => "usgov-dod",
            Cloud::China => "china",
        }
    }

    /// The Microsoft Entra sign-in host.
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Global => "login.microsoftonline.com",
            Cloud::Usgov | Cloud::UsgovDod => "login.microsoftonline.us",
            Cloud::China => "login.chinacloudapi.cn",
        }
    }

    /// The Microsoft Graph host.
    pub fn graph_host(self) -> &'static str {
        match self {
            Cloud::Global => "graph.microsoft.com",
            Cloud::Usgov => "graph.microsoft.us",
            Cloud::UsgovDod => "dod-graph.microsoft.us",
            Cloud::China => "microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The Azure Resource Manager host. Global: `management.azure.com`; US Government (L4 and
    /// L5 alike): `management.usgovcloudapi.net`; China: `management.chinacloudapi.cn`
    /// (<https://learn.microsoft.com/azure/azure-government/compare-azure-government-global-azure>,
    /// <https://learn.microsoft.com/azure/china/resources-developer-guide>).
    pub fn arm_host(self) -> &'static str {
        match self {
            Cloud::Global => "management.azure.com",
            Cloud::Usgov | Cloud::UsgovDod => "management.usgovcloudapi.net",
            Cloud::China => "management.chinacloudapi.cn",
        }
    }

    /// The cloud's own hosts, without overrides.
    pub fn endpoints(self) -> Endpoints {
        let https = |host: &str| Url::parse(&format!("https://{host}/")).expect("static host");
        Endpoints {
            authority: https(self.authority_host()),
            graph: GraphHost(https(self.graph_host())),
            arm: ArmHost(GraphHost(https(self.arm_host()))),
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Cloud {
    type Err = EndpointError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cloud::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| EndpointError::UnknownCloud(s.to_owned()))
    }
}

/// A host that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("unknown cloud {0:?} (expected global, usgov, usgov-dod or china)")]
    UnknownCloud(String),
    #[error("{0:?} is not a valid URL")]
    Invalid(String),
    #[error("{0} must use https (plain http is allowed only for 127.0.0.1, ::1 and localhost)")]
    NotHttps(String),
    #[error(
        "{0} must be a bare host such as https://graph.microsoft.com (no path, query, user or password)"
    )]
    NotBare(String),
    #[error(
        "{host} is not a Microsoft cloud's {kind} host (allowed: {allowed}, or a loopback host such as http://127.0.0.1:PORT); tokens are only sent to Microsoft's own hosts"
    )]
    NotMicrosoft {
        host: String,
        kind: &'static str,
        allowed: String,
    },
}

/// Which service a host override is for: each may only name that service's hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    /// Microsoft Entra sign-in (`login.microsoftonline.com`, …).
    Authority,
    /// Microsoft Graph (`graph.microsoft.com`, …).
    Graph,
    /// Azure Resource Manager (`management.azure.com`, …).
    Arm,
}

impl HostKind {
    fn label(self) -> &'static str {
        match self {
            HostKind::Authority => "sign-in",
            HostKind::Graph => "Microsoft Graph",
            HostKind::Arm => "Azure Resource Manager",
        }
    }

    /// The national clouds' own hosts of this kind.
    pub fn allowed_hosts(self) -> Vec<&'static str> {
        let mut hosts: Vec<&'static str> = Cloud::ALL
            .into_iter()
            .map(|c| match self {
                HostKind::Authority => c.authority_host(),
                HostKind::Graph => c.graph_host(),
                HostKind::Arm => c.arm_host(),
            })
            .collect();
        hosts.dedup();
        hosts
    }
}

/// Checks a service host: a national cloud's own host of `kind` over https, or a loopback
/// host (http allowed); nothing but scheme, host and port.
fn validate_host(text: &str, kind: HostKind) -> Result<Url, EndpointError> {
    let trimmed = text.trim();
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let url = Url::parse(&with_scheme).map_err(|_| EndpointError::Invalid(text.to_owned()))?;
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => return Err(EndpointError::Invalid(text.to_owned())),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(EndpointError::NotHttps(text.to_owned())),
    }
    let allowed = kind.allowed_hosts();
    let microsoft = url.port().is_none()
        && url
            .host_str()
            .is_some_and(|h| allowed.iter().any(|a| a.eq_ignore_ascii_case(h)));
    if !loopback && !microsoft {
        return Err(EndpointError::NotMicrosoft {
            host: text.trim().to_owned(),
            kind: kind.label(),
            allowed: allowed.join(", "),
        });
    }
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(EndpointError::NotBare(text.to_owned()));
    }
    Ok(url)
}

/// The Microsoft Graph host the client may send its bearer token to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphHost(Url);

impl GraphHost {
    /// Parses `https://host` (a missing scheme means https): a national cloud's Graph
    /// host, or a loopback host with its port.
    pub fn parse(text: &str) -> Result<Self, EndpointError> {
        validate_host(text, HostKind::Graph).map(GraphHost)
    }

    /// `scheme://host[:port]/`.
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The host name, as written into the snapshot.
    pub fn host(&self) -> String {
        let host = self.0.host_str().unwrap_or_default();
        match self.0.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        }
    }

    /// Whether `url` has this host's scheme, host and port: only then may the token go there.
    pub fn is_same_origin(&self, url: &Url) -> bool {
        url.scheme() == self.0.scheme()
            && url.host() == self.0.host()
            && url.port_or_known_default() == self.0.port_or_known_default()
    }

    /// An absolute URL for a path such as `/v1.0/organization?$select=id`.
    pub fn join(&self, path_and_query: &str) -> Result<Url, EndpointError> {
        let url = self
            .0
            .join(path_and_query)
            .map_err(|_| EndpointError::Invalid(path_and_query.to_owned()))?;
        if self.is_same_origin(&url) {
            Ok(url)
        } else {
            Err(EndpointError::Invalid(path_and_query.to_owned()))
        }
    }
}

impl fmt::Display for GraphHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

impl FromStr for GraphHost {
    type Err = EndpointError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GraphHost::parse(s)
    }
}

/// The Azure Resource Manager host the ARM client may send its (ARM) bearer token to:
/// validated like a Graph host, against the clouds' ARM hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmHost(GraphHost);

impl ArmHost {
    /// Parses `https://host`: a national cloud's ARM host, or a loopback host with its port.
    pub fn parse(text: &str) -> Result<Self, EndpointError> {
        validate_host(text, HostKind::Arm).map(|u| ArmHost(GraphHost(u)))
    }

    /// The same origin rules as Graph's, for the HTTP client (paging stays on this host).
    pub fn as_client_host(&self) -> &GraphHost {
        &self.0
    }

    pub fn host(&self) -> String {
        self.0.host()
    }

    /// The delegated scope of this ARM host's resource, e.g.
    /// `https://management.azure.com/user_impersonation` (loopback hosts: the global one,
    /// as the emulator stands in for it).
    pub fn scope(&self) -> String {
        let host = self.0.url().host_str().unwrap_or_default();
        if HostKind::Arm
            .allowed_hosts()
            .iter()
            .any(|a| a.eq_ignore_ascii_case(host))
        {
            format!("https://{host}/user_impersonation")
        } else {
            crate::snapshot::ARM_SCOPE.to_owned()
        }
    }
}

impl fmt::Display for ArmHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where to sign in and where to read Graph and Azure Resource Manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://login.microsoftonline.com/` or an override (a cloud's sign-in host, or loopback).
    pub authority: Url,
    pub graph: GraphHost,
    pub arm: ArmHost,
}

impl Endpoints {
    /// The cloud's hosts, with `--authority-host` / `--graph-host` overrides applied.
    pub fn new(
        cloud: Cloud,
        authority: Option<&str>,
        graph: Option<&str>,
    ) -> Result<Self, EndpointError> {
        let mut endpoints = cloud.endpoints();
        if let Some(a) = authority {
            endpoints.authority = validate_host(a, HostKind::Authority)?;
        }
        if let Some(g) = graph {
            endpoints.graph = GraphHost::parse(g)?;
        }
        Ok(endpoints)
    }

    /// These endpoints with the `--arm-host` override applied.
    pub fn with_arm(mut self, arm: Option<&str>) -> Result<Self, EndpointError> {
        if let Some(a) = arm {
            self.arm = ArmHost::parse(a)?;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, &str>) {
        let got = GraphHost::parse(input)
            .map(|h| h.to_string())
            .map_err(|e| match e {
                EndpointError::UnknownCloud(_) => "cloud",
                EndpointError::Invalid(_) => "invalid",
                EndpointError::NotHttps(_) => "https",
                EndpointError::NotBare(_) => "bare",
                EndpointError::NotMicrosoft { .. } => "not microsoft",
            });
        assert_eq!(got, expected.map(str::to_owned), "{input}");
    }

    #[test]
    fn graph_host_validation() {
        check(
            "https://graph.microsoft.com",
            Ok("https://graph.microsoft.com"),
        );
        check("graph.microsoft.us", Ok("https://graph.microsoft.us"));
        check(
            "https://graph.microsoft.com/",
            Ok("https://graph.microsoft.com"),
        );
        check("http://127.0.0.1:8080", Ok("http://127.0.0.1:8080"));
        check("http://127.5.6.7:1", Ok("http://127.5.6.7:1"));
        check("http://[::1]:9000", Ok("http://[::1]:9000"));
        check("http://localhost:3000", Ok("http://localhost:3000"));
        check("http://graph.microsoft.com", Err("https"));
        check("http://10.0.0.1", Err("https"));
        check("http://localhost.evil.com", Err("https"));
        check("ftp://graph.microsoft.com", Err("https"));
        check("https://graph.microsoft.com/v1.0", Err("bare"));
        check("https://user:pw@graph.microsoft.com", Err("bare"));
        check("https://graph.microsoft.com/?x=1", Err("bare"));
        check("https://", Err("invalid"));
        // Only Microsoft's own Graph hosts, or loopback: a bearer token never leaves them.
        check(
            "https://dod-graph.microsoft.us",
            Ok("https://dod-graph.microsoft.us"),
        );
        check("https://graph.example.com", Err("not microsoft"));
        check("https://graph.microsoft.com.evil.com", Err("not microsoft"));
        check("https://graph.microsoft.com:8443", Err("not microsoft"));
        check("https://login.microsoftonline.com", Err("not microsoft"));
        check("https://10.0.0.1", Err("not microsoft"));
        check("https://127.0.0.1:8443", Ok("https://127.0.0.1:8443"));
    }

    /// Host overrides name a national cloud's own host of their kind, or loopback.
    #[test]
    fn host_overrides_only_for_cloud_hosts_and_loopback() {
        let authority = |a: &str| Endpoints::new(Cloud::Global, Some(a), None);
        assert!(authority("https://login.microsoftonline.us").is_ok());
        assert!(authority("login.chinacloudapi.cn").is_ok());
        assert!(authority("http://[::1]:9").is_ok());
        for bad in [
            "https://login.example.com",
            "https://graph.microsoft.com",
            "https://login.microsoftonline.com.evil.com",
        ] {
            let e = authority(bad).unwrap_err();
            assert!(
                matches!(e, EndpointError::NotMicrosoft { .. }),
                "{bad}: {e}"
            );
            assert!(e.to_string().contains("login.microsoftonline.com"), "{e}");
        }
    }

    /// `--arm-host`: a national cloud's ARM host or loopback, never Graph or another host.
    #[test]
    fn arm_host_validation() {
        for (ok, shown) in [
            (
                "https://management.azure.com",
                "https://management.azure.com",
            ),
            (
                "management.usgovcloudapi.net",
                "https://management.usgovcloudapi.net",
            ),
            (
                "https://management.chinacloudapi.cn/",
                "https://management.chinacloudapi.cn",
            ),
            ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ] {
            assert_eq!(ArmHost::parse(ok).unwrap().to_string(), shown);
        }
        for bad in [
            "https://graph.microsoft.com",
            "https://management.azure.com.evil.com",
            "http://management.azure.com",
            "https://management.azure.com/subscriptions",
            "https://management.azure.com:8443",
        ] {
            assert!(ArmHost::parse(bad).is_err(), "{bad}");
        }
        let e = ArmHost::parse("https://arm.example.com").unwrap_err();
        assert!(
            e.to_string().contains("management.usgovcloudapi.net"),
            "{e}"
        );
        assert_eq!(
            Cloud::Usgov.endpoints().arm.scope(),
            "https://management.usgovcloudapi.net/user_impersonation"
        );
        assert_eq!(
            ArmHost::parse("http://[::1]:1").unwrap().scope(),
            "https://management.azure.com/user_impersonation"
        );
        let e = Cloud::China
            .endpoints()
            .with_arm(Some("http://localhost:7"))
            .unwrap();
        assert_eq!(e.arm.host(), "localhost:7");
        assert_eq!(
            Cloud::UsgovDod.endpoints().arm.host(),
            "management.usgovcloudapi.net"
        );
    }

    #[test]
    fn same_origin() {
        let host = GraphHost::parse("http://127.0.0.1:8080").unwrap();
        let same = |u: &str| host.is_same_origin(&Url::parse(u).unwrap());
        assert!(same("http://127.0.0.1:8080/v1.0/users?$skiptoken=x"));
        assert!(!same("http://127.0.0.1:8081/v1.0/users"));
        assert!(!same("https://127.0.0.1:8080/v1.0/users"));
        assert!(!same("http://localhost:8080/v1.0/users"));
        let global = Cloud::Global.endpoints().graph;
        assert!(
            global.is_same_origin(&Url::parse("https://graph.microsoft.com:443/v1.0/x").unwrap())
        );
        assert!(
            !global.is_same_origin(
                &Url::parse("https://graph.microsoft.com.evil.com/v1.0/x").unwrap()
            )
        );
    }

    #[test]
    fn clouds() {
        for (name, authority, graph) in [
            ("global", "login.microsoftonline.com", "graph.microsoft.com"),
            ("usgov", "login.microsoftonline.us", "graph.microsoft.us"),
            (
                "usgov-dod",
                "login.microsoftonline.us",
                "dod-graph.microsoft.us",
            ),
            (
                "china",
                "login.chinacloudapi.cn",
                "microsoftgraph.chinacloudapi.cn",
            ),
        ] {
            let cloud: Cloud = name.parse().unwrap();
            assert_eq!(cloud.as_str(), name);
            let e = cloud.endpoints();
            assert_eq!(e.authority.host_str(), Some(authority));
            assert_eq!(e.graph.host(), graph);
            assert_eq!(
                serde_json::to_value(cloud).unwrap(),
                serde_json::json!(name),
                "the wire name is the command-line name"
            );
            assert_eq!(serde_json::from_value::<Cloud>(name.into()).unwrap(), cloud);
        }
        assert!("germany".parse::<Cloud>().is_err());
        assert!(serde_json::from_value::<Cloud>("Global".into()).is_err());
        // Display pads, so terminal tables line up.
        assert_eq!(format!("[{:<9}]", Cloud::China), "[china    ]");
        let e = Endpoints::new(Cloud::China, None, Some("http://127.0.0.1:9")).unwrap();
        assert_eq!(e.graph.host(), "127.0.0.1:9");
        assert_eq!(e.authority.host_str(), Some("login.chinacloudapi.cn"));
        assert!(Endpoints::new(Cloud::Global, Some("http://login.example.com"), None).is_err());
    }
}
