// Generates one `allow-<command>` permission per app command, so the capability file can
// grant exactly these (no allow-all). Keep in step with `commands::NAMES`.
const COMMANDS: &[&str] = &[
    "list_tenants",
    "sign_in",
    "sign_out",
    "run_assessment",
    "cancel_assessment",
    "open_demo",
    "load_snapshot",
    "export_report",
    "show_in_folder",
    "open_reference",
    "get_settings",
    "save_settings",
    "choose_reports_folder",
    "list_history",
    "open_stored_assessment",
    "compare_assessments",
    "list_portfolio",
    "export_portfolio",
    "forget_tenant",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
