//! The master stage: a guard that never lets NaN or infinity through, and a transparent
//! look-ahead peak limiter with a ceiling of −1 dBFS.
//!
//! The limiter looks exactly one chunk ahead: the engine feeds it chunk *k* and gets chunk
//! *k − 1* back, so its latency is a whole chunk and the engine can hide it by rendering one
//! chunk ahead. Gain ramps down linearly to reach the needed reduction exactly at the peak, then
//! recovers slowly, so a clap that would clip is turned down without distorting it.
//! This module knows nothing of layers, the timeline or files.

use crate::kit::{CHUNK, Stereo};

/// Peak ceiling, a little under −1 dBFS to leave room for inter-sample peaks.
pub const CEILING: f32 = 0.871; // −1.2 dBFS

/// Look-ahead limiter and non-finite guard.
#[derive(Clone)]
pub struct Master {
    /// The chunk waiting to be released (the look-ahead).
    held: Stereo,
    /// Gain needed per sample in `held` followed by the newest chunk.
    need: [f32; 2 * CHUNK],
    gain: f32,
    release: f32,
    /// Non-finite samples replaced by silence so far (a bug upstream if ever > 0).
    pub non_finite: u64,
}

impl Master {
    /// A master stage at `sample_rate`.
    pub fn new(sample_rate: f64) -> Self {
        Master {
            held: Stereo::default(),
            need: [1.0; 2 * CHUNK],
            gain: 1.0,
            // Recover with a 150 ms time constant.
            release: 1.0 - (-1.0 / (0.15 * sample_rate as f32)).exp(),
            non_finite: 0,
        }
    }

    /// Feed the next chunk; write the limited previous one into `out`.
    pub fn process(&mut self, input: &Stereo, out: &mut Stereo) {
        self.process_channels(input, [&mut out.l, &mut out.r]);
    }

    /// [`Master::process`] writing into a chunk's channels (left, right) wherever they are: a
    /// graph's own buffers, without a copy.
    pub fn process_channels(&mut self, input: &Stereo, out: [&mut [f32; CHUNK]; 2]) {
        let [out_l, out_r] = out;
        // Guard and measure the incoming chunk.
        let mut fresh = input.clone();
        for i in 0..CHUNK {
            for s in [&mut fresh.l[i], &mut fresh.r[i]] {
                if !s.is_finite() {
                    *s = 0.0;
                    self.non_finite += 1;
                }
            }
            let peak = fresh.l[i].abs().max(fresh.r[i].abs());
            self.need[CHUNK + i] = if peak > CEILING { CEILING / peak } else { 1.0 };
        }
        if self.need.iter().all(|&g| g == 1.0) {
            // Nothing to limit within reach: only recover towards unity.
            for i in 0..CHUNK {
                self.gain += (1.0 - self.gain) * self.release;
                out_l[i] = (self.held.l[i] * self.gain).clamp(-CEILING, CEILING);
                out_r[i] = (self.held.r[i] * self.gain).clamp(-CEILING, CEILING);
            }
            self.need.copy_within(CHUNK.., 0);
            self.held = fresh;
            return;
        }
        for i in 0..CHUNK {
            // The lowest gain needed within one chunk ahead, and how far away it is.
            let mut lowest = 1.0f32;
            let mut at = 0;
            for (k, &g) in self.need[i..i + CHUNK].iter().enumerate() {
                if g < lowest {
                    lowest = g;
                    at = k;
                }
            }
            if lowest < self.gain {
                // Ramp down so the gain arrives at `lowest` exactly at its sample.
                self.gain += (lowest - self.gain) / (at as f32 + 1.0);
            } else {
                self.gain += (lowest - self.gain) * self.release;
            }
            let g = self.gain.min(self.need[i]);
            out_l[i] = (self.held.l[i] * g).clamp(-CEILING, CEILING);
            out_r[i] = (self.held.r[i] * g).clamp(-CEILING, CEILING);
        }
        self.need.copy_within(CHUNK.., 0);
        self.held = fresh;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_signals_pass_untouched_one_chunk_late() {
        let mut m = Master::new(48_000.0);
        let mut a = Stereo::default();
        for i in 0..CHUNK {
            a.l[i] = 0.3 * (i as f32 * 0.1).sin();
            a.r[i] = -a.l[i];
        }
        let mut out = Stereo::default();
        m.process(&a, &mut out);
        assert!(
            out.l.iter().all(|v| *v == 0.0),
            "first chunk out is the silent look-ahead"
        );
        m.process(&Stereo::default(), &mut out);
        assert_eq!(out.l, a.l);
        assert_eq!(out.r, a.r);
    }

    #[test]
    fn peaks_stay_under_the_ceiling_and_nan_and_infinity_never_pass() {
        let mut m = Master::new(48_000.0);
        let mut out = Stereo::default();
        let mut worst = 0.0f32;
        for k in 0..50 {
            let mut a = Stereo::default();
            for i in 0..CHUNK {
                a.l[i] = 3.0 * ((k * CHUNK + i) as f32 * 0.05).sin();
                a.r[i] = match i {
                    7 => f32::NAN,
                    19 => f32::INFINITY,
                    31 => f32::NEG_INFINITY,
                    _ => 2.0,
                };
            }
            m.process(&a, &mut out);
            for v in out.l.iter().chain(out.r.iter()) {
                assert!(v.is_finite());
                worst = worst.max(v.abs());
            }
        }
        assert!(worst <= CEILING, "peak {worst}");
        assert!(worst > 0.8, "limited, not silenced: {worst}");
        assert_eq!(m.non_finite, 3 * 50, "every NaN and infinity is counted");
    }
}
