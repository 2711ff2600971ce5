//! Secrets and where the Graph client gets its bearer token.
//!
//! Secrets are newtypes whose `Debug` prints `[redacted]`; they are never `Serialize`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// An OAuth2 access token (lives in memory only).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

/// An OAuth2 refresh token (lives in the OS keychain only).
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

macro_rules! secret {
    ($t:ident) => {
        impl $t {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }
            /// The secret itself: only for an `Authorization` header or the keychain.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($t), "([redacted])"))
            }
        }
    };
}
secret!(AccessToken);
secret!(RefreshToken);

/// Why no token could be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TokenError {
    /// The user must sign in (again): no cached sign-in, or the refresh was refused.
    #[error("sign-in required: {0}")]
    SignInRequired(String),
    /// The authority could not be reached.
    #[error("could not reach the sign-in service: {0}")]
    Network(String),
    #[error("{0}")]
    Other(String),
}

pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<AccessToken, TokenError>> + Send + 'a>>;

/// Where the Graph client gets a bearer token. Implemented by the sign-in module
/// (refreshing silently) and by [`StaticToken`] (tests, `PIMREADY_ACCESS_TOKEN`).
pub trait TokenSource: Send + Sync {
    /// A token valid now.
    fn access_token(&self) -> TokenFuture<'_>;
    /// Graph answered 401 to this token: drop it so the next call refreshes.
    fn token_rejected(&self, _token: &AccessToken) {}
}

/// A fixed token.
#[derive(Debug, Clone)]
pub struct StaticToken(pub AccessToken);

impl TokenSource for StaticToken {
    fn access_token(&self) -> TokenFuture<'_> {
        let t = self.0.clone();
        Box::pin(async move { Ok(t) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let t = AccessToken::new("eyJ0eXAiOiJKV1Qi.secret");
        assert_eq!(format!("{t:?}"), "AccessToken([redacted])");
        assert!(!format!("{:?}", RefreshToken::new("0.AAA-secret")).contains("secret"));
    }
}
