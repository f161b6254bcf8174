//! Show descriptions → validated [`Show`]s: the TOML show format, the built-in presets, plain
//! config structs for shows written in code, and every user-facing error about a show.
//!
//! The format is documented in `DESIGN.md` §2 and by the presets in `presets/`. Loading goes
//! TOML text → [`ShowSpec`] (types, names, times; with the span of every key) → validation
//! (ranges, references, timing) → [`Show`]. Validation is shared with [`ShowSpec::build`], so a
//! show written in Rust gets the same checks and the same key paths in its errors.
//!
//! This module owns no DSP and no rendering; it must not touch the engine or outputs.
//!
//! # Format reference
//!
//! | key | type | default | notes |
//! |-----|------|---------|-------|
//! | `title` | string | required | |
//! | `seed` | 0 … 18446744073709551615 | 1 | `--seed` overrides it (same range) |
//! | `venue.kind` | `club` `theatre` `hall` `arena` `stadium` `open-air` | club | |
//! | `venue.audience` | 10 … 200000 | per kind | |
//! | `venue.listener` | `floor` `balcony` `stage-side` | floor | |
//! | `venue.reverb_secs` | 0.1 … 8 | per kind | |
//! | `singer.voice` | `soprano` `mezzo` `alto` `tenor` | mezzo | |
//! | `singer.vibrato_hz` / `vibrato_cents` | 3 … 9 / 0 … 100 | 5.8 / 35 | |
//! | `songs[].title` | string | required | unique |
//! | `songs[].id` | letters, digits, `-_.:` | slug of the title | unique; seeds the song |
//! | `songs[].bpm` / `beats_per_bar` | 40 … 240 / 2 … 12 | 120 / 4 | |
//! | `songs[].clap_along` | `"2,4"` or `[2, 4]` | none | beats of the bar |
//! | `songs[].sing_along` | 0 … 1 | 0 | |
//! | `songs[].intro_secs` / `outro_secs` | time, 0 … 120 s | 6 / 6 | |
//! | `songs[].melody` | notation ([`crate::show::melody`]) | none | |
//! | `songs[].secs` | time, 1 … 3600 s | intro + melody + outro (180 without melody) | ≥ intro + melody; a melody may not make a song longer than 1 h either |
//! | `timeline[].moment` | `murmur` `lights-down` `song` `applause` `chant` `banter` `hush` `encore` `finale` | required | |
//! | `timeline[].at` | time | — | absolute; not with `after` |
//! | `timeline[].after` | time | 0 | after the end of the previous moment |
//! | `timeline[].secs` | time, 0.5 … 7200 s | song length; murmur 60, lights-down 10, applause 12, chant 16, banter 24, finale 45 | |
//! | `timeline[].song` | title or id | required for song/encore/hush | error elsewhere |
//! | `timeline[].energy` / `peak` | 0 … 1 | per kind ([`crate::show::params`]) | |
//! | `timeline[].words` / `bpm` | string / 60 … 200 | "one more song" / 104 | chant only |
//! | `timeline[].label` | string | `Song: "Echoes"`, `Applause`, … | cue sheet |
//! | `timeline[].id` | letters, digits, `-_.:` | `song-echoes`, `applause-3` | unique; seeds the moment |
//!
//! A show file is read only if it is a regular file (not a device or FIFO) of at most
//! [`MAX_SHOW_BYTES`] (4 MB), in UTF-8; a melody expands to at most 100,000 tokens. Titles,
//! ids and other values are checked in linear time, so a large file is still answered quickly.
//!
//! Times are `"m:ss"`, `"h:mm:ss"`, `"90s"`, `"1.5s"` or a number of seconds. A moment without
//! `secs` that is followed by one with `at` lasts until that `at` (gap-free), except that a
//! song is never cut: a later `at` inside a song without `secs` is an overlap error. Moments
//! with `secs` may leave gaps. Key paths in errors count entries from 0 (`timeline[0]` is the
//! first `[[timeline]]`).

mod build;
pub mod error;
mod reader;
mod source;
pub mod spec;
pub mod time;

use std::path::Path;

