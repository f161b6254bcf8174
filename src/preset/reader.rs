//! TOML text → [`ShowSpec`] plus the source span of every key, so that validation problems
//! found later can be pointed at the line and column where the value is written.
//!
//! This module checks what only the text can tell: TOML syntax, unknown keys, value types,
//! names of kinds, time strings. Ranges, references and timing belong to `build`.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::build::{self, Limit, Problem};
use super::error::{Diagnostic, PresetError, clip, hint, shown, unknown};
use super::source::{line_col, string_source_offset};
use super::spec::{MomentSpec, Named, ShowSpec, SingerSpec, SongSpec, VenueSpec};
use super::time::{TIME_FORMS, parse_time};
use crate::show::MomentKind;

type Value<'i> = Spanned<DeValue<'i>>;

/// Characters of a wrongly typed value quoted in a message.
const FOUND_CHARS: usize = 40;

const TOP_KEYS: &[&str] = &["title", "seed", "venue", "singer", "songs", "timeline"];
const VENUE_KEYS: &[&str] = &["kind", "audience", "listener", "reverb_secs"];
const SINGER_KEYS: &[&str] = &["voice", "vibrato_hz", "vibrato_cents"];
const SONG_KEYS: &[&str] = &[
    "title",
    "id",
    "bpm",
    "beats_per_bar",
    "clap_along",
    "sing_along",
    "intro_secs",
    "outro_secs",
    "melody",
    "secs",
];
const MOMENT_KEYS: &[&str] = &[
    "moment", "at", "after", "secs", "song", "energy", "peak", "words", "bpm", "label", "id",
];

/// Where each key path is written: the key itself and its value.
#[derive(Debug, Default)]
pub(crate) struct Spans {
    map: HashMap<String, Range<usize>>,
    /// For each entry of the spec's `songs`, its index among the file's `[[songs]]` (they
    /// differ only when an entry could not be read at all and was left out).
    pub(crate) songs: Vec<usize>,
    /// Likewise for `timeline`: a moment without a readable `moment` kind is left out.
    pub(crate) timeline: Vec<usize>,
}

impl Spans {
    /// A problem of the read spec with its entry numbers turned into the file's.
    pub(crate) fn in_file(&self, p: Problem) -> Problem {
        let fix = |t: &str| {
            renumber(
                &renumber(t, "songs", &self.songs),
                "timeline",
                &self.timeline,
            )
        };
        Problem {
            key: fix(&p.key),
            message: fix(&p.message),
            offset: p.offset,
        }
    }

    /// Byte offset in the file for a problem: its value, or the nearest enclosing table that is
    /// written (a missing key is reported at its table's header).
    fn position(&self, src: &str, problem: &Problem) -> usize {
        let mut path = problem.key.as_str();
        loop {
            if let Some(span) = self.map.get(path) {
                let raw = &src[span.clone()];
                return match problem.offset {
                    Some(off) if path == problem.key => span.start + string_source_offset(raw, off),
                    _ => span.start,
                };
            }
            match path.rfind(['.', '[']) {
                Some(i) => path = &path[..i],
                None => return 0,
            }
        }
    }
}

/// A reader error, already located by byte offset.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub(crate) pos: usize,
    pub(crate) key: String,
    pub(crate) message: String,
}

impl Located {
    /// As a located error in `origin`.
    pub(crate) fn into_error(self, src: &str, origin: &str) -> PresetError {
        PresetError::Invalid(diagnostic(src, origin, self.pos, self.key, self.message))
    }
}

/// Sets `$place` to a value's parse result, or records the error and keeps the default, so
/// reading goes on and `check` can report every bad value of a file at once.
macro_rules! set {
    ($self:ident, $place:expr, $parsed:expr) => {
        match $parsed {
            Ok(v) => $place = v,
            Err(e) => $self.errors.push(e),
        }
    };
}

/// A diagnostic for `origin` at byte `pos` of `src`.
pub(crate) fn diagnostic(
    src: &str,
    origin: &str,
    pos: usize,
    key: String,
    message: String,
) -> Box<Diagnostic> {
    Box::new(Diagnostic {
        origin: origin.to_string(),
        location: Some(line_col(src, pos)),
        key,
        message,
    })
}

