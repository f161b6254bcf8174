//! A finger or wolf whistle: breath blown through a narrow resonance. The tone is a narrow
//! *noisy* band (white noise through a high-Q resonator, so it has a few tens of Hz of width
//! and a restless amplitude), with a little flutter in pitch and level and a broad breath hiss
//! around it. Its pitch moves only a few semitones: a rise, or the wolf whistle's two parts
//! (a short rise, a gap, then a rise and a longer fall).
//!
//! Why not a sine: a clean sine gliding over an octave is what a police siren is (measured on
//! earlier renders: "Police car (siren)"); real finger whistles are breathy, move by a few
//! semitones at most, and never sit still.
//!
//! Must not touch: scheduling (when and where whistles happen) — that is the cheers layer's.

use crate::kit::xorshift_bipolar24;
use crate::kit::{CHUNK, Stereo};
use crate::kit::{Resonator, Rng, bipolar, nonzero_u32, pan_gains, rng, smooth01, uniform};

/// Where the tone sits (Hz): finger whistles are loudest at 1.5–4 kHz.
pub const WHISTLE_HZ: (f32, f32) = (1500.0, 3000.0);
/// Quality of the resonance that makes the tone: a band of `hz / Q` Hz (about 40–170 Hz).
pub const WHISTLE_Q: (f32, f32) = (20.0, 40.0);
/// The rise of a part, as a frequency ratio: a few semitones (about 1.3–4 st), not an octave.
pub const WHISTLE_RISE: (f32, f32) = (1.08, 1.27);
/// Flutter: random pitch wander depth (fraction of the frequency) and retarget rate (Hz). A
/// blown whistle wavers with the breath (±2.5 %, about ±40 cents); at ±1.2 % a held blast stood
/// as still as a smoke alarm's tone.
const FLUTTER_DEPTH: f32 = 0.025;
const FLUTTER_HZ: (f32, f32) = (6.0, 14.0);
/// Breath hiss around the tone, relative to the tone.
const AIR_LEVEL: f32 = 0.35;
/// Quality of the breath hiss band.
const AIR_Q: f32 = 2.0;
/// RMS of the tone at full amplitude (its peaks, a narrow band's, are about 3× higher).
const TONE_RMS: f32 = 0.3;
/// Onset and release of a part (s): a whistle starts with a short puff.
const ATTACK_SECS: f64 = 0.025;
const RELEASE_SECS: f64 = 0.05;

fn range(r: &mut Rng, a: f32, b: f32) -> f32 {
    a + (b - a) * uniform(r)
}

/// One blown part of a whistle: times (s, from the whistle's start) and its pitch path.
#[derive(Debug, Clone, Copy, Default)]
struct Part {
    start: f64,
    dur: f64,
    /// Frequencies (Hz) at the start, the turn and the end.
    hz: [f32; 3],
    /// Where the turn falls, as a fraction of the part.
    turn_at: f32,
}

impl Part {
    fn hz_at(&self, u: f32) -> f32 {
        let [a, b, c] = self.hz;
        if u < self.turn_at {
            a * (b / a).powf(smooth01(f64::from(u / self.turn_at)))
        } else {
            b * (c / b).powf(smooth01(f64::from(
                (u - self.turn_at) / (1.0 - self.turn_at).max(1e-3),
            )))
        }
    }
}

/// A whistle in flight.
#[derive(Debug, Clone)]
pub struct Whistle {
    /// Whether it is still sounding.
    pub active: bool,
    start: f64,
    parts: [Part; 2],
    n_parts: usize,
    q: f32,
    amp: f32,
    pan: (f32, f32),
    env: f32,
    noise: u32,
    tone: [Resonator; 2],
    air: Resonator,
    flutter: f32,
    flutter_to: f32,
    flutter_left: u32,
    /// Randomness while sounding (flutter).
    r: Rng,
}

impl Whistle {
    /// A silent whistle.
    pub fn idle(sample_rate: f64) -> Self {
        let sr = sample_rate as f32;
        Whistle {
            active: false,
            start: 0.0,
            parts: [Part::default(); 2],
            n_parts: 1,
            q: 30.0,
            amp: 0.0,
            pan: pan_gains(0.0),
            env: 0.0,
            noise: 1,
            tone: [Resonator::new(2000.0, 30.0, sr); 2],
            air: Resonator::new(2000.0, AIR_Q, sr),
            flutter: 0.0,
            flutter_to: 0.0,
            flutter_left: 0,
            r: rng(0),
        }
    }

