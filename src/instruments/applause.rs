//! Applause: a near field of individually synthesised clappers over a far field of shot-noise
//! grains, so the cost is flat in audience size and size shows in density and width, not level.
//!
//! Why two tiers: fewer than ~100 individual clappers sound like hooves or traffic, and a dense
//! noise bed as loud as the foreground sounds like rain. So the nearest [`NEAR_CLAPPERS`] people
//! are simulated one by one (renewal processes, each clap a noise burst through a resonator of
//! the clapper's own hands), and everyone else is a PhISEM-style cloud of grains whose *energies*
//! add (not their amplitudes, which would sum in phase) through a shared resonator bank, kept
//! 3–9 dB under the near field. Both tiers leave through one shared filter, the tone every clap
//! has in common ([`ClapTone`]: the palms' low thump, a top that falls away, little under
//! 150 Hz).
//!
//! Also here: clapping in time (clap-along, claps under chants, synchronised applause), driven
//! by [`ClapSection`]s given in its [`ApplauseConfig`]. It knows no show, TOML, files or
//! devices, and it allocates only in [`Applause::new`]; [`crate::conductor`] plays it from a
//! show, and [`applause`] makes it a fundsp node for any graph.

use fundsp::prelude32::{An, U1};

use super::clap_tone::ClapTone;
use super::node::{Instrument, InstrumentNode};
use crate::kit::Listener;
use crate::kit::derive_seed;
use crate::kit::{BeatGrid, ClapSection};
use crate::kit::{CHUNK, ChunkInfo, Stereo};
use crate::kit::{Resonator, Rng, db_to_gain, nonzero_u32, pan_gains, rng, uniform};
use crate::kit::{gauss3_f64, one_pole_coef, smooth01, xorshift_bipolar32};

/// Clappers simulated individually (the nearest people).
pub const NEAR_CLAPPERS: usize = 160;
/// Fewest individual clap sources, however small the audience. Sixty clappers alone read as
/// hooves or running feet; with 120 at the normal 2.5–5 claps/s over a quiet grain bed
/// (`SMALL_BED_DB`) a pub of 60 reads as applause. The number of sources matters, not the
/// claps per second: 120 sources at half rate do worse.
pub const MIN_CLAP_SOURCES: usize = 120;
/// Level of the grain bed under a small audience, relative to the near field's power: the
/// "everyone else" of a room too small for a far field (before [`BED_LIFT_DB`]).
const SMALL_BED_DB: f32 = -6.0;
/// Far-field gain that puts a full-rate grain bed at the level of a small room's near field
/// (measured: both at about −24.5 dBFS RMS at full applause on the floor).
const SMALL_BED_GAIN: f32 = 0.04;
/// Far-field grain channels: 8 resonators × 2 decays (fewer resonators sound like running water).
const FAR_CHANNELS: usize = 16;
/// Centres of the far field's shared resonators, in Hz (the spread of real hands' resonances):
/// the first is the cupped hands' dull clap, the others the flat hands' crisp ones.
const FAR_CENTRES_HZ: [f32; 8] = [520.0, 820.0, 1050.0, 1300.0, 1550.0, 1850.0, 2200.0, 2600.0];
/// Share of the far field's clap energy in its cupped-hands resonator: as much as there
/// are cupped clappers ([`CUPPED_SHARE`]), the rest shared evenly by the flat hands' seven. With
/// an even eighth (as if 12.5 % cupped) that Q-9 band stood alone below the flat claps' 0.8 kHz
/// and drew a steady line at 520 Hz through every small room's applause (spectrogram of the
/// club's applause stem); at 5 % the line is gone, the stem's 300–600 Hz share is the real
/// recording's (−13.7 dB of the whole against −13.2; −12.0 before), and applause moments read
/// more as applause at every size: the club's and the pub's (six moments × three seeds) stem
/// 0.698 → 0.792, mix 0.651 → 0.700; the arena's, the festival's and the benefit's (eight × two)
/// stem 0.765 → 0.834, mix 0.681 → 0.735.
const FAR_CUPPED_SHARE: f32 = CUPPED_SHARE;
/// Amplitude decays of the far-field grains, in seconds (a flat and a ringing clap).
const FAR_DECAYS_SECS: [f32; 2] = [0.004, 0.011];
/// Q of the far field's resonators. At Q 3 the bank is a smooth band of noise that a listener
/// (and YAMNet) hears as water or pink noise even 6 dB under the claps; at 6–12 each grain keeps
/// a clap's pitch and the bed stays granular.
const FAR_Q: f32 = 9.0;
/// Claps per second per far-away person.
const FAR_RATE_PER_PERSON: f64 = 4.0;
/// Fewest far-field grains per second at full applause. A few hundred grains a second through
/// narrow (Q 9) resonators ring one by one like drops of water; the grains stand for claps too
/// far away to be told apart, so they are always dense (their total power does not depend on
/// the rate).
const FAR_RATE_MIN: f64 = 8_000.0;
/// Fewest far-field grains per second while any of the far crowd claps, as its applause
/// starts and dies away. Below it each grain carries less energy (the power still follows the
/// share clapping). The grains stand for claps too far away to be told apart: an arena's tail at
/// 5 % is still 3,000 claps a second, and a few hundred grains through the narrow resonators
/// ring one by one like drops. Thinned with the share (600 grains/s at 5 %), the applause
/// stem's last seconds read Water / Pour / Trickle 0.108 (six moments × three seeds, club,
/// pub, arena, open air); held at 2,000 they read 0.047, with the applause group unchanged
/// (tails 0.465 → 0.467, whole moments 0.703 → 0.704 on the stem). The near clappers carry the
/// thinning out that a listener hears.
const FAR_GRAIN_FLOOR: f64 = 2_000.0;
/// Applause intensity under which the far field fades faster than the near clappers thin
/// (see [`far_tail`]), and the one at which it is gone.
const FAR_TAIL_FROM: f32 = 0.25;
const FAR_TAIL_GONE: f32 = 0.02;

