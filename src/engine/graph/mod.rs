//! The engine's signal path as a fundsp [`Net`]:
//!
//! ```text
//!              ┌▶ crowd ────┐
//!              ├▶ applause ─┤         dry ┌──────┐     ┌──────────────────┐
//!  conductor ──┼▶ cheers ───┼▶ desk ─────▶│ room ├────▶│ master: fader,   ├─▶ outputs 0-1
//!  (controls)  ├▶ lead, … ──┤   │  send ─▶│      │     │ end fade, limiter│
//!              └▶ room tone ┘   │         └──────┘     └──────────────────┘
//!                               └─ each faded layer ─▶ stem: headroom, own room if wet,
//!                                                      end fade, one-chunk hold ─▶ outputs 2..
//! ```
//!
//! - The conductor sends the show's levels as control signals; every source (the layers of
//!   [`LAYER_TABLE`] and the room tone) reads them at its chunk's start (see [`controls`]).
//! - The desk adds the room tone to the crowd, applies the operator's level faders and sums
//!   the dry and send buses in the layers' order (see [`desk`]).
//! - The room and the master section are the venue and the master stage of `instruments`; the
//!   master's one-chunk look-ahead is hidden by the engine, which renders one chunk ahead, and
//!   each stem is held back a chunk to stay aligned with the mix.
//! - With stems, the graph has one more stereo output per layer, in [`super::STEMS`] order.
//!
//! Every node is a [`ChunkStage`](chunk::ChunkStage): the engine pulls the graph exactly one
//! chunk at a time, before which it hands the chunk's controls to the conductor and sets the
//! faders' `Shared` levels. Nothing on that path allocates or locks.

mod chunk;
mod controls;
mod desk;
mod layer;
mod master;
mod room;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use fundsp::audiounit::AudioUnit;
use fundsp::buffer::{BufferRef, BufferVec};
use fundsp::net::{Net, NodeId};
use fundsp::setting::Setting;
use fundsp::shared::Shared;

use self::chunk::{ChunkUnit, chunk_of};
use self::controls::{CONTROL_CHANNELS, ChantExchange, Controls};
use self::desk::{DRY_OUT, DeskStage, LAYER_OUT, SEND_OUT, TONE_IN};
use self::layer::{LayerStage, RoomToneStage};
use self::master::{EndFade, MasterStage};
use self::room::{RoomStage, StemStage};
use super::{CROWD, Fader, Faders, LAYER_TABLE, LAYERS, SENDS, StemRoom};
use crate::conductor::roomtone;
use crate::instruments::crowd::voice::SyllableSound;
use crate::instruments::master::Master;
use crate::instruments::roomtone::RoomTone;
use crate::instruments::venue::Room;
use crate::kit::{CHUNK, derive_seed};
use crate::show::{Params, Show};

/// The engine's graph and its handles.
pub(super) struct Graph {
    net: Net,
    controls: Controls,
    /// The crowd's node and chant exchange (the operator's chant).
    crowd: NodeId,
    chant: Arc<ChantExchange>,
    /// The operator's level faders (linear gains, 1 at home).
    levels: [Shared; LAYERS],
    master_level: Shared,
    non_finite: Arc<AtomicU64>,
    /// The graph's outputs, read in place: the mix, then each stem if there are stems.
    out: BufferVec,
    stems: bool,
}

