//! Every error of a show file at once, for `concert check`: a show author with three mistakes
//! should fix three lines in one pass, not run `check` three times.
//!
//! The reader already goes on past a bad value (it keeps the default and records the problem).
//! Validation stops at its first problem, so this module repeats it: after each problem it
//! *repairs* the spec — the bad value goes back to its default, or a moment that cannot be
//! repaired is left out — and validates again, until the show builds or nothing more can be
//! repaired. A repair never invents a value a user could have meant; it only removes the one
//! that was reported, so what follows is judged as if that key were not written.
//!
//! Follow-up complaints that only exist because of an earlier one are dropped: a problem with a
//! value the reader already complained about (it holds its default now), a key "missing" from a
//! table where a key was misspelt, an unknown song reference when a song could not be read, and
//! a complaint about a key just repaired, and an empty timeline once a moment was left out.

use super::build::{self, Problem};
use super::error::PresetError;
use super::reader;
use super::spec::{ShowSpec, SingerSpec, SongSpec};
use crate::show::Show;

/// Most problems one file reports; after that the author has enough to fix.
pub const MAX_PROBLEMS: usize = 20;

/// Validation passes allowed for a file of `entries` songs and moments: each pass costs time
/// in proportion to the file, so a huge file gets fewer (a 4 MB file of 40,000 songs takes
/// about 0.6 s per pass).
fn max_passes(entries: usize) -> usize {
    const ENTRY_PASSES: usize = 200_000;
    (ENTRY_PASSES / entries.max(1)).clamp(1, MAX_PROBLEMS)
}

/// Parses and validates show TOML like [`super::load_str`], but returns every problem found,
/// in file order, at most [`MAX_PROBLEMS`].
pub fn check_str(text: &str, origin: &str) -> Result<Show, Vec<PresetError>> {
    let (mut spec, spans, read_errors) = reader::read_all(text, origin).map_err(|e| vec![e])?;
    let read_keys: Vec<&str> = read_errors.iter().map(|l| l.key.as_str()).collect();
    // Tables with a misspelt key: the key it was meant to be is missing there too.
    let misspelt: Vec<&str> = read_errors
        .iter()
        .filter(|l| l.message.starts_with("unknown key"))
        .map(|l| parent(&l.key))
        .collect();
    let song_unreadable = read_keys.iter().any(|k| k.starts_with("songs"));
    let mut errors: Vec<PresetError> = read_errors
        .iter()
        .take(MAX_PROBLEMS)
        .cloned()
        .map(|l| l.into_error(text, origin))
        .collect();

    // Index of each moment of `spec` in the spec the reader made (moments may be left out).
    let mut moments: Vec<usize> = (0..spec.timeline.len()).collect();
    let reader_moments = moments.len();
    let omitted_moment = read_keys.iter().any(|k| k.ends_with(".moment"));
    let mut repaired: Vec<String> = Vec::new();
    let passes = max_passes(spec.songs.len() + spec.timeline.len());
    for _ in 0..passes {
        if errors.len() >= MAX_PROBLEMS {
            break;
        }
        let problem = match build::build(&spec) {
            Ok(show) if errors.is_empty() => return Ok(show),
            Ok(_) => break,
            Err(p) => p,
        };
        // Numbered as the reader's spec, before a repair may leave this moment out.
        let read = Problem {
            key: reader::renumber(&problem.key, "timeline", &moments),
            message: reader::renumber(&problem.message, "timeline", &moments),
            offset: problem.offset,
        };
        // A complaint about a key just repaired is about the repair (a song moment without
        // the song it named), not about the file.
        let after_repair = repaired.contains(&problem.key);
        let fixed = repair(&mut spec, &mut moments, &problem, &mut repaired);
        let in_file = spans.in_file(read.clone()).key;
        // Moments left out (unreadable or beyond repair) may leave the timeline empty.
        let left_out = moments.len() < reader_moments || omitted_moment;
        let echo = after_repair
            || (read.key == "timeline" && left_out)
            || read_keys.contains(&in_file.as_str())
            || (read.message.starts_with("missing") && misspelt.contains(&parent(&in_file)))
            || (song_unreadable && in_file.ends_with(".song"));
        if !echo {
            errors.push(reader::locate(text, origin, &spans, read));
        }
        if !fixed {
            break;
        }
    }
    // In file order, as an editor lists them (the sort is stable: one place, found order).
    errors.sort_by_key(|e| {
        e.diagnostic()
            .and_then(|d| d.location)
            .map(|l| (l.line, l.column))
    });
    Err(errors)
}

