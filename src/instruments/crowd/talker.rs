//! One person in the crowd: who they are (voice, place) and what they are saying now. Each
//! chunk the talker follows the mode the crowd has given it — chatting, shouting, chanting or
//! singing along — and steers its [`Voice`] with one syllable at a time.
//!
//! Speech prosody lives here: syllables of 150–300 ms in phrases with pauses, accents of
//! several semitones, glides inside syllables, declination over a phrase, a fall (or a
//! question's rise) at its end. A roar is the same speech shouted (short syllables, higher,
//! rougher, wider accents), not long held arcs: held shouts from many clean voices read as a
//! siren or an engine. Chants are shouted on the beat, each voice a little early or late and
//! a little off pitch; the sing-along follows the lead's notes a little late and out of tune.
//!
//! Every syllable may start with a consonant: a burst of high-passed noise whose level is its
//! own (set per mode), sounding before the vowel rather than under the vowel's envelope.
//!
//! Must not touch: levels of the whole layer (the crowd layer sets the mode gains).

use super::chant::{ChantClock, pattern_beats};
use super::lane::Lane;
use super::voice::{
    AH, BRIGHT_MIN, EH, Formants, OO, SPEECH_VOWELS, SyllableSound, Voice, VoiceControl,
    lerp_formants,
};
use crate::kit::Stereo;
use crate::kit::one_pole_coef;
use crate::kit::splitmix64;
use crate::kit::{Rng, midi_to_hz, rng, semis, smooth01, uniform};

/// Onset consonant level while chatting, relative to the vowel's peak. At 1 the hiss of near
/// chatter pulls a listener's ear off the voices; at 0.3 it vanishes under the bed.
const MURMUR_FRIC: f32 = 0.45;
/// Breath (aspiration) in chatted syllables, relative to the buzz. Chatter over a room's noise
/// is half-voiced and breathy; cleaner voices leave their harmonics standing in 0.7–3 kHz, which
/// a handful of talkers in a small room turns into something heard as music. Measured on every
/// built-in preset's pre-show murmur (2026-11), crowd stem: at 0.12 the pub of 60 read Music
/// 0.15 (mix 0.20), crowd group 0.41 (mix 0.34), and its voicing strength (median peak of the
/// 100–4000 Hz band's normalised autocorrelation at 80–400 Hz, 40 ms frames) was 0.48; at 0.3,
/// Music 0.06 (mix 0.11), crowd group 0.52 (mix 0.46) and voicing 0.46, the real restaurant
/// chatter's value. Crowd group on the mix rose 0.09–0.12 in every preset. At 0.5 voicing fell
/// under the real recording's (0.44) and the 2 kHz octave rose further above it.
const MURMUR_BREATH: f32 = 0.3;
/// Share of chatted syllables that start with a fricative or plosive.
const MURMUR_FRIC_SHARE: f32 = 0.45;
/// How much darker a chatting talker is with their back to the listener than facing them, in
/// units of the voice's brightness ([`VoiceControl::bright`]). A voice is directional where its
/// formants are: behind a talker the 2–4 kHz octaves are about 10 dB down on the front, under
/// 1 kHz only a few dB (Monson, Hunter & Story 2012, JASA 132(1), speech and singing
/// directivity). 0.6 takes the tilt's corner from ~4 to ~1.6 kHz and F3 down 5 dB: about 7–10 dB
/// off 2.5–3 kHz and 0.3 dB off 500 Hz. In a room of people talking to each other most of them
/// face somewhere else; with every talker facing the listener the chatter stood 7–9 dB over the
/// real restaurant chatter in the 2 kHz octave, and under a ballad the chatter's 1–3 kHz with
/// the singer read as a dog or a howl (removing that band from the crowd stem took Animal from
/// 0.05–0.08 to under 0.02). Measured on the built-in shows (2026-11-29), pre-show murmur:
/// crowd stem 2 kHz octave −13.0 → −14.9 dB of the total (club), −11.9 → −14.4 (arena; real
/// chatter −20.6), 4 kHz −19.3 → −21.4 (real −22.0); crowd group on the mix club 0.59 → 0.68,
/// arena 0.72 → 0.78, benefit 0.80 → 0.87, festival 0.75 → 0.78, pub 0.46 → 0.45; the songs'
/// Animal/Howl flags on the mix 6 → 4, each 0.05–0.07.
const FACING_AWAY_BRIGHT: f32 = 0.6;
/// How far a talker facing `u` of the way round (uniform 0..1: a direction uniform around
/// them) faces away from the listener: 0 facing them, 1 with their back turned.
fn facing_away(u: f32) -> f32 {
    0.5 - 0.5 * (std::f32::consts::PI * u).cos()
}

/// Shouted syllables last 0.15–0.30 s (s): longer held shouts from clean voices read as a
/// siren (gliding) or an engine (level).
const ROAR_SYL_SECS: (f32, f32) = (0.15, 0.30);
/// Syllables per shouted phrase ("let's go!", "we love you!").
const ROAR_PHRASE_SYLS: (u32, u32) = (2, 5);
/// Gap between shouted syllables in s.
const ROAR_GAP_SECS: (f32, f32) = (0.03, 0.12);
/// Pause between shouted phrases in s (a breath).
const ROAR_PAUSE_SECS: (f32, f32) = (0.1, 0.4);
/// Shouting speaks at about 2.5× the speaking pitch (Lombard), raised by energy.
const ROAR_F0_RATIO: f32 = 2.5;
/// Shouted prosody is wider than chatting: accents, declination and glides ×1.5.
const ROAR_PROSODY: f32 = 1.5;
/// Share of shouted syllables that carry an accent.
const ROAR_ACCENT_SHARE: f32 = 0.4;
/// Cycle-to-cycle jitter of a shouting voice: strained, irregular phonation. With 3 % the
/// sparse harmonics of a high shout are heard as an instrument.
const ROAR_JITTER: f32 = 0.08;
/// How far shouted vowels open toward "ah" (jaw drop).
const ROAR_OPEN_VOWEL: f32 = 0.2;
/// Share of shouted syllables with an onset consonant, and its level (relative to the vowel).
const ROAR_FRIC_SHARE: f32 = 0.8;
/// Level of a shouted onset consonant relative to the vowel's peak.
const ROAR_FRIC: f32 = 0.8;

