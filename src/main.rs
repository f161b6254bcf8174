//! The `concert` binary: parses the command line, loads shows, and hands work to the library.
//! Errors are printed with their whole chain and exit non-zero; no DSP lives here.

mod bed_cmd;
mod cli;
mod docs;
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

use cli::{CheckArgs, Cli, Command, PlotArgs, RenderArgs, TimelineArgs, TimelineFormat};
use concert::engine::StemRoom;
use concert::output::loudness::DEFAULT_TRUE_PEAK_DBTP;
use concert::preset::error::escape;
use concert::preset::time::format_clock;
use concert::preset::{self, BUILTIN};
use concert::render::{RenderError, RenderOptions, Target, clamped_end, render};
use concert::show::{Show, lint};
use concert::timeline_export::{CueSheet, ExportFormat};
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
        Command::Bed(args) => bed_cmd::cmd_bed(args),
        Command::Timeline(args) => cmd_timeline(args),
        Command::Plot(args) => cmd_plot(args),
        Command::Presets => cmd_presets(),
        Command::Check(args) => cmd_check(args),
        #[cfg(feature = "live")]
        Command::Play(args) => play::cmd_play(args),
        #[cfg(feature = "live")]
        Command::Devices => play::cmd_devices(),
        #[cfg(not(feature = "live"))]
        Command::Play(_) | Command::Devices => live_missing(),
        Command::Format => docs::format(),
        Command::Completions(args) => docs::completions(args.shell),
        Command::Man(args) => docs::man(args),
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
    for w in lint::warnings(&show) {
        note(format_args!("warning: {w}"));
    }
    let opts = RenderOptions {
        seed: args.seed.unwrap_or(show.seed),
        sample_rate: args.sample_rate,
        format: args.format.into(),
        from_secs: args.from.unwrap_or(0.0),
        to_secs: args.to,
        loudness_lufs: args.loudness,
        true_peak_dbtp: args
            .true_peak
            .or(args.loudness.map(|_| DEFAULT_TRUE_PEAK_DBTP)),
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
    for over in &report.overs {
        warn_over(over);
    }
    if !args.quiet {
        let secs = report.frames as f64 / f64::from(opts.sample_rate);
        let wall = started.elapsed().as_secs_f64();
        let peak_db = 20.0 * f64::from(report.peak.max(1e-9)).log10();
        for f in &report.files {
            if f.as_os_str() == "-" {
                note(format_args!("wrote WAV to standard output"));
            } else {
                note(format_args!("wrote {}", escape(&f.display().to_string())));
            }
        }
        let l = report.loudness;
        let leveled = match (opts.loudness_lufs, report.limited) {
            (Some(_), true) => format!(", gain {:+.2} dB + true-peak limiter", report.gain_db),
            (Some(_), false) => format!(", gain {:+.2} dB", report.gain_db),
            (None, true) => ", true-peak limiter".to_string(),
            (None, false) => String::new(),
        };
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
        note(format_args!(
            "loudness {:.1} LUFS integrated, range {:.1} LU, true peak {:.1} dBTP{leveled}",
            l.integrated_lufs, l.range_lu, l.true_peak_dbtp
        ));
    }
    Ok(())
}

