//! The loopback redirect of RFC 8252: a one-shot HTTP listener on the loopback
//! interface (127.0.0.1 and ::1, on the same port) that takes the authorization
//! response, checks `state`, answers the browser with a page, and closes after one
//! answer or a timeout. Plus the browser opener seam.

use std::ffi::OsString;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use super::error::AuthError;

/// The host name in the redirect URI. Microsoft Entra ignores the port of a loopback
/// redirect URI but not its host, and does not accept `[::1]`
/// (<https://learn.microsoft.com/entra/identity-platform/reply-url#localhost-exceptions>):
/// the URI sent must use the host the app registration lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RedirectHost {
    /// `http://localhost:PORT`: what the default client (and MSAL) registers.
    #[default]
    Localhost,
    /// `http://127.0.0.1:PORT`: for an app registration that lists `http://127.0.0.1`.
    Ipv4Loopback,
}

impl RedirectHost {
    pub const ALL: [RedirectHost; 2] = [RedirectHost::Localhost, RedirectHost::Ipv4Loopback];

    /// The host as written in the redirect URI and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectHost::Localhost => "localhost",
            RedirectHost::Ipv4Loopback => "127.0.0.1",
        }
    }

    /// The redirect URI for a listener on `port`: no path, no trailing slash; the token
    /// request sends exactly the same string.
    pub fn redirect_uri(self, port: u16) -> String {
        format!("http://{}:{port}", self.as_str())
    }
}

impl std::fmt::Display for RedirectHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RedirectHost {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RedirectHost::ALL
            .into_iter()
            .find(|h| h.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("redirect host {s:?} must be localhost or 127.0.0.1"))
    }
}

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
/// first, then the platform's opener through the `open` crate (no shell, no `cmd.exe`:
/// the URL reaches the browser whole, `&` included).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBrowser;

/// One way to open the URL, in the order tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Launch {
    /// A program from `BROWSER`, its arguments passed as they are (no shell).
    Program { program: String, args: Vec<String> },
    /// The platform's own opener (`open::that_detached`), given this one string.
    Platform(OsString),
}

/// What [`SystemBrowser`] will try for `url`, given `BROWSER` and whether this is
/// Windows: the seam that tests read on every platform.
pub(crate) fn launch_plan(
    url: &Url,
    browser_var: Option<&str>,
    windows: bool,
) -> Result<Vec<Launch>, String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("refusing to open a {} URL", url.scheme()));
    }
    let mut plan = Vec::new();
    for cmd in browser_var
        .unwrap_or_default()
        .split(':')
        .filter(|c| !c.trim().is_empty())
    {
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
        plan.push(Launch::Program {
            program,
            args: parts,
        });
    }
    let target = if windows {
        windows_target(url)?
    } else {
        OsString::from(url.as_str())
    };
    plan.push(Launch::Platform(target));
    Ok(plan)
}

/// On Windows the `open` crate hands the target to the shell through an environment
/// variable (PowerShell `Start-Process`), then `explorer.exe`: never a `cmd.exe` line.
/// Characters a Windows command line would read (`"`, `^`, a backtick, line breaks)
/// are refused rather than passed on; `&` and `%` escapes pass unchanged.
fn windows_target(url: &Url) -> Result<OsString, String> {
    let text = url.as_str();
    if text.contains(['"', '^', '`', '\n', '\r']) {
        return Err(
            "the sign-in URL holds characters that cannot be passed to the Windows shell".into(),
        );
    }
    Ok(OsString::from(text))
}

impl BrowserOpener for SystemBrowser {
    fn open(&self, url: &Url) -> Result<(), String> {
        let browser = std::env::var("BROWSER").ok();
        let mut tried = Vec::new();
        for launch in launch_plan(url, browser.as_deref(), cfg!(windows))? {
            let outcome = match &launch {
                Launch::Program { program, args } => std::process::Command::new(program)
                    .args(args)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .map(drop)
                    .map_err(|e| format!("{program}: {e}")),
                Launch::Platform(target) => {
                    open::that_detached(target).map_err(|e| format!("system opener: {e}"))
                }
            };
            match outcome {
                Ok(()) => return Ok(()),
                Err(e) => tried.push(e),
            }
        }
        Err(tried.join("; "))
    }
}