/// The table a key is written in: `songs[2].bpm` → `songs[2]`, `title` → the top level.
fn parent(key: &str) -> &str {
    key.rfind('.').map_or("", |dot| &key[..dot])
}

/// `timeline[3].at` → `("timeline", 3, "at")`.
fn split(key: &str) -> Option<(&str, usize, &str)> {
    let (list, rest) = key.split_once('[')?;
    let (index, field) = rest.split_once(']')?;
    let field = field.strip_prefix('.').unwrap_or(field);
    Some((list, index.parse().ok()?, field))
}

/// Takes back the value a problem is about (or leaves out its moment); `false` when nothing
/// could be repaired, so validation cannot get further. A key repaired twice means resetting
/// it did not help: a moment is then left out, anything else stops.
fn repair(
    spec: &mut ShowSpec,
    moments: &mut Vec<usize>,
    problem: &Problem,
    repaired: &mut Vec<String>,
) -> bool {
    let key = problem.key.as_str();
    let again = repaired.iter().any(|k| k == key);
    repaired.push(key.to_string());
    match (key, split(key)) {
        ("title", _) => {
            spec.title = "untitled".into();
            !again
        }
        ("venue.audience", _) => {
            spec.venue.audience = None;
            !again
        }
        ("venue.reverb_secs", _) => {
            spec.venue.reverb_secs = None;
            !again
        }
        ("singer.vibrato_hz", _) => {
            spec.singer.vibrato_hz = SingerSpec::default().vibrato_hz;
            !again
        }
        ("singer.vibrato_cents", _) => {
            spec.singer.vibrato_cents = SingerSpec::default().vibrato_cents;
            !again
        }
        (_, Some(("songs", i, "title"))) if problem.message.contains("duplicate song id") => {
            // The title's slug repeats another song's id: references by title still work.
            spec.songs[i].id = Some(format!("checked-song-{i}"));
            !again
        }
        (_, Some(("songs", i, field))) if i < spec.songs.len() && !again => {
            repair_song(&mut spec.songs[i], i, field)
        }
        (_, Some(("timeline", i, field))) if i < spec.timeline.len() => {
            let m = &mut spec.timeline[i];
            if again {
                spec.timeline.remove(i);
                moments.remove(i);
                // Later keys of the same moment number mean another moment now.
                repaired.retain(|k| !k.starts_with("timeline["));
                return true;
            }
            match field {
                "at" => m.at = None,
                "after" => m.after = None,
                "secs" => m.secs = None,
                "song" => m.song = None,
                "energy" => m.energy = None,
                "peak" => m.peak = None,
                "words" => m.words = None,
                "bpm" => m.bpm = None,
                "label" => m.label = None,
                "id" => m.id = None,
                // A duplicate default id is reported at `moment`: give this one its own.
                "moment" => m.id = Some(format!("checked-moment-{i}")),
                _ => return false,
            }
            true
        }
        _ => false,
    }
}

/// Resets one value of a song to its default; `false` for a field that has none.
fn repair_song(song: &mut SongSpec, index: usize, field: &str) -> bool {
    let d = SongSpec::default();
    match field {
        // A missing or duplicate title: a stand-in nobody can have written.
        "title" => song.title = format!("\u{1}song {index}"),
        "id" => song.id = None,
        "bpm" => song.bpm = d.bpm,
        "beats_per_bar" => song.beats_per_bar = d.beats_per_bar,
        "clap_along" => song.clap_along = d.clap_along,
        "sing_along" => song.sing_along = d.sing_along,
        "intro_secs" => song.intro_secs = d.intro_secs,
        "outro_secs" => song.outro_secs = d.outro_secs,
        "melody" => song.melody = None,
        "secs" => song.secs = None,
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths() {
        assert_eq!(split("timeline[3].at"), Some(("timeline", 3, "at")));
        assert_eq!(split("songs[0]"), Some(("songs", 0, "")));
        assert_eq!(parent("songs[2].bpm"), "songs[2]");
        assert_eq!(parent("title"), "");
    }
}
