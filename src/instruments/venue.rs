//! The room: early reflections and a diffuse tail whose length follows the venue, plus a DC
//! blocker, applied to a dry mix and its reverb send.
//!
//! Why our own reverb: fundsp's 32-line `reverb_stereo` dominates any graph it is in (measured
//! in `DEPENDENCIES.md`: four noise layers, six filters, that reverb and a limiter ran at ~65×
//! real time, the same graph without the reverb at 250–300×), and a show needs one room per
//! stem on top of the mix's, which would leave little for the voices. An 8-line feedback delay network with a
//! Hadamard mix and per-line damping is dense enough for a crowd (whose own texture is dense)
//! at a fraction of the cost. Stadiums and open-air fields get long slap echoes and little tail.
//!
//! The processing is linear, so a reverb per stem sums to the reverb of the mix: stems use the
//! same `Room` type. This module knows nothing of the timeline or of files.

use fundsp::prelude32::{An, DCBlock, dcblock_hz};

use crate::kit::{CHUNK, Stereo};
use crate::kit::{Listener, Venue, VenueKind};

const LINES: usize = 8;
/// Base delay line lengths in milliseconds (mutually prime-ish, spread for density).
const BASE_MS: [f32; LINES] = [29.7, 37.1, 41.1, 43.7, 53.3, 59.9, 67.7, 73.1];

/// Geometry of a kind of room: size scale for the tail, pre-delay, early taps (ms, gain).
struct Geometry {
    size: f32,
    predelay_ms: f32,
    taps: &'static [(f32, f32)],
}

fn geometry(kind: VenueKind) -> Geometry {
    match kind {
        VenueKind::Club => Geometry {
            size: 0.55,
            predelay_ms: 6.0,
            taps: &[
                (4.3, 0.5),
                (7.9, 0.4),
                (11.3, 0.33),
                (14.1, 0.28),
                (19.7, 0.2),
            ],
        },
        VenueKind::Theatre => Geometry {
            size: 0.85,
            predelay_ms: 14.0,
            taps: &[
                (9.1, 0.4),
                (15.3, 0.33),
                (21.7, 0.27),
                (28.9, 0.2),
                (36.1, 0.15),
            ],
        },
        VenueKind::Hall => Geometry {
            size: 1.0,
            predelay_ms: 20.0,
            taps: &[
                (12.7, 0.38),
                (19.3, 0.3),
                (27.1, 0.25),
                (35.9, 0.2),
                (47.3, 0.14),
            ],
        },
        VenueKind::Arena => Geometry {
            size: 1.35,
            predelay_ms: 32.0,
            taps: &[
                (21.1, 0.33),
                (33.7, 0.28),
                (49.9, 0.22),
                (67.3, 0.17),
                (91.1, 0.12),
            ],
        },
        // Big open structures: distinct slap echoes off the stands, little diffuse tail.
        VenueKind::Stadium => Geometry {
            size: 1.6,
            predelay_ms: 40.0,
            taps: &[
                (61.0, 0.25),
                (187.0, 0.3),
                (311.0, 0.22),
                (449.0, 0.15),
                (613.0, 0.09),
            ],
        },
        VenueKind::OpenAir => Geometry {
            size: 1.2,
            predelay_ms: 25.0,
            taps: &[(37.0, 0.15), (233.0, 0.2), (401.0, 0.12), (577.0, 0.06)],
        },
    }
}

/// A delay line with a fixed power-of-two buffer, allocated once.
#[derive(Clone)]
struct Delay {
    buf: Vec<f32>,
    mask: usize,
    pos: usize,
}

impl Delay {
    fn new(max_len: usize) -> Self {
        let n = max_len.next_power_of_two().max(2);
        Delay {
            buf: vec![0.0; n],
            mask: n - 1,
            pos: 0,
        }
    }

    #[inline]
    fn push(&mut self, x: f32) {
        self.pos = (self.pos + 1) & self.mask;
        self.buf[self.pos] = x;
    }

