//! `engine::Frames`, the show as an iterator of stereo frames (examples/frames_iterator.rs):
//! it yields exactly the samples `concert render` writes, at any block size, without
//! allocating.

use std::process::Command;

use assert_no_alloc::assert_no_alloc;
use concert::engine::{Engine, Frames};

mod wav_support;
use wav_support::read_wav;

// assert_no_alloc checks only in builds with debug assertions (its default `disable_release`
// feature makes it a no-op and removes its allocator otherwise): `cargo test --release` checks
// the samples here, `cargo test` the allocations too.
#[cfg(debug_assertions)]
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

/// A short show (13.5 s, so the end fade is in it too) with applause and a roar.
const SHOW: &str = r#"
title = "Frames test night"
seed = 5
[venue]
kind = "theatre"
audience = 900
[[timeline]]
moment = "murmur"
secs = 3
[[timeline]]
moment = "lights-down"
secs = 4
[[timeline]]
moment = "applause"
peak = 0.8
secs = 6.5
"#;

const RATE: u32 = 44_100;

/// `concert render` of [`SHOW`] as f32 at [`RATE`] with `extra` arguments, read back, and the
/// show as the library resolves the same file.
fn render_wav(extra: &[&str]) -> (concert::show::Show, hound::WavSpec, Vec<f32>) {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("show.toml");
    std::fs::write(&toml, SHOW).unwrap();
    let wav = dir.path().join("show.wav");
    let status = Command::new(assert_cmd::cargo::cargo_bin("concert"))
        .args(["render", "-q", "--format", "f32", "--sample-rate", "44100"])
        .args(extra)
        .arg(&toml)
        .arg("-o")
        .arg(&wav)
        .status()
        .unwrap();
    assert!(status.success());
    let (spec, written) = read_wav(&wav);
    let show = concert::preset::resolve(toml.to_str().unwrap()).unwrap();
    (show, spec, written)
}

#[test]
fn frames_are_the_samples_render_writes_at_two_block_sizes() {
    let (show, spec, written) = render_wav(&[]);
    assert_eq!((spec.channels, spec.sample_rate), (2, RATE));
    assert_eq!(written.len(), 2 * (13.5 * f64::from(RATE)) as usize);
    assert!(
        written.iter().any(|v| v.abs() > 0.01),
        "the render is not silent"
    );

    // 64 divides nothing of interest; 1000 leaves a short last block (595,350 frames).
    for block in [64, 1000] {
        let mut frames = Frames::with_block_frames(Engine::new(&show, show.seed, RATE), block);
        assert_eq!(frames.len(), written.len() / 2, "block {block}: length");
        let mut pulled = Vec::with_capacity(written.len());
        let mut seen = 0;
        assert_no_alloc(|| {
            for [l, r] in frames.by_ref() {
                // Capacity is reserved: pushing does not allocate.
                pulled.push(l);
                pulled.push(r);
                seen += 1;
            }
        });
        assert_eq!(seen, written.len() / 2, "block {block}: frames yielded");
        assert_eq!(
            frames.next(),
            None,
            "block {block}: the iterator stays done"
        );
        let first_diff = pulled
            .iter()
            .zip(&written)
            .position(|(a, b)| a.to_bits() != b.to_bits());
        assert_eq!(
            first_diff, None,
            "block {block}: sample differs from the WAV"
        );
    }
}

#[test]
fn frames_start_where_the_engine_is_like_render_from() {
    let (show, _, written) = render_wav(&["--from", "5", "--to", "7"]);
    assert_eq!(written.len(), 2 * 2 * RATE as usize);
    let mut engine = Engine::new(&show, show.seed, RATE);
    engine.skip(5 * u64::from(RATE));
    let frames = Frames::with_block_frames(engine, 333);
    assert_eq!(frames.len(), (8.5 * f64::from(RATE)) as usize);
    let pulled: Vec<f32> = frames.take(2 * RATE as usize).flatten().collect();
    assert!(
        pulled
            .iter()
            .zip(&written)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    assert_eq!(pulled.len(), written.len());
}
