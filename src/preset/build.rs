//! Validation: a [`ShowSpec`] becomes a [`Show`] or a [`Problem`] naming the key path.
//!
//! This is the one place that knows the rules of a show (ranges, references, timing); the
//! TOML reader only checks types and names, and then maps a problem's key path back to a line
//! and column. Nothing here reads files or knows about TOML.

use std::collections::HashMap;

use super::error::{Diagnostic, PresetError, hint, num, shown};
use super::spec::{MomentSpec, Named, ShowSpec, SongSpec};
use super::time::format_clock;
use crate::show::melody;
use crate::show::params::{default_energy, default_peak};
use crate::show::{Moment, MomentKind, Show, Singer, Song, Venue};

/// A validation failure before it is located in a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    /// Key path, e.g. `timeline[3].at`.
    pub key: String,
    /// What is wrong, the bad value and what is allowed.
    pub message: String,
    /// Byte offset inside the key's string value (for melody tokens).
    pub offset: Option<usize>,
}

impl Problem {
    fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            key: key.into(),
            message: message.into(),
            offset: None,
        }
    }

    /// As an error without a file position (shows built in code).
    pub(crate) fn unlocated(self) -> PresetError {
        let message = match self.offset {
            Some(at) => format!("{} (at byte {at} of the melody)", self.message),
            None => self.message,
        };
        PresetError::Invalid(Box::new(Diagnostic {
            origin: String::new(),
            location: None,
            key: self.key,
            message,
        }))
    }
}

/// An inclusive numeric range with its unit, quoted in range errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    pub lo: f64,
    pub hi: f64,
    /// Unit after the numbers (" bpm", " s"), or empty.
    pub unit: &'static str,
}

impl Limit {
    const fn new(lo: f64, hi: f64, unit: &'static str) -> Self {
        Limit { lo, hi, unit }
    }

    /// `allowed: 40 to 240 bpm`.
    pub(crate) fn allowed(&self) -> String {
        format!("allowed: {} to {}{}", num(self.lo), num(self.hi), self.unit)
    }

    /// The message for a value outside the range; `shown` is the value as written.
    pub(crate) fn out_of_range(&self, shown: &str) -> String {
        format!(
            "{} is out of range — {}",
            super::error::shown(shown),
            self.allowed()
        )
    }

    /// `value` if it lies in the range, else a problem at `key`.
    fn check(&self, key: &str, value: f64) -> Result<f64, Problem> {
        if value.is_finite() && value >= self.lo && value <= self.hi {
            Ok(value)
        } else {
            Err(Problem::new(key, self.out_of_range(&num(value))))
        }
    }
}

pub(crate) const AUDIENCE: Limit = Limit::new(10.0, 200_000.0, " people");
pub(crate) const REVERB_SECS: Limit = Limit::new(0.1, 8.0, " s");
pub(crate) const VIBRATO_HZ: Limit = Limit::new(3.0, 9.0, " Hz");
pub(crate) const VIBRATO_CENTS: Limit = Limit::new(0.0, 100.0, " cents");
pub(crate) const SONG_BPM: Limit = Limit::new(40.0, 240.0, " bpm");
pub(crate) const BEATS_PER_BAR: Limit = Limit::new(2.0, 12.0, "");
pub(crate) const FRACTION: Limit = Limit::new(0.0, 1.0, "");
pub(crate) const INTRO_SECS: Limit = Limit::new(0.0, 120.0, " s");
pub(crate) const SONG_SECS: Limit = Limit::new(1.0, 3600.0, " s");
pub(crate) const CHANT_BPM: Limit = Limit::new(60.0, 200.0, " bpm");
pub(crate) const MOMENT_SECS: Limit = Limit::new(0.5, 7200.0, " s");
pub(crate) const AT_SECS: Limit = Limit::new(0.0, 86_400.0, " s");
pub(crate) const AFTER_SECS: Limit = Limit::new(0.0, 3600.0, " s");
/// Any beat number (the real upper bound is the song's `beats_per_bar`).
pub(crate) const BEAT: Limit = Limit::new(1.0, 12.0, "");

