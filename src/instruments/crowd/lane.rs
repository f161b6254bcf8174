//! The talkers' reduced-rate bus: the near voices are rendered at half the sample rate into one
//! shared [`Lane`], and the sum is brought up to the output rate once per chunk by a half-band
//! interpolator. Voiced speech carries almost nothing above 8–10 kHz (a glottal source, three
//! formants under 4 kHz and a spectral tilt), so half of the per-sample work of every voice
//! buys nothing audible; one 2× interpolation of the sum costs less than a single voice.
//!
//! The interpolator is a 47-tap Kaiser-windowed half-band FIR in polyphase form: every other
//! output sample is a plain (delayed) input sample, the rest a 24-tap dot product. Flat to
//! 0.002 dB up to 0.19 × the output rate (9 kHz at 48 kHz), −3 dB at 0.24 ×, images at least
//! 77 dB down from 0.31 × (15 kHz at 48 kHz). It delays the voices by 23 output samples
//! (0.5 ms at 48 kHz), which nothing in a crowd can hear.
//!
//! Rates under [`HALF_RATE_MIN_HZ`] would leave too little bandwidth at half rate: the lane
//! then runs at the full rate and is added as is.
//!
//! Must not touch: what the voices say, levels (the interpolator has unity passband gain).

use crate::kit::{CHUNK, Stereo};

/// Lowest output rate that is rendered at half rate (half of it leaves ≥ 10 kHz of bandwidth).
pub const HALF_RATE_MIN_HZ: f64 = 40_000.0;

/// Polyphase taps of the odd phase (the even phase is a single delayed sample).
const TAPS: usize = 24;
/// Half-rate samples of history the interpolator needs.
const HIST: usize = TAPS - 1;
/// Kaiser window shape: the trade of transition width against image rejection.
const KAISER_BETA: f64 = 7.5;

/// How many output samples each lane sample stands for at `sample_rate` (1 or 2).
pub fn factor_for(sample_rate: f64) -> usize {
    if sample_rate >= HALF_RATE_MIN_HZ {
        2
    } else {
        1
    }
}

/// One chunk of the voices' stereo sum at the lane rate (the first `len` frames are used).
#[derive(Clone)]
pub struct Lane {
    l: [f32; CHUNK],
    r: [f32; CHUNK],
    len: usize,
}

impl Lane {
    /// Both channels of this chunk, `CHUNK / factor` frames each.
    pub fn channels(&mut self) -> (&mut [f32], &mut [f32]) {
        (&mut self.l[..self.len], &mut self.r[..self.len])
    }
}

/// The talkers' bus: a lane to render into and the interpolator that brings it to the output.
#[derive(Clone)]
pub struct VoiceBus {
    lane: Lane,
    factor: usize,
    taps: [f32; TAPS],
    hist: [[f32; HIST + CHUNK / 2]; 2],
    hist_quiet: bool,
}

impl VoiceBus {
    /// A bus for output at `sample_rate` (half rate where it is high enough).
    pub fn new(sample_rate: f64) -> Self {
        let factor = factor_for(sample_rate);
        VoiceBus {
            lane: Lane {
                l: [0.0; CHUNK],
                r: [0.0; CHUNK],
                len: CHUNK / factor,
            },
            factor,
            taps: half_band_taps(),
            hist: [[0.0; HIST + CHUNK / 2]; 2],
            hist_quiet: true,
        }
    }

    /// Output samples per lane sample (1 or 2).
    pub fn factor(&self) -> usize {
        self.factor
    }

    /// The lane, cleared, for this chunk's voices to add into.
    pub fn lane(&mut self) -> &mut Lane {
        self.lane.l.fill(0.0);
        self.lane.r.fill(0.0);
        &mut self.lane
    }

    /// Add this chunk's lane, brought to the output rate, into `out`.
    pub fn mix_into(&mut self, out: &mut Stereo) {
        if self.factor == 1 {
            for i in 0..CHUNK {
                out.l[i] += self.lane.l[i];
                out.r[i] += self.lane.r[i];
            }
            return;
        }
        let n = CHUNK / 2;
        let quiet = self.lane.l[..n]
            .iter()
            .chain(&self.lane.r[..n])
            .all(|x| *x == 0.0);
        if quiet && self.hist_quiet {
            // Silence in and nothing ringing: nothing to add, and the history stays all zero.
            return;
        }
        for (ch, (src, dst)) in [(&self.lane.l, &mut out.l), (&self.lane.r, &mut out.r)]
            .into_iter()
            .enumerate()
        {
            let buf = &mut self.hist[ch];
            buf[HIST..].copy_from_slice(&src[..n]);
            for m in 0..n {
                let win = &buf[m..m + TAPS];
                let even: f32 = win.iter().zip(&self.taps).map(|(x, g)| x * g).sum();
                dst[2 * m] += even;
                dst[2 * m + 1] += buf[m + TAPS / 2];
            }
            buf.copy_within(n.., 0);
        }
        self.hist_quiet = quiet;
    }
}

