//! The engine as a plain [`Iterator`] of stereo frames, for players that pull samples one at a
//! time (a rodio `Source`, a kira sound, a game's own mixer) without this crate depending on
//! any of them.

use std::iter::FusedIterator;

use super::Engine;

/// Frames [`Frames::new`] renders per block: the block [`crate::render`] uses, so a pull costs
/// what an offline render costs.
pub const DEFAULT_BLOCK_FRAMES: usize = 1024;

/// Stereo frames `[left, right]` of a show, pulled from an [`Engine`] block by block, from the
/// engine's position to the end of the show.
///
/// It yields exactly the samples `concert render` writes (as `f32`, before any `--loudness`
/// gain) for the same show, seed and sample rate, whatever the block size: the engine is
/// block-size independent, and the block only sets how many frames are rendered at a time.
/// The block buffer is allocated once, here; [`Iterator::next`] never allocates, locks or does
/// I/O, so it may run on an audio thread.
///
/// A rodio-style source of interleaved samples is `frames.flatten()`; the length is known in
/// advance ([`ExactSizeIterator::len`]). Faders and cues set through [`Frames::engine_mut`]
/// are heard after the frames already rendered into the current block (at most one block).
///
/// ```
/// use concert::engine::{Engine, Frames};
///
/// let show = concert::preset::resolve("echo-fade-club").unwrap();
/// let frames = Frames::new(Engine::new(&show, show.seed, 48_000));
/// let peak = frames
///     .take(4_800)
///     .fold(0.0f32, |p, [l, r]| p.max(l.abs()).max(r.abs()));
/// assert!(peak <= 1.0);
/// ```
pub struct Frames {
    engine: Engine,
    /// Interleaved stereo, [`Frames::block_frames`] frames.
    block: Box<[f32]>,
    /// Frames of `block` rendered and not yet handed out start at `next`, end at `filled`.
    next: usize,
    filled: usize,
    /// Frames still to render before the end of the show.
    unrendered: u64,
}

impl Frames {
    /// Pull `engine` in blocks of [`DEFAULT_BLOCK_FRAMES`].
    pub fn new(engine: Engine) -> Self {
        Self::with_block_frames(engine, DEFAULT_BLOCK_FRAMES)
    }

    /// Pull `engine` in blocks of `block_frames` (taken as 1 if 0): smaller blocks answer a
    /// fader sooner, larger ones cost less per frame; the samples are the same.
    pub fn with_block_frames(engine: Engine, block_frames: usize) -> Self {
        let unrendered = engine.total_frames().saturating_sub(engine.position());
        Frames {
            engine,
            block: vec![0.0; 2 * block_frames.max(1)].into_boxed_slice(),
            next: 0,
            filled: 0,
            unrendered,
        }
    }

    /// Frames rendered per block.
    pub fn block_frames(&self) -> usize {
        self.block.len() / 2
    }

    /// The engine (its show, sample rate and position; the position runs up to one block ahead
    /// of the frames handed out).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine, to move faders or fire cues while playing.
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    /// Give the engine back (frames rendered into the current block and not yet handed out are
    /// dropped).
    pub fn into_engine(self) -> Engine {
        self.engine
    }
}

impl Iterator for Frames {
    type Item = [f32; 2];

    fn next(&mut self) -> Option<[f32; 2]> {
        if self.next == self.filled {
            if self.unrendered == 0 {
                return None;
            }
            let n = self.unrendered.min(self.block_frames() as u64) as usize;
            self.engine.render_block(&mut self.block[..2 * n]);
            self.unrendered -= n as u64;
            self.next = 0;
            self.filled = n;
        }
        let i = 2 * self.next;
        self.next += 1;
        Some([self.block[i], self.block[i + 1]])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.unrendered + (self.filled - self.next) as u64;
        let left = usize::try_from(left).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Frames {}

impl FusedIterator for Frames {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset;

    const RATE: u32 = 8_000;

    #[test]
    fn length_is_the_rest_of_the_show_and_counts_down() {
        let show = preset::resolve("echo-fade-early-days").unwrap();
        let mut engine = Engine::new(&show, 1, RATE);
        let total = engine.total_frames();
        engine.skip(total - 2_500);
        let mut frames = Frames::with_block_frames(engine, 1_000);
        assert_eq!(frames.len(), 2_500);
        frames.next();
        assert_eq!(frames.len(), 2_499);
        assert_eq!(frames.by_ref().count(), 2_499);
        assert_eq!(frames.next(), None);
        assert_eq!(frames.engine().position(), total);
    }

    #[test]
    fn a_zero_block_is_one_frame() {
        let show = preset::resolve("echo-fade-early-days").unwrap();
        let frames = Frames::with_block_frames(Engine::new(&show, 1, RATE), 0);
        assert_eq!(frames.block_frames(), 1);
        assert_eq!(frames.take(3).count(), 3);
    }
}
