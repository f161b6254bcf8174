//! The lead singer: a source-filter voice that sings its part and talks during banter, heard
//! dry through a vocal mic and the PA (the engine's venue adds the room).
//!
//! - [`score`] is the part's format: every note and spoken syllable, planned before singing
//!   (a show's part is written by `conductor::score`);
//! - `contour` moves the pitch the way a singer does (glides, scoops, falls, drift);
//! - `source` makes glottal pulses with jitter, shimmer and breath;
//! - `tract` shapes them with five formants and the singer's formant;
//! - [`vowels`] holds the formant tables and the syllable lexicon;
//! - `consonant` articulates onsets: closures and bursts, hiss, breath, level dips;
//! - `pa` band-limits and compresses like a vocal channel.
//!
//! Control values are computed once per chunk and interpolated per sample. When nothing is
//! sung or spoken the singer writes silence without running the voice. It reads nothing but
//! its part and the clock, and knows nothing of the show, the crowd, the room or files.

mod consonant;
mod contour;
mod pa;
pub mod score;
mod source;
mod tract;
pub mod vowels;

use consonant::{
    Articulation, articulate, articulate_coda, coda_hiss, coda_secs, hiss_band, onset_secs,
};
use contour::{Glide, PitchFollower, Wander};
use pa::Channel;
use score::Utterance;
use source::GlottalSource;
use tract::Tract;
use vowels::{Coda, Formants, Onset, Vowel, onset_formants, tune_formants, vowel_formants};

use fundsp::prelude32::{An, U0};

use super::node::{Instrument, InstrumentNode};
use crate::kit::VoiceType;
use crate::kit::derive_seed;
use crate::kit::{CHUNK, ChunkInfo, Stereo};
use crate::kit::{Resonator, Rng, bipolar, rng};

