//! WAV files: 16-bit and 24-bit integer or 32-bit float through hound, the 4 GiB limit that
//! hound does not check, and files that appear only when complete.
//!
//! A [`PartFile`] is written as `NAME.wav.part` and renamed to `NAME.wav` only by
//! [`PartFile::commit`]; dropped without a commit (an error, Ctrl-C), it deletes itself, so a
//! failed render never leaves a half-written file behind. This module knows no timeline.

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

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
    /// A file could not be created, written, renamed or removed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// hound refused to write or finalize.
    #[error("{path}: writing WAV failed: {source}")]
    Wav {
        /// The file concerned.
        path: PathBuf,
        /// What hound said.
        #[source]
        source: hound::Error,
    },
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
    /// Largest absolute finite sample received (before any clamping).
    peak: f32,
    /// Samples an integer format had to clamp to full scale.
    clipped: u64,
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
        let writer =
            hound::WavWriter::new(inner, format.spec(channels, sample_rate)).map_err(|source| {
                WavError::Wav {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        Ok(WavSink {
            writer,
            format,
            channels,
            frame: first_frame,
            peak: 0.0,
            clipped: 0,
            path: path.to_path_buf(),
        })
    }

    /// Largest absolute sample written so far, before any clamping (1.0 = full scale).
    pub fn peak(&self) -> f32 {
        self.peak
    }

    /// Samples an integer format clamped to full scale so far (never any in f32).
    pub fn clipped(&self) -> u64 {
        self.clipped
    }

    /// Append interleaved samples (a whole number of frames). Float output keeps every finite
    /// value as it is, over full scale included (a DAW can turn it down losslessly); integer
    /// formats clamp to full scale and count what they clamped. Non-finite values become 0.
    pub fn write(&mut self, samples: &[f32]) -> Result<(), WavError> {
        let ch = usize::from(self.channels);
        let err = |source| WavError::Wav {
            path: self.path.clone(),
            source,
        };
        for frame in samples.chunks(ch) {
            for (c, &s) in frame.iter().enumerate() {
                let s = if s.is_finite() { s } else { 0.0 };
                self.peak = self.peak.max(s.abs());
                if self.format != SampleFormat::F32 && s.abs() > 1.0 {
                    self.clipped += 1;
                }
                let s = match self.format {
                    SampleFormat::F32 => s,
                    SampleFormat::S16 | SampleFormat::S24 => s.clamp(-1.0, 1.0),
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
        self.writer
            .finalize()
            .map_err(|source| WavError::Wav { path, source })
    }
}

/// A file written under a temporary `.part` name and renamed into place on success.
pub struct PartFile {
    part: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl PartFile {
    /// Create `DEST.part` (e.g. `show.wav.part`) for writing; the returned writer is buffered.
    pub fn create(dest: &Path) -> Result<(PartFile, BufWriter<File>), WavError> {
        let mut name = dest.as_os_str().to_owned();
        name.push(".part");
        let part = PathBuf::from(name);
        let file = File::create(&part).map_err(|source| WavError::Io {
            path: part.clone(),
            source,
        })?;
        Ok((
            PartFile {
                part,
                dest: dest.to_path_buf(),
                committed: false,
            },
            BufWriter::with_capacity(1 << 20, file),
        ))
    }

    /// Where the finished file will be.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// The temporary path being written.
    pub fn part_path(&self) -> &Path {
        &self.part
    }

    /// Move the finished file into place (atomic within one file system).
    pub fn commit(mut self) -> Result<(), WavError> {
        std::fs::rename(&self.part, &self.dest).map_err(|source| WavError::Io {
            path: self.dest.clone(),
            source,
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the render has already failed; its error is what the user needs.
            let _ = std::fs::remove_file(&self.part);
        }
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
    fn float_keeps_overs_and_integers_count_what_they_clamp() {
        let samples = [0.5f32, -1.5, 2.0, 0.25];
        for format in [SampleFormat::F32, SampleFormat::S24, SampleFormat::S16] {
            let mut buf = Cursor::new(Vec::new());
            let mut sink =
                WavSink::new(&mut buf, format, 2, 48_000, 0, Path::new("mem.wav")).unwrap();
            sink.write(&samples).unwrap();
            assert_eq!(sink.peak(), 2.0);
            let clipped = sink.clipped();
            sink.finalize().unwrap();
            buf.set_position(0);
            let mut r = hound::WavReader::new(buf).unwrap();
            if format == SampleFormat::F32 {
                assert_eq!(clipped, 0);
                let back: Vec<f32> = r.samples::<f32>().map(Result::unwrap).collect();
                assert_eq!(back, samples);
            } else {
                assert_eq!(clipped, 2, "{format:?}");
            }
        }
    }

    #[test]
    fn four_gib_limit_matches_known_durations() {
        // At 48 kHz stereo: about 3 h 06 m of f32, 4 h 08 m of 24-bit, 6 h 12 m of 16-bit.
        let hours = |f| max_frames(f, 2) as f64 / 48_000.0 / 3600.0;
        assert!((3.09..3.12).contains(&hours(SampleFormat::F32)));
        assert!((4.13..4.15).contains(&hours(SampleFormat::S24)));
        assert!((6.20..6.22).contains(&hours(SampleFormat::S16)));
    }

    #[test]
    fn part_file_disappears_unless_committed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.wav");
        {
            let (part, mut w) = PartFile::create(&dest).unwrap();
            w.write_all(b"half").unwrap();
            assert!(part.part_path().exists());
        }
        assert!(!dest.exists());
        assert!(!dir.path().join("a.wav.part").exists());
        let (part, mut w) = PartFile::create(&dest).unwrap();
        w.write_all(b"whole").unwrap();
        drop(w);
        part.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"whole");
    }
}
