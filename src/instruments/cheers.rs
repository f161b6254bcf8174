//! The "cheers" stem: one-shot crowd events scattered in time, stereo and distance — breathy
//! "woo"s that glide up and fall, rough irregular screams, finger and wolf whistles (see
//! [`crate::instruments::whistle`]) and short shouted words.
//!
//! What makes them people and not sirens or instruments (measured with an AudioSet classifier
//! on earlier renders, and visible in a real cheering crowd's spectrogram):
//! - screams sit at a shouting pitch (female ~450–750 Hz, male ~250–420 Hz; around 1 kHz a
//!   glottal pulse through formants is close to a gliding sine, a "police car"); their pitch
//!   wanders at random and breaks, never a periodic vibrato; they are rough (30–150 Hz
//!   amplitude modulation), irregular (10 % cycle jitter) and in part period-doubled
//!   (subharmonics);
//! - "woo"s are short (0.3–0.7 s), breathy, on an open vowel, and glide up then fall (a flat
//!   woo is heard as music, a half glide as a siren);
//! - shouts are words of one to three short syllables (0.15–0.3 s) with consonant onsets;
//! - consonant noise has its own level and envelope: it starts before the vowel and does not
//!   scale with the vowel's amplitude (it used to be scaled by the event amplitude twice,
//!   13–23 dB too weak).
//!
//! Events are drawn once per chunk as Poisson arrivals at the rates in [`CheersControl`]
//! (`cheer_rate`, `whistle_rate`, `scream_rate`), from a random stream derived from the
//! section's seed (`gesture_seed`) and the chunk's index inside the section: a section's
//! events depend on nothing else, and a render started mid-section draws the same events. Some arrivals set off
//! a small cluster (others joining in within half a second), as real cheers do. Voices live in
//! fixed pools; a full pool drops the newest event (it would be masked anyway).
//!
//! Must not touch: the crowd's talkers and bed (`instruments::crowd`), applause.

use crate::instruments::crowd::voice::{
    AE, AH, EH, Formants, OO, Voice, VoiceControl, lerp_formants, syllable_sound,
};
use fundsp::prelude32::{An, U4};

use crate::instruments::node::{Instrument, InstrumentNode};
use crate::instruments::whistle::Whistle;
use crate::kit::splitmix64;
use crate::kit::xorshift_bipolar24;
use crate::kit::{CHUNK, ChunkInfo, Stereo};
use crate::kit::{Resonator, Rng, bipolar, nonzero_u32, pan_gains, rng, semis, smooth01, uniform};

/// Voice events ("woo", scream, shout) that can sound at once.
pub const VOICE_POOL: usize = 16;
/// Whistles that can sound at once.
pub const WHISTLE_POOL: usize = 6;

/// Peak gain of a near, loud voice event (about −12 dBFS peak).
const VOICE_GAIN: f32 = 0.22;
/// Peak gain of a near, loud whistle (about −12 dBFS peak).
const WHISTLE_GAIN: f32 = 0.25;

/// Scream pitch ranges (Hz) before the lift with energy: a shouting, not a shrieking, pitch.
const SCREAM_F0_FEMALE_HZ: (f32, f32) = (450.0, 750.0);
const SCREAM_F0_MALE_HZ: (f32, f32) = (250.0, 420.0);
/// Scream cycle-to-cycle irregularity.
const SCREAM_JITTER: f32 = 0.10;
/// Depth of the scream's roughness (0..=1 of the voice's roughness dip).
const SCREAM_ROUGH_DEPTH: (f32, f32) = (0.28, 0.42);
/// Rate of the scream's roughness (Hz).
const ROUGHNESS_HZ: (f32, f32) = (35.0, 140.0);
/// Random pitch wander of a scream: depth (semitones) and how often it takes a new course (Hz).
const SCREAM_WANDER_ST: (f32, f32) = (1.0, 3.0);
const SCREAM_WANDER_HZ: (f32, f32) = (8.0, 18.0);
/// Depth of period doubling (alternate glottal cycles louder and softer), when it is on.
const PERIOD_DOUBLING: f32 = 0.3;
/// Share of a scream's wander steps during which its cycles are period-doubled.
const DOUBLING_SHARE: f32 = 0.6;
/// A scream's pitch break: chance, size (semitones, down into the chest voice) and length (s).
const BREAK_CHANCE: f32 = 0.5;
const BREAK_ST: (f32, f32) = (-9.0, -4.0);
const BREAK_SECS: (f32, f32) = (0.06, 0.2);