/// Level of the voice before the channel strip, tuned so sustained mf singing leaves the PA
/// near -20 dBFS RMS and ff near -16 dBFS (the brighter tract and the deeper vibrato raised both
/// by ~2 dB at the earlier 0.047).
const VOICE_GAIN: f32 = 0.033;
/// Loudness change per unit of effort, in dB (before the 2:1 compressor halves part of it).
const EFFORT_DB: f32 = 19.0;
/// Speech against singing at the same effort, in dB: 0, because banter's own efforts (0.5
/// unstressed, 0.65 stressed) already put it under the sung phrases; kept as the one knob for
/// the talking level.
const SPEECH_DB: f32 = 0.0;
/// Level of the harmonic air above 4 kHz at zero effort, in dB relative to the source (it rises
/// 6 dB per unit of effort). Kept low on purpose: clean harmonics running up to 10 kHz are what
/// YAMNet hears as an instrument (Music, Theremin); a voice's top octaves are mostly breath. At
/// -16 dB the dry lead read voice 0.15–0.18 with Music 0.15; 10 dB less gave 0.22–0.25 and
/// Music 0.08 (research diagnosis B). With the brighter tract and the lighter breath below,
/// 6 dB less again left the top octaves above 6 kHz 7 dB lower (a real dry singer has almost
/// nothing above ~9 kHz) and added ~0.01 voice.
const AIR_DB: f32 = -32.0;
/// The singer's-formant peak (the "ring" at 2.8–3.6 kHz) at zero effort, in dB. A weaker ring
/// pushes the voice towards an instrument (−6 dB cost 0.02–0.03 voice); 3 dB more than the
/// earlier 5 dB added 0.02–0.04. 3 dB more again (with the brighter tract) added only
/// 0.005–0.01, lifted ff 2 dB and blurred the vowels of high notes, so it stays here.
const RING_DB: f32 = 8.0;
/// How much the ring grows per unit of effort, in dB: the singer's formant grows faster than the
/// voice's level, so ff rings clearly more than mf even with the breath riding on both.
const EFFORT_RING_DB: f32 = 5.0;
/// Gain above ~1.2 kHz at zero effort, in dB. With the harmonic air cut, a slightly brighter
/// mouth reads more as a voice: mf sits 3 dB brighter than it used to.
const TILT_DB: f32 = -1.0;
/// How much brighter above ~1.2 kHz each unit of effort makes the voice, in dB: a louder voice
/// closes its folds faster, so its top grows faster than its level (ff is clearly brighter
/// than mf around the singer's formant).
const EFFORT_TILT_DB: f32 = 5.0;
/// Extra ring on high notes, in dB at E5 (from nothing at A4 and below). Up there only a few
/// harmonics reach the singer's formant; without the extra ring E5 and D5 windows read as
/// Howl, Whimper or Animal.
const HIGH_RING_DB: f32 = 4.0;
/// A less pressed, more open glottis on high notes (added to the open quotient at E5): the
/// lighter mechanism sopranos sing in there.
const HIGH_OPEN: f32 = 0.08;
/// Loudness following the vibrato, as a fraction per cent of vibrato extent: about ±2 dB at
/// ±38 cents. A voice's level swings with its pitch (the harmonics move across the formants);
/// more coupling adds a little voice (twice the earlier 0.0038 gained up to 0.02) but every
/// period's level then differs from the last, which Praat counts as shimmer: 1.5 times keeps
/// whole-song shimmer under 3.81 %.
const VIBRATO_AM: f32 = 0.0057;
/// The vibrato sung, relative to the singer's stated extent. Each note draws 0.85–1.1 of it and
/// ramps in over 0.25 s, and most notes of a song are short, so at 1.0 Praat measured only 31 c
/// over "Echoes" for a 38 c soprano; 1.2 measures 36–39 c there (notes held over 1.3 s: 39 c for
/// a 35 c singer, 34 c before). The extent is much of what YAMNet hears as Singing: 1.2 added
/// 0.02 voice on sung windows, and still 95 % of the notes sit within 15 cents.
const VIBRATO_DEPTH: f32 = 1.2;
/// The vibrato carried through notes too short to settle into one (under 0.4 s), relative to a
/// held note's: a singer's larynx does not stop oscillating for a run of quick syllables, so
/// their pitch keeps swinging at the vibrato's rate. Without it a run of short notes is a row of
/// flat, stepped pitches, which YAMNet heard as a keyboard (Music 0.84, Synthesizer 0.38 over "a
/// lone through the city") or as Synthetic singing. On sung windows of four seed songs (two
/// seeds) 0.5 lifted the voice reading from 0.30 to 0.34, 1.0 to 0.38, most of it as Speech,
/// while ≥ 92 % of the notes Praat measures stayed within 15 cents. Letting the vibrato also run
/// through the onset of held notes (at 0.8) gained nothing more and left only 86 % there.
const SHORT_NOTE_VIBRATO: f32 = 1.0;
/// Slow wander of the loudness inside a phrase, standard deviation in dB: no two notes of a
/// line are sung at quite the same level.
const LOUDNESS_WANDER_DB: f32 = 1.0;
/// Correlation time of that wander, in seconds (a few notes).
const LOUDNESS_WANDER_SECS: f32 = 0.7;
// The three irregularities below are tuned together on the dry lead stems of the seed songs
// (Praat through `inspect-wav --voice --notes`): jitter sets most of the HNR *and* most of the
// measured shimmer (a period of another length meets the previous one's formant ringing at
// another phase), so it sits where HNR is 25–29 dB and whole-song shimmer stays under 3.6 %.
/// Standard deviation of the period from cycle to cycle (jitter), at C5; the source scales it
/// gently with pitch. Measures 0.45–0.6 % local jitter in Praat. At 0.0095 the word-dense songs
/// ("Unapologetic", "Hungry for More": many consonants, few held notes) measured whole-song
/// shimmer 3.6–4.0 %, over the 3.81 % a healthy voice stays under; 0.0085 brought them to
/// 3.4–3.6 % and HNR up 0.7 dB, with the same voice reading (0.279 against 0.277 on their sung
/// windows). Less vibrato loudness coupling (0.0048 instead of 0.0057) did not move shimmer.
const JITTER: f32 = 0.0085;
/// Standard deviation of the pulse amplitude from cycle to cycle. Small on purpose: jitter
/// through the formants, the breath and the vibrato's loudness swing already make 3–3.6 % of
/// measured shimmer (twice this value measured 3.9 % with the deeper vibrato).
const SHIMMER: f32 = 0.002;
/// Aspiration riding on the open phase, relative to the pulses. With the harmonic air cut, this
/// breath fills the top octaves, as in a real voice: with the old tract 0.4 left them clean
/// (Music) and 0.8 took the instrument reading away. With the brighter tract and the deeper
/// vibrato the instrument reading is gone anyway (0.02–0.035), and less breath reads more as a
/// voice: 0.56 +0.015, 0.4 +0.03, 0.24 no more (sung windows, both seed shows). A breath band
/// added in parallel at 4–9 kHz (the continuous hiss a long-term spectrum suggests) cost 0.06.
const ASPIRATION: f32 = 0.45;
/// How much of the aspiration a loud voice loses per unit of effort above mf: louder singing
/// closes the folds more firmly, so ff is less breathy (and clearly brighter) than mf.
const PRESSED_BREATH: f32 = 0.8;
/// Breath noise of a breath in before a phrase, at its loudest (relative to the pulses): some
/// 25 dB under the phrase it leads into, heard as in a dry vocal track, not loud.
const INHALE_BREATH: f32 = 0.25;
/// How long a breath in before a phrase lasts, in seconds: a full breath when the rest allows,
/// a quick catch breath in a short rest, none when there is less room than the shortest.
const INHALE_SECS: std::ops::Range<f32> = 0.15..0.35;
/// The breath in ends this long before the phrase's first note.
const INHALE_END_SECS: f32 = 0.05;
/// Quiet kept between the previous phrase's fall and the breath in.
const INHALE_CLEAR_SECS: f32 = 0.08;