/// A bound loopback listener waiting for one authorization response.
pub(crate) struct LoopbackListener {
    v4: TcpListener,
    /// `::1` on the same port, where the machine has IPv6 loopback: a browser that
    /// resolves `localhost` to `::1` reaches the listener too.
    v6: Option<TcpListener>,
    redirect_uri: String,
}

impl LoopbackListener {
    /// Bind 127.0.0.1 on a port the OS picks, and ::1 on the same port; `redirect_host`
    /// is the name put in the redirect URI.
    pub(crate) async fn bind(redirect_host: RedirectHost) -> Result<Self, AuthError> {
        let io = |e: std::io::Error| AuthError::Io(format!("could not listen on loopback: {e}"));
        for _ in 0..16 {
            let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .await
                .map_err(io)?;
            let port = v4.local_addr().map_err(io)?.port();
            let v6 = match TcpListener::bind((Ipv6Addr::LOCALHOST, port)).await {
                Ok(l) => Some(l),
                // Another program holds [::1]:port: pick another port for both.
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
                Err(e) => {
                    tracing::debug!("no IPv6 loopback here ({e}); listening on 127.0.0.1 only");
                    None
                }
            };
            return Ok(Self {
                v4,
                v6,
                redirect_uri: redirect_host.redirect_uri(port),
            });
        }
        Err(AuthError::Io(
            "could not find a loopback port free on both 127.0.0.1 and ::1".into(),
        ))
    }

