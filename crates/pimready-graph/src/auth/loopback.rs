//! The loopback redirect of RFC 8252: a one-shot HTTP listener on 127.0.0.1 that
//! takes the authorization response, checks `state`, answers the browser with a
//! page, and closes after one answer or a timeout. Plus the browser opener seam.

use std::net::Ipv4Addr;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use super::error::AuthError;

/// Opens the authorize URL in a browser. The CLI and desktop use [`SystemBrowser`];
/// tests use a small HTTP client that follows the URL to the redirect.
pub trait BrowserOpener: Send + Sync {
    fn open(&self, url: &Url) -> Result<(), String>;
}

impl<F: Fn(&Url) -> Result<(), String> + Send + Sync> BrowserOpener for F {
    fn open(&self, url: &Url) -> Result<(), String> {
        self(url)
    }
}

/// The user's browser: the commands in `BROWSER` (colon-separated, `%s` = the URL)
/// first, then the platform's opener (`xdg-open`, `open`, `start`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBrowser;

impl BrowserOpener for SystemBrowser {
    fn open(&self, url: &Url) -> Result<(), String> {
        let mut candidates: Vec<(String, Vec<String>)> = Vec::new();
        if let Ok(browser) = std::env::var("BROWSER") {
            for cmd in browser.split(':').filter(|c| !c.trim().is_empty()) {
                let mut parts: Vec<String> = cmd.split_whitespace().map(str::to_owned).collect();
                let program = parts.remove(0);
                if parts.iter().any(|p| p.contains("%s")) {
                    parts = parts
                        .into_iter()
                        .map(|p| p.replace("%s", url.as_str()))
                        .collect();
                } else {
                    parts.push(url.to_string());
                }
                candidates.push((program, parts));
            }
        }
        let platform: &[&str] = if cfg!(target_os = "macos") {
            &["open"]
        } else if cfg!(windows) {
            &["cmd"]
        } else {
            &["xdg-open", "gio", "sensible-browser"]
        };
        for p in platform {
            let args = match *p {
                "cmd" => vec!["/C".into(), "start".into(), String::new(), url.to_string()],
                "gio" => vec!["open".into(), url.to_string()],
                _ => vec![url.to_string()],
            };
            candidates.push(((*p).to_owned(), args));
        }
        let mut tried = Vec::new();
        for (program, args) in candidates {
            match std::process::Command::new(&program)
                .args(&args)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
            {
                Ok(_) => return Ok(()),
                Err(e) => tried.push(format!("{program}: {e}")),
            }
        }
        Err(tried.join("; "))
    }
}

/// A bound loopback listener waiting for one authorization response.
pub(crate) struct LoopbackListener {
    listener: TcpListener,
    redirect_uri: Url,
}

