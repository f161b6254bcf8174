//! `concert plot`: a picture of a show's arc. Moments as labelled bands on a time axis, the
//! control curves the engine follows ([`Show::params_at`]), the sung notes as a piano roll
//! ([`Show::lead_notes`]) and, given a render, its short-term loudness.
//!
//! [`layout`] computes where everything goes (pure, tested); `draw` paints it with `plotters`
//! into an RGB buffer; this module checks the request, encodes the PNG and writes it through
//! [`Dest`] (a temporary file renamed into place, so a failed plot leaves nothing behind).

pub mod layout;
pub mod loudness;

mod draw;
mod text;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::output::dest::{Dest, DestError, io_error};
use crate::preset::time::format_clock;
use crate::show::Show;
use layout::{Layout, MIN_SIZE_PX, Span};
use loudness::{ShortTerm, WavError};

/// How far a render's length may differ from the plotted span and still be taken as its render,
/// in seconds: a clip is a whole number of frames, so it can be a frame short or long.
const LENGTH_TOLERANCE_SECS: f64 = 0.01;

/// What to plot and where.
#[derive(Debug, Clone)]
pub struct PlotOptions {
    /// The PNG file to write.
    pub output: PathBuf,
    /// A render of the same span whose short-term loudness is drawn under the plot.
    pub wav: Option<PathBuf>,
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// First second of the show shown.
    pub from_secs: f64,
    /// Last second shown [default: the end of the show; later times are clamped to it].
    pub to_secs: Option<f64>,
}

/// Errors making a plot.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The output does not end in `.png`.
    #[error(
        "{} does not end in .png — a plot is written as a PNG picture, e.g. -o show.png",
        path.display()
    )]
    NotPng {
        /// The path as given.
        path: PathBuf,
    },
    /// The picture is smaller than its labels need.
    #[error(
        "a {width}x{height} picture is too small for the plot's strips and labels: \
         give at least --width {} --height {}", MIN_SIZE_PX.0, MIN_SIZE_PX.1
    )]
    TooSmall {
        /// Requested width.
        width: u32,
        /// Requested height.
        height: u32,
    },
    /// `--from` is not before `--to` and the end of the show.
    #[error("--from {} must be before --to and the end of the show ({})", format_clock(*from_secs), format_clock(*end_secs))]
    EmptySpan {
        /// `--from`.
        from_secs: f64,
        /// The end of the span (`--to` or the end of the show).
        end_secs: f64,
    },
    /// The render could not be read.
    #[error(transparent)]
    Wav(#[from] WavError),
    /// The render is not of the plotted span.
    #[error(
        "{} lasts {}, but the plotted span {}–{} lasts {}: --wav takes a render of the same \
         span (give plot the --from/--to the render was made with)",
        path.display(), format_clock(*wav_secs), format_clock(span.from_secs),
        format_clock(span.to_secs), format_clock(span.secs())
    )]
    WavLength {
        /// The render's path as given.
        path: PathBuf,
        /// Its length in seconds.
        wav_secs: f64,
        /// The plotted span.
        span: Span,
    },
    /// The PNG could not be placed.
    #[error(transparent)]
    Dest(#[from] DestError),
    /// Drawing failed (a backend fault, not the user's doing).
    #[error("cannot draw the plot: {0}")]
    Draw(String),
    /// Encoding or writing the PNG failed.
    #[error("cannot write {}", path.display())]
    Encode {
        /// The path as given.
        path: PathBuf,
        /// What the encoder said.
        #[source]
        source: png::EncodingError,
    },
}

/// What a finished plot shows, for the summary line.
#[derive(Debug, Clone, PartialEq)]
pub struct Plotted {
    /// The span drawn.
    pub span: Span,
    /// Moments drawn (overlapping the span).
    pub moments: usize,
    /// Sung notes drawn.
    pub notes: usize,
    /// The render's loudest short-term reading, LUFS, when one was given.
    pub max_short_term_lufs: Option<f64>,
}

/// Draws `show` as `opts` asks and writes the PNG.
pub fn plot(show: &Show, opts: &PlotOptions) -> Result<Plotted, PlotError> {
    let path = &opts.output;
    let is_png = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if !is_png {
        return Err(PlotError::NotPng { path: path.clone() });
    }
    if opts.width < MIN_SIZE_PX.0 || opts.height < MIN_SIZE_PX.1 {
        return Err(PlotError::TooSmall {
            width: opts.width,
            height: opts.height,
        });
    }
    let end = opts
        .to_secs
        .unwrap_or(show.duration_secs)
        .min(show.duration_secs);
    if opts.from_secs >= end {
        return Err(PlotError::EmptySpan {
            from_secs: opts.from_secs,
            end_secs: end,
        });
    }
    let span = Span {
        from_secs: opts.from_secs,
        to_secs: end,
    };
    let loudness = opts
        .wav
        .as_deref()
        .map(|wav| render_loudness(wav, span))
        .transpose()?;
    // Open the destination before drawing: an unwritable path fails at once.
    let (dest, mut writer) = Dest::create(path)?;
    let layout = Layout::new(opts.width, opts.height, span, loudness.is_some());
    let (rgb, plotted) = draw::draw(show, &layout, loudness.as_ref())?;
    let encode = |source| PlotError::Encode {
        path: path.clone(),
        source,
    };
    let mut encoder = png::Encoder::new(&mut writer, opts.width, opts.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut png = encoder.write_header().map_err(encode)?;
    png.write_image_data(&rgb).map_err(encode)?;
    png.finish().map_err(encode)?;
    writer.flush().map_err(|e| io_error(path, e))?;
    drop(writer);
    dest.commit()?;
    Ok(plotted)
}

/// The short-term loudness of `wav`, which must last as long as `span` (the sample rate is the
/// render's own choice: a show has none, and the meter reads any).
fn render_loudness(wav: &Path, span: Span) -> Result<ShortTerm, PlotError> {
    let st = loudness::short_term(wav)?;
    if (st.duration_secs - span.secs()).abs() > LENGTH_TOLERANCE_SECS {
        return Err(PlotError::WavLength {
            path: wav.to_path_buf(),
            wav_secs: st.duration_secs,
            span,
        });
    }
    Ok(st)
}
