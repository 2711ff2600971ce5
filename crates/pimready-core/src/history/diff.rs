//! What changed between two assessments of a tenant. Pure.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::assessment::Assessment;
use crate::checks::CheckId;
use crate::finding::{Finding, Status};
use crate::licensing::{LicencePath, Licensing};
use crate::score::Grade;

/// The check whose evidence lists the standing (permanent active) admins.
const STANDING_ADMINS_CHECK: &str = "PIM-01";

/// A value before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Change<T> {
    pub from: T,
    pub to: T,
}

impl<T: PartialEq> Change<T> {
    pub fn changed(&self) -> bool {
        self.from != self.to
    }
}

impl Change<u32> {
    pub fn delta(&self) -> i64 {
        i64::from(self.to) - i64::from(self.from)
    }
}

impl Change<f64> {
    pub fn delta(&self) -> f64 {
        self.to - self.from
    }
}

/// A check whose status differs; `None` when the check is absent on that side
/// (a catalog change between tool versions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CheckChange {
    pub id: CheckId,
    pub title: String,
    pub from: Option<Status>,
    pub to: Option<Status>,
}

/// A principal with a permanent active highly privileged role (PIM-01 evidence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StandingAdmin {
    pub object_id: Option<String>,
    pub display_name: String,
    pub principal_name: Option<String>,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StandingAdminsDiff {
    /// The headline count.
    pub count: Change<u32>,
    /// Whether PIM-01 was assessed on both sides; otherwise `added` and `removed` are
    /// empty because they are unknown, not because nothing changed.
    pub compared: bool,
    pub added: Vec<StandingAdmin>,
    pub removed: Vec<StandingAdmin>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeatsDiff {
    pub available: Change<u32>,
    pub in_scope: Change<u32>,
    pub shortfall: Change<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LicensingDiff {
    pub pim_capable: Change<bool>,
    /// Licensing paths with counted seats now that had none before.
    pub paths_added: Vec<LicencePath>,
    pub paths_removed: Vec<LicencePath>,
    pub seats: SeatsDiff,
}

/// Everything that changed from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssessmentDiff {
    pub tenant_id: String,
    pub display_name: String,
    pub assessed_at: Change<DateTime<Utc>>,
    pub score: Change<f64>,
    pub grade: Change<Grade>,
    pub coverage: Change<f64>,
    pub checks: Vec<CheckChange>,
    pub standing_admins: StandingAdminsDiff,
    pub licensing: LicensingDiff,
}

/// Compares two assessments (normally of one tenant, `old` the earlier).
pub fn diff(old: &Assessment, new: &Assessment) -> AssessmentDiff {
    AssessmentDiff {
        tenant_id: new.tenant.id.clone(),
        display_name: new.tenant.display_name.clone(),
        assessed_at: Change {
            from: old.assessed_at,
            to: new.assessed_at,
        },
        score: Change {
            from: old.score.percent,
            to: new.score.percent,
        },
        grade: Change {
            from: old.score.grade,
            to: new.score.grade,
        },
        coverage: Change {
            from: old.score.coverage,
            to: new.score.coverage,
        },
        checks: check_changes(&old.checks, &new.checks),
        standing_admins: standing_admins(old, new),
        licensing: licensing(&old.licensing, &new.licensing),
    }
}

fn check_changes(old: &[Finding], new: &[Finding]) -> Vec<CheckChange> {
    let before: BTreeMap<&str, &Finding> = old.iter().map(|f| (f.id.as_str(), f)).collect();
    let now: BTreeSet<&str> = new.iter().map(|f| f.id.as_str()).collect();
    let changed_or_new = new.iter().filter_map(|f| {
        let from = before.get(f.id.as_str()).map(|o| o.status);
        (from != Some(f.status)).then(|| CheckChange {
            id: f.id.clone(),
            title: f.title.clone(),
            from,
            to: Some(f.status),
        })
    });
    let gone = old
        .iter()
        .filter(|f| !now.contains(f.id.as_str()))
        .map(|f| CheckChange {
            id: f.id.clone(),
            title: f.title.clone(),
            from: Some(f.status),
            to: None,
        });
    changed_or_new.chain(gone).collect()
}

/// PIM-01's evidence, one entry per principal, keyed by object id (else name).
fn standing(assessment: &Assessment) -> Option<BTreeMap<String, StandingAdmin>> {
    let check = assessment
        .checks
        .iter()
        .find(|f| f.id == STANDING_ADMINS_CHECK)?;
    if !matches!(check.status, Status::Pass | Status::Warning | Status::Fail) {
        return None;
    }
    let mut admins: BTreeMap<String, StandingAdmin> = BTreeMap::new();
    for e in &check.evidence {
        let key = e
            .object_id
            .clone()
            .or_else(|| e.principal_name.clone())
            .unwrap_or_else(|| e.display_name.clone())
            .to_lowercase();
        let admin = admins.entry(key).or_insert_with(|| StandingAdmin {
            object_id: e.object_id.clone(),
            display_name: e.display_name.clone(),
            principal_name: e.principal_name.clone(),
            roles: Vec::new(),
        });
        if let Some(role) = &e.role
            && !admin.roles.contains(role)
        {
            admin.roles.push(role.clone());
        }
    }
    Some(admins)
}

fn standing_admins(old: &Assessment, new: &Assessment) -> StandingAdminsDiff {
    let count = Change {
        from: old.headline.standing_admins,
        to: new.headline.standing_admins,
    };
    let (Some(before), Some(now)) = (standing(old), standing(new)) else {
        return StandingAdminsDiff {
            count,
            compared: false,
            added: Vec::new(),
            removed: Vec::new(),
        };
    };
    let only_in = |a: &BTreeMap<String, StandingAdmin>, b: &BTreeMap<String, StandingAdmin>| {
        a.iter()
            .filter(|(k, _)| !b.contains_key(*k))
            .map(|(_, v)| v.clone())
            .collect()
    };
    StandingAdminsDiff {
        count,
        compared: true,
        added: only_in(&now, &before),
        removed: only_in(&before, &now),
    }
}

fn licensing(old: &Licensing, new: &Licensing) -> LicensingDiff {
    let paths = |l: &Licensing| -> BTreeSet<LicencePath> {
        l.sources
            .iter()
            .filter(|s| s.counted)
            .filter_map(|s| s.path)
            .collect()
    };
    let (before, now) = (paths(old), paths(new));
    LicensingDiff {
        pim_capable: Change {
            from: old.pim_capable,
            to: new.pim_capable,
        },
        paths_added: now.difference(&before).copied().collect(),
        paths_removed: before.difference(&now).copied().collect(),
        seats: SeatsDiff {
            available: Change {
                from: old.seats.available,
                to: new.seats.available,
            },
            in_scope: Change {
                from: old.seats.in_scope,
                to: new.seats.in_scope,
            },
            shortfall: Change {
                from: old.seats.shortfall,
                to: new.seats.shortfall,
            },
        },
    }
}

impl LicensingDiff {
    pub fn is_empty(&self) -> bool {
        !self.pim_capable.changed()
            && self.paths_added.is_empty()
            && self.paths_removed.is_empty()
            && !self.seats.available.changed()
            && !self.seats.in_scope.changed()
            && !self.seats.shortfall.changed()
    }
}

impl AssessmentDiff {
    /// Whether nothing a reader cares about changed.
    pub fn is_empty(&self) -> bool {
        !self.score.changed()
            && !self.grade.changed()
            && !self.coverage.changed()
            && self.checks.is_empty()
            && !self.standing_admins.count.changed()
            && self.standing_admins.added.is_empty()
            && self.standing_admins.removed.is_empty()
            && self.licensing.is_empty()
    }

    /// Plain text for the CLI and the report's "Since the last assessment" section.
    pub fn lines(&self) -> Vec<String> {
        let since = self.assessed_at.from.format("%Y-%m-%d");
        if self.is_empty() {
            return vec![format!("No changes since the assessment of {since}.")];
        }
        let mut out = vec![format!("Since the assessment of {since}:")];
        out.push(if self.score.changed() || self.grade.changed() {
            format!(
                "Score: {:.1}% ({}) → {:.1}% ({}), {:+.1} points",
                self.score.from,
                self.grade.from,
                self.score.to,
                self.grade.to,
                self.score.delta()
            )
        } else {
            format!(
                "Score: unchanged at {:.1}% ({})",
                self.score.to, self.grade.to
            )
        });
        if self.coverage.changed() {
            out.push(format!(
                "Coverage: {:.0}% → {:.0}%",
                self.coverage.from, self.coverage.to
            ));
        }
        if !self.checks.is_empty() {
            out.push(format!("Checks that changed ({}):", self.checks.len()));
            let label = |s: Option<Status>| s.map_or("(not in this version)", Status::label);
            out.extend(self.checks.iter().map(|c| {
                format!(
                    "  {} {}: {} → {}",
                    c.id,
                    c.title,
                    label(c.from),
                    label(c.to)
                )
            }));
        }
        let admins = &self.standing_admins;
        if admins.count.changed() || !admins.added.is_empty() || !admins.removed.is_empty() {
            out.push(format!(
                "Standing admins: {} → {}",
                admins.count.from, admins.count.to
            ));
            out.extend(
                admins
                    .added
                    .iter()
                    .map(|a| format!("  + {}", admin_line(a))),
            );
            out.extend(
                admins
                    .removed
                    .iter()
                    .map(|a| format!("  - {}", admin_line(a))),
            );
        }
        let lic = &self.licensing;
        if !lic.is_empty() {
            out.push("Licensing:".to_owned());
            if lic.pim_capable.changed() {
                let yes_no = |b: bool| if b { "yes" } else { "no" };
                out.push(format!(
                    "  PIM-capable: {} → {}",
                    yes_no(lic.pim_capable.from),
                    yes_no(lic.pim_capable.to)
                ));
            }
            out.extend(lic.paths_added.iter().map(|p| format!("  + {}", p.label())));
            out.extend(
                lic.paths_removed
                    .iter()
                    .map(|p| format!("  - {}", p.label())),
            );
            for (name, seats) in [
                ("Seats available", &lic.seats.available),
                ("Users in PIM scope", &lic.seats.in_scope),
                ("Seat shortfall", &lic.seats.shortfall),
            ] {
                if seats.changed() {
                    out.push(format!(
                        "  {name}: {} → {} ({:+})",
                        seats.from,
                        seats.to,
                        seats.delta()
                    ));
                }
            }
        }
        out
    }
}

fn admin_line(a: &StandingAdmin) -> String {
    let mut line = a.display_name.clone();
    if let Some(upn) = a
        .principal_name
        .as_deref()
        .filter(|upn| *upn != a.display_name)
    {
        line.push_str(" (");
        line.push_str(upn);
        line.push(')');
    }
    if !a.roles.is_empty() {
        line.push_str(": ");
        line.push_str(&a.roles.join(", "));
    }
    line
}