    /// Start a whistle at `t` (s) with peak gain `amp`, placed at `pan`, drawn from `r`.
    pub fn spawn(&mut self, t: f64, amp: f32, pan: f32, r: &mut Rng) {
        let lo = range(r, WHISTLE_HZ.0, WHISTLE_HZ.1 / WHISTLE_RISE.1);
        let rise = range(r, WHISTLE_RISE.0, WHISTLE_RISE.1);
        let hi = lo * rise;
        let mut parts = [Part::default(); 2];
        let n_parts = if uniform(r) < 0.55 {
            // Wolf whistle: a short rise ("wheet"), a breath, then up and a long fall ("whoo").
            let d1 = f64::from(range(r, 0.18, 0.3));
            let gap = f64::from(range(r, 0.06, 0.16));
            let d2 = f64::from(range(r, 0.4, 0.8));
            parts[0] = Part {
                start: 0.0,
                dur: d1,
                hz: [lo, hi, hi * 0.99],
                turn_at: 0.75,
            };
            parts[1] = Part {
                start: d1 + gap,
                dur: d2,
                hz: [lo * range(r, 1.0, 1.06), hi, lo * range(r, 0.9, 0.98)],
                turn_at: range(r, 0.2, 0.35),
            };
            2
        } else {
            // A single blast: a quick scoop up, then a long sag as the breath runs out (1.3–4.5
            // st over the rest of the blast). Forty solo blasts that held their note after a
            // slow scoop (turn at 15–60 %, a fall of 0.3–2 st) read *Alarm* 0.22 and water
            // 0.14 where they sounded; sagging, with the breath's flutter, 0.16 and 0.10, and
            // *Whistling*/*Whistle* 0.44 → 0.42.
            let d = f64::from(range(r, 0.4, 1.2));
            parts[0] = Part {
                start: 0.0,
                dur: d,
                hz: [lo, hi, hi / range(r, 1.08, 1.3)],
                turn_at: range(r, 0.12, 0.3),
            };
            1
        };
        let q = range(r, WHISTLE_Q.0, WHISTLE_Q.1);
        *self = Whistle {
            active: true,
            start: t,
            parts,
            n_parts,
            q,
            amp,
            pan: pan_gains(pan),
            env: 0.0,
            noise: nonzero_u32(r),
            flutter: 0.0,
            flutter_to: 0.0,
            flutter_left: 0,
            r: rng(u64::from(nonzero_u32(r))),
            ..*self
        };
        for res in &mut self.tone {
            res.reset();
        }
        self.air.reset();
    }

    /// Total length of the whistle (s).
    pub fn secs(&self) -> f64 {
        let p = &self.parts[self.n_parts - 1];
        p.start + p.dur
    }

    /// Add one chunk ending at `t` (s) into `out`.
    pub fn render(&mut self, t: f64, sample_rate: f32, out: &mut Stereo) {
        let local = t - self.start;
        // The part under way (or the last one started): parts never overlap.
        let part = *self.parts[..self.n_parts]
            .iter()
            .rev()
            .find(|p| local >= p.start)
            .unwrap_or(&self.parts[0]);
        let x = local - part.start;
        let env = if (0.0..part.dur).contains(&x) {
            smooth01(x / ATTACK_SECS) * smooth01((part.dur - x) / RELEASE_SECS)
        } else {
            0.0
        };
        let u = ((local - part.start) / part.dur).clamp(0.0, 1.0) as f32;
        // Flutter: a smoothed random walk in pitch and level, retargeted every 70–170 ms.
        let dt = CHUNK as f32 / sample_rate;
        if self.flutter_left == 0 {
            self.flutter_to = FLUTTER_DEPTH * bipolar(&mut self.r);
            self.flutter_left =
                (1.0 / (range(&mut self.r, FLUTTER_HZ.0, FLUTTER_HZ.1) * dt)) as u32 + 1;
        }
        self.flutter_left -= 1;
        self.flutter += (self.flutter_to - self.flutter) * (dt * 40.0).min(1.0);
        let hz = part.hz_at(u) * (1.0 + self.flutter);
        for res in &mut self.tone {
            res.tune(hz, self.q, sample_rate);
        }
        self.air.tune(hz, AIR_Q, sample_rate);
        let target = env * self.amp * (1.0 + 8.0 * self.flutter);
        let step = (target - self.env) / CHUNK as f32;
        // Uniform noise has power 1/3; the two cascaded resonators pass half the noise band
        // of one.
        let tg = TONE_RMS * 6f32.sqrt() * Resonator::noise_gain(hz, self.q, sample_rate);
        let ag = AIR_LEVEL * TONE_RMS * 3f32.sqrt() * Resonator::noise_gain(hz, AIR_Q, sample_rate);
        for i in 0..CHUNK {
            self.env += step;
            let n = xorshift_bipolar24(&mut self.noise);
            let first = self.tone[0].tick(n);
            let band = self.tone[1].tick(first);
            let y = self.env * (tg * band + ag * self.air.tick(n));
            out.l[i] += y * self.pan.0;
            out.r[i] += y * self.pan.1;
        }
        self.env = target;
        if local >= self.secs() {
            self.active = false;
        }
    }
}