/// How long a syllable that repeats the vowel before it ("ah ah ah", "whoa-oh") takes to start
/// again, in seconds: the folds close for a moment (a soft glottal re-attack), as a singer's do
/// between words; without it such a line is one held tone whose pitch steps. Measured on the
/// mix of the seed songs, where YAMNet hears Howl from this voice over the clap-along (neither
/// alone reads as Howl): re-attacking every vowel-initial syllable cut Howl from 0.07–0.10 to
/// 0.05–0.07 but made the dry stem read as instrument notes (Synthetic singing 0.06, voice
/// 0.20 → 0.17); re-attacking only repeated vowels keeps the dry stem as it was and trims Howl
/// a little (Phoenix Rising 0.09 → 0.07). A change of vowel is articulated by its formant
/// transition already.
const REATTACK_SECS: f32 = 0.06;
/// Level the voice drops to during that re-attack (about −26 dB, which the 12–20 ms level
/// smoothing turns into a 12–20 dB dip). A lighter dip (0.2 over 50 ms) kept most of the Howl;
/// −20 dB made 15–17 dB dips until the brighter tract ([`vowels`]) left only 9 dB on E5.
const REATTACK_LEVEL: f32 = 0.05;

/// What the voice aims for during one chunk.
#[derive(Debug, Clone, Copy)]
struct Target {
    pitch: f32,
    vibrato_cents: f32,
    vibrato_hz: f32,
    amp: f32,
    voicing: f32,
    breath: f32,
    frication: f32,
    breathiness: f32,
    /// How far a consonant closes the mouth: dB taken off everything above ~1.2 kHz.
    muffle_db: f32,
    effort: f32,
    formants: Formants,
    /// Whose noise band the frication hisses in: the onset's, or the coda's at a word's end.
    hiss: Onset,
}

impl Target {
    /// Glide the controls one chunk of `dt` seconds towards `tg` at a singer's speed (the
    /// pitch has its own follower).
    fn approach(&mut self, tg: &Target, dt: f32) {
        // A voiceless consonant stops the voice within a few milliseconds (a stop's closure is
        // silent); otherwise the level falls at a singer's speed.
        let amp_tau = if tg.amp > self.amp {
            0.012
        } else if tg.voicing < 0.5 {
            0.004
        } else {
            0.02
        };
        smooth(&mut self.amp, tg.amp, dt, amp_tau);
        smooth(&mut self.voicing, tg.voicing, dt, 0.008);
        smooth(&mut self.breath, tg.breath, dt, 0.01);
        smooth(&mut self.frication, tg.frication, dt, 0.005);
        smooth(&mut self.breathiness, tg.breathiness, dt, 0.03);
        // Slower than the level: a consonant's colour change spread over a few periods keeps
        // it from reading as period-to-period shimmer.
        smooth(&mut self.muffle_db, tg.muffle_db, dt, 0.02);
        smooth(&mut self.effort, tg.effort, dt, 0.05);
        smooth(&mut self.vibrato_cents, tg.vibrato_cents, dt, 0.05);
        smooth(&mut self.vibrato_hz, tg.vibrato_hz, dt, 0.1);
        // 18 ms time constant: a vowel change is 95 % done after ~55 ms.
        self.formants = self.formants.lerp(&tg.formants, 1.0 - (-dt / 0.018).exp());
        self.hiss = tg.hiss;
    }
}

