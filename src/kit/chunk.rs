//! The chunk: the unit every instrument renders in, aligned to frame 0 so control values are
//! sampled at the same instants whatever block size a caller asks for.

/// Frames per control chunk. The engine always renders whole chunks aligned to frame 0, so
/// control values are sampled at the same instants whatever block size a caller asks for.
pub const CHUNK: usize = 64;

/// A stereo chunk of samples: `l[..n]` and `r[..n]` are valid.
#[derive(Clone)]
pub struct Stereo {
    /// Left channel.
    pub l: [f32; CHUNK],
    /// Right channel.
    pub r: [f32; CHUNK],
}

impl Default for Stereo {
    fn default() -> Self {
        Stereo {
            l: [0.0; CHUNK],
            r: [0.0; CHUNK],
        }
    }
}

impl Stereo {
    /// Set every sample to zero.
    pub fn clear(&mut self) {
        self.l.fill(0.0);
        self.r.fill(0.0);
    }

    /// Add `other * gain` into `self`.
    pub fn add_scaled(&mut self, other: &Stereo, gain: f32) {
        for i in 0..CHUNK {
            self.l[i] += other.l[i] * gain;
            self.r[i] += other.r[i] * gain;
        }
    }
}

/// Timing of one chunk.
#[derive(Debug, Clone, Copy)]
pub struct ChunkInfo {
    /// Absolute frame of the first sample of this chunk.
    pub frame: u64,
    /// Sample rate in Hz.
    pub sample_rate: f64,
}

impl ChunkInfo {
    /// Show time of the first sample of this chunk, in seconds.
    pub fn secs(&self) -> f64 {
        self.frame as f64 / self.sample_rate
    }
}
