//! The desktop app under WebDriver: tauri-driver (which drives WebKitWebDriver, which
//! starts the app) with a throw-away profile. Used by the end-to-end tests
//! (`it/desktop.rs`) and the desktop benchmark (`benches/desktop.rs`).
//!
//! Environment: `PIMREADY_DESKTOP_BIN` (default: `pimready-desktop` beside the running
//! test or bench binary's target folder), `TAURI_DRIVER` (default `tauri-driver` on PATH).

use std::io::Write as _;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

use crate::workspace_root;

/// tauri-driver, killed on drop (it takes the app down with it).
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// tauri-driver's process id; the app runs in its process group.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // tauri-driver leads its own process group: take WebKitWebDriver and the app too,
        // or a crashed test leaves them holding the ports.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

pub fn start_driver(dirs: &Dirs, env: &[(&str, String)]) -> Driver {
    use std::os::unix::process::CommandExt as _;
    let program = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into());
    let (port, native_port) = (free_port(), free_port());
    let mut command = Command::new(&program);
    command
        .process_group(0)
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        // The driver starts the app, which inherits these: a clean, throw-away profile.
        .env("PIMREADY_CONFIG_DIR", dirs.config.path())
        .env("PIMREADY_REPORTS_DIR", dirs.reports.path())
        .env("PIMREADY_DATA_DIR", dirs.config.path().join("data"))
        // Saved sign-in profiles go to the platform folders: keep them throw-away too.
        .env("XDG_CONFIG_HOME", dirs.config.path().join("xdg-config"))
        .env("XDG_DATA_HOME", dirs.config.path().join("xdg-data"))
        .env_remove("PIMREADY_AUTHORITY_HOST")
        .env_remove("PIMREADY_GRAPH_HOST")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        command.env(k, v);
    }
    let child = command.spawn().unwrap_or_else(|e| {
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

/// The app's throw-away folders (removed on drop).
pub struct Dirs {
    pub config: tempfile::TempDir,
    pub reports: tempfile::TempDir,
}

impl Default for Dirs {
    fn default() -> Self {
        Self::new()
    }
}

impl Dirs {
    pub fn new() -> Self {
        Dirs {
            config: tempfile::tempdir().unwrap(),
            reports: tempfile::tempdir().unwrap(),
        }
    }
}

/// The app binary: `PIMREADY_DESKTOP_BIN`, else the build beside the running test or bench
/// binary (`<target>/<profile>/deps/..`, wherever `CARGO_TARGET_DIR` is), else the debug one.
pub fn desktop_binary() -> PathBuf {
    if let Ok(path) = std::env::var("PIMREADY_DESKTOP_BIN") {
        return PathBuf::from(path);
    }
    let profile_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()));
    let candidates = profile_dir.iter().flat_map(|d| {
        [
            d.join("pimready-desktop"),
            d.parent()
                .map(|t| t.join("debug/pimready-desktop"))
                .unwrap_or_default(),
        ]
    });
    candidates
        .chain([workspace_root().join("target/debug/pimready-desktop")])
        .find(|p| p.is_file())
        .unwrap_or_else(|| workspace_root().join("target/debug/pimready-desktop"))
}

pub async fn open_app(driver: &Driver) -> Client {
    let binary = desktop_binary();
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
    // tauri-driver listens before WebKitWebDriver is ready: the first session request
    // can be dropped. A few tries, then the error.
    let mut attempt = 0;
    loop {
        attempt += 1;
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            Ok(client) => return client,
            Err(e) if attempt < 4 => {
                let _ = writeln!(std::io::stderr(), "WebDriver session, try {attempt}: {e}");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Err(e) => panic!("WebDriver session: {e}"),
        }
    }
}
