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
use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::{Client, Locator};
use pimready_core::assessment::Assessment;
use pimready_core::cloud::{Cloud, Endpoints};
use pimready_core::finding::Status;
use pimready_core::pricebook::PriceBook;
use pimready_core::settings::AssessmentSettings;
use pimready_graph::collect::{CollectConfig, collect_snapshot};
use pimready_graph::token::{AccessToken, StaticToken};
use pimready_tests::webdriver::{Dirs, open_app, start_driver};
use pimready_tests::{Emulator, Fault, FaultKind, Fixture, workspace_root};

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

/// The Overview shows what core says of the tenant: score, grade, coverage, verdict.
async fn assert_overview(client: &Client, expected: &Assessment) {
    assert_eq!(
        text_within(client, "#score-grade", 90).await,
        expected.score.grade.as_str()
    );
    assert_eq!(
        text(client, "#score-percent").await,
        format!("{}%", expected.score.percent.round())
    );
    assert_eq!(
        text(client, "#score-coverage").await,
        format!("{}%", expected.score.coverage.round())
    );
    let verdict = expected.licence_verdict();
    assert_eq!(text(client, "#licence-verdict").await, verdict.label);
    assert_eq!(
        text(client, "#licence-verdict-sentence").await,
        verdict.sentence
    );
}

/// On Findings, the status chip shows exactly the checks core gave that status, then
/// leaves the filter on (callers turn it off by clicking the chip again).
async fn assert_status_filter(client: &Client, expected: &Assessment, status: Status) {
    click(client, "[data-screen=findings]").await;
    let chip = format!(".chip[data-status={}]", status.as_str());
    click(client, &chip).await;
    text(client, ".finding-row").await;
    let mut shown = attrs(client, ".finding-row", "data-id").await;
    shown.sort();
    let mut wanted: Vec<String> = expected
        .checks
        .iter()
        .filter(|f| f.status == status)
        .map(|f| f.id.to_string())
        .collect();
    wanted.sort();
    assert!(!wanted.is_empty(), "core has no {status:?} check here");
    assert_eq!(shown, wanted, "{status:?}");
    assert!(
        attrs(client, ".finding-row", "data-status")
            .await
            .iter()
            .all(|s| s == status.as_str())
    );
}

/// Collects the emulator's tenant with core, as the app does, and assesses it.
async fn core_assessment(emu: &Emulator) -> Assessment {
    let mut config = CollectConfig::new(emu.tenant_id(), Cloud::Global);
    config.endpoints = Endpoints::new(Cloud::Global, None, Some(emu.base_url())).unwrap();
    let mut ignore = |_| {};
    let snapshot = collect_snapshot(
        config,
        std::sync::Arc::new(StaticToken(AccessToken::new(emu.token()))),
        &mut ignore,
    )
    .await
    .expect("core collects the emulator");
    pimready_core::assessment::assess(
        &snapshot,
        &AssessmentSettings::default(),
        &PriceBook::default_book(),
    )
}

/// The environment that points the app at the emulator and its "browser" at the helper.
fn emulator_env(emu: &Emulator, browser_log: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("PIMREADY_AUTHORITY_HOST", emu.base_url().to_owned()),
        ("PIMREADY_GRAPH_HOST", emu.base_url().to_owned()),
        ("BROWSER", env!("CARGO_BIN_EXE_test-browser").to_owned()),
        (
            "PIMREADY_TEST_BROWSER_LOG",
            browser_log.display().to_string(),
        ),
    ]
}

/// Fills the Connect form and submits it.
async fn sign_in_as_user(client: &Client, tenant: &str, device_code: bool) {
    text(client, "#tenant").await;
    client
        .execute(
            "document.getElementById('tenant').value = arguments[0];
             document.getElementById('use-device-code').checked = arguments[1];
             document.querySelector('form.connect-form').requestSubmit();",
            vec![serde_json::json!(tenant), serde_json::json!(device_code)],
        )
        .await
        .expect("submit the sign-in form");
}

