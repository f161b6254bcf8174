//! A chant heard as a crowd chanting, measured on rendered samples: the voices' octave bands do
//! not rise and fall in lock-step (part of the crowd shouts out of step, chanters differ in
//! timing, length and effort), the clap-along sits under the voices instead of drowning them,
//! and a big crowd's claps roll in behind the beat (they travel from far away) instead of
//! landing as one shot.

mod crowd_support;

use concert::conductor::{ApplauseLayer, CrowdLayer};
use concert::show::rhythm::chant_grid;
use concert::show::{MomentKind, Show, VenueKind};
use crowd_support::{moment, render_mono, rms_db, show};

const SR: f64 = 48_000.0;

/// A 14 s "one more song" chant at 104 bpm (the echo-fade presets' tempo), energy 0.7.
fn chant_show(kind: VenueKind, audience: u32) -> Show {
    let mut c = moment("chant-1", MomentKind::Chant, 0.0, 14.0, 0.7);
    c.words = Some("one more song".into());
    c.bpm = 104.0;
    show(kind, audience, vec![c])
}

/// A second-order RBJ high- or low-pass (Q = 1/√2), in f64.
struct Biquad {
    b: [f64; 3],
    a: [f64; 2],
    x: [f64; 2],
    y: [f64; 2],
}

