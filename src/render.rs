//! Offline rendering: drive the [`Engine`] block by block into a WAV file or a folder of
//! stems, streaming (memory does not grow with show length), cancellable, and leaving no
//! partial files behind on failure.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::{Engine, LAYERS, STEMS, StemRoom};
use crate::output::dest::{Dest, DestError, StemDir};
use crate::output::loudness::{Loudness, Meter, TRUE_PEAK_MARGIN_DB, TruePeakLimiter, db_to_gain};
use crate::output::sink::{Container, ContainerError, STDOUT, Sink};
use crate::output::wav::{Bext, SampleFormat, WavError, WavMeta, max_frames};
use crate::preset::time::format_clock;
use crate::show::Show;
use crate::timeline_export::CueSheet;

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
    /// Integrated loudness to normalise the mix to, LUFS (`None` = as the engine makes it).
    pub loudness_lufs: Option<f64>,
    /// True-peak ceiling of the mix, dBTP (`None` = the master's sample-peak limit only).
    pub true_peak_dbtp: Option<f64>,
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
            loudness_lufs: None,
            true_peak_dbtp: None,
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
    /// `--loudness` needs a clip with a measurable integrated loudness.
    #[error(
        "cannot normalise to {target} LUFS: the clip's integrated loudness is unmeasurable (silent, or shorter than 0.4 s)"
    )]
    Unmeasurable {
        /// The target asked for.
        target: f64,
    },
    /// `--loudness` asks for more than the true-peak limiter may give under the ceiling.
    #[error(
        "cannot reach {target} LUFS under a {ceiling} dBTP true-peak ceiling: this clip's peaks \
         stand {crest:.1} dB over its loudness, and with the most the limiter may take off them \
         ({max_limiting} dB) it reaches {reachable:.1} LUFS; ask for {offer:.1} LUFS or less, or \
         raise --true-peak",
        offer = floor_tenth(*.reachable)
    )]
    Unreachable {
        /// The target asked for.
        target: f64,
        /// The true-peak ceiling, dBTP.
        ceiling: f64,
        /// The clip's true peak over its integrated loudness, dB (before any gain).
        crest: f64,
        /// The most gain reduction the limiter may apply, dB ([`MAX_LIMITING_DB`]).
        max_limiting: f64,
        /// The loudness measured at that much limiting, LUFS.
        reachable: f64,
    },
    /// The output's name or format is not one this tool writes.
    #[error(transparent)]
    Container(#[from] ContainerError),
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
    /// Loudness of the mix as written (integrated, range, true peak).
    pub loudness: Loudness,
    /// Static gain applied to the mix and every stem, dB (0 without `--loudness`).
    pub gain_db: f64,
    /// Whether the true-peak limiter ran on the mix (the gain alone would have passed the ceiling).
    pub limited: bool,
    /// Files whose samples went over full scale (stems: they bypass the master's limiter).
    pub overs: Vec<Over>,
}

