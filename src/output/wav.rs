//! WAV files: 16-bit and 24-bit integer or 32-bit float through hound, and the 4 GiB limit
//! that hound does not check. Where the bytes go (temporary files, devices, FIFOs) is
//! [`super::dest`]'s business. This module knows no timeline.

use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use super::dest::{DestError, io_error};

use crate::show::splitmix64;

/// Sample format of a WAV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleFormat {
    /// 16-bit integer with TPDF dither.
    S16,
    /// 24-bit integer.
    S24,
    /// 32-bit float.
    F32,
}

impl SampleFormat {
    /// Bytes per sample.
    pub fn bytes(self) -> u64 {
        match self {
            SampleFormat::S16 => 2,
            SampleFormat::S24 => 3,
            SampleFormat::F32 => 4,
        }
    }

    fn spec(self, channels: u16, sample_rate: u32) -> hound::WavSpec {
        let (bits, fmt) = match self {
            SampleFormat::S16 => (16, hound::SampleFormat::Int),
            SampleFormat::S24 => (24, hound::SampleFormat::Int),
            SampleFormat::F32 => (32, hound::SampleFormat::Float),
        };
        hound::WavSpec {
            channels,
            sample_rate,
            bits_per_sample: bits,
            sample_format: fmt,
        }
    }
}

/// Bytes hound may spend on the header (a WAVE_FORMAT_EXTENSIBLE header is the largest).
const HEADER_BYTES: u64 = 80;

/// The most frames a WAV file of this format can hold: its data length is a 32-bit field
/// (hound wraps it silently past 4 GiB, corrupting the header).
pub fn max_frames(format: SampleFormat, channels: u16) -> u64 {
    (u64::from(u32::MAX) - HEADER_BYTES) / (format.bytes() * u64::from(channels))
}

/// Errors writing WAV files.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// The file could not be created, written or moved into place.
    #[error(transparent)]
    Dest(#[from] DestError),
    /// hound refused to write or finalize.
    #[error("{}: writing WAV failed", path.display())]
    Wav {
        /// The file concerned.
        path: PathBuf,
        /// What hound said.
        #[source]
        source: hound::Error,
    },
}

