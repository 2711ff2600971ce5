//! The price book: list prices per licensing path, read from TOML. The defaults ship in
//! `data/price-book.toml`; a user's own file (CLI `--price-book FILE`, desktop settings)
//! has the same shape. Prices never live in code.

use std::path::Path;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::licensing::{BaseLicence, LicencePath};

const DEFAULT_BOOK: &str = include_str!("../data/price-book.toml");

/// What an option needs the tenant to have already.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Prerequisite {
    M365BusinessPremium,
    M365E3,
    /// Entra ID P1 (or P2) for the users who get the add-on.
    EntraIdP1,
}

impl Prerequisite {
    pub fn label(self) -> &'static str {
        match self {
            Prerequisite::M365BusinessPremium => "Microsoft 365 Business Premium",
            Prerequisite::M365E3 => "Microsoft 365 E3",
            Prerequisite::EntraIdP1 => "Entra ID P1 for these users",
        }
    }

    /// The base licence it names, if it is one.
    pub fn base(self) -> Option<BaseLicence> {
        match self {
            Prerequisite::M365BusinessPremium => Some(BaseLicence::M365BusinessPremium),
            Prerequisite::M365E3 => Some(BaseLicence::M365E3),
            Prerequisite::EntraIdP1 => None,
        }
    }
}

/// A step-up price from a base licence (E3 → E5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Uplift {
    pub base: BaseLicence,
    pub monthly_per_user: f64,
}

/// One way to buy PIM seats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PriceOption {
    pub path: LicencePath,
    pub name: String,
    /// List price per user per month, in the book's currency.
    pub monthly_per_user: f64,
    pub billing: String,
    pub prerequisites: Vec<Prerequisite>,
    /// Seat cap (`None`: no cap).
    pub max_users: Option<u32>,
    /// A full suite that replaces the user's base licence rather than adding to it.
    pub replaces_base: bool,
    pub uplift_from: Option<Uplift>,
    /// What else the path brings (one line).
    pub includes: String,
    pub source: String,
    pub source_read_on: Option<String>,
    pub evidence: Option<String>,
    pub verified: bool,
    pub note: Option<String>,
}

/// Prices per path, with their currency and the date they were checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PriceBook {
    /// Where it came from (`built-in` or a file path), for reports.
    pub origin: String,
    pub currency: String,
    pub checked_on: NaiveDate,
    pub options: Vec<PriceOption>,
}

/// A price book that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PriceBookError {
    #[error("cannot read the price book {origin}: {source}")]
    Read {
        origin: String,
        source: std::io::Error,
    },
    #[error("the price book {origin} is invalid{}: {message}", location(*.line, *.column))]
    Invalid {
        origin: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}

impl PriceBookError {
    /// The 1-based line the error points at, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            PriceBookError::Read { .. } => None,
            PriceBookError::Invalid { line, .. } => *line,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBook {
    currency: Spanned<String>,
    checked_on: Spanned<String>,
    #[serde(default, rename = "option")]
    options: Vec<RawOption>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    path: Spanned<LicencePath>,
    name: Spanned<String>,
    monthly_per_user: Spanned<f64>,
    #[serde(default)]
    billing: String,
    #[serde(default)]
    prerequisites: Vec<Prerequisite>,
    #[serde(default)]
    max_users: Option<u32>,
    #[serde(default)]
    replaces_base: bool,
    #[serde(default)]
    uplift_from: Option<RawUplift>,
    #[serde(default)]
    includes: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    source_read_on: Option<String>,
    #[serde(default)]
    evidence: Option<String>,
    #[serde(default)]
    verified: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUplift {
    base: BaseLicence,
    monthly_per_user: Spanned<f64>,
}

impl PriceBook {
    /// The built-in book (`data/price-book.toml`).
    pub fn default_book() -> PriceBook {
        PriceBook::from_toml(DEFAULT_BOOK, "built-in")
            .expect("data/price-book.toml is valid (unit test `default_book_is_valid`)")
    }

    /// Reads a price book file.
    pub fn load(path: &Path) -> Result<PriceBook, PriceBookError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| PriceBookError::Read {
            origin: origin.clone(),
            source,
        })?;
        PriceBook::from_toml(&text, &origin)
    }