/// Share of a roar's shouts that are held cheers ("wooo!", "yeaaah!") at full energy. A real
/// cheering crowd is dominated by them: long high tones arching over the shouting, each voice
/// rough and on its own contour (`../shared/reference/real-crowd-cheering.wav`: fundamentals
/// 600–1150 Hz held 0.5–2 s, rising into the hold and falling off at the end; 1.6 held lines a
/// second, most of its energy at 560–1130 Hz). At a third of the phrases the roar still read as
/// shouted talk (*Speech* over *Crowd*, 0.5 held lines a second, 12 dB too much at 280–400 Hz);
/// at 60 % it holds 1.0 lines a second and reads *Crowd* and *Cheering*.
const ROAR_HELD_SHARE: f32 = 0.6;
/// Brightness of a held cheer (base, and added at full energy): about 0 in the roar's excitement
/// (the tilt's corner near 2.2 kHz, F3 at its relaxed weight), below 0 further off (see
/// [`BRIGHT_MIN`]), where a short shout sits at 0.55–1.0. A "wooo" or a held
/// "yeaaah" is sung out in head voice or falsetto, whose glottal pulse is smooth and whose
/// harmonics fall off fast above the fundamental; a real cheering crowd carries its energy at
/// 0.4–1.1 kHz, its held lines' fundamentals, and falls off steeply above (half-octave bands of
/// `../shared/reference/real-crowd-cheering.wav`, dB re total: 1.6 kHz −15.0, 2.3 kHz −17.1,
/// 3.2 kHz −23.5). At (0.2, 0.3) the test story's roar stood at −11.6, −15.2, −17.4 there, its
/// 2–4.5 kHz 12.1 dB under 0.4–1.1 kHz (real 16.0); at this setting −13.4, −17.8, −20.0 and
/// 15.0 dB (six seeds, club and arena alike), and its 4–10 kHz, left to the shouts' consonants,
/// moves at syllable rate 2.0–2.6 dB more (8–32 Hz: −14.8 club, −16.4 arena; real −14.2). On the
/// built-in shows' lights-downs and finales (two seeds) the mix reads *Crowd* 0.16 and
/// *Cheering* 0.19 on average, where it read 0.14 and 0.16. As bright as the shouts (0.55,
/// 0.45) the held lines were a harsh hiss that read as a passing car.
const ROAR_HELD_BRIGHT: (f32, f32) = (-0.15, 0.2);
/// Level of a held cheer (as a share of a full shout's) before its flutter: its flutter's peaks
/// (×1.7, see `ROAR_HELD_FLUTTER`) reach where 0.8–1.0 with a shallower flutter (×1.4) did, as
/// loud as the shouts, so the held lines stand over them as in a real cheering crowd (quieter
/// still, at 0.55–0.75 with that flutter, they sank into the shouting: 0.6 held lines a second
/// instead of 1.0) and a full roar's peaks stay under −1 dBFS.
/// (0.66–0.82 before the held cheers darkened to head voice, which gathers their energy in the
/// fundamental: a full roar's peaks rose from −1.1 to −0.6 dBFS; now −1.3. Near the level
/// where bright ones sank, the dark ones still stand out of the brighter shouting: 0.86 and 1.59
/// held lines a second in the test story's arena and club.)
const ROAR_HELD_AMP: (f32, f32) = (0.6, 0.75);
/// Seconds of roaring over which the share of held cheers grows to its full value.
const ROAR_HELD_AFTER_SECS: f64 = 2.0;
/// Length of a held cheer in s. Shorter, a dark held cheer's rise and fall (see
/// `ROAR_HELD_BRIGHT`) is a dog's yelp: from 0.6 s, where one stood alone as a short
/// lights-down's held cheers came in, the pub's crowd stem read *Dog* 0.69 in that second (0.12
/// over the moment). Limiting how fast a short one falls did not help; 0.8 s did (lights-downs
/// and finales of the five shows, two seeds: the crowd stems' dog readings 2 → 0; one *Animal*
/// 0.07 is left, on the pub's finale).
const ROAR_HELD_SECS: (f32, f32) = (0.8, 1.6);
/// A held cheer's pitch relative to the speaking voice (women, men: falsetto "woo"s, high
/// "yeah"s): 210 Hz women near 950 Hz, 120 Hz men near 660 Hz, before energy and scatter.
const ROAR_HELD_F0_RATIO: (f32, f32) = (4.5, 5.5);
/// Scatter of a held cheer's pitch in semitones, so no two voices hold the same note.
const ROAR_HELD_SCATTER_ST: (f32, f32) = (-4.0, 4.0);
/// Depth of a held cheer's flutter in level (a share of it): a held shout at full effort pulses
/// with the breath pushing through a strained larynx; held steady, it fills in the roar's top
/// octaves between the shouts' onsets (8–32 Hz modulation of 2–10 kHz in a club's roar: −19.6 dB
/// with short shouts only, −22.9 with steady held cheers, −21.9 with a third of the phrases held
/// at 0.35 flutter, −22.4 with 60 % held at 0.4; real cheering −16.2). The darker held cheers
/// (`ROAR_HELD_BRIGHT`) took 0.9 dB of that movement away at 0.4 (mean of six seeds); 0.7 gives
/// it back (club −21.5, arena −21.7 dB against −21.3 and −21.4 before).
const ROAR_HELD_FLUTTER: f32 = 0.7;
/// How often a held cheer's flutter picks a new level (Hz).
const ROAR_HELD_FLUTTER_HZ: (f32, f32) = (12.0, 20.0);
/// Depth of a held cheer's slow pitch drift in semitones. A real cheering crowd's held lines
/// run level between their rise and their fall (a spectrogram of the reference shows steady
/// partials, a few cents of drift); the darker held cheers (`ROAR_HELD_BRIGHT`) that wavered by
/// 0.3–0.9 st read as a dog's bark or a howl where one near voice stood out (*Bow-wow* 0.06 on a
/// lights-down's crowd stem), and as steady cheering with this much.
const ROAR_HELD_WOBBLE_ST: (f32, f32) = (0.12, 0.36);
/// Semitones a held cheer rises into its hold, and falls at its end.
const ROAR_HELD_RISE_ST: (f32, f32) = (2.0, 5.0);
const ROAR_HELD_FALL_ST: (f32, f32) = (4.0, 12.0);
/// Share of a held cheer at which its fall begins.
const ROAR_HELD_FALL_AT: (f32, f32) = (0.6, 0.85);

