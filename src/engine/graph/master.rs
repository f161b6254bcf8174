//! The end of the mix: the operator's master fader, the fade that ends every show, and the
//! master stage (its limiter's one-chunk look-ahead).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use fundsp::buffer::{BufferMut, BufferRef};
use fundsp::shared::Shared;

use super::chunk::{ChunkStage, chunk_of_mut, read_pair};
use crate::instruments::master::Master;
use crate::kit::{CHUNK, Stereo};

/// Depth the fade reaches one second before the end (dB), then at the last frame: a long,
/// even fade that keeps the room audible (a listener hears −25 dB as "far away", not "gone"),
/// then out in the last second, under any dither or noise floor.
const END_FADE_DB: (f64, f64) = (-25.0, -90.0);
/// The share of the fade spent on its first, gentle part.
const END_FADE_KNEE: f64 = 0.75;

/// The gain of the end fade at `frame` of a show of `total` frames with a fade of `fade`
/// frames: 1 before the fade, then falling in decibels (which the ear hears as an even fade):
/// gently at first (u^1.5) to [`END_FADE_DB`]`.0` at the knee, then along u² to `.1` at the end,
/// and 0 past the end. The level falls monotonically; the slope in dB eases off at the knee
/// before the last second takes it out.
fn end_fade_gain(frame: u64, total: u64, fade: u64) -> f32 {
    if frame >= total {
        return 0.0;
    }
    let left = total - frame;
    if left >= fade || fade == 0 {
        return 1.0;
    }
    let u = 1.0 - left as f64 / fade as f64;
    let (knee_db, end_db) = END_FADE_DB;
    let db = if u < END_FADE_KNEE {
        let v = u / END_FADE_KNEE;
        knee_db * v * v.sqrt()
    } else {
        let v = (u - END_FADE_KNEE) / (1.0 - END_FADE_KNEE);
        knee_db + (end_db - knee_db) * v * v
    };
    10f64.powf(db / 20.0) as f32
}

/// The end fade, following the chunks of one path through the graph.
#[derive(Clone)]
pub(super) struct EndFade {
    /// Frame of the next chunk.
    frame: u64,
    total: u64,
    /// Length of the fade in frames.
    fade: u64,
}

impl EndFade {
    /// The fade of a show of `total` frames with a fade of `fade` frames, for a path whose
    /// first chunk is at frame `start`.
    pub fn new(start: u64, total: u64, fade: u64) -> Self {
        EndFade {
            frame: start,
            total,
            fade,
        }
    }

    /// Fade the next chunk `x`.
    pub fn apply(&mut self, x: &mut Stereo) {
        let frame = self.frame;
        self.frame += CHUNK as u64;
        // Almost every chunk is before the fade, and costs nothing more.
        if frame + (CHUNK as u64) + self.fade < self.total {
            return;
        }
        for i in 0..CHUNK {
            let g = end_fade_gain(frame + i as u64, self.total, self.fade);
            x.l[i] *= g;
            x.r[i] *= g;
        }
    }
}

/// The mix's last stage: the operator's master fader, the end fade, and the master (which
/// hands out the previous chunk, limited: see [`Master`]).
#[derive(Clone)]
pub(super) struct MasterStage {
    /// The master fader (a linear gain, 1 at home), read once per chunk.
    level: Shared,
    fade: EndFade,
    master: Master,
    /// Non-finite samples replaced so far, for the engine to read.
    non_finite: Arc<AtomicU64>,
    /// The mix in, turned by the fader and the fade (every sample written each chunk).
    mix: Stereo,
}

impl MasterStage {
    pub fn new(level: Shared, fade: EndFade, master: Master, non_finite: Arc<AtomicU64>) -> Self {
        MasterStage {
            level,
            fade,
            master,
            non_finite,
            mix: Stereo::default(),
        }
    }
}

impl ChunkStage for MasterStage {
    const ID: u64 = 0x636f_6e63_6d61_7374; // "concmast"

    fn channels(&self) -> (usize, usize) {
        (2, 2)
    }

    fn process(&mut self, input: &BufferRef, output: &mut BufferMut) {
        let mix = &mut self.mix;
        read_pair(input, 0, mix);
        let level = self.level.value();
        if level != 1.0 {
            for v in mix.l.iter_mut().chain(mix.r.iter_mut()) {
                *v *= level;
            }
        }
        self.fade.apply(mix);
        let m = &mut self.master;
        m.process_channels(mix, [0, 1].map(|c| chunk_of_mut(output, c)));
        self.non_finite.store(m.non_finite, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_fade_falls_to_nothing_at_the_last_frame() {
        assert_eq!(end_fade_gain(0, 1000, 100), 1.0);
        assert_eq!(end_fade_gain(899, 1000, 100), 1.0);
        assert!(end_fade_gain(950, 1000, 100) < 1.0);
        assert_eq!(end_fade_gain(1000, 1000, 100), 0.0);
        let gains: Vec<f32> = (900..1000).map(|f| end_fade_gain(f, 1000, 100)).collect();
        assert!(gains.windows(2).all(|w| w[1] <= w[0]), "monotonic");
    }
}
