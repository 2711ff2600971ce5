//! Sign-in failures, each with a stable `kind` the faces branch on.
//!
//! Messages never carry token material: only the server's `error` code and its
//! `error_description` (which Microsoft fills with an `AADSTS…` code and prose).

use std::time::Duration;

use crate::token::TokenError;

use super::scopes::SCOPES;

/// Why a sign-in did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthError {
    /// No usable cached sign-in, or the refresh token was refused (`invalid_grant`).
    #[error("sign in again: {0}")]
    SignInRequired(String),
    /// The app lacks (admin) consent in the tenant: `AADSTS65001` or `AADSTS90094`.
    #[error(
        "{code}: PIM Ready has not been granted the read-only permissions it needs in tenant {tenant}. \
         An administrator (Global Administrator, Privileged Role Administrator or Cloud Application \
         Administrator) must grant admin consent for client id {client_id} to these delegated Microsoft \
         Graph permissions: {scopes}. In the Entra admin center: Enterprise applications → the app → \
         Permissions → Grant admin consent, or sign in once as such an administrator and accept the \
         prompt for the organisation. See docs/sign-in.md."
    )]
    ConsentRequired {
        code: String,
        tenant: String,
        client_id: String,
        scopes: String,
    },
    /// The redirect URI is not one the client registers: Entra answers AADSTS50011 in
    /// the browser and never redirects, so this is said before a browser opens.
    #[error(
        "AADSTS50011: the redirect URI http://{sent}:PORT does not match the redirect URIs configured for \
         client id {client_id}, which registers http://{registered} (Microsoft Entra ignores the port of a \
         loopback redirect, not its host)"
    )]
    RedirectUriNotRegistered {
        client_id: String,
        sent: super::RedirectHost,
        registered: super::RedirectHost,
    },
    /// Nobody completed the sign-in in the browser in time.
    #[error("no sign-in answer from the browser within {}s; run the command again (or use --device-code). If the browser showed AADSTS50011, the app registration does not list this redirect URI: see docs/sign-in.md", .0.as_secs_f32())]
    Timeout(Duration),
    /// No browser could be opened: the caller may fall back to the device code flow.
    #[error("could not open a browser ({0}); use --device-code")]
    BrowserUnavailable(String),
    /// The authorization endpoint answered with an error on the redirect.
    #[error("sign-in was refused ({error}): {description}")]
    AuthorizationFailed { error: String, description: String },
    /// The token endpoint refused a request (code exchange, device code).
    #[error("the sign-in service refused the token request ({error}): {description}")]
    TokenRequestFailed { error: String, description: String },
    /// Device code flow: the code expired before the user finished.
    #[error("the device code expired before sign-in was completed; run the command again")]
    DeviceCodeExpired,
    /// Device code flow: the user declined.
    #[error("sign-in was declined by the user")]
    Declined,
    /// Device code flow: the server did not recognise the device code.
    #[error(
        "the sign-in service did not recognise the device code (bad_verification_code); run the command again"
    )]
    BadVerificationCode,
    /// The token was issued by another tenant than the one asked for.
    #[error(
        "signed in to tenant {got}, but tenant {asked} was asked for; tokens of other tenants are never used"
    )]
    TenantMismatch { asked: String, got: String },
    /// The token answer lacked something we need (tid, account).
    #[error("unexpected answer from the sign-in service: {0}")]
    InvalidResponse(String),
    /// The sign-in service could not be reached.
    #[error("could not reach the sign-in service: {0}")]
    Network(String),
    /// Local I/O (loopback listener, profile file).
    #[error("{0}")]
    Io(String),
}

pimready_core::error_kind!(
    /// The stable kind of an [`AuthError`].
    AuthErrorKind {
        SignInRequired => "sign_in_required",
        ConsentRequired => "consent_required",
        RedirectUriNotRegistered => "redirect_uri_not_registered",
        Timeout => "timeout",
        BrowserUnavailable => "browser_unavailable",
        AuthorizationFailed => "authorization_failed",
        TokenRequestFailed => "token_request_failed",
        DeviceCodeExpired => "device_code_expired",
        Declined => "declined",
        BadVerificationCode => "bad_verification_code",
        TenantMismatch => "tenant_mismatch",
        InvalidResponse => "invalid_response",
        Network => "network",
        Io => "io",
    }
);

