//! The readiness score. Pure.
//!
//! Weights by severity (critical 10, high 6, medium 3, low 1); credit pass 1, warning
//! ½, fail 0, not_licensed 0 (the control is absent); not_applicable and not_assessed
//! leave the denominator. Coverage sits beside the score so a half-read tenant never
//! looks healthy. Arithmetic is integer (half-weights) and rounds half up to one
//! decimal, so the same findings always give the same numbers on every platform.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::finding::{Category, Finding, Status};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CategoryScore {
    pub category: Category,
    pub percent: f64,
    pub coverage: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Score {
    /// 0–100.
    pub percent: f64,
    /// A, B, C, D or F.
    pub grade: Grade,
    /// Weight assessed / total weight, 0–100.
    pub coverage: f64,
    pub categories: Vec<CategoryScore>,
}

/// Sums in half-weight units so that a warning's ½ credit stays an integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    /// Credit × 2.
    credit2: u64,
    /// Weight of pass, warning, fail and not_licensed findings.
    counted: u64,
    /// Weight of every finding except not_applicable.
    total: u64,
}

impl Tally {
    fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut t = Tally::default();
        for f in findings {
            let w = u64::from(f.severity.weight());
            let credit2 = match f.status {
                Status::Pass => 2 * w,
                Status::Warning => w,
                Status::Fail | Status::NotLicensed => 0,
                Status::NotApplicable | Status::NotAssessed => {
                    if f.status == Status::NotAssessed {
                        t.total += w;
                    }
                    continue;
                }
            };
            t.credit2 += credit2;
            t.counted += w;
            t.total += w;
        }
        t
    }

    /// Percent in tenths (0..=1000).
    fn percent_tenths(self) -> u64 {
        ratio_tenths(self.credit2, 2 * self.counted)
    }

    fn coverage_tenths(self) -> u64 {
        ratio_tenths(self.counted, self.total)
    }
}

/// `num / den × 100`, in tenths, rounded half up; 0 when `den` is 0.
fn ratio_tenths(num: u64, den: u64) -> u64 {
    if den == 0 {
        return 0;
    }
    (num * 2000 + den) / (2 * den)
}

fn tenths_to_f64(tenths: u64) -> f64 {
    tenths as f64 / 10.0
}

/// The letter grade of a score: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, F otherwise. Ordered best
/// first, so `A < F`. On the wire (JSON, the history database) it is the bare letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grade {
    A,
    B,
    C,
    D,
    F,
}

impl Grade {
    pub const ALL: [Grade; 5] = [Grade::A, Grade::B, Grade::C, Grade::D, Grade::F];

    /// The letter, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::F => "F",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A text that is not one of the five letters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a grade (expected A, B, C, D or F)")]
pub struct UnknownGrade(pub String);

impl FromStr for Grade {
    type Err = UnknownGrade;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Grade::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| UnknownGrade(s.to_owned()))
    }
}

