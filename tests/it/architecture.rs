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
