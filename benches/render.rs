//! `cargo bench`: how fast shows render offline, on one core.
//!
//! Prints the real-time factor (audio seconds per CPU second) of every built-in preset, of
//! each layer on its own, of an audience sweep (100 → 100,000 people) whose cost must stay
//! flat, and of the engine's fundsp graph side by side with the same path wired by hand (its
//! overhead must stay within 5 %). `cargo bench -- --quick` renders shorter excerpts;
//! `cargo bench -- --graph` measures only the graph's overhead.

use std::hint::black_box;
use std::time::Instant;

use concert::conductor::{Layer, roomtone};
use concert::engine::{self, Engine, LAYERS, SENDS, STEMS};
use concert::instruments::master::Master;
use concert::instruments::roomtone::RoomTone;
use concert::instruments::venue::Room;
use concert::kit::{CHUNK, ChunkInfo, Stereo, derive_seed};
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

/// Render `secs` of `show` through its signal path wired by hand, as the engine was before it
/// became a fundsp `Net` (layers, the room tone into the crowd, dry and send sums in layer
/// order, room, master; no faders, cues or end fade, which cost nothing while idle), and
/// return (audio seconds, CPU seconds): the baseline of the graph's overhead.
fn time_hand_wired(show: &Show, secs: f64) -> (f64, f64) {
    let sr = f64::from(RATE);
    let seed = |name: &str| derive_seed(show.seed, &format!("layer/{name}"));
    let mut layers: [Box<dyn Layer>; LAYERS] =
        STEMS.map(|name| engine::layer(name, show, seed(name), sr).expect("a layer"));
    let mut tone = RoomTone::new(roomtone::config(show), seed("room-tone"), sr);
    let mut room = Room::new(&show.venue, sr);
    let mut master = Master::new(sr);
    let mut bufs: [Stereo; LAYERS] = std::array::from_fn(|_| Stereo::default());
    let mut out = Stereo::default();
    let mut buf = vec![0.0f32; 2 * CHUNK];
    let chunks = (secs * sr) as u64 / CHUNK as u64;
    let wall = Instant::now();
    let start = cpu_secs(&wall);
    for c in 0..chunks {
        let info = ChunkInfo {
            frame: c * CHUNK as u64,
            sample_rate: sr,
        };
        let params = show.params_at(info.secs());
        let (mut dry, mut send) = (Stereo::default(), Stereo::default());
        for (k, layer) in layers.iter_mut().enumerate() {
            layer.render(info, &params, &mut bufs[k]);
            if k == 0 {
                let mut t = Stereo::default();
                tone.render(info, &roomtone::control(&params), &mut t);
                bufs[0].add_scaled(&t, 1.0);
            }
            dry.add_scaled(&bufs[k], 1.0);
            send.add_scaled(&bufs[k], SENDS[k]);
        }
        let mut mixed = Stereo::default();
        room.process(&dry, &send, &mut mixed);
        master.process(&mixed, &mut out);
        for (i, frame) in buf.chunks_exact_mut(2).enumerate() {
            frame[0] = out.l[i];
            frame[1] = out.r[i];
        }
        black_box(&buf);
    }
    ((chunks * CHUNK as u64) as f64 / sr, cpu_secs(&wall) - start)
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
    let graph_only = std::env::args().any(|a| a == "--graph");
    println!(
        "concert render benchmark, {RATE} Hz stereo, one thread, CPU time{}",
        if quick { " (quick)" } else { "" }
    );
    if !graph_only {
        whole_shows(quick);
    }
    graph_overhead(quick);
}

/// The built-in presets, the audience sweep and each layer alone.
fn whole_shows(quick: bool) {
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

/// The graph engine against the same path wired by hand.
fn graph_overhead(quick: bool) {
    let (secs, rounds) = if quick { (30.0, 3) } else { (120.0, 5) };
    println!(
        "\n== the graph's cost: the engine (a fundsp Net) vs the same path wired by hand\n   \
         (first {secs} s, fastest of {rounds} alternating runs; target: overhead within 5 %)"
    );
    let (mut graph_total, mut hand_total) = (0.0, 0.0);
    for (name, _) in BUILTIN {
        let show = preset::resolve(name).expect("built-in presets are valid");
        let (mut graph, mut hand) = (f64::MAX, f64::MAX);
        for _ in 0..rounds {
            graph = graph.min(time_engine(&show, secs).1);
            hand = hand.min(time_hand_wired(&show, secs).1);
        }
        graph_total += graph;
        hand_total += hand;
        println!(
            "{name:<20} by hand {:>6.1}x, graph {:>6.1}x real time: overhead {:>+5.1} %",
            secs / hand,
            secs / graph,
            100.0 * (graph / hand - 1.0)
        );
    }
    println!(
        "all presets: graph overhead {:+.1} %",
        100.0 * (graph_total / hand_total - 1.0)
    );
}
