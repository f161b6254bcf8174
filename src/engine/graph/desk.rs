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

use super::chunk::{ChunkStage, chunk_of, chunk_of_mut};
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
            let tone = chunk_of(input, 2 * TONE_IN + c);
            // Summed in place in the output (fundsp lends both channels at once), one layer at
            // a time over the whole chunk (each sample's sum still runs in the layers' order),
            // so every step is a vector operation.
            let dry = chunk_of_mut(output, 2 * DRY_OUT + c);
            let send = chunk_of_mut(output, 2 * SEND_OUT + c);
            let mut scratch = [0.0f32; CHUNK];
            for (k, (&level, &gain)) in levels.iter().zip(&self.sends).enumerate() {
                let layer = chunk_of(input, 2 * k + c);
                let x = faded(&mut scratch, layer, tone, k, level);
                let sums = dry.iter_mut().zip(send.iter_mut()).zip(x);
                if k == 0 {
                    // The sums start from silence (`0.0 + …`, not a copy: −0.0 + 0.0 is 0.0).
                    for ((d, s), x) in sums {
                        *d = 0.0 + x * 1.0;
                        *s = 0.0 + x * gain;
                    }
                } else {
                    for ((d, s), x) in sums {
                        *d += x * 1.0;
                        *s += x * gain;
                    }
                }
                if self.stems {
                    chunk_of_mut(output, 2 * (LAYER_OUT + k) + c).copy_from_slice(x);
                }
            }
        }
    }
}

/// Layer `k` (one channel of it) as it leaves its fader: with the room tone if it is the
/// crowd, times its `level` unless that is 1. The layer itself when neither applies (most
/// layers, most of the time), else worked out in `scratch`.
#[inline]
fn faded<'a>(
    scratch: &'a mut [f32; CHUNK],
    layer: &'a [f32; CHUNK],
    tone: &[f32; CHUNK],
    k: usize,
    level: f32,
) -> &'a [f32; CHUNK] {
    if k != CROWD && level == 1.0 {
        return layer;
    }
    for ((x, l), t) in scratch.iter_mut().zip(layer).zip(tone) {
        *x = if k == CROWD { l + t * 1.0 } else { *l };
        if level != 1.0 {
            *x *= level;
        }
    }
    scratch
}
