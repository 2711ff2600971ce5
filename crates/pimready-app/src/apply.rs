//! Applying a change-set to a tenant, and undoing it: the only code path that writes.
//!
//! Changes go in [`ChangeSet::apply_order`] (settings, review and report-only policies
//! first, conversions last, the applier's own last of all). After every change the
//! journal (`…-journal.json`, beside the change-set) is written again, atomically, so a
//! crash loses at most the change in flight. The first failure stops the run: the failed
//! change's steps already sent are undone (newest first), the changes after it are
//! recorded as skipped, and the caller exits 6. [`rollback`] undoes every applied change
//! of a journal, newest first.

use std::path::{Path, PathBuf};

use pimready_core::remediation::{ChangeSet, GraphCall};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::problem::{Problem, Result};

/// Bumped whenever a journal's shape changes incompatibly.
pub const JOURNAL_VERSION: u32 = 1;

/// What happened to one change. The wire words are a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Every request was accepted.
    Applied,
    /// A request failed; the steps sent before it were undone.
    RolledBack,
    /// A request failed and the change may not be wholly undone: undoing its earlier steps
    /// failed (see `undo`), or a create that failed may have been made (see `error`).
    Failed,
    /// Not sent: an earlier change failed.
    Skipped,
    /// Applied, then undone by a rollback.
    Undone,
}

impl EntryStatus {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Applied => "applied",
            EntryStatus::RolledBack => "rolled_back",
            EntryStatus::Failed => "failed",
            EntryStatus::Skipped => "skipped",
            EntryStatus::Undone => "undone",
        }
    }
}

/// One request sent, with Graph's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub method: String,
    pub path: String,
    /// HTTP status, when Graph answered.
    pub status: Option<u16>,
    /// The id Graph gave an object the request created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_id: Option<String>,
    /// Graph's answer: the object, or the error sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub change_id: String,
    pub title: String,
    pub status: EntryStatus,
    /// The change's requests as sent (the failed one last).
    pub steps: Vec<Step>,
    /// Undo requests sent (after a failure, or by a rollback).
    #[serde(default)]
    pub undo: Vec<Step>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The record of an apply run (`journal_version` 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    pub journal_version: u32,
    pub tenant_id: String,
    pub entries: Vec<JournalEntry>,
}

impl Journal {
    /// The change that stopped the run, if one did.
    pub fn failure(&self) -> Option<&JournalEntry> {
        self.entries
            .iter()
            .find(|e| matches!(e.status, EntryStatus::RolledBack | EntryStatus::Failed))
    }

    pub fn count(&self, status: EntryStatus) -> usize {
        self.entries.iter().filter(|e| e.status == status).count()
    }

    /// The changes this run may have left in the tenant: applied, or failed without a
    /// sure undo. Applying the same change-set again would make their objects twice.
    pub fn left_in_tenant(&self) -> usize {
        self.count(EntryStatus::Applied) + self.count(EntryStatus::Failed)
    }

    pub fn load(path: &Path) -> Result<Journal> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Problem::invalid_input(format!("cannot read the journal {}: {e}", path.display()))
        })?;
        let journal: Journal = serde_json::from_str(&text).map_err(|e| {
            Problem::invalid_input(format!("the journal {} is not valid: {e}", path.display()))
                .with_hint("use the -journal.json file `pimready apply` wrote, unedited")
        })?;
        if journal.journal_version != JOURNAL_VERSION {
            return Err(Problem::invalid_input(format!(
                "the journal {} has journal_version {}; this version reads {JOURNAL_VERSION}",
                path.display(),
                journal.journal_version
            )));
        }
        Ok(journal)
    }

    fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("a journal always serialises") + "\n";
        crate::export::write_file(path, text.as_bytes())
    }
}

/// `pimready-x-2026-11-20-changes.json` → `pimready-x-2026-11-20-journal.json` beside it
/// (`-changes-2.json` → `-journal-2.json`).
pub fn journal_path(change_set: &Path) -> PathBuf {
    let name = change_set
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    let journal = match stem.rsplit_once("-changes") {
        Some((head, tail)) => format!("{head}-journal{tail}.json"),
        None => format!("{stem}-journal.json"),
    };
    change_set.with_file_name(journal)
}

/// A request's outcome: (status, answer) or (status if any, why).
pub type Sent = std::result::Result<(u16, Option<Value>), (Option<u16>, String)>;

/// The change-set a journal belongs to: `…-journal(-n).json` → `…-changes(-n).json`.
pub fn changes_path(journal: &Path) -> PathBuf {
    let name = journal
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    let changes = match stem.rsplit_once("-journal") {
        Some((head, tail)) => format!("{head}-changes{tail}.json"),
        None => format!("{stem}-changes.json"),
    };
    journal.with_file_name(changes)
}

