//! The render core: wires the layers, the venue and the master, and turns a show into
//! interleaved stereo samples block by block.
//!
//! Pure and streaming: `(show, seed, sample rate) → samples`, no clock, no I/O, no allocation
//! after [`Engine::new`]. Internally everything runs in fixed chunks of [`CHUNK`] frames aligned
//! to frame 0, and `render_block` only copies out of the current chunk, so the output is
//! byte-identical whatever block sizes a caller asks for. The master's look-ahead is hidden by
//! rendering one chunk ahead, so frame 0 of the output is frame 0 of the show.

use crate::dsp::applause::ApplauseLayer;
use crate::dsp::cheers::CheersLayer;
use crate::dsp::crowd::CrowdLayer;
use crate::dsp::lead::LeadLayer;
use crate::dsp::master::Master;
use crate::dsp::venue::Room;
use crate::dsp::{CHUNK, ChunkInfo, Layer, Stereo};
use crate::show::{Show, derive_seed};

/// Names of the layers, in stem order (stems are written as `NAME.wav`).
pub const STEMS: [&str; 4] = ["crowd", "applause", "cheers", "lead"];
/// Number of layers.
pub const LAYERS: usize = STEMS.len();

/// Reverb send of each layer, in stem order. Applause stays well under its dry sound (about
/// −9 dB): a wet, smeared crowd reads as rain.
const SENDS: [f32; LAYERS] = [0.5, 0.35, 0.45, 0.4];

/// Per-stem outputs, present only when stems were asked for.
struct StemPath {
    rooms: Vec<Room>,
    /// Stems of the chunk the master is holding back, so stems stay aligned with the mix.
    held: [Stereo; LAYERS],
    out: [Stereo; LAYERS],
}

/// Turns a show into samples.
pub struct Engine {
    show: Show,
    sample_rate: f64,
    layers: [Box<dyn Layer>; LAYERS],
    bufs: [Stereo; LAYERS],
    room: Room,
    master: Master,
    stems: Option<Box<StemPath>>,
    /// Frame of the next chunk to synthesise (one chunk ahead of the output).
    next_frame: u64,
    /// The current output chunk and the read position in it.
    out: Stereo,
    cursor: usize,
    /// Frames handed out so far.
    position: u64,
    total_frames: u64,
}

impl Engine {
    /// An engine for `show` with all randomness derived from `seed`, at `sample_rate` Hz.
    pub fn new(show: &Show, seed: u64, sample_rate: u32) -> Self {
        Self::build(show, seed, sample_rate, false)
    }

    /// Like [`Engine::new`], but also producing one stereo stem per layer (see
    /// [`Engine::render_block_with_stems`]). Each stem gets its own copy of the room, so the
    /// stems sum to the mix before the master stage.
    pub fn with_stems(show: &Show, seed: u64, sample_rate: u32) -> Self {
        Self::build(show, seed, sample_rate, true)
    }

    fn build(show: &Show, seed: u64, sample_rate: u32, stems: bool) -> Self {
        let sr = f64::from(sample_rate);
        let layers: [Box<dyn Layer>; LAYERS] = [
            Box::new(CrowdLayer::new(show, derive_seed(seed, "layer/crowd"), sr)),
            Box::new(ApplauseLayer::new(
                show,
                derive_seed(seed, "layer/applause"),
                sr,
            )),
            Box::new(CheersLayer::new(
                show,
                derive_seed(seed, "layer/cheers"),
                sr,
            )),
            Box::new(LeadLayer::new(show, derive_seed(seed, "layer/lead"), sr)),
        ];
        let stems = stems.then(|| {
            Box::new(StemPath {
                rooms: (0..LAYERS).map(|_| Room::new(&show.venue, sr)).collect(),
                held: Default::default(),
                out: Default::default(),
            })
        });
        let mut engine = Engine {
            show: show.clone(),
            sample_rate: sr,
            layers,
            bufs: Default::default(),
            room: Room::new(&show.venue, sr),
            master: Master::new(sr),
            stems,
            next_frame: 0,
            out: Stereo::default(),
            cursor: CHUNK,
            position: 0,
            total_frames: (show.duration_secs * sr).round() as u64,
        };
        // Prime the master's look-ahead with the first chunk; its output is the silent
        // look-ahead buffer, so the first `render_block` steps again and starts at frame 0.
        engine.step();
        engine.cursor = CHUNK;
        engine
    }

    /// The show being rendered.
    pub fn show(&self) -> &Show {
        &self.show
    }