/// Say which file went over full scale, by how much, and what to do about it.
fn warn_over(over: &concert::render::Over) {
    let name = over.path.file_stem().map_or_else(
        || over.path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let shown = over.path.display().to_string();
    let path = escape(&shown);
    let peak_db = 20.0 * f64::from(over.peak).log10();
    if over.clipped > 0 {
        note(format_args!(
            "warning: stem {name} ({path}) peaks at {peak_db:+.2} dBFS: {} samples clipped at full scale; \
             --format f32 keeps them (turn the stem down in your mix)",
            over.clipped
        ));
    } else {
        note(format_args!(
            "warning: stem {name} ({path}) peaks at {peak_db:+.2} dBFS, over full scale (kept: f32 does not clip; \
             turn it down before converting to an integer format)"
        ));
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
    // A clip's cue sheet: what overlaps it, with times relative to `from`, clamped to the clip.
    let sheet = CueSheet::new(&show, from, args.to);
    let format = if args.json {
        TimelineFormat::Json
    } else {
        args.format
    };
    let export = match format {
        TimelineFormat::Json => {
            out.line(format_args!(
                "{}",
                serde_json::to_string_pretty(&sheet.json(args.sample_rate))?
            ))?;
            return Ok(out.finish()?);
        }
        TimelineFormat::Csv => ExportFormat::Csv,
        TimelineFormat::Audacity => ExportFormat::Audacity,
        TimelineFormat::Reaper => ExportFormat::Reaper,
        TimelineFormat::Text => {
            out.line(format_args!(
                "{} — {} {}, {} people, {}",
                escape(&show.title),
                show.venue.kind.name(),
                show.venue.listener.name(),
                show.venue.audience,
                format_clock(sheet.duration_secs)
            ))?;
            if from > 0.0 || to.is_finite() {
                out.line(format_args!(
                    "times from {} of the show",
                    format_clock(from)
                ))?;
            }
            for c in &sheet.moments {
                out.line(format_args!(
                    "{:>8} – {:>8}  {:<12} {}",
                    format_clock(c.start_secs),
                    format_clock(c.end_secs),
                    c.moment,
                    escape(&c.label)
                ))?;
            }
            if !sheet.notes.is_empty() {
                out.line(format_args!("{} sung notes", sheet.notes.len()))?;
            }
            return Ok(out.finish()?);
        }
    };
    for line in sheet.export(export).lines() {
        out.line(format_args!("{line}"))?;
    }
    Ok(out.finish()?)
}

fn cmd_plot(args: PlotArgs) -> Result<()> {
    let show = load(&args.show)?;
    let output = args
        .output
        .unwrap_or_else(|| default_output(&args.show).with_extension("png"));
    let opts = concert::plot::PlotOptions {
        output,
        wav: args.wav,
        width: args.width,
        height: args.height,
        from_secs: args.from.unwrap_or(0.0),
        to_secs: args.to,
    };
    let done = concert::plot::plot(&show, &opts)?;
    let loudness = done
        .max_short_term_lufs
        .map_or(String::new(), |v| format!(", loudest 3 s {v:.1} LUFS"));
    note(format_args!(
        "wrote {} ({}x{}): {}–{}, {} moments, {} sung notes{loudness}",
        escape(&opts.output.display().to_string()),
        opts.width,
        opts.height,
        format_clock(done.span.from_secs),
        format_clock(done.span.to_secs),
        done.moments,
        done.notes
    ));
    Ok(())
}

fn cmd_presets() -> Result<()> {
    let mut out = Stdout::new();
    for (name, _) in BUILTIN {
        let show = load(name)?;
        // One form for every line (m:ss.s), so the column reads and sorts alike.
        let tenths = (show.duration_secs * 10.0).round() as u64;
        let duration = format!("{}:{:02}.{}", tenths / 600, tenths / 10 % 60, tenths % 10);
        out.line(format_args!(
            "{:<20} {:>7}  {:<8} {:>7} people  {}",
            name,
            duration,
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
        match preset::check(arg) {
            Ok(show) => {
                out.line(format_args!(
                    "ok: {} — \"{}\", {} moments, {}",
                    escape(arg),
                    escape(&show.title),
                    show.moments.len(),
                    format_clock(show.duration_secs)
                ))?;
                let warnings = lint::warnings(&show);
                if !warnings.is_empty() {
                    // Keep stdout and stderr in order on a terminal.
                    out.finish()?;
                    out = Stdout::new();
                    for w in warnings {
                        note(format_args!("warning: {}: {w}", escape(arg)));
                    }
                }
            }
            Err(errors) => {
                // Keep stdout and stderr in order on a terminal.
                out.finish()?;
                out = Stdout::new();
                for e in &errors {
                    note(format_args!("error: {}", escape(&e.to_string())));
                    let mut cause = std::error::Error::source(e);
                    while let Some(c) = cause {
                        note(format_args!("  caused by: {}", escape(&c.to_string())));
                        cause = c.source();
                    }
                }
                if errors.len() > 1 {
                    let more = if errors.len() >= preset::MAX_PROBLEMS {
                        " (stopped there; fix these and check again)"
                    } else {
                        ""
                    };
                    note(format_args!(
                        "{}: {} errors{more}",
                        escape(arg),
                        errors.len()
                    ));
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
