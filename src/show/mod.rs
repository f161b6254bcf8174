//! The resolved show: venue, audience, singer, songs and a timeline of moments with absolute
//! times in seconds, plus the control curves ([`params`]) the engine follows.
//!
//! A `Show` is plain, validated data: everything here is already checked, so the engine never
//! has to handle a bad value. This module knows no DSP, no TOML and no files; the `preset`
//! module builds `Show`s from text and owns every user-facing error.

pub mod lint;
pub mod melody;
pub mod params;
pub mod rhythm;

pub use crate::kit::{Listener, Venue, VenueKind, VoiceType, derive_seed, splitmix64};
pub use melody::{Dynamic, Note};
pub use params::Params;

/// A complete, validated show.
#[derive(Debug, Clone, PartialEq)]
pub struct Show {
    /// Human title, e.g. "Starlight Serenade — last night of the world tour".
    pub title: String,
    /// The show's default seed; `--seed` overrides it.
    pub seed: u64,
    /// Where the show happens and who listens.
    pub venue: Venue,
    /// The lead singer's voice settings.
    pub singer: Singer,
    /// Songs that `song`/`encore`/`hush` moments refer to by index.
    pub songs: Vec<Song>,
    /// Moments in time order, non-overlapping.
    pub moments: Vec<Moment>,
    /// Total length: the end of the last moment.
    pub duration_secs: f64,
}

/// The lead singer.
#[derive(Debug, Clone, PartialEq)]
pub struct Singer {
    /// Voice type, which selects formant tables.
    pub voice: VoiceType,
    /// Vibrato rate in Hz (typically 5.5–6.5).
    pub vibrato_hz: f64,
    /// Vibrato extent in cents, ± around the note (typically 30–50).
    pub vibrato_cents: f64,
}

impl Default for Singer {
    fn default() -> Self {
        Singer {
            voice: VoiceType::Mezzo,
            vibrato_hz: 5.8,
            vibrato_cents: 35.0,
        }
    }
}

/// A song the band plays.
#[derive(Debug, Clone, PartialEq)]
pub struct Song {
    /// Stable id (a slug of the title), used to derive the song's random seed.
    pub id: String,
    /// Title as shown on the cue sheet.
    pub title: String,
    /// Tempo in beats per minute.
    pub bpm: f64,
    /// Beats per bar (4 unless the show says otherwise).
    pub beats_per_bar: u32,
    /// Beats of the bar (1-based) the audience claps on during the song; empty = no clap-along.
    pub clap_along: Vec<u32>,
    /// Fraction of the audience singing along in choruses (0 = nobody).
    pub sing_along: f64,
    /// Seconds of instrumental intro before the first melody note.
    pub intro_secs: f64,
    /// The lead's melody, in beats from the start of the first note.
    pub melody: Vec<Note>,
    /// Song length in seconds (melody + intro + outro, or as the show says).
    pub secs: f64,
}

impl Song {
    /// Seconds per beat at this song's tempo.
    pub fn beat_secs(&self) -> f64 {
        60.0 / self.bpm
    }
}

/// What happens during a moment of the show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MomentKind {
    /// Doors open: chatter.
    Murmur,
    /// The lights go down: roar, screams, whistles.
    LightsDown,
    /// The band plays a song.
    Song,
    /// After a song: a swell, a peak, a long decay, cheers and whistles.
    Applause,
    /// The crowd chants ("one more song"), rhythmic and accelerating.
    Chant,
    /// The singer talks to the crowd, the crowd answers.
    Banter,
    /// A quiet ballad: the crowd hushes, a few "woo"s.
    Hush,
    /// An encore song, greeted with a roar.
    Encore,
    /// Roar, long applause and a fade.
    Finale,
}

impl MomentKind {
    /// Every kind with its name in show files.
    pub const ALL: [(MomentKind, &'static str); 9] = [
        (MomentKind::Murmur, "murmur"),
        (MomentKind::LightsDown, "lights-down"),
        (MomentKind::Song, "song"),
        (MomentKind::Applause, "applause"),
        (MomentKind::Chant, "chant"),
        (MomentKind::Banter, "banter"),
        (MomentKind::Hush, "hush"),
        (MomentKind::Encore, "encore"),
        (MomentKind::Finale, "finale"),
    ];

    /// The name used in show files.
    pub fn name(self) -> &'static str {
        MomentKind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("?", |(_, n)| n)
    }

    /// Whether the band plays a song during this moment.
    pub fn is_song(self) -> bool {
        matches!(
            self,
            MomentKind::Song | MomentKind::Encore | MomentKind::Hush
        )
    }
}