/// A file whose samples went over full scale.
#[derive(Debug, Clone)]
pub struct Over {
    /// The file.
    pub path: PathBuf,
    /// Its largest absolute sample (1.0 = full scale).
    pub peak: f32,
    /// Samples clamped to full scale (0 in f32, which keeps them).
    pub clipped: u64,
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
    let meta = wav_meta(show, opts, first);
    let max = max_frames(opts.format, 2, meta.chunks().len() as u64);
    if last - first > max {
        let shorter = "render a shorter span with --from/--to";
        let s16 = max_frames(SampleFormat::S16, 2, meta.chunks().len() as u64);
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
    /// Writing the clip (every pass of it, with `--loudness`), `done` of `total` frames.
    Rendering,
}

/// What every WAV of a render carries: the moments starting inside it as markers, and a
/// `bext` chunk whose time reference places it at its time in the show.
pub fn wav_meta(show: &Show, opts: &RenderOptions, first: u64) -> WavMeta {
    let sheet = CueSheet::new(show, opts.from_secs.max(0.0), opts.to_secs);
    WavMeta {
        markers: sheet.markers(opts.sample_rate),
        bext: Bext {
            description: format!("{} (seed {})", show.title, opts.seed),
            originator: "concert".to_string(),
            originator_reference: format!("concert {}", env!("CARGO_PKG_VERSION")),
            time_reference: first,
        },
    }
}

/// One output being written, under the name the user will know it by.
pub(crate) struct Out {
    pub(crate) path: PathBuf,
    pub(crate) sink: Sink,
}

/// Where the outputs land once all are complete.
pub(crate) enum Landing {
    /// Standard output: already delivered.
    Stdout,
    File(Dest),
    Stems(StemDir),
}

/// Opens every output before rendering anything, so a destination that cannot be written
/// (a folder, a missing parent, a read-only place, an unknown extension) fails at once.
pub(crate) fn open_outputs(
    target: &Target,
    opts: &RenderOptions,
    (first, last): (u64, u64),
    meta: &WavMeta,
) -> Result<(Landing, Vec<Out>), RenderError> {
    let sink = |path: PathBuf, container: Container, writer: Box<dyn std::io::Write>| {
        let sink = Sink::new(
            container,
            writer,
            opts.format,
            opts.sample_rate,
            first,
            last - first,
            meta,
            &path,
        )?;
        Ok::<_, RenderError>(Out { path, sink })
    };
    match target {
        Target::File(path) if path.as_os_str() == STDOUT => {
            // The header is exact before the first sample, so a pipe needs no seeking.
            let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
            let container = Container::for_path(path, opts.format)?;
            Ok((
                Landing::Stdout,
                vec![sink(path.clone(), container, Box::new(out))?],
            ))
        }
        Target::File(path) => {
            // A folder is refused first; a device or FIFO (`/dev/null`, a named pipe) has no
            // extension to go by and gets a WAV.
            let (dest, writer) = Dest::create(path)?;
            let container = match Container::for_path(path, opts.format) {
                Err(ContainerError::Unsupported { .. }) if dest.is_direct() => Container::Wav,
                other => other?,
            };
            Ok((
                Landing::File(dest),
                vec![sink(path.clone(), container, Box::new(writer))?],
            ))
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
                outs.push(sink(path, Container::Wav, Box::new(writer))?);
            }
            Ok((Landing::Stems(set), outs))
        }
    }
}

/// Render `show` into `target`. `progress(phase, done, total)` is called after every block:
/// while seeking to `--from`, then counting the clip's frames over all passes (`total` may grow
/// when the limiter needs another measuring pass); `cancel` is polled between blocks (set it
/// from a signal handler).
///
/// With a loudness target or a true-peak ceiling the show is rendered more than once: a first
/// pass measures the mix; if the gain that reaches the target keeps the true peak under the
/// ceiling it is applied as is (the loudness lands exactly), otherwise a true-peak limiter
/// follows it and up to four more measuring passes correct the gain for what the limiter took.
/// The engine is deterministic, so every pass sees the same samples.
pub fn render(
    show: &Show,
    opts: &RenderOptions,
    target: &Target,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(Phase, u64, u64),
) -> Result<RenderReport, RenderError> {
    let span = span(show, opts)?;
    let leveling = opts.loudness_lufs.is_some() || opts.true_peak_dbtp.is_some();
    let mut progress = Progress {
        frames: span.1 - span.0,
        before: 0,
        planned: if leveling { 2 } else { 1 },
        report: progress,
    };
    let progress = &mut progress;
    // Open every output first: what cannot be written is refused before any rendering.
    let meta = wav_meta(show, opts, span.0);
    let (landing, mut outs) = open_outputs(target, opts, span, &meta)?;
    let (gain_db, limit) = level(show, opts, span, cancel, progress)?;
    let stems = match target {
        Target::Stems(_, room) => Some(*room),
        Target::File(_) => None,
    };
    let pass = run_pass(
        show, opts, span, stems, gain_db, limit, &mut outs, cancel, progress,
    )?;
    let mut files = Vec::new();
    let mut overs = Vec::new();
    for out in outs {
        if out.sink.peak() > 1.0 {
            overs.push(Over {
                path: out.path.clone(),
                peak: out.sink.peak(),
                clipped: out.sink.clipped(),
            });
        }
        out.sink.finalize()?;
        files.push(out.path);
    }
    match landing {
        Landing::Stdout => {}
        Landing::File(dest) => dest.commit()?,
        Landing::Stems(set) => set.commit()?,
    }
    Ok(RenderReport {
        files,
        frames: span.1 - span.0,
        peak: pass.peak,
        non_finite: pass.non_finite,
        loudness: pass.loudness,
        gain_db,
        limited: limit.is_some(),
        overs,
    })
}