impl Biquad {
    fn new(hz: f64, high: bool) -> Self {
        let w = std::f64::consts::TAU * hz / SR;
        let alpha = w.sin() / std::f64::consts::SQRT_2;
        let c = w.cos();
        let a0 = 1.0 + alpha;
        let b = if high {
            [(1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0]
        } else {
            [(1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0]
        };
        Biquad {
            b: b.map(|v| v / a0),
            a: [-2.0 * c / a0, (1.0 - alpha) / a0],
            x: [0.0; 2],
            y: [0.0; 2],
        }
    }

    fn tick(&mut self, x: f64) -> f64 {
        let y = self.b[0] * x + self.b[1] * self.x[0] + self.b[2] * self.x[1]
            - self.a[0] * self.y[0]
            - self.a[1] * self.y[1];
        self.x = [x, self.x[0]];
        self.y = [y, self.y[0]];
        y
    }
}

/// `x` band-passed to `lo`..`hi` Hz with fourth-order skirts.
fn band(x: &[f32], lo: f64, hi: f64) -> Vec<f64> {
    let mut f = [
        Biquad::new(lo, true),
        Biquad::new(lo, true),
        Biquad::new(hi, false),
        Biquad::new(hi, false),
    ];
    x.iter()
        .map(|v| f.iter_mut().fold(f64::from(*v), |s, b| b.tick(s)))
        .collect()
}

/// RMS envelope of `y` in frames of `frame` samples.
fn rms_envelope(y: &[f64], frame: usize) -> Vec<f64> {
    y.chunks_exact(frame)
        .map(|c| (c.iter().map(|v| v * v).sum::<f64>() / frame as f64).sqrt())
        .collect()
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        ab += (x - ma) * (y - mb);
        aa += (x - ma) * (x - ma);
        bb += (y - mb) * (y - mb);
    }
    ab / (aa * bb).sqrt()
}

/// Mean correlation over all pairs of the 50 ms RMS envelopes of the octave bands at
/// 125 Hz … 8 kHz: how much the spectrum rises and falls as one (real cheering crowds:
/// about 0.25 with the same measure; a choir or one voice: near 1).
fn cross_band_correlation(x: &[f32]) -> f64 {
    let frame = (0.05 * SR) as usize;
    let envs: Vec<Vec<f64>> = [125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0]
        .iter()
        .map(|fc: &f64| {
            rms_envelope(
                &band(
                    x,
                    fc / std::f64::consts::SQRT_2,
                    fc * std::f64::consts::SQRT_2,
                ),
                frame,
            )
        })
        .collect();
    let mut sum = 0.0;
    let mut pairs = 0;
    for i in 0..envs.len() {
        for j in i + 1..envs.len() {
            sum += pearson(&envs[i], &envs[j]);
            pairs += 1;
        }
    }
    sum / f64::from(pairs)
}

#[test]
fn a_chant_does_not_move_the_whole_spectrum_in_lock_step() {
    // Every chanter on the same syllable at the same instant, with the same brightness and
    // nobody else making a sound, moves all octaves together (0.65–0.8 with this measure): a
    // choir. A crowd chanting is chanters early and late, short and long, some shouting
    // harder (brighter) than others, over people who cheer out of step with the chant.
    let mut worst: f64 = 0.0;
    for (kind, n) in [
        (VenueKind::Club, 60u32),
        (VenueKind::Club, 350),
        (VenueKind::Arena, 15_000),
        (VenueKind::OpenAir, 100_000),
    ] {
        let s = chant_show(kind, n);
        let mut layer = CrowdLayer::new(&s, s.seed, SR);
        let x = render_mono(&mut layer, &s, 3.0, 8.0);
        let r = cross_band_correlation(&x);
        eprintln!("{kind:?} {n}: cross-band envelope correlation {r:.2}");
        worst = worst.max(r);
    }
    assert!(worst <= 0.62, "bands move in lock-step ({worst:.2})");
}

#[test]
fn the_clap_along_sits_under_the_chanting_voices() {
    // Claps as loud as the chant drown its words and turn it into percussion (wood, a shot);
    // a crowd clapping along keeps time under its own voices.
    for (kind, n) in [(VenueKind::Club, 350u32), (VenueKind::OpenAir, 100_000)] {
        let s = chant_show(kind, n);
        let mut voices = CrowdLayer::new(&s, s.seed, SR);
        let mut hands = ApplauseLayer::new(&s, s.seed, SR);
        let v = rms_db(&render_mono(&mut voices, &s, 3.0, 8.0));
        let h = rms_db(&render_mono(&mut hands, &s, 3.0, 8.0));
        eprintln!(
            "{kind:?} {n}: claps {:.1} dB under the voices ({h:.1} vs {v:.1} dBFS)",
            v - h
        );
        assert!(
            (5.0..=14.0).contains(&(v - h)),
            "{kind:?} {n}: claps {:.1} dB under the voices",
            v - h
        );
    }
}

/// Mean and spread (energy-weighted, seconds) of the 0.5–4 kHz clap energy around the nearest
/// beat of the chant, over `secs` from `from`.
fn clap_timing(s: &Show, from: f64, secs: f64) -> (f64, f64) {
    let mut hands = ApplauseLayer::new(s, s.seed, SR);
    let x = render_mono(&mut hands, s, from, secs);
    let frame = 96;
    let env = rms_envelope(&band(&x, 500.0, 4000.0), frame);
    let grid = chant_grid(&s.moments[0]);
    let (mut w, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for (i, e) in env.iter().enumerate() {
        let t = from + (i * frame) as f64 / SR;
        let beat = grid.beat_at(t).round();
        let d = t - grid.time_of(beat);
        let p = e * e;
        w += p;
        m1 += p * d;
        m2 += p * d * d;
    }
    let mean = m1 / w;
    (mean, (m2 / w - mean * mean).sqrt())
}

#[test]
fn a_big_crowds_claps_roll_in_behind_the_beat() {
    // Everyone claps on the beat where they stand, or a little after it (people who fall in
    // with a beat they hear never clap ahead of it); from 100 m away their claps arrive a
    // quarter of a second late. In a club the hands land on the beat or just after it, with the
    // spread of people who are not drummers; at a festival the clap-along rolls in behind it.
    // Measured: club 19 ± 46 ms; open air 24 ± 83 ms.
    let (club_mean, club_spread) = clap_timing(&chant_show(VenueKind::Club, 350), 3.0, 8.0);
    let (big_mean, big_spread) = clap_timing(&chant_show(VenueKind::OpenAir, 100_000), 3.0, 8.0);
    eprintln!(
        "club: {:.0} ± {:.0} ms; open air 100,000: {:.0} ± {:.0} ms",
        club_mean * 1e3,
        club_spread * 1e3,
        big_mean * 1e3,
        big_spread * 1e3
    );
    assert!(
        (0.0..0.03).contains(&club_mean),
        "club claps on the beat or just after it: {club_mean}"
    );
    assert!(
        club_spread > 0.025,
        "hands of a crowd, not one: {club_spread}"
    );
    assert!(
        big_mean > club_mean,
        "far claps arrive late: {big_mean} vs {club_mean}"
    );
    assert!(
        big_spread > club_spread + 0.02,
        "far claps roll in behind the beat: {big_spread} vs {club_spread}"
    );
}