/// "Woo" length (s), breath and jitter.
const WOO_SECS: (f32, f32) = (0.3, 0.7);
const WOO_BREATH: f32 = 0.6;
const WOO_JITTER: f32 = 0.06;

/// Shouted syllable length (s) and jitter.
const SHOUT_SYLLABLE_SECS: (f32, f32) = (0.15, 0.3);
const SHOUT_JITTER: f32 = 0.08;
/// Words a concert crowd shouts, as syllables.
const WORDS: [&[&str]; 12] = [
    &["yeah"],
    &["hey"],
    &["yes"],
    &["go"],
    &["more"],
    &["wow"],
    &["come", "on"],
    &["let's", "go"],
    &["oh", "yeah"],
    &["woo", "hoo"],
    &["yeah", "yeah"],
    &["whoo"],
];

/// Consonant noise: how long it leads the vowel (s), and its level relative to the vowel's
/// peak for a fricative of strength 1.
const CONSONANT_LEAD_SECS: f64 = 0.06;
const CONSONANT_GAIN: f32 = 0.5;
/// Quality of the consonant noise band (its centre is per syllable: "h" breath to "s" hiss).
const CONSONANT_Q: f32 = 1.2;

/// Syllables in one voice event at most.
const MAX_SYLLABLES: usize = 3;

/// Audience from which a listener hears the full event rates of [`CheersControl`] (`cheer_rate`,
/// `whistle_rate`, `scream_rate`, tuned on arenas). The cheers heard one by one come from the
/// people within earshot of a seat, some 15–20 m around it (about 2,000 people standing at
/// 2 per m²); a bigger crowd adds to the roar, not to the count of distinct woos and whistles.
const FULL_RATE_AUDIENCE: f32 = 2_000.0;
/// Fewest events, as a share of the full rates, however small the room: a pub has its loud
/// regulars (at full applause still about one woo, shout or whistle a second).
const RATE_FLOOR: f32 = 0.25;

/// Share of the full event rates that an audience of `n` makes: √(n / `FULL_RATE_AUDIENCE`)
/// between `RATE_FLOOR` and 1. Fewer people, fewer voices, but not in proportion: in a small
/// room each person is nearer and more likely to shout. Measured on the mix: with arena rates a
/// pub of 60 got as many screams and whistles as 15,000 people, and they masked its clapping
/// (applause 0.47–0.54 on the mix against 0.55–0.77 on the applause stem alone).
pub fn rate_share(n: u32) -> f32 {
    (n as f32 / FULL_RATE_AUDIENCE)
        .sqrt()
        .clamp(RATE_FLOOR, 1.0)
}

/// Chance that a voice event sets off a cluster, and the delay of the others joining (s).
const CLUSTER_CHANCE: f32 = 0.45;
const CLUSTER_DELAY_SECS: (f32, f32) = (0.05, 0.5);

/// The kinds of one-shot crowd event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheerKind {
    /// "Woo!": a short breathy glide up and fall on an open vowel.
    Woo,
    /// A scream: rough (30–150 Hz amplitude modulation), irregular, with pitch breaks.
    Scream,
    /// A finger or wolf whistle: a narrow noisy band at 1.5–4 kHz.
    Whistle,
    /// A short shouted word ("hey!", "yeah!", "let's go!").
    Shout,
}

/// One syllable of a voice event, its times relative to the event's start (s).
#[derive(Debug, Clone, Copy)]
struct Syllable {
    /// Vowel onset.
    start: f64,
    dur: f64,
    att: f64,
    rel: f64,
    /// Pitch (semitones) at the start, the turn and the end.
    st: [f32; 3],
    peak_at: f32,
    v0: Formants,
    v1: Formants,
    /// Onset consonant strength 0..=1.
    fric: f32,
    /// Centre of the consonant's noise band (Hz).
    fric_hz: f32,
    gain: f32,
}

