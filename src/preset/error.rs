//! User-facing errors of show loading, and the helpers that phrase them.
//!
//! Every message names where (file, line, column), which key, the bad value and what is
//! allowed, because a show author fixes a file with nothing but the message in front of them.
//! This module knows nothing of TOML or of the show model.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

/// The most characters of a user's value echoed in a message; longer values are cut, with
/// their length, so a 5 MB key does not make 10 MB of stderr.
pub const SHOWN_CHARS: usize = 60;

/// `text` safe to print on a terminal: control characters (an ESC that would clear the screen,
/// a carriage return that would overwrite the line) are written as escapes (`\u{1b}`, `\r`).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A user's value as echoed in messages: escaped (see [`escape`]) and cut to `max` characters
/// with its full length (`"aaaa…" (5000000 characters)`) when longer.
pub fn clip(text: &str, max: usize) -> String {
    let mut chars = text.char_indices();
    match chars.nth(max) {
        None => escape(text).into_owned(),
        Some((cut, _)) => format!(
            "{}… ({} characters)",
            escape(&text[..cut]),
            text.chars().count()
        ),
    }
}

/// [`clip`] at [`SHOWN_CHARS`]: the form every message uses for a value the user wrote.
pub fn shown(text: &str) -> String {
    clip(text, SHOWN_CHARS)
}

/// A 1-based line and column (in characters) inside a show file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Line number, from 1.
    pub line: usize,
    /// Column number in characters, from 1.
    pub column: usize,
}

/// One located complaint about a show: where it is, which key, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// File path or `preset:NAME`; empty for a show built in code.
    pub origin: String,
    /// Line and column in the file; `None` for a show built in code.
    pub location: Option<Location>,
    /// Key path such as `timeline[3].moment` (timeline entries count from 0); empty for TOML
    /// syntax errors.
    pub key: String,
    /// What is wrong, the bad value and what is allowed.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.origin.is_empty() {
            write!(f, "{}:", escape(&self.origin))?;
        }
        if let Some(loc) = self.location {
            write!(f, "{}:{}:", loc.line, loc.column)?;
        }
        if !self.origin.is_empty() || self.location.is_some() {
            f.write_str(" ")?;
        }
        if !self.key.is_empty() {
            // A key path holds the user's key names (an unknown key can be anything).
            write!(f, "{}: ", shown(&self.key))?;
        }
        f.write_str(&self.message)
    }
}

/// Everything that can go wrong when turning a show description into a [`crate::show::Show`].
#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    /// The file is not valid TOML.
    #[error("{0}")]
    Syntax(Box<Diagnostic>),
    /// The file is valid TOML but not a valid show (unknown key, bad value, bad timing…).
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
    /// The show file could not be read.
    #[error("{}: cannot read show file", path.display())]
    Io {
        /// The path as given.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The show path is a folder, device, FIFO or socket.
    #[error("{}: cannot read show file: it is {what}; give a .toml file", path.display())]
    NotAFile {
        /// The path as given.
        path: PathBuf,
        /// What it is instead ("a device", "a FIFO (named pipe)", "a folder").
        what: &'static str,
    },
    /// The show file is larger than [`crate::preset::MAX_SHOW_BYTES`].
    #[error(
        "{}: cannot read show file: it has {bytes} bytes — allowed: at most {} MB",
        path.display(),
        crate::preset::MAX_SHOW_BYTES / (1024 * 1024)
    )]
    TooBig {
        /// The path as given.
        path: PathBuf,
        /// Its size in bytes.
        bytes: u64,
    },
    /// Neither a built-in preset name nor an existing file.
    #[error(
        "unknown preset \"{}\" — built-in presets: {}{}; or give the path of a .toml show file",
        shown(name),
        builtins.join(", "),
        suggestion.as_ref().map(|s| format!(" (did you mean \"{s}\"?)")).unwrap_or_default()
    )]
    UnknownPreset {
        /// The name as given.
        name: String,
        /// The built-in names.
        builtins: Vec<String>,
        /// The closest built-in name, if one is close.
        suggestion: Option<String>,
    },
}

impl PresetError {
    /// The located complaint, for syntax and validation errors.
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match self {
            PresetError::Syntax(d) | PresetError::Invalid(d) => Some(d),
            _ => None,
        }
    }
}

/// Longest word (in characters) a suggestion is looked for: a typo of a name is about as long
/// as the name, and the edit distance costs the product of both lengths.
const SUGGEST_MAX_CHARS: usize = 64;
/// Most candidates compared with a word.
const SUGGEST_MAX_CANDIDATES: usize = 4_096;

/// The candidate closest to `word`, if it is close enough to be a likely typo.
///
/// Bounded: no suggestion for a word longer than [`SUGGEST_MAX_CHARS`]; at most
/// [`SUGGEST_MAX_CANDIDATES`] candidates compared, and only those whose length could score.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let len = word.chars().count();
    if len > SUGGEST_MAX_CHARS {
        return None;
    }
    let lower = word.to_lowercase();
    let score = |c: &str| {
        let folded = strsim::normalized_damerau_levenshtein(&lower, &c.to_lowercase());
        // Case only breaks ties, so "Echos" suggests the title "Echoes" over the id "echoes".
        (folded, strsim::normalized_damerau_levenshtein(word, c))
    };
    let mut best: Option<((f64, f64), &'a str)> = None;
    for c in candidates.iter().take(SUGGEST_MAX_CANDIDATES) {
        // The score is 1 - distance / longer length, and the distance is at least the length
        // difference: a candidate more than twice as long (or half as long) cannot reach 0.5.
        let clen = c.chars().count();
        if clen > 2 * len || len > 2 * clen {
            continue;
        }
        let s = score(c);
        if s.0 >= 0.5 && best.is_none_or(|(b, _)| s > b) {
            best = Some((s, c));
        }
    }
    best.map(|(_, c)| c)
}

/// ` (did you mean "x"?)` or nothing.
pub(crate) fn hint(word: &str, candidates: &[&str]) -> String {
    did_you_mean(word, candidates)
        .map(|c| format!(" (did you mean \"{}\"?)", shown(c)))
        .unwrap_or_default()
}

/// `unknown WHAT "VALUE" — allowed: a, b, c (did you mean "b"?)`.
pub(crate) fn unknown(what: &str, value: &str, allowed: &[&str]) -> String {
    format!(
        "unknown {what} \"{}\" — allowed: {}{}",
        shown(value),
        allowed.join(", "),
        hint(value, allowed)
    )
}

/// A number as a person writes it: `12`, `1.5`, `0.333`.
pub(crate) fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_only() {
        let kinds = ["murmur", "applause", "chant", "finale"];
        assert_eq!(did_you_mean("aplause", &kinds), Some("applause"));
        assert_eq!(did_you_mean("Finale", &kinds), Some("finale"));
        assert_eq!(did_you_mean("xylophone", &kinds), None);
    }

    #[test]
    fn diagnostic_display_forms() {
        let mut d = Diagnostic {
            origin: "a.toml".into(),
            location: Some(Location { line: 3, column: 9 }),
            key: "venue.kind".into(),
            message: "bad".into(),
        };
        assert_eq!(d.to_string(), "a.toml:3:9: venue.kind: bad");
        d.origin.clear();
        d.location = None;
        assert_eq!(d.to_string(), "venue.kind: bad");
    }

    #[test]
    fn numbers_print_plainly() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(1.0 / 3.0), "0.333");
    }
}
