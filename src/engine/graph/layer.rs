//! The conducted sources of the graph: each layer of the mix ([`Layer`]: one per row of the
//! engine's table) and the room's own tone, as nodes that take the conductor's control signals
//! and give one stereo output.

use std::sync::Arc;

use fundsp::buffer::{BufferMut, BufferRef};
use fundsp::setting::Setting;

use super::chunk::{ChunkStage, write_pair};
use super::controls::{CONTROL_CHANNELS, ChantExchange, SourceControls};
use crate::conductor::{Layer, roomtone};
use crate::instruments::roomtone::RoomTone;
use crate::kit::Stereo;

/// A conducted layer as a graph stage.
#[derive(Clone)]
pub(super) struct LayerStage {
    layer: Box<dyn Layer>,
    chunk: Stereo,
    controls: SourceControls,
    /// Where the operator's chant syllables come in (rung through [`ChunkStage::set`]).
    chant: Arc<ChantExchange>,
}

impl LayerStage {
    pub fn new(layer: Box<dyn Layer>, controls: SourceControls, chant: Arc<ChantExchange>) -> Self {
        LayerStage {
            layer,
            chunk: Stereo::default(),
            controls,
            chant,
        }
    }
}

impl ChunkStage for LayerStage {
    const ID: u64 = 0x636f_6e63_6c61_7972; // "conclayr"

    fn channels(&self) -> (usize, usize) {
        (CONTROL_CHANNELS, 2)
    }

    fn process(&mut self, input: &BufferRef, output: &mut BufferMut) {
        let (info, params) = self.controls.next(input);
        self.layer.render(info, params, &mut self.chunk);
        write_pair(output, 0, &self.chunk);
    }

    /// Any setting means "a chant is waiting in the exchange".
    fn set(&mut self, _setting: Setting) {
        self.chant
            .swap_with(|sounds| self.layer.swap_cued_sounds(sounds));
    }
}

/// The room's own tone (air, coughs, shuffles), which the crowd's stem carries.
#[derive(Clone)]
pub(super) struct RoomToneStage {
    tone: RoomTone,
    controls: SourceControls,
}

impl RoomToneStage {
    pub fn new(tone: RoomTone, controls: SourceControls) -> Self {
        RoomToneStage { tone, controls }
    }
}

impl ChunkStage for RoomToneStage {
    const ID: u64 = 0x636f_6e63_746f_6e65; // "conctone"

    fn channels(&self) -> (usize, usize) {
        (CONTROL_CHANNELS, 2)
    }

    fn process(&mut self, input: &BufferRef, output: &mut BufferMut) {
        let (info, params) = self.controls.next(input);
        let mut chunk = Stereo::default();
        self.tone
            .render(info, &roomtone::control(params), &mut chunk);
        write_pair(output, 0, &chunk);
    }
}
