//! The cue sheet of a render, as other tools read it: markers inside the WAV
//! ([`CueSheet::markers`]), CSV, an Audacity label track, a REAPER marker/region list, JSON.
//!
//! A clip's cue sheet is the clip's own: times from its start, moments clamped to it, its own
//! duration; the WAV markers are the moments that start inside it. This module reads the show
//! and knows no DSP or files.

use crate::output::markers::Marker;
use crate::show::Show;

/// One moment on the cue sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// Kind of moment (`murmur`, `song`, …).
    pub moment: &'static str,
    /// The moment's label.
    pub label: String,
    /// Stable id of the moment.
    pub id: String,
    /// Start in clip seconds, clamped to the clip.
    pub start_secs: f64,
    /// End in clip seconds, clamped to the clip.
    pub end_secs: f64,
    /// Start in show seconds (before the clip's start if it was under way).
    pub show_start_secs: f64,
}

/// One sung note on the cue sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteCue {
    /// Start in clip seconds.
    pub start_secs: f64,
    /// End in clip seconds.
    pub end_secs: f64,
    /// MIDI pitch.
    pub midi: u8,
    /// Sung syllable.
    pub syllable: String,
}

/// The moments and notes of a show, or of a clip of it.
#[derive(Debug, Clone, PartialEq)]
pub struct CueSheet {
    /// Show title.
    pub title: String,
    /// Where the clip starts in the show, seconds.
    pub from_secs: f64,
    /// The clip's length, seconds.
    pub duration_secs: f64,
    /// Moments overlapping the clip.
    pub moments: Vec<Cue>,
    /// Notes wholly inside the clip.
    pub notes: Vec<NoteCue>,
}

/// Export formats of `concert timeline --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `moment,label,start_secs,end_secs` with a header line.
    Csv,
    /// Audacity label track: `start<TAB>end<TAB>label`, seconds (File ▸ Import ▸ Labels).
    Audacity,
    /// REAPER region list: `#,Name,Start,End,Length` (Region/Marker Manager ▸ Import).
    Reaper,
}

impl CueSheet {
    /// The cue sheet of `show` between `from_secs` and `to_secs` (`None` = its end).
    pub fn new(show: &Show, from_secs: f64, to_secs: Option<f64>) -> Self {
        let to = to_secs
            .unwrap_or(show.duration_secs)
            .min(show.duration_secs);
        let duration = (to - from_secs).max(0.0);
        let clamp = |t: f64| (t - from_secs).clamp(0.0, duration);
        let moments = show
            .moments
            .iter()
            .filter(|m| m.end_secs > from_secs && m.start_secs < to)
            .map(|m| Cue {
                moment: m.kind.name(),
                label: m.label.clone(),
                id: m.id.clone(),
                start_secs: clamp(m.start_secs),
                end_secs: clamp(m.end_secs),
                show_start_secs: m.start_secs,
            })
            .collect();
        let notes = show
            .lead_notes()
            .into_iter()
            .filter(|n| n.start_secs >= from_secs && n.end_secs <= to)
            .map(|n| NoteCue {
                start_secs: n.start_secs - from_secs,
                end_secs: n.end_secs - from_secs,
                midi: n.midi,
                syllable: n.syllable.clone(),
            })
            .collect();
        CueSheet {
            title: show.title.clone(),
            from_secs,
            duration_secs: duration,
            moments,
            notes,
        }
    }

    /// WAV markers at `sample_rate`: one region per moment that starts inside the clip, named
    /// by the moment's label, as long as the moment's part inside the clip.
    pub fn markers(&self, sample_rate: u32) -> Vec<Marker> {
        let sr = f64::from(sample_rate);
        let frames = |secs: f64| (secs * sr).round() as u64;
        self.moments
            .iter()
            .filter(|c| c.show_start_secs >= self.from_secs)
            .filter(|c| c.start_secs < self.duration_secs)
            .map(|c| Marker {
                frame: frames(c.start_secs),
                length: frames(c.end_secs) - frames(c.start_secs),
                label: c.label.clone(),
            })
            .collect()
    }

    /// The moments as text in `format`.
    pub fn export(&self, format: ExportFormat) -> String {
        let mut out = String::new();
        match format {
            ExportFormat::Csv => {
                out.push_str("moment,label,start_secs,end_secs\n");
                for c in &self.moments {
                    out.push_str(&format!(
                        "{},{},{:.6},{:.6}\n",
                        c.moment,
                        csv_field(&c.label),
                        c.start_secs,
                        c.end_secs
                    ));
                }
            }
            ExportFormat::Audacity => {
                for c in &self.moments {
                    out.push_str(&format!(
                        "{:.6}\t{:.6}\t{}\n",
                        c.start_secs,
                        c.end_secs,
                        c.label.replace(['\t', '\n'], " ")
                    ));
                }
            }
            ExportFormat::Reaper => {
                out.push_str("#,Name,Start,End,Length\n");
                for (i, c) in self.moments.iter().enumerate() {
                    out.push_str(&format!(
                        "R{},{},{},{},{}\n",
                        i + 1,
                        csv_field(&c.label),
                        hms(c.start_secs),
                        hms(c.end_secs),
                        hms(c.end_secs - c.start_secs)
                    ));
                }
            }
        }
        out
    }

    /// The cue sheet as JSON (`sample_rate` is reported for converting to frames).
    pub fn json(&self, sample_rate: u32) -> serde_json::Value {
        let moments: Vec<_> = self
            .moments
            .iter()
            .map(|c| {
                serde_json::json!({
                    "moment": c.moment,
                    "label": c.label,
                    "id": c.id,
                    "start_secs": c.start_secs,
                    "end_secs": c.end_secs,
                    "show_start_secs": c.show_start_secs,
                })
            })
            .collect();
        let notes: Vec<_> = self
            .notes
            .iter()
            .map(|n| {
                serde_json::json!({
                    "start_secs": n.start_secs,
                    "end_secs": n.end_secs,
                    "midi": n.midi,
                    "syllable": n.syllable,
                })
            })
            .collect();
        serde_json::json!({
            "title": self.title,
            "duration_secs": self.duration_secs,
            "from_secs": self.from_secs,
            "sample_rate": sample_rate,
            "moments": moments,
            "notes": notes,
        })
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// `h:mm:ss.mmm`, the time form REAPER imports whatever its display setting.
fn hms(secs: f64) -> String {
    let ms = (secs * 1000.0).round() as u64;
    format!(
        "{}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_times_are_written_as_tools_parse_them() {
        assert_eq!(
            csv_field("Song: \"Echoes\", live"),
            "\"Song: \"\"Echoes\"\", live\""
        );
        assert_eq!(csv_field("Murmur"), "Murmur");
        assert_eq!(hms(3725.5), "1:02:05.500");
        assert_eq!(hms(0.0), "0:00:00.000");
    }
}
