//! Instruments as fundsp nodes: the applause node in a user's graph gives exactly the samples
//! the instrument renders on its own, at any block size, ticked or processed, inside a `Net`.

use concert::instruments::applause::{Applause, ApplauseConfig, ApplauseControl, applause};
use concert::kit::{CHUNK, ChunkInfo, Listener, Stereo};
use fundsp::prelude32::*;

const SR: f64 = 48_000.0;

fn cfg() -> ApplauseConfig {
    ApplauseConfig {
        audience: 3_000,
        listener: Listener::Floor,
        sections: vec![],
        seed: 11,
    }
}

/// The intensity at frame `n`: a swell from nothing to full and back, so controls matter.
fn intensity(n: usize) -> f32 {
    let t = n as f32 / SR as f32;
    (t * 1.5).sin().abs().min(1.0)
}

/// The instrument alone, controls read at the first frame of every chunk.
fn direct(frames: usize) -> Vec<(f32, f32)> {
    let mut inst = Applause::new(&cfg(), SR);
    let mut chunk = Stereo::default();
    let mut out = Vec::with_capacity(frames);
    let mut frame = 0;
    while out.len() < frames {
        let ctl = ApplauseControl {
            intensity: intensity(frame),
            ..ApplauseControl::default()
        };
        let info = ChunkInfo {
            frame: frame as u64,
            sample_rate: SR,
        };
        inst.render(info, &ctl, &mut chunk);
        for i in 0..std::cmp::min(CHUNK, frames - out.len()) {
            out.push((chunk.l[i], chunk.r[i]));
        }
        frame += CHUNK;
    }
    out
}

/// `frames` (a whole number of chunks) of an instrument rendered chunk by chunk, interleaved.
fn interleaved_chunks(frames: usize, mut render: impl FnMut(ChunkInfo, &mut Stereo)) -> Vec<f32> {
    let mut chunk = Stereo::default();
    let mut out = Vec::with_capacity(2 * frames);
    for k in 0..frames / CHUNK {
        let info = ChunkInfo {
            frame: (k * CHUNK) as u64,
            sample_rate: SR,
        };
        render(info, &mut chunk);
        for i in 0..CHUNK {
            out.extend([chunk.l[i], chunk.r[i]]);
        }
    }
    out
}

#[test]
fn the_node_ticked_frame_by_frame_is_the_instrument() {
    let frames = 2 * SR as usize;
    let mut node = applause(cfg());
    node.set_sample_rate(SR);
    let ticked: Vec<(f32, f32)> = (0..frames)
        .map(|n| {
            let f = node.tick(&Frame::from([intensity(n)]));
            (f[0], f[1])
        })
        .collect();
    let want = direct(frames);
    assert_eq!(ticked, want);
    let loud = want.iter().fold(0.0f32, |m, (l, _)| m.max(l.abs()));
    assert!(loud > 0.05, "the applause is heard (peak {loud})");
}

#[test]
fn the_node_in_a_net_gives_the_same_samples_at_any_block_size() {
    let frames = SR as usize;
    let want = direct(frames);
    for block in [64usize, 37, 1] {
        let mut net = Net::new(1, 2);
        let id = net.push(Box::new(applause(cfg())));
        net.pipe_input(id);
        net.pipe_output(id);
        net.set_sample_rate(SR);
        let mut got = Vec::with_capacity(frames);
        let mut input = BufferVec::new(1);
        let mut output = BufferVec::new(2);
        while got.len() < frames {
            let n = std::cmp::min(std::cmp::min(block, frames - got.len()), MAX_BUFFER_SIZE);
            for i in 0..n {
                input.set_f32(0, i, intensity(got.len() + i));
            }
            net.process(n, &input.buffer_ref(), &mut output.buffer_mut());
            for i in 0..n {
                got.push((output.at_f32(0, i), output.at_f32(1, i)));
            }
        }
        assert!(got == want, "block {block}: the net changed the samples");
    }
}

#[test]
fn a_new_sample_rate_rebuilds_the_crowd_for_it() {
    let mut node = applause(cfg());
    node.set_sample_rate(SR);
    let at_48k: Vec<f32> = (0..4096)
        .map(|_| node.tick(&Frame::from([1.0]))[0])
        .collect();
    node.set_sample_rate(96_000.0);
    let at_96k: Vec<f32> = (0..4096)
        .map(|_| node.tick(&Frame::from([1.0]))[0])
        .collect();
    assert_ne!(at_48k, at_96k, "the clap bodies are tuned to the rate");
    node.set_sample_rate(SR);
    let again: Vec<f32> = (0..4096)
        .map(|_| node.tick(&Frame::from([1.0]))[0])
        .collect();
    assert_eq!(at_48k, again, "back at 48 kHz, from the start");
}

