//! Times and sizes of the report renderers on the synthetic demo assessment and on a
//! 300-finding one. Run: `cargo bench -p pimready-report --bench render` (release) or
//! `cargo test -p pimready-report --bench render` (dev profile). Set
//! `PIMREADY_BENCH_OUT=DIR` to keep the rendered files, `PIMREADY_BENCH_PAPER=letter`
//! for US Letter and `PIMREADY_BENCH_LOGO=FILE.png` for a branded cover.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use pimready_core::assessment::Assessment;
use pimready_report::{self as report, NameMasking, ReportOptions, sample};

fn time<T>(runs: u32, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed());
        out = Some(value);
    }
    (best, out.expect("at least one run"))
}

fn bench(name: &str, a: &Assessment, options: &ReportOptions, runs: u32) {
    let (pdf_t, pdf) = time(runs, || report::pdf::render(a, options).expect("renders"));
    let (json_t, json) = time(runs, || report::json::render(a));
    let (csv_t, csv) = time(runs, || report::csv::render(a));
    let pages = lopdf::Document::load_mem(&pdf).map_or(0, |d| d.get_pages().len());
    println!(
        "{name:<26} {:>4} findings  PDF {:>8.1} ms {:>8.1} KiB {:>4} pages | JSON {:>6.1} ms {:>7.1} KiB | CSV {:>5.1} ms {:>6.1} KiB",
        a.checks.len(),
        pdf_t.as_secs_f64() * 1000.0,
        pdf.len() as f64 / 1024.0,
        pages,
        json_t.as_secs_f64() * 1000.0,
        json.len() as f64 / 1024.0,
        csv_t.as_secs_f64() * 1000.0,
        csv.len() as f64 / 1024.0,
    );
    if let Some(dir) = std::env::var_os("PIMREADY_BENCH_OUT") {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join(format!("{name}.pdf")), &pdf).expect("writes");
    }
}

fn main() {
    let mut options = ReportOptions::new(Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap());
    options.branding.consultant_name = "Fabrikam Security Advisors".into();
    if std::env::var("PIMREADY_BENCH_PAPER").is_ok_and(|p| p.eq_ignore_ascii_case("letter")) {
        options.paper = report::Paper::Letter;
    }
    if let Some(logo) = std::env::var_os("PIMREADY_BENCH_LOGO") {
        options.branding.logo_png = Some(std::fs::read(logo).expect("reads the logo"));
    }
    println!(
        "best of 3 runs, profile: {}",
        if cfg!(debug_assertions) {
            "dev"
        } else {
            "release"
        }
    );
    bench("demo", &sample::demo(), &options, 3);
    let masked = ReportOptions {
        masking: NameMasking::Masked,
        ..options.clone()
    };
    bench("demo-masked", &sample::demo(), &masked, 3);
    bench("large-300", &sample::large(300), &options, 3);
}
