//! Progress for long work: a bar on a terminal, plain lines otherwise, nothing with --quiet.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// How progress is shown.
pub enum Reporter {
    Bar(ProgressBar),
    Lines,
    Quiet,
}

impl Reporter {
    pub fn new(quiet: bool) -> Self {
        if quiet {
            Reporter::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            Reporter::Bar(bar)
        } else {
            Reporter::Lines
        }
    }

    pub fn message(&self, text: &str) {
        match self {
            Reporter::Bar(bar) => bar.set_message(text.to_owned()),
            Reporter::Lines => eprintln!("{text}"),
            Reporter::Quiet => {}
        }
    }

    /// Shown above the bar (e.g. a device code), even when quiet.
    pub fn notice(&self, text: &str) {
        match self {
            Reporter::Bar(bar) => bar.println(text),
            _ => eprintln!("{text}"),
        }
    }

    pub fn finish(&self) {
        if let Reporter::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
