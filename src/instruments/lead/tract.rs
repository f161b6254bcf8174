//! The vocal tract and the mouth: a spectral-tilt shelf, five formant resonators in cascade
//! (Klatt 1980, each with unity gain at 0 Hz, so the vowel envelope follows from frequencies
//! and bandwidths alone), and a peaking filter for the singer's formant at 2.8–3.6 kHz.
//!
//! Coefficients are set once per chunk; the filters themselves run per sample.

use super::vowels::Formants;
use crate::kit::one_pole_coef_hz;

/// A two-pole resonance with unity gain at 0 Hz (Klatt's cascade resonator).
#[derive(Debug, Clone, Copy, Default)]
struct Resonance {
    a: f32,
    b: f32,
    c: f32,
    y1: f32,
    y2: f32,
}

impl Resonance {
    fn tune(&mut self, hz: f32, bw: f32, sample_rate: f32) {
        let hz = hz.min(sample_rate * 0.45);
        let r = (-std::f32::consts::PI * bw / sample_rate).exp();
        self.c = -r * r;
        self.b = 2.0 * r * (std::f32::consts::TAU * hz / sample_rate).cos();
        self.a = 1.0 - self.b - self.c;
    }

    #[inline]
    fn tick(&mut self, x: f32) -> f32 {
        let y = self.a * x + self.b * self.y1 + self.c * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// An RBJ peaking filter (transposed direct form II).
#[derive(Debug, Clone, Copy, Default)]
struct Peak {
    b0: f32,
    b1: f32,
    b2: f32,
    a1: f32,
    a2: f32,
    s1: f32,
    s2: f32,
}

impl Peak {
    fn tune(&mut self, hz: f32, q: f32, gain_db: f32, sample_rate: f32) {
        let a = 10f32.powf(gain_db / 40.0);
        let w = std::f32::consts::TAU * hz.min(sample_rate * 0.45) / sample_rate;
        let alpha = w.sin() / (2.0 * q);
        let a0 = 1.0 + alpha / a;
        self.b0 = (1.0 + alpha * a) / a0;
        self.b1 = -2.0 * w.cos() / a0;
        self.b2 = (1.0 - alpha * a) / a0;
        self.a1 = self.b1;
        self.a2 = (1.0 - alpha / a) / a0;
    }

    #[inline]
    fn tick(&mut self, x: f32) -> f32 {
        let y = self.b0 * x + self.s1;
        self.s1 = self.b1 * x - self.a1 * y + self.s2;
        self.s2 = self.b2 * x - self.a2 * y;
        y
    }
}

/// Tilt, formants and the singer's formant, tuned per chunk.
#[derive(Debug, Clone)]
pub struct Tract {
    formants: [Resonance; 5],
    ring: Peak,
    ring_hz: f32,
    tilt_state: f32,
    tilt_coef: f32,
    tilt_high: f32,
    air: [f32; 2],
    air_coef: f32,
    air_gain: f32,
    sample_rate: f32,
}

impl Tract {
    /// A tract at `sample_rate` with its singer's-formant peak at `ring_hz`.
    pub fn new(sample_rate: f64, ring_hz: f32) -> Self {
        let sr = sample_rate as f32;
        let mut t = Tract {
            formants: [Resonance::default(); 5],
            ring: Peak::default(),
            ring_hz,
            tilt_state: 0.0,
            // The shelf turns over around 1.2 kHz.
            tilt_coef: one_pole_coef_hz(1200.0, sr),
            tilt_high: 1.0,
            air: [0.0; 2],
            air_coef: one_pole_coef_hz(4000.0, sr),
            air_gain: 0.0,
            sample_rate: sr,
        };
        t.ring.tune(ring_hz, 1.6, 6.0, sr);
        t
    }

    /// Set the formants, the singer's-formant boost, the tilt (gain above ~1.2 kHz in dB) and
    /// the "air" above 4 kHz (dB).
    pub fn tune(&mut self, f: &Formants, ring_db: f32, tilt_db: f32, air_db: f32) {
        self.air_gain = 10f32.powf(air_db / 20.0);
        for (r, (hz, bw)) in self.formants.iter_mut().zip(f.hz.iter().zip(f.bw.iter())) {
            r.tune(*hz, *bw, self.sample_rate);
        }
        self.ring.tune(self.ring_hz, 1.6, ring_db, self.sample_rate);
        self.tilt_high = 10f32.powf(tilt_db / 20.0);
    }

    /// Filter one source sample.
    #[inline]
    pub fn tick(&mut self, x: f32) -> f32 {
        self.tilt_state += self.tilt_coef * (x - self.tilt_state);
        let x = self.tilt_state + self.tilt_high * (x - self.tilt_state);
        let mut y = x;
        for r in self.formants.iter_mut() {
            y = r.tick(y);
        }
        // Five poles alone leave nothing above F5; the tract's higher resonances (and the
        // mouth's radiation) keep some air up to 10 kHz. A two-pole high-pass of the source
        // stands in for them.
        self.air[0] += self.air_coef * (x - self.air[0]);
        let h1 = x - self.air[0];
        self.air[1] += self.air_coef * (h1 - self.air[1]);
        let air = h1 - self.air[1];
        self.ring.tick(y + self.air_gain * air)
    }

    /// Forget the filter states (after a long silence).
    pub fn reset(&mut self) {
        for r in self.formants.iter_mut() {
            r.y1 = 0.0;
            r.y2 = 0.0;
        }
        self.ring.s1 = 0.0;
        self.ring.s2 = 0.0;
        self.tilt_state = 0.0;
        self.air = [0.0; 2];
    }
}
