//! The engine's synthesis is a fundsp `Net`, and that changed no sample: the first seconds of
//! every built-in preset — the mix alone, the mix with wet stems and with dry stems, and a run
//! an operator plays live (faders, cues, a chant, a clap-along, a jump) — rendered at two block
//! sizes must agree with each other and with fingerprints pinned from the hand-wired engine
//! that came before the graph (commit d65c6f9).
//!
//! `tests/golden.rs` pins short windows all through each show; this pins whole openings, the
//! stems' rooms and the operator's path, which golden does not play.

use concert::engine::{ChantCue, Cue, Engine, Fader, StemRoom};
use concert::preset::{self, BUILTIN};
use concert::show::Show;

mod render_support;
use render_support::{fingerprint, pull};

const RATE: u32 = 48_000;
/// Seconds rendered from the start of each show.
const SECS: u64 = 6;
/// Block sizes the renders are pulled in: the graph's own block and a device-like one.
const BLOCKS: [usize; 2] = [64, 1000];

/// How an engine is built for a render.
#[derive(Clone, Copy, Debug)]
enum Build {
    Mix,
    Wet,
    Dry,
}

fn engine(show: &Show, build: Build) -> Engine {
    match build {
        Build::Mix => Engine::new(show, show.seed, RATE),
        Build::Wet => Engine::with_stems(show, show.seed, RATE),
        Build::Dry => Engine::with_stem_room(show, show.seed, RATE, StemRoom::Dry),
    }
}

/// Fingerprint of the mix and every stem.
fn prints(tracks: &[Vec<f32>]) -> Vec<u64> {
    tracks.iter().map(|t| fingerprint(t)).collect()
}

/// An operator at work, once a second: faders, cues, a chant, a clap-along, and a jump to
/// `jump` (where the singer first sings, so the lead's stem plays too).
fn operate(e: &mut Engine, frame: usize, jump: u64) {
    match frame / RATE as usize {
        1 => {
            e.set_fader(Fader::Layer(1), -6.0, 0.5);
            e.set_fader(Fader::Energy, 0.4, 0.3);
            e.cue(Cue::Cheers);
        }
        2 => {
            let old = e.start_chant(ChantCue::new("one more song", 100.0).unwrap());
            assert_eq!(old.syllables(), 0);
            e.set_fader(Fader::Master, -3.0, 0.2);
            e.cue_sized(Cue::Applause, 0.6);
        }
        3 => {
            e.start_clap(120.0);
            e.set_fader(Fader::Layer(0), 3.0, 0.1);
        }
        4 => {
            e.seek(jump);
            e.stop_chant();
        }
        5 => {
            e.stop_clap();
            e.set_fader(Fader::Applause, -0.5, 0.2);
            e.cue(Cue::Hush);
        }
        _ => {}
    }
}

fn render_all() -> Vec<String> {
    let frames = SECS as usize * RATE as usize;
    let mut lines = Vec::new();
    for (name, _) in BUILTIN {
        let show = preset::resolve(name).unwrap();
        for build in [Build::Mix, Build::Wet, Build::Dry] {
            let runs: Vec<Vec<u64>> = BLOCKS
                .iter()
                .map(|&b| {
                    prints(&pull(
                        &mut engine(&show, build),
                        frames,
                        b,
                        frames,
                        |_, _| (),
                    ))
                })
                .collect();
            assert_eq!(runs[0], runs[1], "{name} {build:?}: block sizes disagree");
            lines.push(format!("{name} {build:?} {:016x?}", runs[0]));
        }
        let first_note = show.lead_notes().first().map_or(40.0, |n| n.start_secs);
        let jump = ((first_note - 0.5) * f64::from(RATE)) as u64;
        let runs: Vec<Vec<u64>> = BLOCKS
            .iter()
            .map(|&b| {
                let mut e = engine(&show, Build::Wet);
                let at = |e: &mut Engine, frame| operate(e, frame, jump);
                prints(&pull(&mut e, frames, b, RATE as usize, at))
            })
            .collect();
        assert_eq!(runs[0], runs[1], "{name} operated: block sizes disagree");
        lines.push(format!("{name} Operated {:016x?}", runs[0]));
    }
    lines
}