pub use build::{
    DEFAULT_CHANT_BPM, DEFAULT_CHANT_WORDS, DEFAULT_SONG_SECS, default_moment_secs, slug,
};
pub use error::{Diagnostic, Location, PresetError};
pub use spec::{MomentSpec, ShowSpec, SingerSpec, SongSpec, VenueSpec};

use crate::show::Show;

/// The show played when none is named.
pub const DEFAULT_PRESET: &str = "starlight-finale";

/// Built-in presets: (name, TOML text), one per file in `presets/`.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "starlight-finale",
        include_str!("../../presets/starlight-finale.toml"),
    ),
    (
        "echo-fade-club",
        include_str!("../../presets/echo-fade-club.toml"),
    ),
    (
        "echo-fade-benefit",
        include_str!("../../presets/echo-fade-benefit.toml"),
    ),
    (
        "echo-fade-early-days",
        include_str!("../../presets/echo-fade-early-days.toml"),
    ),
    (
        "echo-fade-festival",
        include_str!("../../presets/echo-fade-festival.toml"),
    ),
];

/// The TOML text of a built-in preset.
pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// Parses and validates show TOML. `origin` (a path or `preset:NAME`) starts every message.
pub fn load_str(text: &str, origin: &str) -> Result<Show, PresetError> {
    let (spec, spans) = reader::read(text, origin)?;
    build::build(&spec).map_err(|p| reader::locate(text, origin, &spans, p))
}

/// Reads show TOML into a [`ShowSpec`] without validating ranges, references or timing — to
/// edit a show in code before building it. (Errors from a later [`ShowSpec::build`] have no
/// line and column; [`load_str`] gives both.)
pub fn parse_spec(text: &str, origin: &str) -> Result<ShowSpec, PresetError> {
    reader::read(text, origin).map(|(spec, _)| spec)
}

/// The largest show file read: 700 times the largest preset (room for a dozen hour-long
/// melodies), small enough that the worst file of this size (150,000 one-line songs) still
/// loads in about 3 s and 250 MB (measured; 16 MB of them took 15 s and 940 MB).
pub const MAX_SHOW_BYTES: u64 = 4 * 1024 * 1024;

/// Reads and validates a show file; I/O errors name the path.
///
/// Only regular files are read (a device such as `/dev/zero` or a FIFO is refused before it is
/// opened, so nothing blocks or reads forever), and only up to [`MAX_SHOW_BYTES`].
pub fn load_file(path: &Path) -> Result<Show, PresetError> {
    let io = |source| PresetError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(PresetError::NotAFile {
            path: path.to_path_buf(),
            what: source::file_kind(&meta),
        });
    }
    let too_big = |bytes| PresetError::TooBig {
        path: path.to_path_buf(),
        bytes,
    };
    if meta.len() > MAX_SHOW_BYTES {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_SHOW_BYTES + 1), &mut bytes)
        })
        .map_err(io)?;
    if bytes.len() as u64 > MAX_SHOW_BYTES {
        // It grew while being read.
        return Err(too_big(bytes.len() as u64));
    }
    load_bytes(&bytes, &path.display().to_string())
}

/// Like [`load_str`] for raw file contents: text that is not UTF-8 is an error at the line and
/// column of its first bad byte.
pub fn load_bytes(bytes: &[u8], origin: &str) -> Result<Show, PresetError> {
    let text = source::utf8(bytes, origin)?;
    load_str(text, origin)
}

/// A built-in preset by name, or a show file by path.
///
/// A name that is neither a built-in nor an existing file is an error listing the built-in
/// names (with a did-you-mean); something that looks like a path (has a `/` or ends in
/// `.toml`) is read as a file, so a missing file reports the path.
pub fn resolve(arg: &str) -> Result<Show, PresetError> {
    if let Some(text) = builtin(arg) {
        return load_str(text, &format!("preset:{arg}"));
    }
    let path = Path::new(arg);
    let looks_like_path = arg.contains(['/', '\\']) || arg.ends_with(".toml");
    if looks_like_path || path.is_file() {
        return load_file(path);
    }
    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
    Err(PresetError::UnknownPreset {
        name: arg.to_string(),
        builtins: names.iter().map(|n| n.to_string()).collect(),
        suggestion: error::did_you_mean(arg, &names).map(str::to_string),
    })
}
