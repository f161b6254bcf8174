//! One person in the crowd: who they are (voice, place) and what they are saying now. Each
//! chunk the talker follows the mode the crowd has given it — chatting, shouting, chanting or
//! singing along — and steers its [`Voice`] with one syllable at a time.
//!
//! Speech prosody lives here: syllables of 150–300 ms in phrases with pauses, accents of
//! several semitones, glides inside syllables, declination over a phrase, a fall (or a
//! question's rise) at its end. Shouts are long arcs ("yeah!", "woo!"), chants sit on the beat
//! and the sing-along follows the lead's notes a little late and a little out of tune.
//!
//! Must not touch: levels of the whole layer (the crowd layer sets the mode gains).

use super::chant::{chant_beat_count, chant_beat_secs, chant_beats_at, pattern_beats};
use super::lane::Lane;
use super::voice::{
    AE, AH, EE, EH, Formants, OH, OO, SPEECH_VOWELS, SyllableSound, Voice, VoiceControl,
    lerp_formants,
};
use crate::dsp::Stereo;
use crate::dsp::util::{Rng, midi_to_hz, rng, semis, smooth01, uniform};
use crate::show::{Moment, splitmix64};

/// What a talker is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Silent (listening, or not needed).
    Idle,
    /// Chatting.
    Murmur,
    /// Shouting ("yeah!", "woo!").
    Roar,
    /// Chanting on the beat.
    Chant,
    /// Singing along with the lead.
    Sing,
}

/// A note the crowd can sing along with, on the show clock.
#[derive(Debug, Clone, Copy)]
pub struct SingNote {
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
    /// MIDI pitch of the lead.
    pub midi: f32,
    /// Effort 0..=1.
    pub velocity: f32,
    /// Whether the next note follows without a gap (no release between them).
    pub legato: bool,
    /// The sung syllable's sound.
    pub sound: SyllableSound,
}

/// A chant in progress: its moment and the sounds of its syllables.
#[derive(Clone, Copy)]
pub struct ChantRef<'a> {
    /// The chant moment (for its beat clock).
    pub moment: &'a Moment,
    /// Sounds of the syllables, in order.
    pub sounds: &'a [SyllableSound],
}

/// What the whole crowd asks of its talkers during one chunk.
pub struct Ctx<'a> {
    /// Show time at the start of the chunk.
    pub t0: f64,
    /// Show time at the end of the chunk (where controls apply).
    pub t1: f64,
    /// Crowd excitement 0..=1.
    pub energy: f32,
    /// Target gain of each mode (index by [`Mode`] via [`Ctx::gain`]).
    pub gain_murmur: f32,
    /// Gain of shouting talkers.
    pub gain_roar: f32,
    /// Gain of chanting talkers.
    pub gain_chant: f32,
    /// Gain of singing talkers.
    pub gain_sing: f32,
    /// Share of talkers chanting, singing, shouting (the rest chat).
    pub frac_chant: f32,
    /// Share of talkers singing along.
    pub frac_sing: f32,
    /// Share of talkers shouting.
    pub frac_roar: f32,
    /// Talkers with an index below this chat; the others stay silent in murmur.
    pub n_murmur: usize,
    /// The chant playing, if any.
    pub chant: Option<ChantRef<'a>>,
    /// The lead's notes for the sing-along (empty when nobody sings).
    pub notes: &'a [SingNote],
    /// One-chunk step of the 50 ms mode-gain smoothing (the same for every talker).
    pub gain_step: f32,
    /// One-chunk step of the 40 ms sung-pitch smoothing.
    pub pitch_step: f32,
}

impl Ctx<'_> {
    /// The smoothing steps for a chunk from `t0` to `t1`: [`Ctx::gain_step`], [`Ctx::pitch_step`].
    pub fn smoothing(t0: f64, t1: f64) -> (f32, f32) {
        (
            (1.0 - (-(t1 - t0) / 0.05).exp()) as f32,
            (1.0 - (-(t1 - t0) / 0.04).exp()) as f32,
        )
    }
}

impl Ctx<'_> {
    fn gain(&self, mode: Mode) -> f32 {
        match mode {
            Mode::Idle => 0.0,
            Mode::Murmur => self.gain_murmur,
            Mode::Roar => self.gain_roar,
            Mode::Chant => self.gain_chant,
            Mode::Sing => self.gain_sing,
        }
    }
}

