//! The scripts are read back the way PowerShell reads them (single-quoted strings,
//! here-strings) and every request is compared with the change-set.

use chrono::NaiveDate;
use pimready_core::pricebook::PriceBook;
use pimready_core::remediation::{self, Change, ChangeSet, GraphCall, RemediationChoices};
use pimready_core::settings::AssessmentSettings;
use serde_json::{Value, json};

use super::*;

fn demo_change_set(approvers: &[&str]) -> ChangeSet {
    let snapshot = pimready_core::demo::snapshot();
    let settings = pimready_core::demo::settings(AssessmentSettings::default());
    let assessment =
        pimready_core::assessment::assess(&snapshot, &settings, &PriceBook::default_book());
    let choices = RemediationChoices {
        approvers: approvers.iter().map(|s| (*s).to_owned()).collect(),
        notify: vec!["secops@contoso.com".to_owned()],
        start_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        ..RemediationChoices::default()
    };
    remediation::change_set(&snapshot, &settings, &assessment, &choices).unwrap()
}

/// Reads a PowerShell single-quoted string at the start of `text`: (value, rest).
fn read_quoted(text: &str) -> (String, &str) {
    let is_quote = |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}');
    let mut chars = text.char_indices().peekable();
    let (_, first) = chars.next().expect("a string");
    assert!(is_quote(first), "not a single-quoted string: {text}");
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        if is_quote(c) {
            match chars.peek() {
                Some((_, d)) if is_quote(*d) => {
                    out.push(c);
                    chars.next();
                }
                _ => return (out, &text[i + c.len_utf8()..]),
            }
        } else {
            out.push(c);
        }
    }
    panic!("unterminated string: {text}")
}

/// One request as the script sends it, and the undo block it sits in (rollback).
#[derive(Debug, PartialEq)]
struct Sent {
    block: Option<String>,
    method: String,
    uri: String,
    /// The index of the recorded created id the uri takes, if any.
    created: Option<usize>,
    body: Option<Value>,
}

/// Every `Invoke-MgGraphRequest` of a script, in order.
fn requests(script: &str) -> Vec<Sent> {
    let mut out = Vec::new();
    let mut block = None;
    let mut lines = script.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if line.starts_with("    '") && line.ends_with(" = {") {
            block = Some(read_quoted(trimmed).0);
            continue;
        }
        let Some(at) = line.find("Invoke-MgGraphRequest -Method ") else {
            assert!(
                !line.contains("Invoke-MgGraphRequest") || line.trim_start().starts_with('#'),
                "{line}"
            );
            continue;
        };
        let rest = &line[at + "Invoke-MgGraphRequest -Method ".len()..];
        let (method, rest) = rest.split_once(' ').unwrap();
        let rest = rest.strip_prefix("-Uri ").unwrap();
        let (uri, created, rest) = if let Some(inner) = rest.strip_prefix('(') {
            let (uri, rest) = read_quoted(inner);
            let rest = rest.strip_prefix(".Replace(").unwrap();
            let (placeholder, rest) = read_quoted(rest);
            assert_eq!(placeholder, CREATED_ID);
            let rest = rest.strip_prefix(", (Get-PimRecordedId $Created ").unwrap();
            let (index, rest) = rest.split_once(')').unwrap();
            (
                uri,
                Some(index.parse().unwrap()),
                rest.strip_prefix("))").unwrap(),
            )
        } else {
            let (uri, rest) = read_quoted(rest);
            (uri, None, rest)
        };
        let body = if rest.ends_with(" -Body @'") {
            assert_eq!(
                rest,
                " -OutputType PSObject -ContentType 'application/json' -Body @'"
            );
            let mut text = Vec::new();
            for l in lines.by_ref() {
                if l.starts_with("'@") {
                    break;
                }
                text.push(l);
            }
            Some(serde_json::from_str(&text.join("\n")).unwrap())
        } else {
            assert_eq!(rest, " -OutputType PSObject");
            None
        };
        out.push(Sent {
            block: block.clone(),
            method: method.to_owned(),
            uri,
            created,
            body,
        });
    }
    out
}

fn expected(call: &GraphCall, block: Option<&Change>, created: Option<usize>) -> Sent {
    Sent {
        block: block.map(|c| c.id.clone()),
        method: call.method.as_str().to_owned(),
        uri: format!("v1.0{}", call.path),
        created: created.filter(|_| call.needs_created_id()),
        body: call.body.clone(),
    }
}

#[test]
fn remediate_sends_exactly_the_applicable_requests_of_the_change_set_in_order() {
    let cs = demo_change_set(&["diego.siciliani@contoso.com"]);
    let script = remediate(&cs);
    let sent = requests(&script);
    let want: Vec<Sent> = cs
        .apply_order(None)
        .into_iter()
        .flat_map(|c| c.requests.iter().map(|r| expected(r, None, None)))
        .collect();
    assert!(want.len() > 5, "the demo has changes to apply");
    assert_eq!(sent, want);
    // Every kind of change is among them.
    for path in [
        "v1.0/roleManagement/directory/roleEligibilityScheduleRequests",
        "v1.0/roleManagement/directory/roleAssignmentScheduleRequests",
        "v1.0/identityGovernance/accessReviews/definitions",
        "v1.0/identity/conditionalAccess/policies",
    ] {
        assert!(sent.iter().any(|s| s.uri == path), "{path}");
    }
    assert!(sent.iter().any(|s| s.method == "PATCH"));
}

