//! Show descriptions → validated [`Show`]s: the TOML show format, the built-in presets, plain
//! config structs for shows written in code, and every user-facing error about a show.
//!
//! The format is documented in `DESIGN.md` §2 and by the presets in `presets/`. Loading goes
//! TOML text → [`ShowSpec`] (types, names, times; with the span of every key) → validation
//! (ranges, references, timing) → [`Show`]. Validation is shared with [`ShowSpec::build`], so a
//! show written in Rust gets the same checks and the same key paths in its errors.
//!
//! This module owns no DSP and no rendering; it must not touch the engine or outputs.

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

/// Reads and validates a show file; I/O errors name the path.
pub fn load_file(path: &Path) -> Result<Show, PresetError> {
    let text = std::fs::read_to_string(path).map_err(|source| PresetError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    load_str(&text, &path.display().to_string())
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
