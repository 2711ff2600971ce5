//! The remediation pack: a snapshot and the user's choices → the change-set
//! (`pimready_core::remediation`) → three files written side by side:
//! `pimready-<tenant>-<date>-changes.json`, `…-remediate.ps1` and `…-rollback.ps1`.
//! Nothing here sends a request to a tenant.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use pimready_core::assessment::{self, Assessment};
use pimready_core::pricebook::PriceBook;
use pimready_core::remediation::{self, ChangeSet, RemediationChoices, RemediationError};
use pimready_core::settings::AssessmentSettings;
use pimready_core::snapshot::TenantSnapshot;
use pimready_report::script;

use crate::export::{self, Existing};
use crate::problem::{Problem, ProblemKind, Result};

/// A computed change-set with the assessment it was computed from.
#[derive(Debug, Clone)]
pub struct Pack {
    pub assessment: Assessment,
    pub change_set: ChangeSet,
}

/// What the user chose for a pack (before resolution against the snapshot).
#[derive(Debug, Clone, Default)]
pub struct PackChoices {
    /// Approvers for Global Administrator and Privileged Role Administrator (UPN or object id).
    pub approvers: Vec<String>,
    /// Access review reviewers (UPN or object id); none = the approvers.
    pub reviewers: Vec<String>,
    /// Email addresses told of assignments and activations.
    pub notify: Vec<String>,
    /// Change ids left out.
    pub deselected: Vec<String>,
}

/// Assesses `snapshot` and computes its change-set. `today` starts the access review.
pub fn compute(
    snapshot: &TenantSnapshot,
    settings: &AssessmentSettings,
    book: &PriceBook,
    choices: &PackChoices,
    today: NaiveDate,
) -> Result<Pack> {
    let assessment = assessment::assess(snapshot, settings, book);
    let change_set = change_set_of(snapshot, settings, &assessment, choices, today)?;
    Ok(Pack {
        assessment,
        change_set,
    })
}

/// The change-set of an assessment already made from `snapshot` with `settings` (the
/// desktop's assessment on screen). `today` starts the access review.
pub fn change_set_of(
    snapshot: &TenantSnapshot,
    settings: &AssessmentSettings,
    assessment: &Assessment,
    choices: &PackChoices,
    today: NaiveDate,
) -> Result<ChangeSet> {
    let choices = RemediationChoices {
        approvers: choices.approvers.clone(),
        reviewers: choices.reviewers.clone(),
        notify: choices.notify.clone(),
        deselected: choices.deselected.clone(),
        start_date: today,
    };
    Ok(remediation::change_set(
        snapshot, settings, assessment, &choices,
    )?)
}

/// The pack's three file names in `dir`, numbered `-n` when `n > 1` (the export rule).
fn pack_paths(dir: &Path, stem: &str, n: u32) -> [PathBuf; 3] {
    let suffix = if n > 1 {
        format!("-{n}")
    } else {
        String::new()
    };
    ["changes.json", "remediate.ps1", "rollback.ps1"].map(|tail| {
        let (word, ext) = tail.split_once('.').unwrap_or((tail, ""));
        dir.join(format!("{stem}-{word}{suffix}.{ext}"))
    })
}

/// The highest number tried before giving up.
const MAX_SUFFIX: u32 = 9999;

/// Writes the pack into `dir` (created 0700 if missing), each file 0600 and atomically.
/// The three files share one name: when any of them is taken they all move to the first
/// free `-2`, `-3`, … unless `existing` is [`Existing::Replace`]. Returns the paths
/// written: change-set, remediation script, rollback script.
pub fn write_pack(dir: &Path, pack: &Pack, existing: Existing) -> Result<[PathBuf; 3]> {
    export::create_dir(dir)?;
    let stem = pimready_report::file_stem(&pack.assessment);
    let contents = [
        pack.change_set.to_json() + "\n",
        script::remediate(&pack.change_set),
        script::rollback(&pack.change_set),
    ];
    if existing == Existing::Replace {
        let paths = pack_paths(dir, &stem, 1);
        for (path, text) in paths.iter().zip(&contents) {
            export::write_file(path, text.as_bytes())?;
        }
        return Ok(paths);
    }
    'numbers: for n in 1..=MAX_SUFFIX {
        let paths = pack_paths(dir, &stem, n);
        if paths.iter().any(|p| p.exists()) {
            continue;
        }
        let mut written: Vec<&PathBuf> = Vec::new();
        for (path, text) in paths.iter().zip(&contents) {
            match pimready_files::write_atomic_new(path, text.as_bytes()) {
                Ok(()) => written.push(path),
                // Taken meanwhile (another export): give back what this one wrote, try the next.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    for w in written {
                        let _ = std::fs::remove_file(w);
                    }
                    continue 'numbers;
                }
                Err(e) => {
                    return Err(Problem::new(
                        ProblemKind::Output,
                        format!("cannot write {}: {e}", path.display()),
                    )
                    .with_hint("check the folder is writable and the disk has room"));
                }
            }
        }
        return Ok(paths);
    }
    Err(Problem::output(format!(
        "{} and its numbered copies up to -{MAX_SUFFIX} exist already",
        pack_paths(dir, &stem, 1)[0].display()
    ))
    .with_hint("choose another folder, or pass --force to replace the files"))
}

