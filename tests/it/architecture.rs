//! The crate boundaries the README's codemap states as absences, checked with
//! `cargo tree -e normal` (what the crate links in a build, features unified as cargo
//! resolves them for that crate alone).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The names of every package in `crate_name`'s normal dependency tree.
fn tree(crate_name: &str) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .current_dir(&root)
        .args([
            "tree",
            "--offline",
            "--locked",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "-p",
            crate_name,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo tree -p {crate_name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split(' ').next())
        .map(str::to_owned)
        .collect()
}

fn check(crate_name: &str, absent: &[&str]) {
    let deps = tree(crate_name);
    assert!(deps.contains(crate_name), "{crate_name}: {deps:?}");
    let present: Vec<&&str> = absent.iter().filter(|a| deps.contains(**a)).collect();
    assert!(
        present.is_empty(),
        "{crate_name} must not depend on {present:?} (README, Architecture)"
    );
}

const IO: &[&str] = &[
    "tokio", "reqwest", "oauth2", "keyring", "rusqlite", "printpdf",
];
const FACES: &[&str] = &["tauri", "clap", "indicatif", "wry"];

#[test]
fn core_is_pure() {
    check("pimready-core", &[IO, FACES].concat());
}

#[test]
fn report_renders_without_network_keychain_or_database() {
    check(
        "pimready-report",
        &[
            &["tokio", "reqwest", "oauth2", "keyring", "rusqlite"],
            FACES,
        ]
        .concat(),
    );
}

#[test]
fn graph_and_history_stay_in_their_lanes() {
    check(
        "pimready-graph",
        &[&["rusqlite", "printpdf"], FACES].concat(),
    );
    check(
        "pimready-history",
        &[&["tokio", "reqwest", "oauth2", "keyring"], FACES].concat(),
    );
}

#[test]
fn the_application_layer_knows_no_face() {
    check("pimready-app", FACES);
}

/// Every crate that writes tenant data shares these few functions, so they must stay
/// cheap to depend on: the standard library only.
#[test]
fn private_files_need_nothing_but_std() {
    assert_eq!(
        tree("pimready-files"),
        BTreeSet::from(["pimready-files".to_owned()])
    );
}

/// SECURITY.md lists only promises a test keeps: every `path::name` it cites is a function
/// (or, for the UI's node tests, a test title) in that file, so a renamed or deleted test
/// shows up here instead of leaving a promise nothing checks.
#[test]
fn security_md_names_only_tests_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("SECURITY.md")).unwrap();
    let mut cited = 0;
    let mut missing = Vec::new();
    for quoted in text.split('`').skip(1).step_by(2) {
        let Some((path, name)) = quoted.split_once("::") else {
            continue;
        };
        let extension = Path::new(path).extension().and_then(|e| e.to_str());
        if !matches!(extension, Some("rs" | "mjs")) {
            continue;
        }
        cited += 1;
        let Ok(source) = std::fs::read_to_string(root.join(path)) else {
            missing.push(format!("{path} (no such file)"));
            continue;
        };
        let found = if extension == Some("rs") {
            source.contains(&format!("fn {name}("))
        } else {
            source.contains(&format!("\"{name}\""))
        };
        if !found {
            missing.push(quoted.to_owned());
        }
    }
    assert!(
        cited > 50,
        "only {cited} citations found: is the format still `path::name`?"
    );
    assert!(
        missing.is_empty(),
        "SECURITY.md cites what does not exist: {missing:#?}"
    );
}
