//! FLAC files (16- or 24-bit), encoded by the pure-Rust `flacenc` crate one block at a time,
//! so memory does not grow with the show and the stream can go into a pipe: the length is
//! known up front, so STREAMINFO is complete before the first frame (its MD5 is left unset,
//! which the format allows, rather than seeking back). The integers are the WAV writer's
//! ([`quantize`]): a FLAC decodes to exactly the samples of the WAV at the same depth.

use std::io::Write;
use std::path::{Path, PathBuf};

use flacenc::bitsink::ByteSink;
use flacenc::component::{BitRepr, Stream, StreamInfo};
use flacenc::config;
use flacenc::error::{Verified, Verify};
use flacenc::source::{Fill, FrameBuf};

use super::dest::io_error;
use super::wav::{SampleFormat, Tally, WavError, quantize};

/// Frames per FLAC frame (the reference encoder's default).
const BLOCK_FRAMES: usize = 4096;

/// A FLAC writer for interleaved f32 frames, 16- or 24-bit.
pub struct FlacSink<W: Write> {
    writer: W,
    format: SampleFormat,
    channels: usize,
    config: Verified<config::Encoder>,
    info: StreamInfo,
    framebuf: FrameBuf,
    /// Quantised samples waiting for a whole block.
    pending: Vec<i32>,
    /// FLAC frames written.
    frames_out: usize,
    tally: Tally,
    path: PathBuf,
}

fn flac_error(path: &Path, what: impl std::fmt::Display) -> WavError {
    WavError::Dest(io_error(
        path,
        std::io::Error::other(format!("FLAC encoder: {what}")),
    ))
}

impl<W: Write> FlacSink<W> {
    /// Start a FLAC stream of exactly `frames` frames into `inner` (`format` S16 or S24);
    /// `first_frame` is the show frame of the first sample (for the dither).
    pub fn new(
        mut inner: W,
        format: SampleFormat,
        channels: u16,
        sample_rate: u32,
        first_frame: u64,
        frames: u64,
        path: &Path,
    ) -> Result<Self, WavError> {
        let bits = match format {
            SampleFormat::S16 => 16,
            SampleFormat::S24 => 24,
            SampleFormat::F32 => return Err(flac_error(path, "FLAC stores integers only")),
        };
        let channels = usize::from(channels);
        let mut info = StreamInfo::new(sample_rate as usize, channels, bits)
            .map_err(|e| flac_error(path, e))?;
        info.set_block_sizes(BLOCK_FRAMES, BLOCK_FRAMES)
            .map_err(|e| flac_error(path, e))?;
        info.set_total_samples(frames as usize);
        let mut head = ByteSink::new();
        Stream::with_stream_info(info.clone())
            .write(&mut head)
            .map_err(|e| flac_error(path, e))?;
        inner
            .write_all(head.as_slice())
            .map_err(|e| WavError::Dest(io_error(path, e)))?;
        let mut encoder = config::Encoder::default();
        encoder.block_size = BLOCK_FRAMES;
        // flacenc 0.5 keeps a fixed-predictor subframe even when it is larger than storing the
        // samples verbatim (its Rice parameter stops at 14, too small for 24-bit noise): without
        // fixed predictors it picks LPC only when LPC is smaller, else verbatim.
        encoder.subframe_coding.use_fixed = false;
        Ok(FlacSink {
            writer: inner,
            format,
            channels,
            config: encoder
                .into_verified()
                .map_err(|(_, e)| flac_error(path, e))?,
            info,
            framebuf: FrameBuf::with_size(channels, BLOCK_FRAMES)
                .map_err(|e| flac_error(path, e))?,
            pending: Vec::with_capacity(BLOCK_FRAMES * channels),
            frames_out: 0,
            tally: Tally::new(format, first_frame, frames),
            path: path.to_path_buf(),
        })
    }

    /// Largest absolute sample written so far, before clamping.
    pub fn peak(&self) -> f32 {
        self.tally.peak()
    }

    /// Samples clamped to full scale so far.
    pub fn clipped(&self) -> u64 {
        self.tally.clipped()
    }

    /// Append interleaved samples (a whole number of frames).
    pub fn write(&mut self, samples: &[f32]) -> Result<(), WavError> {
        for frame in samples.chunks(self.channels) {
            for (c, &s) in frame.iter().enumerate() {
                let s = self.tally.sample(s);
                self.pending
                    .push(quantize(self.format, s, self.tally.frame, c));
            }
            self.tally.end_frame();
            if self.pending.len() == BLOCK_FRAMES * self.channels {
                self.flush_block()?;
            }
        }
        Ok(())
    }

    /// Encode and write the pending samples as one FLAC frame.
    fn flush_block(&mut self) -> Result<(), WavError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let path = &self.path;
        self.framebuf
            .fill_interleaved(&self.pending)
            .map_err(|e| flac_error(path, e))?;
        let frame = flacenc::encode_fixed_size_frame(
            &self.config,
            &self.framebuf,
            self.frames_out,
            &self.info,
        )
        .map_err(|e| flac_error(path, e))?;
        let mut bytes = ByteSink::new();
        frame.write(&mut bytes).map_err(|e| flac_error(path, e))?;
        self.writer
            .write_all(bytes.as_slice())
            .map_err(|e| WavError::Dest(io_error(path, e)))?;
        self.frames_out += 1;
        self.pending.clear();
        Ok(())
    }

    /// Write the last (short) frame, check the length and flush.
    pub fn finalize(mut self) -> Result<(), WavError> {
        self.flush_block()?;
        self.tally.check_length(&self.path)?;
        self.writer
            .flush()
            .map_err(|e| WavError::Dest(io_error(&self.path, e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_starts_with_a_complete_streaminfo() {
        let mut out = Vec::new();
        let mut sink = FlacSink::new(
            &mut out,
            SampleFormat::S24,
            2,
            48_000,
            0,
            5000,
            Path::new("mem.flac"),
        )
        .unwrap();
        let samples: Vec<f32> = (0..10_000).map(|i| (i as f32 * 0.01).sin() * 0.5).collect();
        sink.write(&samples).unwrap();
        sink.finalize().unwrap();
        assert_eq!(&out[..4], b"fLaC");
        // STREAMINFO, last metadata block: sample rate 48000, 2 channels, 24 bits, 5000 frames.
        assert_eq!(out[4], 0x80);
        let packed = u64::from_be_bytes(out[18..26].try_into().unwrap());
        assert_eq!(packed >> 44, 48_000);
        assert_eq!(((packed >> 41) & 7) + 1, 2);
        assert_eq!(((packed >> 36) & 31) + 1, 24);
        assert_eq!(packed & ((1 << 36) - 1), 5000);
        assert!(
            FlacSink::new(
                Vec::new(),
                SampleFormat::F32,
                2,
                48_000,
                0,
                1,
                Path::new("x")
            )
            .is_err()
        );
    }
}
