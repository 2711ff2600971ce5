//! ISO-8601 durations as Graph writes them (`PT8H`, `P180D`, `PT30M`, `P1Y`).
//!
//! `PT8H` (eight hours) and `P8D` (eight days) differ by the `T`: a parser that
//! ignores it misreads every PIM activation limit.

use std::cmp::Ordering;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A parsed ISO-8601 duration. Keeps the original text so it serialises unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IsoDuration {
    text: String,
    years: u32,
    months: u32,
    weeks: u32,
    days: u32,
    /// Hours, minutes and seconds, in milliseconds.
    time_ms: u64,
}

/// Why a duration did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an ISO-8601 duration: {why}")]
pub struct DurationError {
    pub text: String,
    pub why: &'static str,
}

impl IsoDuration {
    pub fn parse(text: &str) -> Result<Self, DurationError> {
        let err = |why| DurationError { text: text.to_owned(), why };
        let rest = text.trim();
        let rest = rest.strip_prefix('P').or_else(|| rest.strip_prefix('p')).ok_or_else(|| err("it must start with P"))?;
        if rest.is_empty() {
            return Err(err("it has no components"));
        }
        let mut d = IsoDuration { text: text.trim().to_owned(), years: 0, months: 0, weeks: 0, days: 0, time_ms: 0 };
        let mut in_time = false;
        let mut number = String::new();
        let mut seen_any = false;
        let mut last_rank = 0u8;
        for c in rest.chars() {
            match c {
                '0'..='9' | '.' | ',' => number.push(if c == ',' { '.' } else { c }),
                'T' | 't' => {
                    if in_time || !number.is_empty() {
                        return Err(err("misplaced T"));
                    }
                    in_time = true;
                    last_rank = 4;
                }
                unit => {
                    if number.is_empty() {
                        return Err(err("a unit has no number"));
                    }
                    let unit = unit.to_ascii_uppercase();
                    let rank = match (in_time, unit) {
                        (false, 'Y') => 1,
                        (false, 'M') => 2,
                        (false, 'W') => 3,
                        (false, 'D') => 4,
                        (true, 'H') => 5,
                        (true, 'M') => 6,
                        (true, 'S') => 7,
                        _ => return Err(err("unknown unit")),
                    };
                    if rank <= last_rank && !(rank == 4 && last_rank == 4 && !in_time && !seen_any) {
                        return Err(err("units out of order or repeated"));
                    }
                    last_rank = rank;
                    let value: f64 = number.parse().map_err(|_| err("bad number"))?;
                    if !value.is_finite() || value < 0.0 || value > 1.0e9 {
                        return Err(err("number out of range"));
                    }
                    let whole = || -> Result<u32, DurationError> {
                        if value.fract() != 0.0 {
                            return Err(err("fractions are only supported in the time part"));
                        }
                        Ok(value as u32)
                    };
                    match rank {
                        1 => d.years = whole()?,
                        2 => d.months = whole()?,
                        3 => d.weeks = whole()?,
                        4 => d.days = whole()?,
                        5 => d.time_ms += (value * 3_600_000.0).round() as u64,
                        6 => d.time_ms += (value * 60_000.0).round() as u64,
                        _ => d.time_ms += (value * 1000.0).round() as u64,
                    }
                    number.clear();
                    seen_any = true;
                }
            }
        }
        if !number.is_empty() {
            return Err(err("a number has no unit"));
        }
        if !seen_any {
            return Err(err("it has no components"));
        }
        if in_time && last_rank == 4 {
            return Err(err("T with no time components"));
        }
        Ok(d)
    }

    /// From hours (for thresholds and tests).
    pub fn from_hours(hours: u32) -> Self {
        IsoDuration { text: format!("PT{hours}H"), years: 0, months: 0, weeks: 0, days: 0, time_ms: u64::from(hours) * 3_600_000 }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length in seconds; years count 365 days and months 30 (the way PIM reads them).
    pub fn approx_seconds(&self) -> f64 {
        let days = f64::from(self.years) * 365.0 + f64::from(self.months) * 30.0 + f64::from(self.weeks) * 7.0 + f64::from(self.days);
        days * 86_400.0 + self.time_ms as f64 / 1000.0
    }

    pub fn hours(&self) -> f64 {
        self.approx_seconds() / 3600.0
    }

    /// Plain English, e.g. "8 hours", "30 minutes", "180 days".
    pub fn human(&self) -> String {
        let secs = self.approx_seconds();
        let plural = |n: f64, unit: &str| {
            let n = (n * 100.0).round() / 100.0;
            if (n - 1.0).abs() < f64::EPSILON { format!("1 {unit}") } else { format!("{n} {unit}s") }
        };
        if secs >= 86_400.0 && (secs % 86_400.0) == 0.0 {
            plural(secs / 86_400.0, "day")
        } else if secs >= 3600.0 {
            plural(secs / 3600.0, "hour")
        } else if secs >= 60.0 {
            plural(secs / 60.0, "minute")
        } else {
            plural(secs, "second")
        }
    }
}

impl PartialOrd for IsoDuration {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.approx_seconds().partial_cmp(&other.approx_seconds())
    }
}

impl fmt::Display for IsoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for IsoDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for IsoDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        IsoDuration::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for IsoDuration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "IsoDuration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "description": "ISO-8601 duration, e.g. PT8H" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected_seconds: Option<f64>) {
        match (IsoDuration::parse(text), expected_seconds) {
            (Ok(d), Some(s)) => assert!((d.approx_seconds() - s).abs() < 1e-6, "{text}: {} != {s}", d.approx_seconds()),
            (Err(_), None) => {}
            (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn parses_graph_durations() {
        check("PT8H", Some(28_800.0));
        check("P8D", Some(691_200.0));
        check("PT30M", Some(1800.0));
        check("PT1H30M", Some(5400.0));
        check("PT0.5H", Some(1800.0));
        check("PT1.5S", Some(1.5));
        check("P180D", Some(180.0 * 86_400.0));
        check("P365D", Some(365.0 * 86_400.0));
        check("P1Y", Some(365.0 * 86_400.0));
        check("P1M", Some(30.0 * 86_400.0));
        check("P2W", Some(14.0 * 86_400.0));
        check("P1DT12H", Some(86_400.0 + 43_200.0));
        check("PT0S", Some(0.0));
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "P", "PT", "8H", "PT8", "P1T", "PTH", "PT8X", "P1H", "PT1D", "PT1H1H", "P1D1Y", "P-1D", "P1.5D", "PT1e9H", "P1DT"] {
            check(bad, None);
        }
    }

    #[test]
    fn distinguishes_hours_from_days() {
        let h = IsoDuration::parse("PT8H").unwrap();
        let d = IsoDuration::parse("P8D").unwrap();
        assert!(h < d);
        assert_eq!(h.human(), "8 hours");
        assert_eq!(d.human(), "8 days");
    }
}