impl Default for Syllable {
    fn default() -> Self {
        Syllable {
            start: 0.0,
            dur: 0.3,
            att: 0.03,
            rel: 0.08,
            st: [0.0; 3],
            peak_at: 0.5,
            v0: AH,
            v1: AH,
            fric: 0.0,
            fric_hz: 3000.0,
            gain: 1.0,
        }
    }
}

impl Syllable {
    fn env(&self, local: f64) -> f32 {
        let x = local - self.start;
        if (0.0..self.dur).contains(&x) {
            smooth01(x / self.att) * smooth01((self.dur - x) / self.rel)
        } else {
            0.0
        }
    }

    fn pitch_st(&self, u: f32) -> f32 {
        if u < self.peak_at {
            self.st[0] + (self.st[1] - self.st[0]) * smooth01(f64::from(u / self.peak_at))
        } else {
            self.st[1]
                + (self.st[2] - self.st[1])
                    * smooth01(f64::from(
                        (u - self.peak_at) / (1.0 - self.peak_at).max(1e-3),
                    ))
        }
    }

    /// The consonant's envelope: a burst from `CONSONANT_LEAD_SECS` before the vowel into its
    /// first tens of ms.
    fn consonant_env(&self, local: f64) -> f32 {
        if self.fric <= 0.0 {
            return 0.0;
        }
        let x = local - (self.start - CONSONANT_LEAD_SECS);
        let len = CONSONANT_LEAD_SECS + 0.03;
        if (0.0..len).contains(&x) {
            self.fric * smooth01(x / 0.012) * smooth01((len - x) / 0.04)
        } else {
            0.0
        }
    }
}

/// A voice event in flight.
#[derive(Clone)]
struct VoiceEvent {
    sr: f64,
    voice: Voice,
    active: bool,
    /// Start of the event (s); its first consonant may lead this by `CONSONANT_LEAD_SECS`.
    start: f64,
    syl: [Syllable; MAX_SYLLABLES],
    n_syl: usize,
    f0: f32,
    amp: f32,
    bright: f32,
    breath: f32,
    jitter: f32,
    rough_depth: f32,
    rough_hz: f32,
    pan: (f32, f32),
    /// Random pitch wander: depth (st), rate (Hz), where it is, where it heads, chunks left.
    wander_st: f32,
    wander_hz: f32,
    wander: f32,
    wander_to: f32,
    wander_left: u32,
    /// Period doubling: depth now, depth it heads to, and the phase at f0/2.
    doubling: f32,
    doubling_to: f32,
    sub_phase: f32,
    /// Pitch break: when (s after start; negative for none), how long (s), how far (st).
    break_at: f64,
    break_secs: f64,
    break_st: f32,
    /// Randomness while sounding (wander, doubling).
    r: Rng,
    noise: u32,
    consonant: Resonator,
}

fn range(r: &mut Rng, a: f32, b: f32) -> f32 {
    a + (b - a) * uniform(r)
}

/// Where an event comes from: (pan, gain by distance, brightness loss by distance).
fn place(r: &mut Rng) -> (f32, f32, f32) {
    let dist_m = 1.5 + 14.0 * uniform(r).powf(0.7);
    (
        range(r, -1.0, 1.0),
        (2.0 / dist_m).min(1.0),
        -0.3 * dist_m / 15.5,
    )
}

impl VoiceEvent {
    fn idle(sample_rate: f64) -> Self {
        VoiceEvent {
            sr: sample_rate,
            voice: Voice::new(0, sample_rate),
            active: false,
            start: 0.0,
            syl: [Syllable::default(); MAX_SYLLABLES],
            n_syl: 1,
            f0: 300.0,
            amp: 0.0,
            bright: 0.5,
            breath: 0.2,
            jitter: 0.02,
            rough_depth: 0.0,
            rough_hz: 60.0,
            pan: pan_gains(0.0),
            wander_st: 0.0,
            wander_hz: 10.0,
            wander: 0.0,
            wander_to: 0.0,
            wander_left: 0,
            doubling: 0.0,
            doubling_to: 0.0,
            sub_phase: 0.0,
            break_at: -1.0,
            break_secs: 0.1,
            break_st: 0.0,
            r: rng(0),
            noise: 1,
            consonant: Resonator::new(3000.0, CONSONANT_Q, sample_rate as f32),
        }
    }

