//! PIM Ready desktop: the Tauri shell. Commands are thin adapters over `pimready-core`
//! (through `core_api`); the UI in `../ui` speaks only IPC.

pub mod commands;
pub mod core_api;
pub mod error;
pub mod models;
pub mod settings_file;
pub mod state;

use tauri::Manager;

/// The builder with every command and plugin, shared by `run` and the IPC tests.
pub fn builder<R: tauri::Runtime>() -> tauri::Builder<R> {
    tauri::Builder::default()
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
    builder()
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
