//! `concert plot`: the binary writes a real PNG whose size is the one asked for, whose moment
//! bands change colour at the columns their start times map to, and which, given a render,
//! carries its short-term loudness; every mistake a user can make is refused by name, leaving
//! no file behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use concert::plot::layout::{Layout, Span};

const BIN: &str = env!("CARGO_BIN_EXE_concert");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run concert")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A decoded RGB picture.
struct Picture {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Picture {
    fn open(path: &Path) -> Picture {
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(path).expect("the PNG exists"),
        ));
        let mut reader = decoder.read_info().expect("a valid PNG");
        let mut rgb = vec![0; reader.output_buffer_size().expect("a sane size")];
        let info = reader.next_frame(&mut rgb).expect("decodes");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        rgb.truncate(info.buffer_size());
        Picture {
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    fn at(&self, x: i32, y: i32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}

fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// The first column of the run of `x`'s colour along row `y` that ends at `x`, looking no
/// further left than `limit`.
fn run_start(p: &Picture, y: i32, x: i32, limit: i32) -> i32 {
    let colour = p.at(x, y);
    let mut c = x;
    while c > limit && p.at(c - 1, y) == colour {
        c -= 1;
    }
    c
}

/// Every moment start inside `span` must change the band row's colour within ±1 column of
/// where the span maps it, computed here from the strips' edges alone.
fn assert_bands_on_their_columns(p: &Picture, layout: &Layout, span: Span) -> usize {
    let show = concert::preset::resolve("starlight-finale").unwrap();
    let r = layout.bands;
    // Above the labels: only the band colours and their seams.
    let y = r.y0 + 2;
    let col = |secs: f64| {
        f64::from(r.x0) + (secs - span.from_secs) / span.secs() * f64::from(r.x1 - r.x0)
    };
    let mut checked = 0;
    for m in &show.moments {
        if m.start_secs <= span.from_secs + 1.0 || m.start_secs >= span.to_secs - 1.0 {
            continue;
        }
        let want = col(m.start_secs);
        if col(m.end_secs.min(span.to_secs)) - want < 8.0 {
            continue; // too narrow to hold a run of its own colour
        }
        let inside = want.round() as i32 + 3;
        let got = run_start(p, y, inside, inside - 8);
        assert!(
            (f64::from(got) - want).abs() <= 1.0,
            "{} starts at {:.1} s: its colour starts at column {got}, expected {want:.1}",
            m.label,
            m.start_secs
        );
        assert_ne!(p.at(got - 1, y), p.at(got, y), "{}: a change", m.label);
        checked += 1;
    }
    // The span's ends are the strip's edges: white margin outside, band colour inside.
    assert_eq!(p.at(r.x0 - 1, y), [255, 255, 255]);
    assert_ne!(p.at(r.x0 + 1, y), [255, 255, 255]);
    assert_ne!(p.at(r.x1 - 2, y), [255, 255, 255]);
    assert_eq!(p.at(r.x1 + 1, y), [255, 255, 255]);
    checked
}

#[test]
fn the_whole_show_has_its_size_and_its_moments_on_their_columns() {
    let dir = scratch();
    let png = dir.path().join("show.png");
    let out = run(&[
        "plot",
        "starlight-finale",
        "-o",
        png.to_str().unwrap(),
        "--width",
        "1200",
        "--height",
        "700",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("12 moments"), "{}", stderr(&out));
    let p = Picture::open(&png);
    assert_eq!((p.width, p.height), (1200, 700));
    let show = concert::preset::resolve("starlight-finale").unwrap();
    let span = Span {
        from_secs: 0.0,
        to_secs: show.duration_secs,
    };
    let layout = Layout::new(1200, 700, span, false);
    let checked = assert_bands_on_their_columns(&p, &layout, span);
    assert!(checked >= 10, "only {checked} boundaries checked");
    // Nothing left beside it but the PNG itself.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn the_default_name_is_the_show_s_and_the_picture_is_deterministic() {
    let dir = scratch();
    let plot = |name: &str| {
        let out = Command::new(BIN)
            .current_dir(dir.path())
            .args([
                "plot",
                "echo-fade-club",
                "--width",
                "800",
                "--height",
                "450",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let png = dir.path().join("echo-fade-club.png");
        std::fs::rename(&png, dir.path().join(name)).expect("./SHOW-NAME.png was written");
        std::fs::read(dir.path().join(name)).unwrap()
    };
    let (a, b) = (plot("a.png"), plot("b.png"));
    assert!(a == b, "two plots of one show differ");
    let p = Picture::open(&dir.path().join("a.png"));
    assert_eq!((p.width, p.height), (800, 450));
}

#[test]
fn a_span_is_drawn_on_its_own_clock_at_the_default_size() {
    let dir = scratch();
    let png = dir.path().join("part.png");
    let out = run(&[
        "plot",
        "starlight-finale",
        "-o",
        png.to_str().unwrap(),
        "--from",
        "3:00",
        "--to",
        "7:30",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let p = Picture::open(&png);
    assert_eq!((p.width, p.height), (1600, 900), "the default size");
    let span = Span {
        from_secs: 180.0,
        to_secs: 450.0,
    };
    let layout = Layout::new(1600, 900, span, false);
    // Applause 3:29.5, banter 3:43.5, hush 4:03.5, applause 7:08.8, song 7:21.8.
    assert_eq!(assert_bands_on_their_columns(&p, &layout, span), 5);
}

/// The loudness line's row in each column of the loudness strip (the darkest pixel; `None`
/// where the column has only tint and grid).
fn loudness_rows(p: &Picture, r: concert::plot::layout::Rect) -> Vec<Option<i32>> {
    (r.x0 + 2..r.x1 - 2)
        .map(|x| {
            (r.y0 + 2..r.y1 - 2)
                .map(|y| (y, p.at(x, y)))
                .filter(|(_, c)| c.iter().map(|v| u32::from(*v)).sum::<u32>() < 400)
                .min_by_key(|(_, c)| c.iter().map(|v| u32::from(*v)).sum::<u32>())
                .map(|(y, _)| y)
        })
        .collect()
}

#[test]
fn a_render_adds_its_short_term_loudness_under_the_plot() {
    let dir = scratch();
    let wav = dir.path().join("clip.wav");
    let png = dir.path().join("clip.png");
    // Doors-open chatter, then the lights go down at 0:45 and the arena roars.
    let span = ["--from", "0:33", "--to", "0:53"];
    let out = run(&[
        &[
            "render",
            "starlight-finale",
            "-q",
            "-o",
            wav.to_str().unwrap(),
        ][..],
        &span[..],
    ]
    .concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&[
        &[
            "plot",
            "starlight-finale",
            "-o",
            png.to_str().unwrap(),
            "--wav",
            wav.to_str().unwrap(),
        ][..],
        &span[..],
    ]
    .concat());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("loudest 3 s"), "{}", stderr(&out));
    let p = Picture::open(&png);
    assert_eq!((p.width, p.height), (1600, 900));
    let layout = Layout::new(
        1600,
        900,
        Span {
            from_secs: 33.0,
            to_secs: 53.0,
        },
        true,
    );
    let r = layout.loudness.expect("a loudness strip");
    let rows = loudness_rows(&p, r);
    // Readings start when the first 3 s window is full (its centre, 1.5 s in) and run to the
    // end less half a window: the line covers that part of the strip.
    let drawn = rows.iter().filter(|y| y.is_some()).count();
    let expected = (rows.len() as f64 * (20.0 - 3.0) / 20.0) as usize;
    assert!(
        drawn + 8 >= expected && drawn <= expected + 8,
        "{drawn} columns carry the loudness line, expected about {expected}"
    );
    // The roar is louder than the chatter: the line stands higher (a smaller row) at the end.
    let first = rows.iter().flatten().next().copied().unwrap();
    let last = rows.iter().flatten().last().copied().unwrap();
    assert!(
        last + r.height() / 8 < first,
        "the line should rise from the murmur (row {first}) to the roar (row {last})"
    );

    // The same plot without --wav has no loudness strip: the sung-notes strip ends higher.
    let bare = dir.path().join("bare.png");
    let out = run(&[
        &["plot", "starlight-finale", "-o", bare.to_str().unwrap()][..],
        &span[..],
    ]
    .concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let q = Picture::open(&bare);
    let darkest = loudness_rows(&q, r).iter().flatten().count();
    assert!(
        darkest < rows.len() / 10,
        "{darkest} dark columns without a render"
    );
}

/// A failed plot says `needle` and leaves nothing where the PNG would go.
fn refused(args: &[&str], needle: &str, dir: &Path) {
    let out = run(args);
    assert!(!out.status.success(), "{args:?} succeeded");
    let err = stderr(&out);
    assert!(err.contains(needle), "{args:?}: {err}");
    let left: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".png") || name.starts_with('.')
        })
        .collect();
    assert!(left.is_empty(), "{args:?} left {left:?}");
}

#[test]
fn mistakes_are_refused_by_name_and_leave_no_file() {
    let dir = scratch();
    let d = dir.path();
    let png = d.join("p.png");
    let png = png.to_str().unwrap();

    let jpg = d.join("p.jpg");
    refused(
        &["plot", "-o", jpg.to_str().unwrap()],
        "does not end in .png",
        d,
    );
    assert!(!jpg.exists());

    let missing = d.join("no/such/folder/p.png");
    refused(
        &["plot", "-o", missing.to_str().unwrap()],
        "cannot write",
        d,
    );

    refused(
        &["plot", "-o", png, "--width", "100"],
        "too small for the plot",
        d,
    );
    refused(
        &["plot", "-o", png, "--from", "20:00"],
        "must be before --to and the end of the show (13:19.3)",
        d,
    );

    let text = d.join("notes.txt");
    std::fs::write(&text, "not a render").unwrap();
    refused(
        &["plot", "-o", png, "--wav", text.to_str().unwrap()],
        "as a WAV file",
        d,
    );
    refused(
        &[
            "plot",
            "-o",
            png,
            "--wav",
            d.join("absent.wav").to_str().unwrap(),
        ],
        "as a WAV file",
        d,
    );

    // A render of another span: its length gives it away.
    let wav = d.join("clip.wav");
    let out = run(&[
        "render",
        "-q",
        "-o",
        wav.to_str().unwrap(),
        "--from",
        "1:00",
        "--to",
        "1:04",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    refused(
        &[
            "plot",
            "-o",
            png,
            "--wav",
            wav.to_str().unwrap(),
            "--from",
            "1:00",
            "--to",
            "1:06",
        ],
        "lasts 0:04, but the plotted span 1:00–1:06 lasts 0:06",
        d,
    );
    refused(
        &["plot", "-o", png, "--wav", wav.to_str().unwrap()],
        "lasts 0:04, but the plotted span 0:00–13:19.3 lasts 13:19.3",
        d,
    );
}
