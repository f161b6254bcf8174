//! One source-filter voice: a glottal pulse train with cycle-to-cycle irregularity and breath
//! noise, a spectral tilt for effort, three parallel vowel formants, an onset fricative and an
//! optional roughness modulation (screams). Talkers, chanters, singers and one-shot cheers are
//! all scripts that steer this voice once per chunk.
//!
//! Controls are given for the *end* of each chunk and ramped linearly across it, so nothing
//! zips; formant filters are retuned once per chunk (1.3 ms at 48 kHz), which is far finer than
//! any vowel change. The voice skips all work while it is silent.
//!
//! Must not touch: scheduling (what is said when) — that is the scripts' business.

use super::lane::Lane;
use crate::kit::splitmix64;
use crate::kit::{CHUNK, Stereo};
use crate::kit::{Rng, bipolar, pan_gains, rng};
use crate::kit::{one_pole_coef_hz, xorshift_bipolar24};

/// Formant frequencies (F1, F2, F3) in Hz of an adult male vowel; female voices scale them.
pub type Formants = [f32; 3];

/// "ah" as in "father".
pub const AH: Formants = [730.0, 1090.0, 2440.0];
/// "eh" as in "bed".
pub const EH: Formants = [530.0, 1840.0, 2480.0];
/// "ee" as in "see".
pub const EE: Formants = [270.0, 2290.0, 3010.0];
/// "oh" as in "go".
pub const OH: Formants = [570.0, 840.0, 2410.0];
/// "oo" as in "woo".
pub const OO: Formants = [300.0, 870.0, 2240.0];
/// "a" as in "cat".
pub const AE: Formants = [660.0, 1720.0, 2410.0];
/// "uh" as in "but".
pub const UH: Formants = [520.0, 1190.0, 2390.0];
/// "er" as in "her".
pub const ER: Formants = [490.0, 1350.0, 1690.0];
/// "ih" as in "sit".
pub const IH: Formants = [390.0, 1990.0, 2550.0];

/// The vowels chatter is made of, roughly weighted by how often they occur in speech.
pub const SPEECH_VOWELS: [Formants; 12] = [AH, EH, EE, OH, OO, AE, UH, ER, IH, UH, IH, EH];

/// Letters of a written syllable that [`syllable_sound`] reads.
pub const SYLLABLE_LETTERS: usize = 24;

/// How a sung or shouted syllable sounds: formants at its start and end (a diphthong glides
/// between them) and the strength of its onset consonant's noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyllableSound {
    /// Formants where the syllable starts ("y" of "yeah" starts at "ee").
    pub start: Formants,
    /// Formants where the syllable ends.
    pub end: Formants,
    /// Onset fricative level 0..=1 ("s", "h", "f", "sh", "ch" are strong).
    pub fric: f32,
}