/// One moment of the timeline, resolved to absolute times.
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    /// Stable id (explicit in the show, or kind + song/ordinal), used to derive this moment's seed
    /// so that editing one moment does not change the randomness of the others.
    pub id: String,
    /// What happens.
    pub kind: MomentKind,
    /// Human label for the cue sheet.
    pub label: String,
    /// Start in seconds from the start of the show.
    pub start_secs: f64,
    /// End in seconds from the start of the show (> start).
    pub end_secs: f64,
    /// Excitement of the crowd, 0..=1.
    pub energy: f64,
    /// Peak applause/roar level, 0..=1 (applause, finale, lights-down).
    pub peak: f64,
    /// The song played (index into `Show::songs`) for song-like moments.
    pub song: Option<usize>,
    /// Words for a chant ("one more song"); syllables split on spaces and hyphens.
    pub words: Option<String>,
    /// Tempo of a chant in beats per minute.
    pub bpm: f64,
}

impl Moment {
    /// Length in seconds.
    pub fn secs(&self) -> f64 {
        self.end_secs - self.start_secs
    }
}

/// A note of the lead's score placed on the show's clock.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredNote {
    /// Start in seconds from the start of the show.
    pub start_secs: f64,
    /// End in seconds from the start of the show.
    pub end_secs: f64,
    /// MIDI pitch (69 = A4 = 440 Hz).
    pub midi: u8,
    /// Sung syllable ("la", "oh", "yeah").
    pub syllable: String,
    /// Loudness/effort 0..=1 from the dynamic mark.
    pub velocity: f32,
    /// First note of a phrase (the singer scoops into it).
    pub phrase_start: bool,
    /// Last note of a phrase (the singer falls off it and breathes).
    pub phrase_end: bool,
    /// Slide (portamento) into this note from the previous one.
    pub slide: bool,
    /// Index of the moment this note belongs to.
    pub moment: usize,
}

impl Show {
    /// The lead's whole score on the show clock, in time order.
    pub fn lead_notes(&self) -> Vec<ScoredNote> {
        let mut notes = Vec::new();
        for (mi, m) in self.moments.iter().enumerate() {
            let Some(si) = m.song.filter(|_| m.kind.is_song()) else {
                continue;
            };
            let song = &self.songs[si];
            let t0 = m.start_secs + song.intro_secs;
            let beat = song.beat_secs();
            for n in &song.melody {
                let start = t0 + n.start_beats * beat;
                let end = (start + n.beats * beat).min(m.end_secs);
                if start >= m.end_secs {
                    break;
                }
                notes.push(ScoredNote {
                    start_secs: start,
                    end_secs: end,
                    midi: n.midi,
                    syllable: n.syllable.clone(),
                    velocity: n.dynamic.velocity(),
                    phrase_start: n.phrase_start,
                    phrase_end: n.phrase_end,
                    slide: n.slide,
                    moment: mi,
                });
            }
        }
        notes
    }

    /// Index of the moment playing at `secs`, if any.
    pub fn moment_at(&self, secs: f64) -> Option<usize> {
        self.moments
            .iter()
            .position(|m| secs >= m.start_secs && secs < m.end_secs)
    }
}

/// Small shows built in code for unit tests.
#[cfg(test)]
pub mod tests_support {
    use super::*;

    /// A show in `kind` with `audience` people and back-to-back moments of the given kinds and
    /// lengths (default energy and peak, no songs).
    pub fn show_with(kind: VenueKind, audience: u32, moments: &[(MomentKind, f64)]) -> Show {
        let mut t = 0.0;
        let moments = moments
            .iter()
            .enumerate()
            .map(|(i, &(k, secs))| {
                let m = Moment {
                    id: format!("{}-{}", k.name(), i + 1),
                    kind: k,
                    label: k.name().to_string(),
                    start_secs: t,
                    end_secs: t + secs,
                    energy: params::default_energy(k),
                    peak: params::default_peak(k),
                    song: None,
                    words: (k == MomentKind::Chant).then(|| "one more song".to_string()),
                    bpm: 104.0,
                };
                t += secs;
                m
            })
            .collect();
        Show {
            title: "test".into(),
            seed: 1,
            venue: Venue {
                kind,
                audience,
                listener: Listener::Floor,
                reverb_secs: kind.default_reverb_secs(),
            },
            singer: Singer::default(),
            songs: Vec::new(),
            moments,
            duration_secs: t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_seeds_differ_by_id_and_seed() {
        assert_ne!(derive_seed(1, "song:echoes"), derive_seed(1, "song:lost"));
        assert_ne!(derive_seed(1, "song:echoes"), derive_seed(2, "song:echoes"));
        assert_eq!(derive_seed(7, "applause-3"), derive_seed(7, "applause-3"));
    }
}
