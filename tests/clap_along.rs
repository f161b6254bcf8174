//! Clapping in time: during a song with `clap_along`, the mix's loudness envelope pulses at the
//! commanded clap rate; free applause has no such pulse.

use concert::engine::Engine;
use concert::preset;

const RATE: u32 = 48_000;

/// Power spectrum peak of the mix's envelope between 0.4 and 8 Hz: (frequency, peak / median).
fn modulation_peak(samples: &[f32]) -> (f64, f64) {
    // Envelope: |x| in 5 ms frames (200 Hz), then a 250 ms moving average, as a loudness
    // follower hears it (a clap train's harmonics are otherwise as strong as its fundamental).
    let hop = (RATE / 200) as usize;
    let frames: Vec<f64> = samples
        .chunks(2 * hop)
        .map(|f| f.iter().map(|v| f64::from(v.abs())).sum::<f64>() / f.len() as f64)
        .collect();
    let env: Vec<f64> = frames
        .windows(50)
        .map(|w| w.iter().sum::<f64>() / 50.0)
        .collect();
    let mean = env.iter().sum::<f64>() / env.len() as f64;
    let n = env.len();
    let mut spectrum = Vec::new();
    // A direct DFT at 0.01 Hz steps: plenty fast for a few thousand frames.
    let mut f = 0.4;
    while f <= 8.0 {
        let w = std::f64::consts::TAU * f / 200.0;
        let (mut re, mut im) = (0.0, 0.0);
        for (i, e) in env.iter().enumerate() {
            let hann = 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos();
            re += (e - mean) * hann * (w * i as f64).cos();
            im += (e - mean) * hann * (w * i as f64).sin();
        }
        spectrum.push((f, re * re + im * im));
        f += 0.01;
    }
    let (peak_f, peak) = spectrum
        .iter()
        .copied()
        .fold((0.0, 0.0), |a, b| if b.1 > a.1 { b } else { a });
    let mut powers: Vec<f64> = spectrum.iter().map(|s| s.1).collect();
    powers.sort_by(f64::total_cmp);
    (peak_f, peak / powers[powers.len() / 2])
}

fn render(show: &concert::show::Show, from: f64, secs: f64) -> Vec<f32> {
    let mut engine = Engine::new(show, show.seed, RATE);
    engine.skip((from * f64::from(RATE)) as u64);
    let mut out = vec![0.0f32; 2 * (secs * f64::from(RATE)) as usize];
    engine.render_block(&mut out);
    out
}

#[test]
fn clap_along_pulses_at_the_commanded_rate_and_free_applause_does_not() {
    // 126 bpm, claps on 2 and 4: one clap every two beats = 1.05 Hz. No melody, so the crowd
    // claps along through the middle half of the song.
    let show = preset::load_str(
        r#"
title = "clap test"
[venue]
kind = "club"
audience = 400
[[songs]]
title = "Stomp"
bpm = 126
clap_along = "2,4"
secs = 60
[[timeline]]
moment = "song"
song = "Stomp"
energy = 0.9
[[timeline]]
moment = "applause"
peak = 0.8
secs = 20
"#,
        "clap test",
    )
    .unwrap();
    let (f, prominence) = modulation_peak(&render(&show, 20.0, 20.0));
    assert!(
        (f - 1.05).abs() <= 0.1,
        "clap-along modulation peak at {f:.2} Hz"
    );
    assert!(
        prominence > 30.0,
        "clear pulse: peak/median {prominence:.1}"
    );
    let (f_free, prominence_free) = modulation_peak(&render(&show, 62.0, 10.0));
    eprintln!(
        "clap-along {f:.2} Hz x{prominence:.0}; free applause {f_free:.2} Hz x{prominence_free:.1}"
    );
    assert!(
        prominence_free < prominence / 5.0,
        "free applause shows no such pulse: {f_free:.2} Hz, peak/median {prominence_free:.1}"
    );
}
