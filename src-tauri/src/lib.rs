//! PIM Ready desktop: the Tauri shell. Commands are thin adapters over `pimready-core`
//! (through `pimready_app`); the UI in `../ui` speaks only IPC.

pub mod commands;
pub mod error;
pub mod models;
pub mod settings_file;
pub mod state;

use tauri::Manager;

/// Every command and plugin, added to a builder (the real one in `run`, a mock in tests).
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(tauri::generate_handler![
            commands::list_tenants,
            commands::sign_in,
            commands::sign_out,
            commands::run_assessment,
            commands::check_access,
            commands::cancel_assessment,
            commands::open_demo,
            commands::load_snapshot,
            commands::export_report,
            commands::show_in_folder,
            commands::open_reference,
            commands::get_settings,
            commands::save_settings,
            commands::choose_reports_folder,
            commands::list_history,
            commands::open_stored_assessment,
            commands::compare_assessments,
            commands::list_portfolio,
            commands::export_portfolio,
            commands::forget_tenant,
            commands::compute_changes,
            commands::export_changes,
            commands::apply_changes,
            commands::rollback_changes,
        ])
}

/// `PIMREADY_CONFIG_DIR` / `PIMREADY_REPORTS_DIR` override the platform folders (tests, portable use).
fn app_state(app: &tauri::App) -> tauri::Result<state::AppState> {
    let config_dir = match std::env::var_os("PIMREADY_CONFIG_DIR") {
        Some(dir) => dir.into(),
        None => app.path().app_config_dir()?,
    };
    let reports_dir = match std::env::var_os("PIMREADY_REPORTS_DIR") {
        Some(dir) => dir.into(),
        None => app
            .path()
            .document_dir()
            .or_else(|_| app.path().home_dir())?
            .join("PIM Ready"),
    };
    // `PIMREADY_DATA_DIR` keeps the history elsewhere (tests, a portable install).
    let history = match std::env::var_os("PIMREADY_DATA_DIR") {
        Some(dir) => std::path::PathBuf::from(dir).join(pimready_history::FILE_NAME),
        None => pimready_history::default_path()
            .unwrap_or_else(|| config_dir.join(pimready_history::FILE_NAME)),
    };
    Ok(state::AppState::load(
        config_dir.join("settings.json"),
        pimready_app::run::HistoryFile::at(history),
        reports_dir,
    ))
}

pub fn run() {
    with_commands(tauri::Builder::default())
        .setup(|app| {
            let state = app_state(app)?;
            app.manage(state);
            // `PIMREADY_ZOOM=2` starts at 200% (Ctrl + / Ctrl - change it while running).
            if let Some(zoom) = std::env::var("PIMREADY_ZOOM")
                .ok()
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|z| (0.5..=3.0).contains(z))
                && let Some(window) = app.get_webview_window("main")
            {
                window.set_zoom(zoom)?;
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running PIM Ready");
}

#[cfg(test)]
mod capability_tests {
    /// The webview may call exactly the app's commands: no wildcard, no allow-all, no
    /// plugin command, no shell.
    #[test]
    fn default_capability_grants_exactly_the_app_commands() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/capabilities/default.json"
        ))
        .unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let granted: Vec<&str> = json["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p.as_str()
                    .expect("permissions are plain identifiers, no inline scopes")
            })
            .collect();
        for p in &granted {
            assert!(!p.contains('*'), "wildcard permission {p}");
            assert!(
                !p.ends_with(":default") && !p.contains("allow-all") && !p.starts_with("shell:"),
                "broad permission {p}"
            );
        }
        let expected: Vec<String> = crate::commands::NAMES
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        assert_eq!(
            granted,
            expected.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(json["windows"], serde_json::json!(["main"]));
    }

    #[test]
    fn csp_is_strict() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json"))
            .unwrap();
        let conf: serde_json::Value = serde_json::from_str(&text).unwrap();
        let csp = &conf["app"]["security"]["csp"];
        assert_eq!(csp["default-src"], "'self'");
        assert_eq!(csp["script-src"], "'self'");
        assert_eq!(csp["connect-src"], "ipc: http://ipc.localhost");
        assert_eq!(csp["frame-src"], "'none'");
        let all = csp.to_string();
        assert!(
            !all.contains("unsafe") && !all.contains("https:") && !all.contains('*'),
            "{all}"
        );
    }
}

