//! Shared helpers for the lead-singer tests: a small show with a melody of our own, rendering,
//! and a YIN pitch estimator.
#![allow(dead_code)]

#[path = "../fft/mod.rs"]
mod fft;

use fft::fft;

use concert::conductor::render_layer;
use concert::engine::layer;
use concert::show::{
    Dynamic, Listener, Moment, MomentKind, Note, ScoredNote, Show, Singer, Song, Venue, VenueKind,
};

pub const SR: u32 = 48_000;

/// Parse `syllable:midi:beats[:flags]` tokens (`~:beats` is a rest) into notes. Flags: `s` slide,
/// `p`/`f`/`F` dynamics p/f/ff.
pub fn melody(spec: &str) -> Vec<Note> {
    let mut notes: Vec<Note> = Vec::new();
    let mut beat = 0.0;
    let mut phrase_open = false;
    for tok in spec.split_whitespace() {
        let parts: Vec<&str> = tok.split(':').collect();
        if parts[0] == "~" {
            beat += parts[1].parse::<f64>().unwrap();
            if let Some(n) = notes.last_mut() {
                n.phrase_end = true;
            }
            phrase_open = false;
            continue;
        }
        let beats: f64 = parts[2].parse().unwrap();
        let flags = parts.get(3).copied().unwrap_or("");
        let dynamic = if flags.contains('F') {
            Dynamic::Ff
        } else if flags.contains('f') {
            Dynamic::F
        } else if flags.contains('p') {
            Dynamic::P
        } else {
            Dynamic::Mf
        };
        notes.push(Note {
            start_beats: beat,
            beats,
            midi: parts[1].parse().unwrap(),
            syllable: parts[0].to_string(),
            dynamic,
            phrase_start: !phrase_open,
            phrase_end: false,
            slide: flags.contains('s'),
        });
        phrase_open = true;
        beat += beats;
    }
    if let Some(n) = notes.last_mut() {
        n.phrase_end = true;
    }
    notes
}

/// A few bars in A3–E5 with long notes, at 90 bpm (a beat is 0.667 s).
pub const TEST_MELODY: &str = "la:69:1 la:72:1 oh:76:2 ~:1 \
    yeah:74:1.5 ah:72:0.5 whoa:69:3 ~:1 \
    ooh:64:2 hey:67:1 na:57:3 ~:1 \
    mm:62:1 la:65:1 ah:69:2:s ~:1 \
    whoa:71:2:f oh:74:1:f yeah:76:3:F";

fn moment(id: &str, kind: MomentKind, start: f64, end: f64, song: Option<usize>) -> Moment {
    Moment {
        id: id.to_string(),
        kind,
        label: id.to_string(),
        start_secs: start,
        end_secs: end,
        energy: 0.5,
        peak: 0.8,
        song,
        words: None,
        bpm: 120.0,
    }
}

/// A show: 2 s of murmur, then a song with `melody` (1 s intro), then 3 s of applause; with
/// `banter_secs > 0` a banter moment follows the applause.
pub fn show_with(melody_spec: &str, bpm: f64, banter_secs: f64) -> Show {
    let notes = melody(melody_spec);
    let beats = notes
        .iter()
        .map(|n| n.start_beats + n.beats)
        .fold(0.0, f64::max);
    let song_secs = 1.0 + beats * 60.0 / bpm + 1.0;
    let song = Song {
        id: "test-song".into(),
        title: "Test Song".into(),
        bpm,
        beats_per_bar: 4,
        clap_along: vec![],
        sing_along: 0.0,
        intro_secs: 1.0,
        melody: notes,
        secs: song_secs,
    };
    let mut moments = vec![
        moment("murmur-1", MomentKind::Murmur, 0.0, 2.0, None),
        moment("song-1", MomentKind::Song, 2.0, 2.0 + song_secs, Some(0)),
        moment(
            "applause-1",
            MomentKind::Applause,
            2.0 + song_secs,
            5.0 + song_secs,
            None,
        ),
    ];
    if banter_secs > 0.0 {
        let s = 5.0 + song_secs;
        moments.push(moment(
            "banter-1",
            MomentKind::Banter,
            s,
            s + banter_secs,
            None,
        ));
    }
    let duration_secs = moments.last().unwrap().end_secs;
    Show {
        title: "lead test".into(),
        seed: 7,
        venue: Venue {
            kind: VenueKind::Club,
            audience: 300,
            listener: Listener::Floor,
            reverb_secs: 0.8,
        },
        singer: Singer::default(),
        songs: vec![song],
        moments,
        duration_secs,
    }
}