/// Who sings and what: the voice, the part, and the seed all randomness derives from.
#[derive(Debug, Clone)]
pub struct SingerConfig {
    /// The voice type (formants, ring, speaking pitch).
    pub voice: VoiceType,
    /// Every note and spoken syllable, in time order.
    pub part: Vec<Utterance>,
    /// The voice's own randomness (each utterance also carries its moment's seed).
    pub seed: u64,
}

/// The lead singer: sings and speaks its part.
#[derive(Clone)]
pub struct Singer {
    plan: Vec<Utterance>,
    vowels: [Formants; 5],
    onsets: [Option<Formants>; 11],
    dt: f32,
    sample_rate: f32,
    cursor: usize,
    current: Option<usize>,
    moment_seed: Option<u64>,
    control_rng: Rng,
    noise_rng: Rng,
    source: GlottalSource,
    tract: Tract,
    hiss: Resonator,
    /// The noise band `hiss` is tuned to now.
    hiss_tuned: Onset,
    channel: Channel,
    follower: PitchFollower,
    drift: Wander,
    flutter: Wander,
    vibrato_phase: f32,
    loudness: Wander,
    /// Where the controls are now, gliding towards each chunk's [`Target`] (`pitch` is the
    /// follower's).
    now: Target,
    f0_prev: f32,
    amp_prev: f32,
    active: bool,
    /// Starting from rest: controls jump to their first targets instead of gliding from
    /// whatever the previous moment left behind.
    fresh: bool,
    buf: [f32; CHUNK],
}

fn onset_index(o: Onset) -> usize {
    Onset::ALL.iter().position(|x| *x == o).unwrap_or(0)
}

fn vowel_index(v: Vowel) -> usize {
    Vowel::ALL.iter().position(|x| *x == v).unwrap_or(0)
}

/// How far each voiced onset closes the mouth, in dB off everything above ~1.2 kHz. The tongue
/// tip (l) or the lips and velum (m, n, w) damp the upper formants while the voice goes on, so
/// the top octaves dip at every such syllable, as in real singing; nasals most (their murmur
/// lies almost all below 500 Hz).
fn onset_muffle_db(o: Onset) -> f32 {
    match o {
        Onset::L => 12.0,
        Onset::N | Onset::M => 22.0,
        Onset::W => 10.0,
        Onset::Y => 4.0,
        _ => 0.0,
    }
}

/// How far a voiced coda closes the mouth, in dB off everything above ~1.2 kHz (as the same
/// consonant does at a word's start).
fn coda_muffle_db(c: Coda) -> f32 {
    match c {
        Coda::L => onset_muffle_db(Onset::L),
        Coda::Nasal => onset_muffle_db(Onset::N),
        _ => 0.0,
    }
}

/// One-pole smoothing step for time constant `tau` over `dt`.
fn smooth(value: &mut f32, target: f32, dt: f32, tau: f32) {
    *value += (target - *value) * (1.0 - (-dt / tau).exp());
}

fn effort_gain(effort: f32, speech: bool) -> f32 {
    let db = (effort - 0.65) * EFFORT_DB + if speech { SPEECH_DB } else { 0.0 };
    VOICE_GAIN * 10f32.powf(db / 20.0)
}

impl Singer {
    /// A singer at `sample_rate`.
    pub fn new(cfg: &SingerConfig, sample_rate: f64) -> Self {
        let (voice, seed) = (cfg.voice, cfg.seed);
        let vowels = Vowel::ALL.map(|v| vowel_formants(voice, v));
        let onsets = Onset::ALL.map(|o| onset_formants(voice, o));
        let ring_hz = match voice {
            VoiceType::Soprano => 3300.0,
            VoiceType::Mezzo => 3200.0,
            VoiceType::Alto => 3100.0,
            VoiceType::Tenor => 2900.0,
        };
        let base = derive_seed(seed, "lead");
        Singer {
            plan: cfg.part.clone(),
            vowels,
            onsets,
            dt: (CHUNK as f64 / sample_rate) as f32,
            sample_rate: sample_rate as f32,
            cursor: 0,
            current: None,
            moment_seed: None,
            control_rng: rng(base),
            noise_rng: rng(base ^ 1),
            source: GlottalSource::new(rng(base ^ 2), sample_rate, JITTER, SHIMMER),
            tract: Tract::new(sample_rate, ring_hz),
            hiss: Resonator::new(
                hiss_band(Onset::Fricative).0,
                hiss_band(Onset::Fricative).1,
                sample_rate as f32,
            ),
            hiss_tuned: Onset::Fricative,
            channel: Channel::new(sample_rate, CHUNK),
            follower: PitchFollower::new(60.0),
            drift: Wander::new(4.0, 0.8),
            flutter: Wander::new(2.0, 0.06),
            vibrato_phase: 0.0,
            loudness: Wander::new(LOUDNESS_WANDER_DB, LOUDNESS_WANDER_SECS),
            now: Target {
                pitch: 60.0,
                vibrato_cents: 0.0,
                vibrato_hz: 5.8,
                amp: 0.0,
                voicing: 1.0,
                breath: 0.0,
                frication: 0.0,
                breathiness: 0.0,
                muffle_db: 0.0,
                effort: 0.65,
                formants: vowels[0],
                hiss: Onset::Fricative,
            },
            f0_prev: 220.0,
            amp_prev: 0.0,
            active: false,
            fresh: true,
            buf: [0.0; CHUNK],
        }
    }

