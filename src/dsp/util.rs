//! Small DSP helpers shared by the layers: seeded random numbers, smoothing, resonators, and a
//! helper that renders one layer on its own (for tests and measurements).
//!
//! Everything here is allocation-free per sample and deterministic from its seed.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng as _, SeedableRng};

use super::{CHUNK, ChunkInfo, Layer, Stereo};
use crate::show::Show;

/// The random generator every voice uses: named and portable, so renders stay byte-identical
/// across rand versions and machines (`StdRng`/`SmallRng` are not).
pub type Rng = Xoshiro256PlusPlus;

/// A generator seeded from a derived seed.
pub fn rng(seed: u64) -> Rng {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// Uniform in [0, 1) from the top 24 bits: cheap enough to call per sample.
#[inline]
pub fn uniform(r: &mut Rng) -> f32 {
    (r.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// A non-zero 32-bit seed (for xorshift noise, whose all-zero state would stay silent).
#[inline]
pub fn nonzero_u32(r: &mut Rng) -> u32 {
    r.next_u32() | 1
}

/// Smoothstep of `x` clamped to 0..=1: an S-curve with flat ends, for fades and glides.
#[inline]
pub fn smooth01(x: f64) -> f32 {
    let t = x.clamp(0.0, 1.0) as f32;
    t * t * (3.0 - 2.0 * t)
}

/// Frequency ratio of `st` semitones.
#[inline]
pub fn semis(st: f32) -> f32 {
    (st * (std::f32::consts::LN_2 / 12.0)).exp()
}

/// Uniform white noise in [-1, 1).
#[inline]
pub fn bipolar(r: &mut Rng) -> f32 {
    uniform(r) * 2.0 - 1.0
}

/// Decibels to a linear gain.
#[inline]
pub fn db_to_gain(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// MIDI note number to frequency in Hz.
#[inline]
pub fn midi_to_hz(midi: f64) -> f64 {
    440.0 * 2f64.powf((midi - 69.0) / 12.0)
}

/// Equal-power pan: `pan` in -1 (left) ..= 1 (right) to (left, right) gains.
#[inline]
pub fn pan_gains(pan: f32) -> (f32, f32) {
    let a = (pan.clamp(-1.0, 1.0) + 1.0) * std::f32::consts::FRAC_PI_4;
    (a.cos(), a.sin())
}

/// A two-pole band-pass resonator with zeros at DC and Nyquist (RBJ, 0 dB peak), the body of
/// a clap or a formant. The zeros matter: an all-pole resonator keeps a low-frequency skirt
/// that turns applause into rumble once its level is normalised.
#[derive(Debug, Clone, Copy, Default)]
pub struct Resonator {
    b0: f32,
    a1: f32,
    a2: f32,
    x1: f32,
    x2: f32,
    y1: f32,
    y2: f32,
}

impl Resonator {
    /// A resonator at `hz` with quality `q` at `sample_rate`.
    pub fn new(hz: f32, q: f32, sample_rate: f32) -> Self {
        let mut r = Resonator::default();
        r.tune(hz, q, sample_rate);
        r
    }

    /// The gain that makes white noise come out of a resonator at `hz`, `q` with the power it
    /// went in with (its noise bandwidth is about π/2 · hz/q).
    pub fn noise_gain(hz: f32, q: f32, sample_rate: f32) -> f32 {
        let band = std::f32::consts::FRAC_PI_2 * hz / q.max(0.1);
        (0.5 * sample_rate / band).sqrt()
    }

    /// Retune without clearing the state.
    pub fn tune(&mut self, hz: f32, q: f32, sample_rate: f32) {
        let w = std::f32::consts::TAU * hz.clamp(20.0, sample_rate * 0.45) / sample_rate;
        let alpha = w.sin() / (2.0 * q.max(0.3));
        let norm = 1.0 / (1.0 + alpha);
        self.b0 = alpha * norm;
        self.a1 = 2.0 * w.cos() * norm;
        self.a2 = -(1.0 - alpha) * norm;
    }

    /// The coefficients `(b0, a1, a2)` of `y = b0·(x − x[-2]) + a1·y[-1] + a2·y[-2]`, for
    /// filter banks that keep their state in arrays.
    pub fn coefficients(&self) -> (f32, f32, f32) {
        (self.b0, self.a1, self.a2)
    }

    /// Filter one sample.
    #[inline]
    pub fn tick(&mut self, x: f32) -> f32 {
        let y = self.b0 * (x - self.x2) + self.a1 * self.y1 + self.a2 * self.y2;
        self.x2 = self.x1;
        self.x1 = x;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }

    /// Energy left in the filter state (to tell when a voice has gone quiet).
    #[inline]
    pub fn state_energy(&self) -> f32 {
        self.y1 * self.y1 + self.y2 * self.y2 + self.x1 * self.x1 + self.x2 * self.x2
    }

    /// Forget the state.
    pub fn reset(&mut self) {
        *self = Resonator {
            b0: self.b0,
            a1: self.a1,
            a2: self.a2,
            ..Resonator::default()
        };
    }
}

/// Render `secs` seconds of one layer on its own, following `show`'s params, starting at
/// `from_secs`. Returns interleaved stereo. For tests and measurements, not the audio thread.
pub fn render_layer(
    layer: &mut dyn Layer,
    show: &Show,
    sample_rate: u32,
    from_secs: f64,
    secs: f64,
) -> Vec<f32> {
    let sr = f64::from(sample_rate);
    let first = (from_secs * sr).round() as u64 / CHUNK as u64 * CHUNK as u64;
    let frames = (secs * sr).round() as usize;
    let mut out = Vec::with_capacity(frames * 2);
    let mut chunk = Stereo::default();
    let mut frame = first;
    while out.len() < frames * 2 {
        let info = ChunkInfo {
            frame,
            sample_rate: sr,
        };
        let params = show.params_at(info.secs());
        layer.render(info, &params, &mut chunk);
        for i in 0..CHUNK {
            if out.len() >= frames * 2 {
                break;
            }
            out.push(chunk.l[i]);
            out.push(chunk.r[i]);
        }
        frame += CHUNK as u64;
    }
    out
}
