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
//! The format reference below is `concert format`'s text too (one source, `format.md`).
//!
#![doc = include_str!("format.md")]

mod build;
mod diagnose;
pub mod error;
mod reader;
mod source;
pub mod spec;
pub mod time;

use std::path::Path;

pub use build::{
    DEFAULT_CHANT_BPM, DEFAULT_CHANT_WORDS, DEFAULT_SONG_SECS, default_moment_secs, slug,
};
pub use diagnose::{MAX_PROBLEMS, check_str};
pub use error::{Diagnostic, Location, PresetError};
pub use spec::{MomentSpec, ShowSpec, SingerSpec, SongSpec, VenueSpec};

use crate::show::Show;

/// The show format's key table (markdown), as the module docs and `concert format` show it.
pub const FORMAT_REFERENCE: &str = include_str!("format.md");

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
    load_bytes(&read_file(path)?, &path.display().to_string())
}

/// The bytes of a show file, refusing what [`load_file`] refuses.
fn read_file(path: &Path) -> Result<Vec<u8>, PresetError> {
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
    Ok(bytes)
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
    let (text, origin) = find(arg)?;
    load_bytes(&text, &origin)
}

/// Like [`resolve`], but a show file with several problems reports all of them (at most
/// [`MAX_PROBLEMS`]), as `concert check` does.
pub fn check(arg: &str) -> Result<Show, Vec<PresetError>> {
    let (bytes, origin) = find(arg).map_err(|e| vec![e])?;
    let text = source::utf8(&bytes, &origin).map_err(|e| vec![e])?;
    check_str(text, &origin)
}

/// The text of a show named on the command line, and the origin its messages start with.
fn find(arg: &str) -> Result<(std::borrow::Cow<'static, [u8]>, String), PresetError> {
    if let Some(text) = builtin(arg) {
        return Ok((text.as_bytes().into(), format!("preset:{arg}")));
    }
    let path = Path::new(arg);
    let looks_like_path = arg.contains(['/', '\\']) || arg.ends_with(".toml");
    if looks_like_path || path.is_file() {
        return Ok((read_file(path)?.into(), path.display().to_string()));
    }
    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
    Err(PresetError::UnknownPreset {
        name: arg.to_string(),
        builtins: names.iter().map(|n| n.to_string()).collect(),
        suggestion: error::did_you_mean(arg, &names).map(str::to_string),
    })
}