    /// The sample written `d` pushes ago (`d` ≥ 1 is the previous one).
    #[inline]
    fn tap(&self, d: usize) -> f32 {
        self.buf[(self.pos.wrapping_sub(d)) & self.mask]
    }
}

/// The venue's reverb and DC blocker. A clone is a copy of the room as it rings now (its
/// delay lines are copied, which allocates).
#[derive(Clone)]
pub struct Room {
    lines: [Delay; LINES],
    lens: [usize; LINES],
    feedback: [f32; LINES],
    damp: f32,
    lp: [f32; LINES],
    pre: [Delay; 2],
    predelay: usize,
    taps: Vec<(usize, f32)>,
    wet_gain: f32,
    dc: An<DCBlock<f32>>,
    dc_r: An<DCBlock<f32>>,
}

impl Room {
    /// A room for `venue` at `sample_rate`.
    pub fn new(venue: &Venue, sample_rate: f64) -> Self {
        let sr = sample_rate as f32;
        let g = geometry(venue.kind);
        let rt = venue.reverb_secs as f32;
        let lens: [usize; LINES] =
            std::array::from_fn(|i| (BASE_MS[i] * g.size * 0.001 * sr) as usize + 1);
        // Per-line gain for a −60 dB decay in `rt` seconds.
        let feedback = std::array::from_fn(|i| 10f32.powf(-3.0 * lens[i] as f32 / (rt * sr)));
        let taps: Vec<(usize, f32)> = g
            .taps
            .iter()
            .map(|&(ms, gain)| ((ms * 0.001 * sr) as usize + 1, gain))
            .collect();
        let predelay = (g.predelay_ms * 0.001 * sr) as usize + 1;
        let longest_tap = taps.iter().map(|t| t.0).max().unwrap_or(1).max(predelay);
        // Longer tails carry more energy; keep the wet level comparable across rooms.
        let wet_gain = 0.6
            * (1.0 / rt.max(0.2)).sqrt()
            * match venue.listener {
                Listener::Floor => 1.0,
                Listener::Balcony => 1.5,
                Listener::StageSide => 0.75,
            };
        let mut dc = dcblock_hz(10.0);
        let mut dc_r = dcblock_hz(10.0);
        dc.set_sample_rate(sample_rate);
        dc_r.set_sample_rate(sample_rate);
        Room {
            lines: std::array::from_fn(|i| Delay::new(lens[i] + 1)),
            lens,
            feedback,
            // High frequencies die faster than lows: a one-pole low-pass in every loop.
            damp: (-std::f32::consts::TAU * 4500.0 / sr).exp(),
            lp: [0.0; LINES],
            pre: [Delay::new(longest_tap + 1), Delay::new(longest_tap + 1)],
            predelay,
            taps,
            wet_gain,
            dc,
            dc_r,
        }
    }

    /// `out = dcblock(dry + room(send))`, one chunk.
    pub fn process(&mut self, dry: &Stereo, send: &Stereo, out: &mut Stereo) {
        self.process_channels(
            [&dry.l, &dry.r],
            [&send.l, &send.r],
            [&mut out.l, &mut out.r],
        );
    }

