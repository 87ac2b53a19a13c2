//! Progress of a long evaluation, on standard error.
//!
//! A bar appears only when standard error is a terminal and only once the
//! run has taken more than [`DELAY`]: short runs, pipes, files and tests
//! never see it. It counts (scenario, mineral) evaluations, is safe to
//! advance from rayon's worker threads, and is cleared when done, so it
//! never mixes with the output or the diagnostics.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before its progress is shown.
pub const DELAY: Duration = Duration::from_secs(1);

/// A progress bar for the library's [`lode::eval::Progress`] reports.
pub struct Bar {
    /// `None` when nothing is ever drawn (not a terminal, or turned off).
    bar: Option<ProgressBar>,
    start: Instant,
    shown: AtomicBool,
}

impl Bar {
    /// Never draws anything.
    pub fn none() -> Self {
        Bar {
            bar: None,
            start: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    /// A bar on standard error if it is a terminal, shown after [`DELAY`].
    pub fn stderr() -> Self {
        Self::stderr_counting("minerals")
    }

    /// As [`Bar::stderr`], counting `unit` (`minerals`, `events`).
    pub fn stderr_counting(unit: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self::none();
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        // `wide_bar` takes what the terminal width leaves, so the line
        // never wraps.
        // The message says what is counted when no unit is given
        // (`20000 samples`).
        let template = if unit.is_empty() {
            "{spinner} evaluating {msg} [{wide_bar}] {pos}/{len}, eta {eta}".to_string()
        } else {
            format!(
                "{{spinner}} evaluating {{msg}} [{{wide_bar}}] {{pos}}/{{len}} {unit}, eta {{eta}}"
            )
        };
        let style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        Bar {
            bar: Some(bar),
            start: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }
}

impl lode::eval::Progress for Bar {
    /// Sets the number of steps and what is being evaluated.
    fn begin(&self, steps: usize, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_length(steps as u64);
            bar.set_message(what.to_string());
        }
    }

    /// One step done (from any thread).
    fn step(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if !self.shown.load(Ordering::Relaxed)
            && self.start.elapsed() >= DELAY
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
    }

    /// Clears the bar, if it was ever drawn.
    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
