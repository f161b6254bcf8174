//! The glottal source: KLGLOTT88 flow-derivative pulses (band-limited at the closure with a
//! polyBLEP), new jitter and shimmer drawn every period, and aspiration noise gated by the
//! open phase, plus ungated breath for "h", inhales and breathy phrase ends.
//!
//! A saw, or any strictly periodic pulse, sounds like a synthesizer; the per-period
//! irregularity and the breath riding on the open phase are what make it a throat.

use crate::kit::{Rng, bipolar, gauss4};

/// A glottal pulse generator with per-period irregularity.
#[derive(Clone)]
pub struct GlottalSource {
    /// Position in the current period, 0..1.
    phase: f32,
    /// Period multiplier drawn for the current period (jitter).
    period_scale: f32,
    /// Amplitude multiplier drawn for the current period (shimmer).
    amp: f32,
    /// Standard deviation of the period, as a fraction.
    jitter: f32,
    /// Standard deviation of the amplitude, as a fraction.
    shimmer: f32,
    /// Last noise sample (for the aspiration's high tilt).
    noise_prev: f32,
    inv_sr: f32,
    rng: Rng,
}

impl GlottalSource {
    /// A source at `sample_rate` drawing its irregularity from `rng`.
    pub fn new(rng: Rng, sample_rate: f64, jitter: f32, shimmer: f32) -> Self {
        GlottalSource {
            phase: 0.0,
            period_scale: 1.0,
            amp: 1.0,
            jitter,
            shimmer,
            noise_prev: 0.0,
            inv_sr: (1.0 / sample_rate) as f32,
            rng,
        }
    }

    /// Restart the random stream (at the start of a moment, so each moment's voice is its own).
    pub fn reseed(&mut self, rng: Rng) {
        self.rng = rng;
    }

    /// Return to rest (start of a new period, no noise memory).
    pub fn reset(&mut self) {
        self.phase = 0.0;
        self.period_scale = 1.0;
        self.amp = 1.0;
        self.noise_prev = 0.0;
    }

    /// Draw the irregularities of a new period.
    #[inline]
    fn new_period(&mut self, f0_hz: f32) {
        // High notes put their energy in the first few harmonics, which a small period error
        // barely decorrelates; a little more jitter up there keeps them from measuring too clean.
        let jitter = self.jitter * (f0_hz / 523.0).sqrt().clamp(0.85, 1.2);
        // Clamp the tails so a rare draw never produces a click-like period.
        self.period_scale = 1.0 + (jitter * gauss4(&mut self.rng)).clamp(-0.03, 0.03);
        self.amp = 1.0 + (self.shimmer * gauss4(&mut self.rng)).clamp(-0.15, 0.15);
    }

    /// One sample of the source at `f0_hz`.
    ///
    /// `oq` is the open quotient (0.35–0.8, lower is more pressed and brighter), `voicing`
    /// scales the pulses (0 for voiceless consonants), `aspiration` the noise that rides on the
    /// open phase, `breath` ungated noise.
    #[inline]
    pub fn tick(&mut self, f0_hz: f32, oq: f32, voicing: f32, aspiration: f32, breath: f32) -> f32 {
        // Period lengths vary, so jitter stretches the phase increment for the whole period.
        let inc = (f0_hz * self.inv_sr / self.period_scale).clamp(1e-6, 0.45);
        let mut ph = self.phase + inc;
        if ph >= 1.0 {
            ph -= 1.0;
            self.new_period(f0_hz);
        }
        self.phase = ph;
        let oq = oq.clamp(0.3, 0.9);
        // Derivative of the KLGLOTT88 flow u = 27/4 x²(1-x), x = phase/oq, scaled by 1/oq so a
        // pressed voice closes harder. It ends the open phase at -scale and jumps to 0.
        let scale = self.amp / oq;
        let (mut g, flow) = if ph < oq {
            let x = ph / oq;
            ((2.0 * x - 3.0 * x * x) * scale, 6.75 * x * x * (1.0 - x))
        } else {
            (0.0, 0.0)
        };
        // polyBLEP around the closure step (height +scale), so high notes do not alias.
        let t = (ph - oq) / inc;
        if (-1.0..0.0).contains(&t) {
            g += 0.5 * scale * (1.0 + t) * (1.0 + t);
        } else if (0.0..1.0).contains(&t) {
            g -= 0.5 * scale * (1.0 - t) * (1.0 - t);
        }
        let n = bipolar(&mut self.rng);
        // Aspiration is mostly high-frequency turbulence: a steep tilt (same power as before)
        // keeps it off the low harmonics that set each period's peak, so it lowers HNR
        // without making the level ragged from period to period (shimmer).
        let hiss = (n - 0.85 * self.noise_prev) * 0.889;
        self.noise_prev = n;
        voicing * (g + hiss * aspiration * (0.1 + flow) * self.amp) + hiss * breath
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::rng;

    #[test]
    fn pulses_have_no_dc_and_the_right_period() {
        let sr = 48_000.0;
        let mut s = GlottalSource::new(rng(1), sr, 0.0, 0.0);
        let n = 48_000;
        let x: Vec<f32> = (0..n).map(|_| s.tick(200.0, 0.55, 1.0, 0.0, 0.0)).collect();
        let mean = x.iter().sum::<f32>() / n as f32;
        assert!(mean.abs() < 1e-3, "dc {mean}");
        // Count closures (large negative-to-zero steps): 200 per second.
        let closures = x.windows(2).filter(|w| w[0] < -0.5 && w[1] > -0.5).count();
        assert!((199..=201).contains(&closures), "{closures}");
    }

    #[test]
    fn jitter_varies_the_period() {
        let mut s = GlottalSource::new(rng(2), 48_000.0, 0.01, 0.0);
        let mut last = 0usize;
        let mut periods = Vec::new();
        let mut prev = 0.0;
        for i in 0..48_000usize {
            let v = s.tick(200.0, 0.55, 1.0, 0.0, 0.0);
            if prev < -0.5 && v > -0.5 {
                periods.push(i - last);
                last = i;
            }
            prev = v;
        }
        let min = periods[1..].iter().min().unwrap();
        let max = periods[1..].iter().max().unwrap();
        assert!(max > min, "periods all equal: {min}");
    }
}