/// The standard test show.
pub fn test_show() -> Show {
    show_with(TEST_MELODY, 90.0, 0.0)
}

/// Render the lead of `show` from 0 to `secs`, left channel only.
pub fn render_mono(show: &Show, seed: u64, secs: f64) -> Vec<f32> {
    let mut lead = layer("lead", show, seed, f64::from(SR)).expect("lead is a layer");
    let st = render_layer(&mut *lead, show, SR, 0.0, secs);
    st.chunks(2).map(|f| f[0]).collect()
}

/// Notes of the show's score.
pub fn notes(show: &Show) -> Vec<ScoredNote> {
    show.lead_notes()
}

/// RMS in dBFS.
pub fn rms_db(x: &[f32]) -> f64 {
    let p = x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len().max(1) as f64;
    10.0 * p.max(1e-20).log10()
}

/// Slice of `x` between two times.
pub fn span(x: &[f32], from: f64, to: f64) -> &[f32] {
    let a = ((from * f64::from(SR)) as usize).min(x.len());
    let b = ((to * f64::from(SR)) as usize).clamp(a, x.len());
    &x[a..b]
}

/// YIN (de Cheveigné & Kawahara 2002) on the frame starting at `at` seconds: f0 in Hz, or
/// `None` when the frame is not periodic enough (unvoiced).
pub fn yin(x: &[f32], at: f64, fmin: f64, fmax: f64) -> Option<f64> {
    let sr = f64::from(SR);
    let w = 1024usize;
    let max_lag = (sr / fmin) as usize;
    let min_lag = (sr / fmax) as usize;
    let s = (at * sr) as usize;
    if s + w + max_lag + 2 > x.len() {
        return None;
    }
    let frame = &x[s..s + w + max_lag + 2];
    let mut d = vec![0.0f64; max_lag + 2];
    for (tau, dv) in d.iter_mut().enumerate().skip(1) {
        let mut acc = 0.0;
        for j in 0..w {
            let diff = f64::from(frame[j] - frame[j + tau]);
            acc += diff * diff;
        }
        *dv = acc;
    }
    // Cumulative mean normalised difference.
    let mut cmnd = vec![1.0f64; max_lag + 2];
    let mut running = 0.0;
    for tau in 1..=max_lag + 1 {
        running += d[tau];
        cmnd[tau] = if running > 0.0 {
            d[tau] * tau as f64 / running
        } else {
            1.0
        };
    }
    let mut tau = min_lag.max(2);
    while tau < max_lag {
        if cmnd[tau] < 0.15 {
            while tau + 1 < max_lag && cmnd[tau + 1] < cmnd[tau] {
                tau += 1;
            }
            let (a, b, c) = (cmnd[tau - 1], cmnd[tau], cmnd[tau + 1]);
            let den = a - 2.0 * b + c;
            let shift = if den.abs() > 1e-12 {
                0.5 * (a - c) / den
            } else {
                0.0
            };
            return Some(sr / (tau as f64 + shift));
        }
        tau += 1;
    }
    None
}

/// Cents between `hz` and MIDI `midi`.
pub fn cents(hz: f64, midi: f64) -> f64 {
    1200.0 * (hz / (440.0 * 2f64.powf((midi - 69.0) / 12.0))).log2()
}

/// Median of a slice (sorted copy).
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    if s.is_empty() {
        f64::NAN
    } else {
        s[s.len() / 2]
    }
}

