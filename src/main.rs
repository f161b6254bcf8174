//! The `concert` binary: parses the command line, loads shows, and hands work to the library.
//! Errors are printed with their whole chain and exit non-zero; no DSP lives here.

mod cli;
mod out;
#[cfg(feature = "live")]
mod play;
mod progress;
mod signals;

// Debug builds with live playback count any allocation inside the audio callback (the
// callback runs under `assert_no_alloc`; `play` reports the count in its summary).
#[cfg(all(feature = "live", debug_assertions))]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Parser;

use cli::{CheckArgs, Cli, Command, RenderArgs, TimelineArgs};
use concert::engine::StemRoom;
use concert::preset::error::escape;
use concert::preset::time::format_clock;
use concert::preset::{self, BUILTIN};
use concert::render::{RenderError, RenderOptions, Target, clamped_end, render};
use concert::show::Show;
use out::{BROKEN_PIPE_EXIT, Stdout, StdoutError, note};

/// A render stopped by a signal; its partial output is already removed.
#[derive(Debug, thiserror::Error)]
#[error("render stopped by {}; partial output removed", signals::name(*.0))]
struct Stopped(i32);

fn main() {
    let cli = Cli::parse();
    if let Err(err) = run(cli) {
        if err
            .downcast_ref::<StdoutError>()
            .is_some_and(StdoutError::is_broken_pipe)
        {
            std::process::exit(BROKEN_PIPE_EXIT);
        }
        // Messages quote paths and values the user gave: never let them drive the terminal.
        note(format_args!("error: {}", escape(&err.to_string())));
        for cause in err.chain().skip(1) {
            note(format_args!("  caused by: {}", escape(&cause.to_string())));
        }
        let code = match err.downcast_ref::<Stopped>() {
            Some(Stopped(sig)) => 128 + sig,
            None => 1,
        };
        std::process::exit(code);
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Render(args) => cmd_render(args),
        Command::Timeline(args) => cmd_timeline(args),
        Command::Presets => cmd_presets(),
        Command::Check(args) => cmd_check(args),
        #[cfg(feature = "live")]
        Command::Play(args) => play::cmd_play(args),
        #[cfg(feature = "live")]
        Command::Devices => play::cmd_devices(),
        #[cfg(not(feature = "live"))]
        Command::Play(_) | Command::Devices => live_missing(),
    }
}

/// Live playback needs cpal, which needs ALSA headers to build; say exactly how to get it.
#[cfg(not(feature = "live"))]
fn live_missing() -> Result<()> {
    bail!(
        "this build has no live playback; rebuild with the `live` feature: \
         `cargo run --release --features live -- play` (on Linux first: apt-get install libasound2-dev pkg-config)"
    )
}

/// Load a show by preset name or path (errors already name file, line, column and key).
fn load(arg: &str) -> Result<Show> {
    Ok(preset::resolve(arg)?)
}