/// Pinned from the hand-wired engine (commit d65c6f9), before the graph; re-pinned when the bar
/// joined as a fifth layer: the mixes of the three shows with a bar in earshot (club, benefit,
/// early days) changed and every stem gained a fifth fingerprint (silent without a bar); no
/// fingerprint of the other four stems moved. Re-pinned when fewer clappers cup their hands
/// (`CUPPED_SHARE`): only the operated runs changed (their applause cue: the mix and the applause
/// stem); and when the bar quietens while the room chants, roars or claps (the mixes and bar
/// stems of club, benefit and early days); and when the far field's cupped-hands resonator got
/// its share of the cupped clappers (`FAR_CUPPED_SHARE`: the operated runs' mix and applause
/// stem); and when a roar grew held cheers (the operated runs' mix and crowd stem); and when
/// the lead sang words in its verses (lead stems and mixes).
/// `CONCERT_BLESS=1` prints the lines to pin after a deliberate change of sound.
const PINNED: &str = "
starlight-finale Mix [d3af3c9543fd28d3, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325]
starlight-finale Wet [d3af3c9543fd28d3, ddc730b9259fa62f, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325]
starlight-finale Dry [d3af3c9543fd28d3, 8f0a980ede9c88d3, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325]
starlight-finale Operated [cfc0041e38e02ea5, 7e283902b4c1fbac, 15beb803d3d290ef, f953571efdc10b7b, eb2f9f0c30d564c9, db20e4e42a9d4325]
echo-fade-club Mix [e82569ffca0fd505, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325]
echo-fade-club Wet [e82569ffca0fd505, 108a982400ed6a06, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, 6eb7262555b1c88c]
echo-fade-club Dry [e82569ffca0fd505, e43c356a6c43ff69, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, a91a315358983a64]
echo-fade-club Operated [592854368f08179f, d863333eab4a453f, dbdacb91c5ee3790, 28e7dacfa2d67f7b, 830f99a8378734ee, bf381a2210f29537]
echo-fade-benefit Mix [7ab782aa0b36f945, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325]
echo-fade-benefit Wet [7ab782aa0b36f945, 0ffe18f3a1cf2ed2, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, 202374553f338aa2]
echo-fade-benefit Dry [7ab782aa0b36f945, 2bf7a1e61d8dc28a, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, 227fba9bb20af6dd]
echo-fade-benefit Operated [28bd3c8cf0df4bc1, 4b8dfbae16938bcd, a9c854c18ec6d272, 6d53248013bd076f, 189191f331e793ec, dd1511c46503c014]
echo-fade-early-days Mix [9d45068370ea6ced, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325]
echo-fade-early-days Wet [9d45068370ea6ced, 51282c039118ae63, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, b6a3f92361885d5a]
echo-fade-early-days Dry [9d45068370ea6ced, 9468b2674593bf2a, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, f4dfccdfd3d3d7ba]
echo-fade-early-days Operated [0a42825f79da6bad, 4ab64f44acdb1a61, df86adfbd063fb46, 15e7690a016a6878, 4e8d0db39848a9a6, 656e8d6f6db99188]
echo-fade-festival Mix [c5b3c7d4a2969c48, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325]
echo-fade-festival Wet [c5b3c7d4a2969c48, 30cb9defa75ec807, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325]
echo-fade-festival Dry [c5b3c7d4a2969c48, 6ad66fc082ed2e0b, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325, db20e4e42a9d4325]
echo-fade-festival Operated [7c2a4b166cc7b79e, fb1fd1c3a8a40956, 58fc028ce8325d4d, 9eff2b2fd626c13f, 8d31dea608856e72, db20e4e42a9d4325]
";

#[test]
fn the_graph_engine_renders_what_the_hand_wired_engine_did() {
    let got = render_all();
    if std::env::var_os("CONCERT_BLESS").is_some() {
        // A deliberate change of sound: print the lines to pin in `PINNED`.
        eprintln!("{}", got.join("\n"));
        return;
    }
    let pinned: Vec<&str> = PINNED.trim().lines().collect();
    assert_eq!(got.len(), pinned.len(), "one line per preset and render");
    for (got, pinned) in got.iter().zip(pinned) {
        assert_eq!(
            got, pinned,
            "the render changed (mix, then stems in STEMS order)"
        );
    }
}
