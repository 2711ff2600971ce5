//! The `pimready` binary as a user runs it: exit codes, files written, sign-in and
//! collection against the tenant emulator, batch assessment.

// File names here are the ones pimready writes, in lower case.
#![allow(clippy::case_sensitive_file_extension_comparisons)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use pimready_tests::{Emulator, Fixture};

/// A sandboxed home: config, data (history) and no token variable.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pimready"));
        c.args(args)
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("BROWSER", "/bin/false")
            .env("SOURCE_DATE_EPOCH", "1795000000")
            .env_remove("PIMREADY_ACCESS_TOKEN")
            .env_remove("RUST_LOG")
            .env_remove("PIMREADY_LOG")
            .env_remove("PIMREADY_GRAPH_HOST")
            .env_remove("PIMREADY_AUTHORITY_HOST")
            .env_remove("PIMREADY_ARM_HOST")
            .env_remove("PIMREADY_ARM_ACCESS_TOKEN");
        c
    }
}

async fn run(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("pimready runs"))
        .await
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test]
async fn demo_writes_all_three_reports_and_stores_history() {
    let home = Home::new();
    let out = home.out();
    let o = run(home.cmd(&["demo", "--out", out.to_str().unwrap()])).await;
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("Readiness score:") && t.contains("PIM-01"),
        "{t}"
    );
    assert_eq!(
        files(&out),
        [
            "pimready-contoso-ltd-2026-11-20.csv",
            "pimready-contoso-ltd-2026-11-20.json",
            "pimready-contoso-ltd-2026-11-20.pdf"
        ]
    );
    let pdf = std::fs::read(out.join("pimready-contoso-ltd-2026-11-20.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("pimready-contoso-ltd-2026-11-20.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["tenant"]["display_name"], "Contoso Ltd");

    let h = run(home.cmd(&["history"])).await;
    assert!(
        h.status.success() && text(&h).contains("contoso.com"),
        "{}",
        text(&h)
    );
    let again = run(home.cmd(&[
        "demo",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
    ]))
    .await;
    assert!(
        again.status.success() && again.stdout.is_empty(),
        "{}",
        text(&again)
    );
    let d = run(home.cmd(&["diff", "1", "2"])).await;
    assert!(d.status.success(), "{}", text(&d));
}