    /// Start an event of `kind` at `t` with everything drawn from `r`.
    fn spawn(&mut self, kind: CheerKind, t: f64, energy: f32, hush: f32, r: &mut Rng, near: bool) {
        let female = uniform(r) < 0.55;
        let lift = semis(2.0 * energy);
        let (pan, dist_gain, dist_bright) = if near { (0.0, 1.0, 0.0) } else { place(r) };
        let seed = splitmix64(r.next_u64_compat());
        self.voice = Voice::new(seed, self.sr);
        self.voice.set_pan(pan);
        self.pan = pan_gains(pan);
        self.r = rng(seed ^ 0x5eed);
        self.noise = nonzero_u32(r);
        self.consonant.reset();
        self.active = true;
        self.start = t;
        self.rough_depth = 0.0;
        self.wander_st = 0.0;
        self.wander = 0.0;
        self.wander_to = 0.0;
        self.wander_left = 0;
        self.doubling = 0.0;
        self.doubling_to = 0.0;
        self.break_at = -1.0;
        self.n_syl = 1;
        let mut syl = Syllable::default();
        let loud = (0.55 + 0.45 * energy) * (1.0 - 0.4 * hush) * dist_gain;
        match kind {
            CheerKind::Woo => {
                syl.dur = f64::from(range(r, WOO_SECS.0, WOO_SECS.1));
                syl.att = 0.04;
                syl.rel = 0.15;
                self.f0 = lift
                    * if female {
                        range(r, 330.0, 520.0)
                    } else {
                        range(r, 190.0, 300.0)
                    };
                syl.st = [
                    range(r, -4.0, -1.0),
                    range(r, 6.0, 12.0),
                    range(r, -3.0, 2.0),
                ];
                syl.peak_at = range(r, 0.35, 0.6);
                // "w" rounds the lips only at the start: the vowel opens to "ah".
                syl.v0 = lerp_formants(OO, AH, 0.3);
                syl.v1 = AH;
                syl.fric = if uniform(r) < 0.4 { 0.35 } else { 0.0 }; // "whoo"
                syl.fric_hz = 1800.0;
                self.amp = loud * range(r, 0.6, 1.0);
                self.bright = 0.6;
                self.breath = WOO_BREATH;
                self.jitter = WOO_JITTER;
            }
            CheerKind::Scream => {
                syl.dur = f64::from(range(r, 0.6, 1.8));
                syl.att = 0.05;
                syl.rel = 0.25;
                let (lo, hi) = if female {
                    SCREAM_F0_FEMALE_HZ
                } else {
                    SCREAM_F0_MALE_HZ
                };
                self.f0 = lift * range(r, lo, hi);
                syl.st = [
                    range(r, -3.0, 0.0),
                    range(r, 1.0, 4.0),
                    range(r, -8.0, -3.0),
                ];
                syl.peak_at = range(r, 0.2, 0.5);
                // Open vowels: a closed "ee" at this pitch reads as a cat.
                let v = [AH, AE, EH, AH][(uniform(r) * 4.0) as usize % 4];
                syl.v0 = v;
                syl.v1 = lerp_formants(v, AH, 0.5);
                syl.fric = if uniform(r) < 0.5 { 0.5 } else { 0.0 }; // a breathy "h" onset
                syl.fric_hz = 2200.0;
                self.amp = loud * range(r, 0.7, 1.0);
                self.bright = 0.95;
                self.breath = 0.45;
                self.jitter = SCREAM_JITTER;
                self.rough_depth = range(r, SCREAM_ROUGH_DEPTH.0, SCREAM_ROUGH_DEPTH.1);
                self.rough_hz = range(r, ROUGHNESS_HZ.0, ROUGHNESS_HZ.1);
                self.wander_st = range(r, SCREAM_WANDER_ST.0, SCREAM_WANDER_ST.1);
                self.wander_hz = range(r, SCREAM_WANDER_HZ.0, SCREAM_WANDER_HZ.1);
                if uniform(r) < BREAK_CHANCE {
                    self.break_at = syl.dur * f64::from(range(r, 0.3, 0.7));
                    self.break_secs = f64::from(range(r, BREAK_SECS.0, BREAK_SECS.1));
                    self.break_st = range(r, BREAK_ST.0, BREAK_ST.1);
                }
            }
            CheerKind::Shout | CheerKind::Whistle => {
                self.f0 = lift
                    * if female {
                        range(r, 320.0, 480.0)
                    } else {
                        range(r, 180.0, 290.0)
                    };
                let word = WORDS[(uniform(r) * WORDS.len() as f32) as usize % WORDS.len()];
                self.n_syl = word.len().min(MAX_SYLLABLES);
                let mut at = 0.0;
                let mut base = range(r, -1.0, 1.0);
                for (k, text) in word.iter().take(MAX_SYLLABLES).enumerate() {
                    let sound = syllable_sound(text);
                    let last = k + 1 == self.n_syl;
                    let dur = f64::from(range(r, SHOUT_SYLLABLE_SECS.0, SHOUT_SYLLABLE_SECS.1));
                    let s = &mut self.syl[k];
                    *s = Syllable {
                        start: at,
                        dur,
                        att: 0.025,
                        rel: 0.07,
                        st: [
                            base + range(r, 0.0, 1.5),
                            base + range(r, 1.0, 3.5),
                            base + if last {
                                range(r, -5.0, -2.0)
                            } else {
                                range(r, -1.0, 1.0)
                            },
                        ],
                        peak_at: range(r, 0.2, 0.4),
                        v0: lerp_formants(sound.start, AH, 0.2),
                        v1: lerp_formants(sound.end, AH, 0.2),
                        fric: sound.fric,
                        fric_hz: if sound.fric > 0.8 { 4500.0 } else { 2500.0 },
                        gain: if k == 0 { 1.0 } else { range(r, 0.75, 1.0) },
                    };
                    at += dur + f64::from(range(r, 0.03, 0.1)) + CONSONANT_LEAD_SECS * 0.5;
                    base += range(r, -3.0, 2.0);
                }
                // Shouted words are short: they are shouted loud.
                self.amp = loud * range(r, 0.75, 1.25);
                self.bright = 0.8;
                self.breath = 0.3;
                self.jitter = SHOUT_JITTER;
            }
        }
        if self.n_syl == 1 {
            self.syl[0] = syl;
        }
        // A consonant leads its vowel: shift everything so the event starts at `t`.
        if self.syl[0].fric > 0.0 {
            for s in &mut self.syl[..self.n_syl] {
                s.start += CONSONANT_LEAD_SECS;
            }
        }
        self.bright = (self.bright + dist_bright).clamp(0.0, 1.0);
        let fscale = if female { 1.17 } else { 1.0 };
        for s in &mut self.syl[..self.n_syl] {
            s.v0 = s.v0.map(|f| f * fscale);
            s.v1 = s.v1.map(|f| f * fscale);
        }
    }

