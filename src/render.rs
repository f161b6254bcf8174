//! Offline rendering: drive the [`Engine`] block by block into a WAV file or a folder of
//! stems, streaming (memory does not grow with show length), cancellable, and leaving no
//! partial files behind on failure.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::{Engine, LAYERS, STEMS, StemRoom};
use crate::output::dest::{Dest, DestError, DestWriter, StemDir};
use crate::output::wav::{SampleFormat, WavError, WavSink, max_frames};
use crate::preset::time::format_clock;
use crate::show::Show;

/// Frames per block handed from the engine to the writers.
const BLOCK_FRAMES: usize = 1024;

/// What to render and how.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Seed for every random choice (the show's own seed unless overridden).
    pub seed: u64,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// WAV sample format.
    pub format: SampleFormat,
    /// Start of the clip in show seconds (0 = from the beginning).
    pub from_secs: f64,
    /// End of the clip in show seconds (`None` = the end of the show).
    pub to_secs: Option<f64>,
}

impl RenderOptions {
    /// Defaults for `show`: its own seed, 48 kHz, 24-bit, the whole show.
    pub fn for_show(show: &Show) -> Self {
        RenderOptions {
            seed: show.seed,
            sample_rate: 48_000,
            format: SampleFormat::S24,
            from_secs: 0.0,
            to_secs: None,
        }
    }
}

/// Where the samples go.
#[derive(Debug, Clone)]
pub enum Target {
    /// One stereo WAV file of the mix.
    File(PathBuf),
    /// A folder with `mix.wav` and one WAV per layer (`crowd.wav`, `applause.wav`, …); the
    /// layers carry the room (and sum to the mix) or are dry (see [`StemRoom`]).
    Stems(PathBuf, StemRoom),
}

/// Errors a render can end with.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The clip starts at or after the end of the show.
    #[error(
        "--from {from} is at or past the end of the show ({show}) — allowed: a start before {show}"
    )]
    StartsAfterEnd {
        /// Start asked for, formatted.
        from: String,
        /// Show length, formatted.
        show: String,
    },
    /// The requested span is empty.
    #[error("--from {from} must be before --to {to} (the show lasts {show})")]
    EmptySpan {
        /// Start asked for, formatted.
        from: String,
        /// End asked for, formatted.
        to: String,
        /// Show length, formatted.
        show: String,
    },
    /// The file would pass WAV's 4 GiB limit.
    #[error(
        "a {secs} render at {rate} Hz in {format} would pass WAV's 4 GiB limit; the longest that fits is {max}: {advice}"
    )]
    TooLong {
        /// Requested length, formatted.
        secs: String,
        /// Sample rate.
        rate: u32,
        /// Sample format, as `--format` spells it.
        format: &'static str,
        /// Longest length that fits, formatted.
        max: String,
        /// What to do: a shorter span, or a smaller format if there is one that fits.
        advice: String,
    },
    /// The destination cannot be written (refused before rendering where possible).
    #[error(transparent)]
    Dest(#[from] DestError),
    /// Writing failed.
    #[error(transparent)]
    Wav(#[from] WavError),
    /// Stopped by the user (Ctrl-C); partial files were removed.
    #[error("render interrupted; partial output removed")]
    Interrupted,
}

/// What a finished render produced.
#[derive(Debug, Clone)]
pub struct RenderReport {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Frames per file.
    pub frames: u64,
    /// Peak absolute sample of the mix.
    pub peak: f32,
    /// Non-finite samples the master replaced (always 0 unless a layer misbehaves).
    pub non_finite: u64,
}

/// The frame span `[first, last)` a render covers.
///
/// A start at or past the end of the show is refused (nothing of the show would be in the
/// clip); an end past it is clamped to it (see [`clamped_end`]), so nothing after the show's
/// end is ever rendered.
pub fn span(show: &Show, opts: &RenderOptions) -> Result<(u64, u64), RenderError> {
    let sr = f64::from(opts.sample_rate);
    if opts.from_secs >= show.duration_secs {
        return Err(RenderError::StartsAfterEnd {
            from: format_clock(opts.from_secs),
            show: format_clock(show.duration_secs),
        });
    }
    let to = opts
        .to_secs
        .unwrap_or(show.duration_secs)
        .min(show.duration_secs);
    let first = (opts.from_secs.max(0.0) * sr).round() as u64;
    let last = (to * sr).round() as u64;
    if last <= first {
        return Err(RenderError::EmptySpan {
            from: format_clock(opts.from_secs),
            to: format_clock(to),
            show: format_clock(show.duration_secs),
        });
    }
    let max = max_frames(opts.format, 2);
    if last - first > max {
        let shorter = "render a shorter span with --from/--to";
        let s16 = max_frames(SampleFormat::S16, 2);
        let advice = if opts.format != SampleFormat::S16 && last - first <= s16 {
            format!(
                "{shorter}, or use --format s16 (up to {})",
                format_clock(s16 as f64 / sr)
            )
        } else {
            shorter.to_string()
        };
        return Err(RenderError::TooLong {
            secs: format_clock((last - first) as f64 / sr),
            rate: opts.sample_rate,
            format: format_name(opts.format),
            max: format_clock(max as f64 / sr),
            advice,
        });
    }
    Ok((first, last))
}

/// The format as `--format` spells it.
fn format_name(format: SampleFormat) -> &'static str {
    match format {
        SampleFormat::S16 => "s16",
        SampleFormat::S24 => "s24",
        SampleFormat::F32 => "f32",
    }
}