/// Locates a validation problem in the file it came from.
pub(crate) fn locate(src: &str, origin: &str, spans: &Spans, problem: Problem) -> PresetError {
    let problem = spans.in_file(problem);
    let pos = spans.position(src, &problem);
    PresetError::Invalid(diagnostic(src, origin, pos, problem.key, problem.message))
}

/// `text` with every `LIST[j]` (e.g. `timeline[3]`) renumbered to `LIST[map[j]]`: key paths
/// and messages of a list with entries left out, told in the numbering of the full list.
pub(crate) fn renumber(text: &str, list: &str, map: &[usize]) -> String {
    let open = format!("{list}[");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let (head, tail) = rest.split_at(at + open.len());
        out.push_str(head);
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        let mapped = tail[..digits]
            .parse::<usize>()
            .ok()
            .filter(|_| tail[digits..].starts_with(']'))
            .and_then(|j| map.get(j));
        match mapped {
            Some(i) => out.push_str(&i.to_string()),
            None => out.push_str(&tail[..digits]),
        }
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

/// Parses show TOML into a spec and the spans of its keys; the first problem is the error.
pub(crate) fn read(src: &str, origin: &str) -> Result<(ShowSpec, Spans), PresetError> {
    let (spec, spans, errors) = read_all(src, origin)?;
    match errors.into_iter().next() {
        Some(first) => Err(first.into_error(src, origin)),
        None => Ok((spec, spans)),
    }
}

/// Parses show TOML as far as it can: the spec (a value that could not be read keeps its
/// default; a table entry that could not be read at all is left out), the spans, and every
/// problem found, in file order. Only a TOML syntax error stops it.
pub(crate) fn read_all(
    src: &str,
    origin: &str,
) -> Result<(ShowSpec, Spans, Vec<Located>), PresetError> {
    let root = DeTable::parse(src).map_err(|e| syntax_error(src, origin, &e))?;
    let mut r = Reader {
        src,
        spans: Spans::default(),
        errors: Vec::new(),
    };
    let spec = r.show(root.get_ref());
    Ok((spec, r.spans, r.errors))
}

fn syntax_error(src: &str, origin: &str, e: &toml::de::Error) -> PresetError {
    let span = e.span().unwrap_or(0..0);
    let mut message = format!("TOML syntax error: {}", e.message().trim());
    if message.ends_with("duplicate key") {
        message.push_str(&format!(
            " `{}` — each key may be given once per table",
            shown(&src[span.clone()])
        ));
    }
    let line_start = src[..span.start.min(src.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = src[line_start..].lines().next().unwrap_or_default();
    if let Some((_, value)) = line.split_once('=') {
        let v = value.trim();
        if v.starts_with(|c: char| c.is_ascii_digit()) && v.contains(':') {
            message.push_str(&format!(
                " (times must be quoted: \"{}\")",
                shown(v.split_whitespace().next().unwrap_or(v))
            ));
        }
    }
    PresetError::Syntax(diagnostic(src, origin, span.start, String::new(), message))
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

struct Reader<'s> {
    src: &'s str,
    spans: Spans,
    /// Problems found so far, in file order.
    errors: Vec<Located>,
}

impl<'s> Reader<'s> {
    fn err(&self, span: &Range<usize>, key: &str, message: String) -> Located {
        Located {
            pos: span.start,
            key: key.to_string(),
            message,
        }
    }

    /// "a string \"fast\"", "an integer 3", "a table": what was found, as written.
    fn found(&self, v: &Value) -> String {
        let raw = &self.src[v.span()];
        let first = raw.lines().next().unwrap_or_default();
        let mut shown = clip(first, FOUND_CHARS);
        if first.len() < raw.len() && first.chars().count() <= FOUND_CHARS {
            shown.push('…');
        }
        match v.get_ref() {
            DeValue::String(_) => format!("a string {shown}"),
            DeValue::Integer(_) => format!("an integer {shown}"),
            DeValue::Float(_) => format!("a float {shown}"),
            DeValue::Boolean(_) => format!("a boolean {shown}"),
            DeValue::Datetime(_) => format!("a TOML date/time {shown} (quote times: \"1:30\")"),
            DeValue::Array(_) => "an array".to_string(),
            DeValue::Table(_) => "a table".to_string(),
        }
    }

    fn wrong_type(&self, key: &str, v: &Value, expected: &str, allowed: &str) -> Located {
        let allowed = if allowed.is_empty() {
            String::new()
        } else {
            format!(" — {allowed}")
        };
        self.err(
            &v.span(),
            key,
            format!("expected {expected}, found {}{allowed}", self.found(v)),
        )
    }

    /// The entries of a table in file order; an unknown key is recorded and left out.
    fn entries<'t, 'i>(
        &mut self,
        path: &str,
        t: &'t DeTable<'i>,
        allowed: &[&str],
    ) -> Vec<(String, &'t Value<'i>)> {
        let mut list: Vec<_> = t.iter().collect();
        list.sort_by_key(|(k, _)| k.span().start);
        let mut out = Vec::with_capacity(list.len());
        for (k, v) in list {
            let name = k.get_ref().as_ref();
            let key = join(path, name);
            if !allowed.contains(&name) {
                let table = match path {
                    "" => String::new(),
                    "venue" | "singer" => format!(" in [{path}]"),
                    _ => format!(" in [[{}]]", strip_index(path)),
                };
                let message = format!(
                    "unknown key \"{}\"{table} — allowed: {}{}",
                    shown(name),
                    allowed.join(", "),
                    hint(name, allowed)
                );
                let e = self.err(&k.span(), &key, message);
                self.errors.push(e);
                continue;
            }
            self.spans.map.insert(key.clone(), v.span());
            out.push((name.to_string(), v));
        }
        out
    }

    fn table<'t, 'i>(&self, key: &str, v: &'t Value<'i>) -> Result<&'t DeTable<'i>, Located> {
        match v.get_ref() {
            DeValue::Table(t) => Ok(t),
            _ => Err(self.wrong_type(key, v, &format!("a table [{key}]"), "")),
        }
    }

    /// An array of tables (`[[songs]]`) with each entry's index in the file, recording the
    /// span of each entry; an entry that is not a table is recorded and left out.
    fn tables<'t, 'i>(&mut self, key: &str, v: &'t Value<'i>) -> Vec<(usize, &'t DeTable<'i>)> {
        let DeValue::Array(items) = v.get_ref() else {
            let e = self.wrong_type(key, v, &format!("an array of tables [[{key}]]"), "");
            self.errors.push(e);
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let k = format!("{key}[{i}]");
            self.spans.map.insert(k.clone(), item.span());
            match item.get_ref() {
                DeValue::Table(t) => out.push((i, t)),
                _ => {
                    let e = self.wrong_type(
                        &k,
                        item,
                        &format!("a table (write each entry as [[{key}]])"),
                        "",
                    );
                    self.errors.push(e);
                }
            }
        }
        out
    }

    fn string(&self, key: &str, v: &Value) -> Result<String, Located> {
        match v.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            _ => Err(self.wrong_type(key, v, "a string", "quote it: \"...\"")),
        }
    }

    fn float(&self, key: &str, v: &Value, lim: Limit) -> Result<f64, Located> {
        let x = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|i| i as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => return Err(self.wrong_type(key, v, "a number", &lim.allowed())),
        };
        match x {
            Some(x) if x.is_finite() => Ok(x),
            _ => Err(self.err(&v.span(), key, lim.out_of_range(&self.src[v.span()]))),
        }
    }

    fn uint(&self, key: &str, v: &Value, lim: Limit) -> Result<u64, Located> {
        let DeValue::Integer(i) = v.get_ref() else {
            return Err(self.wrong_type(key, v, "a whole number", &lim.allowed()));
        };
        let raw = &self.src[v.span()];
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if n as f64 >= lim.lo && n as f64 <= lim.hi => Ok(n as u64),
            _ => Err(self.err(&v.span(), key, lim.out_of_range(raw))),
        }
    }

    /// A seed: any whole number from 0 to `u64::MAX`, as `--seed` takes.
    fn seed(&self, v: &Value) -> Result<u64, Located> {
        let allowed = &format!("allowed: a whole number from 0 to {}", u64::MAX);
        let DeValue::Integer(i) = v.get_ref() else {
            return Err(self.wrong_type("seed", v, "a whole number", allowed));
        };
        u64::from_str_radix(i.as_str(), i.radix()).map_err(|_| {
            let raw = &self.src[v.span()];
            self.err(
                &v.span(),
                "seed",
                format!("{} is out of range — {allowed}", shown(raw)),
            )
        })
    }

    /// A time or duration: seconds as a number, or a string in one of [`TIME_FORMS`].
    fn time(&self, key: &str, v: &Value) -> Result<f64, Located> {
        match v.get_ref() {
            DeValue::String(s) => parse_time(s).map_err(|m| self.err(&v.span(), key, m)),
            DeValue::Integer(_) | DeValue::Float(_) => {
                let x = self.float(key, v, build::AT_SECS)?;
                if x < 0.0 {
                    return Err(self.err(
                        &v.span(),
                        key,
                        format!("bad time {x}: times cannot be negative — {TIME_FORMS}"),
                    ));
                }
                Ok(x)
            }
            _ => Err(self.wrong_type(key, v, "a time", TIME_FORMS)),
        }
    }

    fn named<T: Named>(&self, key: &str, v: &Value) -> Result<T, Located> {
        let names = T::names();
        let DeValue::String(s) = v.get_ref() else {
            return Err(self.wrong_type(
                key,
                v,
                &format!("a {} name", T::WHAT),
                &format!("allowed: {}", names.join(", ")),
            ));
        };
        T::from_name(s).ok_or_else(|| self.err(&v.span(), key, unknown(T::WHAT, s, &names)))
    }

    /// `"2,4"` or `[2, 4]`: the beats of the bar the audience claps on.
    fn beats(&self, key: &str, v: &Value) -> Result<Vec<u32>, Located> {
        let forms = "allowed: beat numbers such as \"2,4\" or [2, 4]";
        match v.get_ref() {
            DeValue::String(s) => {
                let mut out = Vec::new();
                for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let b = part
                        .parse::<u32>()
                        .ok()
                        .filter(|b| (1..=12).contains(b))
                        .ok_or_else(|| {
                            self.err(
                                &v.span(),
                                key,
                                format!(
                                    "bad beat \"{}\" in \"{}\" — {forms}, each 1 to 12",
                                    shown(part),
                                    shown(s)
                                ),
                            )
                        })?;
                    out.push(b);
                }
                Ok(out)
            }
            DeValue::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    self.uint(&format!("{key}[{i}]"), item, build::BEAT)
                        .map(|b| b as u32)
                })
                .collect(),
            _ => Err(self.wrong_type(key, v, "beats", forms)),
        }
    }

    fn show(&mut self, root: &DeTable) -> ShowSpec {
        let mut spec = ShowSpec::default();
        for (k, v) in self.entries("", root, TOP_KEYS) {
            match k.as_str() {
                "title" => set!(self, spec.title, self.string("title", v)),
                "seed" => set!(self, spec.seed, self.seed(v)),
                "venue" => spec.venue = self.venue(v),
                "singer" => spec.singer = self.singer(v),
                "songs" => {
                    for (i, t) in self.tables("songs", v) {
                        let song = self.song(&format!("songs[{i}]"), t);
                        spec.songs.push(song);
                        self.spans.songs.push(i);
                    }
                }
                "timeline" => {
                    for (i, t) in self.tables("timeline", v) {
                        if let Some(m) = self.moment(&format!("timeline[{i}]"), t) {
                            spec.timeline.push(m);
                            self.spans.timeline.push(i);
                        }
                    }
                }
                _ => unreachable!("checked by entries"),
            }
        }
        spec
    }

    /// The table at `key`, or `None` with the problem recorded.
    fn table_or_record<'t, 'i>(&mut self, key: &str, v: &'t Value<'i>) -> Option<&'t DeTable<'i>> {
        match self.table(key, v) {
            Ok(t) => Some(t),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    fn venue(&mut self, v: &Value) -> VenueSpec {
        let mut spec = VenueSpec::default();
        let Some(t) = self.table_or_record("venue", v) else {
            return spec;
        };
        for (k, v) in self.entries("venue", t, VENUE_KEYS) {
            let key = join("venue", &k);
            match k.as_str() {
                "kind" => set!(self, spec.kind, self.named(&key, v)),
                "audience" => set!(
                    self,
                    spec.audience,
                    self.uint(&key, v, build::AUDIENCE).map(|a| Some(a as u32))
                ),
                "listener" => set!(self, spec.listener, self.named(&key, v)),
                "reverb_secs" => set!(
                    self,
                    spec.reverb_secs,
                    self.float(&key, v, build::REVERB_SECS).map(Some)
                ),
                _ => unreachable!("checked by entries"),
            }
        }
        spec
    }

    fn singer(&mut self, v: &Value) -> SingerSpec {
        let mut spec = SingerSpec::default();
        let Some(t) = self.table_or_record("singer", v) else {
            return spec;
        };
        for (k, v) in self.entries("singer", t, SINGER_KEYS) {
            let key = join("singer", &k);
            match k.as_str() {
                "voice" => set!(self, spec.voice, self.named(&key, v)),
                "vibrato_hz" => set!(
                    self,
                    spec.vibrato_hz,
                    self.float(&key, v, build::VIBRATO_HZ)
                ),
                "vibrato_cents" => set!(
                    self,
                    spec.vibrato_cents,
                    self.float(&key, v, build::VIBRATO_CENTS)
                ),
                _ => unreachable!("checked by entries"),
            }
        }
        spec
    }

    fn song(&mut self, path: &str, t: &DeTable) -> SongSpec {
        let mut spec = SongSpec::default();
        for (k, v) in self.entries(path, t, SONG_KEYS) {
            let key = join(path, &k);
            match k.as_str() {
                "title" => set!(self, spec.title, self.string(&key, v)),
                "id" => set!(self, spec.id, self.string(&key, v).map(Some)),
                "bpm" => set!(self, spec.bpm, self.float(&key, v, build::SONG_BPM)),
                "beats_per_bar" => set!(
                    self,
                    spec.beats_per_bar,
                    self.uint(&key, v, build::BEATS_PER_BAR).map(|b| b as u32)
                ),
                "clap_along" => set!(self, spec.clap_along, self.beats(&key, v)),
                "sing_along" => set!(self, spec.sing_along, self.float(&key, v, build::FRACTION)),
                "intro_secs" => set!(self, spec.intro_secs, self.time(&key, v)),
                "outro_secs" => set!(self, spec.outro_secs, self.time(&key, v)),
                "melody" => set!(self, spec.melody, self.string(&key, v).map(Some)),
                "secs" => set!(self, spec.secs, self.time(&key, v).map(Some)),
                _ => unreachable!("checked by entries"),
            }
        }
        spec
    }

    /// A moment, or `None` (recorded) when its `moment` kind is missing or unknown.
    fn moment(&mut self, path: &str, t: &DeTable) -> Option<MomentSpec> {
        let entries = self.entries(path, t, MOMENT_KEYS);
        let Some((_, kind)) = entries.iter().find(|(k, _)| k == "moment") else {
            let span = self.spans.map[path].clone();
            let names = MomentKind::names();
            let e = self.err(
                &span,
                &join(path, "moment"),
                format!(
                    "missing `moment` — every [[timeline]] entry needs one; allowed: {}",
                    names.join(", ")
                ),
            );
            self.errors.push(e);
            return None;
        };
        let kind = match self.named(&join(path, "moment"), kind) {
            Ok(kind) => kind,
            Err(e) => {
                self.errors.push(e);
                return None;
            }
        };
        let mut spec = MomentSpec::new(kind);
        for (k, v) in entries {
            let key = join(path, &k);
            match k.as_str() {
                "moment" => {}
                "at" => set!(self, spec.at, self.time(&key, v).map(Some)),
                "after" => set!(self, spec.after, self.time(&key, v).map(Some)),
                "secs" => set!(self, spec.secs, self.time(&key, v).map(Some)),
                "song" => set!(self, spec.song, self.string(&key, v).map(Some)),
                "energy" => set!(
                    self,
                    spec.energy,
                    self.float(&key, v, build::FRACTION).map(Some)
                ),
                "peak" => set!(
                    self,
                    spec.peak,
                    self.float(&key, v, build::FRACTION).map(Some)
                ),
                "words" => set!(self, spec.words, self.string(&key, v).map(Some)),
                "bpm" => set!(
                    self,
                    spec.bpm,
                    self.float(&key, v, build::CHANT_BPM).map(Some)
                ),
                "label" => set!(self, spec.label, self.string(&key, v).map(Some)),
                "id" => set!(self, spec.id, self.string(&key, v).map(Some)),
                _ => unreachable!("checked by entries"),
            }
        }
        Some(spec)
    }
}

/// `timeline[3]` → `timeline`, for "unknown key in timeline".
fn strip_index(path: &str) -> &str {
    path.split('[').next().unwrap_or(path)
}