/// A chant is shouted, not sung: its pitch sits near the speaking voice (1.8× reads as a choir).
const CHANT_F0_RATIO: f32 = 1.2;
/// Length of a chanted syllable in beats, drawn per syllable and chanter: short and punched,
/// with air between syllables, and nobody holds a word exactly as long as the others.
const CHANT_SYL_BEATS: (f32, f32) = (0.3, 0.5);
/// Chanted pitch contours (st): start, peak, end of the first, the last and the middle
/// syllables ("ONE more SONG"): a wide shouted fall at the end, not a sung line.
const CHANT_CONTOUR: [[f32; 3]; 3] = [[2.0, 5.0, 0.0], [0.0, 1.0, -6.0], [0.0, 1.0, -1.0]];
/// Each chanter's own timing, ± s around the beat (a crowd is never tight).
const CHANT_LATE_SECS: f32 = 0.05;
/// Extra timing scatter per syllable, ± s.
const CHANT_SCATTER_SECS: f32 = 0.012;
/// Each chanter's own pitch offset, 0.5–2 st up or down (nobody tunes a chant).
const CHANT_DETUNE_ST: (f32, f32) = (0.5, 2.0);
/// Per-syllable pitch scatter in st.
const CHANT_SCATTER_ST: f32 = 0.5;
/// Onset consonant level of chanted syllables ("Song", "Hey", "Go"), relative to the vowel.
const CHANT_FRIC: f32 = 0.7;
/// How long a chanted fricative ("Sss-ong", "Hhh-ey") sounds before its vowel, at full
/// fricative strength, in seconds. Chanters land the vowel on the beat (its perceptual centre)
/// and start the consonant before it, so the hiss leads the voice instead of sharing its onset.
const CHANT_FRIC_LEAD_SECS: f64 = 0.09;
/// Brightness of a chanted syllable: base, growth with the moment's energy, and growth with
/// the syllable's own effort (see `plan_chant`).
const CHANT_BRIGHT: (f32, f32, f32) = (0.35, 0.3, 0.4);
/// Each chanter shouts some syllables louder than others: the quietest at this share of the
/// loudest, so no two voices rise and fall together.
const CHANT_LOUDNESS: f32 = 0.6;
/// Onset consonant level of sung syllables, relative to the vowel: softer than speech.
const SING_FRIC: f32 = 0.3;
/// Breath in the voices singing along, relative to the buzz. Fans singing along are not a
/// choir: they half-shout, out of breath, in no trained voice. At 0.15 their clean, smoothly
/// gliding tones read on the crowd stem as Music 0.13–0.16 and Choir up to 0.19; at 0.35 (with
/// the jitter below) Music 0.09–0.11 and crowd group +0.03–0.05, measured on the club's and
/// the arena's sung choruses (2026-11-29).
const SING_BREATH: f32 = 0.35;
/// Cycle-to-cycle irregularity of a voice singing along (twice a chatting voice's floor).
const SING_JITTER: f32 = 0.03;

/// What a talker is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Silent (listening, or not needed).
    Idle,
    /// Chatting.
    Murmur,
    /// Shouting ("yeah!", "woo!").
    Roar,
    /// Chanting on the beat.
    Chant,
    /// Singing along with the lead.
    Sing,
}

/// A note the crowd can sing along with, on the show clock.
#[derive(Debug, Clone, Copy)]
pub struct SingNote {
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
    /// MIDI pitch of the lead.
    pub midi: f32,
    /// Effort 0..=1.
    pub velocity: f32,
    /// Whether the next note follows without a gap (no release between them).
    pub legato: bool,
    /// The sung syllable's sound.
    pub sound: SyllableSound,
}

/// A chant in progress: its beat clock and the sounds of its syllables.
#[derive(Clone, Copy)]
pub struct ChantRef<'a> {
    /// The chant's beats.
    pub clock: ChantClock,
    /// Sounds of the syllables, in order.
    pub sounds: &'a [SyllableSound],
}

/// What the whole crowd asks of its talkers during one chunk.
pub struct Ctx<'a> {
    /// Show time at the start of the chunk.
    pub t0: f64,
    /// Show time at the end of the chunk (where controls apply).
    pub t1: f64,
    /// Crowd excitement 0..=1.
    pub energy: f32,
    /// Target gain of each mode (index by [`Mode`] via `Ctx::gain`).
    pub gain_murmur: f32,
    /// Gain of shouting talkers.
    pub gain_roar: f32,
    /// Gain of chanting talkers.
    pub gain_chant: f32,
    /// Gain of singing talkers.
    pub gain_sing: f32,
    /// Share of talkers chanting, singing, shouting (the rest chat).
    pub frac_chant: f32,
    /// Share of talkers singing along.
    pub frac_sing: f32,
    /// Share of talkers shouting.
    pub frac_roar: f32,
    /// How much the shouting talkers hold cheers, 0..=1 (scales `ROAR_HELD_SHARE`): the share of
    /// the room roaring, 0 under a chant or a sing-along.
    pub hold: f32,
    /// Talkers with an index below this chat; the others stay silent in murmur.
    pub n_murmur: usize,
    /// The chant playing, if any.
    pub chant: Option<ChantRef<'a>>,
    /// The lead's notes for the sing-along (empty when nobody sings).
    pub notes: &'a [SingNote],
    /// One-chunk step of the 50 ms mode-gain smoothing (the same for every talker).
    pub gain_step: f32,
    /// One-chunk step of the 40 ms sung-pitch smoothing.
    pub pitch_step: f32,
}

