//! The small async HTTP adapter between `oauth2` and our reqwest 0.13 client.
//! The client never follows redirects: a token endpoint that redirects is refused
//! rather than having our form (code, verifier, refresh token) re-sent elsewhere.

use std::time::Duration;

use oauth2::{HttpRequest, HttpResponse};

/// A transport failure; carries no request body, so no secret.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// The reqwest client used for every call to the authority.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("pimready/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a reqwest client with rustls builds")
}

/// Send one oauth2 request through `client`.
pub(crate) async fn send(
    client: reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, HttpError> {
    let request =
        reqwest::Request::try_from(request).map_err(|e| HttpError(e.without_url().to_string()))?;
    let response = client
        .execute(request)
        .await
        .map_err(|e| HttpError(e.without_url().to_string()))?;
    let mut builder = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| HttpError(e.without_url().to_string()))?;
    builder
        .body(body.to_vec())
        .map_err(|e| HttpError(e.to_string()))
}

/// The future `send` returns, boxed so the adapter closure has a nameable type.
pub(crate) type SendFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<HttpResponse, HttpError>> + Send>>;
