//! A game's goal celebration: our crowd, cheers and applause dropped into *your* fundsp graph, with your
//! own reverb, driven by `Shared` faders ("excitement", "chatter") that the game moves while it
//! plays.
//!
//! No show, no timeline: each instrument is built from its configuration (audience, seat,
//! seed) and played by its control inputs. Here the stadium chats and claps a little while the
//! game idles, a goal at 3 s sends it up (roar and applause), and it settles back over the next
//! seconds.
//!
//! `cargo run --release --example goal_celebration -- [out.wav]`

use concert::instruments::applause::{ApplauseConfig, applause};
use concert::instruments::cheers::{CheersConfig, cheers};
use concert::instruments::crowd::{CrowdConfig, crowd};
use concert::kit::Listener;
use fundsp::prelude32::*;

const SAMPLE_RATE: f64 = 48_000.0;
const SECONDS: f64 = 12.0;
/// When the goal is scored.
const GOAL_SECS: f64 = 3.0;

/// The game's excitement at `t` seconds: a trickle of claps, then the goal and its decay.
fn excitement(t: f64) -> f32 {
    if t < GOAL_SECS {
        0.15
    } else {
        let since = t - GOAL_SECS;
        let rise = (since / 0.6).min(1.0);
        (0.15 + 0.85 * rise * (-(since - 0.6).max(0.0) / 4.0).exp()) as f32
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "goal_celebration.wav".into());
    let fader = shared(excitement(0.0));
    let chatter = shared(1.0 - excitement(0.0));
    let hands = ApplauseConfig {
        audience: 40_000,
        listener: Listener::Floor,
        sections: Vec::new(),
        seed: 2026,
    };
    let voices = CrowdConfig {
        audience: 40_000,
        seed: 2027,
        ..CrowdConfig::default()
    };
    let shouts = CheersConfig {
        audience: 40_000,
        seed: 2028,
    };
    // Cheers per second at full excitement: "woo"s and shouts, finger whistles, screams.
    let (woos, whistles, screams) = (6.0, 2.0, 1.0);
    // The user's own graph: faders → applause + crowd (excitement, chatter, roar) + cheers →
    // their stadium reverb, mixed 70/30 → limiter.
    let mut graph = ((var(&fader) >> applause(hands))
        + ((var(&fader) | var(&chatter) | var(&fader)) >> crowd(voices))
        + ((var(&fader)
            | (var(&fader) * woos)
            | (var(&fader) * whistles)
            | (var(&fader) * screams))
            >> cheers(shouts)))
        >> ((multipass::<U2>() * 0.7) & (reverb_stereo(40.0, 2.5, 0.6) * 0.3))
        >> limiter_stereo(0.005, 0.3);
    graph.set_sample_rate(SAMPLE_RATE);

    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: SAMPLE_RATE as u32,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = hound::WavWriter::create(&out, spec)?;
    let block = 480; // the game's audio callback: 10 ms
    let frames = (SECONDS * SAMPLE_RATE) as usize;
    let (mut before, mut after) = (0.0f64, 0.0f64);
    for start in (0..frames).step_by(block) {
        // Once per callback the game sets the fader; the node reads it every 64 frames.
        let e = excitement(start as f64 / SAMPLE_RATE);
        fader.set_value(e);
        chatter.set_value(1.0 - e);
        for n in start..std::cmp::min(start + block, frames) {
            let (l, r) = graph.get_stereo();
            let power = f64::from(l * l + r * r) / 2.0;
            let t = n as f64 / SAMPLE_RATE;
            if (1.0..GOAL_SECS).contains(&t) {
                before += power;
            } else if (GOAL_SECS + 0.6..GOAL_SECS + 2.6).contains(&t) {
                after += power;
            }
            for s in [l, r] {
                wav.write_sample((s.clamp(-1.0, 1.0) * 32_767.0) as i16)?;
            }
        }
    }
    wav.finalize()?;
    let db = |p: f64, secs: f64| 10.0 * (p / (secs * SAMPLE_RATE)).log10();
    println!(
        "wrote {out}: {SECONDS} s; before the goal {:.1} dBFS, after it {:.1} dBFS",
        db(before, GOAL_SECS - 1.0),
        db(after, 2.0)
    );
    Ok(())
}
