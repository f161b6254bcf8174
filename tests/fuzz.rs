//! A seeded fuzz test on stable Rust: mutations of the built-in presets and randomly generated
//! shows (10,000+ cases), loaded in-process through the same path as `concert check`
//! ([`preset::load_bytes`]). Every case must load or fail without a panic, every error must
//! carry a file location, and each input must be answered within a time and memory bound.
//!
//! Deterministic: the same seed gives the same cases, so a failure names its case and can be
//! replayed (`FUZZ_SEED`, `FUZZ_CASES` override the defaults; a failing input is written to
//! `target/fuzz-failure.toml`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use concert::preset::{self, BUILTIN};

/// Counts live heap bytes and their peak, so each case's memory can be bounded.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Cases run by default (twice the 10,000 asked for; a few seconds in the test profile).
const CASES: u64 = 20_000;
/// Longest any one input may take to load or fail.
const TIME_BOUND: Duration = Duration::from_secs(1);
/// Most heap any one input may take beyond what was live before it (inputs are under 64 kB).
const MEMORY_BOUND: usize = 64 << 20;

/// splitmix64: a small, seedable generator (no dependency, identical on every platform).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Fragments worth splicing in: the format's own words, edge values, and bytes that break text.
const DICTIONARY: &[&str] = &[
    "[[timeline]]\n",
    "[[songs]]\n",
    "[venue]\n",
    "[singer]\n",
    "moment = \"song\"\n",
    "moment = \"chant\"\n",
    "song = \"Echoes\"\n",
    "title = \"Echoes\"\n",
    "at = \"99:59:59\"\n",
    "after = 1e308\n",
    "secs = 0.5\n",
    "secs = -1\n",
    "secs = nan\n",
    "secs = inf\n",
    "bpm = 240\n",
    "seed = 18446744073709551616\n",
    "seed = -9223372036854775808\n",
    "audience = 200001\n",
    "melody = \"[[[[la:A4/32]x32]x32]x32]x32\"\n",
    "melody = \"la:A4/4 _/8 | oh:>C#5/8t ~/32\"\n",
    "melody = \"\"\"\n la:A4/4 \\\n oh:X/4\"\"\"\n",
    "clap_along = [2, 4, 13]\n",
    "clap_along = \"0,,x\"\n",
    "id = \"a b\"\n",
    "words = \"---\"\n",
    "label = \"\\u001b[2J\"\n",
    "]x32",
    "]x0",
    "[",
    "]",
    "\"",
    "'''",
    "=",
    "\\u0000",
    "\r\n",
    "\u{feff}",
    "\u{1b}",
    "é",
    "—",
    "1:60",
    "1:02:03.5",
    "0x7fffffffffffffff",
    "{ a = 1 }",
    "1979-05-27T07:32:00Z",
];

/// Raw bytes that are not valid UTF-8 on their own.
const BAD_BYTES: &[&[u8]] = &[
    b"\xff",
    b"\xc3",
    b"\xe2\x80",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
];

/// Applies one random mutation to `data`.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    let len = data.len();
    match rng.below(9) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = rng.below(len + 1);
            data.insert(i, rng.next() as u8);
        }
        2 if len > 0 => {
            let i = rng.below(len);
            let n = rng.below(32).min(len - i);
            data.drain(i..i + n);
        }
        3 => {
            let i = rng.below(len + 1);
            let word = rng.pick(DICTIONARY).as_bytes();
            data.splice(i..i, word.iter().copied());
        }
        4 => {
            let i = rng.below(len + 1);
            let bad = *rng.pick(BAD_BYTES);
            data.splice(i..i, bad.iter().copied());
        }
        5 => {
            // Duplicate a line (a repeated key, a repeated table).
            let lines: Vec<&[u8]> = data.split_inclusive(|&b| b == b'\n').collect();
            if !lines.is_empty() {
                let line = lines[rng.below(lines.len())].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, line);
            }
        }
        6 if len > 0 => data.truncate(rng.below(len)),
        7 if !other.is_empty() => {
            // Splice a piece of another input.
            let i = rng.below(other.len());
            let n = rng.below(256).min(other.len() - i);
            let at = rng.below(len + 1);
            data.splice(at..at, other[i..i + n].iter().copied());
        }
        _ => {
            // Replace a number with an edge value.
            if let Some(i) = data.iter().position(|b| b.is_ascii_digit()) {
                let skip = rng.below(len - i);
                if let Some(j) = data[i + skip..].iter().position(|b| b.is_ascii_digit()) {
                    let at = i + skip + j;
                    let edge =
                        *rng.pick(&["0", "-0", "1e309", "4294967296", "99999999999", "0.0001"]);
                    data.splice(at..at + 1, edge.bytes());
                }
            }
        }
    }
}