#[test]
fn the_crowd_node_reads_excitement_chatter_and_roar_from_its_inputs() {
    use concert::instruments::crowd::{Crowd, CrowdConfig, CrowdControl, crowd};
    let cfg = CrowdConfig {
        audience: 5_000,
        seed: 3,
        ..CrowdConfig::default()
    };
    let frames = SR as usize / 2;
    let inputs = [0.7f32, 0.4, 0.9];
    let mut node = crowd(cfg.clone());
    node.set_sample_rate(SR);
    let ticked: Vec<f32> = (0..frames)
        .flat_map(|_| {
            let f = node.tick(&Frame::from(inputs));
            [f[0], f[1]]
        })
        .collect();
    let mut inst = Crowd::new(&cfg, SR);
    let ctl = CrowdControl {
        energy: 0.7,
        murmur: 0.4,
        roar: 0.9,
        ..CrowdControl::default()
    };
    let want = interleaved_chunks(frames, |info, chunk| inst.render(info, &ctl, chunk));
    assert!(ticked[..want.len()] == want[..], "the node is the crowd");
    let rms = (want.iter().map(|v| v * v).sum::<f32>() / want.len() as f32).sqrt();
    assert!(rms > 1e-3, "the crowd is heard (rms {rms})");
}

#[test]
fn the_singer_node_sings_its_part_on_its_own_clock() {
    use concert::instruments::lead::score::Utterance;
    use concert::instruments::lead::vowels::syllable;
    use concert::instruments::lead::{Singer, SingerConfig, singer};
    use concert::kit::VoiceType;
    let note = |start: f64, midi: f32, text: &str| Utterance {
        start,
        end: start + 0.5,
        midi,
        end_midi: midi,
        syllable: syllable(text),
        effort: 0.7,
        phrase_start: start < 0.2,
        phrase_end: start > 0.5,
        slide: false,
        speech: false,
        moment_seed: 9,
        scoop_cents: 120.0,
        vibrato_delay: 0.2,
        vibrato_hz: 5.8,
        vibrato_cents: 30.0,
        fall_cents: 120.0,
        tail: 0.2,
        detune_cents: 0.0,
    };
    let cfg = SingerConfig {
        voice: VoiceType::Mezzo,
        part: vec![note(0.1, 69.0, "la"), note(0.6, 72.0, "oh")],
        seed: 5,
    };
    let frames = 64 * 1000;
    let mut node = singer(cfg.clone());
    node.set_sample_rate(SR);
    let ticked: Vec<f32> = (0..frames)
        .flat_map(|_| {
            let f = node.tick(&Frame::default());
            [f[0], f[1]]
        })
        .collect();
    let mut inst = Singer::new(&cfg, SR);
    let want = interleaved_chunks(frames, |info, chunk| inst.render(info, chunk));
    assert!(ticked == want, "the node is the singer");
    let sung: f32 = want[2 * 9_600..2 * 48_000].iter().map(|v| v * v).sum();
    assert!(sung > 1e-3, "the notes are sung ({sung})");
}

#[test]
fn the_cheers_node_fires_at_the_rates_on_its_inputs() {
    use concert::instruments::cheers::{CheersConfig, cheers};
    let cfg = CheersConfig {
        audience: 15_000,
        seed: 4,
    };
    let level = |rates: [f32; 4]| {
        let mut node = cheers(cfg);
        node.set_sample_rate(SR);
        let x: Vec<f32> = (0..3 * SR as usize)
            .map(|_| node.tick(&Frame::from(rates))[0])
            .collect();
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    };
    assert_eq!(level([0.8, 0.0, 0.0, 0.0]), 0.0, "no rates, no cheers");
    let busy = level([0.8, 6.0, 2.0, 1.0]);
    assert!(
        busy > 1e-3,
        "woos, whistles and screams are heard (rms {busy})"
    );
    assert_eq!(
        busy,
        level([0.8, 6.0, 2.0, 1.0]),
        "the same seed, the same cheers"
    );
}