impl Ctx<'_> {
    /// The smoothing steps for a chunk from `t0` to `t1`: [`Ctx::gain_step`], [`Ctx::pitch_step`].
    pub fn smoothing(t0: f64, t1: f64) -> (f32, f32) {
        (one_pole_coef(t1 - t0, 0.05), one_pole_coef(t1 - t0, 0.04))
    }
}

impl Ctx<'_> {
    fn gain(&self, mode: Mode) -> f32 {
        match mode {
            Mode::Idle => 0.0,
            Mode::Murmur => self.gain_murmur,
            Mode::Roar => self.gain_roar,
            Mode::Chant => self.gain_chant,
            Mode::Sing => self.gain_sing,
        }
    }
}

/// A syllable (spoken, shouted or chanted) with its pitch contour and envelope.
#[derive(Debug, Clone, Copy, Default)]
struct Syl {
    start: f64,
    dur: f64,
    att: f64,
    rel: f64,
    f0: f32,
    st: [f32; 3],
    peak_at: f32,
    /// Where the fall from `st[1]` to `st[2]` starts (a share of the syllable): until then the
    /// pitch holds at `st[1]`. At or before `peak_at` the fall starts at the peak.
    fall_at: f32,
    v0: Formants,
    v1: Formants,
    fric: f32,
    amp: f32,
    bright: f32,
    breath: f32,
    jitter: f32,
    decay: f32,
    /// Seconds of onset consonant before the vowel starts (0: the short default onset).
    lead: f64,
    /// A held voice's slow, irregular pitch drift (none in short syllables).
    wobble: Wobble,
    /// A held voice's irregular flutter in level (none in short syllables).
    flutter: Flutter,
}

/// The irregular pulsing in level of a shout held at full effort (breath pushed in bursts
/// through a strained larynx): a new random level every 1/`rate_hz` s, eased from one to the
/// next. Random, not periodic: a periodic flutter at these rates is an engine.
#[derive(Debug, Clone, Copy, Default)]
struct Flutter {
    /// Depth as a share of the level (0: none).
    depth: f32,
    rate_hz: f32,
    /// Seeds the random levels.
    seed: u64,
}

