//! The sound is pinned: a fingerprint of every built-in preset's mix and dry stems at the
//! first second of each kind of moment, where the singer first sings and the crowd first claps
//! along (a song's first second is its intro: no voice, no claps), and at the end fade, must
//! match `tests/golden/hashes.txt`.
//!
//! Why: the render core is restructured in steps (kit, instruments, conductor, a fundsp graph)
//! that must not change a single sample. Each step runs this test; a refactor that moves one
//! bit of one layer fails it, naming the preset, the moment and the stem. A change that is
//! *meant* to change the sound rewrites the file with `CONCERT_BLESS=1 cargo test --test
//! golden`, and the diff of `hashes.txt` shows which layers and moments it touched.
//!
//! Every window is rendered at two block sizes (64 and 1000 frames), which must agree.

use concert::engine::{Engine, STEMS, StemRoom};
use concert::kit::ClapKind;
use concert::preset::{self, BUILTIN};
use concert::show::{MomentKind, Show};

mod render_support;
use render_support::{fingerprint, pull};

const RATE: u32 = 48_000;
/// Length of each window: short, because the whole table runs in a debug-ish test build.
const WINDOW_SECS: f64 = 0.75;
/// Where the window starts after its moment begins: past the onset, into the texture.
const INTO_MOMENT_SECS: f64 = 1.0;
const GOLDEN: &str = "tests/golden/hashes.txt";

/// Mix and dry stems of `frames` frames from `start`, pulled in blocks of `block` frames.
fn window(show: &Show, start: u64, frames: usize, block: usize) -> Vec<Vec<f32>> {
    let mut engine = Engine::with_stem_room(show, show.seed, RATE, StemRoom::Dry);
    engine.seek(start);
    pull(&mut engine, frames, block, frames, |_, _| ())
}

/// One line per (preset, window, track): `preset window track fingerprint`.
fn table() -> Vec<String> {
    let mut lines = Vec::new();
    let frames = (WINDOW_SECS * f64::from(RATE)) as usize;
    for (name, _) in BUILTIN {
        let show = preset::resolve(name).unwrap();
        let mut windows: Vec<(String, f64)> = Vec::new();
        for (kind, kind_name) in MomentKind::ALL {
            if let Some(m) = show.moments.iter().find(|m| m.kind == kind) {
                windows.push((kind_name.to_string(), m.start_secs + INTO_MOMENT_SECS));
            }
        }
        if let Some(n) = show.lead_notes().first() {
            windows.push(("singing".into(), n.start_secs + 0.2));
        }
        if let Some(c) = show
            .clap_sections()
            .iter()
            .find(|c| c.kind == ClapKind::Along)
        {
            windows.push(("clap-along".into(), c.start + 3.0));
        }
        windows.push(("end-fade".into(), show.duration_secs - WINDOW_SECS - 0.5));
        for (label, secs) in windows {
            let start = (secs * f64::from(RATE)) as u64;
            let a = window(&show, start, frames, 64);
            let b = window(&show, start, frames, 1000);
            assert!(a == b, "{name} {label}: block size changed the samples");
            let tracks = std::iter::once("mix").chain(STEMS);
            for (track, samples) in tracks.zip(&a) {
                lines.push(format!(
                    "{name} {label} {track} {:016x}",
                    fingerprint(samples)
                ));
            }
        }
    }
    lines
}

#[test]
fn every_layer_of_every_preset_sounds_as_pinned() {
    let now = table();
    if std::env::var_os("CONCERT_BLESS").is_some() {
        std::fs::create_dir_all("tests/golden").unwrap();
        std::fs::write(GOLDEN, now.join("\n") + "\n").unwrap();
        return;
    }
    let pinned = std::fs::read_to_string(GOLDEN).expect("tests/golden/hashes.txt");
    let pinned: Vec<&str> = pinned.lines().collect();
    let changed: Vec<String> = now
        .iter()
        .zip(&pinned)
        .filter(|(a, b)| a.as_str() != **b)
        .map(|(a, b)| format!("  now {a}\n  was {b}"))
        .collect();
    assert_eq!(
        now.len(),
        pinned.len(),
        "the set of windows changed; re-bless if that is intended"
    );
    assert!(
        changed.is_empty(),
        "{} of {} fingerprints changed (CONCERT_BLESS=1 re-pins an intended change):\n{}",
        changed.len(),
        now.len(),
        changed.join("\n")
    );
}

#[test]
fn the_fingerprint_sees_one_bit() {
    let a = [0.25f32, -0.5, 0.0];
    let mut b = a;
    b[2] = f32::from_bits(1);
    assert_ne!(fingerprint(&a), fingerprint(&b));
}
