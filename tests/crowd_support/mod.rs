//! Shared helpers for the crowd and cheers tests: small shows built directly, rendering, and
//! the measurements the targets are stated in (windowed RMS, envelope modulation spectrum).
#![allow(dead_code)]

#[path = "../fft/mod.rs"]
mod fft;

use fft::fft;

use concert::conductor::Layer;
use concert::conductor::render_layer;
use concert::show::{
    Dynamic, Listener, Moment, MomentKind, Note, Show, Singer, Song, Venue, VenueKind,
};

/// A moment of `kind` from `start` lasting `secs` with the kind's usual energy/peak.
pub fn moment(id: &str, kind: MomentKind, start: f64, secs: f64, energy: f64) -> Moment {
    Moment {
        id: id.into(),
        kind,
        label: id.into(),
        start_secs: start,
        end_secs: start + secs,
        energy,
        peak: concert::show::params::default_peak(kind),
        song: None,
        words: None,
        bpm: 0.0,
    }
}

/// A song with a simple repeating melody (A4 C5 E5 D5 …) and a sing-along fraction.
pub fn song(sing_along: f64) -> Song {
    let pitches = [69u8, 72, 76, 74, 72, 69, 67, 69];
    let mut melody = Vec::new();
    let mut beat = 0.0;
    for bar in 0..12 {
        for (i, p) in pitches.iter().enumerate() {
            let beats = if i % 4 == 3 { 1.5 } else { 0.5 };
            melody.push(Note {
                start_beats: beat,
                beats,
                midi: *p,
                syllable: ["la", "oh", "yeah", "na"][(i + bar) % 4].into(),
                dynamic: Dynamic::F,
                phrase_start: i == 0,
                phrase_end: i == 7,
                slide: false,
            });
            beat += beats;
        }
    }
    Song {
        id: "echoes".into(),
        title: "Echoes".into(),
        bpm: 120.0,
        beats_per_bar: 4,
        clap_along: vec![],
        sing_along,
        intro_secs: 0.5,
        melody,
        secs: 40.0,
    }
}

/// A show in a venue of `kind` with `audience` people and the given moments.
pub fn show(kind: VenueKind, audience: u32, moments: Vec<Moment>) -> Show {
    let duration_secs = moments.last().map_or(0.0, |m| m.end_secs);
    Show {
        title: "test".into(),
        seed: 2026,
        venue: Venue {
            kind,
            audience,
            listener: Listener::Floor,
            reverb_secs: kind.default_reverb_secs(),
        },
        singer: Singer::default(),
        songs: vec![song(0.6)],
        moments,
        duration_secs,
    }
}

/// Murmur (0–12 s), lights-down roar (12–22 s), a chant (22–34 s), a song with sing-along (34–50 s).
pub fn story(kind: VenueKind, audience: u32) -> Show {
    let mut chant = moment("chant-1", MomentKind::Chant, 22.0, 12.0, 0.7);
    chant.words = Some("one more song".into());
    chant.bpm = 120.0;
    let mut s = moment("song-echoes", MomentKind::Song, 34.0, 16.0, 0.6);
    s.song = Some(0);
    show(
        kind,
        audience,
        vec![
            moment("murmur-1", MomentKind::Murmur, 0.0, 12.0, 0.2),
            moment("lights-down-1", MomentKind::LightsDown, 12.0, 10.0, 0.8),
            chant,
            s,
        ],
    )
}

/// Render `secs` of `layer` from `from`, mono (L+R)/2.
pub fn render_mono(layer: &mut dyn Layer, show: &Show, from: f64, secs: f64) -> Vec<f32> {
    let st = render_layer(layer, show, 48_000, from, secs);
    st.chunks(2).map(|f| 0.5 * (f[0] + f[1])).collect()
}

/// RMS in dBFS.
pub fn rms_db(x: &[f32]) -> f64 {
    let e: f64 =
        x.iter().map(|v| f64::from(*v) * f64::from(*v)).sum::<f64>() / x.len().max(1) as f64;
    10.0 * e.max(1e-20).log10()
}