/// Reads a change-set written by `pimready remediate`.
pub fn load_change_set(path: &Path) -> Result<ChangeSet> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Problem::invalid_input(format!(
            "cannot read the change-set {}: {e}",
            path.display()
        ))
        .with_hint("pass the -changes.json file `pimready remediate` wrote")
    })?;
    Ok(ChangeSet::from_json(&text, &path.display().to_string())?)
}

/// Whether `typed` names the change-set's tenant: its id or its default domain.
pub fn names_tenant(change_set: &ChangeSet, typed: &str) -> bool {
    let typed = typed.trim();
    !typed.is_empty()
        && (typed.eq_ignore_ascii_case(&change_set.tenant.id)
            || change_set
                .tenant
                .default_domain
                .as_deref()
                .is_some_and(|d| typed.eq_ignore_ascii_case(d)))
}

/// What to type to confirm an apply or a rollback: the tenant's default domain, else its id.
pub fn confirmation(change_set: &ChangeSet) -> String {
    change_set
        .tenant
        .default_domain
        .clone()
        .unwrap_or_else(|| change_set.tenant.id.clone())
}

/// The typed confirmation, checked before any sign-in or write: it must name the
/// change-set's tenant (its id or default domain).
pub fn check_confirmation(change_set: &ChangeSet, typed: &str) -> Result<()> {
    if names_tenant(change_set, typed) {
        return Ok(());
    }
    let word = confirmation(change_set);
    Err(Problem::invalid_input(format!(
        "\"{}\" does not name {} ({word}): nothing was changed",
        typed.trim(),
        change_set.tenant.display_name
    ))
    .with_hint(format!("type {word} to confirm")))
}

/// Refuses, before any sign-in, a change-set whose journal ([`journal_path`]) records
/// changes still in the tenant: a second run would create their objects again (a
/// second policy, a second review) and overwrite the record a rollback needs. A journal
/// whose changes were all undone does not stop a new run ([`apply`] keeps it).
pub fn check_not_applied(changes: &Path) -> Result<()> {
    refuse_applied_journal(&journal_path(changes)).map(drop)
}

/// The earlier journal at `journal`, if there is one whose changes were all undone;
/// a refusal if it records changes still in the tenant or cannot be read.
fn refuse_applied_journal(journal: &Path) -> Result<Option<Journal>> {
    if !journal.exists() {
        return Ok(None);
    }
    let earlier = Journal::load(journal).map_err(|p| {
        Problem::invalid_input(format!("{}: nothing was changed", p.message)).with_hint(format!(
            "{} stands where this change-set's journal goes; move it away if it belongs to no apply of this change-set",
            journal.display()
        ))
    })?;
    match earlier.left_in_tenant() {
        0 => Ok(Some(earlier)),
        left => Err(Problem::invalid_input(format!(
            "this change-set was already applied: its journal {} records {left} change(s) still in the tenant, so nothing was sent",
            journal.display()
        ))
        .with_hint(format!(
            "roll those back first (`pimready apply --rollback {}`), or assess the tenant again and apply the new change-set",
            journal.display()
        ))),
    }
}

/// Moves an earlier journal whose changes were all undone to the first free
/// `…-journal.N.json` beside it, so the new run's journal replaces no record.
fn keep_undone_journal(journal: &Path) -> Result<Option<PathBuf>> {
    if refuse_applied_journal(journal)?.is_none() {
        return Ok(None);
    }
    let stem = journal
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kept = (1..=u16::MAX)
        .map(|n| journal.with_file_name(format!("{stem}.{n}.json")))
        .find(|p| !p.exists())
        .ok_or_else(|| {
            Problem::output(format!(
                "cannot keep the earlier journal {}: every numbered name beside it is taken; nothing was sent",
                journal.display()
            ))
        })?;
    std::fs::rename(journal, &kept).map_err(|e| {
        Problem::output(format!(
            "cannot keep the earlier journal {} as {}: {e}; nothing was sent",
            journal.display(),
            kept.display()
        ))
    })?;
    Ok(Some(kept))
}

/// Refuses a sign-in to another tenant than the change-set's.
pub fn check_signed_in(
    change_set: &ChangeSet,
    connection: &crate::connect::Connection,
) -> Result<()> {
    if connection
        .tenant_id
        .eq_ignore_ascii_case(&change_set.tenant.id)
        || names_tenant(change_set, &connection.tenant_id)
    {
        return Ok(());
    }
    Err(Problem::invalid_input(format!(
        "signed in to tenant {}, but the change-set is for {}: nothing was changed",
        connection.tenant_id, change_set.tenant.id
    ))
    .with_hint("sign in with an account of the change-set's tenant"))
}

