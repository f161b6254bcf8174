//! Plain config structs for writing a show in Rust (or any serde format) instead of TOML.
//!
//! They mirror the TOML format key for key, with the same defaults: fill in what matters and
//! take the rest from `..Default::default()`. [`ShowSpec::build`] runs exactly the validation a
//! show file gets, so errors name the same key paths (without line and column). Times are plain
//! seconds here; the TOML reader turns `"1:30"` and `"90s"` into seconds before building.

use serde::{Deserialize, Serialize};

use crate::show::{Listener, MomentKind, VenueKind, VoiceType};

/// A whole show before validation.
///
/// ```
/// use concert::preset::{MomentSpec, ShowSpec, SongSpec};
/// use concert::show::MomentKind;
///
/// let show = ShowSpec {
///     title: "Garage night".into(),
///     songs: vec![SongSpec { title: "Loud".into(), bpm: 140.0, ..Default::default() }],
///     timeline: vec![
///         MomentSpec::new(MomentKind::Murmur).secs(20.0),
///         MomentSpec::song("Loud"),
///         MomentSpec::new(MomentKind::Applause),
///     ],
///     ..Default::default()
/// }
/// .build()
/// .unwrap();
/// assert_eq!(show.moments.len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShowSpec {
    /// Title of the show (required, not empty).
    pub title: String,
    /// Default seed (`--seed` overrides it).
    pub seed: u64,
    /// The room and the audience.
    pub venue: VenueSpec,
    /// The lead singer.
    pub singer: SingerSpec,
    /// Songs the timeline may play.
    pub songs: Vec<SongSpec>,
    /// Moments in order (at least one).
    pub timeline: Vec<MomentSpec>,
}

impl Default for ShowSpec {
    fn default() -> Self {
        ShowSpec {
            title: String::new(),
            seed: 1,
            venue: VenueSpec::default(),
            singer: SingerSpec::default(),
            songs: Vec::new(),
            timeline: Vec::new(),
        }
    }
}

/// The venue: kind of room, audience size, listener position, reverb.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VenueSpec {
    /// Kind of room (default club).
    #[serde(with = "named")]
    pub kind: VenueKind,
    /// People in the audience, 10 ..= 200,000 (default: the kind's typical size).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<u32>,
    /// Where the listener stands (default floor).
    #[serde(with = "named")]
    pub listener: Listener,
    /// Reverb tail in seconds, 0.1 ..= 8 (default: the kind's typical tail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverb_secs: Option<f64>,
}

impl Default for VenueSpec {
    fn default() -> Self {
        VenueSpec {
            kind: VenueKind::Club,
            audience: None,
            listener: Listener::Floor,
            reverb_secs: None,
        }
    }
}

/// The lead singer's voice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SingerSpec {
    /// Voice type (default mezzo).
    #[serde(with = "named")]
    pub voice: VoiceType,
    /// Vibrato rate in Hz, 3 ..= 9 (default 5.8).
    pub vibrato_hz: f64,
    /// Vibrato extent in cents, 0 ..= 100 (default 35).
    pub vibrato_cents: f64,
}

impl Default for SingerSpec {
    fn default() -> Self {
        SingerSpec {
            voice: VoiceType::Mezzo,
            vibrato_hz: 5.8,
            vibrato_cents: 35.0,
        }
    }
}

/// A song: tempo, crowd participation and the lead's melody.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SongSpec {
    /// Title (required, unique in the show).
    pub title: String,
    /// Stable id (default: a slug of the title, "Phoenix Rising" → "phoenix-rising").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Tempo, 40 ..= 240 beats per minute (default 120).
    pub bpm: f64,
    /// Beats per bar, 2 ..= 12 (default 4).
    pub beats_per_bar: u32,
    /// Beats (1-based) the audience claps on, e.g. `vec![2, 4]` (default none).
    pub clap_along: Vec<u32>,
    /// Fraction of the audience singing along, 0 ..= 1 (default 0).
    pub sing_along: f64,
    /// Instrumental intro before the first note, seconds (default 6).
    pub intro_secs: f64,
    /// Instrumental outro after the melody, seconds (default 6).
    pub outro_secs: f64,
    /// The lead's melody in the notation of [`crate::show::melody`] (default: no lead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub melody: Option<String>,
    /// Song length in seconds (default intro + melody + outro, or 180 without a melody).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secs: Option<f64>,
}