/// Chant words when the show does not say.
pub const DEFAULT_CHANT_WORDS: &str = "one more song";
/// Chant tempo when the show does not say.
pub const DEFAULT_CHANT_BPM: f64 = 104.0;
/// Song length when a song has neither `secs` nor a melody.
pub const DEFAULT_SONG_SECS: f64 = 180.0;

/// Tolerance for comparing times, well under a sample.
const EPS: f64 = 1e-9;

/// Default length of a moment of `kind` that plays no song.
pub fn default_moment_secs(kind: MomentKind) -> f64 {
    match kind {
        MomentKind::Murmur => 60.0,
        MomentKind::LightsDown => 10.0,
        MomentKind::Applause => 12.0,
        MomentKind::Chant => 16.0,
        MomentKind::Banter => 24.0,
        MomentKind::Finale => 45.0,
        // Song-like moments last as long as their song; this is only a fallback.
        MomentKind::Song | MomentKind::Encore | MomentKind::Hush => DEFAULT_SONG_SECS,
    }
}

/// A slug of a title: lower case, letters and digits, words joined by `-`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Ids must be usable as seeds and in file names: letters, digits, `-`, `_`, `.`, `:`.
fn check_id(key: &str, id: &str) -> Result<String, Problem> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok {
        Ok(id.to_string())
    } else {
        Err(Problem::new(
            key,
            format!(
                "bad id \"{}\" — allowed: letters, digits, -, _, . and : (no spaces, not empty)",
                shown(id)
            ),
        ))
    }
}

impl ShowSpec {
    /// Validates the spec and resolves it into a [`Show`], exactly as a show file would be
    /// (errors name the key path, e.g. `timeline[2].song`, but have no line or column).
    pub fn build(&self) -> Result<Show, PresetError> {
        build(self).map_err(Problem::unlocated)
    }
}

/// The validation shared by show files and shows written in code.
pub(crate) fn build(spec: &ShowSpec) -> Result<Show, Problem> {
    let title = spec.title.trim();
    if title.is_empty() {
        return Err(Problem::new(
            "title",
            "missing title — every show needs one, e.g. title = \"Last night of the tour\"",
        ));
    }
    let v = &spec.venue;
    let venue = Venue {
        kind: v.kind,
        audience: match v.audience {
            Some(a) => AUDIENCE.check("venue.audience", f64::from(a))? as u32,
            None => v.kind.default_audience(),
        },
        listener: v.listener,
        reverb_secs: match v.reverb_secs {
            Some(r) => REVERB_SECS.check("venue.reverb_secs", r)?,
            None => v.kind.default_reverb_secs(),
        },
    };
    let s = &spec.singer;
    let singer = Singer {
        voice: s.voice,
        vibrato_hz: VIBRATO_HZ.check("singer.vibrato_hz", s.vibrato_hz)?,
        vibrato_cents: VIBRATO_CENTS.check("singer.vibrato_cents", s.vibrato_cents)?,
    };
    let songs = build_songs(&spec.songs)?;
    let moments = build_timeline(&spec.timeline, &songs)?;
    let duration_secs = moments.last().map_or(0.0, |m| m.end_secs);
    Ok(Show {
        title: title.to_string(),
        seed: spec.seed,
        venue,
        singer,
        songs,
        moments,
        duration_secs,
    })
}

/// Song titles listed in an "unknown song" message before "… and N more".
const LISTED_SONGS: usize = 12;

