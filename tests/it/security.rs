//! Structural promises of SECURITY.md that no single behaviour test covers.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// No telemetry: the product's code opens outbound connections in exactly two places,
/// the Graph client and the sign-in client, and both only reach configured hosts.
#[test]
fn only_the_graph_and_sign_in_clients_open_connections() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["crates", "src-tauri/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let allowed = [
        "crates/pimready-graph/src/client/graph.rs",
        "crates/pimready-graph/src/auth/http.rs",
    ];
    let outbound = [
        "Client::builder",
        "ClientBuilder",
        "reqwest::Client::new",
        "reqwest::get",
        "TcpStream::connect",
        "UdpSocket",
        "ureq::",
        "hyper::client",
    ];
    let mut offenders = Vec::new();
    let mut seen_allowed = 0;
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // Test code may connect anywhere it likes (emulators, probes).
        if rel.contains("/tests/") || rel.ends_with("/tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let product = text.split("#[cfg(test)]").next().unwrap_or_default();
        if let Some(found) = outbound.iter().find(|p| product.contains(*p)) {
            if allowed.contains(&rel.as_str()) {
                seen_allowed += 1;
            } else {
                offenders.push(format!("{rel}: {found}"));
            }
        }
    }
    assert!(files.len() > 20, "the sources were found: {}", files.len());
    assert_eq!(
        seen_allowed,
        allowed.len(),
        "both clients are still where SECURITY.md says"
    );
    assert!(
        offenders.is_empty(),
        "unexpected outbound connections: {offenders:?}"
    );
}