/// Apply's own sign-in: the write permissions the change-set's ready changes need
/// ([`ChangeSet::sign_in_scopes`]), kept in memory only, and refused when it lands in
/// another tenant.
pub async fn sign_in(
    target: &crate::target::Target,
    method: crate::connect::SignInMethod,
    prompts: crate::connect::SignInPrompts<'_>,
    change_set: &ChangeSet,
) -> Result<crate::connect::Connection> {
    let connection =
        crate::connect::sign_in_to_write(target, method, prompts, &change_set.sign_in_scopes())
            .await?;
    check_signed_in(change_set, &connection)?;
    Ok(connection)
}

/// Applies `change_set` (read from, or written to, `changes`) through `connection`, the
/// signed-in account's own conversions last; the journal goes beside it
/// ([`journal_path`]). Returns the journal's path and the journal.
pub async fn apply_signed_in(
    connection: &crate::connect::Connection,
    change_set: &ChangeSet,
    changes: &Path,
    on_change: &mut (dyn FnMut(&JournalEntry) + Send),
) -> Result<(PathBuf, Journal)> {
    let client = writer(connection)?;
    let path = journal_path(changes);
    let applier = Some(connection.account.as_str()).filter(|a| !a.is_empty());
    let journal = apply(&client, change_set, applier, &path, on_change).await?;
    Ok((path, journal))
}

/// Undoes every applied change the journal at `path` records, through `connection`.
pub async fn rollback_signed_in(
    connection: &crate::connect::Connection,
    change_set: &ChangeSet,
    path: &Path,
    on_change: &mut (dyn FnMut(&JournalEntry) + Send),
) -> Result<Journal> {
    let client = writer(connection)?;
    rollback(&client, change_set, path, on_change).await
}

/// The Graph client that sends the writes of `connection`.
pub fn writer(
    connection: &crate::connect::Connection,
) -> Result<pimready_graph::client::GraphClient> {
    let config = connection.target.collect_config(&connection.tenant_id)?;
    pimready_graph::client::GraphClient::new(
        config.endpoints.graph,
        std::sync::Arc::clone(&connection.tokens),
        config.graph,
    )
    .map_err(|e| Problem::internal(e.to_string()))
}

/// Where the requests go: the Graph client, or a test's stand-in.
pub trait Sender {
    /// Sends one request (path under the host, e.g. `/v1.0/…`): the HTTP status and
    /// Graph's JSON answer (`None` for No Content), or the status and a sentence.
    fn send(&self, method: &str, path: &str, body: Option<&Value>) -> impl Future<Output = Sent>;
}

impl Sender for pimready_graph::client::GraphClient {
    async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Sent {
        self.write(method, path, body)
            .await
            .map_err(|e| (e.status, e.detail))
    }
}

