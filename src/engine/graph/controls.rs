//! How the engine's controls reach the stages inside its graph without a lock: each chunk's
//! show time and [`Params`] travel through a one-slot lock-free queue per stage (the engine
//! fills every slot before it pulls the chunk), and the operator's chant syllables are moved in
//! and out of the crowd through a pair of such slots.
//!
//! [`Params`] holds more than fundsp's `f32` signals can carry (a beat grid in `f64`, the moment
//! playing), so it does not travel on graph edges; the faders, plain levels, do (as `Shared`
//! values read by the desk and the master fader).

use std::sync::Arc;

use thingbuf::{Recycle, ThingBuf};

use crate::instruments::crowd::voice::SyllableSound;
use crate::kit::{CHUNK, ChunkInfo};
use crate::show::Params;

/// What a conducted stage follows in one chunk.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ChunkControls {
    /// Frame of the chunk's first sample.
    pub frame: u64,
    /// The show's controls at that frame, with the operator's cues and faders applied.
    pub params: Params,
}

/// Plain `Copy` controls need no cleaning between uses: each is overwritten whole.
#[derive(Debug, Clone, Copy)]
struct Overwrite;

impl Recycle<ChunkControls> for Overwrite {
    fn new_element(&self) -> ChunkControls {
        ChunkControls::default()
    }

    fn recycle(&self, _element: &mut ChunkControls) {}
}

type Slot = Arc<ThingBuf<ChunkControls, Overwrite>>;

/// The engine's end: hands every subscribed stage the controls of the chunk about to be pulled.
#[derive(Default)]
pub(super) struct ControlBus {
    slots: Vec<Slot>,
}

impl ControlBus {
    /// A new subscriber, whose first chunk starts at `frame`.
    pub fn subscribe(&mut self, sample_rate: f64, frame: u64) -> ControlTap {
        let slot = Arc::new(ThingBuf::with_recycle(1, Overwrite));
        self.slots.push(Arc::clone(&slot));
        ControlTap {
            slot,
            sample_rate,
            now: ChunkControls {
                frame: frame.wrapping_sub(CHUNK as u64),
                params: Params::default(),
            },
        }
    }

    /// Publish the controls of the next chunk to every subscriber (replacing any they did
    /// not take). Lock- and allocation-free.
    pub fn publish(&self, controls: ChunkControls) {
        for slot in &self.slots {
            // Full only if the stage skipped a chunk: its stale controls make way.
            let mut next = slot.push_ref().or_else(|_| {
                drop(slot.pop_ref());
                slot.push_ref()
            });
            if let Ok(next) = &mut next {
                **next = controls;
            }
        }
    }
}

/// A stage's end of the [`ControlBus`].
#[derive(Clone)]
pub(super) struct ControlTap {
    slot: Slot,
    sample_rate: f64,
    now: ChunkControls,
}

impl ControlTap {
    /// The controls of the chunk starting now: those published for it, or (if none were) the
    /// last ones, one chunk on.
    pub fn next(&mut self) -> (ChunkInfo, &Params) {
        match self.slot.pop_ref() {
            Some(c) => self.now = *c,
            None => self.now.frame = self.now.frame.wrapping_add(CHUNK as u64),
        }
        let info = ChunkInfo {
            frame: self.now.frame,
            sample_rate: self.sample_rate,
        };
        (info, &self.now.params)
    }
}

/// Moves chant syllables into a layer and the ones they replace back out, with no lock and no
/// allocation: the engine leaves the new ones here, rings the layer's node (a fundsp
/// `Setting`, which reaches the node at once since the engine owns the graph), and takes the
/// old ones back.
pub(super) struct ChantExchange {
    to_layer: ThingBuf<Vec<SyllableSound>>,
    from_layer: ThingBuf<Vec<SyllableSound>>,
}

impl ChantExchange {
    pub fn new() -> Arc<Self> {
        Arc::new(ChantExchange {
            to_layer: ThingBuf::new(1),
            from_layer: ThingBuf::new(1),
        })
    }

    /// The engine's side, before ringing: leave `sounds` for the layer.
    pub fn send(&self, sounds: Vec<SyllableSound>) {
        let _stale = self.to_layer.pop();
        let _ = self.to_layer.push(sounds);
    }

    /// The engine's side, after ringing: the sounds the layer gave back.
    pub fn take_back(&self) -> Vec<SyllableSound> {
        self.from_layer.pop().unwrap_or_default()
    }

    /// The layer's side, when rung: swap in the waiting sounds with `swap`, which returns the
    /// replaced ones.
    pub fn swap_with(&self, swap: impl FnOnce(Vec<SyllableSound>) -> Vec<SyllableSound>) {
        if let Some(sounds) = self.to_layer.pop() {
            let old = swap(sounds);
            let _stale = self.from_layer.pop();
            let _ = self.from_layer.push(old);
        }
    }
}