/// Parts of a generated show: (plausible values, wrong ones picked now and then).
const KINDS: (&[&str], &[&str]) = (
    &[
        "murmur",
        "lights-down",
        "song",
        "applause",
        "chant",
        "banter",
        "hush",
        "encore",
        "finale",
    ],
    &["sing", "Applause", ""],
);
const VENUES: (&[&str], &[&str]) = (
    &["club", "theatre", "hall", "arena", "stadium", "open-air"],
    &["barn"],
);
const TIMES: (&[&str], &[&str]) = (
    &[
        "\"1:30\"", "\"0:20\"", "\"90s\"", "\"1.5s\"", "12", "0.5", "45",
    ],
    &["\"1:5\"", "\"-5s\"", "86401", "7201", "0", "\"2:00:00\""],
);
const TOKENS: (&[&str], &[&str]) = (
    &[
        "la:A4/4",
        "oh:C5/8",
        "yeah:C#5/2.",
        "ah:>D5/4",
        "~/4",
        "_/8",
        "|",
        ",",
        "p",
        "ff",
        "la:C2/32",
        "la:C7/1",
        "na:Bb3/8t",
    ],
    &["[", "]x2", "la:H4/4", "la:A4/3", "la:A9/4", "_/4", "]x0"],
);

/// A plausible value most of the time, a wrong one about one time in `1 / WRONG`.
fn choose<'a>(rng: &mut Rng, (good, bad): (&'a [&'a str], &'a [&'a str])) -> &'a str {
    if rng.below(WRONG) == 0 {
        rng.pick::<&str>(bad)
    } else {
        rng.pick::<&str>(good)
    }
}

/// One value in this many of a generated show is a wrong one.
const WRONG: usize = 40;

/// A random show built from the format's parts, mostly plausible, sometimes not.
fn generate(rng: &mut Rng) -> Vec<u8> {
    let mut s = format!(
        "title = \"Gen {}\"\nseed = {}\n",
        rng.next() % 1000,
        rng.next() % 100
    );
    if rng.below(2) == 0 {
        let most = if rng.below(WRONG) == 0 {
            250_000
        } else {
            20_000
        };
        let audience = 10 + rng.below(most);
        s += &format!(
            "[venue]\nkind = \"{}\"\naudience = {}\n",
            choose(rng, VENUES),
            audience
        );
    }
    let songs = rng.below(6);
    for i in 0..songs {
        s += &format!(
            "[[songs]]\ntitle = \"Song {i}\"\nbpm = {}\n",
            40 + rng.below(200)
        );
        if rng.below(3) > 0 {
            let n = 1 + rng.below(40);
            // One melody in eight has a wrong token somewhere.
            let wrong = rng.below(8) == 0;
            let mut melody = String::from("la:A4/4");
            for _ in 0..n {
                melody.push(' ');
                let (good, bad) = TOKENS;
                melody.push_str(if wrong && rng.below(n) == 0 {
                    rng.pick::<&str>(bad)
                } else {
                    rng.pick::<&str>(good)
                });
            }
            s += &format!("melody = \"{melody}\"\n");
        }
    }
    for _ in 0..1 + rng.below(10) {
        let mut kind = choose(rng, KINDS);
        if songs == 0 && matches!(kind, "song" | "encore" | "hush") && rng.below(WRONG) > 0 {
            kind = "applause";
        }
        s += &format!("[[timeline]]\nmoment = \"{kind}\"\n");
        if matches!(kind, "song" | "encore" | "hush") {
            let n = if rng.below(WRONG) == 0 {
                songs + 1
            } else {
                songs
            };
            s += &format!("song = \"Song {}\"\n", rng.below(n));
        }
        if rng.below(4) == 0 {
            s += &format!("after = {}\n", choose(rng, TIMES));
        }
        if rng.below(3) == 0 && !matches!(kind, "song" | "encore" | "hush") {
            s += &format!("secs = {}\n", choose(rng, TIMES));
        }
        if rng.below(5) == 0 {
            s += &format!("energy = {}\n", rng.below(11) as f64 / 10.0);
        }
    }
    s.into_bytes()
}

/// Loads one input under the bounds: whether it is a valid show, or what went wrong.
fn check_one(input: &[u8]) -> Result<bool, String> {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let started = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        preset::load_bytes(input, "fuzz.toml").map(|show| {
            // Touch what the CLI derives from a show, too.
            let _ = show.lead_notes();
            show.moments.len()
        })
    }));
    // `check`'s every-error pass over the same text: it must agree on validity and list the
    // error a render would stop at, every one located.
    let all = catch_unwind(AssertUnwindSafe(|| {
        std::str::from_utf8(input)
            .ok()
            .map(|text| preset::check_str(text, "fuzz.toml").map(|_| ()))
    }));
    let took = started.elapsed();
    let grew = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let all = match all {
        Err(_) => return Err("check_str panicked".into()),
        Ok(all) => all,
    };
    let valid = match result {
        Err(_) => return Err("panicked".into()),
        Ok(Err(e)) => {
            let located = e.diagnostic().is_some_and(|d| d.location.is_some());
            if !located {
                return Err(format!("error without a location: {e}"));
            }
            if let Some(all) = &all {
                let Err(all) = all else {
                    return Err(format!("check_str accepted what load refused: {e}"));
                };
                if !all.iter().any(|a| a.to_string() == e.to_string()) {
                    return Err(format!("check_str lost the first error {e}"));
                }
                if let Some(a) = all
                    .iter()
                    .find(|a| a.diagnostic().is_none_or(|d| d.location.is_none()))
                {
                    return Err(format!("check_str error without a location: {a}"));
                }
            }
            false
        }
        Ok(Ok(_)) => {
            if let Some(Err(all)) = &all {
                return Err(format!("check_str refused a valid show: {}", all[0]));
            }
            true
        }
    };
    if took > TIME_BOUND {
        return Err(format!("took {took:?}"));
    }
    if grew > MEMORY_BOUND {
        return Err(format!("used {} MB", grew >> 20));
    }
    Ok(valid)
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn mutated_and_generated_shows_never_panic_and_always_locate_their_errors() {
    let seed = env_u64("FUZZ_SEED", 0x00c0_ffee);
    let cases = env_u64("FUZZ_CASES", CASES);
    // Panics are caught per case; keep their messages out of the test output.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed);
    let presets: Vec<&[u8]> = BUILTIN.iter().map(|(_, t)| t.as_bytes()).collect();
    let mut failures = Vec::new();
    let (mut ok, mut err) = (0u64, 0u64);
    for case in 0..cases {
        let base = if case % 2 == 0 {
            presets[rng.below(presets.len())].to_vec()
        } else {
            generate(&mut rng)
        };
        let other = presets[rng.below(presets.len())];
        let mut input = base;
        // Generated shows are also loaded unmutated now and then (they are mostly valid).
        let rounds = if case % 2 == 1 && rng.below(4) == 0 {
            0
        } else {
            1 + rng.below(4)
        };
        for _ in 0..rounds {
            mutate(&mut rng, &mut input, other);
        }
        match check_one(&input) {
            Ok(true) => ok += 1,
            Ok(false) => err += 1,
            Err(what) => {
                failures.push((case, what, input));
                if failures.len() >= 5 {
                    break;
                }
            }
        }
    }
    std::panic::set_hook(hook);
    if let Some((_, _, input)) = failures.first() {
        let _ = std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/target/fuzz-failure.toml"),
            input,
        );
    }
    assert!(
        failures.is_empty(),
        "seed {seed:#x}: {} failing cases (first saved to target/fuzz-failure.toml): {:?}",
        failures.len(),
        failures
            .iter()
            .map(|(c, w, i)| format!(
                "case {c}: {w}: {:?}",
                String::from_utf8_lossy(&i[..i.len().min(300)])
            ))
            .collect::<Vec<_>>()
    );
    // The corpus must exercise both paths, or it tests little.
    assert!(
        ok > cases / 20,
        "only {ok} of {cases} cases were valid shows"
    );
    assert!(err > cases / 4, "only {err} of {cases} cases were errors");
    eprintln!("{cases} cases: {ok} valid shows, {err} located errors");
}
