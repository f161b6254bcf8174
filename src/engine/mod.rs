//! The render core: turns a show into interleaved stereo samples block by block, through a
//! fundsp [`Net`](fundsp::net::Net) of the layers, the venue and the master (see `graph`).
//!
//! Pure and streaming: `(show, seed, sample rate) → samples`, no clock, no I/O, no allocation
//! after [`Engine::new`]. Each chunk the engine works out the controls (the show's levels, the
//! operator's cues, chant, clap-along and faders) and pulls one chunk of [`CHUNK`] frames
//! through the graph; chunks are aligned to frame 0, and `render_block` only copies out of the
//! current chunk, so the output is byte-identical whatever block sizes a caller asks for. The
//! master's look-ahead is hidden by rendering one chunk ahead, so frame 0 of the output is
//! frame 0 of the show.

use crate::conductor::{ApplauseLayer, Conducted, CrowdLayer, Layer, Part, chant_sounds};
use crate::kit::CHUNK;
use crate::show::{Params, Show};

mod faders;
pub use faders::{Fader, Faders, LEVEL_FLOOR_DB, LEVEL_MAX_DB, MIN_RAMP_SECS};
mod frames;
pub use frames::{DEFAULT_BLOCK_FRAMES, Frames};
mod graph;
use graph::Graph;
mod operator;
use operator::Operator;
pub use operator::{
    CHANT_BPM, CHANT_STOP_BEATS, CLAP_BPM, CLAP_STOP_SECS, ChantCue, CueError, clap_tempo,
};

/// One layer of the mix: an instrument conducted by the show, with its own stem.
struct LayerRow {
    /// Stem name (written as `NAME.wav`); also the name of its random streams.
    name: &'static str,
    /// Reverb send. Applause stays well under its dry sound (about −9 dB): a wet, smeared
    /// crowd reads as rain.
    send: f32,
    /// The conducted instrument for its part in a show.
    build: fn(Part) -> Box<dyn Layer>,
}

impl LayerRow {
    /// This row's layer for `show`, its randomness derived from `seed`, at `sample_rate` Hz.
    fn layer(&self, show: &Show, seed: u64, sample_rate: f64) -> Box<dyn Layer> {
        (self.build)(Part {
            show,
            name: self.name,
            seed,
            sample_rate,
        })
    }
}

/// Every layer, in stem order; stems, faders, the desk, OSC and the live keys all follow it.
///
/// Adding an instrument to the show is one new file in `instruments/` (an
/// [`Instrument`](crate::instruments::node::Instrument) that knows no show), its `pub mod`
/// line, and one row here: its name, its send, and how the show conducts it — its config
/// built from the show, and a plain function from what the conductor knows at each chunk
/// ([`Now`](crate::conductor::Now): the show's levels, the moment's gesture seed, the seconds
/// since it began) to its controls, given to [`Conducted`]. A row names what it uses itself, so
/// it comes and goes in one piece. Only a layer that does more (the
/// crowd takes the operator's chants) has its own conductor type in `conductor/`.
const LAYER_TABLE: &[LayerRow] = &[
    LayerRow {
        name: "crowd",
        send: 0.5,
        build: |p| Box::new(CrowdLayer::new(p.show, p.seed, p.sample_rate)),
    },
    LayerRow {
        name: "applause",
        send: 0.35,
        build: |p| Box::new(ApplauseLayer::new(p.show, p.seed, p.sample_rate)),
    },
    LayerRow {
        name: "cheers",
        send: 0.45,
        build: |p| {
            use crate::instruments::cheers::{Cheers, CheersConfig, CheersControl};
            let cfg = CheersConfig {
                audience: p.show.venue.audience,
                seed: p.gap_seed(),
            };
            Box::new(Conducted::<Cheers>::new(p, cfg, |now| CheersControl {
                energy: now.params.energy,
                hush: now.params.hush,
                cheer_rate: now.params.cheer_rate,
                whistle_rate: now.params.whistle_rate,
                scream_rate: now.params.scream_rate,
                gesture_seed: now.gesture_seed,
                since_secs: now.since_secs,
            }))
        },
    },
    LayerRow {
        name: "lead",
        send: 0.4,
        build: |p| {
            use crate::instruments::lead::{Singer, SingerConfig};
            let cfg = SingerConfig {
                voice: p.show.singer.voice,
                part: crate::conductor::score::plan(p.show, p.seed),
                seed: p.seed,
            };
            Box::new(Conducted::<Singer>::new(p, cfg, |_| ()))
        },
    },
    LayerRow {
        name: "bar",
        send: 0.5,
        build: |p| {
            use crate::instruments::bar::{Bar, BarConfig, BarControl};
            let v = &p.show.venue;
            let (venue, audience, listener) = (v.kind, v.audience, v.listener);
            let cfg = BarConfig {
                venue,
                audience,
                listener,
                seed: p.seed,
            };
            // Busiest while people talk between songs; a little always while they are in. A
            // room that chants, roars or claps has its hands and voices busy: under a chant at
            // full rate, the pub's clinks over "one more!" were heard as a dog barking (Animal
            // 0.09 on the mix against none without the bar) and took the chant's crowd group
            // from 0.27 to 0.21.
            Box::new(Conducted::<Bar>::new(p, cfg, |now| {
                let q = &now.params;
                let engaged = q.chant.max(q.roar).max(q.applause).clamp(0.0, 1.0);
                BarControl {
                    busy: (0.2 + (0.45 * (1.0 - q.song) + 0.6 * q.murmur) * (1.0 - engaged))
                        .min(1.0),
                }
            }))
        },
    },
];

