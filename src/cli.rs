//! The command line: subcommands, their options, and how each value is parsed and checked.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

use concert::bed::BedKind;
use concert::show::{Listener, VenueKind};

use concert::output::wav::SampleFormat;
use concert::preset::DEFAULT_PRESET;
use concert::preset::time::parse_time;

/// Procedural concert ambience: crowd, applause, cheers and a singing lead, following a show.
#[derive(Debug, Parser)]
#[command(name = "concert", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a show to a WAV file (or a folder of stems).
    Render(RenderArgs),
    /// Render a bed of one crowd texture without a show file, optionally as a seamless loop.
    Bed(BedArgs),
    /// Print a show's resolved cue sheet: one moment a line, or JSON.
    Timeline(TimelineArgs),
    /// Draw a show's timeline as a PNG: moments, control curves, sung notes, a render's loudness.
    Plot(PlotArgs),
    /// List the built-in shows.
    Presets,
    /// Validate show files (or built-in presets); exit 0 if all are valid.
    Check(CheckArgs),
    /// Play a show live through an audio device (needs the `live` feature).
    #[command(after_long_help = play_controls())]
    Play(PlayArgs),
    /// List audio output devices (needs the `live` feature).
    Devices,
    /// Print the show file format: every key with its type, default and range, and the melody notation.
    Format,
    /// Print a shell completion script, e.g. `concert completions bash > ~/.local/share/bash-completion/completions/concert`.
    Completions(CompletionsArgs),
    /// Print a man page (roff), e.g. `concert man render | man -l -`, or write all of them to a folder.
    Man(ManArgs),
}

/// Options of `concert man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The page of one subcommand (`concert-render(1)`), instead of `concert(1)`.
    pub command: Option<String>,
    /// Write every page (concert.1, concert-render.1, …) into this folder instead.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

/// Options of `concert completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// WAV sample formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// 16-bit integer (dithered).
    S16,
    /// 24-bit integer.
    S24,
    /// 32-bit float.
    F32,
}

impl From<FormatArg> for SampleFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::S16 => SampleFormat::S16,
            FormatArg::S24 => SampleFormat::S24,
            FormatArg::F32 => SampleFormat::F32,
        }
    }
}

/// A time on the command line: "m:ss", "h:mm:ss", "90s" or plain seconds.
fn parse_cli_time(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.0 => Ok(secs),
        _ => parse_time(text),
    }
}

/// `render` options.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// A built-in preset name (see `concert presets`) or a path to a show .toml file.
    #[arg(default_value = DEFAULT_PRESET)]
    pub show: String,
    /// Output file: .wav or .flac (the extension picks the container), or - to stream WAV to
    /// standard output [default: ./SHOW-NAME.wav].
    #[arg(short, long, conflicts_with = "stems")]
    pub output: Option<PathBuf>,
    /// Write DIR/mix.wav plus one sample-aligned WAV per layer (named in `stems_help`).
    #[arg(long, value_name = "DIR", help = stems_help())]
    pub stems: Option<PathBuf>,
    /// Write the stems dry: each layer as it leaves the synthesis, before the venue's room and
    /// the master (the lead as its vocal mic hears it). Dry stems no longer sum to the mix,
    /// which is unchanged.
    #[arg(long, requires = "stems")]
    pub dry: bool,
    /// Random seed [default: the show's own `seed`].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Sample format.
    #[arg(long, value_enum, default_value_t = FormatArg::S24)]
    pub format: FormatArg,
    /// Sample rate in Hz.
    #[arg(long, default_value_t = 48_000, value_parser = clap::value_parser!(u32).range(8_000..=192_000))]
    pub sample_rate: u32,
    /// Start of the clip ("4:10", "250s", 250); the clip is sample-identical to that span of a full render.
    #[arg(long, value_parser = parse_cli_time, value_name = "TIME")]
    pub from: Option<f64>,
    /// End of the clip [default: the end of the show].
    #[arg(long, value_parser = parse_cli_time, value_name = "TIME")]
    pub to: Option<f64>,
    /// Normalise the mix's integrated loudness (EBU R128 / ITU-R BS.1770) to LUFS: broadcast
    /// -23, podcasts -16, streaming -14. Stems get the same gain. Costs a measuring pass (more if
    /// the true-peak limiter must act; a target that needs more than 12 dB of limiting is
    /// refused, naming the loudest the clip can reach).
    #[arg(long, value_name = "LUFS", allow_negative_numbers = true, value_parser = parse_lufs)]
    pub loudness: Option<f64>,
    /// Keep the mix's true (4x oversampled) peak under DBTP, limiting only if the gain alone
    /// would pass it [default with --loudness: -1].
    #[arg(long, value_name = "DBTP", allow_negative_numbers = true, value_parser = parse_dbtp)]
    pub true_peak: Option<f64>,
    /// No progress bar or summary.
    #[arg(short, long)]
    pub quiet: bool,
}