    /// [`Room::process`] on a chunk's channels (left, right) wherever they are: a graph hands
    /// its buffers over without copying them into [`Stereo`]s first.
    pub fn process_channels(
        &mut self,
        dry: [&[f32; CHUNK]; 2],
        send: [&[f32; CHUNK]; 2],
        out: [&mut [f32; CHUNK]; 2],
    ) {
        let h = 1.0 / (LINES as f32).sqrt();
        let ([dry_l, dry_r], [send_l, send_r], [out_l, out_r]) = (dry, send, out);
        for i in 0..CHUNK {
            self.pre[0].push(send_l[i]);
            self.pre[1].push(send_r[i]);
            let (mut el, mut er) = (0.0, 0.0);
            for &(d, g) in &self.taps {
                el += self.pre[0].tap(d) * g;
                er += self.pre[1].tap(d + 7) * g;
            }
            let in_l = self.pre[0].tap(self.predelay);
            let in_r = self.pre[1].tap(self.predelay);
            let mut y = [0.0f32; LINES];
            for (k, yk) in y.iter_mut().enumerate() {
                let raw = self.lines[k].tap(self.lens[k]);
                self.lp[k] = raw + self.damp * (self.lp[k] - raw);
                *yk = self.lp[k] * self.feedback[k];
            }
            // Fast Walsh–Hadamard transform: a lossless mix of every line into every line.
            let mut span = 1;
            while span < LINES {
                for j in (0..LINES).step_by(span * 2) {
                    for k in j..j + span {
                        let (a, b) = (y[k], y[k + span]);
                        y[k] = a + b;
                        y[k + span] = a - b;
                    }
                }
                span *= 2;
            }
            for (k, yk) in y.iter().enumerate() {
                let input = if k < LINES / 2 { in_l } else { in_r };
                self.lines[k].push(yk * h + input);
            }
            let tail_l = (self.lp[0] - self.lp[2] + self.lp[4] - self.lp[6]) * 0.5;
            let tail_r = (self.lp[1] - self.lp[3] + self.lp[5] - self.lp[7]) * 0.5;
            let wl = (el + tail_l) * self.wet_gain;
            let wr = (er + tail_r) * self.wet_gain;
            let (l, r) = (dry_l[i] + wl, dry_r[i] + wr);
            out_l[i] = self.dc.filter_mono(l);
            out_r[i] = self.dc_r.filter_mono(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn impulse_response(kind: VenueKind, secs: f64) -> Vec<f32> {
        let venue = Venue {
            kind,
            audience: 1000,
            listener: Listener::Floor,
            reverb_secs: kind.default_reverb_secs(),
        };
        let mut room = Room::new(&venue, 48_000.0);
        let mut send = Stereo::default();
        let dry = Stereo::default();
        let mut out = Stereo::default();
        let mut ir = Vec::new();
        send.l[0] = 1.0;
        send.r[0] = 1.0;
        for _ in 0..(secs * 48_000.0 / CHUNK as f64) as usize {
            room.process(&dry, &send, &mut out);
            send.clear();
            ir.extend_from_slice(&out.l);
        }
        ir
    }

    /// Time for the energy decay curve to fall by 30 dB, times 2 (T30 → RT60).
    fn rt60(ir: &[f32]) -> f64 {
        let total: f64 = ir.iter().map(|v| f64::from(*v).powi(2)).sum();
        let mut remaining = total;
        for (i, v) in ir.iter().enumerate() {
            remaining -= f64::from(*v).powi(2);
            if remaining < total * 1e-3 {
                return 2.0 * i as f64 / 48_000.0;
            }
        }
        f64::INFINITY
    }

    #[test]
    fn tail_length_follows_the_venue() {
        let club = rt60(&impulse_response(VenueKind::Club, 3.0));
        let arena = rt60(&impulse_response(VenueKind::Arena, 6.0));
        assert!((0.4..1.2).contains(&club), "club RT60 {club:.2} s");
        assert!((1.6..3.4).contains(&arena), "arena RT60 {arena:.2} s");
    }

    #[test]
    fn silence_in_silence_out() {
        let ir = impulse_response(VenueKind::Hall, 0.5);
        let venue = Venue {
            kind: VenueKind::Hall,
            audience: 10,
            listener: Listener::Floor,
            reverb_secs: 2.0,
        };
        let mut room = Room::new(&venue, 44_100.0);
        let mut out = Stereo::default();
        room.process(&Stereo::default(), &Stereo::default(), &mut out);
        assert!(out.l.iter().chain(out.r.iter()).all(|v| *v == 0.0));
        assert!(ir.iter().all(|v| v.is_finite()));
    }
}