impl Flutter {
    /// The level's factor `secs` into the syllable.
    fn at(&self, secs: f64) -> f32 {
        if self.depth == 0.0 {
            return 1.0;
        }
        let pos = secs.max(0.0) * f64::from(self.rate_hz);
        let k = pos as u64;
        let level = |k: u64| {
            let h = splitmix64(self.seed ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            (h >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
        };
        let x = smooth01(pos.fract());
        let r = level(k) + (level(k + 1) - level(k)) * x;
        1.0 + self.depth * r
    }
}

/// The slow pitch drift of a held shout: two sines at rates and phases of its own (a voice
/// held at full effort wavers, but not periodically: a single vibrato is a siren).
#[derive(Debug, Clone, Copy, Default)]
struct Wobble {
    /// Depth in semitones (0: none).
    depth: f32,
    rates_hz: [f32; 2],
    phases: [f32; 2],
}

impl Wobble {
    /// Semitones of drift `secs` into the syllable.
    fn at(&self, secs: f64) -> f32 {
        if self.depth == 0.0 {
            return 0.0;
        }
        let tau = std::f32::consts::TAU * secs as f32;
        let [r0, r1] = self.rates_hz;
        let [p0, p1] = self.phases;
        self.depth * (0.6 * (tau * r0 + p0).sin() + 0.4 * (tau * r1 + p1).sin())
    }
}

impl Syl {
    /// Controls at show time `t`; `amp` is 0 outside the syllable.
    fn control(&self, t: f64, fscale: f32) -> VoiceControl {
        let local = t - self.start;
        let u = (local / self.dur).clamp(0.0, 1.0) as f32;
        let voiced_at = (0.04 * f64::from(self.fric)).max(self.lead);
        let env = if local < 0.0 || local > self.dur {
            0.0
        } else {
            smooth01((local - voiced_at) / self.att)
                * smooth01((self.dur - local) / self.rel)
                * (1.0 - self.decay * u)
        };
        let st = if u < self.peak_at {
            let x = smooth01(f64::from(u / self.peak_at));
            self.st[0] + (self.st[1] - self.st[0]) * x
        } else {
            let fall_at = self.fall_at.max(self.peak_at);
            let x = smooth01(f64::from(
                (u - fall_at).max(0.0) / (1.0 - fall_at).max(1e-3),
            ));
            self.st[1] + (self.st[2] - self.st[1]) * x
        };
        let f = lerp_formants(self.v0, self.v1, smooth01(f64::from(u) * 1.6));
        let fric = if self.lead > 0.0 {
            // A held fricative that fades as the vowel comes in.
            let secs = self.lead + 0.04;
            if (0.0..secs).contains(&local) {
                self.fric * (1.0 - (local / secs).powi(3) as f32)
            } else {
                0.0
            }
        } else if (0.0..0.08).contains(&local) {
            self.fric * (1.0 - (local / 0.08) as f32)
        } else {
            0.0
        };
        VoiceControl {
            f0_hz: self.f0 * semis(st + self.wobble.at(local)),
            formants_hz: [f[0] * fscale, f[1] * fscale, f[2] * fscale],
            amp: self.amp * env * self.flutter.at(local),
            breath: self.breath,
            bright: self.bright,
            // Once through the syllable's level, never through the vowel's envelope.
            fric: self.amp * fric,
            rough_depth: 0.0,
            rough_hz: 60.0,
            jitter: self.jitter,
        }
    }
}

/// One member of the crowd with a voice and a script.
#[derive(Clone)]
pub struct Talker {
    voice: Voice,
    rng: Rng,
    index: usize,
    /// Speaking pitch in Hz (male ~120, female ~210).
    speak_f0: f32,
    female: bool,
    fscale: f32,
    dist_gain: f32,
    dist_bright: f32,
    personality: f32,
    /// How far this talker faces away from the listener while chatting: 0 facing them, 1 with
    /// their back turned. Fixed per talker: people keep facing the one they talk to, and a
    /// new direction at every phrase put a phrase-rate (1.2 Hz) swing into the chatter's level
    /// that outweighed its syllable rhythm.
    away: f32,
    mode: Mode,
    gain: f32,
    syl: Syl,
    busy_until: f64,
    phrase_left: u32,
    phrase_len: u32,
    chant_offset: f64,
    chant_st: f32,
    sing_lag: f64,
    sing_cents: f32,
    sing_st: f32,
    sing_on: bool,
    note_cursor: usize,
    /// Show time at which this talker last entered its mode.
    mode_since: f64,
}

impl Talker {
    /// Talker `index` of `count`, with its voice, sex, place and temperament drawn from `seed`;
    /// its voice's body runs at `sample_rate / factor` (see [`Voice::new_split`]).
    pub fn new(index: usize, count: usize, seed: u64, sample_rate: f64, factor: usize) -> Self {
        let mut r = rng(seed);
        let female = index % 2 == 1;
        let speak_f0 = if female {
            175.0 + 65.0 * uniform(&mut r)
        } else {
            95.0 + 45.0 * uniform(&mut r)
        };
        let fscale = (if female { 1.17 } else { 1.0 }) * (0.95 + 0.1 * uniform(&mut r));
        // The first few stand close (distinct voices even in an arena), the rest further away.
        let dist_m = if index < 6 {
            1.2 + 2.0 * uniform(&mut r)
        } else {
            3.0 + 6.0 * uniform(&mut r)
        };
        let pan = (uniform(&mut r) * 2.0 - 1.0) * 0.9;
        let mut voice = Voice::new_split(splitmix64(seed ^ 0x0076_6f69_6365), sample_rate, factor);
        voice.set_pan(pan);
        voice.set_fric_absolute(true);
        let slot = (index * 7) % count;
        Talker {
            voice,
            rng: rng(splitmix64(seed ^ 0x7a1c)),
            index,
            speak_f0,
            female,
            fscale,
            dist_gain: (1.5 / dist_m).min(1.0),
            dist_bright: -0.2 * ((dist_m - 1.2) / 8.0),
            personality: (slot as f32 + uniform(&mut r)) / count as f32,
            mode: Mode::Idle,
            gain: 0.0,
            syl: Syl::default(),
            busy_until: 0.0,
            phrase_left: 0,
            phrase_len: 1,
            chant_offset: f64::from(CHANT_LATE_SECS * (uniform(&mut r) * 2.0 - 1.0)),
            chant_st: {
                let (lo, hi) = CHANT_DETUNE_ST;
                let st = lo + (hi - lo) * uniform(&mut r);
                if uniform(&mut r) < 0.5 { -st } else { st }
            },
            sing_lag: 0.1 + 0.15 * f64::from(uniform(&mut r)),
            sing_cents: 45.0 * (uniform(&mut r) * 2.0 - 1.0),
            sing_st: 60.0,
            sing_on: false,
            note_cursor: 0,
            mode_since: 0.0,
            // Drawn last, so every other draw of the talker stays as it was.
            away: facing_away(uniform(&mut r)),
        }
    }

    /// Take a fresh random stream (at a section boundary) from the section's gesture seed, so
    /// each section's randomness depends on that seed alone.
    pub fn reseed(&mut self, seed: u64) {
        self.rng = rng(splitmix64(seed ^ self.index as u64));
    }

    fn u(&mut self) -> f32 {
        uniform(&mut self.rng)
    }

    fn range(&mut self, a: f32, b: f32) -> f32 {
        a + (b - a) * self.u()
    }

    fn desired(&self, ctx: &Ctx) -> Mode {
        let u = self.personality;
        let c = if ctx.chant.is_some() {
            ctx.frac_chant
        } else {
            0.0
        };
        let s = c + if ctx.notes.is_empty() {
            0.0
        } else {
            ctx.frac_sing
        };
        let r = s + ctx.frac_roar;
        if u < c {
            Mode::Chant
        } else if u < s {
            Mode::Sing
        } else if u < r {
            Mode::Roar
        } else if self.index < ctx.n_murmur {
            Mode::Murmur
        } else {
            Mode::Idle
        }
    }

    /// Render one chunk of this talker: its voice into `lane`, its fricatives into `out`.
    pub fn render(&mut self, ctx: &Ctx, lane: &mut Lane, out: &mut Stereo) {
        let want = self.desired(ctx);
        let sounding = ctx.t0 < self.syl.start + self.syl.dur && ctx.t0 >= self.syl.start - 0.05;
        let free = ctx.t0 >= self.busy_until || (want != self.mode && !sounding && !self.sing_on);
        if free {
            if want != self.mode {
                self.enter(want, ctx.t0);
            }
            self.plan(ctx);
        }
        // Smooth the mode's gain (50 ms) so level changes never jump.
        let target = ctx.gain(self.mode);
        self.gain += (target - self.gain) * ctx.gain_step;
        let mut c = if self.mode == Mode::Sing {
            self.sing_control(ctx)
        } else {
            self.syl.control(ctx.t1, self.fscale)
        };
        c.amp *= self.gain * self.dist_gain;
        c.fric *= self.gain * self.dist_gain;
        // Down to the darkest a voice takes: a held cheer far off goes under 0 (see
        // `ROAR_HELD_BRIGHT`); every other syllable stays above it.
        c.bright = (c.bright + self.dist_bright).clamp(BRIGHT_MIN, 1.0);
        if self.mode == Mode::Murmur {
            // Directivity: only the chatter, whose talkers face each other. Shouts, chants and
            // sing-alongs go to the stage, with the listener among the crowd.
            // The vowels only: their onsets' hiss keeps its level, so each syllable still
            // sprays the top octaves (less of it, 0.3 from behind, cut the 2–10 kHz
            // syllable-rate modulation that real chatter has plenty of: −19.9 dB against −11.9).
            c.bright -= FACING_AWAY_BRIGHT * self.away;
        }
        if c.amp < 1e-7 {
            c.amp = 0.0;
            // A chanted fricative sounds on its own before its vowel (see `Syl::lead`).
            if self.mode != Mode::Chant || self.syl.lead <= 0.0 {
                c.fric = 0.0;
            }
        }
        self.voice.render_split(&c, lane, out);
    }

    fn enter(&mut self, mode: Mode, t: f64) {
        self.mode = mode;
        self.mode_since = t;
        self.phrase_left = 0;
        self.sing_on = false;
        // Join the new activity after a short, personal delay so the crowd does not switch
        // in unison (chant and sing wait for their own beat or note).
        if matches!(mode, Mode::Murmur | Mode::Roar) {
            let wait = f64::from(self.range(0.0, if mode == Mode::Murmur { 1.2 } else { 0.35 }));
            self.syl = Syl {
                start: t,
                dur: 0.0,
                ..Syl::default()
            };
            self.busy_until = t + wait;
        } else {
            self.busy_until = t;
        }
    }

    fn plan(&mut self, ctx: &Ctx) {
        if ctx.t0 < self.busy_until {
            return;
        }
        match self.mode {
            Mode::Idle | Mode::Sing => self.busy_until = ctx.t0,
            Mode::Murmur => self.plan_murmur(ctx.t0),
            Mode::Roar => {
                // How many of the phrases are held cheers is the layer's call (`Ctx::hold`: none
                // over a chant or a sing-along, where those who shout do it in short bursts).
                self.plan_roar(ctx.t0, ctx.energy, ctx.hold)
            }
            Mode::Chant => self.plan_chant(ctx),
        }
    }

    fn plan_murmur(&mut self, t: f64) {
        if self.phrase_left == 0 {
            self.phrase_len = 3 + (self.u() * 7.0) as u32;
            self.phrase_left = self.phrase_len;
            // Between phrases: a breath, or the other person's turn.
            let pause = if self.u() < 0.25 {
                self.range(0.7, 1.8)
            } else {
                self.range(0.15, 0.45)
            };
            self.busy_until = t + f64::from(pause);
            return;
        }
        let pos = (self.phrase_len - self.phrase_left) as f32;
        self.phrase_left -= 1;
        let last = self.phrase_left == 0;
        let dur = f64::from(self.range(0.15, 0.24));
        let gap = f64::from(if self.u() < 0.2 {
            self.range(0.07, 0.12)
        } else {
            self.range(0.02, 0.06)
        });
        let decl = -self.range(2.0, 4.0) * pos / self.phrase_len as f32;
        let accented = self.u() < 0.3;
        let accent = if accented {
            self.range(2.0, 5.0)
        } else {
            self.range(-1.5, 1.5)
        };
        let st0 = decl + accent;
        let end = if last {
            if self.u() < 0.15 {
                st0 + self.range(3.0, 5.0)
            } else {
                st0 - self.range(2.0, 4.0)
            }
        } else {
            st0 + self.range(-2.0, 2.0)
        };
        let v0 =
            SPEECH_VOWELS[(self.u() * SPEECH_VOWELS.len() as f32) as usize % SPEECH_VOWELS.len()];
        let v1n =
            SPEECH_VOWELS[(self.u() * SPEECH_VOWELS.len() as f32) as usize % SPEECH_VOWELS.len()];
        let fric = if self.u() < MURMUR_FRIC_SHARE {
            MURMUR_FRIC * self.range(0.3, 1.0)
        } else {
            0.0
        };
        self.syl = Syl {
            start: t,
            dur,
            att: f64::from(self.range(0.015, 0.035)),
            rel: f64::from(self.range(0.05, 0.08)),
            f0: self.speak_f0,
            st: [st0, st0 + self.range(0.0, 1.5), end],
            peak_at: self.range(0.25, 0.5),
            fall_at: 0.0,
            v0,
            v1: lerp_formants(v0, v1n, 0.5),
            fric,
            amp: if accented { 1.0 } else { self.range(0.55, 0.9) },
            bright: self.range(0.3, 0.5),
            breath: MURMUR_BREATH,
            jitter: self.range(0.02, 0.035),
            decay: 0.5,
            lead: 0.0,
            wobble: Wobble::default(),
            flutter: Flutter::default(),
        };
        self.busy_until = t + dur + gap;
    }

    /// Shouted speech: phrases of short syllables with wide accents, high and rough, and held
    /// cheers between them (their share scaled by `held`, 0..=1).
    fn plan_roar(&mut self, t: f64, energy: f32, held: f32) {
        // A roar breaks out in short shouts; the held cheers come as it carries on (held
        // together from the first moment, many voices read as a hair dryer).
        let held_share = ROAR_HELD_SHARE
            * held
            * energy
            * ((t - self.mode_since) / ROAR_HELD_AFTER_SECS).min(1.0) as f32;
        // (No draw when none can be held: the talker's stream stays what it was.)
        if self.phrase_left == 0 && held_share > 0.0 && self.u() < held_share {
            self.plan_held_cheer(t, energy);
            return;
        }
        if self.phrase_left == 0 {
            let (lo, hi) = ROAR_PHRASE_SYLS;
            self.phrase_len = lo + (self.u() * (hi - lo + 1) as f32) as u32;
            self.phrase_len = self.phrase_len.min(hi);
            self.phrase_left = self.phrase_len;
            let (p0, p1) = ROAR_PAUSE_SECS;
            self.busy_until = t + f64::from(self.range(p0, p1));
            return;
        }
        let pos = (self.phrase_len - self.phrase_left) as f32;
        self.phrase_left -= 1;
        let last = self.phrase_left == 0;
        let (d0, d1) = ROAR_SYL_SECS;
        let dur = f64::from(self.range(d0, d1));
        let (g0, g1) = ROAR_GAP_SECS;
        let gap = f64::from(self.range(g0, g1));
        let k = ROAR_PROSODY;
        let decl = -k * self.range(2.0, 4.0) * pos / self.phrase_len as f32;
        let accented = self.u() < ROAR_ACCENT_SHARE;
        let accent = k * if accented {
            self.range(2.0, 5.0)
        } else {
            self.range(-1.5, 1.5)
        };
        let st0 = decl + accent;
        let end = if last {
            st0 - k * self.range(2.0, 5.0)
        } else {
            st0 + k * self.range(-2.0, 2.0)
        };
        let rise = k * self.range(0.0, 1.5);
        // Lombard: shouting raises pitch with excitement, well over an octave above speech.
        let f0 = self.speak_f0 * ROAR_F0_RATIO * semis(3.0 * energy - 1.5);
        let n = SPEECH_VOWELS.len();
        let v0 = SPEECH_VOWELS[(self.u() * n as f32) as usize % n];
        let v1 = SPEECH_VOWELS[(self.u() * n as f32) as usize % n];
        let v0 = lerp_formants(v0, AH, ROAR_OPEN_VOWEL);
        let fric = if self.u() < ROAR_FRIC_SHARE {
            ROAR_FRIC * self.range(0.3, 0.9)
        } else {
            0.0
        };
        self.syl = Syl {
            start: t,
            dur,
            att: f64::from(self.range(0.02, 0.05)),
            rel: f64::from(self.range(0.06, 0.12)),
            f0,
            st: [st0, st0 + rise, end],
            peak_at: self.range(0.25, 0.5),
            fall_at: 0.0,
            v0,
            v1: lerp_formants(v0, lerp_formants(v1, AH, ROAR_OPEN_VOWEL), 0.5),
            fric,
            amp: if accented { 1.0 } else { self.range(0.7, 0.95) },
            bright: 0.55 + 0.45 * energy,
            breath: 0.25,
            jitter: ROAR_JITTER,
            decay: 0.3,
            lead: 0.0,
            wobble: Wobble::default(),
            flutter: Flutter::default(),
        };
        self.busy_until = t + dur + gap;
    }

    /// A held cheer, a phrase of its own: a "wooo!" or "yeaaah!" that rises into a high hold,
    /// rough and breathy as shouting is (never a clean tone: one reads as a siren), and falls
    /// off at its end; a breath follows.
    fn plan_held_cheer(&mut self, t: f64, energy: f32) {
        let (d0, d1) = ROAR_HELD_SECS;
        let dur = f64::from(self.range(d0, d1));
        let ratio = if self.female {
            ROAR_HELD_F0_RATIO.0
        } else {
            ROAR_HELD_F0_RATIO.1
        };
        let (s0, s1) = ROAR_HELD_SCATTER_ST;
        let f0 = self.speak_f0 * ratio * semis(2.0 * energy - 1.0 + self.range(s0, s1));
        let (r0, r1) = ROAR_HELD_RISE_ST;
        let rise = self.range(r0, r1);
        let (f0_, f1_) = ROAR_HELD_FALL_ST;
        let fall = self.range(f0_, f1_);
        let (a0, a1) = ROAR_HELD_FALL_AT;
        let fall_at = self.range(a0, a1);
        let woo = self.u() < 0.5;
        let (v0, v1) = if woo {
            (OO, lerp_formants(OO, AH, 0.5))
        } else {
            (EH, AH)
        };
        self.syl = Syl {
            start: t,
            dur,
            att: f64::from(self.range(0.04, 0.08)),
            rel: f64::from(self.range(0.15, 0.3)),
            f0,
            st: [-rise, 0.0, -fall],
            peak_at: self.range(0.1, 0.2),
            fall_at,
            v0,
            v1,
            fric: if woo {
                0.0
            } else {
                ROAR_FRIC * self.range(0.2, 0.5)
            },
            amp: self.range(ROAR_HELD_AMP.0, ROAR_HELD_AMP.1),
            bright: ROAR_HELD_BRIGHT.0 + ROAR_HELD_BRIGHT.1 * energy,
            breath: 0.2,
            jitter: ROAR_JITTER,
            decay: 0.2,
            lead: 0.0,
            wobble: Wobble {
                depth: self.range(ROAR_HELD_WOBBLE_ST.0, ROAR_HELD_WOBBLE_ST.1),
                rates_hz: [self.range(2.0, 4.5), self.range(5.0, 8.0)],
                phases: [self.range(0.0, 6.3), self.range(0.0, 6.3)],
            },
            flutter: Flutter {
                depth: ROAR_HELD_FLUTTER,
                rate_hz: self.range(ROAR_HELD_FLUTTER_HZ.0, ROAR_HELD_FLUTTER_HZ.1),
                seed: splitmix64(
                    u64::from(self.u().to_bits()) << 32 | u64::from(self.u().to_bits()),
                ),
            },
        };
        let (p0, p1) = ROAR_PAUSE_SECS;
        self.busy_until = t + dur + f64::from(self.range(p0, p1));
    }

    fn plan_chant(&mut self, ctx: &Ctx) {
        let Some(ch) = ctx.chant else {
            self.busy_until = ctx.t0;
            return;
        };
        let m = ch.clock;
        let offset = self.chant_offset + f64::from(CHANT_SCATTER_SECS * (self.u() * 2.0 - 1.0));
        // Look one consonant ahead, so a syllable's fricative can start before its beat.
        let b = m.beats_at(ctx.t0 - offset + CHANT_FRIC_LEAD_SECS);
        let next = if b <= 0.0 { 0 } else { b.ceil() as usize };
        if next >= m.beat_count() {
            self.busy_until = m.end_secs;
            return;
        }
        let pattern = pattern_beats(ch.sounds.len());
        let pos = next % pattern;
        let start = m.beat_secs(next) + offset;
        let beat = m.beat_secs(next + 1) - m.beat_secs(next);
        if pos >= ch.sounds.len() {
            self.busy_until = start + 0.5 * beat;
            return;
        }
        let snd = ch.sounds[pos];
        let last = pos + 1 == ch.sounds.len();
        let contour = CHANT_CONTOUR[if pos == 0 {
            0
        } else if last {
            1
        } else {
            2
        }];
        let detune = self.chant_st + CHANT_SCATTER_ST * (self.u() * 2.0 - 1.0);
        let st = contour.map(|s| s + detune);
        let e = ctx.energy;
        let lead = CHANT_FRIC_LEAD_SECS * f64::from(snd.fric);
        let start = start - lead;
        let (b0, b1) = CHANT_SYL_BEATS;
        let dur = lead + f64::from(self.range(b0, b1)) * beat;
        // Vocal effort: a syllable shouted louder is also brighter (more energy in the upper
        // harmonics), so each chanter's top octaves rise and fall apart from its vowel's body.
        let effort = self.range(CHANT_LOUDNESS, 1.0);
        let effort_share = (effort - CHANT_LOUDNESS) / (1.0 - CHANT_LOUDNESS);
        self.syl = Syl {
            start,
            dur,
            lead,
            att: 0.02,
            rel: 0.08,
            f0: self.speak_f0 * CHANT_F0_RATIO * semis(2.0 * e),
            st,
            peak_at: 0.3,
            fall_at: 0.0,
            v0: lerp_formants(snd.start, AH, 0.15),
            v1: lerp_formants(snd.end, AH, 0.15),
            fric: snd.fric * CHANT_FRIC,
            amp: if pos.is_multiple_of(2) { 1.0 } else { 0.8 } * effort,
            bright: (CHANT_BRIGHT.0 + CHANT_BRIGHT.1 * e + CHANT_BRIGHT.2 * effort_share).min(1.0),
            breath: 0.22,
            jitter: 0.03,
            decay: 0.15,
            wobble: Wobble::default(),
            flutter: Flutter::default(),
        };
        self.busy_until = start + dur;
    }

    fn sing_control(&mut self, ctx: &Ctx) -> VoiceControl {
        let tl = ctx.t1 - self.sing_lag;
        let notes = ctx.notes;
        // Notes are sorted by start and time runs forward: walk on from the last note found
        // (a binary search only on a jump), with the same result as a search from scratch.
        let mut i = self.note_cursor.min(notes.len());
        if i > 0 && notes[i - 1].start > tl {
            i = 0;
        }
        if notes.get(i).is_some_and(|n| n.start <= tl) {
            i += 1;
            if notes.get(i).is_some_and(|n| n.start <= tl) {
                i += notes[i..].partition_point(|n| n.start <= tl);
            }
        }
        self.note_cursor = i;
        let note = if i == 0 {
            None
        } else {
            Some(&notes[i - 1]).filter(|n| tl < n.end)
        };
        let Some(n) = note else {
            self.sing_on = false;
            return VoiceControl {
                f0_hz: midi_to_hz(f64::from(self.sing_st)) as f32,
                ..VoiceControl::default()
            };
        };
        // Fold the lead's line into this singer's comfortable range.
        let (lo, hi) = if self.female {
            (55.0, 76.0)
        } else {
            (43.0, 64.0)
        };
        let mut midi = n.midi;
        while midi > hi {
            midi -= 12.0;
        }
        while midi < lo {
            midi += 12.0;
        }
        let wobble = (splitmix64((i as u64) << 8 ^ self.index as u64) >> 40) as f32 / 16_777_216.0;
        let target = midi + (self.sing_cents + 20.0 * (wobble * 2.0 - 1.0)) / 100.0;
        if self.sing_on {
            self.sing_st += (target - self.sing_st) * ctx.pitch_step;
        } else {
            self.sing_st = target - 0.5;
            self.sing_on = true;
        }
        let local = tl - n.start;
        let dur = n.end - n.start;
        let release = if n.legato {
            1.0
        } else {
            smooth01((n.end - tl) / 0.08)
        };
        let env = smooth01(local / 0.06) * release;
        let f = lerp_formants(
            n.sound.start,
            n.sound.end,
            smooth01(local / (0.6 * dur).max(0.05)),
        );
        VoiceControl {
            f0_hz: midi_to_hz(f64::from(self.sing_st)) as f32,
            formants_hz: [f[0] * self.fscale, f[1] * self.fscale, f[2] * self.fscale],
            amp: env * (0.5 + 0.5 * n.velocity),
            breath: SING_BREATH,
            bright: 0.35 + 0.3 * n.velocity,
            fric: if local < 0.06 {
                n.sound.fric * SING_FRIC * (0.5 + 0.5 * n.velocity) * (1.0 - (local / 0.06) as f32)
            } else {
                0.0
            },
            rough_depth: 0.0,
            rough_hz: 60.0,
            jitter: SING_JITTER,
        }
    }
}
