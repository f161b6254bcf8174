//! How the engine's controls reach the sources inside its graph, without a lock:
//!
//! - The show's levels (energy, murmur, roar, applause…) and the moment playing are control
//!   *signals*: the engine sets each chunk's [`Params`] into the [`ConductorStage`]'s fundsp
//!   [`Shared`] values (atomics: a few loads a chunk, where a queue cost more than the rest of
//!   the graph's plumbing together), and the conductor sends them on as constant channels that
//!   every source reads at its chunk's start (fundsp passes a node's outputs to the nodes that
//!   read them without copying).
//! - What the operator started ([`Cued`]: beat grids in `f64`, more than an `f32` signal can
//!   carry) changes only when the operator acts: the engine leaves it in each source's
//!   one-slot queue when it changes, and the source keeps the last it took.
//! - The operator's chant syllables are moved into the crowd and back out through a
//!   [`ChantExchange`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use thingbuf::{Recycle, ThingBuf};

use super::chunk::ChunkStage;
use crate::instruments::crowd::voice::SyllableSound;
use crate::kit::{CHUNK, Cued};
use crate::show::Params;
use fundsp::buffer::{BufferMut, BufferRef};
use fundsp::shared::Shared;
use fundsp::{F32x, SIMD_N};

/// Control channels the conductor sends: the moment playing, then the show's levels.
pub(super) const CONTROL_CHANNELS: usize = 11;

/// `Params` without its cued part, as control signals.
fn to_signals(p: &Params) -> [f32; CONTROL_CHANNELS] {
    // Every field named, so a new one cannot be forgotten here.
    let Params {
        moment,
        energy,
        murmur,
        roar,
        applause,
        cheer_rate,
        whistle_rate,
        scream_rate,
        chant,
        song,
        hush,
        cued: _,
    } = *p;
    // A moment's index is far below 2^24, which an f32 holds exactly.
    let moment = moment.map_or(-1.0, |m| m as f32);
    [
        moment,
        energy,
        murmur,
        roar,
        applause,
        cheer_rate,
        whistle_rate,
        scream_rate,
        chant,
        song,
        hush,
    ]
}

/// The `Params` carried by the control signals `x` and the operator's `cued` part.
fn from_signals(x: [f32; CONTROL_CHANNELS], cued: Cued) -> Params {
    let [
        moment,
        energy,
        murmur,
        roar,
        applause,
        cheer_rate,
        whistle_rate,
        scream_rate,
        chant,
        song,
        hush,
    ] = x;
    Params {
        moment: (moment >= 0.0).then_some(moment as usize),
        energy,
        murmur,
        roar,
        applause,
        cheer_rate,
        whistle_rate,
        scream_rate,
        chant,
        song,
        hush,
        cued,
    }
}

/// Plain `Copy` values need no cleaning between uses: each is overwritten whole.
#[derive(Debug, Clone, Copy)]
struct Overwrite;

impl<T: Copy + Default> Recycle<T> for Overwrite {
    fn new_element(&self) -> T {
        T::default()
    }

    fn recycle(&self, _element: &mut T) {}
}

/// A one-slot lock-free queue of a `Copy` value, shared by the engine and one stage.
type Slot<T> = Arc<ThingBuf<T, Overwrite>>;

fn slot<T: Copy + Default>() -> Slot<T> {
    Arc::new(ThingBuf::with_recycle(1, Overwrite))
}

/// Leave `value` in `slot`, replacing one the stage did not take.
fn put<T: Copy + Default>(slot: &ThingBuf<T, Overwrite>, value: T) {
    let mut next = slot.push_ref().or_else(|_| {
        drop(slot.pop_ref());
        slot.push_ref()
    });
    if let Ok(next) = &mut next {
        **next = value;
    }
}

/// The engine's end of the controls.
pub(super) struct Controls {
    /// The conductor's signals (the chunk's `Params` without the cued part).
    signals: [Shared; CONTROL_CHANNELS],
    cued: Vec<Slot<Cued>>,
    /// The cued part last handed out, and how many times it changed (so that a source only
    /// looks in its slot after a change).
    last_cued: Cued,
    cued_changes: Arc<AtomicU64>,
}

