//! Applying a change-set to the emulated tenant through the Graph client, with its journal:
//! the full set, a 403 on the third change (two applied, the third rolled back, the rest
//! skipped), and a rollback from the journal that brings the first assessment back.

use std::sync::Arc;

use chrono::NaiveDate;
use pimready_app::apply::{self, EntryStatus, Journal};
use pimready_core::assessment::{Assessment, assess};
use pimready_core::cloud::GraphHost;
use pimready_core::pricebook::PriceBook;
use pimready_core::remediation::{ChangeSet, RemediationChoices, change_set};
use pimready_core::settings::AssessmentSettings;
use pimready_core::snapshot::TenantSnapshot;
use pimready_graph::client::{GraphClient, GraphConfig};
use pimready_graph::token::{AccessToken, StaticToken};
use pimready_tests::{Emulator, Fault, FaultKind, RouteMatcher};

use pimready_tests::{collect, designated, start_with_scopes, write_scopes};

/// A fixture tenant served to a token with every write permission a change-set can need.
async fn emulator_of(name: &str) -> Emulator {
    start_with_scopes(name, write_scopes()).await
}

async fn emulator() -> Emulator {
    emulator_of("contoso-e5").await
}

fn client(emu: &Emulator) -> GraphClient {
    GraphClient::new(
        GraphHost::parse(emu.base_url()).unwrap(),
        Arc::new(StaticToken(AccessToken::new(emu.token()))),
        GraphConfig::default(),
    )
    .unwrap()
}

fn settings() -> AssessmentSettings {
    pimready_core::demo::settings(AssessmentSettings::default())
}

/// Assesses the tenant as it stands and computes its change-set.
async fn plan(emu: &Emulator) -> (Assessment, ChangeSet) {
    let snapshot = collect(emu).await;
    let a = assess(&snapshot, &settings(), &PriceBook::default_book());
    let choices = RemediationChoices {
        approvers: vec!["diego.siciliani@contoso.com".to_owned()],
        notify: vec!["secops@contoso.com".to_owned()],
        start_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        ..RemediationChoices::default()
    };
    let cs = change_set(&snapshot, &settings(), &a, &choices).unwrap();
    (a, cs)
}

fn statuses(a: &Assessment) -> Vec<(String, String)> {
    a.checks
        .iter()
        .map(|f| (f.id.to_string(), format!("{:?}", f.status)))
        .collect()
}

