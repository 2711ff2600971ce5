//! The device authorization grant: show a code and a URL, then poll the token
//! endpoint (authorization_pending, slow_down +5 s) until the user finishes.

use std::sync::Arc;
use std::time::Duration;

use oauth2::DeviceCodeErrorResponseType;
use oauth2::basic::BasicErrorResponseType;
use oauth2::{RequestTokenError, Scope, StandardDeviceAuthorizationResponse};

use super::error::AuthError;
use super::session::{accept, http_fn, oauth_client, token_error, transport_error};
use super::{BoxFuture, Session, SignIn};

/// What the user must do: open `verification_uri` and enter `user_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodePrompt {
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: Duration,
}

impl DeviceCodePrompt {
    /// The one line the CLI prints on stderr.
    pub fn message(&self) -> String {
        format!(
            "To sign in, open {} and enter the code {}",
            self.verification_uri, self.user_code
        )
    }
}

/// Waits between polls; injectable so tests run without real sleeping.
pub type Sleeper = Arc<dyn Fn(Duration) -> BoxFuture<()> + Send + Sync>;

/// The real sleeper.
pub fn tokio_sleeper() -> Sleeper {
    Arc::new(|d| Box::pin(tokio::time::sleep(d)))
}

impl SignIn {
    /// Device code sign-in: `on_prompt` receives the code and URL to show; `sleep`
    /// waits between polls (the interval grows by 5 s on each `slow_down`).
    pub async fn device_code(
        &self,
        on_prompt: &(dyn Fn(&DeviceCodePrompt) + Send + Sync),
        sleep: Sleeper,
    ) -> Result<Session, AuthError> {
        let config = &self.config;
        let client = oauth_client(config, &config.tenant)?;
        let http = http_fn(&self.http);
        let details: StandardDeviceAuthorizationResponse = client
            .exchange_device_code()
            .add_scopes(config.requested_scopes().into_iter().map(Scope::new))
            .request_async(&http)
            .await
            .map_err(|e| token_error(e, config))?;
        on_prompt(&DeviceCodePrompt {
            user_code: details.user_code().secret().clone(),
            verification_uri: details.verification_uri().to_string(),
            expires_in: details.expires_in(),
        });
        let clock = self.clock.clone();
        let response = client
            .exchange_device_access_token(&details)
            .set_time_fn(move || clock())
            .request_async(&http, move |d| sleep(d), Some(details.expires_in()))
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => match r.error() {
                    DeviceCodeErrorResponseType::ExpiredToken => AuthError::DeviceCodeExpired,
                    DeviceCodeErrorResponseType::AccessDenied => AuthError::Declined,
                    DeviceCodeErrorResponseType::Basic(BasicErrorResponseType::Extension(x))
                        if x == "authorization_declined" =>
                    {
                        AuthError::Declined
                    }
                    DeviceCodeErrorResponseType::Basic(BasicErrorResponseType::Extension(x))
                        if x == "bad_verification_code" =>
                    {
                        AuthError::BadVerificationCode
                    }
                    other => AuthError::from_server(
                        other.as_ref(),
                        r.error_description().map(String::as_str),
                        &config.tenant,
                        &config.client_id,
                        |error, description| AuthError::TokenRequestFailed { error, description },
                    ),
                },
                RequestTokenError::Other(m) if m.contains("timed out") || m.contains("timeout") => {
                    AuthError::DeviceCodeExpired
                }
                other => transport_error(other),
            })?;
        let accepted = accept(&response, config, None, (self.clock)())?;
        Session::signed_in(self, accepted)
    }
}
