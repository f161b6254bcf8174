//! The render core on real shows: no allocation on the render path, every built-in preset
//! renders its busiest moments without NaN or clipping, and the same seed gives the same bytes.

use assert_no_alloc::assert_no_alloc;
use concert::engine::{Engine, LAYERS};
use concert::preset::{self, BUILTIN};
use concert::show::MomentKind;

// assert_no_alloc checks only with debug assertions (see tests/frames.rs).
#[cfg(debug_assertions)]
#[global_allocator]
static ALLOCATOR: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

const RATE: u32 = 48_000;

#[test]
fn render_block_never_allocates() {
    let show = preset::resolve("echo-fade-club").unwrap();
    let mut engine = Engine::with_stems(&show, show.seed, RATE);
    let mut mix = vec![0.0f32; 2 * 777];
    let mut stems: [Vec<f32>; LAYERS] = std::array::from_fn(|_| vec![0.0f32; 2 * 777]);
    // Through murmur, lights-down and into the first song: every layer gets to speak.
    let lights = show
        .moments
        .iter()
        .find(|m| m.kind == MomentKind::LightsDown)
        .unwrap();
    engine.skip((lights.start_secs * f64::from(RATE)) as u64);
    for _ in 0..(20 * RATE as usize / 777) {
        let mut slices = stems.each_mut().map(|s| &mut s[..]);
        assert_no_alloc(|| engine.render_block_with_stems(&mut mix, &mut slices));
    }
    assert!(mix.iter().any(|v| *v != 0.0));
}

/// A loud stretch of each preset early in the show (long renders belong in the benchmark):
/// 10 s from the lights going down — roar, applause, screams, the first notes.
#[test]
fn every_preset_renders_10s_of_lights_down_without_nan_or_clipping() {
    for (name, _) in BUILTIN {
        let show = preset::resolve(name).unwrap();
        let cue = show
            .moments
            .iter()
            .find(|m| m.kind == MomentKind::LightsDown)
            .unwrap();
        let mut engine = Engine::new(&show, show.seed, RATE);
        engine.skip((cue.start_secs * f64::from(RATE)) as u64);
        let mut out = vec![0.0f32; 2 * 10 * RATE as usize];
        engine.render_block(&mut out);
        let peak = out.iter().fold(0.0f32, |p, v| p.max(v.abs()));
        let rms = (out.iter().map(|v| v * v).sum::<f32>() / out.len() as f32).sqrt();
        assert!(
            out.iter().all(|v| v.is_finite()),
            "{name}: non-finite sample"
        );
        assert!(peak <= 0.891, "{name}: peak {peak} above −1 dBFS");
        assert!(
            rms > 0.03,
            "{name}: the lights-down roar is loud (rms {rms})"
        );
        assert_eq!(engine.non_finite_samples(), 0, "{name}");
    }
}

#[test]
fn same_seed_same_samples_other_seed_other_crowd() {
    let show = preset::resolve("echo-fade-benefit").unwrap();
    let render = |seed: u64, block: usize| {
        let mut e = Engine::new(&show, seed, 44_100);
        e.skip(44_100 * 100);
        let mut out = vec![0.0f32; 2 * 44_100 * 4];
        for chunk in out.chunks_mut(2 * block) {
            e.render_block(chunk);
        }
        out
    };
    let a = render(3, 64);
    assert_eq!(a, render(3, 441), "block size changes nothing");
    assert_ne!(a, render(4, 64), "another seed, another crowd");
}
