//! Beat grids: where people clap in time (clap-along, chants, synchronised applause).
//!
//! A [`BeatGrid`] is a pure function of time (a tempo that may accelerate linearly), so every
//! clapper, and the chanting voices, find the same beats without sharing any state.

/// Beats at a tempo that changes linearly from `bpm` to `bpm * (1 + accel)` over `span_secs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeatGrid {
    /// Time of beat 0, in show seconds.
    pub t0: f64,
    /// Tempo at `t0`.
    pub bpm: f64,
    /// Relative tempo increase reached after `span_secs` (0.08 = 8 % faster).
    pub accel: f64,
    /// Seconds over which `accel` is reached (the tempo keeps rising at the same rate after).
    pub span_secs: f64,
    /// Beats per bar, to pick the clapped beats.
    pub beats_per_bar: u32,
    /// Bit `b` set: beat `b` of the bar (0-based) is clapped.
    pub mask: u16,
}

impl BeatGrid {
    /// A steady grid clapping every beat.
    pub fn steady(t0: f64, bpm: f64) -> Self {
        BeatGrid {
            t0,
            bpm,
            accel: 0.0,
            span_secs: 1.0,
            beats_per_bar: 1,
            mask: 1,
        }
    }

    /// Beats elapsed at show time `t` (fractional; negative before `t0`).
    pub fn beat_at(&self, t: f64) -> f64 {
        let u = t - self.t0;
        let f0 = self.bpm / 60.0;
        f0 * (u + self.accel * u * u / (2.0 * self.span_secs))
    }

    /// Show time of beat number `n` (which may be fractional).
    pub fn time_of(&self, n: f64) -> f64 {
        let f0 = self.bpm / 60.0;
        let k = f0 * self.accel / (2.0 * self.span_secs);
        let u = if k.abs() < 1e-12 {
            n / f0
        } else {
            (-f0 + (f0 * f0 + 4.0 * k * n).sqrt()) / (2.0 * k)
        };
        self.t0 + u
    }

    /// Seconds per beat at show time `t`.
    pub fn beat_secs_at(&self, t: f64) -> f64 {
        let u = (t - self.t0).max(0.0);
        60.0 / (self.bpm * (1.0 + self.accel * u / self.span_secs))
    }

    /// The first clapped beat strictly after `t`: (beat number, show time).
    pub fn next_clap_after(&self, t: f64) -> (i64, f64) {
        let mut n = self.beat_at(t).floor() as i64 + 1;
        let bpb = i64::from(self.beats_per_bar.max(1));
        for _ in 0..bpb {
            if self.mask & (1 << n.rem_euclid(bpb)) != 0 {
                break;
            }
            n += 1;
        }
        (n, self.time_of(n as f64))
    }
}

/// Why a section claps in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClapKind {
    /// Clapping along with a song on given beats.
    Along,
    /// Claps locked to a chant's beat.
    Chant,
    /// Spontaneous synchronised applause (the crowd falls into step and speeds up).
    Sync,
}

/// A span of the show during which part of the crowd claps on a beat grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClapSection {
    /// What kind of rhythmic clapping.
    pub kind: ClapKind,
    /// Start in show seconds.
    pub start: f64,
    /// End in show seconds.
    pub end: f64,
    /// Fraction of the crowd clapping in time at full strength.
    pub share: f64,
    /// Standard deviation of each clapper's timing around the beat, in seconds.
    pub scatter_secs: f64,
    /// Clap strength while in time (synchronised applause dips in level).
    pub strength: f64,
    /// The beats.
    pub grid: BeatGrid,
}

impl ClapSection {
    /// Share of the crowd clapping in time at `t`, ramping in and out over two seconds as
    /// people join and give up.
    pub fn share_at(&self, t: f64) -> f64 {
        if t < self.start || t >= self.end {
            return 0.0;
        }
        let ramp = ((t - self.start) / 2.0)
            .min((self.end - t) / 2.0)
            .clamp(0.0, 1.0);
        self.share * ramp
    }
}