    /// `http://localhost:PORT` (or `http://127.0.0.1:PORT`): sent unchanged in the
    /// authorize and the token request.
    pub(crate) fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    async fn accept(&self) -> std::io::Result<TcpStream> {
        let v6 = async {
            match &self.v6 {
                Some(l) => l.accept().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            a = self.v4.accept() => a.map(|(s, _)| s),
            a = v6 => a.map(|(s, _)| s),
        }
    }

    /// Wait for the authorization response (one use), at most `timeout`; returns the code.
    /// A request without this sign-in's `state` gets 400 and the wait goes on: a port
    /// scanner or a stale tab cannot end a sign-in.
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
                accepted = self.accept() => {
                    if let Ok(mut stream) = accepted {
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
                tracing::debug!("loopback request without this sign-in's state ignored");
                respond(&mut stream, 400, &page(false, "This answer belongs to another sign-in request and was ignored. Return to PIM Ready and sign in again.")).await;
                continue;
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

        use super::session::{accept, http_fn, oauth_client, token_error};

        let config = &self.config;
        config.check_redirect_registered()?;
        let listener = LoopbackListener::bind(config.redirect_host).await?;
        let redirect = RedirectUrl::new(listener.redirect_uri().to_owned())
            .map_err(|e| AuthError::Io(format!("bad redirect URI: {e}")))?;
        let client = oauth_client(config, &config.tenant)?.set_redirect_uri(redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let request = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(config.requested_scopes().into_iter().map(Scope::new))
            .set_pkce_challenge(challenge);
        // A second sign-in (Azure Resource Manager) names the account already signed in
        // rather than asking which one.
        let request = match &config.login_hint {
            Some(hint) => request.add_extra_param("login_hint", hint.clone()),
            None => request.add_extra_param("prompt", "select_account"),
        };
        let (authorize_url, state) = request.url();
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
    async fn listens_on_both_loopbacks_with_the_redirect_uri_entra_matches() {
        for host in RedirectHost::ALL {
            let l = LoopbackListener::bind(host).await.unwrap();
            let addr = l.v4.local_addr().unwrap();
            assert_eq!(addr.ip(), std::net::IpAddr::V4(Ipv4Addr::LOCALHOST));
            assert_eq!(
                l.redirect_uri(),
                format!("http://{}:{}", host.as_str(), addr.port()),
                "no trailing slash"
            );
            if let Some(v6) = &l.v6 {
                let a6 = v6.local_addr().unwrap();
                assert_eq!(a6.ip(), std::net::IpAddr::V6(Ipv6Addr::LOCALHOST));
                assert_eq!(a6.port(), addr.port(), "one port for both");
            }
        }
        assert_eq!("127.0.0.1".parse(), Ok(RedirectHost::Ipv4Loopback));
        assert_eq!(" LocalHost ".parse(), Ok(RedirectHost::Localhost));
        assert!("[::1]".parse::<RedirectHost>().is_err());
    }

    /// A browser that resolves `localhost` to ::1 reaches the listener, and a request
    /// without the right `state` gets 400 while the listener keeps waiting.
    #[tokio::test]
    async fn answers_on_ipv6_and_ignores_requests_without_the_state() {
        let l = LoopbackListener::bind(RedirectHost::Localhost)
            .await
            .unwrap();
        let port = l.v4.local_addr().unwrap().port();
        let has_v6 = l.v6.is_some();
        let waiting = tokio::spawn(l.wait("s3cret", Duration::from_secs(10), |e, _| {
            AuthError::AuthorizationFailed {
                error: e.into(),
                description: String::new(),
            }
        }));
        let get = |ip: std::net::IpAddr, target: &'static str| async move {
            let mut s = TcpStream::connect((ip, port)).await.unwrap();
            s.write_all(format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
                .await
                .unwrap();
            let mut answer = String::new();
            s.read_to_string(&mut answer).await.unwrap();
            answer
        };
        let v4 = std::net::IpAddr::V4(Ipv4Addr::LOCALHOST);
        for probe in [
            "/",
            "/?code=x",
            "/?code=x&state=wrong",
            "/?error=access_denied",
        ] {
            assert!(get(v4, probe).await.starts_with("HTTP/1.1 400"), "{probe}");
        }
        assert!(!waiting.is_finished(), "still waiting after the probes");
        let ip = if has_v6 {
            std::net::IpAddr::V6(Ipv6Addr::LOCALHOST)
        } else {
            eprintln!("no IPv6 loopback on this machine: answering on 127.0.0.1");
            v4
        };
        assert!(
            get(ip, "/?code=the-code&state=s3cret")
                .await
                .starts_with("HTTP/1.1 200")
        );
        assert_eq!(waiting.await.unwrap().unwrap(), "the-code");
    }

    fn plan(url: &str, browser: Option<&str>, windows: bool) -> Result<Vec<Launch>, String> {
        launch_plan(&Url::parse(url).unwrap(), browser, windows)
    }

    /// The URL reaches the opener whole, `&` included, on every platform: as one
    /// argument of a `BROWSER` program, and as the one string the platform opener gets
    /// (the Windows path is computed here too, on any OS).
    #[test]
    fn the_url_survives_the_opener_whole() {
        let url = "https://login.microsoftonline.com/t/oauth2/v2.0/authorize?client_id=c&state=s&code_challenge=x%20y";
        for windows in [false, true] {
            let got = plan(
                url,
                Some("firefox --new-tab:chromium %s --incognito"),
                windows,
            )
            .unwrap();
            assert_eq!(
                got,
                vec![
                    Launch::Program {
                        program: "firefox".into(),
                        args: vec!["--new-tab".into(), url.into()]
                    },
                    Launch::Program {
                        program: "chromium".into(),
                        args: vec![url.into(), "--incognito".into()]
                    },
                    Launch::Platform(url.into()),
                ]
            );
            assert_eq!(
                plan(url, None, windows).unwrap(),
                vec![Launch::Platform(url.into())]
            );
        }
        assert!(plan("file:///etc/passwd", None, false).is_err());
        assert!(
            plan("https://a/?q=%22", None, true).is_ok(),
            "quotes arrive escaped"
        );
        // A caret the URL parser keeps (in a query) never reaches the Windows shell.
        assert_eq!(
            Url::parse("https://a/?x=1^2").unwrap().query(),
            Some("x=1^2")
        );
        assert!(plan("https://a/?x=1^2", None, true).is_err());
        assert!(plan("https://a/?x=1^2", None, false).is_ok());
    }
}