    /// Sample rate in Hz.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate as u32
    }

    /// Length of the show in frames (rendering may go on past it: the room keeps ringing).
    pub fn total_frames(&self) -> u64 {
        self.total_frames
    }

    /// Frames rendered so far (the show time of the next frame).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Synthesise the next chunk, push it through the master, and make the previous chunk
    /// the current output.
    fn step(&mut self) {
        let info = ChunkInfo {
            frame: self.next_frame,
            sample_rate: self.sample_rate,
        };
        let params = self.show.params_at(info.secs());
        let mut dry = Stereo::default();
        let mut send = Stereo::default();
        for (k, layer) in self.layers.iter_mut().enumerate() {
            layer.render(info, &params, &mut self.bufs[k]);
            dry.add_scaled(&self.bufs[k], 1.0);
            send.add_scaled(&self.bufs[k], SENDS[k]);
        }
        let mut mixed = Stereo::default();
        self.room.process(&dry, &send, &mut mixed);
        self.master.process(&mixed, &mut self.out);
        if let Some(stems) = &mut self.stems {
            for (k, send_gain) in SENDS.iter().enumerate() {
                let mut layer_send = Stereo::default();
                layer_send.add_scaled(&self.bufs[k], *send_gain);
                stems.out[k] = stems.held[k].clone();
                stems.rooms[k].process(&self.bufs[k], &layer_send, &mut stems.held[k]);
            }
        }
        self.next_frame += CHUNK as u64;
        self.cursor = 0;
    }

    /// Fill `out` (interleaved stereo, any even length) with the next frames of the show.
    pub fn render_block(&mut self, out: &mut [f32]) {
        self.render_inner(out, None);
    }

    /// Fill `out` with the mix and `stems[k]` with layer `k`'s stem (interleaved stereo, same
    /// length as `out`, in [`STEMS`] order). The stems are pre-master: they sum to the mix
    /// before the limiter. An engine built with [`Engine::new`] writes silent stems.
    pub fn render_block_with_stems(&mut self, out: &mut [f32], stems: &mut [&mut [f32]; LAYERS]) {
        self.render_inner(out, Some(stems));
    }

    fn render_inner(&mut self, out: &mut [f32], mut stems: Option<&mut [&mut [f32]; LAYERS]>) {
        debug_assert!(out.len().is_multiple_of(2), "interleaved stereo");
        let frames = out.len() / 2;
        let mut done = 0;
        while done < frames {
            if self.cursor == CHUNK {
                self.step();
            }
            let n = (CHUNK - self.cursor).min(frames - done);
            for i in 0..n {
                let c = self.cursor + i;
                let o = 2 * (done + i);
                out[o] = self.out.l[c];
                out[o + 1] = self.out.r[c];
                if let Some(stems) = stems.as_deref_mut() {
                    for (k, stem) in stems.iter_mut().enumerate() {
                        let (l, r) = match &self.stems {
                            Some(s) => (s.out[k].l[c], s.out[k].r[c]),
                            None => (0.0, 0.0),
                        };
                        stem[o] = l;
                        stem[o + 1] = r;
                    }
                }
            }
            self.cursor += n;
            done += n;
        }
        self.position += frames as u64;
    }

    /// Render and discard `frames` frames (to start a clip part-way into a show with exactly
    /// the state a full render would have there).
    pub fn skip(&mut self, frames: u64) {
        let mut scratch = [0.0f32; 2 * CHUNK];
        let mut left = frames;
        while left > 0 {
            let n = left.min(CHUNK as u64) as usize;
            self.render_block(&mut scratch[..2 * n]);
            left -= n as u64;
        }
    }

    /// Non-finite samples the master had to replace (0 unless a layer misbehaves).
    pub fn non_finite_samples(&self) -> u64 {
        self.master.non_finite
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::tests_support::show_with;
    use crate::show::{MomentKind, VenueKind};

    fn render(engine: &mut Engine, frames: usize, block: usize) -> Vec<f32> {
        let mut out = vec![0.0; frames * 2];
        for chunk in out.chunks_mut(block * 2) {
            engine.render_block(chunk);
        }
        out
    }

    #[test]
    fn block_size_does_not_change_the_output() {
        let show = show_with(
            VenueKind::Club,
            400,
            &[(MomentKind::Murmur, 1.0), (MomentKind::Applause, 3.0)],
        );
        let a = render(&mut Engine::new(&show, 9, 48_000), 96_000, 64);
        let b = render(&mut Engine::new(&show, 9, 48_000), 96_000, 37);
        let c = render(&mut Engine::new(&show, 9, 48_000), 96_000, 1000);
        assert!(a.iter().any(|v| *v != 0.0));
        assert_eq!(a, b);
        assert_eq!(a, c);
    }

    #[test]
    fn skipping_gives_the_same_samples_as_a_full_render() {
        let show = show_with(VenueKind::Club, 400, &[(MomentKind::Applause, 3.0)]);
        let full = render(&mut Engine::new(&show, 2, 44_100), 44_100 * 2, 512);
        let mut e = Engine::new(&show, 2, 44_100);
        e.skip(30_001);
        let clip = render(&mut e, 20_000, 300);
        assert_eq!(&full[30_001 * 2..50_001 * 2], &clip[..]);
    }

    #[test]
    fn stems_sum_to_the_mix_and_do_not_change_it() {
        let mut show = show_with(VenueKind::Theatre, 2000, &[(MomentKind::Applause, 2.0)]);
        // Quiet enough that the limiter never acts, so the mix is exactly the sum.
        show.moments[0].peak = 0.25;
        let plain = render(&mut Engine::new(&show, 4, 48_000), 48_000, 256);
        let mut e = Engine::with_stems(&show, 4, 48_000);
        let mut mix = vec![0.0; 96_000];
        let mut s: [Vec<f32>; LAYERS] = Default::default();
        for v in &mut s {
            *v = vec![0.0; 96_000];
        }
        {
            let [a, b, c, d] = &mut s;
            e.render_block_with_stems(&mut mix, &mut [a, b, c, d]);
        }
        assert_eq!(plain, mix, "asking for stems leaves the mix byte-identical");
        let mut worst = 0.0f32;
        for i in 0..mix.len() {
            let sum: f32 = s.iter().map(|v| v[i]).sum();
            worst = worst.max((sum - mix[i]).abs());
        }
        let peak = mix.iter().fold(0.0f32, |p, v| p.max(v.abs()));
        assert!(peak > 0.01 && peak < 0.8, "quiet but not silent: {peak}");
        assert!(worst < 1e-4, "stems differ from the mix by {worst}");
    }
}
