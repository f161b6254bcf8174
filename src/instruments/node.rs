//! Instruments as fundsp nodes, so anyone can put our applause (or any other instrument) in
//! their own graph: `var(&excitement) >> applause(cfg) >> my_reverb`.
//!
//! An instrument renders fixed chunks of [`CHUNK`] frames aligned to its first frame, and reads
//! its controls once per chunk. [`InstrumentNode`] keeps that contract inside fundsp: it takes
//! the controls from its inputs at the first frame of each chunk and hands out the chunk frame
//! by frame, so the output is the same whatever block sizes the graph is pulled in, and the
//! same as the instrument rendered on its own with the same controls.

use fundsp::prelude32::{AudioNode, Frame, Size, U2};

use crate::kit::{CHUNK, ChunkInfo, Stereo};

/// An instrument: built once from its configuration, then played chunk by chunk under its
/// controls.
pub trait Instrument: Clone + Send + Sync {
    /// What it is built from (audience, seat, seed…).
    type Config: Clone + Send + Sync;
    /// What changes while it plays.
    type Control: Copy + Default + Send + Sync;
    /// The fundsp inputs that carry the controls (one signal per continuous control).
    type Inputs: Size<f32>;
    /// A unique id, for fundsp's graph hashing.
    const ID: u64;

    /// Build the instrument at `sample_rate` Hz.
    fn build(cfg: &Self::Config, sample_rate: f64) -> Self;
    /// The controls carried by one frame of the node's inputs at the chunk `info` (the
    /// instrument may add its own, such as a seed for its gestures).
    fn control(&self, inputs: &[f32], info: ChunkInfo) -> Self::Control;
    /// Write the next chunk into `out` (overwriting it). Must not allocate, lock or do I/O.
    fn render(&mut self, info: ChunkInfo, ctl: &Self::Control, out: &mut Stereo);
}

/// An instrument as a fundsp node with stereo output.
///
/// Changing the sample rate or resetting the node rebuilds the instrument from its
/// configuration (which allocates, as fundsp allows for those calls); ticking never allocates.
#[derive(Clone)]
pub struct InstrumentNode<I: Instrument> {
    cfg: I::Config,
    inst: I,
    sample_rate: f64,
    /// Absolute frame of the chunk in `chunk`.
    frame: u64,
    chunk: Stereo,
    /// Next frame of `chunk` to hand out; [`CHUNK`] when a new chunk is due.
    cursor: usize,
}

/// fundsp's default sample rate, which a node has until the graph sets another.
const DEFAULT_SAMPLE_RATE: f64 = 44_100.0;

impl<I: Instrument> InstrumentNode<I> {
    /// A node playing the instrument built from `cfg`.
    pub fn new(cfg: I::Config) -> Self {
        let inst = I::build(&cfg, DEFAULT_SAMPLE_RATE);
        InstrumentNode {
            cfg,
            inst,
            sample_rate: DEFAULT_SAMPLE_RATE,
            frame: 0,
            chunk: Stereo::default(),
            cursor: CHUNK,
        }
    }

    /// The instrument inside.
    pub fn instrument(&self) -> &I {
        &self.inst
    }
}

impl<I: Instrument> AudioNode for InstrumentNode<I> {
    const ID: u64 = I::ID;
    type Inputs = I::Inputs;
    type Outputs = U2;

    fn reset(&mut self) {
        self.inst = I::build(&self.cfg, self.sample_rate);
        self.frame = 0;
        self.cursor = CHUNK;
    }

    fn set_sample_rate(&mut self, sample_rate: f64) {
        if sample_rate != self.sample_rate {
            self.sample_rate = sample_rate;
            self.reset();
        }
    }

    #[inline]
    fn tick(&mut self, input: &Frame<f32, Self::Inputs>) -> Frame<f32, Self::Outputs> {
        if self.cursor == CHUNK {
            let info = ChunkInfo {
                frame: self.frame,
                sample_rate: self.sample_rate,
            };
            let ctl = self.inst.control(input.as_slice(), info);
            self.inst.render(info, &ctl, &mut self.chunk);
            self.frame += CHUNK as u64;
            self.cursor = 0;
        }
        let i = self.cursor;
        self.cursor += 1;
        Frame::from([self.chunk.l[i], self.chunk.r[i]])
    }
}