/// The text of the PDF at `path`.
fn pdf_text(path: &Path) -> String {
    let pdf = std::fs::read(path).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let doc = lopdf::Document::load_mem(&pdf).expect("a readable PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap()
}

/// Exports a PDF to the reports folder and returns its path.
async fn export_pdf(client: &Client, dirs: &Dirs) -> PathBuf {
    click(client, "[data-screen=export]").await;
    client
        .execute(
            "document.getElementById('export-path')?.remove()",
            Vec::new(),
        )
        .await
        .unwrap();
    click(client, "#export-to-folder").await;
    let path = PathBuf::from(text_within(client, "#export-path", 30).await);
    assert!(path.starts_with(dirs.reports.path()), "{}", path.display());
    path
}

async fn text_within(client: &Client, css: &str, seconds: u64) -> String {
    client
        .wait()
        .at_most(Duration::from_secs(seconds))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn demo_tenant_from_launch_to_pdf() {
    if !e2e_enabled("demo_tenant_from_launch_to_pdf") {
        return;
    }
    let dirs = Dirs::new();
    let driver = start_driver(&dirs, &[]);
    let client = open_app(&driver).await;
    let mut shots = Shots::new("demo");

    text(&client, "#open-demo").await;
    shots.take(&client, "connect").await;
    click(&client, "#open-demo").await;

    // What core says of the demo tenant: the window must show the same.
    let expected = pimready_core::assessment::assess(
        &pimready_core::demo::snapshot(),
        // The demo ships with its two emergency accounts designated.
        &pimready_core::demo::settings(AssessmentSettings::default()),
        &pimready_core::pricebook::PriceBook::default_book(),
    );

    assert_overview(&client, &expected).await;
    shots.take(&client, "overview").await;

    // Findings: the failing filter shows exactly the failing checks.
    assert_status_filter(&client, &expected, Status::Fail).await;
    click(&client, ".chip[data-status=fail]").await;
    click(&client, "#finding-PIM-01").await;
    assert!(
        text(&client, "#detail-title")
            .await
            .starts_with("No permanent active assignments")
    );
    shots.take(&client, "findings-failing").await;

    // Export a PDF to the reports folder; it names the tenant.
    let path = export_pdf(&client, &dirs).await;
    shots.take(&client, "exported").await;
    assert!(pdf_text(&path).contains("Contoso Ltd"));

    // Changes: name two approvers, review, export the pack beside the reports.
    click(&client, "[data-screen=changes]").await;
    text_within(&client, "label[for=changes-approvers]", 15).await;
    client
        .execute(
            "document.getElementById('changes-approvers').value = 'diego.siciliani@contoso.com, nestor.wilke@contoso.com';
             document.getElementById('changes-notify').value = 'secops@contoso.com';
             document.querySelector('form.changes-form').requestSubmit();",
            Vec::new(),
        )
        .await
        .unwrap();
    // The list is drawn again when the answer arrives: read its text until it names PIM-04.
    let mut summary = String::new();
    for _ in 0..150 {
        summary = client
            .execute(
                "return document.getElementById('changes-summary')?.textContent ?? ''",
                Vec::new(),
            )
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if summary.contains("PIM-04") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        summary.contains("PIM-04"),
        "approval now resolves PIM-04: {summary}"
    );
    shots.take(&client, "changes").await;
    click(&client, "#export-changes").await;
    text_within(&client, ".exported-path", 15).await;
    let written: Vec<String> = std::fs::read_dir(dirs.reports.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for tail in ["-changes.json", "-remediate.ps1", "-rollback.ps1"] {
        assert!(
            written.iter().any(|n| n.ends_with(tail)),
            "{tail}: {written:?}"
        );
    }

    // Apply…: the requests are shown, and the button waits for the tenant's domain.
    click(&client, "#apply-changes").await;
    let diff = text_within(&client, ".apply-diff", 15).await;
    assert!(diff.contains("PATCH") || diff.contains("POST"), "{diff}");
    let go_disabled = || async {
        client
            .execute(
                "return document.getElementById('apply-go').disabled",
                Vec::new(),
            )
            .await
            .unwrap()
            .as_bool()
            .unwrap()
    };
    assert!(
        go_disabled().await,
        "nothing to send before the domain is typed"
    );
    let typed = client
        .execute(
            "const i = document.getElementById('apply-confirm');
             i.value = i.placeholder.toUpperCase(); i.dispatchEvent(new Event('input'));
             return i.value;",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        typed.as_str(),
        Some("CONTOSO.COM"),
        "the demo's default domain"
    );
    assert!(!go_disabled().await);
    shots.take(&client, "apply-confirm").await;

    client.close().await.unwrap();
}

/// The emulator's `.onmicrosoft.com` domain, as a consultant would type it.
fn initial_domain(fixture: &Fixture) -> String {
    fixture.raw()["organization"]["verifiedDomains"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["name"].as_str())
        .find(|d| d.ends_with(".onmicrosoft.com"))
        .expect("the fixture has an initial domain")
        .to_owned()
}

/// The real app pointed at an emulated tenant (with its authorization server), and what
/// core's own collection of that tenant gives. `prepare` runs on the emulator first (faults).
struct EmulatedApp {
    client: Client,
    expected: Assessment,
    emu: Emulator,
    oauth: pimready_tests::oauth::OAuthState,
    domain: String,
    dirs: Dirs,
    browser_log: PathBuf,
    _driver: pimready_tests::webdriver::Driver,
}

async fn app_against(fixture: Fixture, prepare: impl FnOnce(&Emulator)) -> EmulatedApp {
    let domain = initial_domain(&fixture);
    let (emu, oauth) = pimready_tests::start_with_sign_in(fixture, Duration::ZERO, 0)
        .await
        .unwrap();
    prepare(&emu);
    let expected = core_assessment(&emu).await;
    let dirs = Dirs::new();
    let browser_log = dirs.config.path().join("browser.log");
    let driver = start_driver(&dirs, &emulator_env(&emu, &browser_log));
    let client = open_app(&driver).await;
    EmulatedApp {
        client,
        expected,
        emu,
        oauth,
        domain,
        dirs,
        browser_log,
        _driver: driver,
    }
}

#[tokio::test]
async fn contoso_signs_in_in_the_browser_then_history_and_portfolio() {
    if !e2e_enabled("contoso_signs_in_in_the_browser_then_history_and_portfolio") {
        return;
    }
    let app = app_against(Fixture::load("contoso-e5").unwrap(), |_| {}).await;
    let mut shots = Shots::new("contoso-browser");
    refuse_a_redirect_uri_entra_refuses(&app, &mut shots).await;
    sign_in_in_the_browser(&app, &mut shots).await;
    findings_and_filters(&app, &mut shots).await;
    assess_again_from_the_saved_tenants(&app).await;
    history_compares_the_two(&app, &mut shots).await;
    portfolio_exports_the_tenant(&app, &mut shots).await;
    apply_then_roll_back(&app, &mut shots).await;
    app.client.close().await.unwrap();
}

/// Advanced > Redirect URI host 127.0.0.1 with the default client: Entra would show
/// AADSTS50011, so the app says so at once and opens no browser.
async fn refuse_a_redirect_uri_entra_refuses(app: &EmulatedApp, shots: &mut Shots) {
    let (client, domain, browser_log) = (&app.client, &app.domain, &app.browser_log);
    text(client, "#tenant").await;
    client
        .execute(
            "document.getElementById('tenant').value = arguments[0];
             document.getElementById('redirect-host').value = '127.0.0.1';
             document.querySelector('form.connect-form').requestSubmit();",
            vec![serde_json::json!(domain)],
        )
        .await
        .unwrap();
    let refused = text_within(client, ".error-panel", 15).await;
    assert!(refused.contains("AADSTS50011"), "{refused}");
    assert!(
        !browser_log.exists(),
        "no browser was opened for a redirect URI Entra refuses"
    );
    shots.take(client, "redirect-refused").await;
    click(client, ".error-panel button.primary").await;
}

/// Sign in with the loopback flow: the "browser" follows the authorize URL.
async fn sign_in_in_the_browser(app: &EmulatedApp, shots: &mut Shots) {
    let (client, expected, oauth, domain, browser_log) = (
        &app.client,
        &app.expected,
        &app.oauth,
        &app.domain,
        &app.browser_log,
    );
    sign_in_as_user(client, domain, false).await;
    assert_overview(client, expected).await;
    shots.take(client, "overview").await;
    let visits = std::fs::read_to_string(browser_log).expect("the browser was opened");
    assert!(
        visits.contains("/oauth2/v2.0/authorize") && visits.contains("-> 200 http://localhost:"),
        "the browser reached the loopback redirect: {visits}"
    );
    assert!(
        oauth
            .token_requests()
            .iter()
            .any(|r| r.grant_type == "authorization_code"),
        "the code was exchanged"
    );
}

/// Findings and filters.
async fn findings_and_filters(app: &EmulatedApp, shots: &mut Shots) {
    let (client, expected) = (&app.client, &app.expected);
    assert_status_filter(client, expected, Status::Fail).await;
    shots.take(client, "findings-failing").await;
    click(client, ".chip[data-status=fail]").await;
    assert_status_filter(client, expected, Status::Warning).await;
    click(client, ".chip[data-status=warning]").await;
}

/// The PDF names the tenant; a first assessment has no "since" section. Assessed again
/// from the saved tenants list, the history has two points and the second PDF compares.
async fn assess_again_from_the_saved_tenants(app: &EmulatedApp) {
    let (client, expected, dirs) = (&app.client, &app.expected, &app.dirs);
    let first_pdf = pdf_text(&export_pdf(client, dirs).await);
    assert!(first_pdf.contains(&expected.tenant.display_name));
    assert!(!first_pdf.contains("Since the last assessment"));

    // Assess again from the saved tenants list: the history now has two points.
    click(client, "#topbar-actions button").await;
    click(client, ".tenant-row").await;
    assert_overview(client, expected).await;
    let second_pdf = pdf_text(&export_pdf(client, dirs).await);
    assert!(
        second_pdf.contains("Since the last assessment"),
        "the second report compares with the first"
    );
}

/// History: two rows, a trend, and a comparison of the two.
async fn history_compares_the_two(app: &EmulatedApp, shots: &mut Shots) {
    let client = &app.client;
    click(client, "[data-screen=history]").await;
    text_within(client, ".history-table tbody tr", 15).await;
    assert_eq!(
        attrs(client, ".history-table tbody tr", "data-id")
            .await
            .len(),
        2
    );
    assert!(
        text(client, "#trend-caption")
            .await
            .starts_with("2 assessments")
    );
    click(client, ".compare-box[data-id]").await;
    client
        .execute(
            "document.querySelectorAll('.compare-box')[1].click()",
            Vec::new(),
        )
        .await
        .unwrap();
    click(client, "#compare").await;
    let diff = text_within(client, "#diff", 15).await;
    assert!(diff.contains("What changed"), "{diff}");
    assert!(
        diff.contains("Nothing changed"),
        "the same tenant twice: {diff}"
    );
    shots.take(client, "history").await;
}

/// Portfolio: one tenant; the CSV export names it.
async fn portfolio_exports_the_tenant(app: &EmulatedApp, shots: &mut Shots) {
    let (client, expected) = (&app.client, &app.expected);
    click(client, "[data-screen=portfolio]").await;
    text_within(client, ".portfolio-table tbody tr", 15).await;
    assert_eq!(
        attrs(client, ".portfolio-table tbody tr", "data-tenant").await,
        [expected.tenant.default_domain.clone().unwrap()]
    );
    shots.take(client, "portfolio").await;
    click(client, "#portfolio-csv").await;
    let csv = std::fs::read_to_string(text_within(client, "#portfolio-path", 15).await).unwrap();
    let domain = expected.tenant.default_domain.as_deref().unwrap();
    assert!(csv.contains(&format!("{domain},assessed,")), "{csv}");
}

/// Changes > Apply…: typed confirmation (the tenant's default domain), the app's own
/// sign-in in the browser, each change's result; then Roll back… undoes them from the
/// journal.
async fn apply_then_roll_back(app: &EmulatedApp, shots: &mut Shots) {
    let (client, expected, dirs) = (&app.client, &app.expected, &app.dirs);
    let domain = expected.tenant.default_domain.as_deref().unwrap();
    click(client, "[data-screen=changes]").await;
    text_within(client, "#changes-summary", 15).await;
    let writes_before = app.emu.requests().len();
    for (button, done) in [
        ("#apply-changes", "applied"),
        ("#rollback-changes", "undone"),
    ] {
        click(client, button).await;
        text_within(client, "#apply-confirm", 15).await;
        client
            .execute(
                "const i = document.getElementById('apply-confirm');
                 i.value = arguments[0]; i.dispatchEvent(new Event('input'));
                 document.getElementById('apply-go').click();",
                vec![serde_json::json!(domain)],
            )
            .await
            .unwrap();
        let status = text_until(client, "#apply-status", "Journal:", 30).await;
        assert!(
            status.contains(done) && !status.contains("failed"),
            "{button}: {status}"
        );
        let rows = text(client, ".journal-list").await;
        assert!(
            rows.contains(if done == "applied" {
                "Applied"
            } else {
                "Undone"
            }),
            "{rows}"
        );
        // Let the window paint the result before the screenshot.
        tokio::time::sleep(Duration::from_millis(500)).await;
        shots.take(client, done).await;
    }
    let sent: Vec<String> = app.emu.requests()[writes_before..]
        .iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| r.path_and_query.clone())
        .collect();
    assert!(!sent.is_empty(), "role settings were written, then undone");
    let journals: Vec<String> = std::fs::read_dir(dirs.reports.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("-journal.json"))
        .collect();
    assert_eq!(journals.len(), 1, "{journals:?}");
}

/// The text of `css` once it contains `needle` (within `seconds`).
async fn text_until(client: &Client, css: &str, needle: &str, seconds: u64) -> String {
    let mut last = String::new();
    for _ in 0..seconds * 10 {
        let value = client
            .execute(
                "return document.querySelector(arguments[0])?.textContent ?? ''",
                vec![serde_json::json!(css)],
            )
            .await
            .unwrap();
        value.as_str().unwrap_or_default().clone_into(&mut last);
        if last.contains(needle) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never said {needle:?}: {last}")
}

#[tokio::test]
async fn fabrikam_signs_in_with_a_device_code() {
    if !e2e_enabled("fabrikam_signs_in_with_a_device_code") {
        return;
    }
    let app = app_against(Fixture::load("fabrikam-bp").unwrap(), |_| {}).await;
    let (client, expected, emu, oauth, dirs, browser_log) = (
        &app.client,
        &app.expected,
        &app.emu,
        &app.oauth,
        &app.dirs,
        &app.browser_log,
    );
    let mut shots = Shots::new("fabrikam-device-code");

    // The first poll is pending, so the code stays on screen long enough to be seen.
    oauth.script_device_code([
        pimready_tests::oauth::DeviceOutcome::Pending,
        pimready_tests::oauth::DeviceOutcome::Approve,
    ]);
    sign_in_as_user(client, emu.tenant_id(), true).await;
    let code = text_within(client, "#device-code", 30).await;
    assert!(!code.trim().is_empty());
    shots.take(client, "device-code").await;
    assert_overview(client, expected).await;
    shots.take(client, "overview").await;
    assert!(
        !browser_log.exists(),
        "the device code flow opens no browser"
    );
    assert!(
        oauth
            .token_requests()
            .iter()
            .any(|r| r.grant_type.ends_with("device_code")),
        "the device code was redeemed"
    );

    // Business Premium without P2: the PIM checks say "not licensed", never "pass".
    assert_status_filter(client, expected, Status::NotLicensed).await;
    shots.take(client, "findings-not-licensed").await;
    click(client, ".chip[data-status=not_licensed]").await;
    assert_status_filter(client, expected, Status::Fail).await;

    // Licensing & cost: the recommended purchase is the one core recommends.
    click(client, "[data-screen=licensing]").await;
    let recommended = expected.cost.options.iter().find(|o| o.recommended);
    let shown = text(client, ".cost-table").await;
    if let Some(r) = recommended {
        assert!(shown.contains(&r.name), "{shown}");
    }
    shots.take(client, "licensing").await;

    let pdf = pdf_text(&export_pdf(client, dirs).await);
    assert!(pdf.contains(&expected.tenant.display_name));
    app.client.close().await.unwrap();
}

#[tokio::test]
async fn hostile_names_are_shown_as_text() {
    if !e2e_enabled("hostile_names_are_shown_as_text") {
        return;
    }
    let text_of =
        std::fs::read_to_string(pimready_tests::fixture::fixtures_dir().join("contoso-e5.json"))
            .unwrap();
    let mut raw: serde_json::Value = serde_json::from_str(&text_of).unwrap();
    let tenant_name = format!(
        "<script>window.__pwned = 'org'</script>Contoso & Sons \"Ltd\" {}",
        "x".repeat(150)
    );
    raw["organization"]["displayName"] = tenant_name.clone().into();
    for user in raw["users"].as_array_mut().unwrap() {
        let name = user["displayName"].as_str().unwrap_or_default().to_owned();
        user["displayName"] = format!("<img src=x onerror=\"window.__pwned='user'\">{name}").into();
    }
    let fixture = Fixture::from_json("contoso-hostile", &raw.to_string()).unwrap();
    let app = app_against(fixture, |_| {}).await;
    let (client, expected, domain) = (&app.client, &app.expected, &app.domain);
    let mut shots = Shots::new("hostile-names");

    sign_in_as_user(client, domain, false).await;
    assert_overview(client, expected).await;
    assert_eq!(
        text(client, "#topbar-tenant .tenant-name").await,
        tenant_name
    );
    shots.take(client, "overview").await;

    click(client, "[data-screen=findings]").await;
    click(client, "#finding-PIM-01").await;
    text(client, "table.evidence").await;
    shots.take(client, "evidence").await;
    // The cells' own text (WebDriver's rendered text leaves out clipped cells).
    let names = client
        .execute(
            "return Array.from(document.querySelectorAll('table.evidence tbody td:first-child'), td => td.textContent)",
            Vec::new(),
        )
        .await
        .unwrap();
    let names: Vec<String> = serde_json::from_value(names).unwrap();
    // PIM-01 lists users (their names made hostile) and also groups and apps (not).
    let hostile = "<img src=x onerror=\"window.__pwned='user'\">";
    assert!(
        names.iter().filter(|n| n.starts_with(hostile)).count() >= 4,
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .filter(|n| n.contains("<img"))
            .all(|n| n.starts_with(hostile)),
        "names are shown as typed: {names:?}"
    );

    // Nothing ran and no element came from tenant data.
    let probe = client
        .execute(
            "return [typeof window.__pwned, document.querySelectorAll('script:not([src]), img[src=x]').length]",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(probe, serde_json::json!(["undefined", 0]));
    app.client.close().await.unwrap();
}

#[tokio::test]
async fn a_503_on_policies_shows_the_affected_checks_as_not_assessed() {
    if !e2e_enabled("a_503_on_policies_shows_the_affected_checks_as_not_assessed") {
        return;
    }
    // Graph keeps answering 503 (with a short Retry-After) beyond the retry budget.
    let app = app_against(Fixture::load("contoso-e5").unwrap(), |emu| {
        emu.set_fault(
            "/policies/roleManagementPolicyAssignments",
            Fault::always(FaultKind::Unavailable {
                retry_after: Duration::from_millis(200),
            }),
        );
    })
    .await;
    let (client, expected, domain) = (&app.client, &app.expected, &app.domain);
    assert!(
        expected
            .gaps
            .iter()
            .any(|g| g.dataset == pimready_core::snapshot::Dataset::RoleManagementPolicies),
        "{:?}",
        expected.gaps
    );
    let mut shots = Shots::new("fault-503");

    sign_in_as_user(client, domain, false).await;
    assert_overview(client, expected).await;
    let gaps = text(client, ".gaps-card").await;
    assert!(gaps.contains("role management policies"), "{gaps}");
    shots.take(client, "overview-gap").await;

    assert_status_filter(client, expected, Status::NotAssessed).await;
    let first = expected
        .checks
        .iter()
        .find(|f| f.status == Status::NotAssessed)
        .unwrap();
    click(client, &format!("#finding-{}", first.id)).await;
    let notice = text(client, ".finding-detail .notice").await;
    assert!(notice.starts_with("Not assessed:"), "{notice}");
    assert!(
        notice.contains(&first.missing_data[0].detail),
        "the reason is shown: {notice}"
    );
    shots.take(client, "not-assessed").await;
    app.client.close().await.unwrap();
}

/// Every screen the demo opens, at the current size: no horizontal scrolling of the page.
async fn assert_no_page_overflow(client: &Client, shots: &mut Shots, label: &str) {
    for screen in [
        "overview",
        "findings",
        "licensing",
        "plan",
        "export",
        "history",
        "portfolio",
        "settings",
    ] {
        click(client, &format!("[data-screen={screen}]")).await;
        text(client, "main .page-header h1").await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        let overflow = client
            .execute(
                "const d = document.documentElement; return [d.scrollWidth, d.clientWidth, document.querySelector('main').scrollWidth, document.querySelector('main').clientWidth]",
                Vec::new(),
            )
            .await
            .unwrap();
        let v: Vec<i64> = serde_json::from_value(overflow).unwrap();
        assert!(
            v[0] <= v[1] + 1 && v[2] <= v[3] + 1,
            "{label}: the {screen} screen scrolls sideways (page {} > {}, main {} > {})",
            v[0],
            v[1],
            v[2],
            v[3]
        );
        shots.take(client, &format!("{label}-{screen}")).await;
    }
}

#[tokio::test]
async fn dark_theme_and_200_percent_zoom() {
    if !e2e_enabled("dark_theme_and_200_percent_zoom") {
        return;
    }
    let mut shots = Shots::new("themes");
    // Dark: the system's GTK theme is dark, so the page's prefers-color-scheme is too.
    {
        let dirs = Dirs::new();
        let driver = start_driver(&dirs, &[("GTK_THEME", "Adwaita:dark".to_owned())]);
        let client = open_app(&driver).await;
        click(&client, "#open-demo").await;
        text_within(&client, "#score-grade", 30).await;
        let dark = client
            .execute(
                "return [matchMedia('(prefers-color-scheme: dark)').matches, getComputedStyle(document.body).backgroundColor]",
                Vec::new(),
            )
            .await
            .unwrap();
        assert_eq!(dark[0], true, "{dark}");
        shots.take(&client, "dark-overview").await;
        assert_no_page_overflow(&client, &mut shots, "dark").await;
        client.close().await.unwrap();
    }
    // 200% zoom: a 1280-pixel window lays out 640 CSS pixels, and nothing scrolls sideways.
    {
        let dirs = Dirs::new();
        let driver = start_driver(&dirs, &[("PIMREADY_ZOOM", "2".to_owned())]);
        let client = open_app(&driver).await;
        click(&client, "#open-demo").await;
        text_within(&client, "#score-grade", 30).await;
        let width = client
            .execute("return window.innerWidth", Vec::new())
            .await
            .unwrap();
        assert!(width.as_i64().unwrap() <= 700, "zoomed: {width}");
        assert_no_page_overflow(&client, &mut shots, "zoom200").await;
        client.close().await.unwrap();
    }
}