impl Serialize for Grade {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Grade {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A plain string in the schema, as before the type existed (schema v1 is unchanged).
impl JsonSchema for Grade {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Grade".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

/// The grade of `percent` as shown (one decimal).
pub fn grade(percent: f64) -> Grade {
    let tenths = (percent * 10.0).round();
    if tenths >= 900.0 {
        Grade::A
    } else if tenths >= 800.0 {
        Grade::B
    } else if tenths >= 700.0 {
        Grade::C
    } else if tenths >= 600.0 {
        Grade::D
    } else {
        Grade::F
    }
}

/// Scores the findings (see the module docs for the formula).
pub fn score(findings: &[Finding]) -> Score {
    let all = Tally::of(findings);
    let percent = tenths_to_f64(all.percent_tenths());
    let categories = Category::ALL
        .iter()
        .map(|&category| {
            let t = Tally::of(findings.iter().filter(|f| f.category == category));
            CategoryScore {
                category,
                percent: tenths_to_f64(t.percent_tenths()),
                coverage: tenths_to_f64(t.coverage_tenths()),
            }
        })
        .collect();
    Score {
        percent,
        grade: grade(percent),
        coverage: tenths_to_f64(all.coverage_tenths()),
        categories,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{MinimumLicence, Remediation, Severity};

    fn finding(category: Category, severity: Severity, status: Status) -> Finding {
        Finding {
            id: crate::checks::CheckId::new("T-01"),
            title: String::new(),
            category,
            severity,
            status,
            summary: String::new(),
            references: Vec::new(),
            minimum_licence: MinimumLicence::Free,
            rationale: String::new(),
            evidence: Vec::new(),
            remediation: Remediation {
                steps: Vec::new(),
                portal_path: String::new(),
                powershell: String::new(),
            },
            missing_data: Vec::new(),
        }
    }

    fn f(severity: Severity, status: Status) -> Finding {
        finding(Category::PimRoleSettings, severity, status)
    }

    /// (findings, percent, grade, coverage)
    fn check(findings: &[Finding], percent: f64, grade: &str, coverage: f64) {
        let s = score(findings);
        assert_eq!(
            (s.percent, s.grade.as_str(), s.coverage),
            (percent, grade, coverage),
            "{findings:?}"
        );
    }

    use Severity::{Critical, High, Low, Medium};
    use Status::{Fail, NotApplicable, NotAssessed, NotLicensed, Pass, Warning};

    #[test]
    fn formula() {
        check(&[], 0.0, "F", 0.0);
        check(&[f(Critical, Pass)], 100.0, "A", 100.0);
        check(&[f(Critical, Fail)], 0.0, "F", 100.0);
        check(&[f(Critical, Warning)], 50.0, "F", 100.0);
        // 10 + 3 of 10 + 6 + 3 + 1 = 13 / 20
        check(
            &[
                f(Critical, Pass),
                f(High, Fail),
                f(Medium, Pass),
                f(Low, Fail),
            ],
            65.0,
            "D",
            100.0,
        );
        // not_licensed counts as 0 credit, in the denominator
        check(&[f(High, Pass), f(High, NotLicensed)], 50.0, "F", 100.0);
        // not_applicable leaves both the score and the coverage
        check(
            &[f(High, Pass), f(Critical, NotApplicable)],
            100.0,
            "A",
            100.0,
        );
        // not_assessed leaves the score, lowers coverage: 6 of 16
        check(&[f(High, Pass), f(Critical, NotAssessed)], 100.0, "A", 37.5);
        // warning: (6 + 1.5) / 9 = 83.33 -> 83.3
        check(&[f(High, Pass), f(Medium, Warning)], 83.3, "B", 100.0);
        // rounding half up: 1 pass of weight 1 out of 1+1+6 ... 1/8 = 12.5
        check(
            &[f(Low, Pass), f(Low, Fail), f(High, Fail)],
            12.5,
            "F",
            100.0,
        );
        // 2/3 = 66.666.. -> 66.7
        check(
            &[f(Low, Pass), f(Low, Pass), f(Low, Fail)],
            66.7,
            "D",
            100.0,
        );
        // every status at once: credit 10 + 3 = 13 of 10+6+3+1 = 20 -> 65, coverage 20 / 26
        check(
            &[
                f(Critical, Pass),
                f(High, Fail),
                f(Medium, Pass),
                f(Low, NotLicensed),
                f(High, NotAssessed),
                f(High, NotApplicable),
            ],
            65.0,
            "D",
            76.9,
        );
    }

    #[test]
    fn grade_boundaries() {
        for (p, g) in [
            (100.0, "A"),
            (90.0, "A"),
            (89.96, "A"),
            (89.9, "B"),
            (80.0, "B"),
            (79.9, "C"),
            (70.0, "C"),
            (69.9, "D"),
            (60.0, "D"),
            (59.9, "F"),
            (0.0, "F"),
        ] {
            assert_eq!(grade(p).as_str(), g, "{p}");
        }
        // 9 passes and 1 fail of equal weight: exactly 90.
        let mut v = vec![f(Low, Pass); 9];
        v.push(f(Low, Fail));
        check(&v, 90.0, "A", 100.0);
        // 8 + 2 warnings of 10 = 90: A; 8 + 1 warning + 1 fail = 85: B
        let mut v = vec![f(Low, Pass); 8];
        v.extend([f(Low, Warning), f(Low, Warning)]);
        check(&v, 90.0, "A", 100.0);
        v[9] = f(Low, Fail);
        check(&v, 85.0, "B", 100.0);
    }

    #[test]
    fn categories() {
        let findings = [
            finding(Category::Licensing, Critical, Pass),
            finding(Category::PimAssignments, Critical, Fail),
            finding(Category::PimAssignments, High, Pass),
            finding(Category::ConditionalAccess, Medium, NotAssessed),
        ];
        let s = score(&findings);
        assert_eq!(s.categories.len(), Category::ALL.len());
        let cat = |c: Category| {
            s.categories
                .iter()
                .find(|x| x.category == c)
                .unwrap()
                .clone()
        };
        assert_eq!(
            (
                cat(Category::Licensing).percent,
                cat(Category::Licensing).coverage
            ),
            (100.0, 100.0)
        );
        assert_eq!(
            (
                cat(Category::PimAssignments).percent,
                cat(Category::PimAssignments).coverage
            ),
            (37.5, 100.0)
        );
        assert_eq!(
            (
                cat(Category::ConditionalAccess).percent,
                cat(Category::ConditionalAccess).coverage
            ),
            (0.0, 0.0)
        );
        assert_eq!(
            (
                cat(Category::PrivilegedAccounts).percent,
                cat(Category::PrivilegedAccounts).coverage
            ),
            (0.0, 0.0)
        );
        // 10 + 6 of 26 = 61.5; coverage 26 / 29 = 89.7
        assert_eq!((s.percent, s.grade.as_str(), s.coverage), (61.5, "D", 89.7));
    }

    #[test]
    fn improving_a_finding_never_lowers_the_score() {
        let ladder = [Fail, Warning, Pass];
        let severities = [Critical, High, Medium, Low];
        let base: Vec<Finding> = (0..12)
            .map(|i| {
                f(
                    severities[i % 4],
                    [Fail, Warning, Pass, NotLicensed, NotAssessed, NotApplicable][i % 6],
                )
            })
            .collect();
        for i in 0..base.len() {
            for pair in ladder.windows(2) {
                let mut lower = base.clone();
                lower[i].status = pair[0];
                let mut higher = base.clone();
                higher[i].status = pair[1];
                assert!(
                    score(&higher).percent >= score(&lower).percent,
                    "finding {i}: {:?} -> {:?}",
                    pair[0],
                    pair[1]
                );
            }
            // not_licensed -> pass never lowers it either
            let mut lower = base.clone();
            lower[i].status = NotLicensed;
            let mut higher = base.clone();
            higher[i].status = Pass;
            assert!(score(&higher).percent >= score(&lower).percent);
            // reading more data never lowers coverage
            let mut unread = base.clone();
            unread[i].status = NotAssessed;
            let mut read = base.clone();
            read[i].status = Fail;
            assert!(score(&read).coverage >= score(&unread).coverage);
        }
    }

    #[test]
    fn deterministic_and_order_independent() {
        let mut v = vec![
            f(Critical, Pass),
            f(High, Warning),
            f(Medium, Fail),
            f(Low, NotAssessed),
        ];
        let a = score(&v);
        v.reverse();
        assert_eq!(a, score(&v));
    }

    /// The wire form is the bare letter, and only the five letters read back.
    #[test]
    fn grade_wire_form() {
        for (g, letter) in Grade::ALL.into_iter().zip(["A", "B", "C", "D", "F"]) {
            assert_eq!(serde_json::to_value(g).unwrap(), serde_json::json!(letter));
            assert_eq!(serde_json::from_value::<Grade>(letter.into()).unwrap(), g);
            assert_eq!(letter.parse::<Grade>(), Ok(g));
            assert_eq!(g.to_string(), letter);
        }
        for bad in ["a", "E", "", "A+", " A"] {
            assert!(bad.parse::<Grade>().is_err(), "{bad:?}");
            assert!(
                serde_json::from_value::<Grade>(bad.into()).is_err(),
                "{bad:?}"
            );
        }
        // Best first: a rising grade compares as smaller.
        assert!(Grade::A < Grade::B && Grade::D < Grade::F);
    }
}
