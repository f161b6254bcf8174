//! Rendering an engine's mix and stems into memory and fingerprinting them, for the tests that
//! pin the sound (`golden`, `engine_net`).

use concert::engine::{Engine, LAYERS};

/// FNV-1a over the sample bits: any change to any sample changes the fingerprint.
pub fn fingerprint(samples: &[f32]) -> u64 {
    samples.iter().fold(0xcbf2_9ce4_8422_2325, |h, s| {
        s.to_bits()
            .to_le_bytes()
            .iter()
            .fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
    })
}

/// Pull `frames` frames of mix and stems (interleaved stereo, mix first, then the stems in
/// `STEMS` order) in blocks of `block`, calling `at(engine, frame)` before the block starting
/// at each multiple of `every` frames (which every block size hits).
pub fn pull(
    e: &mut Engine,
    frames: usize,
    block: usize,
    every: usize,
    mut at: impl FnMut(&mut Engine, usize),
) -> Vec<Vec<f32>> {
    let mut out: Vec<Vec<f32>> = vec![vec![0.0; 2 * frames]; 1 + LAYERS];
    let (mix, stems) = out.split_first_mut().unwrap();
    let mut done = 0;
    while done < frames {
        if done % every == 0 {
            at(e, done);
        }
        let next_stop = (done / every + 1) * every;
        let n = block.min(frames - done).min(next_stop - done);
        let span = 2 * done..2 * (done + n);
        let mut slices: [&mut [f32]; LAYERS] = std::array::from_fn(|_| &mut [][..]);
        for (slice, stem) in slices.iter_mut().zip(stems.iter_mut()) {
            *slice = &mut stem[span.clone()];
        }
        e.render_block_with_stems(&mut mix[span], &mut slices);
        done += n;
    }
    out
}