    /// The end of the last syllable (s after the start).
    fn secs(&self) -> f64 {
        let s = &self.syl[self.n_syl - 1];
        s.start + s.dur
    }

    /// Add the chunk that ends at `t` into `out`, using `scratch` for the voice.
    fn render(&mut self, t: f64, scratch: &mut Stereo, out: &mut Stereo) {
        let local = t - self.start;
        if local < -(CHUNK as f64) / self.sr {
            return; // a cluster member still waiting for its turn
        }
        // The syllable under way (or the last one started) sets pitch and vowel; syllables
        // never overlap, but a consonant may lead into the previous one's release.
        let syl = *self.syl[..self.n_syl]
            .iter()
            .rev()
            .find(|s| local >= s.start)
            .unwrap_or(&self.syl[0]);
        let env = self.syl[..self.n_syl]
            .iter()
            .map(|s| s.env(local))
            .fold(0.0, f32::max);
        let prev = local - CHUNK as f64 / self.sr;
        let cons_syl = *self.syl[..self.n_syl]
            .iter()
            .find(|s| s.consonant_env(local) > 0.0 || s.consonant_env(prev) > 0.0)
            .unwrap_or(&syl);
        let u = ((local - syl.start) / syl.dur).clamp(0.0, 1.0) as f32;
        let dt = CHUNK as f32 / self.sr as f32;
        // Random pitch wander (and period-doubling episodes) instead of a periodic vibrato.
        if self.wander_st > 0.0 {
            if self.wander_left == 0 {
                self.wander_to = self.wander_st * bipolar(&mut self.r);
                self.doubling_to = if uniform(&mut self.r) < DOUBLING_SHARE {
                    PERIOD_DOUBLING
                } else {
                    0.0
                };
                let secs = (0.5 + uniform(&mut self.r)) / self.wander_hz;
                self.wander_left = (secs / dt) as u32 + 1;
            }
            self.wander_left -= 1;
            let k = (dt * 2.0 * self.wander_hz).min(1.0);
            self.wander += (self.wander_to - self.wander) * k;
            self.doubling += (self.doubling_to - self.doubling) * (dt * 60.0).min(1.0);
        }
        let brk = if self.break_at >= 0.0 {
            let x = local - syl.start - self.break_at;
            self.break_st * smooth01(x / 0.015) * smooth01((self.break_secs - x) / 0.015)
        } else {
            0.0
        };
        let f0 = self.f0 * semis(syl.pitch_st(u) + self.wander + brk);
        let amp = self.amp * env * syl.gain * VOICE_GAIN;
        let c = VoiceControl {
            f0_hz: f0,
            formants_hz: lerp_formants(syl.v0, syl.v1, smooth01(f64::from(u) * 1.5)),
            amp,
            breath: self.breath,
            bright: self.bright,
            // The consonant is made here, at its own level (see `consonant_env`).
            fric: 0.0,
            rough_depth: self.rough_depth,
            rough_hz: self.rough_hz * semis(self.wander),
            jitter: self.jitter,
        };
        scratch.clear();
        self.voice.render_add(&c, scratch);
        // Period doubling: alternate glottal cycles louder and softer (an f0/2 modulation).
        let sub_inc = 0.5 * f0 / self.sr as f32;
        let d = self.doubling;
        // The consonant: its own level (event amplitude once) and envelope, not the vowel's.
        let cons = self.amp * cons_syl.gain * VOICE_GAIN * CONSONANT_GAIN;
        let (c0, c1) = (
            cons * cons_syl.consonant_env(prev),
            cons * cons_syl.consonant_env(local),
        );
        let sr = self.sr as f32;
        if c0 > 0.0 || c1 > 0.0 {
            self.consonant.tune(cons_syl.fric_hz, CONSONANT_Q, sr);
        }
        let ng = 3f32.sqrt() * Resonator::noise_gain(cons_syl.fric_hz, CONSONANT_Q, sr);
        let cstep = (c1 - c0) / CHUNK as f32;
        let mut cg = c0;
        for i in 0..CHUNK {
            let mut g = 1.0;
            if d > 0.0 {
                self.sub_phase += sub_inc;
                if self.sub_phase >= 1.0 {
                    self.sub_phase -= 1.0;
                }
                g += d * (std::f32::consts::TAU * self.sub_phase).cos();
            }
            let mut n = 0.0;
            if c0 > 0.0 || c1 > 0.0 {
                cg += cstep;
                let w = xorshift_bipolar24(&mut self.noise);
                n = cg * ng * self.consonant.tick(w);
            }
            out.l[i] += g * scratch.l[i] + n * self.pan.0;
            out.r[i] += g * scratch.r[i] + n * self.pan.1;
        }
        if local >= self.secs() && !self.voice.is_awake() {
            self.active = false;
        }
    }
}