/// The sound of a written syllable ("yeah", "song", "hey"): vowels from its letters, glides
/// for a leading "w"/"y" and trailing "y"/"r"/"w", noise for a leading fricative. A tiny
/// letter-to-sound rule set, enough for chants and sing-along syllables.
///
/// Allocation-free (the cheers call it on the audio thread when a shout starts): letters past
/// the first [`SYLLABLE_LETTERS`] are ignored, which no syllable reaches.
pub fn syllable_sound(text: &str) -> SyllableSound {
    let mut letters = [0u8; SYLLABLE_LETTERS];
    let mut n = 0;
    for b in text.bytes().filter(u8::is_ascii_alphabetic) {
        if n < letters.len() {
            letters[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    let s = &letters[..n];
    let is_vowel = |b: u8| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u');
    let first_v = s.iter().position(|&b| is_vowel(b));
    let nucleus = match first_v {
        None if s.contains(&b'y') => EE,
        None => UH,
        Some(i) => {
            let a = s[i];
            let b = s.get(i + 1).copied().unwrap_or(0);
            match (a, b) {
                (b'e', b'e') | (b'i', b'e') => EE,
                (b'e', b'a') => {
                    if s.get(i + 2) == Some(&b'h') || i + 2 >= s.len() {
                        AE
                    } else {
                        EE
                    }
                }
                (b'o', b'o') | (b'o', b'u') | (b'u', _) => OO,
                (b'o', b'a') | (b'o', b'w') => OH,
                (b'a', b'y') | (b'e', b'y') | (b'a', b'i') => EH,
                (b'a', _) => AH,
                (b'e', _) if s.len() <= 2 => EE,
                (b'e', _) => EH,
                (b'i', _) => IH,
                (b'o', _) if s.len() <= 2 => OH,
                (b'o', _) => {
                    if s.ends_with(b"ne") {
                        UH
                    } else {
                        OH
                    }
                }
                _ => UH,
            }
        }
    };
    let start = match s.first() {
        Some(b'w') => OO,
        Some(b'y') => EE,
        Some(b'l') | Some(b'n') | Some(b'm') => lerp_formants(nucleus, UH, 0.4),
        _ => nucleus,
    };
    let end = if s.ends_with(b"y") || s.ends_with(b"ey") || s.ends_with(b"ay") {
        EE
    } else if s.ends_with(b"r") || s.ends_with(b"re") {
        ER
    } else if s.ends_with(b"w") || s.ends_with(b"oa") && s.len() > 3 {
        OO
    } else if s.ends_with(b"ng") || s.ends_with(b"n") || s.ends_with(b"m") {
        lerp_formants(nucleus, UH, 0.5)
    } else {
        nucleus
    };
    let fric = match (s.first(), s.get(1)) {
        (Some(b's'), _) | (Some(b'c'), Some(b'h')) | (Some(b'f'), _) | (Some(b'z'), _) => 0.9,
        (Some(b'h'), _) | (Some(b't'), Some(b'h')) => 0.6,
        (Some(b't'), _) | (Some(b'k'), _) | (Some(b'p'), _) | (Some(b'c'), _) => 0.45,
        (Some(b'g'), _) | (Some(b'd'), _) | (Some(b'b'), _) => 0.2,
        _ => 0.0,
    };
    SyllableSound { start, end, fric }
}

/// Linear blend of two formant sets (`t` = 0 gives `a`).
#[inline]
pub fn lerp_formants(a: Formants, b: Formants, t: f32) -> Formants {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

/// A formant: the shared RBJ constant-peak band-pass, whose zeros at DC and Nyquist keep a
/// voice's fundamental from swamping its vowel.
pub use crate::kit::Resonator as Formant;

/// A voice's three formants as one bank: [`Formant`] band-passes that share their numerator.
///
/// Every formant's zeros sit at DC and at `-rho`, so the numerator
/// `(1 - z^-1)(1 + rho z^-1)` is applied once to the input and the formants themselves are
/// two-pole resonances with their gains folded in. With `rho` = 1 (zeros at DC and Nyquist)
/// each is exactly the RBJ [`Formant`]. At half rate the Nyquist zero comes close to the band
/// and eats the formants' upper skirts; with `rho` ≈ 1/3 the half-rate voice stays within
/// about 0.5 dB of the full-rate one up to 0.42 × its own rate. The lanes are laid out four
/// wide (the fourth idle) so the per-sample update is a few vector operations.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct FormantBank {
    /// Numerator taps after the leading 1: `rho - 1` and `-rho`.
    n1: f32,
    n2: f32,
    x1: f32,
    x2: f32,
    b0: [f32; 4],
    a1: [f32; 4],
    a2: [f32; 4],
    y1: [f32; 4],
    y2: [f32; 4],
}

impl FormantBank {
    /// A bank whose zeros sit at DC and `-rho` (`rho` = 1: DC and Nyquist).
    pub(super) fn new(rho: f32) -> Self {
        FormantBank {
            n1: rho - 1.0,
            n2: -rho,
            ..FormantBank::default()
        }
    }

    /// Retune formant `k` (keeping the state) to `hz` with quality `q` and centre gain `gain`.
    pub(super) fn tune(&mut self, k: usize, hz: f32, q: f32, gain: f32, sample_rate: f32) {
        let w = std::f32::consts::TAU * hz.clamp(20.0, sample_rate * 0.45) / sample_rate;
        let (s1, c1) = w.sin_cos();
        let alpha = s1 / (2.0 * q.max(0.3));
        let a0 = 1.0 + alpha;
        let (a1, a2) = (2.0 * c1 / a0, -(1.0 - alpha) / a0);
        self.a1[k] = a1;
        self.a2[k] = a2;
        self.b0[k] = gain
            * if self.n2 <= -1.0 {
                alpha / a0
            } else {
                // |D| / |N| at the centre, for unity gain there.
                let (s2, c2) = (2.0 * w).sin_cos();
                let (n1, n2) = (self.n1, self.n2);
                let num = (1.0 + n1 * c1 + n2 * c2).hypot(n1 * s1 + n2 * s2);
                let den = (1.0 - a1 * c1 - a2 * c2).hypot(a1 * s1 + a2 * s2);
                den / num
            };
    }

    /// Filter one sample: the shared zeros, then each formant's output.
    #[inline(always)]
    fn step(&mut self, x: f32) -> [f32; 4] {
        let u = x + self.n1 * self.x1 + self.n2 * self.x2;
        self.x2 = self.x1;
        self.x1 = x;
        let y: [f32; 4] = std::array::from_fn(|k| {
            self.b0[k] * u + self.a1[k] * self.y1[k] + self.a2[k] * self.y2[k]
        });
        self.y2 = self.y1;
        self.y1 = y;
        y
    }

    /// Filter one sample through all three formants and sum them.
    #[inline(always)]
    fn tick(&mut self, x: f32) -> f32 {
        let y = self.step(x);
        (y[0] + y[1]) + (y[2] + y[3])
    }

    /// Take `other`'s tuning, keeping this bank's state (two channels sharing one filter).
    pub(super) fn copy_tuning(&mut self, other: &FormantBank) {
        (self.n1, self.n2) = (other.n1, other.n2);
        (self.b0, self.a1, self.a2) = (other.b0, other.a1, other.a2);
    }

    /// Filter one sample and mix the formants with per-formant gains `g` (lane 3 idle), for
    /// callers whose band levels move sample by sample.
    #[inline(always)]
    pub(super) fn tick_mix(&mut self, x: f32, g: &[f32; 4]) -> f32 {
        let y = self.step(x);
        (g[0] * y[0] + g[1] * y[1]) + (g[2] * y[2] + g[3] * y[3])
    }

    fn reset(&mut self) {
        self.x1 = 0.0;
        self.x2 = 0.0;
        self.y1 = [0.0; 4];
        self.y2 = [0.0; 4];
    }
}

/// What a voice should be doing at the end of the current chunk.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VoiceControl {
    /// Fundamental frequency in Hz.
    pub f0_hz: f32,
    /// Formant frequencies in Hz (already scaled for the speaker).
    pub formants_hz: Formants,
    /// Output amplitude (linear, before panning).
    pub amp: f32,
    /// Breath (aspiration) noise relative to the buzz, 0..=1.
    pub breath: f32,
    /// Effort 0..=1: spectral tilt and the weight of the upper formants (Lombard brightness).
    /// Down to [`BRIGHT_MIN`] below 0: the voice heard from behind its talker.
    pub bright: f32,
    /// Onset fricative noise level: relative to `amp` by default, or on its own scale (the same
    /// as `amp`'s, not enveloped by the vowel) for a voice set to
    /// [`Voice::set_fric_absolute`].
    pub fric: f32,
    /// Depth 0..=1 of the roughness amplitude modulation.
    pub rough_depth: f32,
    /// Rate of the roughness modulation in Hz (30–150 Hz for screams).
    pub rough_hz: f32,
    /// Cycle-to-cycle period irregularity (fraction, e.g. 0.03).
    pub jitter: f32,
}

/// Formant bandwidths in Hz (F1, F2, F3), a little wider than read speech: a room full of
/// people is not a phonetics lab.
const BANDWIDTH_HZ: [f32; 3] = [90.0, 120.0, 170.0];

/// A glottal-pulse + formant voice, panned to a fixed place in the stereo field.
///
/// A voice made with [`Voice::new_split`] runs its glottal source and formants (its "body") at
/// a reduced rate into a [`Lane`], and only its onset fricative — the one
/// part with energy up to the top of the band — at the output rate.
#[derive(Clone)]
pub struct Voice {
    /// Rate of the body (source and formants).
    sr: f32,
    /// Breath noise scale that keeps the noise's spectral density independent of the body rate.
    noise_scale: f32,
    /// Separate noise for the fricative when it runs at the output rate.
    fric_noise_state: u32,
    noise: Rng,
    phase: f32,
    cycle_factor: f32,
    cycle_gain: f32,
    open_quotient: f32,
    f0: f32,
    amp: f32,
    breath: f32,
    fric: f32,
    rough_depth: f32,
    rough_phase: f32,
    rough_hz: f32,
    jitter: f32,
    tilt_coef: f32,
    tilt_state: f32,
    fric_state: f32,
    fric_coef: f32,
    res: FormantBank,
    pan: (f32, f32),
    awake: bool,
    noise_state: u32,
    tuned: [f32; 4],
    tuned_bright: f32,
    /// Whether `fric` is an absolute level rather than a share of `amp`.
    fric_absolute: bool,
    /// Two one-pole low-pass states and their coefficient: the top of the output-rate
    /// fricative.
    fric_top: [f32; 2],
    fric_top_coef: f32,
}

/// Upper edge of the output-rate fricative in Hz: "s" and "sh" carry little above 10–12 kHz,
/// and without an edge the hiss would grow with the sample rate.
const FRIC_TOP_HZ: f32 = 9000.0;

/// Upper formant zero for a body at half rate: fitted so that source, tilt and formants
/// together stay within ~0.5 dB of the full-rate voice up to 0.42 × the body rate, at body
/// rates from 22 to 48 kHz.
const SPLIT_RHO: f32 = 1.0 / 3.0;

/// Darkest brightness a voice takes: a relaxed voice heard from behind (the tilt's corner at
/// 2.2 kHz × 4.5^b ≈ 900 Hz, F3 a third of its relaxed weight; its gains stay positive).
pub const BRIGHT_MIN: f32 = -0.6;

/// Rough peak-to-RMS normalisation so that `amp = 1` gives a voice near 0 dBFS peak.
const SOURCE_GAIN: f32 = 2.2;

impl Voice {
    /// A silent voice with its own noise stream, rendered whole at `sample_rate`.
    pub fn new(seed: u64, sample_rate: f64) -> Self {
        Self::new_split(seed, sample_rate, 1)
    }

    /// A silent voice whose body runs at `sample_rate / factor` (for [`Voice::render_split`])
    /// and whose fricative runs at `sample_rate`.
    pub fn new_split(seed: u64, sample_rate: f64, factor: usize) -> Self {
        let out_sr = sample_rate as f32;
        let sr = out_sr / factor as f32;
        Voice {
            sr,
            noise_scale: (1.0 / factor as f32).sqrt(),
            fric_noise_state: (splitmix64(seed ^ 0x6672_6963) as u32) | 1,
            noise: rng(seed),
            phase: 0.0,
            cycle_factor: 1.0,
            cycle_gain: 1.0,
            open_quotient: 0.6,
            f0: 120.0,
            amp: 0.0,
            breath: 0.0,
            fric: 0.0,
            rough_depth: 0.0,
            rough_phase: 0.0,
            rough_hz: 60.0,
            jitter: 0.02,
            tilt_coef: 0.3,
            tilt_state: 0.0,
            fric_state: 0.0,
            fric_coef: one_pole_coef_hz(2500.0, out_sr),
            res: FormantBank::new(if factor > 1 { SPLIT_RHO } else { 1.0 }),
            pan: pan_gains(0.0),
            awake: false,
            noise_state: (splitmix64(seed ^ 0x006e_6f69_7365) as u32) | 1,
            tuned: [0.0; 4],
            tuned_bright: -1.0,
            fric_absolute: false,
            fric_top: [0.0; 2],
            fric_top_coef: one_pole_coef_hz(FRIC_TOP_HZ, out_sr),
        }
    }

    /// Place the voice in the stereo field (-1 left ..= 1 right). Meant for silent moments.
    pub fn set_pan(&mut self, pan: f32) {
        self.pan = pan_gains(pan);
    }

    /// Take [`VoiceControl::fric`] as a level of its own instead of a share of `amp`.
    ///
    /// A consonant comes before its vowel: with the fricative scaled by the vowel's envelope it
    /// is silent through the voicing delay and the attack, and a script that already folds its
    /// gains into `fric` scales it by them twice. Off by default (the behaviour callers had).
    pub fn set_fric_absolute(&mut self, on: bool) {
        self.fric_absolute = on;
    }

    /// Whether the voice is making (or still ringing with) sound.
    pub fn is_awake(&self) -> bool {
        self.awake
    }

    /// Jump straight to `c` without a ramp (for a voice starting from silence).
    pub fn snap(&mut self, c: &VoiceControl) {
        self.f0 = c.f0_hz;
        self.rough_hz = c.rough_hz;
        self.tuned_bright = -1.0;
        self.retune(c);
    }

    fn retune(&mut self, c: &VoiceControl) {
        let b = c.bright.clamp(BRIGHT_MIN, 1.0);
        let f1 = c.formants_hz[0].max(c.f0_hz * 1.1);
        let key = [f1, c.formants_hz[1], c.formants_hz[2], c.f0_hz];
        // Retuning costs a few transcendentals per filter: skip it while nothing has moved by
        // more than a fraction of a formant bandwidth.
        let moved = (0..3).any(|k| (key[k] - self.tuned[k]).abs() > 0.004 * self.tuned[k])
            || (key[3] - self.tuned[3]).abs() > 0.04 * self.tuned[3];
        if !moved && (b - self.tuned_bright).abs() < 0.01 {
            return;
        }
        self.tuned = key;
        self.tuned_bright = b;
        // Tilt: a one-pole low-pass from ~2.2 kHz (relaxed chatter) to ~10 kHz (shouting).
        let tilt_hz = 2200.0 * (4.5f32).powf(b);
        self.tilt_coef = one_pole_coef_hz(tilt_hz, self.sr);
        let gains = [1.0, 0.75 + 0.35 * b, 0.4 + 0.45 * b];
        // Shouting and high voices open the jaw and pull F1 up above f0.
        for k in 0..3 {
            let f = key[k];
            let bw = BANDWIDTH_HZ[k] * (1.0 + c.f0_hz / 600.0);
            self.res.tune(k, f, f / bw, gains[k], self.sr);
        }
        // The glottis follows the effort; a darker voice below 0 is the same voice heard
        // from behind (see `BRIGHT_MIN`).
        self.open_quotient = 0.7 - 0.25 * b.max(0.0);
    }

    /// Add one chunk of this voice, ramping from the previous controls to `c`, into `out`.
    /// For a voice made with [`Voice::new`].
    pub fn render_add(&mut self, c: &VoiceControl, out: &mut Stereo) {
        if !self.wake(c) {
            return;
        }
        let fric = c.fric > 0.0 || self.fric > 0.0;
        let (l, r) = (&mut out.l[..], &mut out.r[..]);
        match (fric, c.rough_depth > 0.0) {
            (false, false) => self.run::<false, false>(c, l, r),
            (true, false) => self.run::<true, false>(c, l, r),
            (false, true) => self.run::<false, true>(c, l, r),
            (true, true) => self.run::<true, true>(c, l, r),
        }
    }

    /// Add one chunk of this voice, ramping to `c`: the body into `lane` (at the body rate),
    /// the fricative into `out` (at the output rate). For a voice made with
    /// [`Voice::new_split`]; roughness, if any, modulates the body only.
    pub fn render_split(&mut self, c: &VoiceControl, lane: &mut Lane, out: &mut Stereo) {
        if !self.wake(c) {
            return;
        }
        let (amp0, fric0) = (self.amp, self.fric);
        let (l, r) = lane.channels();
        if c.rough_depth > 0.0 {
            self.run::<false, true>(c, l, r);
        } else {
            self.run::<false, false>(c, l, r);
        }
        if c.fric > 0.0 || fric0 > 0.0 {
            self.run_fric(amp0, c.amp, fric0, c.fric, out);
        }
    }

    /// Sleep through silence or wake up (and retune) for this chunk; false while silent.
    fn wake(&mut self, c: &VoiceControl) -> bool {
        if c.amp <= 0.0 && c.fric <= 0.0 && self.amp <= 0.0 && self.fric <= 0.0 {
            // Silent for the whole chunk: sleep, and forget any ringing (the output gain is 0,
            // so nothing of it would be heard).
            if self.awake {
                self.awake = false;
                self.res.reset();
                self.tilt_state = 0.0;
                self.fric_state = 0.0;
                self.fric_top = [0.0; 2];
            }
            return false;
        }
        if !self.awake {
            self.snap(c);
            self.awake = true;
        }
        self.retune(c);
        true
    }

    /// The onset fricative alone at the output rate: band-passed noise (2.5–9 kHz) under the
    /// same amplitude ramp as the body (or on its own level, see [`Voice::set_fric_absolute`]).
    fn run_fric(&mut self, amp0: f32, amp1: f32, fric0: f32, fric1: f32, out: &mut Stereo) {
        let n = CHUNK as f32;
        let amp_step = (amp1 - amp0) / n;
        let fric_step = (fric1 - fric0) / n;
        let (mut amp, mut fric) = (amp0, fric0);
        let mut ns = self.fric_noise_state;
        let mut state = self.fric_state;
        let coef = self.fric_coef;
        let (pl, pr) = self.pan;
        let absolute = self.fric_absolute;
        let top = self.fric_top_coef;
        let [mut lp1, mut lp2] = self.fric_top;
        for i in 0..CHUNK {
            amp += amp_step;
            fric += fric_step;
            let nz = xorshift_bipolar24(&mut ns);
            state += coef * (nz - state);
            let scale = if absolute { 1.0 } else { amp };
            lp1 += top * ((nz - state) - lp1);
            lp2 += top * (lp1 - lp2);
            let v = lp2 * fric * 0.35 * scale * SOURCE_GAIN;
            out.l[i] += v * pl;
            out.r[i] += v * pr;
        }
        self.fric_noise_state = ns;
        self.fric_state = state;
        self.fric_top = [lp1, lp2];
    }

    /// The per-sample loop over one chunk at the body rate (`l.len()` samples), specialised on
    /// whether the fricative and roughness paths are on.
    #[inline(always)]
    fn run<const FRIC: bool, const ROUGH: bool>(
        &mut self,
        c: &VoiceControl,
        l: &mut [f32],
        r: &mut [f32],
    ) {
        let len = l.len().min(r.len());
        let n = len as f32;
        let f0_step = (c.f0_hz - self.f0) / n;
        let amp_step = (c.amp - self.amp) / n;
        let fric_step = (c.fric - self.fric) / n;
        // Breath, roughness and jitter change slowly: per chunk is fine.
        self.breath = c.breath;
        self.rough_depth = c.rough_depth;
        self.rough_hz = c.rough_hz;
        self.jitter = c.jitter;
        let inv_sr = 1.0 / self.sr;
        let inv_oq = 1.0 / self.open_quotient;
        let (pl, pr) = self.pan;
        let rough_inc = self.rough_hz * inv_sr;
        let rough = self.rough_depth * 4.0;
        let breath = self.breath * self.noise_scale;
        let closed_breath = breath * 0.35;
        let mut ns = self.noise_state;
        let mut f0 = self.f0;
        let mut amp = self.amp;
        let mut fric = self.fric;
        // Work on locals so the whole state stays in registers.
        let mut res = self.res;
        let mut phase = self.phase;
        let mut cycle_factor = self.cycle_factor;
        let mut cycle_gain = self.cycle_gain;
        let mut tilt = self.tilt_state;
        let tilt_coef = self.tilt_coef;
        let mut fric_state = self.fric_state;
        let fric_coef = self.fric_coef;
        let mut rough_phase = self.rough_phase;
        let fric_absolute = self.fric_absolute;
        let inc_scale = inv_sr;
        for i in 0..len {
            f0 += f0_step;
            amp += amp_step;
            phase += f0 * inc_scale * cycle_factor;
            if phase >= 1.0 {
                phase -= 1.0;
                // A new glottal cycle: a little irregularity in period and strength.
                cycle_factor = 1.0 + self.jitter * bipolar(&mut self.noise);
                cycle_gain = 1.0 + self.jitter * bipolar(&mut self.noise);
            }
            // xorshift32 white noise: cheaper than the main generator, plenty for breath.
            let nz = xorshift_bipolar24(&mut ns);
            // KLGLOTT88 flow derivative: polynomial open phase, abrupt closure.
            let x = phase * inv_oq;
            let src = if x < 1.0 {
                (2.0 * x - 3.0 * x * x) * cycle_gain + nz * breath
            } else {
                nz * closed_breath
            };
            tilt += tilt_coef * (src - tilt);
            let mut y = res.tick(tilt);
            let mut consonant = 0.0;
            if FRIC {
                // Onset fricative: high-passed noise.
                fric += fric_step;
                fric_state += fric_coef * (nz - fric_state);
                let hiss = (nz - fric_state) * fric * 0.35;
                if fric_absolute {
                    consonant = hiss * SOURCE_GAIN;
                } else {
                    y += hiss;
                }
            }
            let mut v = y * amp * SOURCE_GAIN + consonant;
            if ROUGH {
                // Roughness: a smooth periodic dip in amplitude (parabolic, cheap).
                rough_phase += rough_inc;
                if rough_phase >= 1.0 {
                    rough_phase -= 1.0;
                }
                v *= 1.0 - rough * rough_phase * (1.0 - rough_phase);
            }
            l[i] += v * pl;
            r[i] += v * pr;
        }
        self.res = res;
        self.phase = phase;
        self.cycle_factor = cycle_factor;
        self.cycle_gain = cycle_gain;
        self.tilt_state = tilt;
        self.fric_state = fric_state;
        self.rough_phase = rough_phase;
        self.noise_state = ns;
        self.amp = c.amp;
        self.f0 = c.f0_hz;
        self.fric = c.fric;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_map_to_plausible_vowels() {
        assert_eq!(syllable_sound("yeah").start, EE);
        assert_eq!(syllable_sound("woo").start, OO);
        assert_eq!(syllable_sound("woo").end, OO);
        assert_eq!(syllable_sound("hey").end, EE);
        assert!(syllable_sound("song").fric > 0.5);
        assert_eq!(syllable_sound("la").start, lerp_formants(AH, UH, 0.4));
    }

    #[test]
    fn voice_sounds_and_then_sleeps() {
        let mut v = Voice::new(1, 48_000.0);
        let mut out = Stereo::default();
        let c = VoiceControl {
            f0_hz: 120.0,
            formants_hz: AH,
            amp: 0.5,
            breath: 0.1,
            bright: 0.3,
            jitter: 0.02,
            ..Default::default()
        };
        let mut e = 0.0;
        for _ in 0..100 {
            out.clear();
            v.render_add(&c, &mut out);
            e += out.l.iter().map(|x| x * x).sum::<f32>();
        }
        assert!(e > 1.0, "voice is audible: {e}");
        let off = VoiceControl { amp: 0.0, ..c };
        for _ in 0..400 {
            out.clear();
            v.render_add(&off, &mut out);
        }
        assert!(!v.is_awake());
        assert!(out.l.iter().all(|x| *x == 0.0));
    }
}