impl AuthError {
    /// A stable identifier for the UI to branch on.
    pub fn kind(&self) -> AuthErrorKind {
        match self {
            AuthError::SignInRequired(_) => AuthErrorKind::SignInRequired,
            AuthError::ConsentRequired { .. } => AuthErrorKind::ConsentRequired,
            AuthError::RedirectUriNotRegistered { .. } => AuthErrorKind::RedirectUriNotRegistered,
            AuthError::Timeout(_) => AuthErrorKind::Timeout,
            AuthError::BrowserUnavailable(_) => AuthErrorKind::BrowserUnavailable,
            AuthError::AuthorizationFailed { .. } => AuthErrorKind::AuthorizationFailed,
            AuthError::TokenRequestFailed { .. } => AuthErrorKind::TokenRequestFailed,
            AuthError::DeviceCodeExpired => AuthErrorKind::DeviceCodeExpired,
            AuthError::Declined => AuthErrorKind::Declined,
            AuthError::BadVerificationCode => AuthErrorKind::BadVerificationCode,
            AuthError::TenantMismatch { .. } => AuthErrorKind::TenantMismatch,
            AuthError::InvalidResponse(_) => AuthErrorKind::InvalidResponse,
            AuthError::Network(_) => AuthErrorKind::Network,
            AuthError::Io(_) => AuthErrorKind::Io,
        }
    }

    /// Map a server error (`error` + `error_description`) to a typed error: consent
    /// failures become [`AuthError::ConsentRequired`], others `fallback`.
    pub(crate) fn from_server(
        error: &str,
        description: Option<&str>,
        tenant: &str,
        client_id: &str,
        fallback: impl FnOnce(String, String) -> AuthError,
    ) -> AuthError {
        let description = description.unwrap_or("").trim().to_owned();
        for code in ["AADSTS65001", "AADSTS90094"] {
            if description.contains(code) {
                return AuthError::ConsentRequired {
                    code: code.to_owned(),
                    tenant: tenant.to_owned(),
                    client_id: client_id.to_owned(),
                    scopes: SCOPES
                        .iter()
                        .filter(|s| s.graph)
                        .map(|s| s.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                };
            }
        }
        fallback(error.to_owned(), description)
    }
}

impl From<AuthError> for TokenError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::SignInRequired(m) => TokenError::SignInRequired(m),
            AuthError::Network(m) => TokenError::Network(m),
            other => TokenError::Other(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(description: &str) -> AuthError {
        AuthError::from_server(
            "invalid_grant",
            Some(description),
            "contoso.com",
            "cid",
            |error, description| AuthError::TokenRequestFailed { error, description },
        )
    }

    #[test]
    fn consent_errors_are_typed() {
        for code in ["AADSTS65001", "AADSTS90094"] {
            let e = map(&format!("{code}: consent needed"));
            assert_eq!(e.kind(), AuthErrorKind::ConsentRequired);
            let text = e.to_string();
            assert!(
                text.contains(code)
                    && text.contains("contoso.com")
                    && text.contains("Policy.Read.All"),
                "{text}"
            );
        }
        assert_eq!(
            map("AADSTS50173: revoked").kind(),
            AuthErrorKind::TokenRequestFailed
        );
    }

    /// Every word the faces may branch on, pinned.
    #[test]
    fn kinds_are_stable() {
        assert_eq!(
            AuthErrorKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>(),
            [
                "sign_in_required",
                "consent_required",
                "redirect_uri_not_registered",
                "timeout",
                "browser_unavailable",
                "authorization_failed",
                "token_request_failed",
                "device_code_expired",
                "declined",
                "bad_verification_code",
                "tenant_mismatch",
                "invalid_response",
                "network",
                "io",
            ]
        );
        assert_eq!(
            AuthError::Declined.kind().to_string(),
            "declined",
            "Display is the word"
        );
    }

    #[test]
    fn sign_in_required_maps_to_token_error() {
        let t: TokenError = AuthError::SignInRequired("again".into()).into();
        assert!(matches!(t, TokenError::SignInRequired(m) if m == "again"));
    }
}