#[test]
fn changes_with_an_unmet_precondition_are_comments_only() {
    // No approver: the Global Administrator and Privileged Role Administrator settings
    // (approval) cannot be applied.
    let cs = demo_change_set(&[]);
    let unmet: Vec<&Change> = cs.changes.iter().filter(|c| !c.applicable()).collect();
    assert!(!unmet.is_empty());
    let script = remediate(&cs);
    let sent = requests(&script);
    for c in &unmet {
        for r in &c.requests {
            // PATCH bodies of one rule can repeat across roles; the path names the policy.
            assert!(
                !sent
                    .iter()
                    .any(|s| s.uri == format!("v1.0{}", r.path) && s.body == r.body),
                "{} is sent",
                c.id
            );
        }
        let line = format!("# {}: {}", c.id, comment(&c.title));
        assert!(script.contains(&line), "{line}");
        assert!(script.contains("#   unmet precondition approver:"));
        assert!(!script.contains(&format!("Id = {}", quote(&c.id))));
    }
    assert_eq!(
        sent.len(),
        cs.apply_order(None)
            .iter()
            .map(|c| c.requests.len())
            .sum::<usize>()
    );
}

#[test]
fn rollback_undoes_each_change_with_its_undo_requests_in_reverse_order() {
    let cs = demo_change_set(&["diego.siciliani@contoso.com"]);
    let sent = requests(&rollback(&cs));
    let want: Vec<Sent> = cs
        .apply_order(None)
        .into_iter()
        .flat_map(|c| {
            c.undo
                .iter()
                .enumerate()
                .rev()
                .map(move |(i, u)| expected(u, Some(c), Some(i)))
        })
        .collect();
    assert_eq!(sent, want);
    // The objects created (one access review per role, policies) are deleted by their
    // recorded id: the undo of request i takes the id request i created.
    let deletes: Vec<&Sent> = sent.iter().filter(|s| s.method == "DELETE").collect();
    assert!(!deletes.is_empty());
    assert!(deletes.iter().all(|s| s.created.is_some()));
    assert!(deletes.iter().any(|s| s.created == Some(1)));
}

#[test]
fn the_scripts_are_safe_by_default_and_bound_to_the_tenant() {
    let cs = demo_change_set(&["diego.siciliani@contoso.com"]);
    for script in [remediate(&cs), rollback(&cs)] {
        for needle in [
            "[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]",
            "$ErrorActionPreference = 'Stop'",
            "if (-not $Apply) { $WhatIfPreference = $true }",
            "$context.TenantId -ne $TenantId",
            "$PSCmdlet.ShouldProcess(",
        ] {
            assert!(script.contains(needle), "{needle}");
        }
        let line = script
            .lines()
            .find(|l| l.starts_with("$TenantId = "))
            .unwrap();
        assert_eq!(read_quoted(&line["$TenantId = ".len()..]).0, cs.tenant.id);
        let scopes = script
            .lines()
            .find(|l| l.starts_with("$Scopes = @("))
            .unwrap();
        let mut rest = scopes["$Scopes = @(".len()..].trim_end_matches(')');
        let mut listed = Vec::new();
        while !rest.is_empty() {
            let (s, r) = read_quoted(rest.trim_start_matches(", "));
            listed.push(s);
            rest = r;
        }
        assert_eq!(listed, cs.sign_in_scopes());
        assert!(
            listed
                .iter()
                .any(|s| s == "Policy.ReadWrite.ConditionalAccess")
        );
        // Sign-in asks for these scopes only.
        assert!(script.contains("Connect-MgGraph -TenantId $TenantId -Scopes $Scopes "));
    }
}

#[test]
fn hostile_names_stay_inside_their_string_or_comment() {
    let mut cs = demo_change_set(&["diego.siciliani@contoso.com"]);
    let evil = "x' ; Remove-Item -Recurse / ; '\u{2019}\n'@\nWrite-Host pwned #> \u{2028}$(whoami)";
    cs.tenant.display_name = evil.to_owned();
    let c = cs
        .changes
        .iter_mut()
        .find(|c| c.applicable() && c.kind == remediation::ChangeKind::CreateAccessReview)
        .unwrap();
    c.title = evil.to_owned();
    c.requests[0].body.as_mut().unwrap()["displayName"] = json!(evil);
    let script = remediate(&cs);
    assert!(!script.lines().any(|l| l.starts_with("Write-Host pwned")));
    assert!(!script.lines().any(|l| l.starts_with("'@") && l != "'@"));
    assert!(!script.contains('\u{2028}'));
    let title = script
        .lines()
        .find(|l| l.starts_with("        Title = ") && l.contains("Remove-Item"))
        .unwrap();
    let (value, rest) = read_quoted(&title["        Title = ".len()..]);
    assert_eq!(rest, "");
    assert_eq!(value, comment(evil));
    // The body still reads back as the change-set's.
    let sent = requests(&script);
    assert!(sent.iter().any(|s| {
        s.body
            == cs
                .changes
                .iter()
                .find(|c| c.title == evil)
                .unwrap()
                .requests[0]
                .body
    }));
}

#[test]
fn quoting_doubles_every_single_quote_character() {
    for (text, quoted) in [
        ("plain", "'plain'"),
        ("O'Neil", "'O''Neil'"),
        ("\u{2018}a\u{2019}", "'\u{2018}\u{2018}a\u{2019}\u{2019}'"),
        ("", "''"),
    ] {
        assert_eq!(quote(text), quoted);
        assert_eq!(read_quoted(quoted), (text.to_owned(), ""));
    }
    assert_eq!(comment("a\nb\r\u{2029}c"), "a b  c");
    let v = json!({"name": "Zoë \u{1F600}"});
    let text = ascii_json(&v);
    assert!(text.is_ascii());
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
}
