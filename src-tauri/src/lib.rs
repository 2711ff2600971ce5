//! PIM Ready desktop: the Tauri shell. Commands are thin adapters over `pimready-core`
//! (through `core_api`); the UI in `../ui` speaks only IPC.

pub mod commands;
pub mod core_api;
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
            commands::cancel_assessment,
            commands::open_demo,
            commands::load_snapshot,
            commands::export_report,
            commands::show_in_folder,
            commands::open_reference,
            commands::get_settings,
            commands::save_settings,
            commands::choose_reports_folder,
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
    Ok(state::AppState::load(
        config_dir.join("settings.json"),
        reports_dir,
    ))
}

pub fn run() {
    with_commands(tauri::Builder::default())
        .setup(|app| {
            let state = app_state(app)?;
            app.manage(state);
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

    fn app(dir: &std::path::Path) -> tauri::App<tauri::test::MockRuntime> {
        let app = crate::with_commands(mock_builder())
            .build(mock_context(noop_assets()))
            .unwrap();
        app.manage(crate::state::AppState::load(
            dir.join("settings.json"),
            dir.join("reports"),
        ));
        tauri::WebviewWindowBuilder::new(&app, "main", tauri::WebviewUrl::default())
            .build()
            .unwrap();
        app
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
}
