//! Build a small show in Rust, without TOML, and render it block by block with the engine.
//!
//! `cargo run --release --example show_in_code -- [out.wav]`

use concert::engine::Engine;
use concert::output::wav::{SampleFormat, WavMeta, WavSink};
use concert::preset::{MomentSpec, ShowSpec, SongSpec, VenueSpec};
use concert::show::{MomentKind, VenueKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "show_in_code.wav".into());
    let show = ShowSpec {
        title: "Echo Fade — soundcheck at the Haze Club".into(),
        seed: 7,
        venue: VenueSpec {
            kind: VenueKind::Club,
            audience: Some(250),
            ..Default::default()
        },
        songs: vec![SongSpec {
            title: "Lost in the Haze".into(),
            bpm: 96.0,
            clap_along: vec![2, 4],
            melody: Some("la:A4/4 la:C5/4 oh:E5/2 , yeah:D5/4. ah:C5/8 oh:A4/2 ~/2".into()),
            secs: Some(20.0),
            ..Default::default()
        }],
        timeline: vec![
            MomentSpec::new(MomentKind::Murmur).secs(3.0),
            MomentSpec::new(MomentKind::LightsDown).secs(3.0),
            MomentSpec::song("Lost in the Haze"),
            MomentSpec::new(MomentKind::Applause).secs(8.0),
        ],
        ..Default::default()
    }
    .build()?;

    // The engine is the whole render core: any block size gives the same samples.
    let rate = 44_100;
    let mut engine = Engine::new(&show, show.seed, rate);
    let path = std::path::Path::new(&out);
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    // The header (and any markers) comes first, so the length is given up front.
    let frames = (show.duration_secs * f64::from(rate)) as u64;
    let meta = WavMeta::default();
    let mut wav = WavSink::new(file, SampleFormat::S16, 2, rate, 0, frames, &meta, path)?;
    let mut block = vec![0.0f32; 2 * 512];
    let mut done = 0;
    while done < frames {
        let n = (frames - done).min(512) as usize;
        engine.render_block(&mut block[..2 * n]);
        wav.write(&block[..2 * n])?;
        done += n as u64;
    }
    wav.finalize()?;
    println!("{out}: {:.1} s of \"{}\"", show.duration_secs, show.title);
    Ok(())
}
