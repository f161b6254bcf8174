//! The graph's unit of work: every stage of the engine's [`Net`](fundsp::net::Net) reads and
//! writes whole chunks of [`CHUNK`] frames, because the instruments, the room and the master
//! work that way (controls once per chunk, the master's look-ahead a chunk long). The engine
//! pulls its graph in blocks of exactly one chunk, aligned to frame 0, and copies out of the
//! chunk whatever block a caller asks for; that is what keeps renders block-size independent.

use fundsp::audiounit::AudioUnit;
use fundsp::buffer::{BufferMut, BufferRef};
use fundsp::setting::Setting;
use fundsp::signal::SignalFrame;

use crate::kit::{CHUNK, Stereo};

/// One stage of the engine's graph: channels in, channels out, a chunk at a time.
pub(super) trait ChunkStage: Clone + Send + Sync + 'static {
    /// A unique id, for fundsp's graph hashing.
    const ID: u64;

    /// Channels in and out (fixed once built); audio travels in stereo pairs.
    fn channels(&self) -> (usize, usize);

    /// Turn one chunk of `input` into one chunk of `output` (every channel [`CHUNK`] frames;
    /// see [`read_pair`] and [`write_pair`]). Must not allocate, lock or do I/O.
    fn process(&mut self, input: &BufferRef, output: &mut BufferMut);

    /// A parameter with no dedicated input (see [`AudioUnit::set`]).
    fn set(&mut self, _setting: Setting) {}
}

/// Channel `c` of `input`, one chunk of it, in place.
#[inline]
pub(super) fn chunk_of<'a>(input: &BufferRef<'a>, c: usize) -> &'a [f32; CHUNK] {
    input.channel_f32(c)[..CHUNK].try_into().expect("a chunk")
}

/// Channel `c` of `output`, one chunk of it, in place (fundsp lends a channel for the
/// buffer's whole life, so several can be held at once).
#[inline]
pub(super) fn chunk_of_mut<'a>(output: &mut BufferMut<'a>, c: usize) -> &'a mut [f32; CHUNK] {
    (&mut output.channel_f32_mut(c)[..CHUNK])
        .try_into()
        .expect("a chunk")
}

/// Stereo pair `pair` of `input` into `x`.
pub(super) fn read_pair(input: &BufferRef, pair: usize, x: &mut Stereo) {
    x.l.copy_from_slice(chunk_of(input, 2 * pair));
    x.r.copy_from_slice(chunk_of(input, 2 * pair + 1));
}

/// `x` into stereo pair `pair` of `output`.
pub(super) fn write_pair(output: &mut BufferMut, pair: usize, x: &Stereo) {
    chunk_of_mut(output, 2 * pair).copy_from_slice(&x.l);
    chunk_of_mut(output, 2 * pair + 1).copy_from_slice(&x.r);
}

/// A [`ChunkStage`] as a fundsp [`AudioUnit`], so it can be a node of a `Net`.
///
/// # Panics
/// When it is ticked, or processed in blocks other than [`CHUNK`] frames: a chunk stage has no
/// meaning for a single frame, and the engine never pulls its graph any other way.
#[derive(Clone)]
pub(super) struct ChunkUnit<S> {
    stage: S,
    inputs: usize,
    outputs: usize,
}

impl<S: ChunkStage> ChunkUnit<S> {
    /// Boxed, ready to push into a `Net`.
    pub fn boxed(stage: S) -> Box<dyn AudioUnit> {
        let (inputs, outputs) = stage.channels();
        Box::new(ChunkUnit {
            stage,
            inputs,
            outputs,
        })
    }
}

impl<S: ChunkStage> AudioUnit for ChunkUnit<S> {
    fn tick(&mut self, _input: &[f32], _output: &mut [f32]) {
        panic!("the engine's graph runs in whole chunks of {CHUNK} frames, not frame by frame");
    }

    fn process(&mut self, size: usize, input: &BufferRef, output: &mut BufferMut) {
        assert_eq!(size, CHUNK, "the engine's graph runs in whole chunks");
        self.stage.process(input, output);
    }

    fn set(&mut self, setting: Setting) {
        self.stage.set(setting);
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn route(&mut self, _input: &SignalFrame, _frequency: f64) -> SignalFrame {
        // Nothing is known about the outputs (chunked, time-varying, nonlinear).
        SignalFrame::new(self.outputs)
    }

    fn get_id(&self) -> u64 {
        S::ID
    }

    fn footprint(&self) -> usize {
        std::mem::size_of::<Self>()
    }
}