/// Number of layers.
pub const LAYERS: usize = LAYER_TABLE.len();

/// Names of the layers, in stem order (stems are written as `NAME.wav`). The crowd stem also
/// carries the room tone (air, coughs, shuffles): both are the audience.
pub const STEMS: [&str; LAYERS] = {
    let mut names = [""; LAYERS];
    let mut k = 0;
    while k < LAYERS {
        names[k] = LAYER_TABLE[k].name;
        k += 1;
    }
    names
};

/// Each layer's reverb send to the venue's room, in stem order.
pub const SENDS: [f32; LAYERS] = {
    let mut sends = [0.0; LAYERS];
    let mut k = 0;
    while k < LAYERS {
        sends[k] = LAYER_TABLE[k].send;
        k += 1;
    }
    sends
};

/// The layer named `name` (one of [`STEMS`]) for `show`, its randomness derived from `seed`
/// (the engine gives each layer `derive_seed(show seed, "layer/NAME")`), at `sample_rate` Hz:
/// to play or measure one layer on its own (see [`crate::conductor::render_layer`]).
pub fn layer(name: &str, show: &Show, seed: u64, sample_rate: f64) -> Option<Box<dyn Layer>> {
    let row = LAYER_TABLE.iter().find(|row| row.name == name)?;
    Some(row.layer(show, seed, sample_rate))
}

/// Index of the crowd layer in [`STEMS`], whose stem also carries the room tone.
const CROWD: usize = 0;

/// Level of every stem against its share of the mix bus, in dB. The bus runs hot on purpose
/// (the master's look-ahead limiter holds the mix's peaks at its ceiling), but the stems bypass
/// that limiter: tapped at bus level, the nearest clappers and the finale's roar put the
/// applause and crowd stems of the built-in shows at up to +4.2 dBFS (measured in f32, 2026-11),
/// which an integer stem clips. Printed 6 dB down, every stem keeps its true peak under 0 dBFS
/// with room to spare, the wet stems still sum to the pre-master mix once raised by 6 dB, and
/// the mix itself is untouched (same balance, same loudness, same bytes).
pub const STEM_HEADROOM_DB: f32 = -6.0;

/// A manual cue from a live operator: a swell laid on top of the scheduled show, which the
/// show's own moments never see (so a cued run differs from the offline render only while the
/// swell lasts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// The whole room breaks into applause for a few seconds.
    Applause,
    /// A burst of cheers and shouts.
    Cheers,
    /// A burst of finger whistles.
    Whistles,
    /// The crowd roars up (a goal, a surprise guest) and settles again.
    Roar,
    /// The room hushes for a ballad: the roar, cheers and chatter fall away for a while.
    Hush,
}