/// An export never replaces a file silently: without `--force` a second run writes
/// `-2` copies (reports and snapshot alike); with it, the same names are replaced. A masked
/// report says so in its name.
#[tokio::test]
async fn exports_are_numbered_unless_forced_and_masked_ones_say_so() {
    let home = Home::new();
    let out = home.out();
    let snapshot = home.path().join("snap/contoso.json");
    let args = |extra: &[&str]| {
        let mut v = vec![
            "demo",
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json,csv",
            "--no-save",
            "--snapshot-out",
            snapshot.to_str().unwrap(),
        ];
        v.extend_from_slice(extra);
        v.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let run_with = |extra: &[&str]| {
        let a = args(extra);
        home.cmd(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let o = run(run_with(&[])).await;
    assert!(o.status.success(), "{}", text(&o));
    std::fs::write(out.join("pimready-contoso-ltd-2026-11-20.json"), "kept").unwrap();
    let o = run(run_with(&[])).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("pimready-contoso-ltd-2026-11-20-2.json")
            && text(&o).contains("contoso-2.json"),
        "the paths written are the ones printed: {}",
        text(&o)
    );
    let numbered = [
        "pimready-contoso-ltd-2026-11-20-2.csv",
        "pimready-contoso-ltd-2026-11-20-2.json",
        "pimready-contoso-ltd-2026-11-20.csv",
        "pimready-contoso-ltd-2026-11-20.json",
    ];
    assert_eq!(files(&out), numbered);
    assert_eq!(
        std::fs::read_to_string(out.join("pimready-contoso-ltd-2026-11-20.json")).unwrap(),
        "kept"
    );
    assert_eq!(
        files(snapshot.parent().unwrap()),
        ["contoso-2.json", "contoso.json"]
    );

    let o = run(run_with(&["--force"])).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(files(&out), numbered, "--force adds no file");
    assert_ne!(
        std::fs::read_to_string(out.join("pimready-contoso-ltd-2026-11-20.json")).unwrap(),
        "kept",
        "--force replaces"
    );
    assert_eq!(
        files(snapshot.parent().unwrap()),
        ["contoso-2.json", "contoso.json"]
    );

    let o = run(run_with(&["--mask-names"])).await;
    assert!(o.status.success(), "{}", text(&o));
    let all = files(&out);
    assert!(
        all.contains(&"pimready-contoso-ltd-2026-11-20-masked.json".to_owned())
            && all.contains(&"pimready-contoso-ltd-2026-11-20-masked.csv".to_owned()),
        "{all:?}"
    );
}

/// Reports, snapshots and the history are 0600; folders the CLI creates are 0700, and
/// a folder the user names with `--out` keeps its mode.
#[cfg(unix)]
#[tokio::test]
async fn written_files_are_private_and_a_named_out_folder_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let home = Home::new();
    let created = home.path().join("new/reports");
    let snapshot = home.path().join("snapshots/contoso.json");
    let o = run(home.cmd(&[
        "demo",
        "--out",
        created.to_str().unwrap(),
        "--snapshot-out",
        snapshot.to_str().unwrap(),
    ]))
    .await;
    assert!(o.status.success(), "{}", text(&o));
    for dir in [
        home.path().join("new"),
        created.clone(),
        home.path().join("snapshots"),
    ] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    let history = walk(&home.path().join("data"));
    assert!(
        history.iter().any(|p| p.ends_with("history.sqlite3")),
        "{history:?}"
    );
    for file in walk(&created)
        .into_iter()
        .chain([snapshot.clone()])
        .chain(history)
    {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }

    let named = home.path().join("shared");
    std::fs::create_dir(&named).unwrap();
    std::fs::set_permissions(&named, std::fs::Permissions::from_mode(0o750)).unwrap();
    let o = run(home.cmd(&["demo", "--out", named.to_str().unwrap(), "--no-save"])).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(mode(&named), 0o750);
    for file in walk(&named) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[tokio::test]
async fn exit_codes_are_meaningful() {
    let home = Home::new();
    // 2: usage.
    let o = run(home.cmd(&["demo", "--paper", "a3"])).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // 2: a corrupt snapshot names the line, loses nothing.
    let bad = home.path().join("bad.json");
    std::fs::write(&bad, "{\"schema_version\": 1,\n \"tenant_id\": 12").unwrap();
    let o = run(home.cmd(&["report", "--snapshot", bad.to_str().unwrap()])).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("line 2"), "{}", text(&o));
    assert!(!text(&o).contains("panicked"), "{}", text(&o));
    // 5: output cannot be written (the folder is a file).
    let blocker = home.path().join("blocker");
    std::fs::write(&blocker, "x").unwrap();
    let o = run(home.cmd(&["demo", "--out", blocker.join("reports").to_str().unwrap()])).await;
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("hint:"), "{}", text(&o));
    // 4: the Graph host is unreachable.
    let mut cmd = home.cmd(&[
        "collect",
        "--tenant",
        "contoso.com",
        "--graph-host",
        "http://127.0.0.1:9",
        "--snapshot-out",
        "s.json",
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", "t");
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    // 2: a malformed price book names the line.
    let book = home.path().join("prices.toml");
    std::fs::write(&book, "currency = \"USD\"\nchecked_on = [\n").unwrap();
    let o = run(home.cmd(&[
        "demo",
        "--price-book",
        book.to_str().unwrap(),
        "--out",
        home.out().to_str().unwrap(),
    ]))
    .await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("line"), "{}", text(&o));
}

#[tokio::test]
async fn collect_with_device_code_against_the_emulator() {
    let (emu, oauth) =
        pimready_tests::start_with_sign_in(Fixture::load("contoso-e5").unwrap(), Duration::ZERO, 0)
            .await
            .unwrap();
    let home = Home::new();
    let snap = home.path().join("contoso.json");
    let base = emu.base_url().to_owned();
    let o = run(home.cmd(&[
        "collect",
        "--tenant",
        "contoso.onmicrosoft.com",
        "--device-code",
        "--no-azure",
        "--authority-host",
        &base,
        "--graph-host",
        &base,
        "--snapshot-out",
        snap.to_str().unwrap(),
    ]))
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("code"), "the device code is shown: {t}");
    let log_line = |t: &str| {
        t.lines().any(|l| {
            [" INFO ", " WARN ", " DEBUG "]
                .iter()
                .any(|k| l.contains(k))
        })
    };
    assert!(
        !t.contains('\u{1b}') && !log_line(&t),
        "no raw log lines: {t}"
    );
    // Asked for, they come, without colour codes on a pipe.
    let verbose = run(home.cmd(&[
        "collect",
        "--verbose",
        "--tenant",
        "contoso.onmicrosoft.com",
        "--device-code",
        "--no-azure",
        "--authority-host",
        &base,
        "--graph-host",
        &base,
        "--snapshot-out",
        home.path().join("again.json").to_str().unwrap(),
    ]))
    .await;
    let v = text(&verbose);
    assert!(verbose.status.success(), "{v}");
    assert!(log_line(&v) && !v.contains('\u{1b}'), "{v}");
    let snapshot = pimready_core::snapshot::TenantSnapshot::load(&snap).unwrap();
    assert_eq!(snapshot.tenant_id, emu.tenant_id());
    // Graph read in full; Azure is a named gap, as no ARM token was given.
    assert!(
        snapshot.gaps.iter().all(|g| g.dataset.is_azure()),
        "{:?}",
        snapshot.gaps
    );
    assert!(
        snapshot
            .gaps
            .iter()
            .any(|g| g.detail.contains("--no-azure")),
        "the gap says Azure was skipped: {:?}",
        snapshot.gaps
    );

    // The saved profile is listed; no token material anywhere on disk.
    let tenants = run(home.cmd(&["tenants"])).await;
    assert!(
        text(&tenants).contains(emu.tenant_id()),
        "{}",
        text(&tenants)
    );
    let secrets = oauth.issued_secrets();
    assert!(!secrets.is_empty());
    for entry in walk(home.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let content = String::from_utf8_lossy(&bytes);
        for s in &secrets {
            assert!(
                !content.contains(s.as_str()),
                "token material in {}",
                entry.display()
            );
        }
    }
    let out = run(home.cmd(&["signout", "--all"])).await;
    assert!(out.status.success(), "{}", text(&out));
}

