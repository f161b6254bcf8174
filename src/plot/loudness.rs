//! The short-term loudness of a rendered file (EBU R128 / ITU-R BS.1770, 3 s window, through
//! the `ebur128` crate), read with `hound`: the strip under the plot.

use std::path::{Path, PathBuf};

use ebur128::{EbuR128, Mode};

/// Seconds between two readings of the meter.
pub const HOP_SECS: f64 = 0.1;
/// The short-term window of EBU R128, in seconds.
pub const WINDOW_SECS: f64 = 3.0;

/// Errors reading a render for its loudness.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// Not a WAV file `hound` can read (or not a file at all).
    #[error(
        "cannot read {} as a WAV file — --wav takes a render of this show \
         (`concert render SHOW -o render.wav`; FLAC is not read here)", path.display()
    )]
    Unreadable {
        /// The path as given.
        path: PathBuf,
        /// What `hound` said.
        #[source]
        source: hound::Error,
    },
    /// The meter refused the file's layout (channels or rate).
    #[error("cannot measure {}: {channels} channels at {rate} Hz", path.display())]
    Layout {
        /// The path as given.
        path: PathBuf,
        /// Channels in the file.
        channels: u16,
        /// Its sample rate in Hz.
        rate: u32,
    },
}

/// Short-term loudness readings every [`HOP_SECS`] through a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ShortTerm {
    /// `(secs, lufs)`: the reading of the window centred on `secs` from the file's start
    /// (centred, so a swell lines up with the moment that causes it); `-inf` for silence.
    pub readings: Vec<(f64, f64)>,
    /// Length of the file in seconds.
    pub duration_secs: f64,
    /// Its sample rate in Hz.
    pub sample_rate: u32,
}

/// Measures the short-term loudness of the WAV file at `path` (any channel count, 16/24/32-bit
/// integer or 32-bit float samples, as `render` writes them).
pub fn short_term(path: &Path) -> Result<ShortTerm, WavError> {
    let unreadable = |source| WavError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = hound::WavReader::open(path).map_err(unreadable)?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels);
    let layout = || WavError::Layout {
        path: path.to_path_buf(),
        channels: spec.channels,
        rate: spec.sample_rate,
    };
    let mut meter =
        EbuR128::new(u32::from(spec.channels), spec.sample_rate, Mode::S).map_err(|_| layout())?;
    let hop_frames = ((f64::from(spec.sample_rate) * HOP_SECS).round() as usize).max(1);
    let frames = reader.duration() as usize;
    let mut readings = Vec::with_capacity(frames / hop_frames + 1);
    let mut chunk: Vec<f32> = Vec::with_capacity(hop_frames * channels);
    let scale = match spec.sample_format {
        hound::SampleFormat::Float => 1.0,
        hound::SampleFormat::Int => 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32,
    };
    let mut samples: Box<dyn Iterator<Item = Result<f32, hound::Error>>> = match spec.sample_format
    {
        hound::SampleFormat::Float => Box::new(reader.samples::<f32>()),
        hound::SampleFormat::Int => Box::new(
            reader
                .samples::<i32>()
                .map(move |s| s.map(|v| v as f32 * scale)),
        ),
    };
    let mut done = 0usize;
    loop {
        chunk.clear();
        for s in samples.by_ref().take(hop_frames * channels) {
            chunk.push(s.map_err(unreadable)?);
        }
        if chunk.len() < channels {
            break;
        }
        let whole = chunk.len() - chunk.len() % channels;
        meter
            .add_frames_f32(&chunk[..whole])
            .map_err(|_| layout())?;
        done += whole / channels;
        let end = done as f64 / f64::from(spec.sample_rate);
        // The first full window ends at 3 s; a reading over less would swing on a few claps.
        if end >= WINDOW_SECS - 1e-9 {
            let lufs = meter.loudness_shortterm().unwrap_or(f64::NEG_INFINITY);
            readings.push((end - WINDOW_SECS / 2.0, lufs));
        }
        if whole / channels < hop_frames {
            break;
        }
    }
    Ok(ShortTerm {
        readings,
        duration_secs: frames as f64 / f64::from(spec.sample_rate),
        sample_rate: spec.sample_rate,
    })
}
