//! The vocal mic and the PA: band-limited to ~100 Hz–9 kHz (fundsp state-variable filters)
//! and gently compressed (2:1 above the threshold, RMS detector), as a live vocal channel is.
//! No reverb: the engine's venue adds the room.

use crate::kit::one_pole_coef;
use fundsp::prelude64::*;

type Lowpass = FixedSvf<f64, LowpassMode<f64>>;
type Band = An<Pipe<Pipe<FixedSvf<f64, HighpassMode<f64>>, Lowpass>, Lowpass>>;

/// Top of the channel, in Hz: a fourth-order roll-off (Butterworth, two sections), so a dry
/// vocal has almost nothing above ~10 kHz, like a real dry singer's (−12 dB at 12 kHz,
/// −35 dB at 18 kHz); an "s" still hisses up to 9 kHz.
const TOP_HZ: f32 = 9_000.0;

/// Threshold of the compressor in dBFS (RMS).
const THRESHOLD_DB: f32 = -22.0;
/// Compression ratio above the threshold.
const RATIO: f32 = 2.0;
/// Gain after the compressor, so sustained mf singing sits near -20 dBFS.
const MAKEUP_DB: f32 = 0.5;

/// A vocal channel strip: band limit, then compressor.
#[derive(Clone)]
pub struct Channel {
    band: Band,
    /// Mean square of the signal (RMS detector state).
    power: f32,
    power_coef: f32,
    /// Gain (dB) applied now and at the end of the current chunk.
    gain_db: f32,
    attack: f32,
    release: f32,
}

impl Channel {
    /// A channel at `sample_rate` processing chunks of `chunk` frames.
    pub fn new(sample_rate: f64, chunk: usize) -> Self {
        let mut band =
            highpass_hz(100.0, 0.707) >> lowpass_hz(TOP_HZ, 0.541) >> lowpass_hz(TOP_HZ, 1.307);
        band.set_sample_rate(sample_rate);
        band.reset();
        let per_chunk = chunk as f64 / sample_rate;
        let coef = |tau: f64| one_pole_coef(per_chunk, tau);
        Channel {
            band,
            power: 0.0,
            power_coef: one_pole_coef(1.0, 0.015 * sample_rate),
            gain_db: MAKEUP_DB,
            attack: coef(0.008),
            release: coef(0.12),
        }
    }

    /// Process a chunk in place.
    pub fn process(&mut self, x: &mut [f32]) {
        let start = db_to_gain_f(self.gain_db);
        let target_db = {
            let level = 10.0 * (self.power.max(1e-12)).log10();
            let over = (level - THRESHOLD_DB).max(0.0);
            MAKEUP_DB - over * (1.0 - 1.0 / RATIO)
        };
        let k = if target_db < self.gain_db {
            self.attack
        } else {
            self.release
        };
        self.gain_db += (target_db - self.gain_db) * k;
        let end = db_to_gain_f(self.gain_db);
        let step = (end - start) / x.len() as f32;
        let mut g = start;
        for s in x.iter_mut() {
            let y = self.band.filter_mono(*s);
            self.power += self.power_coef * (y * y - self.power);
            g += step;
            *s = y * g;
        }
    }

    /// Return to rest after a silence.
    pub fn reset(&mut self) {
        self.band.reset();
        self.power = 0.0;
        self.gain_db = MAKEUP_DB;
    }
}

fn db_to_gain_f(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}
