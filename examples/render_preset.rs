//! Load a built-in show and render it with the library API.
//!
//! `cargo run --release --example render_preset -- [PRESET] [--to 0:05] [-o out.wav]`

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use concert::preset::{self, DEFAULT_PRESET};
use concert::render::{RenderOptions, Target, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut name = DEFAULT_PRESET.to_string();
    let mut to = None;
    let mut out = PathBuf::from("render_preset.wav");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--to" => {
                to = Some(preset::time::parse_time(
                    &args.next().ok_or("--to needs a time")?,
                )?)
            }
            "-o" => out = PathBuf::from(args.next().ok_or("-o needs a path")?),
            other => name = other.to_string(),
        }
    }
    let show = preset::resolve(&name)?;
    let opts = RenderOptions {
        to_secs: to,
        ..RenderOptions::for_show(&show)
    };
    let report = render(
        &show,
        &opts,
        &Target::File(out.clone()),
        &AtomicBool::new(false),
        &mut |_, _, _| {},
    )?;
    println!(
        "{}: {} frames of \"{}\" at {} Hz, peak {:.3}",
        out.display(),
        report.frames,
        show.title,
        opts.sample_rate,
        report.peak
    );
    Ok(())
}