    /// Parses and validates a price book; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<PriceBook, PriceBookError> {
        let at = |span: Option<std::ops::Range<usize>>, message: String| {
            let (line, column) = span.map_or((None, None), |s| {
                let (l, c) = line_column(text, s.start);
                (Some(l), Some(c))
            });
            PriceBookError::Invalid {
                origin: origin.to_owned(),
                line,
                column,
                message,
            }
        };
        let raw: RawBook =
            toml::from_str(text).map_err(|e| at(e.span(), e.message().trim().to_owned()))?;

        let currency = raw.currency.get_ref().trim();
        if currency.is_empty() {
            return Err(at(
                Some(raw.currency.span()),
                "`currency` is empty: give a currency code such as \"USD\"".into(),
            ));
        }
        let checked_on = NaiveDate::parse_from_str(raw.checked_on.get_ref().trim(), "%Y-%m-%d").map_err(|_| {
            at(
                Some(raw.checked_on.span()),
                format!("`checked_on` is \"{}\": give the date the prices were checked as YYYY-MM-DD", raw.checked_on.get_ref()),
            )
        })?;
        if raw.options.is_empty() {
            return Err(at(None, "the book lists no `[[option]]`".into()));
        }
        let price = |value: &Spanned<f64>, what: &str| {
            let v = *value.get_ref();
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(at(
                    Some(value.span()),
                    format!("{what} is {v}: a price must be a finite number, 0 or more"),
                ))
            }
        };
        let mut options = Vec::with_capacity(raw.options.len());
        for o in raw.options {
            let path = *o.path.get_ref();
            if path == LicencePath::OtherBundle {
                return Err(at(
                    Some(o.path.span()),
                    "`other_bundle` cannot be bought: name a concrete path".into(),
                ));
            }
            if o.name.get_ref().trim().is_empty() {
                return Err(at(
                    Some(o.name.span()),
                    "an option's `name` is empty".into(),
                ));
            }
            let monthly_per_user = price(&o.monthly_per_user, "`monthly_per_user`")?;
            let uplift_from = match o.uplift_from {
                Some(u) => Some(Uplift {
                    base: u.base,
                    monthly_per_user: price(&u.monthly_per_user, "`uplift_from.monthly_per_user`")?,
                }),
                None => None,
            };
            options.push(PriceOption {
                path,
                name: o.name.into_inner().trim().to_owned(),
                monthly_per_user,
                billing: o.billing,
                prerequisites: o.prerequisites,
                max_users: o.max_users.filter(|&n| n > 0),
                replaces_base: o.replaces_base,
                uplift_from,
                includes: o.includes,
                source: o.source,
                source_read_on: o.source_read_on,
                evidence: o.evidence,
                verified: o.verified,
                note: o.note,
            });
        }
        Ok(PriceBook {
            origin: origin.to_owned(),
            currency: currency.to_owned(),
            checked_on,
            options,
        })
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Ok(n)`: parses with n options; `Err((line, fragment))`: fails at that line, naming the fragment.
    fn check(text: &str, expected: Result<usize, (Option<usize>, &str)>) {
        match (PriceBook::from_toml(text, "test.toml"), expected) {
            (Ok(book), Ok(n)) => assert_eq!(book.options.len(), n),
            (Err(e), Err((line, fragment))) => {
                let message = e.to_string();
                assert_eq!(e.line(), line, "{message}");
                assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
                assert!(message.contains("test.toml"), "{message}");
            }
            (got, want) => panic!("got {got:?}, want {want:?}"),
        }
    }

    const HEAD: &str = "currency = \"USD\"\nchecked_on = \"2026-11-26\"\n";

    fn book(options: &str) -> String {
        format!("{HEAD}{options}")
    }

    #[test]
    fn default_book_is_valid() {
        let book = PriceBook::default_book();
        assert_eq!(book.currency, "USD");
        assert_eq!(book.checked_on.to_string(), "2026-11-26");
        for path in [
            LicencePath::EntraIdP2,
            LicencePath::DefenderSuiteBusinessPremium,
            LicencePath::M365E5,
            LicencePath::EntraIdGovernance,
            LicencePath::EntraSuite,
        ] {
            assert!(
                book.options.iter().any(|o| o.path == path),
                "{path:?} missing"
            );
        }
        let e5 = book
            .options
            .iter()
            .find(|o| o.path == LicencePath::M365E5)
            .unwrap();
        assert!(e5.replaces_base);
        assert_eq!(
            e5.uplift_from.as_ref().map(|u| u.base),
            Some(BaseLicence::M365E3)
        );
    }

    #[test]
    fn validates_and_names_the_line() {
        let ok = "[[option]]\npath = \"entra_id_p2\"\nname = \"P2\"\nmonthly_per_user = 10\n";
        check(&book(ok), Ok(1));
        // TOML syntax error on line 4.
        check(
            &book("[[option]]\npath = \"entra_id_p2\"\nname = P2\n"),
            Err((Some(5), "invalid")),
        );
        // Unknown path name.
        check(
            &book("[[option]]\npath = \"entra_id_p3\"\nname = \"P3\"\nmonthly_per_user = 1\n"),
            Err((Some(4), "entra_id_p3")),
        );
        // Negative, infinite and NaN prices.
        check(
            &book("[[option]]\npath = \"entra_id_p2\"\nname = \"P2\"\nmonthly_per_user = -1\n"),
            Err((Some(6), "-1")),
        );
        check(
            &book("[[option]]\npath = \"entra_id_p2\"\nname = \"P2\"\nmonthly_per_user = inf\n"),
            Err((Some(6), "finite")),
        );
        check(
            &book("[[option]]\npath = \"entra_id_p2\"\nname = \"P2\"\nmonthly_per_user = nan\n"),
            Err((Some(6), "finite")),
        );
        check(
            &book(
                "[[option]]\npath = \"m365_e5\"\nname = \"E5\"\nmonthly_per_user = 60\nuplift_from = { base = \"m365_e3\", monthly_per_user = -21 }\n",
            ),
            Err((Some(7), "uplift_from")),
        );
        // Missing price, unknown field, unknown prerequisite.
        check(
            &book("[[option]]\npath = \"entra_id_p2\"\nname = \"P2\"\n"),
            Err((Some(3), "monthly_per_user")),
        );
        check(
            &book(&format!("{ok}monthly_per_usr = 3\n")),
            Err((Some(7), "monthly_per_usr")),
        );
        check(
            &book(&format!("{ok}prerequisites = [\"e3\"]\n")),
            Err((Some(7), "e3")),
        );
        // Currency and date.
        check(
            &format!("checked_on = \"2026-11-26\"\n{ok}"),
            Err((Some(1), "currency")),
        );
        check(
            &format!("currency = \"\"\nchecked_on = \"2026-11-26\"\n{ok}"),
            Err((Some(1), "currency")),
        );
        check(
            &format!("currency = \"USD\"\n{ok}"),
            Err((Some(1), "checked_on")),
        );
        check(
            &format!("currency = \"USD\"\nchecked_on = \"26/11/2026\"\n{ok}"),
            Err((Some(2), "YYYY-MM-DD")),
        );
        // No options; `other_bundle` is not for sale.
        check(HEAD, Err((None, "no `[[option]]`")));
        check(
            &book("[[option]]\npath = \"other_bundle\"\nname = \"X\"\nmonthly_per_user = 1\n"),
            Err((Some(4), "other_bundle")),
        );
    }
}
