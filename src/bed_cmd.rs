//! `concert bed`: the command-line edge of [`concert::bed`] (arguments in, a file and a summary
//! out); the bed itself is built and rendered by the library.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cli::BedArgs;
use crate::out::note;
use crate::{Stopped, signals};
use concert::bed::{BedOptions, BedSpec, CROSSFADE_SECS, render_bed};
use concert::preset::error::escape;
use concert::preset::time::format_clock;
use concert::render::RenderError;

pub fn cmd_bed(args: BedArgs) -> Result<()> {
    let spec = BedSpec {
        kind: args.kind.into(),
        secs: args.secs,
        looped: args.looped,
        venue: args.venue,
        audience: args.audience,
        listener: args.listener,
        words: args.words.clone(),
        bpm: args.bpm,
    };
    let bed = spec.build()?;
    let kind = bed.kind.name();
    if let (true, Some(b)) = (bed.looped, bed.beats)
        && (bed.secs() - args.secs).abs() > 5e-4
    {
        let what = if kind == "chant" {
            "chant repetitions"
        } else {
            "bars"
        };
        note(format_args!(
            "note: --loop rounds --secs {} to {:.3} s: {} beats = {} {what} of {} beats at {:.1} bpm, so the beat runs on across the seam",
            args.secs,
            bed.secs(),
            b.count,
            b.count / f64::from(b.group),
            b.group,
            b.bpm
        ));
    }
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("bed-{kind}.wav")));
    let opts = BedOptions {
        seed: args.seed,
        sample_rate: args.sample_rate,
        format: args.format.into(),
    };
    let stop = signals::Stop::install().context("cannot install the signal handlers")?;
    let started = Instant::now();
    let report = match (render_bed(&bed, &opts, &path, &stop.flag), stop.signal()) {
        (Err(RenderError::Interrupted), Some(sig)) => return Err(Stopped(sig).into()),
        (r, _) => r?,
    };
    if report.clipped > 0 {
        note(format_args!(
            "warning: {} samples clipped at full scale (--format f32 keeps them)",
            report.clipped
        ));
    }
    if !args.quiet {
        let secs = report.frames as f64 / f64::from(opts.sample_rate);
        let wall = started.elapsed().as_secs_f64();
        if report.path.as_os_str() == "-" {
            note(format_args!("wrote WAV to standard output"));
        } else {
            note(format_args!(
                "wrote {}",
                escape(&report.path.display().to_string())
            ));
        }
        let v = &bed.show.venue;
        let looped = if bed.looped {
            format!(", looped ({CROSSFADE_SECS} s cross-fade)")
        } else {
            String::new()
        };
        note(format_args!(
            "{} {kind} bed{looped}: {} {}, {} people, seed {}, {} Hz, peak {:.1} dBFS, rendered in {:.1} s",
            format_clock(secs),
            v.kind.name(),
            v.listener.name(),
            v.audience,
            opts.seed,
            opts.sample_rate,
            20.0 * f64::from(report.peak.max(1e-9)).log10(),
            wall
        ));
    }
    Ok(())
}