/// A loudness target in LUFS: -70 (the absolute gate) to 0.
fn parse_lufs(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if (-70.0..=0.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "expected a loudness in LUFS from -70 to 0 (e.g. -23, -16, -14), got `{text}`"
        )),
    }
}

/// A true-peak ceiling in dBTP: -20 to 0.
fn parse_dbtp(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if (-20.0..=0.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "expected a true-peak ceiling in dBTP from -20 to 0 (e.g. -1, -2), got `{text}`"
        )),
    }
}

/// `bed` options.
#[derive(Debug, Args)]
pub struct BedArgs {
    /// The texture.
    #[arg(value_enum)]
    pub kind: BedKindArg,
    /// Length ("45", "1:30", "90s"); with --loop and a beat (chant, clap-along), rounded to
    /// whole chant repetitions or bars.
    #[arg(long, default_value = "30", value_parser = parse_bed_secs, value_name = "SECS",
          allow_negative_numbers = true)]
    pub secs: f64,
    /// Make the end flow into the start: the last 1.5 s cross-fade into what precedes the first
    /// sample, so the file repeats without a click or a jump.
    #[arg(long = "loop")]
    pub looped: bool,
    /// People in the audience [default: the venue's typical size].
    #[arg(long, value_name = "N")]
    pub audience: Option<u32>,
    /// Kind of room.
    #[arg(long, default_value = "theatre",
          value_parser = PossibleValuesParser::new(VenueKind::ALL.map(|(_, n)| n)).map(|s| venue(&s)))]
    pub venue: VenueKind,
    /// Where the listener stands.
    #[arg(long, default_value = "floor",
          value_parser = PossibleValuesParser::new(Listener::ALL.map(|(_, n)| n)).map(|s| listener(&s)))]
    pub listener: Listener,
    /// Chant words (chant only) [default: "one more song"].
    #[arg(long)]
    pub words: Option<String>,
    /// Tempo in beats per minute (chant 60-200, default 104; clap-along 40-240, default 120).
    #[arg(long)]
    pub bpm: Option<f64>,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output file: .wav or .flac, or - to stream WAV to standard output [default: ./bed-KIND.wav].
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Sample format.
    #[arg(long, value_enum, default_value_t = FormatArg::S24)]
    pub format: FormatArg,
    /// Sample rate in Hz.
    #[arg(long, default_value_t = 48_000, value_parser = clap::value_parser!(u32).range(8_000..=192_000))]
    pub sample_rate: u32,
    /// No summary.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Bed textures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BedKindArg {
    /// Pre-show chatter.
    Murmur,
    /// A shouting crowd.
    Roar,
    /// Sustained applause.
    Applause,
    /// A cheering ovation.
    Cheers,
    /// A crowd chanting words on a beat.
    Chant,
    /// Clapping along on beats 2 and 4.
    ClapAlong,
}

impl From<BedKindArg> for BedKind {
    fn from(k: BedKindArg) -> Self {
        match k {
            BedKindArg::Murmur => BedKind::Murmur,
            BedKindArg::Roar => BedKind::Roar,
            BedKindArg::Applause => BedKind::Applause,
            BedKindArg::Cheers => BedKind::Cheers,
            BedKindArg::Chant => BedKind::Chant,
            BedKindArg::ClapAlong => BedKind::ClapAlong,
        }
    }
}

/// A bed's length: any number (the range is checked with the bed) or a time.
fn parse_bed_secs(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) => Ok(secs),
        Err(_) => parse_time(text),
    }
}

/// The venue kind named `name` (one of the possible values).
fn venue(name: &str) -> VenueKind {
    VenueKind::ALL
        .iter()
        .find(|(_, n)| *n == name)
        .map_or(VenueKind::Theatre, |(k, _)| *k)
}

/// The listener position named `name` (one of the possible values).
fn listener(name: &str) -> Listener {
    Listener::ALL
        .iter()
        .find(|(_, n)| *n == name)
        .map_or(Listener::Floor, |(k, _)| *k)
}

/// Cue sheet formats of `timeline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormat {
    /// One moment a line, for reading.
    Text,
    /// `moment,label,start_secs,end_secs`.
    Csv,
    /// An Audacity label track (File > Import > Labels).
    Audacity,
    /// A REAPER region list (Region/Marker Manager > Import).
    Reaper,
    /// One JSON object with moments and sung notes.
    Json,
}

/// `timeline` options.
#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// A built-in preset name or a path to a show .toml file.
    #[arg(default_value = DEFAULT_PRESET)]
    pub show: String,
    /// Print one JSON object (title, duration_secs, sample_rate, moments, notes); the same as
    /// `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Cue sheet format: text, csv, audacity (label track), reaper (region list) or json.
    #[arg(long, value_enum, default_value_t = TimelineFormat::Text)]
    pub format: TimelineFormat,
    /// Sample rate reported in the JSON (the same range `render` takes).
    #[arg(long, default_value_t = 48_000, value_parser = clap::value_parser!(u32).range(8_000..=192_000))]
    pub sample_rate: u32,
    /// Cue sheet of a clip rendered with the same `--from`: times are relative to it, and only
    /// the moments overlapping the clip and the notes inside it are listed.
    #[arg(long, value_parser = parse_cli_time, value_name = "TIME")]
    pub from: Option<f64>,
    /// End of the clip, as given to `render --to` [default: the end of the show].
    #[arg(long, value_parser = parse_cli_time, value_name = "TIME")]
    pub to: Option<f64>,
}

