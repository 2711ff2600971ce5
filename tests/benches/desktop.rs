//! Desktop benchmark: from process start to the first painted screen, and the app's
//! memory with the demo assessment open (every process of the app: the Rust process and
//! WebKit's web and network processes).
//!
//! Needs what the end-to-end tests need (tauri-driver, WebKitWebDriver, a display and a
//! session bus); without `PIMREADY_E2E=1` it prints a skip line. `scripts/bench.sh` runs it
//! under Xvfb. Linux only: it reads `/proc`.
//!
//! Start: the kernel's start time of the `pimready-desktop` process. First paint: the
//! page's `first-contentful-paint` entry (`performance.timeOrigin + startTime`); when
//! WebKit gives none, the first time WebDriver sees the Connect screen (an upper bound).

#[cfg(target_os = "linux")]
fn main() {
    if std::env::var("PIMREADY_E2E").as_deref() != Ok("1") {
        println!(
            "desktop bench skipped: set PIMREADY_E2E=1 (tauri-driver, WebKitWebDriver, a display)"
        );
        return;
    }
    let runs: usize = std::env::var("PIMREADY_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut samples = Vec::new();
    for i in 0..runs {
        let s = rt.block_on(linux::one_run());
        println!(
            "run {}: first paint {:.0} ms after process start ({}), ready {:.0} ms, demo open {:.0} ms; memory with the demo open: RSS {:.1} MiB, PSS {:.1} MiB in {} processes (RSS MiB: {})",
            i + 1,
            s.first_paint_ms,
            s.paint_source,
            s.ready_ms,
            s.demo_ms,
            s.rss_kib as f64 / 1024.0,
            s.pss_kib as f64 / 1024.0,
            s.processes,
            s.breakdown
        );
        samples.push(s);
    }
    let median = |f: &dyn Fn(&linux::Sample) -> f64| {
        let mut v: Vec<f64> = samples.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let paint = median(&|s| s.first_paint_ms);
    let ready = median(&|s| s.ready_ms);
    println!();
    println!("| measure ({runs} runs, median) | value |");
    println!("|---|---:|");
    println!("| process start → first contentful paint | {paint:.0} ms |");
    println!("| process start → Connect screen seen by WebDriver | {ready:.0} ms |");
    println!(
        "| click \"Open the demo tenant\" → Overview shown | {:.0} ms |",
        median(&|s| s.demo_ms)
    );
    println!(
        "| RSS, all app processes, demo open | {:.1} MiB |",
        median(&|s| s.rss_kib as f64) / 1024.0
    );
    println!(
        "| PSS, all app processes, demo open | {:.1} MiB |",
        median(&|s| s.pss_kib as f64) / 1024.0
    );
    println!(
        "| first paint / ready (share of start-up spent before the first pixel) | {:.2} |",
        paint / ready
    );
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("desktop bench skipped: it reads /proc (Linux only)");
}

#[cfg(target_os = "linux")]
mod linux {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use fantoccini::Locator;
    use pimready_tests::webdriver::{Dirs, open_app, start_driver};

    pub struct Sample {
        pub first_paint_ms: f64,
        pub paint_source: &'static str,
        pub ready_ms: f64,
        pub demo_ms: f64,
        pub rss_kib: u64,
        pub pss_kib: u64,
        pub processes: usize,
        /// `name RSS-MiB` of each process.
        pub breakdown: String,
    }

    pub async fn one_run() -> Sample {
        let dirs = Dirs::new();
        let driver = start_driver(&dirs, &[]);
        let client = open_app(&driver).await;
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("#open-demo"))
            .await
            .expect("the Connect screen");
        let seen = now_ms();
        let app = app_pid(driver.pid()).expect("pimready-desktop runs under tauri-driver");
        let started = process_start_ms(app);
        let fcp = client
            .execute(
                "const e = performance.getEntriesByName('first-contentful-paint')[0]; return e ? performance.timeOrigin + e.startTime : null",
                Vec::new(),
            )
            .await
            .unwrap();
        let (first_paint, paint_source) = match fcp.as_f64() {
            Some(t) => (t, "first-contentful-paint"),
            None => (seen, "WebDriver saw the screen; no paint timing"),
        };
        let click_at = now_ms();
        client
            .execute("document.getElementById('open-demo').click()", Vec::new())
            .await
            .unwrap();
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("#score-grade"))
            .await
            .expect("the Overview");
        let demo_ms = now_ms() - click_at;
        // Let WebKit settle (images decoded, layout done) before reading memory.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let tree = descendants(app);
        let all = processes();
        let breakdown = tree
            .iter()
            .map(|pid| {
                let name = all
                    .iter()
                    .find(|p| p.0 == *pid)
                    .map_or("?", |p| p.2.as_str());
                format!("{name} {:.0}", memory_kib(*pid).0 as f64 / 1024.0)
            })
            .collect::<Vec<_>>()
            .join(", ");
        let (rss_kib, pss_kib) = tree.iter().fold((0, 0), |(r, p), pid| {
            let (r2, p2) = memory_kib(*pid);
            (r + r2, p + p2)
        });
        let _ = client.close().await;
        Sample {
            first_paint_ms: first_paint - started,
            paint_source,
            ready_ms: seen - started,
            demo_ms,
            rss_kib,
            pss_kib,
            processes: tree.len(),
            breakdown,
        }
    }

    fn now_ms() -> f64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            * 1000.0
    }

    /// `(pid, ppid, comm, starttime in ticks)` of every process.
    fn processes() -> Vec<(u32, u32, String, u64)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // comm is in parentheses and may hold spaces: split after the last ')'.
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
                continue;
            };
            let comm = stat[open + 1..close].to_owned();
            let rest: Vec<&str> = stat[close + 2..].split_whitespace().collect();
            let ppid = rest.get(1).and_then(|v| v.parse().ok()).unwrap_or(0);
            let start = rest.get(19).and_then(|v| v.parse().ok()).unwrap_or(0);
            out.push((pid, ppid, comm, start));
        }
        out
    }

    fn descendants(root: u32) -> Vec<u32> {
        let all = processes();
        let mut found = vec![root];
        let mut i = 0;
        while i < found.len() {
            let parent = found[i];
            found.extend(all.iter().filter(|p| p.1 == parent).map(|p| p.0));
            i += 1;
        }
        found
    }

    fn app_pid(driver: u32) -> Option<u32> {
        let all = processes();
        descendants(driver).into_iter().find(|pid| {
            all.iter()
                .any(|p| p.0 == *pid && p.2.starts_with("pimready-deskto"))
        })
    }

    /// When the process started, in ms since the epoch (boot time + start ticks).
    fn process_start_ms(pid: u32) -> f64 {
        let ticks_per_s = 100.0; // USER_HZ on Linux
        let btime: f64 = std::fs::read_to_string("/proc/stat")
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())
            .expect("btime in /proc/stat");
        let start = processes()
            .into_iter()
            .find(|p| p.0 == pid)
            .map(|p| p.3)
            .expect("the app process");
        (btime + start as f64 / ticks_per_s) * 1000.0
    }

    fn memory_kib(pid: u32) -> (u64, u64) {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            return (0, 0);
        };
        let field = |name: &str| {
            text.lines()
                .find_map(|l| {
                    l.strip_prefix(name)?
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse()
                        .ok()
                })
                .unwrap_or(0)
        };
        (field("Rss:"), field("Pss:"))
    }
}
