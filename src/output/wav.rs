//! WAV files: 16-bit and 24-bit integer or 32-bit float, with markers and a `bext` chunk
//! ([`WavMeta`]), the 4 GiB limit, and files that appear only when complete.
//!
//! The header is written whole before the first sample: a render knows its length in advance,
//! so a WAV streams into a pipe as well as into a file (no seeking back), and the marker chunks
//! sit between `fmt ` and `data` where every reader looks for them.
//!
//! Where the bytes go (temporary files renamed into place, devices, FIFOs, standard output) is
//! [`super::dest`]'s business. This module knows no timeline.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::dest::{DestError, io_error};
use super::markers::chunk;
pub use super::markers::{Bext, Marker, WavMeta};
use crate::kit::splitmix64;

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

    /// The `fmt ` chunk (and the `fact` chunk float data needs), with ids and sizes.
    fn format_chunks(self, channels: u16, sample_rate: u32, frames: u64) -> Vec<u8> {
        let (tag, bits): (u16, u16) = match self {
            SampleFormat::S16 => (WAVE_FORMAT_PCM, 16),
            SampleFormat::S24 => (WAVE_FORMAT_PCM, 24),
            SampleFormat::F32 => (WAVE_FORMAT_IEEE_FLOAT, 32),
        };
        let align = channels * bits / 8;
        let mut fmt = Vec::with_capacity(18);
        fmt.extend(tag.to_le_bytes());
        fmt.extend(channels.to_le_bytes());
        fmt.extend(sample_rate.to_le_bytes());
        fmt.extend((sample_rate * u32::from(align)).to_le_bytes());
        fmt.extend(align.to_le_bytes());
        fmt.extend(bits.to_le_bytes());
        let mut out = Vec::new();
        if tag == WAVE_FORMAT_IEEE_FLOAT {
            // Non-PCM formats carry cbSize and a `fact` chunk with the frame count.
            fmt.extend(0u16.to_le_bytes());
            chunk(&mut out, b"fmt ", &fmt);
            chunk(&mut out, b"fact", &(frames as u32).to_le_bytes());
        } else {
            chunk(&mut out, b"fmt ", &fmt);
        }
        out
    }
}

/// `wFormatTag` of integer PCM.
const WAVE_FORMAT_PCM: u16 = 1;
/// `wFormatTag` of IEEE float.
const WAVE_FORMAT_IEEE_FLOAT: u16 = 3;

/// Bytes of the header without markers: RIFF, `fmt ` (with cbSize), `fact`, `data` headers.
const HEADER_BYTES: u64 = 12 + (8 + 18) + (8 + 4) + 8;

/// The most frames a WAV file of this format can hold next to `meta_bytes` of marker chunks
/// (see [`WavMeta::chunks`]): its sizes are 32-bit fields.
pub fn max_frames(format: SampleFormat, channels: u16, meta_bytes: u64) -> u64 {
    (u64::from(u32::MAX) - HEADER_BYTES - meta_bytes) / (format.bytes() * u64::from(channels))
}