/// Share of the far field's free clapping left at applause `intensity`: 1 down to
/// [`FAR_TAIL_FROM`], falling smoothly to nothing at [`FAR_TAIL_GONE`], where the last near
/// clapper stops. A far field that simply followed the intensity outlived the near clappers:
/// the last seconds of a festival's applause stem were an even hiss 15–30 dB down with one
/// clap a second, heard as *White noise* 0.27–0.61. A dying applause is heard by its last
/// clappers nearby, not by a fading wash.
fn far_tail(intensity: f32) -> f32 {
    smooth01(f64::from(
        (intensity - FAR_TAIL_GONE) / (FAR_TAIL_FROM - FAR_TAIL_GONE),
    ))
}

/// Cap on far-field grains per second; each grain's energy is scaled to keep the power. Close to
/// `FAR_RATE_MIN`, so the far field costs about the same at every size (20,000 sounded no
/// different).
pub const FAR_RATE_CAP: f64 = 12_000.0;
/// Output gain of one clap at 1 m (sets the layer's level: about −22 dBFS RMS at full applause,
/// like the real reference recording at −21.5; 2–8 ms claps need more gain than long ones).
const NEAR_GAIN: f32 = 0.61;
/// How much of the room's clapping the far field (or a small room's bed) carries, in dB over
/// its first calibration (which sat 3–7 dB under the near field). Measured on the mix of a club
/// of 350 after a song: real applause keeps Applause 0.88–0.90 under our own crowd and cheers
/// stems mixed in at the ratio they have in the show (9–13 dB under the claps in 1–6 kHz), and
/// even under a real cheering crowd at 0 dB; our applause at that calibration fell from
/// 0.53–0.66 to 0.30–0.52 under the same real cheering. What it lacked was density: a few
/// nearest claps stood out of a thin bed (1–6 kHz crest factor 9.9–13 and 8–32 Hz envelope
/// modulation −8.6 dB, against the real recording's 8.3 and −12 dB). With the bed 3 dB up (and
/// pulsing on the loose beat, `FAR_LOOSE_SHARE`, so it never settles into a steady hiss) the
/// mix reads as applause with the crowd's voices on top. The full lift is for rooms of up to
/// `BED_LIFT_FULL_UP_TO` people, where "everyone else" stands within a few metres of the
/// nearest clappers; it shrinks to nothing at `BED_LIFT_NONE_FROM`, whose far field is tens
/// of metres away and already read as applause (0.80–0.88 on the mix; lifted, its 0.5–4 kHz
/// envelope kurtosis fell under a real recording's).
pub const BED_LIFT_DB: f32 = 3.0;
/// Audience up to which the bed gets all of [`BED_LIFT_DB`].
const BED_LIFT_FULL_UP_TO: f32 = 1_000.0;
/// Audience from which the far field gets none of it (log-linear between).
const BED_LIFT_NONE_FROM: f32 = 100_000.0;

/// How much of the small-room treatment (the bed's lift and its loose beat) an audience of `n`
/// gets: 1 up to `BED_LIFT_FULL_UP_TO`, 0 from `BED_LIFT_NONE_FROM`, log-linear between.
pub fn small_room_share(n: u32) -> f32 {
    let (lo, hi) = (BED_LIFT_FULL_UP_TO.log10(), BED_LIFT_NONE_FROM.log10());
    ((hi - (n.max(1) as f32).log10()) / (hi - lo)).clamp(0.0, 1.0)
}
/// Far-field gain relative to its calibrated power at 1,000 people (before [`BED_LIFT_DB`]).
const FAR_GAIN: f32 = 0.026;
/// Far-field level growth per decade of audience, in dB: inside a crowd the summed power of
/// everyone grows only with the log of the crowd's radius, so size shows in width, not level.
/// At 1.5 dB per decade the far field of 100,000 came within 2 dB of the near field (water).
const FAR_DB_PER_DECADE: f32 = 0.75;
/// Nearest clapper's distance in metres, for every listener. Balcony and stage-side listeners
/// sit among people too (the balcony's own rows, the front rows by the stage); pushing every
/// clapper 6–20 m away leaves a wash of equal claps that reads as rain. Distance from the main
/// crowd is carried by the far field and the room instead. Closer than this, one neighbour's
/// hands drown the rest (envelope kurtosis far above a real recording's). Further away (1 m),
/// the mix's 0.5–4 kHz envelope kurtosis fell to 5–6 against the real recording's 11.
const NEAREST_CLAPPER_M: f32 = 0.6;
/// Share of clappers who clap with cupped hands: a dull, low clap (a 420–600 Hz resonance, little
/// crisp burst) where flat palms give a crisp one at 0.8–2.4 kHz. Cupped claps are the exception
/// in a crowd: with 15 % of the nearest clappers cupped, a club's applause carried 2.6–3.6 dB
/// more in 300–600 Hz than the real recording (share of the applause stem's energy, −9.6…−10.6
/// dB against −13.2; −12.9 at 5 %), and its nearest cupped hands stood out as low thumps heard as fireworks and
/// explosions. At 5 % the club's and the pub's applause moments read more as applause (the
/// applause group over six moments × three seeds: stem 0.673 → 0.698, mix 0.610 → 0.654) and
/// the 0.5–4 kHz spikiness of the claps is unchanged.
const CUPPED_SHARE: f32 = 0.05;
/// Radius of the near field around its nearest clapper, in metres (people evenly spread, so
/// distance = min + span·√u).
const NEAR_SPAN_M: f32 = 5.0;
/// Clap burst decay: shortest and span (decay = min + span·u^1.5), in seconds. Real claps ring
/// 2–8 ms; longer bursts smear into a noise bed.
const CLAP_DECAY_SECS: (f32, f32) = (0.002, 0.006);
/// Strength of a free clap: base and growth with the applause's intensity. Harder claps in a big
/// ovation, but the last clappers of a tail still clap firmly: applause dies by thinning out
/// (fewer clappers), not by every clap growing faint, which fades into a soft noise.
const FREE_CLAP_STRENGTH: (f32, f32) = (0.8, 0.2);
/// Timing spread of the far crowd's claps around a rhythmic section's beat, relative to the
/// near clappers' scatter (people far away drift more, and their claps arrive over a range of
/// distances).
const FAR_BEAT_SPREAD: f64 = 2.0;
/// People per square metre of a standing audience, to size the far field around the listener.
const CROWD_PER_M2: f64 = 2.0;
/// Speed of sound, m/s.
const SOUND_MPS: f64 = 343.0;
/// Share of clappers (lowest sync rank) that fall loosely onto a common beat in free applause.
/// Real applause carries a strong 1–3 Hz envelope modulation from such partial entrainment;
/// fully independent clappers sum to a smooth hiss.
const LOOSE_SYNC_SHARE: f32 = 0.5;
/// Tempo of that loose common beat (about 1.7× the free clapping period, as crowds entrain).
pub(crate) const LOOSE_SYNC_BPM: f64 = 126.0;
/// Timing scatter of the loose beat, in seconds: wide enough that no pulse is heard as such.
const LOOSE_SYNC_SCATTER_SECS: f64 = 0.06;
/// Share of the far crowd (or a small room's bed) on that loose beat in free applause, like the
/// near clappers: the far field's grains gather around the beat (spread [`FAR_BEAT_SPREAD`]
/// times wider), so the bed breathes with the room instead of holding a steady, water-like
/// hiss. Its mean power is unchanged. Scaled by [`small_room_share`]: the far field of 100,000
/// already read as applause, and pulsing it lowered its envelope kurtosis under a real
/// recording's.
const FAR_LOOSE_SHARE: f32 = LOOSE_SYNC_SHARE;

