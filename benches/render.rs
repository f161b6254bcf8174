//! `cargo bench`: how fast shows render offline, on one core.
//!
//! Prints the real-time factor (audio seconds per CPU second) of every built-in preset, of
//! each layer on its own, and of an audience sweep (100 → 100,000 people) whose cost must stay
//! flat. `cargo bench -- --quick` renders shorter excerpts.

use std::hint::black_box;
use std::time::Instant;

use concert::conductor::Layer;
use concert::engine::Engine;
use concert::kit::{CHUNK, ChunkInfo, Stereo};
use concert::preset::{self, BUILTIN};
use concert::show::Show;

const RATE: u32 = 48_000;

/// This thread's CPU time in seconds (Linux), so other processes on a shared machine do not
/// count against us; wall time where it is unavailable.
fn cpu_secs(wall: &Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(|| wall.elapsed().as_secs_f64(), |ns| ns * 1e-9)
}

/// Render `secs` of `show` (from the start) and return (audio seconds, CPU seconds).
fn time_engine(show: &Show, secs: f64) -> (f64, f64) {
    let mut engine = Engine::new(show, show.seed, RATE);
    let frames = (secs * f64::from(RATE)) as usize;
    let mut buf = vec![0.0f32; 1024 * 2];
    let wall = Instant::now();
    let start = cpu_secs(&wall);
    let mut done = 0;
    while done < frames {
        let n = (frames - done).min(1024);
        engine.render_block(&mut buf[..2 * n]);
        black_box(&buf);
        done += n;
    }
    (frames as f64 / f64::from(RATE), cpu_secs(&wall) - start)
}

/// Render `secs` of one layer alone and return its real-time factor.
fn time_layer(show: &Show, layer: &mut dyn Layer, secs: f64) -> f64 {
    let chunks = (secs * f64::from(RATE) / CHUNK as f64) as u64;
    let mut out = Stereo::default();
    let wall = Instant::now();
    let start = cpu_secs(&wall);
    for k in 0..chunks {
        let info = ChunkInfo {
            frame: k * CHUNK as u64,
            sample_rate: f64::from(RATE),
        };
        let params = show.params_at(info.secs());
        layer.render(info, &params, &mut out);
        black_box(&out);
    }
    secs / (cpu_secs(&wall) - start)
}

/// Peak resident memory of this process in MiB (Linux), to show it does not grow with length.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn sweep_show(audience: u32) -> Show {
    let text = format!(
        r#"title = "audience sweep"
[venue]
kind = "arena"
audience = {audience}
[[timeline]]
moment = "lights-down"
secs = 12
[[timeline]]
moment = "applause"
peak = 1.0
secs = 30
[[timeline]]
moment = "finale"
secs = 30
"#
    );
    preset::load_str(&text, "bench:sweep").expect("sweep show is valid")
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    println!(
        "concert render benchmark, {RATE} Hz stereo, one thread, CPU time{}",
        if quick { " (quick)" } else { "" }
    );
    println!(
        "\n== built-in presets (whole show{})",
        if quick { ", first 120 s" } else { "" }
    );
    for (name, _) in BUILTIN {
        let show = preset::resolve(name).expect("built-in presets are valid");
        let secs = if quick {
            show.duration_secs.min(120.0)
        } else {
            show.duration_secs
        };
        let (audio, wall) = time_engine(&show, secs);
        println!(
            "{name:<20} {audio:>7.1} s audio in {wall:>6.2} s  = {:>6.1}x real time",
            audio / wall
        );
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak memory after all presets: {mib:.1} MiB");
    }

    println!("\n== audience sweep (lights-down, applause, finale: 72 s)");
    let mut factors = Vec::new();
    for audience in [100u32, 1_000, 10_000, 100_000] {
        let show = sweep_show(audience);
        let (audio, wall) = time_engine(&show, if quick { 36.0 } else { 72.0 });
        let rtf = audio / wall;
        factors.push(rtf);
        let mut applause = concert::conductor::ApplauseLayer::new(&show, 1, f64::from(RATE));
        let layer_rtf = time_layer(&show, &mut applause, 42.0);
        println!(
            "{audience:>7} people: full engine {rtf:>6.1}x real time, applause layer alone {layer_rtf:>7.1}x"
        );
    }
    let (lo, hi) = factors
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), f| (lo.min(*f), hi.max(*f)));
    println!(
        "cost ratio, slowest vs fastest audience: {:.2}x (target within 1.5x)",
        hi / lo
    );
}
