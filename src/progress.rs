//! The render's progress line on a terminal: a separate "seeking 4:10 of 12:00" line while
//! the engine runs silently up to `--from` (a bar and ETA there would describe the wrong
//! work), then a bar with the show's title, cut so the line never wraps.

use concert::preset::error::clip;
use concert::preset::time::format_clock;
use concert::render::Phase;
use indicatif::{ProgressBar, ProgressStyle};

/// Characters of a show's title in the bar (a title that wraps the line makes every redraw
/// scroll the terminal).
const TITLE_CHARS: usize = 32;

/// A progress display, or nothing when stderr is not a terminal or `-q` was given.
pub struct Progress {
    bar: Option<ProgressBar>,
    title: String,
    sample_rate: f64,
    phase: Option<Phase>,
}

impl Progress {
    /// A display for a render of the show titled `title`.
    pub fn new(enabled: bool, title: &str, sample_rate: u32) -> Progress {
        Progress {
            // Starts empty (0 %) and hidden until the render reports.
            bar: enabled.then(|| ProgressBar::new(1)),
            title: clip(title, TITLE_CHARS),
            sample_rate: f64::from(sample_rate),
            phase: None,
        }
    }

    /// `done` of `total` frames of `phase`.
    pub fn update(&mut self, phase: Phase, done: u64, total: u64) {
        let Some(bar) = &self.bar else { return };
        if self.phase != Some(phase) {
            self.phase = Some(phase);
            bar.reset();
            let style = match phase {
                Phase::Seeking => ProgressStyle::with_template("{spinner} {msg}"),
                Phase::Rendering => ProgressStyle::with_template(
                    "{spinner} {msg} [{bar:32}] {percent:>3}% ETA {eta}",
                ),
            };
            bar.set_style(style.expect("valid template").progress_chars("=> "));
            if phase == Phase::Rendering {
                bar.set_message(format!("rendering {}", self.title));
            }
        }
        if phase == Phase::Seeking {
            bar.set_message(format!(
                "seeking {} of {}",
                format_clock(done as f64 / self.sample_rate),
                format_clock(total as f64 / self.sample_rate)
            ));
        }
        bar.set_length(total);
        bar.set_position(done);
    }

    /// Clears the line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