/// Clappers per ring of the near field (sorted by distance) whose join thresholds and sync ranks
/// are stratified together.
const RING: usize = 8;

/// Where one near clapper sits in the crowd's layout, as uniform variates in [0, 1).
#[derive(Clone, Copy)]
struct Slot {
    /// Distance variate (0 = the nearest place).
    dist_u: f32,
    /// Eagerness: joins the applause when its intensity exceeds this.
    threshold_u: f32,
    /// Rank for rhythmic clapping (the lowest join first).
    rank_u: f32,
}

/// The near field's layout: distances stratified from the nearest place outwards, and in every
/// ring of [`RING`] neighbours the thresholds and sync ranks spread evenly (a random permutation
/// of strata). Drawn independently, the two nearest people of one seed might both sit out a
/// moderate applause and leave only equal, far claps (heard as rain); stratified, every seed
/// has its eager and its reluctant neighbours, and the last clappers of a tail still include
/// someone close.
fn layout(seed: u64, n: usize) -> Vec<Slot> {
    let mut r = rng(seed);
    let perm = |r: &mut Rng, len: usize| {
        let mut p: [usize; RING] = std::array::from_fn(|i| i);
        for i in (1..len).rev() {
            let j = (uniform(r) * (i + 1) as f32) as usize % (i + 1);
            p.swap(i, j);
        }
        p
    };
    let mut slots = Vec::with_capacity(n);
    for ring in (0..n).step_by(RING) {
        let len = RING.min(n - ring);
        let (pt, pr) = (perm(&mut r, len), perm(&mut r, len));
        for k in 0..len {
            let strat = |p: usize, r: &mut Rng| (p as f32 + uniform(r)) / len as f32;
            slots.push(Slot {
                dist_u: ((ring + k) as f32 + uniform(&mut r)) / n as f32,
                threshold_u: strat(pt[k], &mut r),
                rank_u: strat(pr[k], &mut r),
            });
        }
    }
    slots
}

/// One person in the near field.
#[derive(Clone)]
struct Clapper {
    /// Joins the applause when its intensity exceeds this (the eager ones clap first).
    threshold: f32,
    /// Joins rhythmic clapping when a section's share exceeds this.
    sync_rank: f32,
    /// Free clapping period in seconds (2.5–5 claps/s).
    period_secs: f64,
    /// Personal lead or lag on the beat, in units of the section's scatter.
    offset: f64,
    gain_l: f32,
    gain_r: f32,
    /// The hands: a resonator of this clapper's own.
    res: Resonator,
    /// Brings the resonator's output power back to its input's (narrow bands pass little noise).
    res_gain: f32,
    /// Share of the unfiltered burst (flat claps are crisp, cupped claps dull).
    direct: f32,
    /// Per-sample multiplier of the burst envelope (see [`CLAP_DECAY_SECS`]).
    decay: f32,
    env: f32,
    noise: u32,
    /// Absolute frame of the next clap.
    next_frame: u64,
    clapping: bool,
    ringing: bool,
    rng: Rng,
}