/// A syllable (spoken, shouted or chanted) with its pitch contour and envelope.
#[derive(Debug, Clone, Copy, Default)]
struct Syl {
    start: f64,
    dur: f64,
    att: f64,
    rel: f64,
    f0: f32,
    st: [f32; 3],
    peak_at: f32,
    v0: Formants,
    v1: Formants,
    fric: f32,
    amp: f32,
    bright: f32,
    breath: f32,
    jitter: f32,
    decay: f32,
}

impl Syl {
    /// Controls at show time `t`; `amp` is 0 outside the syllable.
    fn control(&self, t: f64, fscale: f32) -> VoiceControl {
        let local = t - self.start;
        let u = (local / self.dur).clamp(0.0, 1.0) as f32;
        let voiced_at = 0.04 * f64::from(self.fric);
        let env = if local < 0.0 || local > self.dur {
            0.0
        } else {
            smooth01((local - voiced_at) / self.att)
                * smooth01((self.dur - local) / self.rel)
                * (1.0 - self.decay * u)
        };
        let st = if u < self.peak_at {
            let x = smooth01(f64::from(u / self.peak_at));
            self.st[0] + (self.st[1] - self.st[0]) * x
        } else {
            let x = smooth01(f64::from(
                (u - self.peak_at) / (1.0 - self.peak_at).max(1e-3),
            ));
            self.st[1] + (self.st[2] - self.st[1]) * x
        };
        let f = lerp_formants(self.v0, self.v1, smooth01(f64::from(u) * 1.6));
        let fric = if (0.0..0.08).contains(&local) {
            self.fric * (1.0 - (local / 0.08) as f32)
        } else {
            0.0
        };
        VoiceControl {
            f0_hz: self.f0 * semis(st),
            formants_hz: [f[0] * fscale, f[1] * fscale, f[2] * fscale],
            amp: self.amp * env,
            breath: self.breath,
            bright: self.bright,
            fric: self.amp * fric,
            rough_depth: 0.0,
            rough_hz: 60.0,
            jitter: self.jitter,
        }
    }
}

/// One member of the crowd with a voice and a script.
pub struct Talker {
    voice: Voice,
    rng: Rng,
    index: usize,
    /// Speaking pitch in Hz (male ~120, female ~210).
    speak_f0: f32,
    female: bool,
    fscale: f32,
    dist_gain: f32,
    dist_bright: f32,
    personality: f32,
    mode: Mode,
    gain: f32,
    syl: Syl,
    busy_until: f64,
    phrase_left: u32,
    phrase_len: u32,
    chant_offset: f64,
    sing_lag: f64,
    sing_cents: f32,
    sing_st: f32,
    sing_on: bool,
    note_cursor: usize,
}

impl Talker {
    /// Talker `index` of `count`, with its voice, sex, place and temperament drawn from `seed`;
    /// its voice's body runs at `sample_rate / factor` (see [`Voice::new_split`]).
    pub fn new(index: usize, count: usize, seed: u64, sample_rate: f64, factor: usize) -> Self {
        let mut r = rng(seed);
        let female = index % 2 == 1;
        let speak_f0 = if female {
            175.0 + 65.0 * uniform(&mut r)
        } else {
            95.0 + 45.0 * uniform(&mut r)
        };
        let fscale = (if female { 1.17 } else { 1.0 }) * (0.95 + 0.1 * uniform(&mut r));
        // The first few stand close (distinct voices even in an arena), the rest further away.
        let dist_m = if index < 6 {
            1.2 + 2.0 * uniform(&mut r)
        } else {
            3.0 + 6.0 * uniform(&mut r)
        };
        let pan = (uniform(&mut r) * 2.0 - 1.0) * 0.9;
        let mut voice = Voice::new_split(splitmix64(seed ^ 0x0076_6f69_6365), sample_rate, factor);
        voice.set_pan(pan);
        let slot = (index * 7) % count;
        Talker {
            voice,
            rng: rng(splitmix64(seed ^ 0x7a1c)),
            index,
            speak_f0,
            female,
            fscale,
            dist_gain: (1.5 / dist_m).min(1.0),
            dist_bright: -0.2 * ((dist_m - 1.2) / 8.0),
            personality: (slot as f32 + uniform(&mut r)) / count as f32,
            mode: Mode::Idle,
            gain: 0.0,
            syl: Syl::default(),
            busy_until: 0.0,
            phrase_left: 0,
            phrase_len: 1,
            chant_offset: 0.025 * f64::from(uniform(&mut r) * 2.0 - 1.0),
            sing_lag: 0.1 + 0.15 * f64::from(uniform(&mut r)),
            sing_cents: 45.0 * (uniform(&mut r) * 2.0 - 1.0),
            sing_st: 60.0,
            sing_on: false,
            note_cursor: 0,
        }
    }