/// `lufs` rounded down to a tenth: the loudness a refusal offers, so that it is reachable.
fn floor_tenth(lufs: f64) -> f64 {
    (lufs * 10.0).floor() / 10.0
}

/// The most the true-peak limiter may take off the clip's loudest peak, dB. It is a safety
/// limiter, not a loudness maximiser: a crowd's claps and shouts stand 15–25 dB over its
/// loudness, and limited by much more than this they flatten into a dense wall. Without a
/// bound, a target the clip cannot reach sent the gain search off: a one-second clip of the
/// doors opening asked for −6 LUFS got +81 dB (the limiter held the mix; the stems, which
/// bypass it, reached +91 dBFS).
pub const MAX_LIMITING_DB: f64 = 12.0;

/// Measuring passes over the mix: the static gain (dB) and, when the gain alone would pass the
/// ceiling, the ceiling the limiter must hold (dBTP).
fn level(
    show: &Show,
    opts: &RenderOptions,
    span: (u64, u64),
    cancel: &AtomicBool,
    progress: &mut Progress<'_>,
) -> Result<(f64, Option<f64>), RenderError> {
    /// How close a measuring pass must land to the target before the writing pass, LU.
    const TOLERANCE_LU: f64 = 0.01;
    /// Measuring passes with the limiter on, at most.
    const LIMITED_PASSES: usize = 4;
    if opts.loudness_lufs.is_none() && opts.true_peak_dbtp.is_none() {
        return Ok((0.0, None));
    }
    let ceiling = opts
        .true_peak_dbtp
        .unwrap_or(crate::output::loudness::DEFAULT_TRUE_PEAK_DBTP);
    let measure = |gain_db, limit, progress: &mut Progress<'_>| {
        run_pass(
            show,
            opts,
            span,
            None,
            gain_db,
            limit,
            &mut [],
            cancel,
            progress,
        )
        .map(|p| p.loudness)
    };
    let raw = measure(0.0, None, progress)?;
    let mut gain_db = match opts.loudness_lufs {
        Some(target) if raw.integrated_lufs.is_finite() => target - raw.integrated_lufs,
        Some(target) => return Err(RenderError::Unmeasurable { target }),
        None => 0.0,
    };
    if raw.true_peak_dbtp + gain_db <= ceiling - TRUE_PEAK_MARGIN_DB {
        return Ok((gain_db, None));
    }
    if let Some(target) = opts.loudness_lufs {
        // The secant method: the limiter takes more as the gain rises, so a dB of gain buys
        // less than a dB of loudness, and stepping by the miss alone (a slope of 1) stopped
        // 0.2–0.4 LU short after two passes on a roar's peaks. The slope is measured from the
        // last two passes (the unlimited one first), kept within 0.2–1. The gain never goes
        // past the point where the limiter would take `MAX_LIMITING_DB` off the loudest peak;
        // if the target lies beyond it, the render stops before writing anything.
        let max_gain = ceiling - raw.true_peak_dbtp + MAX_LIMITING_DB;
        gain_db = gain_db.min(max_gain);
        let mut last = (0.0, raw.integrated_lufs);
        for _ in 0..LIMITED_PASSES {
            progress.planned += 1;
            let got = measure(gain_db, Some(ceiling), progress)?.integrated_lufs;
            if (got - target).abs() <= TOLERANCE_LU {
                break;
            }
            if gain_db >= max_gain && got < target {
                return Err(RenderError::Unreachable {
                    target,
                    ceiling,
                    crest: raw.true_peak_dbtp - raw.integrated_lufs,
                    max_limiting: MAX_LIMITING_DB,
                    reachable: got,
                });
            }
            let slope = if gain_db != last.0 {
                ((got - last.1) / (gain_db - last.0)).clamp(0.2, 1.0)
            } else {
                1.0
            };
            last = (gain_db, got);
            gain_db = (gain_db + (target - got) / slope).min(max_gain);
        }
    }
    Ok((gain_db, Some(ceiling)))
}