impl Clapper {
    fn new(seed: u64, slot: Slot, listener: Listener, sr: f32) -> Self {
        let mut r = rng(seed);
        let u = |r: &mut Rng| uniform(r);
        // Distance: people are spread evenly over the floor around the listener.
        let spread = match listener {
            Listener::Floor => 1.0,
            Listener::Balcony => 0.6,
            Listener::StageSide => 0.8,
        };
        let dist = NEAREST_CLAPPER_M + NEAR_SPAN_M * slot.dist_u.sqrt();
        let angle = (u(&mut r) * 2.0 - 1.0) * std::f32::consts::PI;
        let side_bias = if listener == Listener::StageSide {
            -0.3
        } else {
            0.0
        };
        let (gl, gr) = pan_gains(angle.sin() * spread + side_bias);
        let cupped = u(&mut r) < CUPPED_SHARE;
        let (hz, q, direct) = if cupped {
            (420.0 + 180.0 * u(&mut r), 2.0 + u(&mut r), 0.04)
        } else {
            // Log-uniform 0.8–2.4 kHz.
            (800.0 * 3f32.powf(u(&mut r)), 2.0 + 3.0 * u(&mut r), 0.15)
        };
        let decay_secs = CLAP_DECAY_SECS.0 + CLAP_DECAY_SECS.1 * u(&mut r).powf(1.5);
        let gain = NEAR_GAIN / dist;
        Clapper {
            threshold: slot.threshold_u * 0.97 + 0.02,
            sync_rank: slot.rank_u,
            period_secs: 1.0 / f64::from(2.5 + 2.5 * u(&mut r)),
            offset: gauss3_f64(&mut r),
            gain_l: gl * gain,
            gain_r: gr * gain,
            res: Resonator::new(hz, q, sr),
            res_gain: Resonator::noise_gain(hz, q, sr),
            direct,
            decay: (-1.0 / (decay_secs * sr)).exp(),
            env: 0.0,
            noise: nonzero_u32(&mut r),
            next_frame: u64::MAX,
            clapping: false,
            ringing: false,
            rng: r,
        }
    }
}

/// The rest of the audience: shot-noise grains through a shared resonator bank.
#[derive(Clone)]
struct FarField {
    /// Grain energy held by each channel (its noise amplitude is the square root).
    energy: [f32; FAR_CHANNELS],
    /// Per-sample multiplier of the energy.
    energy_decay: [f32; FAR_CHANNELS],
    /// Energy one grain adds to a channel at full applause (before randomisation).
    grain_energy: [f32; FAR_CHANNELS],
    noise: [u32; FAR_CHANNELS],
    b0: [f32; FAR_CHANNELS],
    a1: [f32; FAR_CHANNELS],
    a2: [f32; FAR_CHANNELS],
    x1: [f32; FAR_CHANNELS],
    x2: [f32; FAR_CHANNELS],
    y1: [f32; FAR_CHANNELS],
    y2: [f32; FAR_CHANNELS],
    gain_l: [f32; FAR_CHANNELS],
    gain_r: [f32; FAR_CHANNELS],
    /// Grains per second at full applause.
    rate_full: f64,
    /// Exponential-clock state: accumulated event mass and the threshold of the next grain.
    clock: f64,
    next_event: f64,
    rng: Rng,
    silent: bool,
}

/// Weight of the far field's resonator `k` (see [`FAR_CUPPED_SHARE`]); the weights average 1.
fn far_centre_weight(k: usize) -> f32 {
    let n = FAR_CENTRES_HZ.len() as f32;
    if k == 0 {
        FAR_CUPPED_SHARE * n
    } else {
        (1.0 - FAR_CUPPED_SHARE) * n / (n - 1.0)
    }
}

impl FarField {
    fn new(seed: u64, far_people: u32, width: f32, gain: f32, sr: f32) -> Self {
        let mut r = rng(seed);
        let rate_full =
            (f64::from(far_people) * FAR_RATE_PER_PERSON).clamp(FAR_RATE_MIN, FAR_RATE_CAP);
        let mut f = FarField {
            energy: [0.0; FAR_CHANNELS],
            energy_decay: [0.0; FAR_CHANNELS],
            grain_energy: [0.0; FAR_CHANNELS],
            noise: [1; FAR_CHANNELS],
            b0: [0.0; FAR_CHANNELS],
            a1: [0.0; FAR_CHANNELS],
            a2: [0.0; FAR_CHANNELS],
            x1: [0.0; FAR_CHANNELS],
            x2: [0.0; FAR_CHANNELS],
            y1: [0.0; FAR_CHANNELS],
            y2: [0.0; FAR_CHANNELS],
            gain_l: [0.0; FAR_CHANNELS],
            gain_r: [0.0; FAR_CHANNELS],
            rate_full,
            clock: 0.0,
            next_event: 0.0,
            rng: r.clone(),
            silent: true,
        };
        for c in 0..FAR_CHANNELS {
            let hz = FAR_CENTRES_HZ[c % FAR_CENTRES_HZ.len()];
            let tau = FAR_DECAYS_SECS[c / FAR_CENTRES_HZ.len()];
            let res = Resonator::new(hz, FAR_Q, sr);
            let (b0, a1, a2) = res.coefficients();
            f.b0[c] = b0 * Resonator::noise_gain(hz, FAR_Q, sr);
            f.a1[c] = a1;
            f.a2[c] = a2;
            // Amplitude decays with `tau`, so energy with `tau / 2`.
            f.energy_decay[c] = (-2.0 / (tau * sr)).exp();
            // Mean energy per channel = (rate/16) · e · tau/2 = intensity × its centre's weight
            // (weights average 1, so the field's power is unchanged).
            let weight = f64::from(far_centre_weight(c % FAR_CENTRES_HZ.len()));
            f.grain_energy[c] = if rate_full > 0.0 {
                (weight * FAR_CHANNELS as f64 / (rate_full * f64::from(tau) * 0.5)) as f32
            } else {
                0.0
            };
            f.noise[c] = nonzero_u32(&mut r);
            // Spread the channels across the stereo field; bigger crowds surround the listener.
            let pan = if c % 2 == 0 { 1.0 } else { -1.0 } * width * (0.3 + 0.7 * uniform(&mut r));
            let (gl, gr) = pan_gains(pan);
            f.gain_l[c] = gl * gain;
            f.gain_r[c] = gr * gain;
        }
        f.next_event = -f64::from(uniform(&mut f.rng)).max(1e-12).ln();
        f
    }