/// Draw a `u64` from our generator (rand's `Rng` trait is not in scope everywhere).
trait NextU64 {
    fn next_u64_compat(&mut self) -> u64;
}

impl NextU64 for Rng {
    fn next_u64_compat(&mut self) -> u64 {
        use rand::Rng as _;
        self.next_u64()
    }
}

/// What the cheers are built from, once: the audience whose size sets how many distinct
/// voices a listener hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheersConfig {
    /// People in the room (see [`rate_share`]).
    pub audience: u32,
    /// Gesture seed of the node's one long section when played as a fundsp node ([`cheers`]);
    /// a conductor gives every section its own seed through [`CheersControl`] instead.
    pub seed: u64,
}

/// What the cheers do now, read at the start of each chunk.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheersControl {
    /// Crowd excitement 0..=1: raises pitch and loudness.
    pub energy: f32,
    /// Hush 0..=1: fewer and softer events.
    pub hush: f32,
    /// "Woo"s and shouts per second (full rate, before the audience's share).
    pub cheer_rate: f32,
    /// Whistles per second.
    pub whistle_rate: f32,
    /// Screams per second.
    pub scream_rate: f32,
    /// Seed of the current section: events are drawn from it and the chunk's index in the
    /// section, so a section's events depend on nothing else and a render started inside it
    /// draws the same ones.
    pub gesture_seed: u64,
    /// Seconds since the current section started.
    pub since_secs: f64,
}