fn build_songs(specs: &[SongSpec]) -> Result<Vec<Song>, Problem> {
    let mut songs: Vec<Song> = Vec::with_capacity(specs.len());
    // Titles and ids seen so far → index, so duplicate checks stay linear.
    let mut titles: HashMap<String, usize> = HashMap::with_capacity(specs.len());
    let mut ids: HashMap<String, usize> = HashMap::with_capacity(specs.len());
    for (i, s) in specs.iter().enumerate() {
        let key = |k: &str| format!("songs[{i}].{k}");
        let title = s.title.trim();
        if title.is_empty() {
            return Err(Problem::new(
                key("title"),
                "missing song title — every [[songs]] entry needs one, e.g. title = \"Echoes\"",
            ));
        }
        if let Some(&j) = titles.get(title) {
            return Err(Problem::new(
                key("title"),
                format!(
                    "duplicate song title \"{}\" — songs[{j}] has it already; titles must be unique",
                    shown(title)
                ),
            ));
        }
        let id = match &s.id {
            Some(id) => check_id(&key("id"), id.trim())?,
            None => {
                let slug = slug(title);
                if slug.is_empty() {
                    format!("song-{}", i + 1)
                } else {
                    slug
                }
            }
        };
        if let Some(&j) = ids.get(&id) {
            let (at, how) = if s.id.is_some() {
                (key("id"), "")
            } else {
                (key("title"), " (the slug of this title)")
            };
            return Err(Problem::new(
                at,
                format!(
                    "duplicate song id \"{}\"{how} — songs[{j}] (\"{}\") has it already; \
                     give one of them another `id`",
                    shown(&id),
                    shown(&songs[j].title)
                ),
            ));
        }
        let bpm = SONG_BPM.check(&key("bpm"), s.bpm)?;
        let bpb = BEATS_PER_BAR.check(&key("beats_per_bar"), f64::from(s.beats_per_bar))? as u32;
        let mut clap_along = Vec::with_capacity(s.clap_along.len());
        for &b in &s.clap_along {
            if !(1..=bpb).contains(&b) {
                return Err(Problem::new(
                    key("clap_along"),
                    format!(
                        "beat {b} does not exist in a bar of {bpb} — allowed: beats 1 to {bpb} \
                         (e.g. \"2,4\" or [2, 4])"
                    ),
                ));
            }
            if clap_along.contains(&b) {
                return Err(Problem::new(
                    key("clap_along"),
                    format!("beat {b} is listed twice — list each beat once, e.g. \"2,4\""),
                ));
            }
            clap_along.push(b);
        }
        clap_along.sort_unstable();
        let sing_along = FRACTION.check(&key("sing_along"), s.sing_along)?;
        let intro_secs = INTRO_SECS.check(&key("intro_secs"), s.intro_secs)?;
        let outro_secs = INTRO_SECS.check(&key("outro_secs"), s.outro_secs)?;
        let parsed = match &s.melody {
            Some(text) => melody::parse(text).map_err(|e| Problem {
                key: key("melody"),
                message: format!("melody token \"{}\": {}", shown(&e.token), e.message),
                offset: Some(e.offset),
            })?,
            None => melody::Melody::default(),
        };
        let melody_secs = parsed.beats * 60.0 / bpm;
        let natural = if s.melody.is_some() {
            intro_secs + melody_secs + outro_secs
        } else {
            DEFAULT_SONG_SECS
        };
        if s.secs.is_none() && natural > SONG_SECS.hi {
            return Err(Problem::new(
                key("melody"),
                format!(
                    "the song would last {} (intro {} s + melody {} beats at {} bpm + outro {} s) \
                     — allowed: at most {}; shorten the melody",
                    format_clock(natural),
                    num(intro_secs),
                    num(parsed.beats),
                    num(bpm),
                    num(outro_secs),
                    format_clock(SONG_SECS.hi)
                ),
            ));
        }
        let secs = match s.secs {
            Some(secs) => {
                let secs = SONG_SECS.check(&key("secs"), secs)?;
                let needed = intro_secs + melody_secs;
                if secs + EPS < needed {
                    return Err(Problem::new(
                        key("secs"),
                        format!(
                            "{} s is shorter than the intro ({} s) plus the melody ({} beats at \
                             {} bpm = {} s) — allowed: at least {} s, or leave `secs` out \
                             (then {} s with the outro)",
                            num(secs),
                            num(intro_secs),
                            num(parsed.beats),
                            num(bpm),
                            num(melody_secs),
                            num(needed),
                            num(natural)
                        ),
                    ));
                }
                secs
            }
            None => natural,
        };
        titles.insert(title.to_string(), i);
        ids.insert(id.clone(), i);
        songs.push(Song {
            id,
            title: title.to_string(),
            bpm,
            beats_per_bar: bpb,
            clap_along,
            sing_along,
            intro_secs,
            melody: parsed.notes,
            secs,
        });
    }
    Ok(songs)
}