    /// Take a fresh random stream (at a moment boundary), so each moment's randomness depends
    /// only on the show seed and that moment's id.
    pub fn reseed(&mut self, seed: u64) {
        self.rng = rng(splitmix64(seed ^ self.index as u64));
    }

    fn u(&mut self) -> f32 {
        uniform(&mut self.rng)
    }

    fn range(&mut self, a: f32, b: f32) -> f32 {
        a + (b - a) * self.u()
    }

    fn desired(&self, ctx: &Ctx) -> Mode {
        let u = self.personality;
        let c = if ctx.chant.is_some() {
            ctx.frac_chant
        } else {
            0.0
        };
        let s = c + if ctx.notes.is_empty() {
            0.0
        } else {
            ctx.frac_sing
        };
        let r = s + ctx.frac_roar;
        if u < c {
            Mode::Chant
        } else if u < s {
            Mode::Sing
        } else if u < r {
            Mode::Roar
        } else if self.index < ctx.n_murmur {
            Mode::Murmur
        } else {
            Mode::Idle
        }
    }

    /// Render one chunk of this talker: its voice into `lane`, its fricatives into `out`.
    pub fn render(&mut self, ctx: &Ctx, lane: &mut Lane, out: &mut Stereo) {
        let want = self.desired(ctx);
        let sounding = ctx.t0 < self.syl.start + self.syl.dur && ctx.t0 >= self.syl.start - 0.05;
        let free = ctx.t0 >= self.busy_until || (want != self.mode && !sounding && !self.sing_on);
        if free {
            if want != self.mode {
                self.enter(want, ctx.t0);
            }
            self.plan(ctx);
        }
        // Smooth the mode's gain (50 ms) so level changes never jump.
        let target = ctx.gain(self.mode);
        self.gain += (target - self.gain) * ctx.gain_step;
        let mut c = if self.mode == Mode::Sing {
            self.sing_control(ctx)
        } else {
            self.syl.control(ctx.t1, self.fscale)
        };
        c.amp *= self.gain * self.dist_gain;
        c.fric *= self.gain * self.dist_gain;
        c.bright = (c.bright + self.dist_bright).clamp(0.0, 1.0);
        if c.amp < 1e-7 {
            c.amp = 0.0;
            c.fric = 0.0;
        }
        self.voice.render_split(&c, lane, out);
    }

    fn enter(&mut self, mode: Mode, t: f64) {
        self.mode = mode;
        self.phrase_left = 0;
        self.sing_on = false;
        // Join the new activity after a short, personal delay so the crowd does not switch
        // in unison (chant and sing wait for their own beat or note).
        if matches!(mode, Mode::Murmur | Mode::Roar) {
            let wait = f64::from(self.range(0.0, if mode == Mode::Murmur { 1.2 } else { 0.35 }));
            self.syl = Syl {
                start: t,
                dur: 0.0,
                ..Syl::default()
            };
            self.busy_until = t + wait;
        } else {
            self.busy_until = t;
        }
    }

    fn plan(&mut self, ctx: &Ctx) {
        if ctx.t0 < self.busy_until {
            return;
        }
        match self.mode {
            Mode::Idle | Mode::Sing => self.busy_until = ctx.t0,
            Mode::Murmur => self.plan_murmur(ctx.t0),
            Mode::Roar => self.plan_roar(ctx.t0, ctx.energy),
            Mode::Chant => self.plan_chant(ctx),
        }
    }