impl Default for SongSpec {
    fn default() -> Self {
        SongSpec {
            title: String::new(),
            id: None,
            bpm: 120.0,
            beats_per_bar: 4,
            clap_along: Vec::new(),
            sing_along: 0.0,
            intro_secs: 6.0,
            outro_secs: 6.0,
            melody: None,
            secs: None,
        }
    }
}

/// One entry of the timeline. Every field but `moment` is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MomentSpec {
    /// What happens (default murmur; TOML requires it).
    #[serde(with = "named")]
    pub moment: MomentKind,
    /// Absolute start in seconds from the start of the show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<f64>,
    /// Start relative to the end of the previous moment, seconds (default 0; not with `at`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<f64>,
    /// Length in seconds (default: the song's length, or the kind's typical length).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secs: Option<f64>,
    /// Song title or id (song, encore and hush only, where it is required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub song: Option<String>,
    /// Crowd excitement 0 ..= 1 (default per kind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub energy: Option<f64>,
    /// Peak swell 0 ..= 1 (default per kind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak: Option<f64>,
    /// Chant words (chant only; default "one more song").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<String>,
    /// Chant tempo, 60 ..= 200 bpm (chant only; default 104).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bpm: Option<f64>,
    /// Cue-sheet label (default e.g. `Song: "Echoes"`, `Applause`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Stable id for the moment's random seed (default: kind + song id, or kind + ordinal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Default for MomentSpec {
    fn default() -> Self {
        MomentSpec::new(MomentKind::Murmur)
    }
}

impl MomentSpec {
    /// A moment of `kind` with every setting at its default.
    pub fn new(kind: MomentKind) -> Self {
        MomentSpec {
            moment: kind,
            at: None,
            after: None,
            secs: None,
            song: None,
            energy: None,
            peak: None,
            words: None,
            bpm: None,
            label: None,
            id: None,
        }
    }

    /// A `song` moment playing `song` (a title or id).
    pub fn song(song: &str) -> Self {
        MomentSpec::new(MomentKind::Song).with_song(song)
    }

    /// Sets the song (for song, encore and hush moments).
    pub fn with_song(mut self, song: &str) -> Self {
        self.song = Some(song.to_string());
        self
    }

    /// Starts at an absolute time in seconds.
    pub fn at(mut self, secs: f64) -> Self {
        self.at = Some(secs);
        self
    }

    /// Starts `secs` after the end of the previous moment.
    pub fn after(mut self, secs: f64) -> Self {
        self.after = Some(secs);
        self
    }

    /// Lasts `secs` seconds.
    pub fn secs(mut self, secs: f64) -> Self {
        self.secs = Some(secs);
        self
    }
}

/// The show-file names of the enums that show kinds of things, shared by serde and the reader.
pub(crate) trait Named: Copy + PartialEq + 'static {
    /// What the name names, for messages ("moment", "venue kind").
    const WHAT: &'static str;
    /// Every value with its name.
    fn table() -> &'static [(Self, &'static str)];

    /// The name of this value.
    fn show_name(self) -> &'static str {
        Self::table()
            .iter()
            .find(|(v, _)| *v == self)
            .map_or("?", |(_, n)| n)
    }

    /// The value called `name`.
    fn from_name(name: &str) -> Option<Self> {
        Self::table()
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(v, _)| *v)
    }

    /// All names, in order.
    fn names() -> Vec<&'static str> {
        Self::table().iter().map(|(_, n)| *n).collect()
    }
}

impl Named for VenueKind {
    const WHAT: &'static str = "venue kind";
    fn table() -> &'static [(Self, &'static str)] {
        &VenueKind::ALL
    }
}

impl Named for Listener {
    const WHAT: &'static str = "listener position";
    fn table() -> &'static [(Self, &'static str)] {
        &Listener::ALL
    }
}

impl Named for VoiceType {
    const WHAT: &'static str = "voice";
    fn table() -> &'static [(Self, &'static str)] {
        &VoiceType::ALL
    }
}

impl Named for MomentKind {
    const WHAT: &'static str = "moment";
    fn table() -> &'static [(Self, &'static str)] {
        &MomentKind::ALL
    }
}

/// Serde glue: the enums travel as their show-file names ("open-air", "lights-down").
mod named {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use super::Named;

    pub fn serialize<T: Named, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.show_name())
    }

    pub fn deserialize<'de, T: Named, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        let name = String::deserialize(d)?;
        T::from_name(&name).ok_or_else(|| {
            D::Error::custom(crate::preset::error::unknown(T::WHAT, &name, &T::names()))
        })
    }
}