/// A hound error on `path`: an I/O failure is the destination's (named once, with the
/// system's reason as its source), anything else is hound's.
fn wav_error(path: &Path, source: hound::Error) -> WavError {
    match source {
        hound::Error::IoError(e) => WavError::Dest(io_error(path, e)),
        source => WavError::Wav {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// Deterministic TPDF dither for frame `frame`, channel `ch`, in units of one 16-bit step:
/// a stateless hash, so a clip gets exactly the dither of the same span of a full render.
#[inline]
fn tpdf(frame: u64, ch: u64) -> f32 {
    let h = splitmix64(frame.wrapping_mul(2).wrapping_add(ch) ^ 0xd1b5_4a32_d192_ed03);
    let a = (h & 0xffff_ffff) as f32 / 4_294_967_296.0;
    let b = (h >> 32) as f32 / 4_294_967_296.0;
    a - b
}

/// A WAV writer for interleaved f32 frames in any of the [`SampleFormat`]s.
pub struct WavSink<W: Write + Seek> {
    writer: hound::WavWriter<W>,
    format: SampleFormat,
    channels: u16,
    /// Absolute frame index of the next frame (for the dither).
    frame: u64,
    path: PathBuf,
}

impl<W: Write + Seek> WavSink<W> {
    /// Start a WAV stream into `inner`; `first_frame` is the show frame of the first sample
    /// (clips dither like the full render); `path` is only used in error messages.
    pub fn new(
        inner: W,
        format: SampleFormat,
        channels: u16,
        sample_rate: u32,
        first_frame: u64,
        path: &Path,
    ) -> Result<Self, WavError> {
        let writer = hound::WavWriter::new(inner, format.spec(channels, sample_rate))
            .map_err(|e| wav_error(path, e))?;
        Ok(WavSink {
            writer,
            format,
            channels,
            frame: first_frame,
            path: path.to_path_buf(),
        })
    }

    /// Append interleaved samples (a whole number of frames).
    pub fn write(&mut self, samples: &[f32]) -> Result<(), WavError> {
        let ch = usize::from(self.channels);
        let path = &self.path;
        let err = |e| wav_error(path, e);
        for frame in samples.chunks(ch) {
            for (c, &s) in frame.iter().enumerate() {
                let s = if s.is_finite() {
                    s.clamp(-1.0, 1.0)
                } else {
                    0.0
                };
                match self.format {
                    SampleFormat::S16 => {
                        let v = (s * 32_767.0 + tpdf(self.frame, c as u64))
                            .round()
                            .clamp(-32_768.0, 32_767.0);
                        self.writer.write_sample(v as i16).map_err(err)?;
                    }
                    SampleFormat::S24 => {
                        let v = (f64::from(s) * 8_388_607.0).round() as i32;
                        self.writer.write_sample(v).map_err(err)?;
                    }
                    SampleFormat::F32 => self.writer.write_sample(s).map_err(err)?,
                }
            }
            self.frame += 1;
        }
        Ok(())
    }

    /// Patch the header and flush; errors surface here (hound's `Drop` would ignore them).
    pub fn finalize(self) -> Result<(), WavError> {
        let path = self.path;
        self.writer.finalize().map_err(|e| wav_error(&path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn roundtrip(format: SampleFormat) -> (hound::WavSpec, Vec<f32>) {
        let samples: Vec<f32> = (0..200).map(|i| ((i as f32) * 0.1).sin() * 0.8).collect();
        let mut buf = Cursor::new(Vec::new());
        let mut sink = WavSink::new(&mut buf, format, 2, 48_000, 0, Path::new("mem.wav")).unwrap();
        sink.write(&samples).unwrap();
        sink.finalize().unwrap();
        buf.set_position(0);
        let mut r = hound::WavReader::new(buf).unwrap();
        let spec = r.spec();
        let back: Vec<f32> = match format {
            SampleFormat::F32 => r.samples::<f32>().map(Result::unwrap).collect(),
            SampleFormat::S24 => r
                .samples::<i32>()
                .map(|s| s.unwrap() as f32 / 8_388_607.0)
                .collect(),
            SampleFormat::S16 => r
                .samples::<i16>()
                .map(|s| f32::from(s.unwrap()) / 32_767.0)
                .collect(),
        };
        for (a, b) in samples.iter().zip(&back) {
            let tol = match format {
                SampleFormat::F32 => 0.0,
                SampleFormat::S24 => 1e-6,
                SampleFormat::S16 => 1.0 / 16_000.0,
            };
            assert!((a - b).abs() <= tol, "{format:?}: {a} vs {b}");
        }
        (spec, back)
    }

    #[test]
    fn every_format_round_trips_through_a_reader() {
        assert_eq!(roundtrip(SampleFormat::S16).0.bits_per_sample, 16);
        assert_eq!(roundtrip(SampleFormat::S24).0.bits_per_sample, 24);
        let (spec, _) = roundtrip(SampleFormat::F32);
        assert_eq!(
            (spec.bits_per_sample, spec.sample_format),
            (32, hound::SampleFormat::Float)
        );
    }

    #[test]
    fn four_gib_limit_matches_known_durations() {
        // At 48 kHz stereo: about 3 h 06 m of f32, 4 h 08 m of 24-bit, 6 h 12 m of 16-bit.
        let hours = |f| max_frames(f, 2) as f64 / 48_000.0 / 3600.0;
        assert!((3.09..3.12).contains(&hours(SampleFormat::F32)));
        assert!((4.13..4.15).contains(&hours(SampleFormat::S24)));
        assert!((6.20..6.22).contains(&hours(SampleFormat::S16)));
    }
}