    /// Render one chunk with the share of the far crowd clapping at each sample (`intensity`;
    /// above 1 where a rhythmic section packs its claps onto the beat) and the energy of their
    /// claps relative to free applause (`clap_energy`: people clapping in time clap softer).
    fn render(
        &mut self,
        intensity: &[f32; CHUNK],
        clap_energy: &[f32; CHUNK],
        sr: f64,
        out: &mut Stereo,
    ) {
        let active = intensity.iter().any(|v| *v > 0.0);
        if !active && self.silent {
            return;
        }
        // 1. This chunk's grains as energy arriving per sample and channel.
        let mut arriving = [[0.0f32; FAR_CHANNELS]; CHUNK];
        for ((slot, share), scale) in arriving.iter_mut().zip(intensity).zip(clap_energy) {
            // The grains a share of the crowd makes, no sparser than the floor: below it each
            // grain carries less energy instead, so the power still follows the share.
            let want = self.rate_full * f64::from(*share);
            let rate = if *share > 0.0 {
                want.max(FAR_GRAIN_FLOOR.min(self.rate_full))
            } else {
                0.0
            };
            let thin = if rate > 0.0 {
                (want / rate) as f32
            } else {
                0.0
            };
            self.clock += rate / sr;
            while self.clock >= self.next_event {
                let c = (uniform(&mut self.rng) * FAR_CHANNELS as f32) as usize % FAR_CHANNELS;
                slot[c] +=
                    self.grain_energy[c] * scale * thin * (0.2 + 1.6 * uniform(&mut self.rng));
                self.next_event += -f64::from(uniform(&mut self.rng)).max(1e-12).ln();
            }
        }
        // Keep the clock small so precision never degrades over a long show.
        let whole = self.clock.floor().min(self.next_event.floor());
        self.clock -= whole;
        self.next_event -= whole;
        // 2. All channels in lockstep, state in locals, four lanes at a time, so the compiler
        //    can keep the bank in vector registers. Energies add (never amplitudes), so
        //    overlapping grains do not sum in phase.
        let (mut e, mut ns) = (self.energy, self.noise);
        let (mut x1, mut x2, mut y1, mut y2) = (self.x1, self.x2, self.y1, self.y2);
        let (b0, a1, a2, decay) = (self.b0, self.a1, self.a2, self.energy_decay);
        let (gl, gr) = (self.gain_l, self.gain_r);
        for (i, add) in arriving.iter().enumerate() {
            let mut acc_l = [0.0f32; 4];
            let mut acc_r = [0.0f32; 4];
            for g in 0..FAR_CHANNELS / 4 {
                for lane in 0..4 {
                    let c = g * 4 + lane;
                    e[c] = e[c] * decay[c] + add[c];
                    let x = xorshift_bipolar32(&mut ns[c]) * e[c].sqrt();
                    let y = b0[c] * (x - x2[c]) + a1[c] * y1[c] + a2[c] * y2[c];
                    x2[c] = x1[c];
                    x1[c] = x;
                    y2[c] = y1[c];
                    y1[c] = y;
                    acc_l[lane] += y * gl[c];
                    acc_r[lane] += y * gr[c];
                }
            }
            out.l[i] += (acc_l[0] + acc_l[1]) + (acc_l[2] + acc_l[3]);
            out.r[i] += (acc_r[0] + acc_r[1]) + (acc_r[2] + acc_r[3]);
        }
        let loudest = (0..FAR_CHANNELS).fold(0.0f32, |m, c| m.max(e[c]).max(y1[c].abs()));
        (self.energy, self.noise) = (e, ns);
        (self.x1, self.x2, self.y1, self.y2) = (x1, x2, y1, y2);
        if !active && loudest < 1e-7 {
            self.energy = [0.0; FAR_CHANNELS];
            self.x1 = [0.0; FAR_CHANNELS];
            self.x2 = [0.0; FAR_CHANNELS];
            self.y1 = [0.0; FAR_CHANNELS];
            self.y2 = [0.0; FAR_CHANNELS];
            self.silent = true;
        } else {
            self.silent = false;
        }
    }
}

/// The far crowd's share clapping at each sample of a chunk starting at `t`, when `free` of it
/// claps freely and [`FAR_LOOSE_SHARE`] of those gather on the loose common beat (at multiples
/// of its period, as [`BeatGrid::steady`] puts them); `loose` is that share. People who fall in with a beat they hear
/// clap on it or a little after it, not before: the grains of each beat start on it and thin
/// out over a half-Gaussian of [`FAR_BEAT_SPREAD`] × the near clappers' scatter (normalised so
/// the mean over a beat is unchanged). Measured on club and arena mixes: spread evenly around
/// the beat, the bed read as an engine or water (0.06–0.12); starting on the beat, it did not.
fn loose_far_share(t: f64, sr: f64, free: f32, loose: f32, share: &mut [f32; CHUNK]) {
    let period = 60.0 / LOOSE_SYNC_BPM;
    let sigma = LOOSE_SYNC_SCATTER_SECS * FAR_BEAT_SPREAD;
    let peak = 2.0 * period / (sigma * std::f64::consts::TAU.sqrt());
    let steady = free * (1.0 - loose);
    let pulsing = free * loose;
    for (i, v) in share.iter_mut().enumerate() {
        let now = t + i as f64 / sr;
        // Time since the last beat, and since the one before (whose tail may still sound).
        let since = (now / period).fract() * period;
        let density: f64 = [since, since + period]
            .iter()
            .map(|d| (-0.5 * (d / sigma) * (d / sigma)).exp())
            .sum();
        *v = steady + pulsing * (peak * density) as f32;
    }
}