/// Songs by exact title, then by id, so each moment finds its song in constant time.
struct SongIndex<'a> {
    titles: HashMap<&'a str, usize>,
    ids: HashMap<&'a str, usize>,
}

impl<'a> SongIndex<'a> {
    fn new(songs: &'a [Song]) -> Self {
        SongIndex {
            titles: songs
                .iter()
                .enumerate()
                .map(|(i, s)| (s.title.as_str(), i))
                .collect(),
            ids: songs
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.as_str(), i))
                .collect(),
        }
    }

    fn find(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.titles
            .get(name)
            .or_else(|| self.ids.get(name))
            .copied()
    }
}

/// `"a", "b", "c"`, or the first [`LISTED_SONGS`] and `… and N more`.
fn list_titles(songs: &[Song]) -> String {
    let mut list = songs
        .iter()
        .take(LISTED_SONGS)
        .map(|s| format!("\"{}\"", shown(&s.title)))
        .collect::<Vec<_>>()
        .join(", ");
    if songs.len() > LISTED_SONGS {
        list.push_str(&format!(" … and {} more", songs.len() - LISTED_SONGS));
    }
    list
}

/// The default cue-sheet label of a moment.
fn default_label(kind: MomentKind, song: Option<&Song>, words: Option<&str>) -> String {
    let name = match kind {
        MomentKind::LightsDown => "Lights down".to_string(),
        k => {
            let n = k.show_name();
            n[..1].to_uppercase() + &n[1..]
        }
    };
    match (song, words) {
        (Some(s), _) => format!("{name}: \"{}\"", s.title),
        (None, Some(w)) => format!("{name}: \"{w}\""),
        (None, None) => name,
    }
}

/// A moment of the timeline as resolved so far: its length may still change when the next
/// moment gives an absolute `at`.
struct Placed {
    moment: Moment,
    /// The show gave `secs`, so the end is fixed.
    fixed: bool,
    /// The shortest the moment may become when the next `at` cuts it (a whole song).
    min_end: f64,
}