/// The end of the show, if `--to` asks for more than the show has (the render stops there).
pub fn clamped_end(show: &Show, opts: &RenderOptions) -> Option<f64> {
    opts.to_secs
        .filter(|&to| to > show.duration_secs)
        .map(|_| show.duration_secs)
}

/// What a render is doing, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Running the show silently up to the clip's start (`--from`), `done` of `total` frames.
    Seeking,
    /// Writing the clip, `done` of `total` frames.
    Rendering,
}

/// One output file being written, under the name the user will know it by.
struct Out {
    path: PathBuf,
    sink: WavSink<DestWriter>,
}

/// Where the outputs land once all are complete.
enum Landing {
    File(Dest),
    Stems(StemDir),
}

/// Opens every output before rendering anything, so a destination that cannot be written
/// (a folder, a missing parent, a read-only place) fails at once.
fn open_outputs(
    target: &Target,
    opts: &RenderOptions,
    first: u64,
    frames: u64,
) -> Result<(Landing, Vec<Out>), RenderError> {
    let sink = |path: PathBuf, writer| {
        let sink = WavSink::new(writer, opts.format, 2, opts.sample_rate, first, &path)?;
        Ok::<_, RenderError>(Out { path, sink })
    };
    match target {
        Target::File(path) => {
            let data_bytes = frames * 2 * opts.format.bytes();
            let (dest, writer) = Dest::create(path, data_bytes)?;
            Ok((Landing::File(dest), vec![sink(path.clone(), writer)?]))
        }
        Target::Stems(dir, _) => {
            let names: Vec<String> = std::iter::once("mix")
                .chain(STEMS)
                .map(|n| format!("{n}.wav"))
                .collect();
            let set = StemDir::create(dir, &names)?;
            let mut outs = Vec::with_capacity(names.len());
            for name in &names {
                let (path, writer) = set.file(name)?;
                outs.push(sink(path, writer)?);
            }
            Ok((Landing::Stems(set), outs))
        }
    }
}

/// Render `show` into `target`. `progress(phase, done, total)` is called after every block
/// (of the seek to `--from`, then of the clip); `cancel` is polled between blocks (set it from
/// a signal handler).
pub fn render(
    show: &Show,
    opts: &RenderOptions,
    target: &Target,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(Phase, u64, u64),
) -> Result<RenderReport, RenderError> {
    let (first, last) = span(show, opts)?;
    let stems = match target {
        Target::Stems(_, room) => Some(*room),
        Target::File(_) => None,
    };
    let (landing, mut outs) = open_outputs(target, opts, first, last - first)?;
    let mut engine = match stems {
        Some(room) => Engine::with_stem_room(show, opts.seed, opts.sample_rate, room),
        None => Engine::new(show, opts.seed, opts.sample_rate),
    };
    let total = last - first;
    // The state at `first` must be exactly what a full render has there.
    let mut skipped = 0;
    while skipped < first {
        if cancel.load(Ordering::Relaxed) {
            return Err(RenderError::Interrupted);
        }
        let n = (first - skipped).min(48_000 * 10);
        engine.skip(n);
        skipped += n;
        progress(Phase::Seeking, skipped, first);
    }
    let mut mix = vec![0.0f32; BLOCK_FRAMES * 2];
    let mut stem_bufs: [Vec<f32>; LAYERS] = std::array::from_fn(|_| vec![0.0f32; BLOCK_FRAMES * 2]);
    let mut done = 0;
    let mut peak = 0.0f32;
    while done < total {
        if cancel.load(Ordering::Relaxed) {
            return Err(RenderError::Interrupted);
        }
        let n = (total - done).min(BLOCK_FRAMES as u64) as usize;
        let block = &mut mix[..2 * n];
        if stems.is_some() {
            let [a, b, c, d] = &mut stem_bufs;
            engine.render_block_with_stems(
                block,
                &mut [
                    &mut a[..2 * n],
                    &mut b[..2 * n],
                    &mut c[..2 * n],
                    &mut d[..2 * n],
                ],
            );
        } else {
            engine.render_block(block);
        }
        peak = block.iter().fold(peak, |p, v| p.max(v.abs()));
        outs[0].sink.write(block)?;
        if stems.is_some() {
            for (k, buf) in stem_bufs.iter().enumerate() {
                outs[k + 1].sink.write(&buf[..2 * n])?;
            }
        }
        done += n as u64;
        progress(Phase::Rendering, done, total);
    }
    let mut files = Vec::new();
    for out in outs {
        out.sink.finalize()?;
        files.push(out.path);
    }
    match landing {
        Landing::File(dest) => dest.commit()?,
        Landing::Stems(set) => set.commit()?,
    }
    Ok(RenderReport {
        files,
        frames: total,
        peak,
        non_finite: engine.non_finite_samples(),
    })
}