impl Graph {
    /// The graph for `show`, its randomness derived from `seed`, at `sample_rate` Hz, whose
    /// first chunk is the one at frame `start`; with stems if asked.
    pub fn new(
        show: &Show,
        seed: u64,
        sample_rate: f64,
        stems: Option<StemRoom>,
        start: u64,
    ) -> Self {
        let sr = sample_rate;
        let outputs = 2 + if stems.is_some() { 2 * LAYERS } else { 0 };
        let mut net = Net::new(0, outputs);
        // Before any push: a node takes the graph's rate when pushed.
        net.set_sample_rate(sr);
        let (mut controls, conductor) = Controls::new();
        let conductor = net.push(ChunkUnit::boxed(conductor));

        // The sources, each following the conductor.
        let mut chants: Vec<Arc<ChantExchange>> = Vec::with_capacity(LAYERS);
        let sources: Vec<NodeId> = LAYER_TABLE
            .iter()
            .map(|row| {
                let chant = ChantExchange::new();
                chants.push(Arc::clone(&chant));
                let seed = derive_seed(seed, &format!("layer/{}", row.name));
                let layer = row.layer(show, seed, sr);
                let stage = LayerStage::new(layer, controls.source(sr, start), chant);
                let node = net.push(ChunkUnit::boxed(stage));
                follow(&mut net, conductor, node);
                node
            })
            .collect();
        let tone_seed = derive_seed(seed, "layer/room-tone");
        let tone = net.push(ChunkUnit::boxed(RoomToneStage::new(
            RoomTone::new(roomtone::config(show), tone_seed, sr),
            controls.source(sr, start),
        )));
        follow(&mut net, conductor, tone);

        // The desk.
        let levels: [Shared; LAYERS] = std::array::from_fn(|_| Shared::new(1.0));
        let desk = net.push(ChunkUnit::boxed(DeskStage::new(
            SENDS,
            levels.clone(),
            stems.is_some(),
        )));
        for (k, &src) in sources.iter().enumerate() {
            connect_pair(&mut net, src, 0, desk, k);
        }
        connect_pair(&mut net, tone, 0, desk, TONE_IN);

        // The room and the master section (master fader, end fade, limiter).
        let room_of = || Room::new(&show.venue, sr);
        let room = net.push(ChunkUnit::boxed(RoomStage::new(room_of())));
        connect_pair(&mut net, desk, DRY_OUT, room, 0);
        connect_pair(&mut net, desk, SEND_OUT, room, 1);
        let master_level = Shared::new(1.0);
        let total = (show.duration_secs * sr).round() as u64;
        let fade_frames = (super::END_FADE_SECS.min(show.duration_secs / 4.0) * sr).round() as u64;
        let fade = move || EndFade::new(start, total, fade_frames);
        let non_finite = Arc::new(AtomicU64::new(0));
        let master = net.push(ChunkUnit::boxed(MasterStage::new(
            master_level.clone(),
            fade(),
            Master::new(sr),
            Arc::clone(&non_finite),
        )));
        net.pipe_all(room, master);
        net.connect_output(master, 0, 0);
        net.connect_output(master, 1, 1);

        // The stems.
        for (k, row) in LAYER_TABLE.iter().enumerate().filter(|_| stems.is_some()) {
            let own_room = (stems == Some(StemRoom::Wet)).then(&room_of);
            let stem = net.push(ChunkUnit::boxed(StemStage::new(row.send, own_room, fade())));
            connect_pair(&mut net, desk, LAYER_OUT + k, stem, 0);
            net.connect_output(stem, 0, 2 + 2 * k);
            net.connect_output(stem, 1, 3 + 2 * k);
        }
        net.allocate();
        Graph {
            net,
            controls,
            crowd: sources[CROWD],
            chant: Arc::clone(&chants[CROWD]),
            levels,
            master_level,
            non_finite,
            out: BufferVec::new(outputs),
            stems: stems.is_some(),
        }
    }

    /// Set the operator's level faders to where `faders` are now.
    pub fn set_levels(&mut self, faders: &Faders) {
        for (k, level) in self.levels.iter().enumerate() {
            level.set_value(faders.value(Fader::Layer(k)).unwrap_or(1.0));
        }
        self.master_level
            .set_value(faders.value(Fader::Master).unwrap_or(1.0));
    }

    /// Pull the next chunk through the graph, every source following `params`.
    pub fn pull(&mut self, params: &Params) {
        self.controls.publish(params);
        self.net
            .process(CHUNK, &BufferRef::empty(), &mut self.out.buffer_mut());
    }

    /// The last chunk's mix: its left and right channels, [`CHUNK`] frames each.
    #[inline]
    pub fn mix(&self) -> (&[f32], &[f32]) {
        self.pair(0)
    }

    /// The last chunk's stem `k`, if there are stems.
    #[inline]
    pub fn stem(&self, k: usize) -> Option<(&[f32], &[f32])> {
        self.stems.then(|| self.pair(1 + k))
    }

    fn pair(&self, pair: usize) -> (&[f32], &[f32]) {
        let out = self.out.buffer_ref();
        (chunk_of(&out, 2 * pair), chunk_of(&out, 2 * pair + 1))
    }

    /// Hand the crowd the operator's chant syllables; returns the ones they replace. A move:
    /// allocation-free.
    pub fn swap_chant(&mut self, sounds: Vec<SyllableSound>) -> Vec<SyllableSound> {
        self.chant.send(sounds);
        self.net.node_mut(self.crowd).set(Setting::value(0.0));
        self.chant.take_back()
    }

    /// Non-finite samples the master had to replace.
    pub fn non_finite(&self) -> u64 {
        self.non_finite.load(Ordering::Relaxed)
    }
}

/// Feed the conductor's control signals to `source`.
fn follow(net: &mut Net, conductor: NodeId, source: NodeId) {
    for c in 0..CONTROL_CHANNELS {
        net.connect(conductor, c, source, c);
    }
}

/// Connect stereo pair `from` of `src` to pair `to` of `dst`.
fn connect_pair(net: &mut Net, src: NodeId, from: usize, dst: NodeId, to: usize) {
    net.connect(src, 2 * from, dst, 2 * to);
    net.connect(src, 2 * from + 1, dst, 2 * to + 1);
}
