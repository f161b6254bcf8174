//! Loudness: measuring what a render writes (ITU-R BS.1770 / EBU R128 through the `ebur128`
//! crate) and bringing it to a target without passing a true-peak ceiling.
//!
//! Normalising is a static gain; when that gain would push the oversampled (true) peak over the
//! ceiling, a [`TruePeakLimiter`] follows it. The limiter estimates inter-sample peaks by 4×
//! polyphase interpolation, holds the gain each needs over a look-ahead window and smooths it
//! with a moving average, so the gain is already down when a peak arrives and never changes
//! faster than the window: a transparent brick-wall on the few peaks that need it. It delays the
//! signal by [`TruePeakLimiter::latency`] frames, which the caller renders ahead to cancel.
//! This module knows samples only, never the show.

use ebur128::{EbuR128, Mode};

/// The true-peak ceiling EBU R128 and streaming services ask for, in dBTP.
pub const DEFAULT_TRUE_PEAK_DBTP: f64 = -1.0;

/// Headroom kept under the ceiling, in dB, both by the limiter and when deciding that a gain
/// alone fits: 4× interpolated peak estimates differ with their filters (on the whole
/// `echo-fade-benefit` show scipy's polyphase resampler reads 0.12 dB above `ebur128`), and
/// the limiter's gain moves slightly within one filter's span.
pub const TRUE_PEAK_MARGIN_DB: f64 = 0.3;

/// Look-ahead and gain-smoothing window of the limiter, in seconds (the attack time).
const LOOKAHEAD_SECS: f64 = 0.002;

/// Time constant of the limiter's gain recovery after a peak, in seconds.
const RELEASE_SECS: f64 = 0.2;

/// Oversampling factor of the limiter's true-peak estimate (BS.1770's 4× at 48 kHz).
const OVERSAMPLE: usize = 4;

/// Taps on each side of the interpolation filter, per phase.
const HALF_TAPS: usize = 12;

/// What a loudness meter read over a whole file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loudness {
    /// Integrated (gated) loudness, LUFS; `-inf` for silence.
    pub integrated_lufs: f64,
    /// Loudness range, LU.
    pub range_lu: f64,
    /// Largest true (4× oversampled) peak over both channels, dBTP.
    pub true_peak_dbtp: f64,
}

/// A BS.1770 meter over interleaved stereo frames.
pub struct Meter {
    inner: EbuR128,
}

impl Meter {
    /// A meter for stereo at `sample_rate`.
    pub fn new(sample_rate: u32) -> Self {
        let inner = EbuR128::new(2, sample_rate, Mode::I | Mode::LRA | Mode::TRUE_PEAK)
            .expect("stereo at a sample rate clap already range-checked");
        Meter { inner }
    }

    /// Add interleaved stereo frames.
    pub fn add(&mut self, frames: &[f32]) {
        self.inner
            .add_frames_f32(frames)
            .expect("whole stereo frames");
    }

    /// What the meter read so far.
    pub fn read(&self) -> Loudness {
        let tp = (0..2)
            .map(|c| self.inner.true_peak(c).unwrap_or(0.0))
            .fold(0.0f64, f64::max);
        Loudness {
            integrated_lufs: self.inner.loudness_global().unwrap_or(f64::NEG_INFINITY),
            range_lu: self.inner.loudness_range().unwrap_or(0.0),
            true_peak_dbtp: 20.0 * tp.max(1e-12).log10(),
        }
    }
}