    fn plan_murmur(&mut self, t: f64) {
        if self.phrase_left == 0 {
            self.phrase_len = 3 + (self.u() * 7.0) as u32;
            self.phrase_left = self.phrase_len;
            // Between phrases: a breath, or the other person's turn.
            let pause = if self.u() < 0.25 {
                self.range(0.7, 1.8)
            } else {
                self.range(0.15, 0.45)
            };
            self.busy_until = t + f64::from(pause);
            return;
        }
        let pos = (self.phrase_len - self.phrase_left) as f32;
        self.phrase_left -= 1;
        let last = self.phrase_left == 0;
        let dur = f64::from(self.range(0.15, 0.24));
        let gap = f64::from(if self.u() < 0.2 {
            self.range(0.07, 0.12)
        } else {
            self.range(0.02, 0.06)
        });
        let decl = -self.range(2.0, 4.0) * pos / self.phrase_len as f32;
        let accented = self.u() < 0.3;
        let accent = if accented {
            self.range(2.0, 5.0)
        } else {
            self.range(-1.5, 1.5)
        };
        let st0 = decl + accent;
        let end = if last {
            if self.u() < 0.15 {
                st0 + self.range(3.0, 5.0)
            } else {
                st0 - self.range(2.0, 4.0)
            }
        } else {
            st0 + self.range(-2.0, 2.0)
        };
        let v0 =
            SPEECH_VOWELS[(self.u() * SPEECH_VOWELS.len() as f32) as usize % SPEECH_VOWELS.len()];
        let v1n =
            SPEECH_VOWELS[(self.u() * SPEECH_VOWELS.len() as f32) as usize % SPEECH_VOWELS.len()];
        let fric = if self.u() < 0.4 {
            self.range(0.2, 0.8)
        } else {
            0.0
        };
        self.syl = Syl {
            start: t,
            dur,
            att: f64::from(self.range(0.015, 0.035)),
            rel: f64::from(self.range(0.05, 0.08)),
            f0: self.speak_f0,
            st: [st0, st0 + self.range(0.0, 1.5), end],
            peak_at: self.range(0.25, 0.5),
            v0,
            v1: lerp_formants(v0, v1n, 0.5),
            fric,
            amp: if accented { 1.0 } else { self.range(0.55, 0.9) },
            bright: self.range(0.3, 0.5),
            breath: 0.12,
            jitter: self.range(0.02, 0.035),
            decay: 0.5,
        };
        self.busy_until = t + dur + gap;
    }

    fn plan_roar(&mut self, t: f64, energy: f32) {
        let dur = f64::from(self.range(0.4, 1.0));
        let gap = f64::from(if self.u() < 0.8 {
            self.range(0.1, 0.35)
        } else {
            self.range(0.4, 1.0)
        });
        // Lombard: shouting raises pitch with excitement, about an octave over speech.
        let f0 = self.speak_f0 * 2.0 * semis(3.0 * energy - 1.5 + self.range(-2.0, 2.0));
        let (v0, v1, st, peak_at, fric) = match (self.u() * 6.0) as u32 {
            0 => (
                EE,
                AE,
                [0.0, self.range(4.0, 7.0), -self.range(3.0, 7.0)],
                0.25,
                0.0,
            ), // yeah!
            1 => (
                OO,
                OO,
                [-4.0, self.range(5.0, 9.0), self.range(0.0, 3.0)],
                0.55,
                0.0,
            ), // woo!
            2 => (
                EH,
                EE,
                [2.0, self.range(3.0, 5.0), -self.range(1.0, 3.0)],
                0.2,
                0.6,
            ), // hey!
            3 => (
                OO,
                OH,
                [0.0, self.range(2.0, 4.0), -self.range(3.0, 5.0)],
                0.4,
                0.0,
            ), // whoa!
            4 => (
                AH,
                AH,
                [0.0, self.range(3.0, 6.0), -self.range(2.0, 4.0)],
                0.5,
                0.0,
            ), // aah!
            _ => (
                OH,
                OO,
                [1.0, self.range(2.0, 5.0), -self.range(2.0, 6.0)],
                0.3,
                0.25,
            ), // go!
        };
        self.syl = Syl {
            start: t,
            dur,
            att: f64::from(self.range(0.04, 0.08)),
            rel: f64::from(self.range(0.1, 0.2)),
            f0,
            st,
            peak_at,
            v0: lerp_formants(v0, AH, 0.2),
            v1: lerp_formants(v1, AH, 0.2),
            fric,
            amp: self.range(0.7, 1.0),
            bright: 0.55 + 0.45 * energy,
            breath: 0.25,
            jitter: 0.03,
            decay: 0.1,
        };
        self.busy_until = t + dur + gap;
    }

