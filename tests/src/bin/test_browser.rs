//! `test-browser URL`: the "system browser" of the desktop end-to-end tests.
//!
//! The app opens the sign-in page with `$BROWSER URL`; this follows the emulator's
//! authorize URL through its redirect to the app's loopback listener, as a person's
//! browser would after they signed in. It writes what it saw to
//! `$PIMREADY_TEST_BROWSER_LOG` (one line per visit) so a test can assert on it.

use std::io::Write as _;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: test-browser URL");
        return std::process::ExitCode::from(2);
    };
    let outcome = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
    {
        Ok(client) => match client.get(&url).send().await {
            Ok(r) => format!("{} {}", r.status().as_u16(), r.url()),
            Err(e) => format!("error {e}"),
        },
        Err(e) => format!("error {e}"),
    };
    if let Some(log) = std::env::var_os("PIMREADY_TEST_BROWSER_LOG")
        && let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
    {
        let _ = writeln!(f, "{url} -> {outcome}");
    }
    eprintln!("test-browser: {url} -> {outcome}");
    std::process::ExitCode::SUCCESS
}