/// Progress over every pass of a render, as one bar: `planned` grows if the limiter needs
/// more measuring passes.
struct Progress<'a> {
    frames: u64,
    before: u64,
    planned: u64,
    report: &'a mut dyn FnMut(Phase, u64, u64),
}

impl Progress<'_> {
    fn report(&mut self, done: u64) {
        (self.report)(
            Phase::Rendering,
            self.before + done,
            self.planned * self.frames,
        );
    }

    fn seek(&mut self, done: u64, total: u64) {
        (self.report)(Phase::Seeking, done, total);
    }
}

/// What one pass over the span saw of the mix it produced.
struct Pass {
    peak: f32,
    non_finite: u64,
    loudness: Loudness,
}

/// Render the span once: the engine's mix times `gain_db`, through a true-peak limiter at
/// `limit` dBTP if given, metered and written to `outs[0]`; with `stems`, each stem times the
/// same gain to `outs[1..]`. With no `outs`, the pass only measures.
#[allow(clippy::too_many_arguments)]
fn run_pass(
    show: &Show,
    opts: &RenderOptions,
    (first, last): (u64, u64),
    stems: Option<StemRoom>,
    gain_db: f64,
    limit: Option<f64>,
    outs: &mut [Out],
    cancel: &AtomicBool,
    progress: &mut Progress<'_>,
) -> Result<Pass, RenderError> {
    let mut engine = match stems {
        Some(room) => Engine::with_stem_room(show, opts.seed, opts.sample_rate, room),
        None => Engine::new(show, opts.seed, opts.sample_rate),
    };
    let gain = db_to_gain(gain_db) as f32;
    let mut limiter = limit.map(|c| TruePeakLimiter::new(c, opts.sample_rate));
    // The limiter delays the mix: render that much further and drop its first frames.
    let latency = limiter.as_ref().map_or(0, |l| l.latency() as u64);
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
        progress.seek(skipped, first);
    }
    let mut meter = Meter::new(opts.sample_rate);
    let mut mix = vec![0.0f32; BLOCK_FRAMES * 2];
    let mut limited = vec![0.0f32; BLOCK_FRAMES * 2];
    let mut stem_bufs: [Vec<f32>; LAYERS] = std::array::from_fn(|_| vec![0.0f32; BLOCK_FRAMES * 2]);
    let mut done = 0;
    let mut peak = 0.0f32;
    while done < total + latency {
        if cancel.load(Ordering::Relaxed) {
            return Err(RenderError::Interrupted);
        }
        let n = (total + latency - done).min(BLOCK_FRAMES as u64) as usize;
        let block = &mut mix[..2 * n];
        if stems.is_some() {
            engine
                .render_block_with_stems(block, &mut stem_bufs.each_mut().map(|s| &mut s[..2 * n]));
        } else {
            engine.render_block(block);
        }
        if gain != 1.0 {
            block.iter_mut().for_each(|v| *v *= gain);
        }
        let written: &[f32] = match &mut limiter {
            Some(lim) => {
                let mut k = 0;
                for (i, f) in block.chunks_exact(2).enumerate() {
                    let out = lim.push([f[0], f[1]]);
                    if done + i as u64 >= latency {
                        limited[2 * k..2 * k + 2].copy_from_slice(&out);
                        k += 1;
                    }
                }
                &limited[..2 * k]
            }
            None => block,
        };
        peak = written.iter().fold(peak, |p, v| p.max(v.abs()));
        meter.add(written);
        if let Some(out) = outs.first_mut() {
            out.sink.write(written)?;
        }
        // Stems are not delayed: they end with the span.
        let stem_frames = (total.saturating_sub(done)).min(n as u64) as usize;
        if stems.is_some() && stem_frames > 0 {
            for (k, buf) in stem_bufs.iter_mut().enumerate() {
                let buf = &mut buf[..2 * stem_frames];
                if gain != 1.0 {
                    buf.iter_mut().for_each(|v| *v *= gain);
                }
                outs[k + 1].sink.write(buf)?;
            }
        }
        done += n as u64;
        progress.report(done.min(total));
    }
    progress.before += total;
    Ok(Pass {
        peak,
        non_finite: engine.non_finite_samples(),
        loudness: meter.read(),
    })
}