    fn vowel(&self, v: Vowel) -> Formants {
        self.vowels[vowel_index(v)]
    }

    /// Entering a moment's part: restart every random stream from the moment's own seed, so
    /// editing one moment of the show leaves the others' randomness unchanged.
    fn enter_moment(&mut self, seed: u64) {
        if self.moment_seed != Some(seed) {
            self.moment_seed = Some(seed);
            self.control_rng = rng(derive_seed(seed, "control"));
            self.noise_rng = rng(derive_seed(seed, "noise"));
            self.source.reseed(rng(derive_seed(seed, "glottis")));
            self.drift = Wander::new(4.0, 0.8);
            self.flutter = Wander::new(2.0, 0.06);
            self.loudness = Wander::new(LOUDNESS_WANDER_DB, LOUDNESS_WANDER_SECS);
            self.vibrato_phase = 0.0;
        }
    }

    /// A new note or syllable starts: reseed at a moment's start, and choose how the pitch
    /// gets there (scoop, glide or slide).
    fn begin(&mut self, i: usize) {
        self.enter_moment(self.plan[i].moment_seed);
        let u = &self.plan[i];
        let after_gap = match self.current {
            Some(p) => u.start - self.plan[p].end > 0.25,
            None => true,
        };
        if u.phrase_start || after_gap {
            self.follower.reset(u.midi - u.scoop_cents / 100.0);
            self.follower.set_glide(if u.speech {
                Glide::SPEECH
            } else {
                Glide::SCOOP
            });
        } else if u.speech {
            self.follower.set_glide(Glide::SPEECH);
        } else if u.slide {
            self.follower.set_glide(Glide::SLIDE);
        } else {
            self.follower.set_glide(Glide::LEGATO);
        }
        self.current = Some(i);
    }

    /// What the voice aims for at time `t`, or `None` when it is silent.
    fn target(&mut self, t: f64) -> Option<Target> {
        let n = self.plan.len();
        while self.cursor < n && self.plan[self.cursor].end + 0.6 < t {
            self.cursor += 1;
        }
        let mut i = self.cursor;
        let mut cur = None;
        while i < n && self.plan[i].start <= t {
            cur = Some(i);
            i += 1;
        }
        let next = (i < n).then_some(i);
        if let Some(c) = cur {
            if self.current != Some(c) && t < self.plan[c].end {
                self.begin(c);
            }
            let u = &self.plan[c];
            if t < u.end {
                return Some(self.sing(c, (t - u.start) as f32));
            }
            let after = (t - u.end) as f32;
            if u.syllable.coda.is_voiceless() {
                // The word ended on a stop or a hiss: the voice has already stopped, nothing
                // falls or carries on to the next note.
            } else if u.phrase_end || next.is_none_or(|nx| self.plan[nx].start - u.end > 0.2) {
                if after < u.tail {
                    return Some(self.fall(c, after / u.tail));
                }
            } else {
                return Some(self.bridge(c));
            }
        }
        let nx = next?;
        let u = &self.plan[nx];
        let lead = (u.start - t) as f32;
        // The breath takes what the rest leaves after the last note's fall, up to a full breath.
        let free = cur.map_or(f32::INFINITY, |c| {
            (u.start - (self.plan[c].end + f64::from(self.plan[c].tail))) as f32
        });
        let len = INHALE_SECS
            .end
            .min(free - INHALE_CLEAR_SECS - INHALE_END_SECS);
        if !u.speech
            && len >= INHALE_SECS.start
            && (INHALE_END_SECS..INHALE_END_SECS + len).contains(&lead)
        {
            self.enter_moment(u.moment_seed);
            return Some(self.inhale(nx, (INHALE_END_SECS + len - lead) / len));
        }
        None
    }