/// YIN track every 10 ms between two times (frame centres) within a fifth-and-a-bit of MIDI
/// `midi` (as Praat is given a pitch range), as (time, f0 or None).
pub fn track(x: &[f32], from: f64, to: f64, midi: u8) -> Vec<(f64, Option<f64>)> {
    let half = 512.0 / f64::from(SR);
    let hz = 440.0 * 2f64.powf((f64::from(midi) - 69.0) / 12.0);
    let mut out = Vec::new();
    let mut t = from;
    while t < to {
        out.push((t, yin(x, t - half, hz / 1.5, hz * 1.5)));
        t += 0.01;
    }
    out
}

/// Power spectrum (|X|², Hann window) of the first power-of-two samples of `x`, bins 0..=n/2.
/// Returns (power per bin, bin width in Hz).
pub fn power_spectrum(x: &[f32]) -> (Vec<f64>, f64) {
    let mut n = 1;
    while n * 2 <= x.len() {
        n *= 2;
    }
    let mut re: Vec<f64> = x[..n]
        .iter()
        .enumerate()
        .map(|(i, v)| {
            f64::from(*v) * (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos())
        })
        .collect();
    let mut im = vec![0.0f64; n];
    fft(&mut re, &mut im);
    let p = (0..=n / 2).map(|k| re[k] * re[k] + im[k] * im[k]).collect();
    (p, f64::from(SR) / n as f64)
}

/// Frame rate of [`band_envelope_db`], frames per second (5 ms hop).
pub const ENV_RATE: f64 = 200.0;

/// Level of the band `lo..hi` Hz every 5 ms (20 ms Hann frames), in dB: the envelope of one
/// part of the spectrum, as a spectrogram row summed over the band.
pub fn band_envelope_db(x: &[f32], lo: f64, hi: f64) -> Vec<f64> {
    let hop = (f64::from(SR) / ENV_RATE) as usize;
    let frame = (f64::from(SR) * 0.02) as usize;
    let n = frame.next_power_of_two();
    let df = f64::from(SR) / n as f64;
    let window: Vec<f64> = (0..frame)
        .map(|i| 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / frame as f64).cos())
        .collect();
    let mut out = Vec::new();
    let mut s = 0;
    while s + frame <= x.len() {
        let mut re = vec![0.0f64; n];
        let mut im = vec![0.0f64; n];
        for i in 0..frame {
            re[i] = f64::from(x[s + i]) * window[i];
        }
        fft(&mut re, &mut im);
        let p: f64 = (1..n / 2)
            .filter(|k| (lo..hi).contains(&(*k as f64 * df)))
            .map(|k| re[k] * re[k] + im[k] * im[k])
            .sum();
        out.push(10.0 * p.max(1e-20).log10());
        s += hop;
    }
    out
}

/// How much an envelope (dB, at [`ENV_RATE`]) moves between `lo` and `hi` Hz: the RMS in dB of
/// its component in that modulation band (mean removed, Hann window, Parseval).
pub fn modulation_db(env: &[f64], lo: f64, hi: f64) -> f64 {
    let m = env.len();
    let n = m.next_power_of_two();
    let mean = env.iter().sum::<f64>() / m as f64;
    let mut re = vec![0.0f64; n];
    let mut im = vec![0.0f64; n];
    let mut wpow = 0.0;
    for (i, e) in env.iter().enumerate() {
        let w = 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / m as f64).cos();
        re[i] = (e - mean) * w;
        wpow += w * w;
    }
    fft(&mut re, &mut im);
    let df = ENV_RATE / n as f64;
    // One-sided: twice each positive-frequency bin's power, normalised by the window's energy.
    let p: f64 = (1..n / 2)
        .filter(|k| (lo..=hi).contains(&(*k as f64 * df)))
        .map(|k| 2.0 * (re[k] * re[k] + im[k] * im[k]))
        .sum();
    (p / (wpow * n as f64)).sqrt()
}