/// The cheers: "woo"s, screams, whistles and shouts.
#[derive(Clone)]
pub struct Cheers {
    voices: Vec<VoiceEvent>,
    whistles: Vec<Whistle>,
    /// Share of the full event rates this audience makes ([`rate_share`]).
    rate_share: f32,
    /// See [`CheersConfig::seed`].
    seed: u64,
    sr: f64,
    scratch: Stereo,
}

/// Spawn a whistle in `w` at `t`, placed at random unless `near`.
fn spawn_whistle(w: &mut Whistle, t: f64, energy: f32, hush: f32, r: &mut Rng, near: bool) {
    let (pan, dist_gain, _) = if near { (0.0, 1.0, 0.0) } else { place(r) };
    let amp = (0.6 + 0.4 * energy) * (1.0 - 0.5 * hush) * dist_gain * range(r, 0.6, 1.0);
    w.spawn(t, amp * WHISTLE_GAIN, pan, r);
}

impl Cheers {
    /// Cheers for the audience of `cfg`, at `sample_rate`.
    pub fn new(cfg: &CheersConfig, sample_rate: f64) -> Self {
        Cheers {
            voices: vec![VoiceEvent::idle(sample_rate); VOICE_POOL],
            whistles: vec![Whistle::idle(sample_rate); WHISTLE_POOL],
            rate_share: rate_share(cfg.audience),
            seed: cfg.seed,
            sr: sample_rate,
            scratch: Stereo::default(),
        }
    }

    fn spawn(&mut self, kind: CheerKind, t: f64, p: &CheersControl, r: &mut Rng) {
        if kind == CheerKind::Whistle {
            if let Some(w) = self.whistles.iter_mut().find(|w| !w.active) {
                spawn_whistle(w, t, p.energy, p.hush, r, false);
            }
        } else if let Some(v) = self.voices.iter_mut().find(|v| !v.active) {
            v.spawn(kind, t, p.energy, p.hush, r, false);
        }
    }

    /// One event of `kind` alone, near and centred, as mono samples (`secs` long): for tests
    /// and measurements of what each kind sounds like.
    pub fn render_solo(kind: CheerKind, seed: u64, sample_rate: f64, secs: f64) -> Vec<f32> {
        let mut r = rng(seed);
        let mut out = Vec::with_capacity((secs * sample_rate) as usize + CHUNK);
        let mut chunk = Stereo::default();
        let mut scratch = Stereo::default();
        let mut v = VoiceEvent::idle(sample_rate);
        let mut w = Whistle::idle(sample_rate);
        if kind == CheerKind::Whistle {
            spawn_whistle(&mut w, 0.0, 0.8, 0.0, &mut r, true);
        } else {
            v.spawn(kind, 0.0, 0.8, 0.0, &mut r, true);
        }
        let mut frame = 0u64;
        while (out.len() as f64) < secs * sample_rate {
            chunk.clear();
            let t = frame as f64 / sample_rate;
            if kind == CheerKind::Whistle {
                if w.active {
                    w.render(t, sample_rate as f32, &mut chunk);
                }
            } else if v.active {
                v.render(t, &mut scratch, &mut chunk);
            }
            out.extend(
                chunk
                    .l
                    .iter()
                    .zip(&chunk.r)
                    .map(|(l, r)| (l + r) * std::f32::consts::FRAC_1_SQRT_2),
            );
            frame += CHUNK as u64;
        }
        out.truncate((secs * sample_rate) as usize);
        out
    }