    fn last_vowel(&self, u: &Utterance) -> Formants {
        if u.syllable.hum {
            return self.onsets[onset_index(Onset::M)].unwrap_or(self.vowel(Vowel::U));
        }
        self.vowel(u.syllable.offglide.unwrap_or(u.syllable.nucleus))
    }

    /// Whether sung note `i` starts on the same vowel the note before it ended on, with no
    /// consonant between them, inside a phrase: a syllable that only a re-attack can set apart.
    fn repeats_vowel(&self, i: usize) -> bool {
        let u = &self.plan[i];
        let syl = u.syllable;
        if i == 0 || u.phrase_start || u.speech || syl.hum || syl.onset != Onset::None {
            return false;
        }
        let prev = &self.plan[i - 1].syllable;
        !prev.hum && prev.offglide.unwrap_or(prev.nucleus) == syl.nucleus
    }

    fn sing(&self, i: usize, tau: f32) -> Target {
        let u = &self.plan[i];
        let dur = u.secs() as f32;
        let syl = u.syllable;
        let pace = if u.speech { 0.8 } else { 1.0 };
        let onset_len = (onset_secs(syl.onset) * pace).min(0.35 * dur);
        let in_onset = tau < onset_len;
        let k = if onset_len > 0.0 {
            tau / onset_len
        } else {
            1.0
        };
        // The coda takes the end of the note, never more than the vowel leaves it.
        let coda_len = (coda_secs(syl.coda) * pace).min(0.3 * dur);
        let coda_at = dur - coda_len;
        let in_coda = !in_onset && coda_len > 0.0 && tau >= coda_at;
        let glide_len = (0.35 * dur).min(0.2);
        let coda_formants = match syl.coda {
            Coda::Nasal => self.onsets[onset_index(Onset::N)],
            Coda::L => self.onsets[onset_index(Onset::L)],
            _ => None,
        };
        let formants = if syl.hum {
            self.last_vowel(u)
        } else if in_onset {
            self.onsets[onset_index(syl.onset)].unwrap_or(self.vowel(syl.nucleus))
        } else if in_coda && let Some(f) = coda_formants {
            f
        } else if syl.offglide.is_some() && tau > coda_at - glide_len {
            self.last_vowel(u)
        } else {
            self.vowel(syl.nucleus)
        };
        let Articulation {
            mut level,
            voicing,
            breath,
            frication,
        } = if in_onset {
            articulate(syl.onset, k)
        } else if in_coda {
            articulate_coda(syl.coda, (tau - coda_at) / coda_len)
        } else {
            Articulation::VOWEL
        };
        if tau < REATTACK_SECS && self.repeats_vowel(i) {
            level *= REATTACK_LEVEL;
        }
        if syl.hum {
            level *= 0.5;
        }
        if u.speech {
            // Speech swells and fades on every syllable (the 4–6 Hz rhythm of talking).
            level *= 0.2 + 0.8 * (std::f32::consts::PI * (tau / dur).clamp(0.0, 1.0)).sin();
        }
        let pitch = if u.speech {
            u.midi + (u.end_midi - u.midi) * (tau / dur).clamp(0.0, 1.0)
        } else if u.phrase_end && tau > dur - 0.05 {
            u.midi - u.fall_cents / 100.0
        } else {
            u.midi
        } + u.detune_cents / 100.0;
        let vibrato_cents = if !u.speech && dur >= 0.4 {
            // Singers settle into vibrato sooner on shorter held notes: from 0.6 s on, the onset
            // (100–300 ms) and its ramp shrink with the note, so a 0.6 s note still carries one.
            // Shorter notes keep the drawn onset: most end before their vibrato starts.
            let (delay, ramp) = if dur >= 0.6 {
                (u.vibrato_delay.min(0.2 * dur), (0.3 * dur).min(0.25))
            } else {
                (u.vibrato_delay, 0.25)
            };
            VIBRATO_DEPTH * u.vibrato_cents * ((tau - delay) / ramp).clamp(0.0, 1.0)
        } else if !u.speech {
            SHORT_NOTE_VIBRATO * VIBRATO_DEPTH * u.vibrato_cents
        } else {
            0.0
        };
        Target {
            pitch,
            vibrato_cents,
            vibrato_hz: u.vibrato_hz,
            amp: effort_gain(u.effort, u.speech) * level,
            voicing,
            breath,
            frication,
            breathiness: 0.0,
            muffle_db: if in_onset {
                onset_muffle_db(syl.onset)
            } else if in_coda {
                coda_muffle_db(syl.coda)
            } else {
                0.0
            },
            effort: u.effort,
            formants,
            hiss: if in_coda {
                coda_hiss(syl.coda)
            } else {
                syl.onset
            },
        }
    }

