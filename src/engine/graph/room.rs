//! The venue in the graph: the room that takes the dry and send buses to the mix, and the
//! stems' paths (each layer turned down by the stems' headroom, through its own copy of the
//! room for wet stems, to the end of the graph).

use fundsp::buffer::{BufferMut, BufferRef};

use super::chunk::{ChunkStage, chunk_of, chunk_of_mut, read_pair, write_pair};
use super::master::EndFade;
use crate::engine::STEM_HEADROOM_DB;
use crate::instruments::venue::Room;
use crate::kit::{Stereo, db_to_gain};

/// The room: dry and send buses in, the mix out, read and written in the graph's buffers.
#[derive(Clone)]
pub(super) struct RoomStage {
    room: Room,
}

impl RoomStage {
    pub fn new(room: Room) -> Self {
        RoomStage { room }
    }
}

impl ChunkStage for RoomStage {
    const ID: u64 = 0x636f_6e63_726f_6f6d; // "concroom"

    fn channels(&self) -> (usize, usize) {
        (4, 2)
    }

    fn process(&mut self, input: &BufferRef, output: &mut BufferMut) {
        let side = |c| chunk_of(input, c);
        // Both output channels at once: fundsp hands them out for the buffer's life.
        let out = [0, 1].map(|c| chunk_of_mut(output, c));
        self.room
            .process_channels([side(0), side(1)], [side(2), side(3)], out);
    }
}

/// One layer's stem: the faded layer in, the stem out, [`STEM_HEADROOM_DB`] down, through its
/// own room for wet stems (the room is linear: turning its input down turns the wet stem down),
/// faded at the show's end like the mix, and held back one chunk to stay aligned with the mix
/// (the master's look-ahead).
#[derive(Clone)]
pub(super) struct StemStage {
    /// The layer's send to the room.
    send: f32,
    /// The stem's own room, for wet stems.
    room: Option<Room>,
    fade: EndFade,
    /// This chunk's stem, handed out with the next one.
    held: Stereo,
}

impl StemStage {
    pub fn new(send: f32, room: Option<Room>, fade: EndFade) -> Self {
        StemStage {
            send,
            room,
            fade,
            held: Stereo::default(),
        }
    }
}

impl ChunkStage for StemStage {
    const ID: u64 = 0x636f_6e63_7374_656d; // "concstem"

    fn channels(&self) -> (usize, usize) {
        (2, 2)
    }

    fn process(&mut self, input: &BufferRef, output: &mut BufferMut) {
        write_pair(output, 0, &self.held);
        let mut layer = Stereo::default();
        read_pair(input, 0, &mut layer);
        let mut tap = Stereo::default();
        tap.add_scaled(&layer, db_to_gain(STEM_HEADROOM_DB));
        match &mut self.room {
            Some(room) => {
                let mut send = Stereo::default();
                send.add_scaled(&tap, self.send);
                room.process(&tap, &send, &mut self.held);
            }
            None => self.held = tap,
        }
        self.fade.apply(&mut self.held);
    }
}