/// Browser sign-in as a user runs it: `pimready collect` opens the system browser (here a
/// script that fetches the authorize URL and follows its redirect to the loopback listener,
/// as a browser does) against the strict emulator, with the default client: the redirect
/// goes to `http://localhost:PORT`, which the client registers. With `--redirect-host
/// 127.0.0.1` the same sign-in fails at once with AADSTS50011 and no browser opens.
#[cfg(unix)]
#[tokio::test]
async fn browser_sign_in_with_the_default_client_against_the_strict_emulator() {
    use std::os::unix::fs::PermissionsExt;
    let (emu, oauth) =
        pimready_tests::start_with_sign_in(Fixture::load("contoso-e5").unwrap(), Duration::ZERO, 0)
            .await
            .unwrap();
    let home = Home::new();
    let log = home.path().join("browser.log");
    let browser = home.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\necho \"$1\" >> '{}'\nexec curl -sS -L --max-redirs 5 --max-time 30 -o /dev/null \"$1\"\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o700)).unwrap();
    let base = emu.base_url().to_owned();
    let snap = home
        .path()
        .join("browser.json")
        .to_str()
        .unwrap()
        .to_owned();
    let collect = |extra: &[&str]| {
        let mut cmd = home.cmd(&[
            "collect",
            "--tenant",
            "contoso.onmicrosoft.com",
            "--no-azure",
            "--authority-host",
            &base,
            "--graph-host",
            &base,
            "--snapshot-out",
            &snap,
        ]);
        cmd.args(extra).env("BROWSER", &browser);
        cmd
    };

    let refused = run(collect(&["--redirect-host", "127.0.0.1"])).await;
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("AADSTS50011"), "{}", text(&refused));
    assert!(
        !log.exists(),
        "no browser opened for a redirect Entra refuses"
    );

    let o = run(collect(&[])).await;
    assert!(o.status.success(), "{}", text(&o));
    let opened = std::fs::read_to_string(&log).unwrap();
    assert!(opened.contains("/oauth2/v2.0/authorize"), "{opened}");
    assert!(
        opened.contains("redirect_uri=http%3A%2F%2Flocalhost%3A"),
        "the default client's registered host: {opened}"
    );
    assert!(
        oauth
            .token_requests()
            .iter()
            .any(|r| r.grant_type == "authorization_code"),
        "the code was exchanged"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A batch: the emulator's host is given on the command line (a tenants-file line cannot
/// set hosts); the tenant named by id and by domain is assessed twice, and a tenant the
/// host does not answer for fails without stopping the others.
#[tokio::test]
async fn batch_of_three_with_one_failure() {
    let contoso = Emulator::start_named("contoso-e5").await.unwrap();
    let domain = "contoso.onmicrosoft.com";
    let home = Home::new();
    let list = home.path().join("tenants.txt");
    std::fs::write(
        &list,
        format!(
            "# one client by id and by domain; the third is misnamed (this Graph answers for another tenant)\n{}\n{domain} global\nwrong.example.com\n",
            contoso.tenant_id(),
        ),
    )
    .unwrap();
    let out = home.out();
    let mut cmd = home.cmd(&[
        "assess",
        "--tenants",
        list.to_str().unwrap(),
        "--graph-host",
        contoso.base_url(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "pdf,json",
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", contoso.token());
    let o = run(cmd).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("3 tenant(s), 2 assessed, 1 failed"),
        "{}",
        text(&o)
    );
    let names = files(&out);
    assert!(
        names
            .iter()
            .any(|n| n.ends_with(".pdf") && !n.contains("portfolio")),
        "{names:?}"
    );
    let csv_name = names
        .iter()
        .find(|n| n.starts_with("pimready-portfolio-") && n.ends_with(".csv"))
        .expect("portfolio csv");
    assert!(
        names.contains(&csv_name.replace(".csv", ".pdf")),
        "portfolio pdf beside the csv: {names:?}"
    );
    let csv = std::fs::read_to_string(out.join(csv_name)).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    let failed = csv
        .lines()
        .find(|l| l.contains("wrong.example.com"))
        .unwrap();
    assert!(
        failed.contains("failed") && failed.contains("tenant"),
        "{failed}"
    );

    // A line that names a host is refused before anything is sent.
    std::fs::write(
        &list,
        format!(
            "{} graph-host={}\n",
            contoso.tenant_id(),
            contoso.base_url()
        ),
    )
    .unwrap();
    let mut cmd = home.cmd(&["assess", "--tenants", list.to_str().unwrap()]);
    cmd.env("PIMREADY_ACCESS_TOKEN", contoso.token());
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("cannot set hosts"), "{}", text(&o));
}

/// `pimready preflight`: exit 0 when every permitted read works, Azure Resource Manager
/// included; exit 4 without an ARM token unless `--no-azure`; exit 4 and the missing
/// permission named on its row when the token lacks AuditLog.Read.All.
#[tokio::test]
async fn preflight_exits_0_when_readable_and_4_when_a_permission_is_missing() {
    let home = Home::new();
    let full = Emulator::start_named("contoso-e5").await.unwrap();
    let mut cmd = home.cmd(&[
        "preflight",
        "--tenant",
        full.tenant_id(),
        "--graph-host",
        full.base_url(),
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", full.token());
    cmd.env("PIMREADY_ARM_ACCESS_TOKEN", full.arm_token());
    cmd.env("PIMREADY_ARM_HOST", full.arm_base_url());
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Sign-in activity"), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let azure = out
        .lines()
        .find(|l| l.starts_with("Azure role assignments"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(azure.contains("yes"), "{azure}");

    // Without an ARM token the Azure rows say why (exit 4); `--no-azure` leaves them out.
    let mut cmd = home.cmd(&[
        "preflight",
        "--tenant",
        full.tenant_id(),
        "--graph-host",
        full.base_url(),
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", full.token());
    cmd.env_remove("PIMREADY_ARM_ACCESS_TOKEN");
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        text(&o).contains("PIMREADY_ARM_ACCESS_TOKEN"),
        "{}",
        text(&o)
    );
    let mut cmd = home.cmd(&[
        "preflight",
        "--tenant",
        full.tenant_id(),
        "--graph-host",
        full.base_url(),
        "--no-azure",
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", full.token());
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("Azure"), "{}", text(&o));

    let scopes = pimready_tests::app_scopes()
        .into_iter()
        .filter(|s| s != "AuditLog.Read.All");
    let lacking = Emulator::builder(Fixture::load("contoso-e5").unwrap())
        .token_scopes(scopes)
        .start()
        .await
        .unwrap();
    let mut cmd = home.cmd(&[
        "preflight",
        "--tenant",
        lacking.tenant_id(),
        "--graph-host",
        lacking.base_url(),
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", lacking.token());
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let row = out
        .lines()
        .find(|l| l.starts_with("Sign-in activity"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(row.contains("AuditLog.Read.All"), "{row}");
}

/// A token with the read scopes and these write permissions.
async fn writable(write: &[&str]) -> Emulator {
    let mut scopes = pimready_tests::app_scopes();
    scopes.extend(write.iter().map(|s| (*s).to_owned()));
    Emulator::builder(Fixture::load("contoso-e5").unwrap())
        .token_scopes(scopes)
        .start()
        .await
        .unwrap()
}

/// Every entry of the journal at `path` has `status`; returns how many there are.
fn assert_journal(path: &Path, status: &str) -> usize {
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let entries = record["entries"].as_array().unwrap();
    assert!(entries.iter().all(|e| e["status"] == status), "{record}");
    entries.len()
}

/// collect → remediate against `emu`; returns the change-set's path.
async fn pack(home: &Home, emu: &Emulator) -> PathBuf {
    let snap = home.path().join("snap.json");
    let mut cmd = home.cmd(&[
        "collect",
        "--tenant",
        "contoso.com",
        "--graph-host",
        emu.base_url(),
        "--snapshot-out",
        snap.to_str().unwrap(),
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", emu.token());
    let o = run(cmd).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = home.out();
    let o = run(home.cmd(&[
        "remediate",
        "--snapshot",
        snap.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--approver",
        "diego.siciliani@contoso.com",
        "--notify",
        "secops@contoso.com",
    ]))
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let name = files(&out)
        .into_iter()
        .find(|n| n.ends_with("-changes.json"))
        .unwrap();
    out.join(name)
}

#[tokio::test]
async fn apply_needs_the_tenant_confirmed_writes_its_journal_and_rolls_back() {
    let emu = writable(&pimready_core::remediation::WRITE_SCOPES).await;
    let home = Home::new();
    let changes = pack(&home, &emu).await;
    let apply = |extra: &[&str]| {
        let mut args = vec![
            "apply",
            "--tenant",
            "contoso.com",
            "--graph-host",
            emu.base_url(),
        ];
        args.extend_from_slice(extra);
        let mut cmd = home.cmd(&args);
        cmd.env("PIMREADY_ACCESS_TOKEN", emu.token());
        cmd
    };
    let changes_arg = changes.to_str().unwrap();
    // No terminal and no --confirm, or a --confirm naming another tenant: nothing is sent.
    for extra in [
        vec![changes_arg],
        vec![changes_arg, "--confirm", "fabrikam.com"],
    ] {
        let o = run(apply(&extra)).await;
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    }
    assert!(
        emu.requests()
            .iter()
            .all(|r| r.method == "GET" || r.method == "POST" && r.path().ends_with("$batch")),
        "nothing written before the confirmation"
    );
    let o = run(apply(&[changes_arg, "--confirm", "contoso.com"])).await;
    assert!(o.status.success(), "{}", text(&o));
    let journal = changes.with_file_name(
        changes
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace("-changes", "-journal"),
    );
    assert!(assert_journal(&journal, "applied") > 5);
    // A second apply of the same change-set is refused before anything is sent.
    let written = |emu: &Emulator| {
        emu.requests()
            .iter()
            .filter(|r| r.method != "GET" && !r.path().ends_with("$batch"))
            .count()
    };
    let sent = written(&emu);
    let o = run(apply(&[changes_arg, "--confirm", "contoso.com"])).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("already applied"), "{}", text(&o));
    assert_eq!(written(&emu), sent, "nothing sent the second time");
    assert!(
        assert_journal(&journal, "applied") > 5,
        "the journal is kept"
    );

    let journal_arg = journal.to_str().unwrap();
    let o = run(apply(&[
        "--rollback",
        journal_arg,
        "--confirm",
        "contoso.com",
    ]))
    .await;
    assert!(o.status.success(), "{}", text(&o));
    assert_journal(&journal, "undone");
}

#[tokio::test]
async fn apply_exits_6_when_a_change_fails_and_rolls_it_back() {
    // Every write permission but the role settings': the first change (role settings) fails.
    let emu = writable(&[
        "RoleEligibilitySchedule.ReadWrite.Directory",
        "RoleAssignmentSchedule.ReadWrite.Directory",
        "AccessReview.ReadWrite.All",
        "Policy.ReadWrite.ConditionalAccess",
    ])
    .await;
    let home = Home::new();
    let changes = pack(&home, &emu).await;
    let mut cmd = home.cmd(&[
        "apply",
        changes.to_str().unwrap(),
        "--tenant",
        "contoso.com",
        "--graph-host",
        emu.base_url(),
        "--confirm",
        "contoso.com",
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", emu.token());
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(6), "{}", text(&o));
    assert!(
        text(&o).contains("Authorization_RequestDenied"),
        "{}",
        text(&o)
    );
    let journal = files(&home.out())
        .into_iter()
        .find(|n| n.ends_with("-journal.json"))
        .unwrap();
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.out().join(journal)).unwrap()).unwrap();
    let status: Vec<&str> = record["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(status[0], "rolled_back");
    assert!(status[1..].iter().all(|s| *s == "skipped"), "{status:?}");
}

#[tokio::test]
async fn a_crash_between_changes_leaves_an_intact_journal_that_rolls_back() {
    use pimready_core::remediation::ChangeSet;
    use pimready_tests::{Fault, FaultKind, RouteMatcher};

    let emu = writable(&pimready_core::remediation::WRITE_SCOPES).await;
    let home = Home::new();
    let changes = pack(&home, &emu).await;
    let cs = ChangeSet::from_json(&std::fs::read_to_string(&changes).unwrap(), "test").unwrap();
    // The third change never gets an answer: the process is killed while it waits.
    let stuck = cs.apply_order(None)[2].requests[0].path.clone();
    emu.set_fault(
        RouteMatcher::Custom(std::sync::Arc::new(
            move |method: &str, path: &str, _q: &str| method != "GET" && path.ends_with(&stuck),
        )),
        Fault::always(FaultKind::Hang),
    );
    let mut cmd = home.cmd(&[
        "apply",
        changes.to_str().unwrap(),
        "--tenant",
        "contoso.com",
        "--graph-host",
        emu.base_url(),
        "--confirm",
        "contoso.com",
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", emu.token())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let journal = changes.with_file_name(
        changes
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace("-changes", "-journal"),
    );
    let entries = |path: &Path| -> Option<usize> {
        let text = std::fs::read_to_string(path).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        v["entries"].as_array().map(Vec::len)
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while entries(&journal) != Some(2) {
        assert!(
            std::time::Instant::now() < deadline,
            "two changes applied in time"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Let the third request reach the emulator, then abort the process.
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap();
    let _ = child.wait();
    let saved = std::fs::read_to_string(&journal).unwrap();
    let record: serde_json::Value = serde_json::from_str(&saved).expect("the journal is intact");
    let status: Vec<&str> = record["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["applied", "applied"]);

    emu.clear_faults();
    let mut cmd = home.cmd(&[
        "apply",
        "--rollback",
        journal.to_str().unwrap(),
        "--tenant",
        "contoso.com",
        "--graph-host",
        emu.base_url(),
        "--confirm",
        "contoso.com",
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", emu.token());
    let o = run(cmd).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_journal(&journal, "undone");
}

/// Without a token variable, apply signs in on its own with the change-set's write
/// permissions, and keeps that sign-in nowhere: no saved tenant, no token on disk.
#[tokio::test]
async fn apply_signs_in_with_write_permissions_and_remembers_nothing() {
    let (emu, oauth) =
        pimready_tests::start_with_sign_in(Fixture::load("contoso-e5").unwrap(), Duration::ZERO, 0)
            .await
            .unwrap();
    let home = Home::new();
    let base = emu.base_url().to_owned();
    let snap = home.path().join("contoso.json");
    let sign_in = [
        "--device-code",
        "--no-azure",
        "--authority-host",
        &base,
        "--graph-host",
        &base,
    ];
    let mut args = vec![
        "collect",
        "--tenant",
        "contoso.com",
        "--snapshot-out",
        snap.to_str().unwrap(),
    ];
    args.extend_from_slice(&sign_in);
    let o = run(home.cmd(&args)).await;
    assert!(o.status.success(), "{}", text(&o));
    let out = home.out();
    let o = run(home.cmd(&[
        "remediate",
        "--snapshot",
        snap.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--approver",
        "diego.siciliani@contoso.com",
    ]))
    .await;
    assert!(o.status.success(), "{}", text(&o));
    let o = run(home.cmd(&["signout", "--all"])).await;
    assert!(o.status.success(), "{}", text(&o));
    let changes = out.join(
        files(&out)
            .into_iter()
            .find(|n| n.ends_with("-changes.json"))
            .unwrap(),
    );
    let mut args = vec![
        "apply",
        changes.to_str().unwrap(),
        "--tenant",
        "contoso.com",
        "--confirm",
        "contoso.com",
    ];
    args.extend_from_slice(&sign_in);
    let o = run(home.cmd(&args)).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("with write permissions"), "{}", text(&o));
    assert!(text(&o).contains("Applied"), "{}", text(&o));
    // The writes were accepted: the token carried the write permissions.
    assert!(
        emu.requests()
            .iter()
            .any(|r| r.method == "PATCH" && r.status == Some(204)),
        "a role setting was written"
    );
    // Nothing of that sign-in is kept.
    let tenants = run(home.cmd(&["tenants"])).await;
    assert!(
        !text(&tenants).contains(emu.tenant_id()),
        "{}",
        text(&tenants)
    );
    let secrets = oauth.issued_secrets();
    for entry in walk(home.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let content = String::from_utf8_lossy(&bytes);
        for s in &secrets {
            assert!(
                !content.contains(s.as_str()),
                "token material in {}",
                entry.display()
            );
        }
    }
}

/// `--arm-host` and `PIMREADY_ARM_ACCESS_TOKEN`: Azure resources land in the JSON (`azure`,
/// AZ checks) and the CSV; an `--arm-host` that is not an ARM host is refused before any
/// request.
#[tokio::test]
async fn assess_reads_azure_with_an_arm_token_and_host() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    let home = Home::new();
    let out = home.out();
    let mut cmd = home.cmd(&[
        "assess",
        "--tenant",
        emu.tenant_id(),
        "--graph-host",
        emu.base_url(),
        "--arm-host",
        emu.arm_base_url(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json,csv",
        "--no-save",
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", emu.token())
        .env("PIMREADY_ARM_ACCESS_TOKEN", emu.arm_token());
    let o = run(cmd).await;
    assert!(o.status.success(), "{}", text(&o));
    let names = files(&out);
    let json = names.iter().find(|n| n.ends_with(".json")).expect("json");
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join(json)).unwrap()).unwrap();
    assert_eq!(a["schema_version"], 1);
    assert_eq!(a["azure"]["subscriptions"].as_array().unwrap().len(), 2);
    assert_eq!(a["azure"]["subscriptions"][0]["readable"], true);
    let az01 = a["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "AZ-01")
        .unwrap();
    assert_eq!(az01["status"], "fail");
    assert_eq!(az01["category"], "azure_resources");
    let csv = names.iter().find(|n| n.ends_with(".csv")).expect("csv");
    let csv = std::fs::read_to_string(out.join(csv)).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("AZ-01,")), "{csv}");
    assert!(!emu.arm_requests().is_empty());

    let mut cmd = home.cmd(&[
        "assess",
        "--tenant",
        emu.tenant_id(),
        "--graph-host",
        emu.base_url(),
        "--arm-host",
        "https://graph.microsoft.com",
        "--no-save",
    ]);
    cmd.env("PIMREADY_ACCESS_TOKEN", emu.token());
    let before = emu.requests().len();
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("Azure Resource Manager"), "{}", text(&o));
    assert_eq!(emu.requests().len(), before, "nothing was sent");
}

/// An interactive sign-in (device code) also gets Azure Resource Manager's token, without
/// `PIMREADY_ARM_ACCESS_TOKEN`: a second sign-in of the same account with Azure CLI's public
/// client (the default Graph client is refused ARM with AADSTS65002), so the AZ checks are
/// assessed, and again on the next run. Where ARM consent is refused (AADSTS65001),
/// Azure is a named gap and the Entra findings are those of the full run.
#[tokio::test]
async fn an_interactive_sign_in_gets_the_arm_token_too() {
    let (emu, oauth) =
        pimready_tests::start_with_sign_in(Fixture::load("contoso-e5").unwrap(), Duration::ZERO, 0)
            .await
            .unwrap();
    let base = emu.base_url().to_owned();
    let arm = emu.arm_base_url().to_owned();
    let assess = |home: &Home, out: &Path| {
        home.cmd(&[
            "assess",
            "--tenant",
            "contoso.onmicrosoft.com",
            "--device-code",
            "--authority-host",
            &base,
            "--graph-host",
            &base,
            "--arm-host",
            &arm,
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
            "--no-save",
        ])
    };
    let read = |out: &Path| -> serde_json::Value {
        let json = files(out)
            .into_iter()
            .find(|n| n.ends_with(".json"))
            .expect("json");
        serde_json::from_str(&std::fs::read_to_string(out.join(json)).unwrap()).unwrap()
    };
    let statuses = |a: &serde_json::Value, azure: bool| -> Vec<(String, String)> {
        a["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"].as_str().unwrap().starts_with("AZ-") == azure)
            .map(|c| (c["id"].to_string(), c["status"].to_string()))
            .collect()
    };
    let codes = |t: &str| t.matches("enter the code").count();

    let home = Home::new();
    let first = home.path().join("first");
    let o = run(assess(&home, &first)).await;
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert_eq!(codes(&out), 2, "one code for Graph, one for ARM: {out}");
    let full = read(&first);
    assert_eq!(
        full["azure"]["subscriptions"].as_array().unwrap().len(),
        2,
        "{}",
        full["azure"]
    );
    assert!(
        full["azure"]["gaps"].as_array().unwrap().is_empty(),
        "{}",
        full["azure"]["gaps"]
    );
    let az = statuses(&full, true);
    assert!(
        az.iter()
            .any(|(id, st)| id == "\"AZ-01\"" && st == "\"fail\""),
        "{az:?}"
    );
    let entra = statuses(&full, false);
    // The ARM listener saw the emulator's ARM-audience tokens, not the fixed one.
    let arm_requests = emu.arm_requests();
    assert!(!arm_requests.is_empty());
    assert!(
        arm_requests
            .iter()
            .all(|r| r.authorization.as_deref() != Some(&format!("Bearer {}", emu.arm_token())))
    );

    // A second run gives the same findings (whether the keychain kept both sign-ins
    // depends on the machine; `tests/it/auth.rs` checks the silent path on a store).
    let second = home.path().join("second");
    let o = run(assess(&home, &second)).await;
    assert!(o.status.success(), "{}", text(&o));
    let again = read(&second);
    assert_eq!(statuses(&again, true), az);
    assert_eq!(statuses(&again, false), entra);

    // ARM consent refused: the run succeeds, Azure is a named gap, Entra unchanged.
    oauth.set_arm_consented(false);
    let other = Home::new();
    let refused = other.path().join("refused");
    let o = run(assess(&other, &refused)).await;
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    let gap = read(&refused);
    let gaps = gap["azure"]["gaps"].to_string();
    assert!(gaps.contains("AADSTS65001"), "{gaps}");
    assert!(
        gaps.contains(pimready_graph::arm::ARM_PUBLIC_CLIENT_ID),
        "{gaps}"
    );
    assert!(
        statuses(&gap, true)
            .iter()
            .all(|(_, st)| st == "\"not_assessed\""),
        "{:?}",
        statuses(&gap, true)
    );
    assert_eq!(statuses(&gap, false), entra);
}
