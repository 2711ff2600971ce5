//! One row per finding, RFC 4180 quoting, UTF-8 with a byte-order mark so Excel
//! picks the right encoding.

use pimready_core::assessment::Assessment;

/// Column names, in order.
pub const HEADER: [&str; 8] = [
    "id",
    "title",
    "category",
    "severity",
    "status",
    "summary",
    "evidence_count",
    "references",
];

/// A text cell made safe for spreadsheets: one starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return would be run as a formula by Excel or LibreOffice, so it gets a
/// leading `'` (OWASP's advice for CSV injection). Tenant data is attacker-controlled.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The findings as CSV bytes (BOM, CRLF line ends).
pub fn render(assessment: &Assessment) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        writer
            .write_record(HEADER)
            .expect("writing to memory cannot fail");
        for f in &assessment.checks {
            let references = f
                .references
                .iter()
                .map(pimready_core::finding::Reference::label)
                .collect::<Vec<_>>()
                .join("; ");
            let category = serde_json::to_value(f.category).ok();
            writer
                .write_record([
                    f.id.as_str(),
                    &defuse(&f.title),
                    category
                        .as_ref()
                        .and_then(|v| v.as_str())
                        .unwrap_or_default(),
                    f.severity.as_str(),
                    f.status.as_str(),
                    &defuse(&f.summary),
                    &f.evidence.len().to_string(),
                    &defuse(&references),
                ])
                .expect("writing to memory cannot fail");
        }
        writer.flush().expect("writing to memory cannot fail");
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn formulas_from_tenant_data_are_defused() {
        assert_eq!(
            defuse("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        for bad in ["+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(defuse(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(defuse("Alice"), "Alice");
        let mut a = sample::demo();
        a.checks[0].summary = "=cmd|' /C calc'!A0".into();
        let text = String::from_utf8(render(&a)).unwrap();
        assert!(text.contains("'=cmd|"), "{text}");
    }
    use super::*;
    use crate::sample;

    #[test]
    fn round_trips_through_a_csv_parser() {
        let a = sample::demo();
        let bytes = render(&a);
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), a.checks.len());
        for (row, f) in rows.iter().zip(&a.checks) {
            assert_eq!(&row[0], f.id);
            assert_eq!(&row[1], f.title);
            assert_eq!(&row[4], f.status.as_str());
            assert_eq!(&row[5], f.summary);
            assert_eq!(row[6].parse::<usize>().unwrap(), f.evidence.len());
        }
    }

    #[test]
    fn quotes_commas_quotes_and_newlines() {
        let mut a = sample::demo();
        a.checks[0].summary = "He said \"no\", then\nleft".into();
        let text = String::from_utf8(render(&a)).unwrap();
        assert!(
            text.contains("\"He said \"\"no\"\", then\nleft\""),
            "{text}"
        );
        let mut reader = csv::Reader::from_reader(&text.as_bytes()[3..]);
        let first = reader.records().next().unwrap().unwrap();
        assert_eq!(&first[5], "He said \"no\", then\nleft");
    }
}
