//! `cargo bench`: how fast shows render offline, on one core.
//!
//! Prints the real-time factor (audio seconds per CPU second) of every built-in preset, of
//! each layer on its own, of an audience sweep (100 → 100,000 people) whose cost must stay
//! flat, and of the engine's fundsp graph side by side with the same path wired by hand (its
//! overhead must stay within 5 %). `cargo bench --bench render -- --quick` renders shorter
//! excerpts; `cargo bench --bench render -- --graph` measures only the graph's overhead (name
//! the bench: plain `cargo bench -- --quick` hands the option to the library's test harness too,
//! which refuses it).

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
    let mut buf = vec![0.0f32; 2 * BLOCK];
    let wall = Instant::now();
    let start = cpu_secs(&wall);
    let mut done = 0;
    while done < frames {
        let n = (frames - done).min(BLOCK);
        engine.render_block(&mut buf[..2 * n]);
        black_box(&buf);
        done += n;
    }
    (frames as f64 / f64::from(RATE), cpu_secs(&wall) - start)
}

/// The show's signal path wired by hand, as the engine was before it became a fundsp `Net`
/// (layers, the room tone into the crowd, dry and send sums in layer order, room, master; no
/// faders, cues or end fade, which cost nothing while idle): the baseline of the graph's
/// overhead.
struct HandWired {
    layers: [Box<dyn Layer>; LAYERS],
    tone: RoomTone,
    room: Room,
    master: Master,
    bufs: [Stereo; LAYERS],
    out: Stereo,
    buf: Vec<f32>,
    show: Show,
    chunk: u64,
}

impl HandWired {
    fn new(show: &Show) -> Self {
        let sr = f64::from(RATE);
        let seed = |name: &str| derive_seed(show.seed, &format!("layer/{name}"));
        HandWired {
            layers: STEMS.map(|name| engine::layer(name, show, seed(name), sr).expect("a layer")),
            tone: RoomTone::new(roomtone::config(show), seed("room-tone"), sr),
            room: Room::new(&show.venue, sr),
            master: Master::new(sr),
            bufs: std::array::from_fn(|_| Stereo::default()),
            out: Stereo::default(),
            buf: vec![0.0f32; 2 * CHUNK],
            show: show.clone(),
            chunk: 0,
        }
    }

    /// Render the next `chunks` chunks.
    fn render(&mut self, chunks: u64) {
        for _ in 0..chunks {
            let info = ChunkInfo {
                frame: self.chunk * CHUNK as u64,
                sample_rate: f64::from(RATE),
            };
            self.chunk += 1;
            let params = self.show.params_at(info.secs());
            let (mut dry, mut send) = (Stereo::default(), Stereo::default());
            for (k, layer) in self.layers.iter_mut().enumerate() {
                layer.render(info, &params, &mut self.bufs[k]);
                if k == 0 {
                    let mut t = Stereo::default();
                    self.tone.render(info, &roomtone::control(&params), &mut t);
                    self.bufs[0].add_scaled(&t, 1.0);
                }
                dry.add_scaled(&self.bufs[k], 1.0);
                send.add_scaled(&self.bufs[k], SENDS[k]);
            }
            let mut mixed = Stereo::default();
            self.room.process(&dry, &send, &mut mixed);
            self.master.process(&mixed, &mut self.out);
            for (i, frame) in self.buf.chunks_exact_mut(2).enumerate() {
                frame[0] = self.out.l[i];
                frame[1] = self.out.r[i];
            }
            black_box(&self.buf);
        }
    }
}

/// CPU seconds of the graph engine and of the same path wired by hand over the first `secs`
/// of `show`, rendered side by side: the two alternate every [`SEGMENT_BLOCKS`] blocks (which
/// goes first alternates too), so whatever the machine does meanwhile (clock changes, other
/// processes, a neighbour's cache traffic) falls on both alike.
fn time_side_by_side(show: &Show, secs: f64) -> (f64, f64) {
    let mut engine = Engine::new(show, show.seed, RATE);
    let mut hand = HandWired::new(show);
    let mut buf = vec![0.0f32; 2 * BLOCK];
    let segments = (secs * f64::from(RATE) / (SEGMENT_BLOCKS * BLOCK) as f64).ceil() as usize;
    let (mut graph_secs, mut hand_secs) = (0.0, 0.0);
    for s in 0..segments {
        for path in [s % 2, 1 - s % 2] {
            let wall = Instant::now();
            let start = cpu_secs(&wall);
            if path == 0 {
                for _ in 0..SEGMENT_BLOCKS {
                    engine.render_block(&mut buf);
                    black_box(&buf);
                }
                graph_secs += cpu_secs(&wall) - start;
            } else {
                hand.render((SEGMENT_BLOCKS * BLOCK / CHUNK) as u64);
                hand_secs += cpu_secs(&wall) - start;
            }
        }
    }
    (graph_secs, hand_secs)
}

/// Frames per engine block (what a host asks for at a time).
const BLOCK: usize = 1024;
/// Blocks per turn of each path in the side-by-side run (about 3 s of audio: long enough that
/// the cache refill at each switch costs well under 1 %, short enough to follow the machine).
const SEGMENT_BLOCKS: usize = 144;

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
    // The same stretch either way (the first 30 s are the pre-show murmur, where the engine
    // runs at 150x and the graph's fixed cost per chunk, about half a microsecond, weighs
    // 4-11 %); quick runs it once.
    let (secs, rounds) = if quick { (120.0, 1) } else { (120.0, 3) };
    println!(
        "\n== the graph's cost: the engine (a fundsp Net) vs the same path wired by hand\n   \
         (first {secs} s, {rounds} rounds, the two paths taking turns every ~3 s of audio;\n   \
         target: overhead within 5 %)"
    );
    let (mut graph_total, mut hand_total) = (0.0, 0.0);
    for (name, _) in BUILTIN {
        let show = preset::resolve(name).expect("built-in presets are valid");
        let (mut graph, mut hand) = (0.0, 0.0);
        for _ in 0..rounds {
            let (g, h) = time_side_by_side(&show, secs);
            graph += g;
            hand += h;
        }
        graph_total += graph;
        hand_total += hand;
        let audio = secs * f64::from(rounds);
        println!(
            "{name:<20} by hand {:>6.1}x, graph {:>6.1}x real time: overhead {:>+5.1} %",
            audio / hand,
            audio / graph,
            100.0 * (graph / hand - 1.0)
        );
    }
    println!(
        "all presets: graph overhead {:+.1} %",
        100.0 * (graph_total / hand_total - 1.0)
    );
}