impl Cue {
    /// (attack, hold, release) seconds of the cue's swell.
    fn shape(self) -> (f64, f64, f64) {
        match self {
            Cue::Applause => (0.8, 2.0, 3.0),
            Cue::Cheers | Cue::Whistles => (0.2, 1.0, 1.5),
            Cue::Roar => (0.5, 2.5, 3.0),
            Cue::Hush => (1.5, 8.0, 2.5),
        }
    }

    /// The swell (0..=1) `t` seconds after the cue, `None` once it is over.
    fn envelope(self, t: f64) -> Option<f64> {
        let (a, h, r) = self.shape();
        if t < 0.0 {
            Some(0.0)
        } else if t < a {
            // Contagion: slow start, fast middle.
            Some(0.5 - 0.5 * (std::f64::consts::PI * t / a).cos())
        } else if t < a + h {
            Some(1.0)
        } else if t < a + h + r {
            let u = (t - a - h) / r;
            Some((1.0 - u) * (1.0 - u))
        } else {
            None
        }
    }

    /// Add this cue's swell `env` (0..=1) to the scheduled `params`.
    fn apply(self, env: f32, params: &mut Params) {
        match self {
            Cue::Applause => {
                params.applause = (params.applause + 0.7 * env).min(1.0);
                params.cheer_rate += 1.5 * env;
                params.energy = (params.energy + 0.2 * env).min(1.0);
            }
            Cue::Cheers => {
                params.cheer_rate += 8.0 * env;
                params.roar = (params.roar + 0.3 * env).min(1.0);
                params.energy = (params.energy + 0.25 * env).min(1.0);
            }
            Cue::Whistles => {
                params.whistle_rate += 4.0 * env;
                params.energy = (params.energy + 0.1 * env).min(1.0);
            }
            Cue::Roar => {
                params.roar = (params.roar + 0.8 * env).min(1.0);
                params.cheer_rate += 4.0 * env;
                params.whistle_rate += 1.0 * env;
                params.energy = (params.energy + 0.4 * env).min(1.0);
            }
            Cue::Hush => {
                let keep = 1.0 - env;
                params.hush = params.hush.max(env);
                params.roar *= keep;
                params.murmur *= 1.0 - 0.8 * env;
                params.cheer_rate *= keep;
                params.whistle_rate *= keep;
                params.scream_rate *= keep;
                params.applause *= keep;
            }
        }
    }
}

/// How many cues can swell at once; a new cue beyond that replaces the oldest.
const MAX_CUES: usize = 8;

/// Seconds rendered (and discarded) before the target of [`Engine::seek`], so the room and the
/// layers are already sounding when the output starts.
const SEEK_PREROLL_SECS: f64 = 2.0;

/// Length of the fade that ends every show (seconds before its last frame): after the finale's
/// applause has thinned to its last clappers, the room's tail and the last voices fade out
/// instead of stopping mid-sound.
pub const END_FADE_SECS: f64 = 4.0;
/// Whether stems carry the venue's room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StemRoom {
    /// Each stem gets its own copy of the room, so the stems sum to the mix before the master
    /// (once raised by [`STEM_HEADROOM_DB`]).
    Wet,
    /// Stems are the layers as they leave the synthesis (before the venue and the master): the
    /// lead as the vocal mic hears it, for mixing into a project with one's own reverb, and for
    /// voice analysis, where a room's tail smears jitter, shimmer and HNR.
    Dry,
}

/// Turns a show into samples.
pub struct Engine {
    show: Show,
    seed: u64,
    sample_rate: f64,
    /// The signal path: layers, desk, room, master (and stems), as a fundsp `Net`.
    graph: Graph,
    /// Whether (and how) the graph renders stems.
    stem_room: Option<StemRoom>,
    /// Frame of the next chunk to synthesise (one chunk ahead of the output).
    next_frame: u64,
    /// The read position in the graph's last chunk (its output is the current chunk).
    cursor: usize,
    /// Frames handed out so far.
    position: u64,
    total_frames: u64,
    /// Manual cues swelling now: the cue, the frame it started at and its size (0..=1).
    cues: [Option<(Cue, u64, f32)>; MAX_CUES],
    /// The operator's faders (at home, and untouched, unless someone moves one live).
    faders: Faders,
    /// The operator's chant and clap-along (idle unless someone starts one live).
    operator: Operator,
    /// The words of the operator's chant; its sounds are in the crowd's node.
    chant_words: String,
}

