//! `IsoDuration::parse` on arbitrary text: never panics; what it accepts re-parses
//! from its own text to the same value and has a finite, non-negative length.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pimready_core::duration::IsoDuration;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(d) = IsoDuration::parse(text) else {
        return;
    };
    assert_eq!(IsoDuration::parse(d.as_str()).as_ref(), Ok(&d), "{text:?}");
    let secs = d.approx_seconds();
    assert!(secs.is_finite() && secs >= 0.0, "{text:?} -> {secs}");
    let hours = d.hours();
    assert!(hours.is_finite() && hours >= 0.0, "{text:?} -> {hours} h");
    let _ = d.human();
    let json = serde_json::to_string(&d).expect("a duration serialises");
    let back: IsoDuration = serde_json::from_str(&json).expect("a serialised duration parses");
    assert_eq!(back, d);
});