    /// After a phrase's last note: fall 1–2 semitones, fade ~6 dB, get breathy.
    fn fall(&mut self, i: usize, k: f32) -> Target {
        self.follower.set_glide(Glide::FALL);
        let u = &self.plan[i];
        Target {
            pitch: u.end_midi - u.fall_cents / 100.0,
            vibrato_cents: if u.speech {
                0.0
            } else {
                VIBRATO_DEPTH * u.vibrato_cents * (1.0 - k)
            },
            vibrato_hz: u.vibrato_hz,
            amp: effort_gain(u.effort, u.speech) * 10f32.powf(-6.0 * k / 20.0),
            voicing: 1.0 - 0.4 * k,
            breath: 0.05 * k,
            frication: 0.0,
            breathiness: k,
            muffle_db: 0.0,
            effort: u.effort,
            formants: self.last_vowel(u),
            hiss: u.syllable.onset,
        }
    }

    /// Between two notes of a phrase that do not touch: keep the voice going on the last vowel.
    fn bridge(&self, i: usize) -> Target {
        let u = &self.plan[i];
        Target {
            pitch: u.end_midi,
            vibrato_cents: 0.0,
            vibrato_hz: u.vibrato_hz,
            amp: effort_gain(u.effort, u.speech) * 0.7,
            voicing: 1.0,
            breath: 0.0,
            frication: 0.0,
            breathiness: 0.3,
            muffle_db: 0.0,
            effort: u.effort,
            formants: self.last_vowel(u),
            hiss: u.syllable.onset,
        }
    }

    /// A quick breath in before a phrase.
    fn inhale(&self, next: usize, k: f32) -> Target {
        let u = &self.plan[next];
        Target {
            pitch: u.midi,
            vibrato_cents: 0.0,
            vibrato_hz: u.vibrato_hz,
            amp: effort_gain(u.effort, false),
            voicing: 0.0,
            breath: INHALE_BREATH * (std::f32::consts::PI * k.clamp(0.0, 1.0)).sin(),
            frication: 0.0,
            breathiness: 1.0,
            muffle_db: 0.0,
            effort: u.effort,
            // Air drawn in through a half-open mouth, whatever vowel comes next: through an
            // "oo" it would lose all its hiss.
            formants: self.vowel(Vowel::E),
            hiss: u.syllable.onset,
        }
    }

    /// Return to rest after the voice has died away, so silence costs nothing.
    fn rest(&mut self) {
        self.tract.reset();
        self.source.reset();
        self.channel.reset();
        self.hiss.reset();
        self.now.amp = 0.0;
        self.amp_prev = 0.0;
        self.active = false;
        self.fresh = true;
    }
}