/// Sends `call` (the undo of request `i` takes the id request `i` created).
async fn send_step<S: Sender>(sender: &S, call: &GraphCall, created: Option<&str>) -> (Step, bool) {
    let path = format!("/v1.0{}", call.resolved_path(created));
    let mut step = Step {
        method: call.method.as_str().to_owned(),
        path: path.clone(),
        status: None,
        created_id: None,
        answer: None,
    };
    if call.needs_created_id() && created.is_none() {
        step.answer = Some(Value::String(
            "the id of the object to undo was not recorded".to_owned(),
        ));
        return (step, false);
    }
    match sender
        .send(step.method.as_str(), &path, call.body.as_ref())
        .await
    {
        Ok((status, answer)) => {
            step.status = Some(status);
            step.created_id = answer
                .as_ref()
                .and_then(|a| a.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            step.answer = answer;
            (step, true)
        }
        Err((status, message)) => {
            step.status = status;
            step.answer = Some(Value::String(message));
            (step, false)
        }
    }
}

/// Undoes `steps` of the change with these `undo` requests, newest first.
async fn undo_steps<S: Sender>(
    sender: &S,
    undo: &[GraphCall],
    steps: &[Step],
) -> (Vec<Step>, bool) {
    let mut out = Vec::new();
    for (i, step) in steps.iter().enumerate().rev() {
        let Some(call) = undo.get(i) else {
            return (out, false);
        };
        let (sent, ok) = send_step(sender, call, step.created_id.as_deref()).await;
        out.push(sent);
        if !ok {
            return (out, false);
        }
    }
    (out, true)
}

/// Whether a failed create may still have been made: a `POST` answered with a 5xx, or with
/// no answer at all (the Graph client never sends a create twice, see
/// `GraphClient::write`). Its change is then `failed`, never `rolled_back`: nothing
/// recorded can undo an object whose id Graph never returned.
fn may_have_taken_effect(step: &Step) -> bool {
    step.method == "POST" && step.status.is_none_or(|s| s >= 500)
}

/// Applies the change-set's applicable changes in dependency order, writing the journal
/// at `journal` after every change. `applier`: the signed-in account (object id or UPN),
/// whose own conversions go last. The journal says whether a change failed
/// ([`Journal::failure`]); an error is returned only when the journal cannot be written,
/// or when an earlier journal there records changes still in the tenant
/// ([`check_not_applied`]; nothing is sent then). An earlier journal whose changes were
/// all undone is kept as `…-journal.N.json`.
pub async fn apply<S: Sender>(
    sender: &S,
    change_set: &ChangeSet,
    applier: Option<&str>,
    journal: &Path,
    on_change: &mut (dyn FnMut(&JournalEntry) + Send),
) -> Result<Journal> {
    keep_undone_journal(journal)?;
    let mut record = Journal {
        journal_version: JOURNAL_VERSION,
        tenant_id: change_set.tenant.id.clone(),
        entries: Vec::new(),
    };
    record.save(journal)?;
    let mut failed = false;
    for change in change_set.apply_order(applier) {
        let mut entry = JournalEntry {
            change_id: change.id.clone(),
            title: change.title.clone(),
            status: EntryStatus::Skipped,
            steps: Vec::new(),
            undo: Vec::new(),
            error: None,
        };
        if !failed {
            entry.status = EntryStatus::Applied;
            for call in &change.requests {
                let (step, ok) = send_step(sender, call, None).await;
                let message = step.answer.clone();
                entry.steps.push(step);
                if !ok {
                    failed = true;
                    let last = &entry.steps[entry.steps.len() - 1];
                    let uncertain = may_have_taken_effect(last);
                    entry.error = message.and_then(|m| m.as_str().map(str::to_owned));
                    if uncertain {
                        entry.error = Some(format!(
                            "{}; the {} may have reached Graph and taken effect: check the tenant before applying again",
                            entry.error.as_deref().unwrap_or("no answer"),
                            last.method
                        ));
                    }
                    let sent = &entry.steps[..entry.steps.len() - 1];
                    let (undo, undone) = undo_steps(sender, &change.undo, sent).await;
                    entry.undo = undo;
                    entry.status = if undone && !uncertain {
                        EntryStatus::RolledBack
                    } else {
                        EntryStatus::Failed
                    };
                    break;
                }
            }
        }
        on_change(&entry);
        record.entries.push(entry);
        record.save(journal)?;
    }
    Ok(record)
}

/// Undoes every applied change of the journal at `path`, newest first, saving the journal
/// after each; stops at the first undo that fails (that entry keeps `applied`, its `undo`
/// says what Graph answered).
pub async fn rollback<S: Sender>(
    sender: &S,
    change_set: &ChangeSet,
    path: &Path,
    on_change: &mut (dyn FnMut(&JournalEntry) + Send),
) -> Result<Journal> {
    let mut record = Journal::load(path)?;
    if !record.tenant_id.eq_ignore_ascii_case(&change_set.tenant.id) {
        return Err(Problem::invalid_input(format!(
            "the journal {} records tenant {}, but the change-set is for tenant {}",
            path.display(),
            record.tenant_id,
            change_set.tenant.id
        )));
    }
    for i in (0..record.entries.len()).rev() {
        if record.entries[i].status != EntryStatus::Applied {
            continue;
        }
        let Some(change) = change_set
            .changes
            .iter()
            .find(|c| c.id == record.entries[i].change_id)
        else {
            return Err(Problem::invalid_input(format!(
                "the journal names change {}, which is not in the change-set",
                record.entries[i].change_id
            )));
        };
        let (undo, ok) = undo_steps(sender, &change.undo, &record.entries[i].steps).await;
        let entry = &mut record.entries[i];
        entry.undo = undo;
        if ok {
            entry.status = EntryStatus::Undone;
        } else {
            entry.error = Some("the rollback of this change failed; see undo".to_owned());
        }
        on_change(entry);
        record.save(path)?;
        if !ok {
            break;
        }
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_lives_beside_the_change_set() {
        for (changes, journal) in [
            (
                "out/pimready-contoso-ltd-2026-11-20-changes.json",
                "out/pimready-contoso-ltd-2026-11-20-journal.json",
            ),
            (
                "pimready-contoso-ltd-2026-11-20-changes-2.json",
                "pimready-contoso-ltd-2026-11-20-journal-2.json",
            ),
            ("mine.json", "mine-journal.json"),
        ] {
            assert_eq!(journal_path(Path::new(changes)), Path::new(journal));
            if changes != "mine.json" {
                assert_eq!(changes_path(Path::new(journal)), Path::new(changes));
            }
        }
    }
}
