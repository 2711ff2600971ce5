// Generates one `allow-<command>` permission per app command, so the capability file can
// grant exactly these (no allow-all). The list is shared with `commands::NAMES`.
const COMMANDS: &[&str] = include!("src/command_names.rs");

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