/// The non-trivial phase of a half-band low-pass (cut-off at a quarter of the output rate),
/// scaled by 2 for the zeros that upsampling stuffs in: Kaiser-windowed sinc, normalised so the
/// phase sums to exactly 1 (unity gain at DC).
fn half_band_taps() -> [f32; TAPS] {
    // The full filter has 2 * TAPS - 1 taps centred on index TAPS - 1; this phase holds its
    // even indices, whose offsets from the centre are odd (the other odd offsets are zero).
    let centre = (TAPS - 1) as f64;
    let mut taps = [0.0f64; TAPS];
    for (i, t) in taps.iter_mut().enumerate() {
        let k = (2 * i) as f64;
        let x = std::f64::consts::FRAC_PI_2 * (k - centre);
        let sinc = x.sin() / x;
        let r = k / centre - 1.0;
        let w = bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(KAISER_BETA);
        *t = sinc * w;
    }
    let sum: f64 = taps.iter().sum();
    taps.map(|t| (t / sum) as f32)
}

/// Modified Bessel function of the first kind, order 0 (for the Kaiser window).
fn bessel_i0(x: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    let q = x * x / 4.0;
    for k in 1..50 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < 1e-12 * sum {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Level (dB) at `hz` of the bus output for a lane carrying a sine at `hz_in`.
    fn through_bus(sr: f64, hz_in: f64, hz_probe: f64) -> f64 {
        let mut bus = VoiceBus::new(sr);
        let lane_sr = sr / bus.factor() as f64;
        let (mut re, mut im, mut n) = (0.0f64, 0.0f64, 0usize);
        let mut k = 0usize;
        for chunk in 0..400 {
            let lane = bus.lane();
            let (l, r) = lane.channels();
            for (a, b) in l.iter_mut().zip(r.iter_mut()) {
                let v = (std::f64::consts::TAU * hz_in * k as f64 / lane_sr).sin() as f32;
                *a = v;
                *b = v;
                k += 1;
            }
            let mut out = Stereo::default();
            bus.mix_into(&mut out);
            for (i, y) in out.l.iter().enumerate() {
                if chunk >= 10 {
                    let t = (chunk * CHUNK + i) as f64 / sr;
                    let ph = std::f64::consts::TAU * hz_probe * t;
                    re += f64::from(*y) * ph.cos();
                    im += f64::from(*y) * ph.sin();
                    n += 1;
                }
            }
        }
        20.0 * (2.0 * re.hypot(im) / n as f64).log10()
    }

    #[test]
    fn half_rate_only_where_it_leaves_enough_bandwidth() {
        assert_eq!(factor_for(48_000.0), 2);
        assert_eq!(factor_for(44_100.0), 2);
        assert_eq!(factor_for(96_000.0), 2);
        assert_eq!(factor_for(22_050.0), 1);
        assert_eq!(factor_for(8_000.0), 1);
    }

    #[test]
    fn interpolator_is_flat_in_band_and_rejects_images() {
        for hz in [200.0, 1_000.0, 4_000.0, 8_000.0] {
            let g = through_bus(48_000.0, hz, hz);
            assert!(g.abs() < 0.02, "{hz} Hz passes at {g:.3} dB");
            let image = through_bus(48_000.0, hz, 24_000.0 - hz);
            assert!(image < -70.0, "image of {hz} Hz at {image:.1} dB");
        }
        let g = through_bus(22_050.0, 5_000.0, 5_000.0);
        assert!(g.abs() < 0.01, "full rate passes as is: {g}");
    }

    #[test]
    fn silence_in_gives_exact_silence_out() {
        let mut bus = VoiceBus::new(48_000.0);
        let lane = bus.lane();
        lane.channels().0[3] = 1.0;
        let mut out = Stereo::default();
        bus.mix_into(&mut out);
        for _ in 0..3 {
            bus.lane();
            out.clear();
            bus.mix_into(&mut out);
        }
        assert!(out.l.iter().chain(&out.r).all(|x| *x == 0.0));
    }
}