/// What an applauding crowd is: who claps, where the listener sits, and when they clap in time.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplauseConfig {
    /// People in the audience (sets the near field's size, the far field's density and width).
    pub audience: u32,
    /// The listener's seat (how near the nearest clappers are).
    pub listener: Listener,
    /// Spans of clapping in time, in time order (empty: applause is always free).
    pub sections: Vec<ClapSection>,
    /// All randomness derives from this.
    pub seed: u64,
}

/// What changes while the applause plays.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ApplauseControl {
    /// Applause intensity: the fraction of the audience clapping (0..=1).
    pub intensity: f32,
    /// Clapping in time started from outside the configured sections (a live operator's
    /// clap-along or the claps under a cued chant): while set, it is the only section.
    pub cued: Option<ClapSection>,
}

/// An applauding crowd (the `applause` stem).
#[derive(Clone)]
pub struct Applause {
    clappers: Vec<Clapper>,
    far: Option<FarField>,
    /// Share of the far field on the loose beat in free applause ([`FAR_LOOSE_SHARE`]).
    far_loose: f32,
    sections: Vec<ClapSection>,
    /// Index of the first section that has not ended yet.
    section_cursor: usize,
    /// Per-sample coefficient of the far field's lag behind the beat (see [`far_lag_secs`]).
    far_lag_coef: f32,
    /// The far crowd's in-time clapping as it arrives at the listener (lagged).
    far_lag: f32,
    /// The tone all claps share on the way out ([`ClapTone`]).
    tone: ClapTone,
    sample_rate: f64,
}

/// How late, on average, the far crowd's claps on a beat reach the listener, in seconds: they
/// clap on the beat where they stand, and their claps travel from between the near field's edge
/// and the far side of an audience of `audience` standing around the listener, the nearer ones
/// louder (energy falls with the square of the distance while the number of people grows with
/// it). About 3 ms in a club of 350, 40 ms in an arena of 15,000, 0.1 s at 100,000: a big
/// crowd's clap-along rolls in behind the near hands instead of landing as one shot.
pub fn far_lag_secs(audience: u32) -> f64 {
    let near_edge = f64::from(NEAREST_CLAPPER_M + NEAR_SPAN_M);
    let far_edge = (f64::from(audience) / (std::f64::consts::PI * CROWD_PER_M2)).sqrt();
    if far_edge <= near_edge {
        return 0.0;
    }
    // Energy-weighted mean of (d - near_edge) / c with a weight of 1/d per metre.
    let log = (far_edge / near_edge).ln();
    (far_edge - near_edge - near_edge * log) / (SOUND_MPS * log)
}

impl Applause {
    /// Build the crowd's hands.
    pub fn new(cfg: &ApplauseConfig, sample_rate: f64) -> Self {
        let sr = sample_rate as f32;
        let (audience, seed) = (cfg.audience, cfg.seed);
        let near = (audience as usize).clamp(MIN_CLAP_SOURCES, NEAR_CLAPPERS);
        let clappers = layout(derive_seed(seed, "applause/layout"), near)
            .into_iter()
            .enumerate()
            .map(|(i, slot)| {
                Clapper::new(
                    derive_seed(seed, &format!("applause/clapper-{i}")),
                    slot,
                    cfg.listener,
                    sr,
                )
            })
            .collect();
        let log_n = (f64::from(audience.max(10))).log10() as f32;
        // Size shows in width and density; the level grows only ~1 dB from 1,000 to 100,000.
        let width = (0.25 + 0.17 * log_n).clamp(0.4, 1.0);
        let far_people = audience.saturating_sub(near as u32);
        let (far_people, far_gain) = if (audience as usize) < NEAR_CLAPPERS {
            // A small room: a dense, quiet bed of grains stands in for the claps between the
            // individual ones (at the capped rate, so it is granular but never sparse).
            let bed_people = (FAR_RATE_CAP / FAR_RATE_PER_PERSON) as u32;
            (
                bed_people,
                SMALL_BED_GAIN
                    * db_to_gain(SMALL_BED_DB + BED_LIFT_DB * small_room_share(audience)),
            )
        } else {
            (
                far_people,
                FAR_GAIN
                    * db_to_gain(
                        FAR_DB_PER_DECADE * (log_n - 3.0)
                            + BED_LIFT_DB * small_room_share(audience),
                    ),
            )
        };
        let far = (far_people > 0).then(|| {
            FarField::new(
                derive_seed(seed, "applause/far"),
                far_people,
                width,
                far_gain,
                sr,
            )
        });
        Applause {
            clappers,
            far,
            far_loose: FAR_LOOSE_SHARE * small_room_share(audience),
            sections: cfg.sections.clone(),
            section_cursor: 0,
            far_lag_coef: {
                let tau = far_lag_secs(audience).max(1e-4);
                one_pole_coef(1.0, tau * sample_rate)
            },
            far_lag: 0.0,
            tone: ClapTone::new(sr),
            sample_rate,
        }
    }

    /// The rhythmic section playing at `t`, with the share of the crowd in it.
    fn section_at(&mut self, t: f64) -> Option<(ClapSection, f64)> {
        while self.section_cursor < self.sections.len()
            && self.sections[self.section_cursor].end <= t
        {
            self.section_cursor += 1;
        }
        // Sections only move forward in time in a render, but a fresh engine may start anywhere.
        if self.section_cursor > 0
            && self
                .sections
                .get(self.section_cursor - 1)
                .is_some_and(|s| s.end > t)
        {
            self.section_cursor = 0;
        }
        let s = *self.sections.get(self.section_cursor)?;
        let share = s.share_at(t);
        (share > 0.0).then_some((s, share))
    }
}