/// Errors writing WAV files.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// The file could not be created, written or moved into place.
    #[error(transparent)]
    Dest(#[from] DestError),
    /// The stream ended with a different number of frames than its header announced.
    #[error("{path}: wrote {written} frames, the header announced {announced}")]
    Length {
        /// The file concerned.
        path: PathBuf,
        /// Frames written.
        written: u64,
        /// Frames announced.
        announced: u64,
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

/// The integer an integer format stores for sample `s` of channel `ch` at show frame `frame`:
/// clamped to full scale; 16-bit with TPDF dither, 24-bit rounded. (f32 is stored as is, so
/// for it this returns 0.) Shared by every container, so a FLAC holds the WAV's integers.
pub fn quantize(format: SampleFormat, s: f32, frame: u64, ch: usize) -> i32 {
    let s = if s.is_finite() {
        s.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    match format {
        SampleFormat::S16 => (s * 32_767.0 + tpdf(frame, ch as u64))
            .round()
            .clamp(-32_768.0, 32_767.0) as i32,
        SampleFormat::S24 => (f64::from(s) * 8_388_607.0).round() as i32,
        SampleFormat::F32 => 0,
    }
}

/// What an encoder has been given, kept the same way by every container: the show frame of the
/// next sample (for the dither), frames written against the frames its header announced, and
/// the level of what came in.
#[derive(Debug)]
pub(crate) struct Tally {
    /// Absolute frame index of the next frame.
    pub(crate) frame: u64,
    written: u64,
    announced: u64,
    /// Largest absolute finite sample received (before any clamping).
    peak: f32,
    /// Samples an integer format had to clamp to full scale.
    clipped: u64,
    /// Whether the format clamps to full scale (integers) or keeps overs (f32).
    clamps: bool,
}

impl Tally {
    /// A stream of `announced` frames starting at show frame `first_frame` in `format`.
    pub(crate) fn new(format: SampleFormat, first_frame: u64, announced: u64) -> Tally {
        Tally {
            frame: first_frame,
            written: 0,
            announced,
            peak: 0.0,
            clipped: 0,
            clamps: format != SampleFormat::F32,
        }
    }

    /// The sample to encode (a non-finite one becomes 0), counted in the peak and clips.
    pub(crate) fn sample(&mut self, s: f32) -> f32 {
        let s = if s.is_finite() { s } else { 0.0 };
        self.peak = self.peak.max(s.abs());
        if self.clamps && s.abs() > 1.0 {
            self.clipped += 1;
        }
        s
    }

    /// One whole frame has been encoded.
    pub(crate) fn end_frame(&mut self) {
        self.frame += 1;
        self.written += 1;
    }

    /// Largest absolute sample received so far (1.0 = full scale).
    pub(crate) fn peak(&self) -> f32 {
        self.peak
    }

    /// Samples clamped to full scale so far.
    pub(crate) fn clipped(&self) -> u64 {
        self.clipped
    }

    /// An error unless exactly the announced frames were written.
    pub(crate) fn check_length(&self, path: &Path) -> Result<(), WavError> {
        if self.written == self.announced {
            Ok(())
        } else {
            Err(WavError::Length {
                path: path.to_path_buf(),
                written: self.written,
                announced: self.announced,
            })
        }
    }
}

/// A WAV writer for interleaved f32 frames in any of the [`SampleFormat`]s, over any byte
/// stream (a file, a pipe, memory).
pub struct WavSink<W: Write> {
    writer: W,
    format: SampleFormat,
    channels: u16,
    tally: Tally,
    /// Encoded bytes of the current block (grows once to the block size).
    bytes: Vec<u8>,
    path: PathBuf,
}

impl<W: Write> WavSink<W> {
    /// Start a WAV stream of exactly `frames` frames into `inner`, header and `meta` first;
    /// `first_frame` is the show frame of the first sample (clips dither like the full
    /// render); `path` is only used in error messages.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        mut inner: W,
        format: SampleFormat,
        channels: u16,
        sample_rate: u32,
        first_frame: u64,
        frames: u64,
        meta: &WavMeta,
        path: &Path,
    ) -> Result<Self, WavError> {
        let data_bytes = frames * format.bytes() * u64::from(channels);
        let mut head = format.format_chunks(channels, sample_rate, frames);
        head.extend(meta.chunks());
        let riff = 4 + head.len() as u64 + 8 + data_bytes;
        let mut header = Vec::with_capacity(head.len() + 20);
        header.extend(b"RIFF");
        header.extend((riff.min(u64::from(u32::MAX)) as u32).to_le_bytes());
        header.extend(b"WAVE");
        header.extend(head);
        header.extend(b"data");
        header.extend((data_bytes.min(u64::from(u32::MAX)) as u32).to_le_bytes());
        let io = |e| WavError::Dest(io_error(path, e));
        inner.write_all(&header).map_err(io)?;
        Ok(WavSink {
            writer: inner,
            format,
            channels,
            tally: Tally::new(format, first_frame, frames),
            bytes: Vec::new(),
            path: path.to_path_buf(),
        })
    }

    /// Largest absolute sample written so far, before any clamping (1.0 = full scale).
    pub fn peak(&self) -> f32 {
        self.tally.peak()
    }

    /// Samples an integer format clamped to full scale so far (never any in f32).
    pub fn clipped(&self) -> u64 {
        self.tally.clipped()
    }

    /// Append interleaved samples (a whole number of frames). Float output keeps every finite
    /// value as it is, over full scale included (a DAW can turn it down losslessly); integer
    /// formats clamp to full scale and count what they clamped. Non-finite values become 0.
    pub fn write(&mut self, samples: &[f32]) -> Result<(), WavError> {
        let ch = usize::from(self.channels);
        self.bytes.clear();
        for frame in samples.chunks(ch) {
            for (c, &s) in frame.iter().enumerate() {
                let s = self.tally.sample(s);
                let at = self.tally.frame;
                match self.format {
                    SampleFormat::S16 => {
                        let v = quantize(SampleFormat::S16, s, at, c) as i16;
                        self.bytes.extend(v.to_le_bytes());
                    }
                    SampleFormat::S24 => {
                        let v = quantize(SampleFormat::S24, s, at, c);
                        self.bytes.extend(&v.to_le_bytes()[..3]);
                    }
                    SampleFormat::F32 => self.bytes.extend(s.to_le_bytes()),
                }
            }
            self.tally.end_frame();
        }
        self.writer
            .write_all(&self.bytes)
            .map_err(|e| WavError::Dest(io_error(&self.path, e)))
    }

    /// Check the length against the header and flush; errors surface here.
    pub fn finalize(mut self) -> Result<(), WavError> {
        self.tally.check_length(&self.path)?;
        self.writer
            .flush()
            .map_err(|e| WavError::Dest(io_error(&self.path, e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn roundtrip(format: SampleFormat) -> (hound::WavSpec, Vec<f32>) {
        let samples: Vec<f32> = (0..200).map(|i| ((i as f32) * 0.1).sin() * 0.8).collect();
        let mut buf = Cursor::new(Vec::new());
        let meta = WavMeta::default();
        let mut sink = WavSink::new(
            &mut buf,
            format,
            2,
            48_000,
            0,
            100,
            &meta,
            Path::new("mem.wav"),
        )
        .unwrap();
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
            let meta = WavMeta::default();
            let mut sink = WavSink::new(
                &mut buf,
                format,
                2,
                48_000,
                0,
                2,
                &meta,
                Path::new("mem.wav"),
            )
            .unwrap();
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
    fn a_short_or_long_stream_is_an_error() {
        let meta = WavMeta::default();
        let mut sink = WavSink::new(
            Vec::new(),
            SampleFormat::S16,
            2,
            48_000,
            0,
            3,
            &meta,
            Path::new("mem.wav"),
        )
        .unwrap();
        sink.write(&[0.0; 4]).unwrap();
        assert!(matches!(
            sink.finalize(),
            Err(WavError::Length {
                written: 2,
                announced: 3,
                ..
            })
        ));
    }

    #[test]
    fn four_gib_limit_matches_known_durations() {
        // At 48 kHz stereo: about 3 h 06 m of f32, 4 h 08 m of 24-bit, 6 h 12 m of 16-bit.
        let hours = |f| max_frames(f, 2, 0) as f64 / 48_000.0 / 3600.0;
        assert!((3.09..3.12).contains(&hours(SampleFormat::F32)));
        assert!((4.13..4.15).contains(&hours(SampleFormat::S24)));
        assert!((6.20..6.22).contains(&hours(SampleFormat::S16)));
    }
}