/// dB to a linear factor.
pub fn db_to_gain(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// A look-ahead limiter on the 4× oversampled peak of a stereo stream: output = input delayed
/// by [`latency`](Self::latency) frames, times a smooth gain ≤ 1 that keeps every interpolated
/// peak under the ceiling. Allocates only in [`new`](Self::new); deterministic sample by sample.
pub struct TruePeakLimiter {
    ceiling: f64,
    /// Interpolation filter: `phases[p][k]` weighs the `k`-th oldest of the last
    /// `2 * HALF_TAPS` frames for the point `p / OVERSAMPLE` of a sample after the centre frame
    /// (`HALF_TAPS` frames before the newest; phase 0 is that frame itself).
    phases: Vec<[f64; 2 * HALF_TAPS]>,
    /// The last `2 * HALF_TAPS` input frames, for the interpolator.
    history: Vec<[f64; 2]>,
    /// Frames waiting for their gain (ring of `latency` frames).
    delay: Vec<[f64; 2]>,
    /// Gain each interval needs (ring over the hold window).
    need: Vec<f64>,
    /// Held-and-released gain of the last `window` frames (ring).
    held: Vec<f64>,
    released: f64,
    release: f64,
    window: usize,
    /// Frames pushed so far.
    pushed: u64,
}

impl TruePeakLimiter {
    /// A limiter keeping the true peak under `ceiling_dbtp` (less its margin) at `sample_rate`.
    pub fn new(ceiling_dbtp: f64, sample_rate: u32) -> Self {
        let sr = f64::from(sample_rate);
        let window = ((LOOKAHEAD_SECS * sr).round() as usize).max(8);
        let phases = (0..OVERSAMPLE)
            .map(|p| {
                let frac = p as f64 / OVERSAMPLE as f64;
                std::array::from_fn(|k| {
                    // Distance from the interpolated point to the tap's sample.
                    let x = HALF_TAPS as f64 - 1.0 + frac - k as f64;
                    let sinc = if x == 0.0 {
                        1.0
                    } else {
                        (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
                    };
                    // Hann window over the filter's span.
                    let w = 0.5 + 0.5 * (std::f64::consts::PI * x / (HALF_TAPS as f64 + 1.0)).cos();
                    sinc * w
                })
            })
            .collect();
        // The output frame t must be covered by every held value the average uses, for the
        // intervals on both of its sides: a hold of window + 3 and a delay of window + 1 past
        // the interpolator's centre do that.
        let hold = window + 3;
        TruePeakLimiter {
            ceiling: db_to_gain(ceiling_dbtp - TRUE_PEAK_MARGIN_DB),
            phases,
            history: vec![[0.0; 2]; 2 * HALF_TAPS],
            delay: vec![[0.0; 2]; HALF_TAPS + window + 1],
            need: vec![1.0; hold],
            held: vec![1.0; window],
            released: 1.0,
            release: 1.0 - (-1.0 / (RELEASE_SECS * sr)).exp(),
            window,
            pushed: 0,
        }
    }

    /// Frames between a frame going in and coming out.
    pub fn latency(&self) -> usize {
        self.delay.len()
    }

    /// Push one stereo frame; returns the frame `latency` frames earlier, limited.
    pub fn push(&mut self, frame: [f32; 2]) -> [f32; 2] {
        let n = self.pushed as usize;
        self.pushed += 1;
        let x = [f64::from(frame[0]), f64::from(frame[1])];
        let h = self.history.len();
        self.history[n % h] = x;
        // The interval after sample n - HALF_TAPS + 1: its largest interpolated magnitude.
        let mut peak = 0.0f64;
        for taps in &self.phases {
            for c in 0..2 {
                let mut acc = 0.0;
                for (k, w) in taps.iter().enumerate() {
                    // Tap k sits at sample n - (2 * HALF_TAPS - 1) + k.
                    acc += w * self.history[(n + 1 + k) % h][c];
                }
                peak = peak.max(acc.abs());
            }
        }
        let need = if peak > self.ceiling {
            self.ceiling / peak
        } else {
            1.0
        };
        let hold = self.need.len();
        self.need[n % hold] = need;
        // Hold: the lowest need over the whole window ahead of (and around) the output frame.
        let lowest = self.need.iter().copied().fold(1.0f64, f64::min);
        self.released = if lowest < self.released {
            lowest
        } else {
            self.released + (lowest - self.released) * self.release
        };
        // Smooth: a moving average of held gains, each ≤ the need of every frame it covers.
        self.held[n % self.window] = self.released;
        let gain = self.held.iter().sum::<f64>() / self.window as f64;
        let d = self.delay.len();
        let out = self.delay[n % d];
        self.delay[n % d] = x;
        [(out[0] * gain) as f32, (out[1] * gain) as f32]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stereo sine at `freq_hz` and `amp`, `secs` long, interleaved.
    fn sine(freq_hz: f64, amp: f64, secs: f64, sr: u32) -> Vec<f32> {
        let n = (secs * f64::from(sr)) as usize;
        (0..n)
            .flat_map(|i| {
                let v = (amp * (std::f64::consts::TAU * freq_hz * i as f64 / f64::from(sr)).sin())
                    as f32;
                [v, v]
            })
            .collect()
    }

    #[test]
    fn meter_reads_a_full_scale_sine_at_its_known_loudness() {
        // BS.1770: a 997 Hz sine at 0 dBFS reads −3.01 LUFS in one channel, so 0.0 in two.
        let mut m = Meter::new(48_000);
        m.add(&sine(997.0, 1.0, 5.0, 48_000));
        let l = m.read();
        assert!((l.integrated_lufs - 0.0).abs() < 0.1, "{l:?}");
        assert!(l.true_peak_dbtp.abs() < 0.1, "{l:?}");
    }

    #[test]
    fn limiter_keeps_the_true_peak_under_the_ceiling_and_delays_exactly() {
        let sr = 48_000;
        // A sine at fs/4 phased so its samples miss the crests by 3 dB: sample peak 0.71,
        // true peak 1.0 — only an oversampled detector sees it.
        let n = sr as usize;
        let input: Vec<f32> = (0..n)
            .flat_map(|i| {
                let v = (1.4
                    * (std::f64::consts::FRAC_PI_2 * i as f64 + std::f64::consts::FRAC_PI_4).sin())
                    as f32;
                [v, v]
            })
            .collect();
        let mut lim = TruePeakLimiter::new(-1.0, sr);
        let lat = lim.latency();
        let mut out: Vec<f32> = Vec::new();
        for f in input.chunks(2) {
            out.extend(lim.push([f[0], f[1]]));
        }
        for _ in 0..lat {
            out.extend(lim.push([0.0, 0.0]));
        }
        let out = &out[2 * lat..];
        let mut m = Meter::new(sr);
        m.add(out);
        let tp = m.read().true_peak_dbtp;
        assert!(tp <= -1.0, "true peak {tp} dBTP");
        assert!(tp > -2.0, "limited far more than needed: {tp} dBTP");

        // Quiet input passes untouched, only delayed.
        let quiet = sine(440.0, 0.1, 0.1, sr);
        let mut lim = TruePeakLimiter::new(-1.0, sr);
        let mut out = Vec::new();
        for f in quiet.chunks(2) {
            out.extend(lim.push([f[0], f[1]]));
        }
        assert!(out[..2 * lat].iter().all(|&v| v == 0.0));
        assert_eq!(&out[2 * lat..], &quiet[..quiet.len() - 2 * lat]);
    }
}