impl Applause {
    /// Write the next chunk into `out` (overwriting it), at the intensity of `ctl`.
    pub fn render(&mut self, info: ChunkInfo, ctl: &ApplauseControl, out: &mut Stereo) {
        out.clear();
        let sr = self.sample_rate;
        let t = info.secs();
        let intensity = ctl.intensity;
        let section = match ctl.cued {
            Some(s) => {
                let share = s.share_at(t);
                (share > 0.0).then_some((s, share))
            }
            None => self.section_at(t),
        };
        let end = info.frame + CHUNK as u64;
        let vigor = FREE_CLAP_STRENGTH.0 + FREE_CLAP_STRENGTH.1 * intensity;
        let mut rhythm_share = 0.0;
        let loose = BeatGrid::steady(0.0, LOOSE_SYNC_BPM);
        for c in &mut self.clappers {
            let in_time = section.is_some_and(|(_, share)| f64::from(c.sync_rank) < share);
            let free = if c.clapping {
                intensity > c.threshold * 0.9 - 0.01
            } else {
                intensity > c.threshold
            };
            let wants = in_time || free;
            if in_time {
                rhythm_share += 1.0;
            }
            // Free clappers of low sync rank drift onto the crowd's loose common beat.
            let loosely = !in_time && section.is_none() && c.sync_rank < LOOSE_SYNC_SHARE;
            if wants && !c.clapping {
                // Joining: the first clap comes within one period (or on the next beat).
                c.next_frame =
                    info.frame + (f64::from(uniform(&mut c.rng)) * c.period_secs * sr) as u64;
            }
            c.clapping = wants;
            let claps_now = c.clapping && c.next_frame < end;
            if !c.ringing && !claps_now {
                continue;
            }
            let mut i0 = 0;
            if !c.ringing {
                i0 = (c.next_frame - info.frame) as usize;
            }
            for i in i0..CHUNK {
                let frame = info.frame + i as u64;
                if c.clapping && frame >= c.next_frame {
                    let now = frame as f64 / sr;
                    let strength = if in_time {
                        section.map_or(1.0, |(s, _)| s.strength as f32)
                    } else {
                        vigor
                    };
                    c.env = strength * (0.6 + 0.8 * uniform(&mut c.rng));
                    c.ringing = true;
                    let next = match section {
                        Some((s, _)) if in_time => {
                            let (_, beat) = s.grid.next_clap_after(now + 0.12);
                            beat + s.scatter_secs * (c.offset * 0.8 + 0.6 * gauss3_f64(&mut c.rng))
                        }
                        _ if loosely => {
                            let (_, beat) = loose.next_clap_after(now + 0.12);
                            beat + LOOSE_SYNC_SCATTER_SECS
                                * (c.offset * 0.8 + 0.6 * gauss3_f64(&mut c.rng))
                        }
                        _ => now + c.period_secs * (1.0 + 0.1 * gauss3_f64(&mut c.rng)),
                    };
                    c.next_frame = ((next * sr).round() as u64).max(frame + 1);
                }
                if !c.ringing {
                    continue;
                }
                let x = xorshift_bipolar32(&mut c.noise) * c.env;
                c.env *= c.decay;
                let y = c.res.tick(x) * c.res_gain + c.direct * x;
                out.l[i] += y * c.gain_l;
                out.r[i] += y * c.gain_r;
            }
            // −60 dB under a clap is inaudible in a crowd; stopping there keeps most clappers idle.
            if c.env < 1e-3 && c.res.state_energy() < 1e-7 {
                c.env = 0.0;
                c.res.reset();
                c.ringing = false;
            }
        }
        if let Some(far) = &mut self.far {
            // The far crowd follows the applause, and claps in time in proportion to the near
            // one: those in time put their claps on the beat (spread a little wider than the
            // near clappers'), so a chant's claps are heard as claps, not over a steady hiss.
            let near_in_time = rhythm_share / self.clappers.len().max(1) as f32;
            let in_time = near_in_time * 0.8;
            let free = (intensity - in_time).max(0.0) * far_tail(intensity);
            let mut share = [free + in_time; CHUNK];
            let mut clap_energy = [1.0f32; CHUNK];
            if let Some((s, _)) = section.filter(|_| in_time > 0.0) {
                // The far crowd's hands clap in time as softly as the near ones (energy goes
                // with the strength squared: at full strength a far field packed onto the beat
                // drowns the near claps in one broadband burst per beat, heard as wood or a
                // shot), on the beat or a little after it, never before, and their claps reach
                // the listener after their travel time. A grain cloud centred on the beat
                // swelled up to it and read as "Whoosh" and "Arrow" on the stem and, under the
                // singer, as a howling dog on the mix; so did the cloud of a chant before it got
                // its lag. Sparser grains on the beat (one per far person) ring one by one
                // through the far field's narrow resonators and read as "Liquid" and "Plop".
                let soft = (s.strength * s.strength) as f32;
                let sigma = s.scatter_secs.max(0.005) * FAR_BEAT_SPREAD;
                let claps_per_bar = f64::from(s.grid.mask.count_ones().max(1));
                let interval =
                    s.grid.beat_secs_at(t) * f64::from(s.grid.beats_per_bar.max(1)) / claps_per_bar;
                // Normalised so the mean over a clap interval is 1 (the same power as before):
                // a half-Gaussian holds half a Gaussian's area.
                let peak = 2.0 * interval / (sigma * std::f64::consts::TAU.sqrt());
                for (i, v) in share.iter_mut().enumerate() {
                    let now = t + i as f64 / sr;
                    let (_, beat) = s.grid.next_clap_after(now - 4.0 * sigma);
                    let z = (now - beat) / sigma;
                    let at_beat = if z < 0.0 {
                        0.0
                    } else {
                        in_time * (peak * (-0.5 * z * z).exp()) as f32
                    };
                    self.far_lag += (at_beat - self.far_lag) * self.far_lag_coef;
                    let on = self.far_lag;
                    *v = free + on;
                    clap_energy[i] = if *v > 0.0 {
                        (free + on * soft) / *v
                    } else {
                        1.0
                    };
                }
            } else {
                self.far_lag = 0.0;
                if section.is_none() && free > 0.0 && self.far_loose > 0.0 {
                    loose_far_share(t, sr, free, self.far_loose, &mut share);
                }
            }
            far.render(&share, &clap_energy, sr, out);
        }
        self.tone.process(out);
    }
}