fn build_timeline(specs: &[MomentSpec], songs: &[Song]) -> Result<Vec<Moment>, Problem> {
    if specs.is_empty() {
        return Err(Problem::new(
            "timeline",
            format!(
                "the timeline is empty — add at least one [[timeline]] entry with a moment \
                 (allowed: {})",
                MomentKind::names().join(", ")
            ),
        ));
    }
    let index = SongIndex::new(songs);
    let mut placed: Vec<Placed> = Vec::with_capacity(specs.len());
    let mut ordinals: HashMap<MomentKind, usize> = HashMap::new();
    let mut song_uses: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (i, m) in specs.iter().enumerate() {
        let key = |k: &str| format!("timeline[{i}].{k}");
        let kind = m.moment;
        let kname = kind.show_name();
        let article = if kname.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let a_kind = format!("{article} {kname}");
        let song_kinds = "only song, encore and hush moments play a song";

        let song = match (&m.song, kind.is_song()) {
            (Some(name), true) => Some(index.find(name).ok_or_else(|| {
                let mut names: Vec<&str> = songs.iter().map(|s| s.title.as_str()).collect();
                names.extend(songs.iter().map(|s| s.id.as_str()));
                let allowed = if songs.is_empty() {
                    "none — the show has no [[songs]]".to_string()
                } else {
                    list_titles(songs)
                };
                Problem::new(
                    key("song"),
                    format!(
                        "unknown song \"{}\" — songs: {allowed}{}",
                        shown(name),
                        hint(name, &names)
                    ),
                )
            })?),
            (None, true) => {
                let list = if songs.is_empty() {
                    "the show has no [[songs]] yet".to_string()
                } else {
                    format!("songs: {}", list_titles(songs))
                };
                return Err(Problem::new(
                    key("song"),
                    format!(
                        "missing `song` — {a_kind} moment needs the title or id of a song ({list})"
                    ),
                ));
            }
            (Some(name), false) => {
                return Err(Problem::new(
                    key("song"),
                    format!(
                        "`song` (\"{}\") is not allowed on {a_kind} moment — {song_kinds}",
                        shown(name)
                    ),
                ));
            }
            (None, false) => None,
        };
        let the_song = song.map(|si| &songs[si]);

        let words = match (&m.words, kind) {
            (Some(w), MomentKind::Chant) => {
                let w = w.trim();
                if !w.chars().any(char::is_alphabetic) {
                    return Err(Problem::new(
                        key("words"),
                        format!(
                            "words \"{}\" have nothing to chant — allowed: words separated by spaces or hyphens, e.g. \"one more song\"",
                            shown(w)
                        ),
                    ));
                }
                Some(w.to_string())
            }
            (None, MomentKind::Chant) => Some(DEFAULT_CHANT_WORDS.to_string()),
            (Some(w), _) => {
                return Err(Problem::new(
                    key("words"),
                    format!(
                        "`words` (\"{}\") is not allowed on {a_kind} moment — only chant moments have words",
                        shown(w)
                    ),
                ));
            }
            (None, _) => None,
        };
        let bpm = match (m.bpm, kind) {
            (Some(b), MomentKind::Chant) => CHANT_BPM.check(&key("bpm"), b)?,
            (None, MomentKind::Chant) => DEFAULT_CHANT_BPM,
            (Some(b), _) => {
                return Err(Problem::new(
                    key("bpm"),
                    format!(
                        "`bpm` ({}) is not allowed on {a_kind} moment — only chant moments have a \
                         tempo; a song's tempo is its `bpm` in [[songs]]",
                        num(b)
                    ),
                ));
            }
            (None, _) => the_song.map_or(DEFAULT_CHANT_BPM, |s| s.bpm),
        };
        let energy = match m.energy {
            Some(e) => FRACTION.check(&key("energy"), e)?,
            None => default_energy(kind),
        };
        let peak = match m.peak {
            Some(p) => FRACTION.check(&key("peak"), p)?,
            None => default_peak(kind),
        };
        let secs = m
            .secs
            .map(|s| MOMENT_SECS.check(&key("secs"), s))
            .transpose()?;
        let at = m.at.map(|a| AT_SECS.check(&key("at"), a)).transpose()?;
        let after = m
            .after
            .map(|a| AFTER_SECS.check(&key("after"), a))
            .transpose()?;
        if let (Some(at), Some(after)) = (at, after) {
            return Err(Problem::new(
                key("after"),
                format!(
                    "both `at` ({}) and `after` ({} s) are given — allowed: one of them \
                     (`at` is absolute, `after` counts from the end of the previous moment)",
                    format_clock(at),
                    num(after)
                ),
            ));
        }

        let label = match &m.label {
            Some(l) if l.trim().is_empty() => {
                return Err(Problem::new(
                    key("label"),
                    "empty label — allowed: any non-empty text, or leave it out",
                ));
            }
            Some(l) => l.trim().to_string(),
            None => default_label(kind, the_song, words.as_deref()),
        };

        let ordinal = {
            let n = ordinals.entry(kind).or_insert(0);
            *n += 1;
            *n
        };
        let (id, id_key) = match &m.id {
            Some(id) => (check_id(&key("id"), id.trim())?, key("id")),
            None => {
                let id = match the_song {
                    Some(s) => {
                        let base = format!("{kname}-{}", s.id);
                        let n = song_uses.entry(base.clone()).or_insert(0);
                        *n += 1;
                        if *n == 1 { base } else { format!("{base}-{n}") }
                    }
                    None => format!("{kname}-{ordinal}"),
                };
                (id, key("moment"))
            }
        };
        if let Some(&j) = ids.get(&id) {
            let how = if m.id.is_some() {
                ""
            } else {
                " (this moment's default id)"
            };
            return Err(Problem::new(
                id_key,
                format!(
                    "duplicate moment id \"{}\"{how} — timeline[{j}] has it already; ids must be \
                     unique, so give one of them another `id`",
                    shown(&id)
                ),
            ));
        }
        ids.insert(id.clone(), i);

        // Where this moment starts, and where the previous one therefore ends.
        let start = match (at, placed.last_mut()) {
            (Some(at), Some(prev)) => {
                let p = &mut prev.moment;
                let prev_desc = format!("timeline[{}] ({})", i - 1, shown(&p.label));
                if at <= p.start_secs + EPS {
                    return Err(Problem::new(
                        key("at"),
                        format!(
                            "time goes backwards: at = {} is not after the start of the previous \
                             moment, {prev_desc}, at {} — allowed: times that increase down the \
                             timeline (or use `after`)",
                            format_clock(at),
                            format_clock(p.start_secs)
                        ),
                    ));
                }
                let must_end = if prev.fixed { p.end_secs } else { prev.min_end };
                if at + EPS < must_end {
                    let why = if prev.fixed {
                        format!("its `secs` = {}", num(p.end_secs - p.start_secs))
                    } else {
                        "its song plays to the end".to_string()
                    };
                    return Err(Problem::new(
                        key("at"),
                        format!(
                            "overlap: at = {} starts before the previous moment, {prev_desc}, ends \
                             at {} ({why}) — allowed: {} or later, or shorten that moment's `secs`",
                            format_clock(at),
                            format_clock(must_end),
                            format_clock(must_end)
                        ),
                    ));
                }
                if !prev.fixed {
                    // Gap-free: an open-ended moment lasts until the next absolute time.
                    p.end_secs = at;
                }
                at
            }
            (Some(at), None) => at,
            (None, Some(prev)) => prev.moment.end_secs + after.unwrap_or(0.0),
            (None, None) => after.unwrap_or(0.0),
        };
        let natural = the_song.map_or_else(|| default_moment_secs(kind), |s| s.secs);
        let end = start + secs.unwrap_or(natural);
        placed.push(Placed {
            moment: Moment {
                id,
                kind,
                label,
                start_secs: start,
                end_secs: end,
                energy,
                peak,
                song,
                words,
                bpm,
            },
            fixed: secs.is_some(),
            // Song-like moments may not be cut short by a later `at`; others may.
            min_end: if the_song.is_some() { end } else { start },
        });
    }
    Ok(placed.into_iter().map(|p| p.moment).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::spec::SongSpec;

    fn show(timeline: Vec<MomentSpec>) -> Result<Show, Problem> {
        build(&ShowSpec {
            title: "t".into(),
            songs: vec![SongSpec {
                title: "Echoes".into(),
                bpm: 120.0,
                melody: Some("la:A4/1 ~/1".into()),
                intro_secs: 2.0,
                outro_secs: 2.0,
                ..Default::default()
            }],
            timeline,
            ..Default::default()
        })
    }

    fn times(s: &Show) -> Vec<(f64, f64)> {
        s.moments
            .iter()
            .map(|m| (m.start_secs, m.end_secs))
            .collect()
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Phoenix Rising"), "phoenix-rising");
        assert_eq!(slug("  Lost in the Haze! "), "lost-in-the-haze");
        assert_eq!(slug("Don't Stop"), "don-t-stop");
        assert_eq!(slug("!!!"), "");
    }

    #[test]
    fn song_length_defaults_to_intro_melody_outro() {
        let s = show(vec![MomentSpec::song("Echoes")]).unwrap();
        // 8 beats at 120 bpm = 4 s, plus 2 + 2.
        assert_eq!(s.songs[0].secs, 8.0);
        assert_eq!(times(&s), [(0.0, 8.0)]);
        assert_eq!(s.duration_secs, 8.0);
        assert_eq!(s.moments[0].id, "song-echoes");
        assert_eq!(s.moments[0].label, "Song: \"Echoes\"");
    }

    #[test]
    fn murmur_extends_to_next_absolute_time_and_defaults_apply() {
        use MomentKind::*;
        let s = show(vec![
            MomentSpec::new(Murmur),
            MomentSpec::new(LightsDown).at(90.0),
            MomentSpec::song("echoes").after(2.0),
            MomentSpec::new(Applause),
            MomentSpec::new(Chant),
            MomentSpec::new(Applause).at(150.0),
            MomentSpec::new(Finale),
        ])
        .unwrap();
        assert_eq!(
            times(&s),
            [
                (0.0, 90.0),
                (90.0, 100.0),
                (102.0, 110.0),
                (110.0, 122.0),
                (122.0, 150.0),
                (150.0, 162.0),
                (162.0, 207.0)
            ]
        );
        assert_eq!(s.moments[3].id, "applause-1");
        assert_eq!(s.moments[5].id, "applause-2");
        assert_eq!(s.moments[4].words.as_deref(), Some("one more song"));
        assert_eq!(s.moments[4].label, "Chant: \"one more song\"");
        assert_eq!(s.moments[4].bpm, 104.0);
        assert_eq!(s.moments[2].bpm, 120.0);
        assert_eq!(s.moments[1].energy, default_energy(LightsDown));
    }

    #[test]
    fn timing_errors() {
        use MomentKind::*;
        let e = show(vec![
            MomentSpec::new(Murmur).at(30.0),
            MomentSpec::new(Applause).at(20.0),
        ])
        .unwrap_err();
        assert_eq!(e.key, "timeline[1].at");
        assert!(e.message.contains("time goes backwards"), "{}", e.message);
        let e = show(vec![
            MomentSpec::new(Murmur).secs(30.0),
            MomentSpec::new(Applause).at(20.0),
        ])
        .unwrap_err();
        assert!(
            e.message.contains("overlap") && e.message.contains("0:30 or later"),
            "{}",
            e.message
        );
        let e = show(vec![
            MomentSpec::song("Echoes"),
            MomentSpec::new(Applause).at(5.0),
        ])
        .unwrap_err();
        assert!(
            e.message.contains("its song plays to the end"),
            "{}",
            e.message
        );
        let e = show(vec![MomentSpec::new(Murmur).at(1.0).after(2.0)]).unwrap_err();
        assert_eq!(e.key, "timeline[0].after");
        let e = show(vec![]).unwrap_err();
        assert_eq!(e.key, "timeline");
    }

    #[test]
    fn repeated_song_gets_distinct_ids() {
        let s = show(vec![
            MomentSpec::song("Echoes"),
            MomentSpec::new(MomentKind::Encore).with_song("Echoes"),
        ])
        .unwrap();
        assert_eq!(s.moments[1].id, "encore-echoes");
        let s = show(vec![MomentSpec::song("Echoes"), MomentSpec::song("Echoes")]).unwrap();
        assert_eq!(s.moments[1].id, "song-echoes-2");
    }
}