impl LoopbackListener {
    /// Bind 127.0.0.1 on a port the OS picks; `redirect_host` is the name put in the
    /// redirect URI (`127.0.0.1`, or `localhost` for registrations that only list it).
    pub(crate) async fn bind(redirect_host: &str) -> Result<Self, AuthError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|e| AuthError::Io(format!("could not listen on 127.0.0.1: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| AuthError::Io(e.to_string()))?
            .port();
        let redirect_uri = Url::parse(&format!("http://{redirect_host}:{port}/"))
            .map_err(|e| AuthError::Io(format!("bad redirect host {redirect_host}: {e}")))?;
        Ok(Self {
            listener,
            redirect_uri,
        })
    }

    pub(crate) fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Wait for the authorization response (one use), at most `timeout`; returns the code.
    pub(crate) async fn wait(
        self,
        expected_state: &str,
        timeout: Duration,
        on_error: impl Fn(&str, Option<&str>) -> AuthError,
    ) -> Result<String, AuthError> {
        let deadline = tokio::time::Instant::now() + timeout;
        // Each connection is read on its own task: a browser's idle pre-connection
        // must not hold up the one that carries the answer.
        let (tx, mut requests) = tokio::sync::mpsc::channel::<(TcpStream, String)>(8);
        loop {
            let (mut stream, target) = tokio::select! {
                () = tokio::time::sleep_until(deadline) => {
                    tracing::debug!("loopback listener timed out");
                    return Err(AuthError::Timeout(timeout));
                }
                accepted = self.listener.accept() => {
                    if let Ok((mut stream, _)) = accepted {
                        let tx = tx.clone();
                        tokio::spawn(async move {
                            let read = tokio::time::timeout(Duration::from_secs(30), read_request_target(&mut stream)).await;
                            if let Ok(Ok(Some(target))) = read {
                                let _ = tx.send((stream, target)).await;
                            }
                        });
                    }
                    continue;
                }
                Some(request) = requests.recv() => request,
            };
            let Ok(url) = Url::parse("http://127.0.0.1").and_then(|base| base.join(&target)) else {
                respond(
                    &mut stream,
                    400,
                    &page(false, "The sign-in answer could not be read."),
                )
                .await;
                continue;
            };
            if url.path() != "/" {
                // e.g. /favicon.ico: not the authorization response.
                respond(&mut stream, 404, "").await;
                continue;
            }
            let params: std::collections::HashMap<String, String> =
                url.query_pairs().into_owned().collect();
            if params.get("state").map(String::as_str) != Some(expected_state) {
                respond(&mut stream, 400, &page(false, "This answer belongs to another sign-in request and was ignored. Return to PIM Ready and sign in again.")).await;
                return Err(AuthError::StateMismatch);
            }
            if let Some(error) = params.get("error") {
                let err = on_error(error, params.get("error_description").map(String::as_str));
                respond(&mut stream, 400, &page(false, &err.to_string())).await;
                return Err(err);
            }
            let Some(code) = params.get("code") else {
                let err = AuthError::InvalidResponse(
                    "the redirect carried neither a code nor an error".into(),
                );
                respond(&mut stream, 400, &page(false, &err.to_string())).await;
                return Err(err);
            };
            respond(
                &mut stream,
                200,
                &page(
                    true,
                    "You are signed in to PIM Ready. You can close this tab and return to the app.",
                ),
            )
            .await;
            return Ok(code.clone());
        }
    }
}

/// Read the request head and return the request target of a `GET`.
async fn read_request_target(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > 32 * 1024 {
            return Ok(None);
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next().unwrap_or("").split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Ok(Some(target.to_owned())),
        _ => Ok(None),
    }
}

async fn respond(stream: &mut TcpStream, status: u16, body: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn page(ok: bool, message: &str) -> String {
    let (title, colour) = if ok {
        ("Signed in", "#1a7f37")
    } else {
        ("Sign-in failed", "#b42318")
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>PIM Ready — {title}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem\">\
         <h1 style=\"color:{colour}\">{title}</h1><p>{}</p></body></html>",
        escape(message)
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl super::SignIn {
    /// Interactive sign-in: authorization code + PKCE (S256) with a loopback redirect.
    /// Opens `browser` on the authorize URL, waits (one answer, or the configured
    /// timeout) for the redirect, checks `state`, and redeems the code with the verifier.
    pub async fn interactive(
        &self,
        browser: &dyn BrowserOpener,
    ) -> Result<super::Session, AuthError> {
        use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};

        use super::scopes::requested_scopes;
        use super::session::{accept, http_fn, oauth_client, token_error};

        let config = &self.config;
        let listener = LoopbackListener::bind(&config.redirect_host).await?;
        let redirect = RedirectUrl::new(listener.redirect_uri().to_string())
            .map_err(|e| AuthError::Io(format!("bad redirect URI: {e}")))?;
        let client = oauth_client(config, &config.tenant)?.set_redirect_uri(redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (authorize_url, state) = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(
                requested_scopes(&config.graph_resource)
                    .into_iter()
                    .map(Scope::new),
            )
            .set_pkce_challenge(challenge)
            .add_extra_param("prompt", "select_account")
            .url();
        tracing::debug!(redirect_uri = %listener.redirect_uri(), tenant = %config.tenant, "opening the browser for sign-in");
        browser
            .open(&authorize_url)
            .map_err(AuthError::BrowserUnavailable)?;

        let code = listener
            .wait(
                state.secret(),
                config.loopback_timeout,
                |error, description| {
                    AuthError::from_server(
                        error,
                        description,
                        &config.tenant,
                        &config.client_id,
                        |error, description| AuthError::AuthorizationFailed { error, description },
                    )
                },
            )
            .await?;
        let http = http_fn(&self.http);
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await
            .map_err(|e| token_error(e, config))?;
        let accepted = accept(&response, config, None, (self.clock)())?;
        super::Session::signed_in(self, accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn binds_127_0_0_1_whatever_name_the_redirect_uses() {
        for host in ["127.0.0.1", "localhost"] {
            let l = LoopbackListener::bind(host).await.unwrap();
            let addr = l.listener.local_addr().unwrap();
            assert_eq!(addr.ip(), std::net::IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert_eq!(l.redirect_uri().host_str(), Some(host));
            assert_eq!(l.redirect_uri().port(), Some(addr.port()));
        }
    }
}