impl Engine {
    /// An engine for `show` with all randomness derived from `seed`, at `sample_rate` Hz.
    pub fn new(show: &Show, seed: u64, sample_rate: u32) -> Self {
        Self::build(show, seed, sample_rate, None, 0)
    }

    /// Like [`Engine::new`], but also producing one stereo stem per layer (see
    /// [`Engine::render_block_with_stems`]). Each stem gets its own copy of the room, so the
    /// stems sum to the mix before the master stage (once raised by [`STEM_HEADROOM_DB`]).
    pub fn with_stems(show: &Show, seed: u64, sample_rate: u32) -> Self {
        Self::build(show, seed, sample_rate, Some(StemRoom::Wet), 0)
    }

    /// Like [`Engine::with_stems`], choosing whether the stems carry the room (see
    /// [`StemRoom`]). The mix is the same either way.
    pub fn with_stem_room(show: &Show, seed: u64, sample_rate: u32, room: StemRoom) -> Self {
        Self::build(show, seed, sample_rate, Some(room), 0)
    }

    /// Build an engine whose first synthesised chunk is the one at `start` (a multiple of
    /// [`CHUNK`]); `start` 0 is the exact beginning of the show.
    fn build(
        show: &Show,
        seed: u64,
        sample_rate: u32,
        stems: Option<StemRoom>,
        start: u64,
    ) -> Self {
        let sr = f64::from(sample_rate);
        let mut engine = Engine {
            show: show.clone(),
            seed,
            sample_rate: sr,
            graph: Graph::new(show, seed, sr, stems, start),
            stem_room: stems,
            next_frame: start,
            cursor: CHUNK,
            position: start,
            total_frames: (show.duration_secs * sr).round() as u64,
            cues: [None; MAX_CUES],
            faders: Faders::new(sr),
            operator: Operator::default(),
            chant_words: String::new(),
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

    /// Whether (and how) this engine renders stems.
    fn stem_room(&self) -> Option<StemRoom> {
        self.stem_room
    }

    /// Frames rendered so far (the show time of the next frame).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Synthesise the next chunk, push it through the master, and make the previous chunk
    /// the current output: work out the chunk's controls (the show's, the operator's cues,
    /// chant, clap-along and faders), then pull the chunk through the graph.
    fn step(&mut self) {
        let secs = self.next_secs();
        let mut params = self.show.params_at(secs);
        self.apply_cues(&mut params);
        if !self.operator.is_idle() {
            self.operator.apply(secs, &mut params);
        }
        // Faders at home change nothing and are skipped, so offline renders never pay for them.
        if !self.faders.at_home() {
            self.faders.advance();
            self.faders.apply_params(&mut params);
            self.graph.set_levels(&self.faders);
        }
        self.graph.pull(&params);
        self.next_frame += CHUNK as u64;
        self.cursor = 0;
    }

    /// Fill `out` (interleaved stereo, any even length) with the next frames of the show.
    pub fn render_block(&mut self, out: &mut [f32]) {
        self.render_inner(out, None);
    }

    /// Fill `out` with the mix and `stems[k]` with layer `k`'s stem (interleaved stereo, same
    /// length as `out`, in [`STEMS`] order). The stems are pre-master, [`STEM_HEADROOM_DB`]
    /// down: raised by that much they sum to the mix before the limiter. An engine built with [`Engine::new`] writes silent stems.
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
            let (from, to) = (self.cursor..self.cursor + n, 2 * done..2 * (done + n));
            interleave(self.graph.mix(), from.clone(), &mut out[to.clone()]);
            if let Some(stems) = stems.as_deref_mut() {
                for (k, stem) in stems.iter_mut().enumerate() {
                    match self.graph.stem(k) {
                        Some(x) => interleave(x, from.clone(), &mut stem[to.clone()]),
                        None => stem[to.clone()].fill(0.0),
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

    /// Start a manual cue's swell at the next chunk (within [`CHUNK`] frames plus the
    /// master's one-chunk look-ahead). Lock- and allocation-free, so a render thread can call
    /// it between blocks.
    pub fn cue(&mut self, cue: Cue) {
        self.cue_sized(cue, 1.0);
    }

    /// Like [`Engine::cue`], with the swell's size: 1 is the full cue, 0.3 a small one
    /// (clamped to 0..=1).
    pub fn cue_sized(&mut self, cue: Cue, size: f32) {
        let start = self.next_frame;
        let size = if size.is_nan() {
            1.0
        } else {
            size.clamp(0.0, 1.0)
        };
        let slot = match self.cues.iter().position(Option::is_none) {
            Some(free) => free,
            None => (0..MAX_CUES)
                .min_by_key(|&i| self.cues[i].map_or(0, |(_, at, _)| at))
                .unwrap_or(0),
        };
        self.cues[slot] = Some((cue, start, size));
    }

    /// Move an operator's fader (see [`Fader`] for units) over `ramp_secs`; false for a
    /// layer that does not exist. Lock- and allocation-free.
    pub fn set_fader(&mut self, fader: Fader, setting: f32, ramp_secs: f64) -> bool {
        self.faders.set(fader, setting, ramp_secs)
    }

    /// A fader's value now (offset, or linear gain for levels).
    pub fn fader(&self, fader: Fader) -> Option<f32> {
        self.faders.value(fader)
    }

    /// Start the operator's chant `chant` now (replacing any), riding over the show: its first
    /// beat comes a chant's lead-in after the next chunk, the crowd chants its words at its
    /// tempo and the hands clap its beats, until [`Engine::stop_chant`]. Returns the chant it
    /// replaced (an empty one if none) so that it can be dropped elsewhere: the words' sounds
    /// are moved, not copied, so this is allocation-free.
    pub fn start_chant(&mut self, mut chant: ChantCue) -> ChantCue {
        let now = self.next_secs();
        let energy = f64::from(self.show.params_at(now).energy);
        self.operator.start_chant(now, chant.bpm(), energy);
        let sounds = chant.swap_sounds(Vec::new());
        let old = self.graph.swap_chant(sounds);
        chant.swap_words(&mut self.chant_words);
        chant.swap_sounds(old);
        chant
    }

    /// Let the operator's chant die away over [`CHANT_STOP_BEATS`] after the next beat.
    pub fn stop_chant(&mut self) {
        let now = self.next_secs();
        self.operator.stop_chant(now);
    }

    /// Start the crowd clapping along on every beat at `bpm` (see [`CLAP_BPM`]; replacing
    /// any clap-along), joining over two seconds, over the show. Allocation-free.
    pub fn start_clap(&mut self, bpm: f64) {
        let now = self.next_secs();
        let energy = f64::from(self.show.params_at(now).energy);
        self.operator.start_clap(now, bpm, energy);
    }

    /// Let the operator's clap-along thin out over [`CLAP_STOP_SECS`].
    pub fn stop_clap(&mut self) {
        let now = self.next_secs();
        self.operator.stop_clap(now);
    }

    /// The words of the operator's chant while it runs (not once stopped).
    pub fn chanting(&self) -> Option<&str> {
        self.operator
            .chanting()
            .then_some(self.chant_words.as_str())
    }

    /// The tempo of the operator's clap-along while it runs (not once stopped).
    pub fn clapping(&self) -> Option<f64> {
        self.operator.clapping()
    }

    /// Take over `from`'s operator chant and clap-along (after a jump: the new engine carries
    /// on what the old one played, on the same beat). Copies the chant's words and makes their
    /// sounds again (the sounds are a function of the words, and `from`'s are inside its
    /// graph): call it where allocating is allowed.
    pub fn adopt_operator(&mut self, from: &Engine) {
        let shift = (self.next_frame as f64 - from.next_frame as f64) / self.sample_rate;
        self.operator = from.operator.shifted(shift);
        self.chant_words.clone_from(&from.chant_words);
        let _old = self.graph.swap_chant(chant_sounds(&self.chant_words));
    }

    /// Show time of the next chunk to synthesise, seconds.
    fn next_secs(&self) -> f64 {
        self.next_frame as f64 / self.sample_rate
    }

    /// Manual cues still swelling.
    pub fn active_cues(&self) -> usize {
        self.cues.iter().flatten().count()
    }

    fn apply_cues(&mut self, params: &mut Params) {
        for slot in &mut self.cues {
            if let Some((cue, at, size)) = *slot {
                let t = self.next_frame.saturating_sub(at) as f64 / self.sample_rate;
                match cue.envelope(t) {
                    Some(env) => cue.apply(env as f32 * size, params),
                    None => *slot = None,
                }
            }
        }
    }

    /// Jump to `frame` of the show (a live jump between moments). The state is rebuilt and
    /// the `SEEK_PREROLL_SECS` before `frame` are rendered and discarded, so the room is
    /// ringing when output resumes; unlike [`Engine::skip`] this costs the same wherever the
    /// target is, but the samples match a full render only when `frame` is within the pre-roll
    /// of the start. Allocates: call it off the real-time thread. Active cues carry on, and so
    /// do the operator's chant and clap-along (on the same beat).
    pub fn seek(&mut self, frame: u64) {
        let mut next = self.seeker(frame)();
        next.adopt_operator(self);
        *self = next;
    }

    /// [`Engine::seek`] split in two, so its cost (a new engine and its pre-roll) can be paid on
    /// another thread while this engine keeps playing: the closure builds this engine's twin at
    /// `frame` — same show, seed, rate, stems, cues and faders — exactly as `seek` would.
    pub fn seeker(&self, frame: u64) -> impl FnOnce() -> Engine + Send + 'static {
        let preroll = (SEEK_PREROLL_SECS * self.sample_rate) as u64;
        let start = frame.saturating_sub(preroll) / CHUNK as u64 * CHUNK as u64;
        let cues = self.cues;
        let faders = self.faders.clone();
        let show = self.show.clone();
        let (seed, sample_rate, room) = (self.seed, self.sample_rate as u32, self.stem_room());
        move || {
            let mut engine = Self::build(&show, seed, sample_rate, room, start);
            engine.cues = cues;
            engine.faders = faders;
            engine.skip(frame - start);
            engine
        }
    }

    /// Non-finite samples the master had to replace (0 unless a layer misbehaves).
    pub fn non_finite_samples(&self) -> u64 {
        self.graph.non_finite()
    }

    /// How many syllables of the operator's chant the crowd holds.
    #[cfg(test)]
    fn chant_syllables(&mut self) -> usize {
        let sounds = self.graph.swap_chant(Vec::new());
        let n = sounds.len();
        let _empty = self.graph.swap_chant(sounds);
        n
    }
}

/// Frames `from` of a chunk's channels `(l, r)` into `out`, interleaved (`out` is twice as
/// long as `from`).
#[inline]
fn interleave((l, r): (&[f32], &[f32]), from: std::ops::Range<usize>, out: &mut [f32]) {
    let (l, r) = (&l[from.clone()], &r[from]);
    for ((frame, l), r) in out.chunks_exact_mut(2).zip(l).zip(r) {
        frame[0] = *l;
        frame[1] = *r;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::{db_to_gain, derive_seed};
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

    /// RMS level in dBFS of each `secs`-long window of interleaved stereo at `sr`.
    fn window_db(x: &[f32], sr: u32, secs: f64) -> Vec<f64> {
        let n = (secs * f64::from(sr)) as usize * 2;
        x.chunks_exact(n)
            .map(|w| 20.0 * rms(w).max(1e-12).log10())
            .collect()
    }

    #[test]
    fn the_room_tone_goes_to_the_crowd_stem() {
        assert_eq!(STEMS[CROWD], "crowd");
    }

    #[test]
    fn a_show_ends_in_a_fade_not_a_cut() {
        let show = show_with(
            VenueKind::Arena,
            15_000,
            &[(MomentKind::Murmur, 2.0), (MomentKind::Finale, 14.0)],
        );
        let sr = 24_000u32;
        let mut e = Engine::new(&show, 8, sr);
        let total = e.total_frames() as usize;
        let out = render(&mut e, total + sr as usize, 240);
        let end = 2 * total;
        let last = &out[end - 2 * sr as usize / 10..end];
        let last_db = 20.0 * rms(last).max(1e-12).log10();
        assert!(last_db < -55.0, "last 100 ms at {last_db:.1} dBFS");
        // The fade: every half second of the last four is quieter than the one before it,
        // starting from a room that was still sounding.
        let fade = window_db(&out[end - 2 * 5 * sr as usize..end], sr, 0.5);
        assert!(fade[0] > -50.0, "sound before the fade: {fade:?}");
        assert!(
            fade[..8].iter().all(|db| *db > -60.0),
            "the room stays audible until the last second: {fade:?}"
        );
        for pair in fade[2..].windows(2) {
            assert!(
                pair[1] < pair[0],
                "the level falls through the fade: {fade:?}"
            );
        }
        assert!(
            out[end..].iter().all(|v| *v == 0.0),
            "silence after the show's end"
        );
    }

    #[test]
    fn the_room_is_never_silent_while_people_are_in_it() {
        // A ballad with nobody singing (no songs in this show): only the hushed crowd and the
        // room. Nowhere may the mix fall to digital silence.
        let show = show_with(
            VenueKind::Theatre,
            1200,
            &[(MomentKind::Hush, 10.0), (MomentKind::Murmur, 6.0)],
        );
        let sr = 24_000u32;
        let out = render(&mut Engine::new(&show, 3, sr), 12 * sr as usize, 256);
        let levels = window_db(&out, sr, 0.5);
        let quietest = levels.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(
            quietest > -62.0,
            "quietest half second {quietest:.1} dBFS: {levels:?}"
        );
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
        e.render_block_with_stems(&mut mix, &mut s.each_mut().map(|v| &mut v[..]));
        assert_eq!(plain, mix, "asking for stems leaves the mix byte-identical");
        // Raised by the stems' headroom, they sum to the mix.
        let up = db_to_gain(-STEM_HEADROOM_DB);
        let mut worst = 0.0f32;
        for i in 0..mix.len() {
            let sum: f32 = s.iter().map(|v| v[i]).sum();
            worst = worst.max((sum * up - mix[i]).abs());
        }
        let peak = mix.iter().fold(0.0f32, |p, v| p.max(v.abs()));
        assert!(peak > 0.01 && peak < 0.8, "quiet but not silent: {peak}");
        assert!(worst < 1e-4, "stems differ from the mix by {worst}");
    }

    #[test]
    fn dry_stems_are_the_layers_before_the_room() {
        let show = show_with(VenueKind::Arena, 2000, &[(MomentKind::Applause, 2.0)]);
        let plain = render(&mut Engine::new(&show, 4, 48_000), 48_000, 256);
        let mut e = Engine::with_stem_room(&show, 4, 48_000, StemRoom::Dry);
        let mut mix = vec![0.0; 96_000];
        let mut s: [Vec<f32>; LAYERS] = Default::default();
        for v in &mut s {
            *v = vec![0.0; 96_000];
        }
        e.render_block_with_stems(&mut mix, &mut s.each_mut().map(|v| &mut v[..]));
        assert_eq!(plain, mix, "dry stems leave the mix byte-identical");
        let mut alone = ApplauseLayer::new(&show, derive_seed(4, "layer/applause"), 48_000.0);
        let layer = crate::conductor::render_layer(&mut alone, &show, 48_000, 0.0, 1.0);
        assert!(rms(&layer) > 1e-3, "the applause is sounding");
        let down = db_to_gain(STEM_HEADROOM_DB);
        let expected: Vec<f32> = layer.iter().map(|v| v * down).collect();
        assert_eq!(
            s[1], expected,
            "the dry applause stem is the layer itself, turned down by the stems' headroom"
        );
    }

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }

    #[test]
    fn an_applause_cue_swells_over_the_show_and_then_ends() {
        let show = show_with(VenueKind::Club, 400, &[(MomentKind::Murmur, 12.0)]);
        let sr = 24_000;
        let plain = render(&mut Engine::new(&show, 3, sr), 10 * sr as usize, 256);
        let mut e = Engine::new(&show, 3, sr);
        let before = render(&mut e, sr as usize, 256);
        e.cue(Cue::Applause);
        assert_eq!(e.active_cues(), 1);
        let after = render(&mut e, 9 * sr as usize, 256);
        assert_eq!(
            &plain[..before.len()],
            &before[..],
            "nothing changes before the cue"
        );
        // 1.5–3 s after the cue the swell holds at its peak.
        let span = |x: &[f32], a: f64, b: f64| {
            x[(a * f64::from(sr)) as usize * 2..(b * f64::from(sr)) as usize * 2].to_vec()
        };
        let cued = rms(&span(&after, 1.5, 3.0));
        let sched = rms(&span(&plain, 2.5, 4.0));
        assert!(
            cued > 2.0 * sched,
            "applause cue raises the level: {cued} vs {sched}"
        );
        assert_eq!(e.active_cues(), 0, "the swell is over after 5.8 s");
    }

    #[test]
    fn cheer_and_whistle_cues_raise_their_rates_without_touching_the_rest() {
        let base = Params {
            applause: 0.5,
            cheer_rate: 1.0,
            whistle_rate: 0.5,
            energy: 0.95,
            ..Params::default()
        };
        let mut p = base;
        Cue::Cheers.apply(1.0, &mut p);
        assert_eq!(p.cheer_rate, 9.0);
        assert_eq!(p.whistle_rate, base.whistle_rate);
        assert_eq!(p.applause, base.applause);
        assert!(p.energy <= 1.0);
        let mut p = base;
        Cue::Whistles.apply(0.5, &mut p);
        assert_eq!(p.whistle_rate, 2.5);
        assert_eq!(p.cheer_rate, base.cheer_rate);
        for cue in [Cue::Applause, Cue::Cheers, Cue::Whistles] {
            assert_eq!(cue.envelope(0.0), Some(0.0), "{cue:?} starts from nothing");
            assert_eq!(cue.envelope(cue.shape().0 + 0.01), Some(1.0));
            assert_eq!(cue.envelope(10.0), None);
        }
    }

    #[test]
    fn more_cues_than_slots_replace_the_oldest() {
        let show = show_with(VenueKind::Club, 400, &[(MomentKind::Murmur, 4.0)]);
        let mut e = Engine::new(&show, 3, 24_000);
        for _ in 0..MAX_CUES + 3 {
            e.cue(Cue::Cheers);
            e.skip(64);
        }
        assert_eq!(e.active_cues(), MAX_CUES);
    }

    #[test]
    fn seeking_near_the_start_is_exact_and_far_seeks_land_on_the_frame() {
        let show = show_with(
            VenueKind::Club,
            400,
            &[(MomentKind::Murmur, 4.0), (MomentKind::Applause, 6.0)],
        );
        let sr = 24_000u32;
        let full = render(&mut Engine::new(&show, 5, sr), 9 * sr as usize, 100);
        let mut e = Engine::new(&show, 5, sr);
        e.skip(5_000);
        e.seek(30_001);
        assert_eq!(e.position(), 30_001);
        let near = render(&mut e, 10_000, 100);
        assert_eq!(
            &full[30_001 * 2..40_001 * 2],
            &near[..],
            "within the pre-roll"
        );
        e.seek(6 * u64::from(sr));
        assert_eq!(e.position(), 6 * u64::from(sr));
        let far = render(&mut e, sr as usize, 100);
        let reference = rms(&full[12 * sr as usize..14 * sr as usize]);
        let got = rms(&far);
        assert!(far.iter().all(|v| v.is_finite()));
        assert!(
            got > 0.5 * reference && got < 2.0 * reference,
            "a far seek sounds like the show there: {got} vs {reference}"
        );
    }
}