    /// Write the next chunk into `out` (overwriting it), following `params`. Allocates nothing.
    pub fn render(&mut self, info: ChunkInfo, params: &CheersControl, out: &mut Stereo) {
        out.clear();
        let t = info.secs();
        let dt = CHUNK as f64 / info.sample_rate;
        // The chunk's own random stream: (section seed, chunk index in the section).
        let k = (params.since_secs / dt).round().max(0.0) as u64;
        let mut r = rng(splitmix64(
            params.gesture_seed ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        ));
        let sparse = (1.0 - 0.5 * params.hush) * self.rate_share;
        // Clusters add on average `CLUSTER_CHANCE × 2` events per voice arrival; the arrival
        // rate is lowered to match, so clustering groups events without adding to them.
        let per_arrival = 1.0 + 2.0 * CLUSTER_CHANCE;
        let rates = [
            (
                CheerKind::Woo,
                0.6 * params.cheer_rate * sparse / per_arrival,
            ),
            (
                CheerKind::Shout,
                0.4 * params.cheer_rate * sparse / per_arrival,
            ),
            (CheerKind::Whistle, params.whistle_rate * sparse),
            (CheerKind::Scream, params.scream_rate * sparse / per_arrival),
        ];
        for (kind, rate) in rates {
            if uniform(&mut r) < (f64::from(rate.max(0.0)) * dt) as f32 {
                self.spawn(kind, t, params, &mut r);
                if kind != CheerKind::Whistle && uniform(&mut r) < CLUSTER_CHANCE {
                    // Others join in: one to three more woos and shouts within half a second.
                    for _ in 0..1 + (uniform(&mut r) * 3.0) as usize {
                        let join = if uniform(&mut r) < 0.5 {
                            CheerKind::Woo
                        } else {
                            CheerKind::Shout
                        };
                        let delay = range(&mut r, CLUSTER_DELAY_SECS.0, CLUSTER_DELAY_SECS.1);
                        self.spawn(join, t + f64::from(delay), params, &mut r);
                    }
                }
            }
        }
        for v in self.voices.iter_mut().filter(|v| v.active) {
            v.render(t + dt, &mut self.scratch, out);
        }
        let sr = self.sr as f32;
        for w in self.whistles.iter_mut().filter(|w| w.active) {
            w.render(t + dt, sr, out);
        }
    }
}

impl Instrument for Cheers {
    type Config = CheersConfig;
    type Control = CheersControl;
    type Inputs = U4;
    const ID: u64 = 0x636f_6e63_6368_6565; // "concchee"

    fn build(cfg: &CheersConfig, sample_rate: f64) -> Self {
        Cheers::new(cfg, sample_rate)
    }

    /// Excitement (0..=1), then "woo"s and shouts, whistles and screams per second, from the
    /// node's four inputs; one long section seeded by [`CheersConfig::seed`].
    fn control(&self, inputs: &[f32], info: ChunkInfo) -> CheersControl {
        CheersControl {
            energy: inputs[0].clamp(0.0, 1.0),
            hush: 0.0,
            cheer_rate: inputs[1].max(0.0),
            whistle_rate: inputs[2].max(0.0),
            scream_rate: inputs[3].max(0.0),
            gesture_seed: self.seed,
            since_secs: info.secs(),
        }
    }

    fn render(&mut self, info: ChunkInfo, ctl: &CheersControl, out: &mut Stereo) {
        Cheers::render(self, info, ctl, out);
    }
}

/// The cheers as a fundsp node: four inputs, read every [`CHUNK`] frames — excitement (0..=1),
/// then "woo"s and shouts, finger whistles and screams per second (the rates of a whole
/// crowd; a small audience makes fewer of them) — and two outputs, left and right.
pub fn cheers(cfg: CheersConfig) -> An<InstrumentNode<Cheers>> {
    An(InstrumentNode::new(cfg))
}