/// The file name a show renders to by default: the preset name or the file's stem.
fn default_output(arg: &str) -> PathBuf {
    let stem = Path::new(arg)
        .file_stem()
        .map_or_else(|| arg.to_string(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("{stem}.wav"))
}

fn cmd_render(args: RenderArgs) -> Result<()> {
    let show = load(&args.show)?;
    let opts = RenderOptions {
        seed: args.seed.unwrap_or(show.seed),
        sample_rate: args.sample_rate,
        format: args.format.into(),
        from_secs: args.from.unwrap_or(0.0),
        to_secs: args.to,
    };
    let target = match (&args.stems, &args.output) {
        (Some(dir), _) => Target::Stems(
            dir.clone(),
            if args.dry {
                StemRoom::Dry
            } else {
                StemRoom::Wet
            },
        ),
        (None, Some(out)) => Target::File(out.clone()),
        (None, None) => Target::File(default_output(&args.show)),
    };
    let stop = signals::Stop::install().context("cannot install the signal handlers")?;
    if let Some(end) = clamped_end(&show, &opts)
        && opts.from_secs < end
    {
        note(format_args!(
            "note: --to {} is past the end of the show ({}); rendering to the end",
            format_clock(opts.to_secs.unwrap_or(end)),
            format_clock(end)
        ));
    }
    let mut progress = progress::Progress::new(
        !args.quiet && std::io::stderr().is_terminal(),
        &show.title,
        opts.sample_rate,
    );
    let started = Instant::now();
    let result = render(&show, &opts, &target, &stop.flag, &mut |p, done, total| {
        progress.update(p, done, total)
    });
    progress.finish();
    let report = match (result, stop.signal()) {
        (Err(RenderError::Interrupted), Some(sig)) => return Err(Stopped(sig).into()),
        (r, _) => r?,
    };
    if !args.quiet {
        let secs = report.frames as f64 / f64::from(opts.sample_rate);
        let wall = started.elapsed().as_secs_f64();
        let peak_db = 20.0 * f64::from(report.peak.max(1e-9)).log10();
        for f in &report.files {
            note(format_args!("wrote {}", escape(&f.display().to_string())));
        }
        note(format_args!(
            "{} of \"{}\", seed {}, {} Hz {}, peak {:.1} dBFS, rendered in {:.1} s ({:.0}x real time)",
            format_clock(secs),
            escape(&show.title),
            opts.seed,
            opts.sample_rate,
            format!("{:?}", args.format).to_lowercase(),
            peak_db,
            wall,
            secs / wall.max(1e-6)
        ));
    }
    Ok(())
}

/// A clock time that may fall before the clip (a moment already under way when it starts).
fn signed_clock(secs: f64) -> String {
    if secs < 0.0 {
        format!("-{}", format_clock(-secs))
    } else {
        format_clock(secs)
    }
}

fn cmd_timeline(args: TimelineArgs) -> Result<()> {
    let show = load(&args.show)?;
    // A clip's cue sheet: what overlaps [from, to], with times relative to `from`.
    let from = args.from.unwrap_or(0.0);
    let to = args.to.unwrap_or(f64::INFINITY);
    anyhow::ensure!(
        from < to && from < show.duration_secs,
        "--from {} must be before --to and the end of the show ({})",
        format_clock(from),
        format_clock(show.duration_secs)
    );
    let mut out = Stdout::new();
    let moments: Vec<_> = show
        .moments
        .iter()
        .filter(|m| m.end_secs > from && m.start_secs < to)
        .collect();
    let notes: Vec<_> = show
        .lead_notes()
        .into_iter()
        .filter(|n| n.start_secs >= from && n.end_secs <= to)
        .collect();
    if args.json {
        let moments: Vec<_> = moments
            .iter()
            .map(|m| {
                serde_json::json!({
                    "moment": m.kind.name(),
                    "label": m.label,
                    "id": m.id,
                    "start_secs": m.start_secs - from,
                    "end_secs": m.end_secs - from,
                })
            })
            .collect();
        let notes: Vec<_> = notes
            .iter()
            .map(|n| {
                serde_json::json!({
                    "start_secs": n.start_secs - from,
                    "end_secs": n.end_secs - from,
                    "midi": n.midi,
                    "syllable": n.syllable,
                })
            })
            .collect();
        let doc = serde_json::json!({
            "title": show.title,
            "duration_secs": show.duration_secs,
            "from_secs": from,
            "sample_rate": args.sample_rate,
            "moments": moments,
            "notes": notes,
        });
        out.line(format_args!("{}", serde_json::to_string_pretty(&doc)?))?;
        return Ok(out.finish()?);
    }
    out.line(format_args!(
        "{} — {} {}, {} people, {}",
        escape(&show.title),
        show.venue.kind.name(),
        show.venue.listener.name(),
        show.venue.audience,
        format_clock(show.duration_secs)
    ))?;
    if from > 0.0 || to.is_finite() {
        out.line(format_args!(
            "times from {} of the show",
            format_clock(from)
        ))?;
    }
    for m in &moments {
        out.line(format_args!(
            "{:>8} – {:>8}  {:<12} {}",
            signed_clock(m.start_secs - from),
            signed_clock(m.end_secs - from),
            m.kind.name(),
            escape(&m.label)
        ))?;
    }
    if !notes.is_empty() {
        out.line(format_args!("{} sung notes", notes.len()))?;
    }
    Ok(out.finish()?)
}

fn cmd_presets() -> Result<()> {
    let mut out = Stdout::new();
    for (name, _) in BUILTIN {
        let show = load(name)?;
        out.line(format_args!(
            "{:<20} {:>6}  {:<8} {:>7} people  {}",
            name,
            format_clock(show.duration_secs),
            show.venue.kind.name(),
            show.venue.audience,
            show.title
        ))?;
    }
    Ok(out.finish()?)
}

fn cmd_check(args: CheckArgs) -> Result<()> {
    let mut out = Stdout::new();
    let mut failed = 0;
    for arg in &args.shows {
        match preset::resolve(arg) {
            Ok(show) => out.line(format_args!(
                "ok: {} — \"{}\", {} moments, {}",
                escape(arg),
                escape(&show.title),
                show.moments.len(),
                format_clock(show.duration_secs)
            ))?,
            Err(e) => {
                // Keep stdout and stderr in order on a terminal.
                out.finish()?;
                out = Stdout::new();
                note(format_args!("error: {}", escape(&e.to_string())));
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    note(format_args!("  caused by: {}", escape(&c.to_string())));
                    cause = c.source();
                }
                failed += 1;
            }
        }
    }
    out.finish()?;
    if failed > 0 {
        bail!("{failed} of {} shows invalid", args.shows.len());
    }
    Ok(())
}