/// `plot` options.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A built-in preset name or a path to a show .toml file.
    #[arg(default_value = DEFAULT_PRESET)]
    pub show: String,
    /// The PNG file to write [default: ./SHOW-NAME.png].
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// A render of the span drawn (made with the same start and end) whose short-term loudness
    /// is drawn under the plot.
    #[arg(long, value_name = "RENDER.wav")]
    pub wav: Option<PathBuf>,
    /// Picture width in pixels.
    #[arg(long, value_name = "PX", default_value_t = concert::plot::layout::DEFAULT_SIZE_PX.0)]
    pub width: u32,
    /// Picture height in pixels.
    #[arg(long, value_name = "PX", default_value_t = concert::plot::layout::DEFAULT_SIZE_PX.1)]
    pub height: u32,
    /// Start of the span drawn ("4:10", "250s", 250).
    #[arg(long, value_parser = parse_cli_time, value_name = "TIME")]
    pub from: Option<f64>,
    /// End of the span drawn [default: the end of the show].
    #[arg(long, value_parser = parse_cli_time, value_name = "TIME")]
    pub to: Option<f64>,
}

/// `check` options.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Show files or built-in preset names.
    #[arg(required = true)]
    pub shows: Vec<String>,
}

/// The operator's controls of `play`, listed under `play --help`: every key, and every OSC
/// address (`--osc`; the README's "OSC control" has the arguments), the layers' levels named
/// from the engine's stems.
fn play_controls() -> String {
    let layers = concert::engine::STEMS.join(", ");
    format!(
        "Keys (on a terminal): space pause · ←/→ previous/next moment · a applause · c cheers · \
w whistles · r roar · h hush · o chant on/off (the show's chant words, or \"one more song\") · \
k clap-along on/off (the song's tempo, or 120 bpm) · ↑/↓ crowd energy · [/] master level · \
f fade out · q, Esc or Ctrl-C quit

OSC addresses (--osc PORT): /concert/cue/applause, /concert/cue/cheers, /concert/cue/whistles, \
/concert/cue/roar, /concert/cue/hush [size] · /concert/fader/energy, /concert/fader/applause \
value [ramp] · /concert/level/master, /concert/level/LAYER ({layers}) dB [ramp] · \
/concert/chant words [bpm] (no words: stop) · /concert/clap bpm (0: stop) · /concert/goto \
moment · /concert/pause [0/1] · /concert/fade secs · /concert/stop"
    )
}

/// `play` options.
#[derive(Debug, Args)]
pub struct PlayArgs {
    /// A built-in preset name or a path to a show .toml file.
    #[arg(default_value = DEFAULT_PRESET)]
    pub show: String,
    /// Output device (a substring of its name or id; see `concert devices`).
    #[arg(long)]
    pub device: Option<String>,
    /// Random seed [default: the show's own `seed`].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Start at this time of the show.
    #[arg(long, value_parser = parse_cli_time, value_name = "TIME")]
    pub from: Option<f64>,
    /// Stop at this time of the show.
    #[arg(long, value_parser = parse_cli_time, value_name = "TIME")]
    pub to: Option<f64>,
    /// Device buffer in frames [default: 1024 through a sound server such as ALSA's `default`
    /// over PulseAudio/PipeWire, 256 on a card driven directly (`hw:`), enlarged automatically
    /// if the stream cannot keep up in its first seconds]. Forcing a size turns that off.
    #[arg(long, value_name = "FRAMES", value_parser = clap::value_parser!(u32).range(16..=16384))]
    pub buffer: Option<u32>,
    /// Print the render thread's time budget use at the end.
    #[arg(long)]
    pub stats: bool,
    /// Listen for OSC control messages on this UDP port (see README: "OSC control").
    #[arg(long, value_name = "PORT")]
    pub osc: Option<u16>,
    /// Address the OSC listener binds to (127.0.0.1 keeps it to this machine).
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1",
        requires = "osc"
    )]
    pub osc_bind: std::net::IpAddr,
}

/// The help of `--stems`, naming every layer's WAV (the engine's table of layers says which).
fn stems_help() -> String {
    let names: Vec<String> = concert::engine::STEMS
        .iter()
        .map(|s| format!("{s}.wav"))
        .collect();
    format!(
        "Write DIR/mix.wav plus one sample-aligned WAV per layer: {}",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn times_parse_in_every_form() {
        assert_eq!(parse_cli_time("4:10"), Ok(250.0));
        assert_eq!(parse_cli_time("250"), Ok(250.0));
        assert_eq!(parse_cli_time("90s"), Ok(90.0));
        assert!(parse_cli_time("soon").is_err());
    }
}
