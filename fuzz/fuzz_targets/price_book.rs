//! `PriceBook::from_toml` on arbitrary text: never panics (errors carry a line).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pimready_core::pricebook::PriceBook;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match PriceBook::from_toml(text, "fuzz") {
        Ok(book) => {
            let _ = format!("{book:?}");
        }
        Err(e) => {
            let _ = (e.to_string(), e.line());
        }
    }
});
