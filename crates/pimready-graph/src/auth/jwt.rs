//! Reading the claims of an ID or access token. No signature check: the token came
//! straight from the authority over TLS, and we only use `tid` to refuse tokens of
//! another tenant and the account name for display and the cache key.

use base64::Engine as _;
use serde::Deserialize;

/// The claims PIM Ready reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Claims {
    #[serde(default)]
    pub tid: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub upn: Option<String>,
    #[serde(default)]
    pub oid: Option<String>,
    /// Delegated scopes, space-separated (access tokens only).
    #[serde(default)]
    pub scp: Option<String>,
}

impl Claims {
    /// The account name: `preferred_username`, else `upn`, else the object id.
    pub fn account(&self) -> Option<String> {
        self.preferred_username
            .clone()
            .or_else(|| self.upn.clone())
            .or_else(|| self.oid.clone())
            .map(|a| a.to_lowercase())
    }

    /// The delegated scopes, sorted.
    pub fn scopes(&self) -> Vec<String> {
        let mut scopes: Vec<String> = self
            .scp
            .as_deref()
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        scopes.sort();
        scopes
    }
}

/// The payload of a JWT, or `None` when the token is not JWT-shaped.
pub(crate) fn claims(token: &str) -> Option<Claims> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pimready_core::snapshot::is_guid;

    #[test]
    fn reads_claims_and_guids() {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let t = format!(
            "{}.{}.sig",
            enc.encode("{}"),
            enc.encode(r#"{"tid":"t1","upn":"A@B.com"}"#)
        );
        let c = claims(&t).unwrap();
        assert_eq!(c.tid.as_deref(), Some("t1"));
        assert_eq!(c.account().as_deref(), Some("a@b.com"));
        assert!(claims("opaque").is_none());
        assert!(is_guid("0e3bb5c8-3f4c-4b6a-9d3e-2f1a5b6c7d8e"));
        assert!(!is_guid("contoso.onmicrosoft.com"));
    }
}