#[tokio::test]
async fn apply_then_rollback_from_the_journal_gives_the_first_assessment_back() {
    let emu = emulator().await;
    let (first, cs) = plan(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let journal_path = apply::journal_path(
        &dir.path()
            .join("pimready-contoso-ltd-2026-11-20-changes.json"),
    );
    let mut seen = 0;
    let journal = apply::apply(&client(&emu), &cs, None, &journal_path, &mut |_| seen += 1)
        .await
        .unwrap();
    assert!(journal.failure().is_none(), "{:?}", journal.failure());
    assert_eq!(
        journal.count(EntryStatus::Applied),
        cs.apply_order(None).len()
    );
    assert_eq!(seen, journal.entries.len());
    assert_eq!(
        Journal::load(&journal_path).unwrap(),
        journal,
        "the journal on disk is the run's"
    );

    let (second, _) = plan(&emu).await;
    for id in &cs.resolves {
        let f = second.checks.iter().find(|f| f.id == id.as_str()).unwrap();
        assert_eq!(format!("{:?}", f.status), "Pass", "{id}: {}", f.summary);
    }

    let undone = apply::rollback(&client(&emu), &cs, &journal_path, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(
        undone.count(EntryStatus::Undone),
        journal.entries.len(),
        "{undone:#?}"
    );
    let (third, _) = plan(&emu).await;
    // PIM-02 may differ: an assignment first made outside PIM comes back through PIM's API.
    let without_pim02 = |a: &Assessment| {
        statuses(a)
            .into_iter()
            .filter(|(id, _)| id != "PIM-02")
            .collect::<Vec<_>>()
    };
    assert_eq!(without_pim02(&third), without_pim02(&first));
    assert!((third.score.coverage - first.score.coverage).abs() < 1e-9);
}

/// The rule a PATCH path names, as the collector reads it.
fn rule_of(snapshot: &TenantSnapshot, path: &str) -> pimready_core::snapshot::PolicyRule {
    snapshot
        .role_management_policies
        .iter()
        .flatten()
        .filter_map(|a| a.policy.as_ref())
        .find(|p| path.contains(&format!("/{}/", p.id)))
        .and_then(|p| p.rule(&path.rsplit('/').next().unwrap().into()))
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn a_403_on_the_third_change_leaves_two_applied_the_third_rolled_back_and_the_rest_skipped() {
    let emu = emulator().await;
    let (_, cs) = plan(&emu).await;
    let order = cs.apply_order(None);
    let third = order[2];
    assert!(
        third.requests.len() >= 2,
        "the third change has steps to roll back"
    );
    let before = collect(&emu).await;
    // Its second request is refused.
    let refused = third.requests[1].path.clone();
    emu.set_fault(
        RouteMatcher::Custom(Arc::new(move |method: &str, path: &str, _q: &str| {
            method != "GET" && path.ends_with(&refused)
        })),
        Fault::times(FaultKind::Forbidden, 1),
    );
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("run-journal.json");
    let journal = apply::apply(&client(&emu), &cs, None, &journal_path, &mut |_| {})
        .await
        .unwrap();
    let status: Vec<EntryStatus> = journal.entries.iter().map(|e| e.status).collect();
    assert_eq!(status[..2], [EntryStatus::Applied, EntryStatus::Applied]);
    assert_eq!(status[2], EntryStatus::RolledBack);
    assert!(status[3..].iter().all(|s| *s == EntryStatus::Skipped));
    assert_eq!(status.len(), order.len());
    let failed = &journal.entries[2];
    assert_eq!(failed.change_id, third.id);
    assert_eq!(failed.steps.len(), 2);
    assert_eq!(failed.steps[1].status, Some(403));
    assert!(
        failed
            .error
            .as_deref()
            .unwrap()
            .contains("Authorization_RequestDenied")
    );
    assert_eq!(failed.undo.len(), 1);
    assert_eq!(failed.undo[0].status, Some(204));
    assert_eq!(Journal::load(&journal_path).unwrap(), journal);
    // The third change's first rule reads as it did before; the first two changes stay.
    let after = collect(&emu).await;
    let first_rule = &third.requests[0].path;
    assert_eq!(rule_of(&after, first_rule), rule_of(&before, first_rule));
    assert_ne!(
        rule_of(&after, &order[0].requests[0].path),
        rule_of(&before, &order[0].requests[0].path)
    );
}

/// Two approvers, as a tenant's owner would name them (an approver cannot approve their own
/// activation, so each needs the other), and a mailbox to notify.
fn owner_choices(snapshot: &TenantSnapshot, name: &str) -> RemediationChoices {
    let approvers: Vec<String> = pimready_core::remediation::known_users(snapshot)
        .into_iter()
        .filter(|u| {
            !designated(name)
                .iter()
                .any(|d| Some(d) == u.user_principal_name.as_ref())
        })
        .map(|u| u.id)
        .take(2)
        .collect();
    RemediationChoices {
        approvers,
        notify: vec!["secops@example.com".to_owned()],
        start_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        ..RemediationChoices::default()
    }
}

/// The directory roles (active or eligible) the `principals` hold in the emulated tenant.
fn roles_of(emu: &Emulator, principals: &[String]) -> Vec<String> {
    let t = emu.tenant();
    let mut v: Vec<String> = t
        .role_assignments
        .iter()
        .chain(&t.role_eligibility_schedules)
        .filter(|a| principals.iter().any(|e| a["principalId"] == e.as_str()))
        .map(|a| format!("{}|{}", a["principalId"], a["roleDefinitionId"]))
        .collect();
    v.sort();
    v
}

/// The CA checks keep their status once the change-set is applied (report-only policies
/// enforce nothing); one whose policy the change-set created says it is ready.
fn assert_report_only_policies_enforce_nothing(
    name: &str,
    cs: &ChangeSet,
    first: &Assessment,
    second: &Assessment,
) {
    for id in ["CA-01", "CA-02", "CA-03"] {
        let (a, b) = (
            first.checks.iter().find(|f| f.id == id).unwrap(),
            second.checks.iter().find(|f| f.id == id).unwrap(),
        );
        assert_eq!(
            a.status, b.status,
            "{name} {id}: report-only policies enforce nothing"
        );
        // A check the change-set created a report-only policy for says it is ready.
        let created = cs.changes.iter().any(|c| {
            c.applicable()
                && c.kind == pimready_core::remediation::ChangeKind::CreateConditionalAccessPolicy
                && c.fixes.iter().any(|f| f == id)
        });
        if created && b.status == pimready_core::finding::Status::Fail {
            assert!(
                b.summary.contains("ready to be switched on"),
                "{name} {id}: {}",
                b.summary
            );
        }
    }
}

/// On every fixture tenant: assess, remediate, apply the full change-set, assess again
/// (every check it resolves passes, the emergency accounts' roles are unchanged), roll back
/// from the journal, assess again (the first result, PIM-02 aside).
#[tokio::test]
async fn on_every_fixture_apply_resolves_its_checks_and_rollback_restores_the_first_result() {
    for name in [
        "contoso-e5",
        "northwind-p2",
        "fabrikam-bp",
        "tailspin-eligible",
    ] {
        let emu = emulator_of(name).await;
        let settings = AssessmentSettings {
            emergency_accounts: designated(name),
            ..AssessmentSettings::default()
        };
        let book = PriceBook::default_book();
        let snapshot = collect(&emu).await;
        let first = assess(&snapshot, &settings, &book);
        let choices = owner_choices(&snapshot, name);
        let cs = change_set(&snapshot, &settings, &first, &choices).unwrap();
        let emergency: Vec<String> = cs
            .choices
            .emergency_accounts
            .iter()
            .map(|e| e.id.clone())
            .collect();
        let emergency_before = roles_of(&emu, &emergency);
        let dir = tempfile::tempdir().unwrap();
        let journal_path = dir.path().join("x-journal.json");
        let journal = apply::apply(&client(&emu), &cs, None, &journal_path, &mut |_| {})
            .await
            .unwrap();
        assert!(
            journal.failure().is_none(),
            "{name}: {:#?}",
            journal.failure()
        );
        assert_eq!(
            journal.count(EntryStatus::Applied),
            cs.apply_order(None).len(),
            "{name}"
        );
        let second = assess(&collect(&emu).await, &settings, &book);
        for id in &cs.resolves {
            let f = second.checks.iter().find(|f| f.id == id.as_str()).unwrap();
            assert_eq!(
                format!("{:?}", f.status),
                "Pass",
                "{name} {id}: {}",
                f.summary
            );
        }
        assert_eq!(
            roles_of(&emu, &emergency),
            emergency_before,
            "{name}: emergency accounts untouched"
        );
        assert_report_only_policies_enforce_nothing(name, &cs, &first, &second);
        let undone = apply::rollback(&client(&emu), &cs, &journal_path, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(undone.count(EntryStatus::Applied), 0, "{name}: {undone:#?}");
        let third = assess(&collect(&emu).await, &settings, &book);
        let without_pim02 = |a: &Assessment| {
            statuses(a)
                .into_iter()
                .filter(|(id, _)| id != "PIM-02")
                .collect::<Vec<_>>()
        };
        assert_eq!(without_pim02(&third), without_pim02(&first), "{name}");
        eprintln!(
            "{name}: {} change(s) applied and undone, resolves {:?}",
            journal.entries.len(),
            cs.resolves
        );
    }
}

/// The first change of the apply order whose first request creates (`POST`): its index,
/// the path it posts to, and how many requests to that path the journal records.
fn first_create(cs: &ChangeSet) -> (usize, String) {
    cs.apply_order(None)
        .iter()
        .enumerate()
        .find(|(_, c)| c.requests[0].method.as_str() == "POST")
        .map(|(i, c)| (i, c.requests[0].path.clone()))
        .expect("a change that creates")
}

fn posts_to(emu: &Emulator, path: &str) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path_and_query.ends_with(path))
        .count()
}

fn journal_posts_to(journal: &Journal, path: &str) -> usize {
    journal
        .entries
        .iter()
        .flat_map(|e| &e.steps)
        .filter(|s| s.method == "POST" && s.path.ends_with(path))
        .count()
}

/// A create answered 503, or cut off after it was sent, may have been made: it is sent
/// once, never again by a retry, and its change is `failed` with Graph's answer (nothing
/// the journal holds could undo an object whose id never came back); the rest is skipped.
#[tokio::test]
async fn a_create_that_may_have_reached_graph_is_not_sent_again_and_fails() {
    for (fault, status, answer) in [
        (
            FaultKind::Unavailable {
                retry_after: std::time::Duration::ZERO,
            },
            Some(503),
            "ServiceNotAvailable",
        ),
        (FaultKind::Reset, None, "connection"),
    ] {
        let emu = emulator().await;
        let (_, cs) = plan(&emu).await;
        let (index, create) = first_create(&cs);
        let matched = create.clone();
        emu.set_fault(
            RouteMatcher::Custom(Arc::new(move |method: &str, path: &str, _q: &str| {
                method == "POST" && path.ends_with(&matched)
            })),
            Fault::times(fault.clone(), 1),
        );
        let dir = tempfile::tempdir().unwrap();
        let journal_path = dir.path().join("run-journal.json");
        let journal = apply::apply(&client(&emu), &cs, None, &journal_path, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(
            posts_to(&emu, &create),
            journal_posts_to(&journal, &create),
            "{fault:?}: every create sent is one the journal records (none sent again)"
        );
        let entry = &journal.entries[index];
        assert_eq!(entry.status, EntryStatus::Failed, "{fault:?}: {entry:#?}");
        assert_eq!(entry.steps.len(), 1);
        assert_eq!(entry.steps[0].status, status, "{fault:?}");
        let error = entry.error.as_deref().unwrap();
        assert!(
            error.contains(answer) && error.contains("may have reached Graph"),
            "{fault:?}: {error}"
        );
        assert!(
            journal.entries[..index]
                .iter()
                .all(|e| e.status == EntryStatus::Applied)
        );
        assert!(
            journal.entries[index + 1..]
                .iter()
                .all(|e| e.status == EntryStatus::Skipped)
        );
        assert_eq!(Journal::load(&journal_path).unwrap(), journal);
    }
}

/// A 429 is Graph refusing the create unprocessed: it is sent again after `Retry-After`,
/// and the change is applied once.
#[tokio::test]
async fn a_create_refused_with_429_is_sent_again_after_retry_after() {
    let emu = emulator().await;
    let (_, cs) = plan(&emu).await;
    let (_, create) = first_create(&cs);
    let matched = create.clone();
    emu.set_fault(
        RouteMatcher::Custom(Arc::new(move |method: &str, path: &str, _q: &str| {
            method == "POST" && path.ends_with(&matched)
        })),
        Fault::times(
            FaultKind::Throttle {
                retry_after: std::time::Duration::from_millis(100),
            },
            1,
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let journal = apply::apply(
        &client(&emu),
        &cs,
        None,
        &dir.path().join("run-journal.json"),
        &mut |_| {},
    )
    .await
    .unwrap();
    assert!(journal.failure().is_none(), "{:#?}", journal.failure());
    assert_eq!(
        posts_to(&emu, &create),
        journal_posts_to(&journal, &create) + 1,
        "the refused create was sent once more"
    );
}

/// Applying a change-set a second time, while its journal records changes still in the
/// tenant, is refused before anything is sent: it would create the policies and reviews
/// twice and overwrite the record the rollback needs. After a rollback it applies again,
/// and the earlier journal is kept beside the new one.
#[tokio::test]
async fn a_change_set_already_applied_is_not_sent_again_until_rolled_back() {
    let emu = emulator().await;
    let (_, cs) = plan(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let changes = dir
        .path()
        .join("pimready-contoso-ltd-2026-11-20-changes.json");
    let journal_path = apply::journal_path(&changes);
    assert!(apply::check_not_applied(&changes).is_ok(), "no journal yet");
    let first = apply::apply(&client(&emu), &cs, None, &journal_path, &mut |_| {})
        .await
        .unwrap();
    assert!(first.left_in_tenant() > 0);

    emu.clear_requests();
    let refused = apply::check_not_applied(&changes).unwrap_err();
    assert_eq!(
        refused.kind,
        pimready_app::problem::ProblemKind::InvalidInput
    );
    assert!(
        refused.message.contains("already applied"),
        "{}",
        refused.message
    );
    assert!(refused.hint.as_deref().unwrap().contains("--rollback"));
    let again = apply::apply(&client(&emu), &cs, None, &journal_path, &mut |_| {}).await;
    assert_eq!(again.unwrap_err().message, refused.message);
    assert!(
        emu.requests().is_empty(),
        "nothing was sent: {:?}",
        emu.requests()
    );
    assert_eq!(
        Journal::load(&journal_path).unwrap(),
        first,
        "the record is kept"
    );

    apply::rollback(&client(&emu), &cs, &journal_path, &mut |_| {})
        .await
        .unwrap();
    let undone = Journal::load(&journal_path).unwrap();
    assert_eq!(undone.left_in_tenant(), 0);
    assert!(apply::check_not_applied(&changes).is_ok());
    let second = apply::apply(&client(&emu), &cs, None, &journal_path, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(
        second.count(EntryStatus::Applied),
        first.count(EntryStatus::Applied)
    );
    let kept = dir
        .path()
        .join("pimready-contoso-ltd-2026-11-20-journal.1.json");
    assert_eq!(
        Journal::load(&kept).unwrap(),
        undone,
        "the undone run's journal is kept"
    );
}

/// A file that is not a journal where the journal goes stops the apply: nothing is sent
/// and the file is left as it was.
#[tokio::test]
async fn an_unreadable_file_where_the_journal_goes_stops_the_apply() {
    let emu = emulator().await;
    let (_, cs) = plan(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let changes = dir.path().join("x-changes.json");
    let journal_path = apply::journal_path(&changes);
    std::fs::write(&journal_path, "not json").unwrap();
    emu.clear_requests();
    let refused = apply::apply(&client(&emu), &cs, None, &journal_path, &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        refused.message.contains("nothing was changed"),
        "{}",
        refused.message
    );
    assert!(emu.requests().is_empty());
    assert_eq!(std::fs::read_to_string(&journal_path).unwrap(), "not json");
}