impl Instrument for Applause {
    type Config = ApplauseConfig;
    type Control = ApplauseControl;
    type Inputs = U1;
    const ID: u64 = 0x636f_6e63_6170_706c; // "concappl"

    fn build(cfg: &ApplauseConfig, sample_rate: f64) -> Self {
        Applause::new(cfg, sample_rate)
    }

    fn control(&self, inputs: &[f32], _info: ChunkInfo) -> ApplauseControl {
        ApplauseControl {
            intensity: inputs[0].clamp(0.0, 1.0),
            cued: None,
        }
    }

    fn render(&mut self, info: ChunkInfo, ctl: &ApplauseControl, out: &mut Stereo) {
        Applause::render(self, info, ctl, out);
    }
}

/// An applauding crowd as a fundsp node: one input, the intensity (0 = nobody claps, 1 = the
/// whole audience), read every [`CHUNK`] frames; two outputs, left and right.
///
/// ```
/// use concert::instruments::applause::{ApplauseConfig, applause};
/// use concert::kit::Listener;
/// use fundsp::prelude32::*;
///
/// let cfg = ApplauseConfig { audience: 2_000, listener: Listener::Floor, sections: vec![], seed: 7 };
/// let excitement = shared(0.8);
/// let mut graph = var(&excitement) >> applause(cfg);
/// graph.set_sample_rate(48_000.0);
/// let frame = graph.get_stereo();
/// assert!(frame.0.is_finite() && frame.1.is_finite());
/// ```
pub fn applause(cfg: ApplauseConfig) -> An<InstrumentNode<Applause>> {
    An(InstrumentNode::new(cfg))
}

/// Test hooks: silence one of the two tiers, to measure the other.
#[cfg(test)]
impl Applause {
    pub(crate) fn without_far_field(mut self) -> Self {
        self.far = None;
        self
    }

    pub(crate) fn without_near_field(mut self) -> Self {
        self.clappers.clear();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: f64 = 48_000.0;

    /// `secs` of an arena's far field alone with a steady `intensity` (mono, after 1 s).
    fn far_field(intensity: f32, secs: f64) -> Vec<f32> {
        let cfg = ApplauseConfig {
            audience: 15_000,
            listener: Listener::Floor,
            sections: Vec::new(),
            seed: 7,
        };
        let mut a = Applause::new(&cfg, SR).without_near_field();
        let ctl = ApplauseControl {
            intensity,
            ..ApplauseControl::default()
        };
        let mut out = Stereo::default();
        let mut mono = Vec::new();
        let mut frame = 0;
        while (mono.len() as f64) < (1.0 + secs) * SR {
            a.render(
                ChunkInfo {
                    frame,
                    sample_rate: SR,
                },
                &ctl,
                &mut out,
            );
            mono.extend(out.l.iter().zip(&out.r).map(|(l, r)| 0.5 * (l + r)));
            frame += CHUNK as u64;
        }
        mono.split_off(SR as usize)
    }

    /// Kurtosis of the 2 ms mean-|x| envelope of `x` in one resonator's band (1.3 kHz, Q 4):
    /// about 3 for a dense texture, far above it for grains that ring one by one.
    fn envelope_kurtosis(x: &[f32]) -> f64 {
        let mut res = Resonator::new(1300.0, 4.0, SR as f32);
        let band: Vec<f64> = x.iter().map(|v| f64::from(res.tick(*v).abs())).collect();
        let env: Vec<f64> = band
            .chunks(96)
            .map(|c| c.iter().sum::<f64>() / c.len() as f64)
            .collect();
        let n = env.len() as f64;
        let mean = env.iter().sum::<f64>() / n;
        let var = env.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / n;
        env.iter().map(|e| (e - mean).powi(4)).sum::<f64>() / n / (var * var)
    }

    fn rms_db(x: &[f32]) -> f64 {
        let p = x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len() as f64;
        10.0 * p.max(1e-30).log10()
    }

    #[test]
    fn a_dying_far_field_fades_as_a_texture_not_as_drops() {
        let full = far_field(0.8, 3.0);
        let tail = far_field(0.05, 3.0);
        let (kf, kt) = (envelope_kurtosis(&full), envelope_kurtosis(&tail));
        let drop_db = rms_db(&tail) - rms_db(&full);
        println!("far field: kurtosis {kf:.1} at 0.8, {kt:.1} at 0.05; level {drop_db:.1} dB");
        // In one resonator's band the tail is as dense as full applause (3.6 against 3.9).
        // Thinned with the share (600 grains/s, 37 a second per resonator) it measured 5.4:
        // grains ringing one by one, heard as drops.
        assert!(
            kt < kf + 0.5,
            "the tail rings grain by grain: kurtosis {kt:.1} against {kf:.1}"
        );
        // Its power follows the share clapping, 10·log10(0.05 / 0.8) = −12 dB, times what is
        // left of the far field under the last near clappers (`far_tail`, −13.4 dB at 0.05).
        let want = 10.0 * f64::from(0.05 * far_tail(0.05) / 0.8).log10();
        assert!(
            (want - 1.5..want + 1.5).contains(&drop_db),
            "tail level {drop_db:.1} dB, expected {want:.1}"
        );
    }
}
