//! End-to-end: drives the real desktop binary through tauri-driver + WebKitWebDriver.
//!
//! Runs only with `PIMREADY_E2E=1` (CI sets it); otherwise prints a skip line. Needs a
//! display and a session bus, e.g.:
//!
//! ```sh
//! cargo build -p pimready-desktop && cargo install tauri-driver --locked
//! PIMREADY_E2E=1 dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
//!     cargo test -p pimready-tests --test integration desktop -- --test-threads=1
//! ```
//!
//! Environment: `PIMREADY_DESKTOP_BIN` (default `target/debug/pimready-desktop`),
//! `TAURI_DRIVER` (default `tauri-driver` on PATH), `PIMREADY_E2E_SHOTS` (screenshot folder,
//! default `target/e2e-screenshots`).

use std::io::Write as _;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

fn e2e_enabled(test: &str) -> bool {
    if std::env::var("PIMREADY_E2E").as_deref() == Ok("1") {
        return true;
    }
    // Written to the raw stderr handle so the harness does not swallow it for a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "skipped {test}: set PIMREADY_E2E=1 (with tauri-driver, WebKitWebDriver and a display) to run the desktop end-to-end tests"
    );
    false
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// tauri-driver, killed on drop (it takes the app down with it).
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver(port: u16, config_dir: &Path, reports_dir: &Path) -> Driver {
    let program = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into());
    let child = Command::new(&program)
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &(port + 1).to_string(),
        ])
        // The driver starts the app, which inherits these: a clean, throw-away profile.
        .env("PIMREADY_CONFIG_DIR", config_dir)
        .env("PIMREADY_REPORTS_DIR", reports_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {program} (cargo install tauri-driver --locked): {e}")
        });
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "tauri-driver did not listen on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { child, port }
}

async fn open_app(driver: &Driver) -> Client {
    let binary = std::env::var("PIMREADY_DESKTOP_BIN").map_or_else(
        |_| workspace_root().join("target/debug/pimready-desktop"),
        PathBuf::from,
    );
    assert!(
        binary.exists(),
        "{} is missing: cargo build -p pimready-desktop",
        binary.display()
    );
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": binary }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("WebDriver session")
}

struct Shots {
    dir: PathBuf,
    n: u32,
}

impl Shots {
    fn new(test: &str) -> Self {
        let dir = std::env::var("PIMREADY_E2E_SHOTS")
            .map_or_else(
                |_| workspace_root().join("target/e2e-screenshots"),
                PathBuf::from,
            )
            .join(test);
        std::fs::create_dir_all(&dir).unwrap();
        Shots { dir, n: 0 }
    }
    async fn take(&mut self, client: &Client, name: &str) {
        self.n += 1;
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(self.dir.join(format!("{:02}-{name}.png", self.n)), png).unwrap();
    }
}

async fn text(client: &Client, css: &str) -> String {
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Waits for the element, then clicks it from script: WebKitWebDriver's native click has
/// crashed the driver on this software-rendered Xvfb setup (connection reset mid-run).
async fn click(client: &Client, css: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    client
        .execute(
            "document.querySelector(arguments[0]).click()",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn attrs(client: &Client, css: &str, attr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for el in client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(el.attr(attr).await.unwrap().unwrap_or_default());
    }
    out
}

#[tokio::test]
async fn demo_tenant_from_launch_to_pdf() {
    if !e2e_enabled("demo_tenant_from_launch_to_pdf") {
        return;
    }
    let config = tempfile::tempdir().unwrap();
    let reports = tempfile::tempdir().unwrap();
    let driver = start_driver(4444, config.path(), reports.path());
    let client = open_app(&driver).await;
    let mut shots = Shots::new("demo");

    text(&client, "#open-demo").await;
    shots.take(&client, "connect").await;
    click(&client, "#open-demo").await;

    // Overview: score, grade, coverage and the licence verdict.
    assert_eq!(text(&client, "#score-grade").await, "F");
    assert_eq!(text(&client, "#score-percent").await, "42%");
    assert_eq!(text(&client, "#score-coverage").await, "93%");
    assert_eq!(
        text(&client, "#licence-verdict").await,
        "PIM licensed, seats short"
    );
    shots.take(&client, "overview").await;

    // Findings: the failing filter shows exactly the failing checks.
    click(&client, "[data-screen=findings]").await;
    click(&client, ".chip[data-status=fail]").await;
    text(&client, ".finding-row").await;
    let mut failing = attrs(&client, ".finding-row", "data-id").await;
    failing.sort();
    assert_eq!(
        failing,
        [
            "ADM-03", "ADM-04", "ADM-06", "CA-02", "LIC-02", "PIM-01", "PIM-02", "PIM-03",
            "PIM-04", "PIM-09", "PIM-10", "PIM-11"
        ]
    );
    assert!(
        attrs(&client, ".finding-row", "data-status")
            .await
            .iter()
            .all(|s| s == "fail")
    );
    click(&client, "#finding-PIM-01").await;
    assert!(
        text(&client, "#detail-title")
            .await
            .starts_with("No permanent active assignments")
    );
    shots.take(&client, "findings-failing").await;

    // Export a PDF to the reports folder; it names the tenant.
    click(&client, "[data-screen=export]").await;
    click(&client, "#export-to-folder").await;
    let path = PathBuf::from(text(&client, "#export-path").await);
    shots.take(&client, "exported").await;
    assert!(path.starts_with(reports.path()), "{}", path.display());
    let pdf = std::fs::read(&path).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let doc = lopdf::Document::load_mem(&pdf).expect("a readable PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert!(doc.extract_text(&pages).unwrap().contains("Contoso Ltd"));

    client.close().await.unwrap();
}