impl From<RemediationError> for Problem {
    fn from(e: RemediationError) -> Self {
        let hint = match e {
            RemediationError::UnknownUser { .. } => {
                "name a user of this tenant by UPN or object id (one who holds or is eligible for a privileged role, or is a member of a role-assignable group)"
            }
            RemediationError::BadAddress { .. } => {
                "give an email address such as secops@contoso.com"
            }
            RemediationError::Malformed { .. } | RemediationError::Version { .. } => {
                "use a change-set written by `pimready remediate`, unedited"
            }
        };
        Problem::invalid_input(e.to_string()).with_hint(hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo_pack(approvers: &[&str]) -> Result<Pack> {
        let snapshot = pimready_core::demo::snapshot();
        let settings = pimready_core::demo::settings(AssessmentSettings::default());
        compute(
            &snapshot,
            &settings,
            &PriceBook::default_book(),
            &PackChoices {
                approvers: approvers.iter().map(|s| (*s).to_owned()).collect(),
                ..PackChoices::default()
            },
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        )
    }

    fn names(paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn the_pack_is_three_files_named_like_the_reports_and_numbered_together() {
        let dir = tempfile::tempdir().unwrap();
        let pack = demo_pack(&["diego.siciliani@contoso.com"]).unwrap();
        let first = write_pack(dir.path(), &pack, Existing::Keep).unwrap();
        assert_eq!(
            names(&first),
            [
                "pimready-contoso-ltd-2026-11-20-changes.json",
                "pimready-contoso-ltd-2026-11-20-remediate.ps1",
                "pimready-contoso-ltd-2026-11-20-rollback.ps1",
            ]
        );
        let saved = std::fs::read_to_string(&first[0]).unwrap();
        assert_eq!(
            ChangeSet::from_json(&saved, "test").unwrap(),
            pack.change_set
        );
        // One of the three taken by hand: all three move to -2, nothing is replaced.
        std::fs::remove_file(&first[0]).unwrap();
        std::fs::remove_file(&first[2]).unwrap();
        std::fs::write(&first[1], b"edited").unwrap();
        let second = write_pack(dir.path(), &pack, Existing::Keep).unwrap();
        assert_eq!(
            names(&second),
            [
                "pimready-contoso-ltd-2026-11-20-changes-2.json",
                "pimready-contoso-ltd-2026-11-20-remediate-2.ps1",
                "pimready-contoso-ltd-2026-11-20-rollback-2.ps1",
            ]
        );
        assert_eq!(std::fs::read(&first[1]).unwrap(), b"edited");
        let third = write_pack(dir.path(), &pack, Existing::Keep).unwrap();
        assert!(names(&third)[0].ends_with("-changes-3.json"));
        // --force: the first names, replaced.
        let forced = write_pack(dir.path(), &pack, Existing::Replace).unwrap();
        assert_eq!(forced, first);
        assert_ne!(std::fs::read(&first[1]).unwrap(), b"edited");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for p in first.iter().chain(&second).chain(&third) {
                let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", p.display());
            }
        }
    }

    #[test]
    fn an_unknown_approver_is_invalid_input_with_a_hint() {
        let e = demo_pack(&["nobody@contoso.com"]).unwrap_err();
        assert_eq!(e.kind, ProblemKind::InvalidInput);
        assert!(e.message.contains("nobody@contoso.com"), "{}", e.message);
        assert!(e.hint.is_some());
    }
}