/// Loudest 3 s window (1 s hop), RMS dBFS — a stand-in for short-term loudness.
pub fn max_short_term_db(x: &[f32], sr: usize) -> f64 {
    let w = 3 * sr;
    (0..=x.len().saturating_sub(w))
        .step_by(sr)
        .map(|s| rms_db(&x[s..s + w]))
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Power spectrum of the mean-removed RMS envelope (10 ms frames) of `x`, as (Hz, power).
pub fn modulation_spectrum(x: &[f32], sr: usize) -> Vec<(f64, f64)> {
    let hop = sr / 100;
    let env: Vec<f64> = x
        .chunks(hop)
        .map(|c| {
            (c.iter().map(|v| f64::from(*v) * f64::from(*v)).sum::<f64>() / c.len() as f64).sqrt()
        })
        .collect();
    let mean = env.iter().sum::<f64>() / env.len() as f64;
    let n = env.len();
    (1..n / 2)
        .map(|k| {
            let f = k as f64 * 100.0 / n as f64;
            let (mut re, mut im) = (0.0, 0.0);
            for (i, e) in env.iter().enumerate() {
                let w = 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos();
                let a = std::f64::consts::TAU * k as f64 * i as f64 / n as f64;
                re += (e - mean) * w * a.cos();
                im -= (e - mean) * w * a.sin();
            }
            (f, re * re + im * im)
        })
        .filter(|(f, _)| *f <= 25.0)
        .collect()
}

/// Frequency of the modulation peak between 1 and 20 Hz, after smoothing over ±0.5 Hz.
pub fn modulation_peak_hz(x: &[f32], sr: usize) -> f64 {
    modulation_peak_above_hz(x, sr, 1.0)
}

/// Frequency of the modulation peak between `lo` and 20 Hz, after smoothing over ±0.5 Hz.
pub fn modulation_peak_above_hz(x: &[f32], sr: usize, lo: f64) -> f64 {
    let spec = modulation_spectrum(x, sr);
    let smooth = |f: f64| -> f64 {
        spec.iter()
            .filter(|(g, _)| (g - f).abs() <= 0.5)
            .map(|(_, p)| p)
            .sum::<f64>()
    };
    spec.iter()
        .map(|(f, _)| *f)
        .filter(|f| (lo..=20.0).contains(f))
        .map(|f| (f, smooth(f)))
        .fold((0.0, 0.0), |a, b| if b.1 > a.1 { b } else { a })
        .0
}

/// Fraction of the envelope's modulation power (1–300 Hz) that lies in 30–150 Hz: how rough a
/// sound is. The envelope is the rectified signal low-passed at ~300 Hz (1 ms frames).
pub fn roughness(x: &[f32], sr: usize) -> f64 {
    let hop = sr / 1000;
    let env: Vec<f64> = x
        .chunks(hop)
        .map(|c| c.iter().map(|v| f64::from(v.abs())).sum::<f64>() / c.len() as f64)
        .collect();
    let n = env.len();
    let mean = env.iter().sum::<f64>() / n as f64;
    let (mut band, mut total) = (0.0, 0.0);
    for k in 1..n / 2 {
        let f = k as f64 * 1000.0 / n as f64;
        if !(1.0..=300.0).contains(&f) {
            continue;
        }
        let (mut re, mut im) = (0.0, 0.0);
        for (i, e) in env.iter().enumerate() {
            let a = std::f64::consts::TAU * k as f64 * i as f64 / n as f64;
            re += (e - mean) * a.cos();
            im -= (e - mean) * a.sin();
        }
        let p = re * re + im * im;
        total += p;
        if (30.0..=150.0).contains(&f) {
            band += p;
        }
    }
    band / total.max(1e-30)
}

/// Power spectrum of `frame` (a power of two long) under a Hann window, bins 0 to N/2 - 1.
pub fn hann_power(frame: &[f32]) -> Vec<f64> {
    let n = frame.len();
    let mut re: Vec<f64> = frame
        .iter()
        .enumerate()
        .map(|(i, v)| {
            f64::from(*v) * (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos())
        })
        .collect();
    let mut im = vec![0.0; n];
    fft(&mut re, &mut im);
    (0..n / 2).map(|k| re[k] * re[k] + im[k] * im[k]).collect()
}

/// Spectral centroid in Hz (power-weighted), from 4096-point Hann frames.
pub fn centroid_hz(x: &[f32], sr: usize) -> f64 {
    const N: usize = 4096;
    let (mut num, mut den) = (0.0, 0.0);
    for frame in x.chunks_exact(N) {
        let power = hann_power(frame);
        for (k, p) in power.iter().enumerate().skip(1) {
            num += p * k as f64 * sr as f64 / N as f64;
            den += p;
        }
    }
    num / den.max(1e-30)
}

/// Renders 2,000 chunks (2.7 s) of `layer` with every control at zero and asserts that every
/// sample is exactly zero: a layer at rest costs nothing and adds no noise floor.
pub fn assert_silent_at_rest(layer: &mut dyn Layer) {
    let mut out = concert::kit::Stereo::default();
    for k in 0..2000u64 {
        let info = concert::kit::ChunkInfo {
            frame: k * 64,
            sample_rate: 48_000.0,
        };
        layer.render(info, &concert::show::Params::default(), &mut out);
        assert!(
            out.l.iter().chain(&out.r).all(|v| *v == 0.0),
            "sound at rest in chunk {k}"
        );
    }
}

/// Peak absolute sample in dBFS.
pub fn peak_db(x: &[f32]) -> f64 {
    20.0 * f64::from(x.iter().fold(0.0f32, |m, v| m.max(v.abs())))
        .max(1e-10)
        .log10()
}
