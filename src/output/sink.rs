//! Which container a file gets (from its name) and one writer type over both: the encoders
//! ([`WavSink`], [`FlacSink`]) write into any byte stream, so a file, a pipe or memory all
//! work the same; where the bytes go is the caller's business.

use std::io::Write;
use std::path::Path;

use super::flac::FlacSink;
use super::wav::{SampleFormat, WavError, WavMeta, WavSink};

/// The file name that means "standard output".
pub const STDOUT: &str = "-";

/// What `-o` accepts, for error messages.
pub const SUPPORTED: &str =
    ".wav (--format s16, s24 or f32), .flac (--format s16 or s24), or - for WAV on standard output";

/// A container format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// RIFF/WAVE with markers.
    Wav,
    /// FLAC (integer formats only).
    Flac,
}

/// Why a file name or format cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContainerError {
    /// The extension names no format this tool writes.
    #[error("cannot write {path}: the file's extension picks its format; supported: {SUPPORTED}")]
    Unsupported {
        /// The file asked for.
        path: String,
    },
    /// FLAC asked for with a float format.
    #[error(
        "cannot write {path} as f32: FLAC stores integers; use --format s16 or s24 (or a .wav file for f32)"
    )]
    FloatFlac {
        /// The file asked for.
        path: String,
    },
}

impl Container {
    /// The container for `path` (by extension, case-insensitive; `-` is WAV), checked against
    /// `format`.
    pub fn for_path(path: &Path, format: SampleFormat) -> Result<Container, ContainerError> {
        if path.as_os_str() == STDOUT {
            return Ok(Container::Wav);
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match (ext.as_deref(), format) {
            (Some("wav"), _) => Ok(Container::Wav),
            (Some("flac"), SampleFormat::F32) => Err(ContainerError::FloatFlac {
                path: path.display().to_string(),
            }),
            (Some("flac"), _) => Ok(Container::Flac),
            _ => Err(ContainerError::Unsupported {
                path: path.display().to_string(),
            }),
        }
    }
}

/// An encoder of either container over a boxed byte stream.
pub enum Sink {
    /// A WAV stream.
    Wav(WavSink<Box<dyn Write>>),
    /// A FLAC stream.
    Flac(Box<FlacSink<Box<dyn Write>>>),
}

impl Sink {
    /// Start a stream of `frames` frames in `container`; `meta` goes into WAV files.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        container: Container,
        inner: Box<dyn Write>,
        format: SampleFormat,
        sample_rate: u32,
        first_frame: u64,
        frames: u64,
        meta: &WavMeta,
        path: &Path,
    ) -> Result<Sink, WavError> {
        Ok(match container {
            Container::Wav => Sink::Wav(WavSink::new(
                inner,
                format,
                2,
                sample_rate,
                first_frame,
                frames,
                meta,
                path,
            )?),
            Container::Flac => Sink::Flac(Box::new(FlacSink::new(
                inner,
                format,
                2,
                sample_rate,
                first_frame,
                frames,
                path,
            )?)),
        })
    }

    /// Append interleaved stereo samples.
    pub fn write(&mut self, samples: &[f32]) -> Result<(), WavError> {
        match self {
            Sink::Wav(s) => s.write(samples),
            Sink::Flac(s) => s.write(samples),
        }
    }

    /// Largest absolute sample so far, before clamping.
    pub fn peak(&self) -> f32 {
        match self {
            Sink::Wav(s) => s.peak(),
            Sink::Flac(s) => s.peak(),
        }
    }

    /// Samples clamped to full scale so far.
    pub fn clipped(&self) -> u64 {
        match self {
            Sink::Wav(s) => s.clipped(),
            Sink::Flac(s) => s.clipped(),
        }
    }

    /// Finish the stream; errors surface here.
    pub fn finalize(self) -> Result<(), WavError> {
        match self {
            Sink::Wav(s) => s.finalize(),
            Sink::Flac(s) => s.finalize(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_picks_the_container() {
        let c = |p: &str, f| Container::for_path(Path::new(p), f);
        assert_eq!(c("a.wav", SampleFormat::F32), Ok(Container::Wav));
        assert_eq!(c("A.WAV", SampleFormat::S16), Ok(Container::Wav));
        assert_eq!(c("-", SampleFormat::S24), Ok(Container::Wav));
        assert_eq!(c("a.flac", SampleFormat::S24), Ok(Container::Flac));
        assert!(matches!(
            c("a.flac", SampleFormat::F32),
            Err(ContainerError::FloatFlac { .. })
        ));
        assert!(matches!(
            c("a.mp3", SampleFormat::S24),
            Err(ContainerError::Unsupported { .. })
        ));
        assert!(matches!(
            c("noext", SampleFormat::S24),
            Err(ContainerError::Unsupported { .. })
        ));
    }
}