impl Controls {
    /// The controls and the conductor that sends them on.
    pub fn new() -> (Self, ConductorStage) {
        let signals: [Shared; CONTROL_CHANNELS] = std::array::from_fn(|_| Shared::new(0.0));
        let controls = Controls {
            signals: signals.clone(),
            cued: Vec::new(),
            last_cued: Cued::default(),
            cued_changes: Arc::new(AtomicU64::new(0)),
        };
        (controls, ConductorStage { signals })
    }

    /// A new source's end, following the conductor's signals from frame `start`.
    pub fn source(&mut self, sample_rate: f64, start: u64) -> SourceControls {
        let cued = slot();
        self.cued.push(Arc::clone(&cued));
        SourceControls {
            cued,
            changes: Arc::clone(&self.cued_changes),
            seen: 0,
            now: Cued::default(),
            params: Params::default(),
            frame: start,
            sample_rate,
        }
    }

    /// Hand out the controls of the chunk about to be pulled. Lock- and allocation-free.
    pub fn publish(&mut self, params: &Params) {
        for (shared, value) in self.signals.iter().zip(to_signals(params)) {
            shared.set_value(value);
        }
        if params.cued != self.last_cued {
            self.last_cued = params.cued;
            for slot in &self.cued {
                put(slot, params.cued);
            }
            self.cued_changes.fetch_add(1, Ordering::Release);
        }
    }
}

/// The conductor: sends each chunk's show levels on as constant control signals.
#[derive(Clone)]
pub(super) struct ConductorStage {
    /// The signals as last published (they hold until the next).
    signals: [Shared; CONTROL_CHANNELS],
}

impl ChunkStage for ConductorStage {
    const ID: u64 = 0x636f_6e63_636f_6e64; // "conccond"

    fn channels(&self) -> (usize, usize) {
        (0, CONTROL_CHANNELS)
    }

    fn process(&mut self, _input: &BufferRef, output: &mut BufferMut) {
        for (c, v) in self.signals.iter().enumerate() {
            output.channel_mut(c)[..CHUNK / SIMD_N].fill(F32x::splat(v.value()));
        }
    }
}

/// A source's end of the controls: the chunk's timing and [`Params`], from the conductor's
/// signals (its first [`CONTROL_CHANNELS`] inputs) and the last cued part handed out.
#[derive(Clone)]
pub(super) struct SourceControls {
    cued: Slot<Cued>,
    changes: Arc<AtomicU64>,
    /// Changes of the cued part seen so far.
    seen: u64,
    now: Cued,
    /// The controls of the chunk being rendered (kept here, not handed out by value: a
    /// source reads them in place).
    params: Params,
    /// Frame of the next chunk.
    frame: u64,
    sample_rate: f64,
}

impl SourceControls {
    /// The timing and controls of the chunk starting now.
    pub fn next(&mut self, input: &BufferRef) -> (crate::kit::ChunkInfo, &Params) {
        let changes = self.changes.load(Ordering::Acquire);
        if changes != self.seen {
            self.seen = changes;
            if let Some(cued) = self.cued.pop_ref() {
                self.now = *cued;
            }
        }
        let info = crate::kit::ChunkInfo {
            frame: self.frame,
            sample_rate: self.sample_rate,
        };
        self.frame += CHUNK as u64;
        let signals = std::array::from_fn(|c| input.at_f32(c, 0));
        self.params = from_signals(signals, self.now);
        (info, &self.params)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_survive_the_trip_through_signals() {
        let p = Params {
            moment: Some(17),
            energy: 0.3,
            murmur: 0.1,
            roar: 0.7,
            applause: 0.9,
            cheer_rate: 2.5,
            whistle_rate: 0.25,
            scream_rate: 0.125,
            chant: 0.6,
            song: 1.0,
            hush: 0.05,
            cued: Cued::default(),
        };
        assert_eq!(from_signals(to_signals(&p), p.cued), p);
        let gap = Params::default();
        assert_eq!(from_signals(to_signals(&gap), gap.cued), gap);
    }
}
