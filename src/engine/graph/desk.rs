//! The mixing desk: the room tone joins the crowd, each layer passes its operator's level
//! fader, and the layers are summed into the dry bus and, at each layer's send level, into the
//! room's send bus. The faded layers also leave the desk on their own, for the stems.
//!
//! Every sample takes the same steps as when the engine summed `Stereo` chunks by hand (so the
//! `* 1.0`s stay): the tone is added to the crowd, the sums run in the layers' order (the
//! table's, crowd first) starting from silence. Float addition is not associative, and the
//! renders are pinned to the bit: a new layer goes at the end of the table, so the sums of the
//! others stay as they were.

use fundsp::shared::Shared;

use fundsp::buffer::{BufferMut, BufferRef};

use super::chunk::ChunkStage;
use crate::engine::{CROWD, LAYERS};
use crate::kit::CHUNK;

/// Input pairs: the layers in stem order, then the room tone.
pub(super) const TONE_IN: usize = LAYERS;
/// Output pairs: the dry bus, the send bus, then (with stems) each faded layer in stem order.
pub(super) const DRY_OUT: usize = 0;
pub(super) const SEND_OUT: usize = 1;
pub(super) const LAYER_OUT: usize = 2;

#[derive(Clone)]
pub(super) struct DeskStage {
    /// Each layer's send to the room.
    sends: [f32; LAYERS],
    /// Each layer's level fader (a linear gain, 1 at home), read once per chunk.
    levels: [Shared; LAYERS],
    /// Whether the faded layers leave the desk (for stems).
    stems: bool,
}

impl DeskStage {
    pub fn new(sends: [f32; LAYERS], levels: [Shared; LAYERS], stems: bool) -> Self {
        DeskStage {
            sends,
            levels,
            stems,
        }
    }
}

impl ChunkStage for DeskStage {
    const ID: u64 = 0x636f_6e63_6465_736b; // "concdesk"

    fn channels(&self) -> (usize, usize) {
        let faded = if self.stems { LAYERS } else { 0 };
        (2 * (LAYERS + 1), 2 * (LAYER_OUT + faded))
    }

    fn process(&mut self, input: &BufferRef, output: &mut BufferMut) {
        let levels: [f32; LAYERS] = std::array::from_fn(|k| self.levels[k].value());
        for c in 0..2 {
            let layers: [&[f32]; LAYERS] = std::array::from_fn(|k| input.channel_f32(2 * k + c));
            let tone = input.channel_f32(2 * TONE_IN + c);
            let dry = output.channel_f32_mut(2 * DRY_OUT + c);
            let send = output.channel_f32_mut(2 * SEND_OUT + c);
            for i in 0..CHUNK {
                let (mut d, mut s) = (0.0f32, 0.0f32);
                for (k, layer) in layers.iter().enumerate() {
                    let mut x = layer[i];
                    if k == CROWD {
                        x += tone[i] * 1.0;
                    }
                    if levels[k] != 1.0 {
                        x *= levels[k];
                    }
                    d += x * 1.0;
                    s += x * self.sends[k];
                }
                dry[i] = d;
                send[i] = s;
            }
            if self.stems {
                for (k, layer) in layers.iter().enumerate() {
                    let faded = output.channel_f32_mut(2 * (LAYER_OUT + k) + c);
                    for i in 0..CHUNK {
                        let mut x = layer[i];
                        if k == CROWD {
                            x += tone[i] * 1.0;
                        }
                        if levels[k] != 1.0 {
                            x *= levels[k];
                        }
                        faded[i] = x;
                    }
                }
            }
        }
    }
}