impl Singer {
    /// Write the next chunk into `out` (overwriting it): the part's utterances at this time.
    pub fn render(&mut self, info: ChunkInfo, out: &mut Stereo) {
        let t = info.secs();
        let target = self.target(t);
        if target.is_none() && self.now.amp < 1e-5 && self.amp_prev < 1e-5 {
            if self.active {
                self.rest();
            }
            out.clear();
            return;
        }
        self.active = true;
        let dt = self.dt;
        // Between utterances: fade out where the voice is, holding its colour.
        let tg = target.unwrap_or(Target {
            pitch: self.follower.pitch,
            amp: 0.0,
            vibrato_cents: 0.0,
            breath: 0.0,
            frication: 0.0,
            ..self.now
        });

        if self.fresh {
            self.fresh = false;
            // Jump to the first target, but let loudness, breath and vibrato grow in.
            self.now = Target {
                amp: self.now.amp,
                breath: 0.0,
                frication: 0.0,
                vibrato_cents: 0.0,
                ..tg
            };
            self.f0_prev = 440.0 * 2f32.powf((self.follower.pitch - 69.0) / 12.0);
        }
        self.now.approach(&tg, dt);
        if self.now.hiss != self.hiss_tuned {
            self.hiss_tuned = self.now.hiss;
            let (hz, q) = hiss_band(self.hiss_tuned);
            self.hiss.tune(hz, q, self.sample_rate);
        }

        // Pitch: note + glide/scoop/fall + vibrato + drift + flutter, in cents.
        let pitch = self.follower.step(tg.pitch, dt);
        self.now.pitch = pitch;
        self.vibrato_phase += std::f32::consts::TAU * self.now.vibrato_hz * dt;
        if self.vibrato_phase > std::f32::consts::TAU {
            self.vibrato_phase -= std::f32::consts::TAU;
        }
        let vib = self.vibrato_phase.sin();
        let cents = pitch * 100.0
            + self.now.vibrato_cents * vib
            + self.drift.step(&mut self.control_rng, dt)
            + self.flutter.step(&mut self.control_rng, dt);
        let f0 = 440.0 * 2f32.powf((cents / 100.0 - 69.0) / 12.0);
        // Loudness follows the vibrato, a little behind the pitch, and wanders slowly.
        let wander_db = self.loudness.step(&mut self.control_rng, dt);
        let amp = self.now.amp
            * 10f32.powf(wander_db / 20.0)
            * (1.0 + VIBRATO_AM * self.now.vibrato_cents * (self.vibrato_phase + 0.4).sin());

        // The mouth: formants tuned to the note, brighter with effort, more ring on high notes,
        // darker while a consonant closes it.
        let e = self.now.effort;
        let high = ((pitch - 69.0) / 7.0).clamp(0.0, 1.0);
        self.tract.tune(
            &tune_formants(&self.now.formants, f0),
            RING_DB + EFFORT_RING_DB * e + HIGH_RING_DB * high,
            TILT_DB + EFFORT_TILT_DB * e - self.now.muffle_db,
            AIR_DB + 6.0 * e,
        );
        let oq = 0.66 - 0.2 * e + 0.15 * self.now.breathiness + HIGH_OPEN * high;
        // Breath: less on low notes (their many harmonics make each period's peak sensitive to
        // noise, which reads as shimmer), more when singing softly (the folds close less firmly
        // below mf; a soft line without it measures a too-clean HNR), less when singing loud.
        let low = (f0 / 392.0).clamp(0.6, 1.0);
        let soft = 1.0 + 1.5 * (0.65 - e).max(0.0) - PRESSED_BREATH * (e - 0.65).max(0.0);
        let aspiration = ASPIRATION * low * soft * (1.0 + 3.0 * self.now.breathiness);

        let (f_start, a_start) = (self.f0_prev, self.amp_prev);
        let step = 1.0 / CHUNK as f32;
        for (j, y) in self.buf.iter_mut().enumerate() {
            let k = (j + 1) as f32 * step;
            let f = f_start + (f0 - f_start) * k;
            let a = a_start + (amp - a_start) * k;
            let s = self
                .source
                .tick(f, oq, self.now.voicing, aspiration, self.now.breath);
            let hiss = self.hiss.tick(bipolar(&mut self.noise_rng)) * self.now.frication;
            *y = (self.tract.tick(s) + hiss) * a;
        }
        self.f0_prev = f0;
        self.amp_prev = amp;
        self.channel.process(&mut self.buf);
        out.l = self.buf;
        out.r = self.buf;
    }
}

impl Instrument for Singer {
    type Config = SingerConfig;
    type Control = ();
    type Inputs = U0;
    const ID: u64 = 0x636f_6e63_7369_6e67; // "concsing"

    fn build(cfg: &SingerConfig, sample_rate: f64) -> Self {
        Singer::new(cfg, sample_rate)
    }

    fn control(&self, _inputs: &[f32], _info: ChunkInfo) {}

    fn render(&mut self, info: ChunkInfo, _ctl: &(), out: &mut Stereo) {
        Singer::render(self, info, out);
    }
}

/// The singer as a fundsp node: no inputs (the part in `cfg` says what to sing when, on the
/// node's own clock from its first frame), two outputs, the dry vocal mic left and right.
pub fn singer(cfg: SingerConfig) -> An<InstrumentNode<Singer>> {
    An(InstrumentNode::new(cfg))
}