    fn plan_chant(&mut self, ctx: &Ctx) {
        let Some(ch) = ctx.chant else {
            self.busy_until = ctx.t0;
            return;
        };
        let m = ch.moment;
        let offset = self.chant_offset + 0.008 * f64::from(self.u() * 2.0 - 1.0);
        let b = chant_beats_at(m, ctx.t0 - offset);
        let next = if b <= 0.0 { 0 } else { b.ceil() as usize };
        if next >= chant_beat_count(m) {
            self.busy_until = m.end_secs;
            return;
        }
        let pattern = pattern_beats(ch.sounds.len());
        let pos = next % pattern;
        let start = chant_beat_secs(m, next) + offset;
        let beat = chant_beat_secs(m, next + 1) - chant_beat_secs(m, next);
        if pos >= ch.sounds.len() {
            self.busy_until = start + 0.5 * beat;
            return;
        }
        let snd = ch.sounds[pos];
        let last = pos + 1 == ch.sounds.len();
        let st = if pos == 0 {
            [1.0, 2.5, 0.0]
        } else if last {
            [0.0, 0.5, -3.0]
        } else {
            [0.0, 0.5, -0.5]
        };
        let e = ctx.energy;
        self.syl = Syl {
            start,
            dur: 0.62 * beat,
            att: 0.02,
            rel: 0.08,
            f0: self.speak_f0 * 1.8 * semis(2.0 * e),
            st,
            peak_at: 0.3,
            v0: lerp_formants(snd.start, AH, 0.15),
            v1: lerp_formants(snd.end, AH, 0.15),
            fric: snd.fric,
            amp: if pos.is_multiple_of(2) { 1.0 } else { 0.8 },
            bright: 0.6 + 0.3 * e,
            breath: 0.22,
            jitter: 0.03,
            decay: 0.15,
        };
        self.busy_until = start + 0.62 * beat;
    }

    fn sing_control(&mut self, ctx: &Ctx) -> VoiceControl {
        let tl = ctx.t1 - self.sing_lag;
        let notes = ctx.notes;
        // Notes are sorted by start and time runs forward: walk on from the last note found
        // (a binary search only on a jump), with the same result as a search from scratch.
        let mut i = self.note_cursor.min(notes.len());
        if i > 0 && notes[i - 1].start > tl {
            i = 0;
        }
        if notes.get(i).is_some_and(|n| n.start <= tl) {
            i += 1;
            if notes.get(i).is_some_and(|n| n.start <= tl) {
                i += notes[i..].partition_point(|n| n.start <= tl);
            }
        }
        self.note_cursor = i;
        let note = if i == 0 {
            None
        } else {
            Some(&notes[i - 1]).filter(|n| tl < n.end)
        };
        let Some(n) = note else {
            self.sing_on = false;
            return VoiceControl {
                f0_hz: midi_to_hz(f64::from(self.sing_st)) as f32,
                ..VoiceControl::default()
            };
        };
        // Fold the lead's line into this singer's comfortable range.
        let (lo, hi) = if self.female {
            (55.0, 76.0)
        } else {
            (43.0, 64.0)
        };
        let mut midi = n.midi;
        while midi > hi {
            midi -= 12.0;
        }
        while midi < lo {
            midi += 12.0;
        }
        let wobble = (splitmix64((i as u64) << 8 ^ self.index as u64) >> 40) as f32 / 16_777_216.0;
        let target = midi + (self.sing_cents + 20.0 * (wobble * 2.0 - 1.0)) / 100.0;
        if self.sing_on {
            self.sing_st += (target - self.sing_st) * ctx.pitch_step;
        } else {
            self.sing_st = target - 0.5;
            self.sing_on = true;
        }
        let local = tl - n.start;
        let dur = n.end - n.start;
        let release = if n.legato {
            1.0
        } else {
            smooth01((n.end - tl) / 0.08)
        };
        let env = smooth01(local / 0.06) * release;
        let f = lerp_formants(
            n.sound.start,
            n.sound.end,
            smooth01(local / (0.6 * dur).max(0.05)),
        );
        VoiceControl {
            f0_hz: midi_to_hz(f64::from(self.sing_st)) as f32,
            formants_hz: [f[0] * self.fscale, f[1] * self.fscale, f[2] * self.fscale],
            amp: env * (0.5 + 0.5 * n.velocity),
            breath: 0.15,
            bright: 0.35 + 0.3 * n.velocity,
            fric: if local < 0.06 {
                n.sound.fric * 0.5
            } else {
                0.0
            },
            rough_depth: 0.0,
            rough_hz: 60.0,
            jitter: 0.015,
        }
    }
}
