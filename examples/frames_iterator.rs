//! Pull a whole show as a plain iterator of stereo frames: what a rodio `Source` or a kira
//! sound wraps, with no dependency on either (builds without the `cli` feature).
//!
//! `cargo run --release --no-default-features --example frames_iterator -- [PRESET] [SECS]`
//!
//! Prints the show's length in frames and the peak and RMS of its first SECS seconds (10 by
//! default), per channel.
//!
//! In a player: rodio wants interleaved `f32` samples, `frames.flatten()`, with
//! `channels() = 2` and `sample_rate() = RATE`; a kira `Sound::process` fills its output with
//! `frames.next()` and turns a `None` into silence and `finished() = true`.

use std::process::ExitCode;
use std::time::Instant;

use concert::engine::{Engine, Frames};
use concert::preset::{self, DEFAULT_PRESET};

/// Sample rate the engine renders at, Hz (set the player's stream to the same).
const RATE: u32 = 48_000;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| DEFAULT_PRESET.to_string());
    let secs: f64 = match args.next() {
        Some(s) => s
            .parse()
            .map_err(|e| format!("SECS must be a number of seconds, not {s:?}: {e}"))?,
        None => 10.0,
    };
    let show = preset::resolve(&name)?;
    let frames = Frames::new(Engine::new(&show, show.seed, RATE));
    let total = frames.len();
    let wanted = (secs.max(0.0) * f64::from(RATE)).round() as usize;

    let mut peak = [0.0f32; 2];
    let mut sum_sq = [0.0f64; 2];
    let mut n = 0usize;
    let started = Instant::now();
    for frame in frames.take(wanted) {
        for (ch, v) in frame.into_iter().enumerate() {
            peak[ch] = peak[ch].max(v.abs());
            sum_sq[ch] += f64::from(v) * f64::from(v);
        }
        n += 1;
    }
    let wall = started.elapsed().as_secs_f64();
    let db = |x: f64| 20.0 * x.max(1e-9).log10();
    println!(
        "\"{}\": {total} frames at {RATE} Hz ({:.1} s)",
        show.title,
        total as f64 / f64::from(RATE)
    );
    for (ch, side) in ["left", "right"].iter().enumerate() {
        let rms = (sum_sq[ch] / n.max(1) as f64).sqrt();
        println!(
            "first {n} frames, {side}: peak {:.1} dBFS, RMS {:.1} dBFS",
            db(f64::from(peak[ch])),
            db(rms)
        );
    }
    println!(
        "pulled in {wall:.2} s ({:.0}x real time)",
        n as f64 / f64::from(RATE) / wall.max(1e-9)
    );
    Ok(())
}