#[cfg(test)]
mod ipc_tests {
    use serde_json::json;
    use tauri::Manager;
    use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
    use tauri::webview::InvokeRequest;

    fn invoke(
        app: &tauri::App<tauri::test::MockRuntime>,
        cmd: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        let webview = app.get_webview_window("main").unwrap();
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(body),
            headers: tauri::http::HeaderMap::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&webview, request).map(|b| b.deserialize().unwrap())
    }

    /// Loads `path` as the user would: through the open-file dialog (answered by the test).
    fn load_snapshot(app: &tauri::App<tauri::test::MockRuntime>, path: std::path::PathBuf) {
        app.state::<crate::state::AppState>()
            .dialog_answers
            .lock()
            .unwrap()
            .push_back(path);
        invoke(app, "load_snapshot", json!({})).unwrap();
    }

    /// The Changes screen: the change-set of the assessment on screen, as the CLI's
    /// `remediate` computes it, with choices from the tenant's users; the pack exported to
    /// the reports folder.
    #[test]
    fn the_changes_screen_computes_and_exports_the_pack() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let err = invoke(&app, "compute_changes", json!({ "choices": {} })).unwrap_err();
        assert_eq!(err["kind"], "invalid_input", "nothing on screen: {err}");

        let snapshot = dir.path().join("demo-snapshot.json");
        std::fs::write(&snapshot, pimready_core::demo::DEMO_SNAPSHOT_JSON).unwrap();
        load_snapshot(&app, snapshot);
        let choices = json!({
            "approvers": ["diego.siciliani@contoso.com", "nestor.wilke@contoso.com"],
            "notify": ["secops@contoso.com"],
        });
        let view = invoke(&app, "compute_changes", json!({ "choices": choices })).unwrap();
        assert_eq!(view["change_set"]["change_set_version"], 1);
        let changes = view["change_set"]["changes"].as_array().unwrap();
        assert!(!changes.is_empty());
        assert!(changes.iter().all(|c| c["selected"] == true));
        assert!(
            view["users"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["user_principal_name"] == "diego.siciliani@contoso.com")
        );

        let first = changes[0]["id"].clone();
        let mut unticked = choices.clone();
        unticked["deselected"] = json!([first]);
        let view = invoke(&app, "compute_changes", json!({ "choices": unticked })).unwrap();
        let again = view["change_set"]["changes"].as_array().unwrap();
        assert_eq!(
            again.iter().find(|c| c["id"] == first).unwrap()["selected"],
            false
        );

        let err = invoke(
            &app,
            "compute_changes",
            json!({ "choices": { "approvers": ["nobody@contoso.com"] } }),
        )
        .unwrap_err();
        assert_eq!(err["kind"], "invalid_input", "{err}");
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .contains("nobody@contoso.com"),
            "{err}"
        );

        let paths = invoke(&app, "export_changes", json!({ "choices": choices })).unwrap();
        let paths: Vec<std::path::PathBuf> = paths
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().into())
            .collect();
        let names: Vec<String> = paths
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "pimready-contoso-ltd-2026-11-20-changes.json",
                "pimready-contoso-ltd-2026-11-20-remediate.ps1",
                "pimready-contoso-ltd-2026-11-20-rollback.ps1"
            ]
        );
        assert!(
            paths
                .iter()
                .all(|p| p.starts_with(dir.path().join("reports")) && p.exists())
        );
    }

    /// Paths and URLs the webview passes come from Rust: a file this window exported, a
    /// reference the catalog cites; the reports folder and logo only through dialogs.
    #[test]
    fn the_webview_cannot_name_paths_or_urls_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let snapshot = dir.path().join("demo-snapshot.json");
        std::fs::write(&snapshot, pimready_core::demo::DEMO_SNAPSHOT_JSON).unwrap();
        load_snapshot(&app, snapshot.clone());

        let err = invoke(&app, "show_in_folder", json!({ "path": snapshot })).unwrap_err();
        assert_eq!(err["kind"], "invalid_input", "{err}");
        for url in [
            "https://evil.example/phish",
            "file:///etc/passwd",
            "javascript:alert(1)",
        ] {
            let err = invoke(&app, "open_reference", json!({ "url": url })).unwrap_err();
            assert_eq!(err["kind"], "invalid_input", "{url}: {err}");
        }

        let before = invoke(&app, "get_settings", json!({})).unwrap();
        let mut settings = before["settings"].clone();
        settings["reports_folder"] = json!("/tmp/elsewhere");
        settings["branding"]["logo_path"] = json!("/etc/passwd");
        settings["branding"]["consultant_name"] = json!("Fabrikam Advisory");
        let after = invoke(&app, "save_settings", json!({ "settings": settings })).unwrap();
        assert_eq!(after["reports_folder"], before["reports_folder"]);
        assert_eq!(
            after["settings"]["reports_folder"],
            before["settings"]["reports_folder"]
        );
        assert_eq!(after["settings"]["branding"]["logo_path"], json!(null));
        assert_eq!(
            after["settings"]["branding"]["consultant_name"], "Fabrikam Advisory",
            "the rest of the settings is saved"
        );
    }

    fn app(dir: &std::path::Path) -> tauri::App<tauri::test::MockRuntime> {
        app_with_hosts(dir, pimready_app::target::HostOverrides::default())
    }

    /// The app with its authority and Graph hosts set, as `PIMREADY_AUTHORITY_HOST` and
    /// `PIMREADY_GRAPH_HOST` set them at start-up.
    fn app_with_hosts(
        dir: &std::path::Path,
        hosts: pimready_app::target::HostOverrides,
    ) -> tauri::App<tauri::test::MockRuntime> {
        let app = crate::with_commands(mock_builder())
            .build(mock_context(noop_assets()))
            .unwrap();
        let mut state = crate::state::AppState::load(
            dir.join("settings.json"),
            pimready_app::run::HistoryFile::at(dir.join("history.sqlite3")),
            dir.join("reports"),
        );
        state.hosts = hosts;
        app.manage(state);
        tauri::WebviewWindowBuilder::new(&app, "main", tauri::WebviewUrl::default())
            .build()
            .unwrap();
        app
    }

    /// The desktop's "Apply…" against the tenant emulator: a fixture tenant collected and
    /// opened as a snapshot, its emergency accounts designated, the change-set's approvers
    /// named. The emulator's authorization server issues what the sign-in asks for.
    struct ApplyBench {
        dir: tempfile::TempDir,
        app: tauri::App<tauri::test::MockRuntime>,
        emu: pimready_tests::Emulator,
        oauth: pimready_tests::oauth::OAuthState,
        // The emulator's server runs here while the test thread waits on IPC.
        _runtime: tokio::runtime::Runtime,
    }

    const CHOICES: &str =
        r#"{"approvers": ["diego.siciliani@contoso.com"], "notify": ["secops@contoso.com"]}"#;

    impl ApplyBench {
        fn new() -> Self {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            let (emu, oauth) = runtime
                .block_on(pimready_tests::start_with_sign_in(
                    pimready_tests::Fixture::load("contoso-e5").unwrap(),
                    std::time::Duration::ZERO,
                    0,
                ))
                .unwrap();
            let snapshot = runtime.block_on(pimready_tests::collect_from(&emu, chrono::Utc::now));
            let dir = tempfile::tempdir().unwrap();
            let base = emu.base_url().to_owned();
            let app = app_with_hosts(
                dir.path(),
                pimready_app::target::HostOverrides {
                    authority: Some(base.clone()),
                    graph: Some(base),
                    arm: None,
                },
            );
            let mut settings = invoke(&app, "get_settings", json!({})).unwrap()["settings"].clone();
            settings["emergency_accounts"] = json!({
                emu.tenant_id(): [
                    "bg-admin01@contoso.onmicrosoft.com",
                    "bg-admin02@contoso.onmicrosoft.com",
                ],
            });
            invoke(&app, "save_settings", json!({ "settings": settings })).unwrap();
            let path = dir.path().join("contoso-snapshot.json");
            std::fs::write(&path, snapshot.to_json()).unwrap();
            load_snapshot(&app, path);
            ApplyBench {
                dir,
                app,
                emu,
                oauth,
                _runtime: runtime,
            }
        }

        fn choices() -> serde_json::Value {
            serde_json::from_str(CHOICES).unwrap()
        }

        /// The change-set on screen, as the Changes screen shows it.
        fn change_set(&self) -> pimready_core::remediation::ChangeSet {
            let view = invoke(
                &self.app,
                "compute_changes",
                json!({ "choices": Self::choices() }),
            )
            .unwrap();
            serde_json::from_value(view["change_set"].clone()).unwrap()
        }

        fn sign_in() -> serde_json::Value {
            json!({ "tenant": "contoso.com", "cloud": "global", "method": "device_code", "azure": false })
        }

        fn apply(&self, confirm: &str) -> Result<serde_json::Value, serde_json::Value> {
            invoke(
                &self.app,
                "apply_changes",
                json!({
                    "request": { "choices": Self::choices(), "confirm": confirm, "sign_in": Self::sign_in() },
                    "onEvent": "__CHANNEL__:1",
                }),
            )
        }

        fn rollback(
            &self,
            journal: &serde_json::Value,
            confirm: &str,
        ) -> Result<serde_json::Value, serde_json::Value> {
            invoke(
                &self.app,
                "rollback_changes",
                json!({
                    "request": { "journal": journal, "confirm": confirm, "sign_in": Self::sign_in() },
                    "onEvent": "__CHANNEL__:2",
                }),
            )
        }

        /// Requests that would change the tenant (token requests are the authority's, and
        /// the collection's `$batch` envelopes hold GETs).
        fn writes(&self) -> Vec<String> {
            self.emu
                .requests()
                .iter()
                .filter(|r| {
                    r.method != "GET"
                        && !r.path_and_query.contains("/oauth2/")
                        && !r.path_and_query.ends_with("/$batch")
                })
                .map(|r| format!("{} {}", r.method, r.path_and_query))
                .collect()
        }

        fn reports(&self) -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(self.dir.path().join("reports"))
                .map(|d| {
                    d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            names
        }
    }

    fn statuses(view: &serde_json::Value) -> Vec<String> {
        view["journal"]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["status"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The typed confirmation is checked in Rust, before any sign-in: a wrong one is
    /// refused with a hint, and nothing reaches the tenant or the reports folder.
    #[test]
    fn apply_with_a_wrong_typed_domain_is_refused_and_writes_nothing() {
        let bench = ApplyBench::new();
        for typed in ["", "fabrikam.com", "contoso.co", " "] {
            let err = bench.apply(typed).unwrap_err();
            assert_eq!(err["kind"], "invalid_input", "{typed:?}: {err}");
            assert!(
                err["message"]
                    .as_str()
                    .unwrap()
                    .contains("nothing was changed"),
                "{err}"
            );
            assert_eq!(err["hint"], "type contoso.com to confirm", "{err}");
        }
        let err = invoke(
            &bench.app,
            "rollback_changes",
            json!({
                "request": { "journal": bench.dir.path().join("elsewhere-journal.json"), "confirm": "contoso.com", "sign_in": ApplyBench::sign_in() },
                "onEvent": "__CHANNEL__:3",
            }),
        )
        .unwrap_err();
        assert_eq!(
            err["kind"], "invalid_input",
            "a journal the webview names: {err}"
        );
        assert!(
            bench.oauth.token_requests().is_empty(),
            "no sign-in was asked for"
        );
        assert!(bench.writes().is_empty(), "{:?}", bench.writes());
        assert!(bench.reports().is_empty(), "{:?}", bench.reports());
    }

    /// The demo tenant's changes can be reviewed and exported, never applied: refused
    /// before any sign-in (its id names no one's tenant).
    #[test]
    fn the_demo_tenant_is_never_applied() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        invoke(&app, "open_demo", json!({ "onProgress": "__CHANNEL__:1" })).unwrap();
        invoke(&app, "compute_changes", json!({ "choices": {} })).unwrap();
        let err = invoke(
            &app,
            "apply_changes",
            json!({
                "request": {
                    "confirm": "contoso.com",
                    "sign_in": { "tenant": "contoso.com", "cloud": "global", "method": "device_code" },
                },
                "onEvent": "__CHANNEL__:2",
            }),
        )
        .unwrap_err();
        assert_eq!(err["kind"], "invalid_input", "{err}");
        assert!(err["message"].as_str().unwrap().contains("demo"), "{err}");
        assert!(err["hint"].is_string(), "{err}");
        assert!(!dir.path().join("reports").exists(), "nothing exported");
    }

    /// "Apply…" signs in with the write permissions, applies every ready change, writes the
    /// journal beside the exported change-set; "Roll back…" undoes them from that journal
    /// after the same confirmation.
    #[test]
    fn apply_writes_the_journal_beside_the_change_set_and_rollback_undoes_it() {
        let bench = ApplyBench::new();
        let cs = bench.change_set();
        let ready = cs.apply_order(None).len();
        assert!(ready > 0);
        let view = bench.apply("CONTOSO.COM").unwrap();
        assert!(
            bench
                .oauth
                .token_requests()
                .iter()
                .any(|t| t.outcome == "ok"),
            "apply signed in on its own"
        );
        assert_eq!(statuses(&view), vec!["applied"; ready], "{view:#}");
        let journal = std::path::PathBuf::from(view["journal_path"].as_str().unwrap());
        let changes = std::path::PathBuf::from(view["change_set_path"].as_str().unwrap());
        assert_eq!(
            journal.parent(),
            Some(bench.dir.path().join("reports").as_path())
        );
        assert_eq!(journal, pimready_app::apply::journal_path(&changes));
        let on_disk = pimready_app::apply::Journal::load(&journal).unwrap();
        assert_eq!(serde_json::to_value(&on_disk).unwrap(), view["journal"]);
        // The writes went through with the token that sign-in got.
        assert!(
            bench.writes().iter().any(|w| w.starts_with("PATCH")),
            "{:?}",
            bench.writes()
        );
        let names = bench.reports();
        assert!(
            names.iter().any(|n| n.ends_with("-changes.json")),
            "{names:?}"
        );
        assert!(
            names.iter().any(|n| n.ends_with("-journal.json")),
            "{names:?}"
        );

        let err = bench
            .rollback(&view["journal_path"], "fabrikam.com")
            .unwrap_err();
        assert_eq!(err["kind"], "invalid_input", "{err}");
        // No journal named: the open dialog asks (answered by the test).
        bench
            .app
            .state::<crate::state::AppState>()
            .dialog_answers
            .lock()
            .unwrap()
            .push_back(journal.clone());
        let undone = bench.rollback(&json!(null), "contoso.com").unwrap();
        assert_eq!(undone["journal_path"], view["journal_path"]);
        assert_eq!(statuses(&undone), vec!["undone"; ready], "{undone:#}");
        let on_disk = pimready_app::apply::Journal::load(&journal).unwrap();
        assert_eq!(
            on_disk.count(pimready_app::apply::EntryStatus::Undone),
            ready
        );
    }

    /// After an apply, the change-set on screen is out of date: applying it again would
    /// create its policies and reviews twice, so it is refused, with nothing sent, until
    /// that journal is rolled back (or the tenant is assessed again).
    #[test]
    fn an_applied_change_set_is_not_applied_twice() {
        let bench = ApplyBench::new();
        let view = bench.apply("contoso.com").unwrap();
        let sent = bench.writes().len();
        assert!(sent > 0);
        let err = bench.apply("contoso.com").unwrap_err();
        assert_eq!(err["kind"], "invalid_input", "{err}");
        assert!(
            err["message"].as_str().unwrap().contains("already applied"),
            "{err}"
        );
        assert!(
            err["hint"]
                .as_str()
                .unwrap()
                .contains("Assess the tenant again")
        );
        assert_eq!(bench.writes().len(), sent, "nothing sent the second time");

        bench
            .rollback(&view["journal_path"], "contoso.com")
            .unwrap();
        let again = bench.apply("contoso.com").unwrap();
        assert_eq!(statuses(&again), statuses(&view), "{again:#}");
    }

    /// A change that fails stops the run: its sent steps are rolled back as the CLI rolls
    /// them back, the changes after it are skipped, and Graph's answer is in the journal.
    #[test]
    fn a_failing_change_stops_rolls_back_its_steps_and_is_reported() {
        let bench = ApplyBench::new();
        let cs = bench.change_set();
        let order = cs.apply_order(None);
        let third = order[2];
        assert!(
            third.requests.len() >= 2,
            "the third change has steps to roll back"
        );
        let refused = third.requests[1].path.clone();
        bench.emu.set_fault(
            pimready_tests::RouteMatcher::Custom(std::sync::Arc::new(
                move |method: &str, path: &str, _q: &str| {
                    method != "GET" && path.ends_with(&refused)
                },
            )),
            pimready_tests::Fault::times(pimready_tests::FaultKind::Forbidden, 1),
        );
        let view = bench.apply("contoso.com").unwrap();
        let status = statuses(&view);
        assert_eq!(
            status[..3],
            ["applied", "applied", "rolled_back"],
            "{view:#}"
        );
        assert!(status[3..].iter().all(|s| s == "skipped"), "{status:?}");
        let failed = &view["journal"]["entries"][2];
        assert_eq!(failed["change_id"], third.id.as_str());
        assert_eq!(failed["steps"][1]["status"], 403);
        assert!(
            failed["error"]
                .as_str()
                .unwrap()
                .contains("Authorization_RequestDenied"),
            "{failed:#}"
        );
        assert_eq!(failed["undo"].as_array().unwrap().len(), 1);
        assert_eq!(failed["undo"][0]["status"], 204);
        let journal = std::path::PathBuf::from(view["journal_path"].as_str().unwrap());
        let on_disk = pimready_app::apply::Journal::load(&journal).unwrap();
        assert_eq!(serde_json::to_value(&on_disk).unwrap(), view["journal"]);
    }

    #[test]
    fn errors_cross_the_boundary_as_kind_and_message() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let err = invoke(
            &app,
            "export_report",
            json!({"format": "pdf", "destination": "reports_folder"}),
        )
        .unwrap_err();
        assert_eq!(
            err,
            json!({"kind": "invalid_input", "message": "Open an assessment first."})
        );
    }

    #[test]
    fn settings_round_trip_through_ipc() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let view = invoke(&app, "get_settings", json!({})).unwrap();
        assert_eq!(view["settings"]["assessment"]["stale_after_days"], 90);
        let mut settings = view["settings"].clone();
        settings["assessment"]["emergency_accounts"] = json!(["bg01@contoso.onmicrosoft.com"]);
        invoke(&app, "save_settings", json!({ "settings": settings })).unwrap();
        let saved = std::fs::read_to_string(dir.path().join("settings.json")).unwrap();
        assert!(saved.contains("bg01@contoso.onmicrosoft.com"));
    }

    /// Emergency accounts are designated per tenant: the demo tenant's list exempts its
    /// accounts, and another tenant's list is never applied to it.
    #[test]
    fn emergency_accounts_are_designated_per_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let snapshot = dir.path().join("demo-snapshot.json");
        std::fs::write(&snapshot, pimready_core::demo::DEMO_SNAPSHOT_JSON).unwrap();
        let designated = |app: &tauri::App<tauri::test::MockRuntime>| {
            let view = invoke(app, "compute_changes", json!({ "choices": {} })).unwrap();
            view["change_set"]["choices"]["emergency_accounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["user_principal_name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let mut settings = invoke(&app, "get_settings", json!({})).unwrap()["settings"].clone();
        settings["emergency_accounts"] = json!({
            "00000000-0000-0000-0000-0000000000aa": ["bg-admin01@contoso.onmicrosoft.com"],
        });
        invoke(&app, "save_settings", json!({ "settings": settings })).unwrap();
        load_snapshot(&app, snapshot.clone());
        assert!(
            designated(&app).is_empty(),
            "another tenant's list is not applied"
        );

        settings["emergency_accounts"] = json!({
            pimready_core::demo::TENANT_ID: pimready_core::demo::EMERGENCY_ACCOUNTS,
        });
        invoke(&app, "save_settings", json!({ "settings": settings })).unwrap();
        load_snapshot(&app, snapshot);
        assert_eq!(designated(&app), pimready_core::demo::EMERGENCY_ACCOUNTS);
    }

    /// Two stored assessments of the demo tenant, a month apart; returns their ids.
    fn store_two(dir: &std::path::Path) -> (i64, i64) {
        use pimready_core::{assessment, demo, pricebook::PriceBook};
        use pimready_history::Store;
        let mut store = Store::open(dir.join("history.sqlite3")).unwrap();
        let snapshot = demo::snapshot();
        let settings = pimready_core::settings::AssessmentSettings::default();
        let first = assessment::assess(&snapshot, &settings, &PriceBook::default_book());
        let mut second = first.clone();
        second.assessed_at += chrono::Duration::days(30);
        second.score.percent += 10.0;
        let a = store.save(&snapshot, &first, &settings).unwrap();
        let b = store.save(&snapshot, &second, &settings).unwrap();
        (a.0, b.0)
    }

    #[test]
    fn history_portfolio_and_forget_through_ipc() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = store_two(dir.path());
        let app = app(dir.path());

        let view = invoke(&app, "list_history", json!({"tenantId": null})).unwrap();
        assert_eq!(view["tenants"].as_array().unwrap().len(), 1);
        let ids: Vec<i64> = view["assessments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [second, first], "newest first");

        let opened = invoke(&app, "open_stored_assessment", json!({"id": first})).unwrap();
        assert_eq!(opened["history_id"], first);
        assert_eq!(opened["tenant"]["display_name"], "Contoso Ltd");

        let diff = invoke(
            &app,
            "compare_assessments",
            json!({"first": second, "second": first}),
        )
        .unwrap();
        let delta = diff["score"]["to"].as_f64().unwrap() - diff["score"]["from"].as_f64().unwrap();
        assert!(
            (delta - 10.0).abs() < 1e-9,
            "older first whatever the order: {diff}"
        );

        let rows = invoke(&app, "list_portfolio", json!({})).unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 1);
        assert!(rows[0]["summary"]["grade"].is_string(), "{rows}");

        let exported = invoke(
            &app,
            "export_portfolio",
            json!({"format": "csv", "destination": "reports_folder"}),
        )
        .unwrap();
        let csv = std::fs::read_to_string(exported["path"].as_str().unwrap()).unwrap();
        assert!(csv.contains("contoso"), "{csv}");

        let tenant = view["tenants"][0]["tenant_id"].as_str().unwrap().to_owned();
        let forgotten = invoke(&app, "forget_tenant", json!({"tenantId": tenant})).unwrap();
        assert_eq!(forgotten["assessments"], 2);
        let view = invoke(&app, "list_history", json!({"tenantId": null})).unwrap();
        assert!(view["assessments"].as_array().unwrap().is_empty());
        let err = invoke(
            &app,
            "export_report",
            json!({"format": "pdf", "destination": "reports_folder"}),
        )
        .unwrap_err();
        assert_eq!(
            err["kind"], "invalid_input",
            "the forgotten tenant left the screen"
        );
    }

    /// The CLI names the same demo tenant's files exactly so
    /// (`crates/pimready-cli/tests/cli.rs`, `demo_writes_all_three_reports_and_stores_history`): one naming rule.
    #[test]
    fn exports_are_named_as_the_cli_names_them() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let snapshot = dir.path().join("demo-snapshot.json");
        std::fs::write(&snapshot, pimready_core::demo::DEMO_SNAPSHOT_JSON).unwrap();
        load_snapshot(&app, snapshot);
        for format in ["pdf", "json", "csv"] {
            let exported = invoke(
                &app,
                "export_report",
                json!({"format": format, "destination": "reports_folder"}),
            )
            .unwrap();
            let path = std::path::PathBuf::from(exported["path"].as_str().unwrap());
            assert_eq!(
                path.file_name().unwrap().to_string_lossy(),
                format!("pimready-contoso-ltd-2026-11-20.{format}")
            );
            assert!(
                app.state::<crate::state::AppState>()
                    .written
                    .lock()
                    .unwrap()
                    .contains(&path),
                "the export may be shown in its folder"
            );
        }
    }

    /// The reports folder never loses a report: a second export of the same name is
    /// numbered as the CLI numbers it without `--force`, a masked one says so, and the
    /// folder the app creates for them is private.
    #[test]
    fn a_second_export_is_numbered_and_a_masked_one_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let snapshot = dir.path().join("demo-snapshot.json");
        std::fs::write(&snapshot, pimready_core::demo::DEMO_SNAPSHOT_JSON).unwrap();
        load_snapshot(&app, snapshot);
        let export = || {
            let exported = invoke(
                &app,
                "export_report",
                json!({"format": "csv", "destination": "reports_folder"}),
            )
            .unwrap();
            std::path::PathBuf::from(exported["path"].as_str().unwrap())
        };
        let first = export();
        std::fs::write(&first, "kept").unwrap();
        let second = export();
        assert_eq!(
            second.file_name().unwrap().to_string_lossy(),
            "pimready-contoso-ltd-2026-11-20-2.csv"
        );
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "kept");

        let mut settings = invoke(&app, "get_settings", json!({})).unwrap()["settings"].clone();
        settings["branding"]["mask_names"] = json!(true);
        invoke(&app, "save_settings", json!({ "settings": settings })).unwrap();
        let masked = export();
        assert_eq!(
            masked.file_name().unwrap().to_string_lossy(),
            "pimready-contoso-ltd-2026-11-20-masked.csv"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir.path().join("reports")), 0o700);
            for path in [&second, &masked, &dir.path().join("settings.json")] {
                assert_eq!(mode(path), 0o600, "{}", path.display());
            }
        }
    }

    #[test]
    fn a_damaged_history_is_an_io_error_and_stays_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = b"not a database, but someone's data".repeat(200);
        std::fs::write(dir.path().join("history.sqlite3"), &garbage).unwrap();
        let app = app(dir.path());
        let err = invoke(&app, "list_history", json!({"tenantId": null})).unwrap_err();
        assert_eq!(err["kind"], "io", "{err}");
        assert!(
            err["message"].as_str().unwrap().contains("history"),
            "{err}"
        );
        assert_eq!(
            std::fs::read(dir.path().join("history.sqlite3")).unwrap(),
            garbage
        );
    }
}
