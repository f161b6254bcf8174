//! Every built-in preset loads, lasts 6–20 minutes, plays every song it defines, and survives a
//! round trip through `ShowSpec` and back to TOML.

use concert::preset::{self, BUILTIN, DEFAULT_PRESET};
use concert::show::{MomentKind, Show};

fn load(name: &str) -> Show {
    preset::resolve(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_builtin_loads_and_lasts_6_to_20_minutes() {
    assert!(BUILTIN.iter().any(|(n, _)| *n == DEFAULT_PRESET));
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/presets"))
        .unwrap()
        .count();
    assert_eq!(files, BUILTIN.len(), "every file in presets/ is built in");
    for (name, _) in BUILTIN {
        let show = load(name);
        let mins = show.duration_secs / 60.0;
        eprintln!(
            "{name}: {:.0} s ({mins:.1} min), {} moments",
            show.duration_secs,
            show.moments.len()
        );
        for m in &show.moments {
            eprintln!(
                "  {:>7.1} {:>7.1}  {:12} {}",
                m.start_secs, m.end_secs, m.id, m.label
            );
        }
        assert!((6.0..=20.0).contains(&mins), "{name}: {mins:.1} min");
        assert_eq!(show.duration_secs, show.moments.last().unwrap().end_secs);
    }
}

#[test]
fn every_song_is_played_and_has_a_2_to_4_minute_melody() {
    for (name, _) in BUILTIN {
        let show = load(name);
        for (i, song) in show.songs.iter().enumerate() {
            assert!(
                show.moments
                    .iter()
                    .any(|m| m.song == Some(i) && m.kind.is_song()),
                "{name}: song {:?} is never played",
                song.title
            );
            assert!(
                !song.melody.is_empty(),
                "{name}: {:?} has no melody",
                song.title
            );
            assert!(
                (120.0..=240.0).contains(&song.secs),
                "{name}: {:?} lasts {} s",
                song.title,
                song.secs
            );
            let (lo, hi) = song
                .melody
                .iter()
                .fold((127, 0), |(lo, hi), n| (lo.min(n.midi), hi.max(n.midi)));
            assert!(
                lo >= 57 - 3 && hi <= 76,
                "{name}: {:?} spans MIDI {lo}..{hi}",
                song.title
            );
            let phrases = song.melody.iter().filter(|n| n.phrase_start).count();
            assert!(
                phrases >= 12,
                "{name}: {:?} has only {phrases} phrases",
                song.title
            );
        }
    }
}

#[test]
fn notes_stay_inside_their_song_moments() {
    for (name, _) in BUILTIN {
        let show = load(name);
        let notes = show.lead_notes();
        assert!(notes.len() > 200, "{name}: {} notes", notes.len());
        for n in &notes {
            let m = &show.moments[n.moment];
            assert!(
                n.start_secs >= m.start_secs && n.end_secs <= m.end_secs,
                "{name}: {n:?}"
            );
        }
    }
}

#[test]
fn starlight_finale_tells_story_001() {
    let show = load("starlight-finale");
    let kinds: Vec<MomentKind> = show.moments.iter().map(|m| m.kind).collect();
    use MomentKind::*;
    for k in [
        Murmur, LightsDown, Song, Applause, Hush, Chant, Encore, Finale,
    ] {
        assert!(kinds.contains(&k), "missing {k:?}");
    }
    let played: Vec<&str> = show
        .moments
        .iter()
        .filter_map(|m| m.song)
        .map(|i| show.songs[i].title.as_str())
        .collect();
    assert_eq!(
        played,
        ["Echoes", "Lost", "Phoenix Rising", "Starlight Serenade"]
    );
    let hush = show.moments.iter().find(|m| m.kind == Hush).unwrap();
    assert_eq!(show.songs[hush.song.unwrap()].title, "Lost");
    let phoenix = show
        .songs
        .iter()
        .find(|s| s.title == "Phoenix Rising")
        .unwrap();
    assert!(
        phoenix
            .melody
            .iter()
            .any(|n| n.midi == 76 && n.dynamic == concert::show::Dynamic::Ff)
    );
    assert_eq!(show.venue.kind, concert::show::VenueKind::Arena);
}

#[test]
fn builtins_round_trip_through_spec_and_toml() {
    for (name, text) in BUILTIN {
        let spec = preset::parse_spec(text, name).unwrap();
        let again = toml::to_string(&spec).unwrap();
        let a = spec.build().unwrap();
        let b = preset::load_str(&again, "round-trip").unwrap_or_else(|e| panic!("{e}\n{again}"));
        assert_eq!(a, b, "{name}");
        assert_eq!(a, load(name));
    }
}

#[test]
fn echo_fade_club_tells_story_000() {
    let show = load("echo-fade-club");
    assert_eq!(show.venue.kind, concert::show::VenueKind::Club);
    assert!((250..=400).contains(&show.venue.audience));
    let first_song = show
        .moments
        .iter()
        .find(|m| m.kind == MomentKind::Song)
        .unwrap();
    assert_eq!(
        show.songs[first_song.song.unwrap()].title,
        "Lost in the Haze"
    );
    let i = show
        .moments
        .iter()
        .position(|m| std::ptr::eq(m, first_song))
        .unwrap();
    assert_eq!(
        show.moments[i - 1].kind,
        MomentKind::LightsDown,
        "the lights dim first"
    );
    assert_eq!(
        show.moments[i + 1].kind,
        MomentKind::Applause,
        "then cheers and applause"
    );
}

#[test]
fn echo_fade_benefit_tells_story_003() {
    let show = load("echo-fade-benefit");
    let banter: Vec<&str> = show
        .moments
        .iter()
        .filter(|m| m.kind == MomentKind::Banter)
        .map(|m| m.label.as_str())
        .collect();
    assert!(
        banter.iter().any(|l| l.contains("make a difference")),
        "{banter:?}"
    );
    assert!(banter.iter().any(|l| l.contains("catalyst")), "{banter:?}");
    assert_eq!(show.moments.last().unwrap().kind, MomentKind::Finale);
    assert!(matches!(
        show.venue.kind,
        concert::show::VenueKind::Theatre | concert::show::VenueKind::Hall
    ));
}

#[test]
fn echo_fade_early_days_is_a_bar_of_sixty_that_goes_quiet_for_a_whisper() {
    let show = load("echo-fade-early-days");
    assert_eq!(show.venue.kind, concert::show::VenueKind::Club);
    assert!(show.venue.audience <= 100, "a bar, not a club night");
    let hush = show
        .moments
        .iter()
        .find(|m| m.kind == MomentKind::Hush)
        .expect("the quiet song");
    assert_eq!(show.songs[hush.song.unwrap()].title, "Barely a Whisper");
}

#[test]
fn echo_fade_festival_is_a_field_of_a_hundred_thousand_chanting_the_name() {
    let show = load("echo-fade-festival");
    assert_eq!(show.venue.kind, concert::show::VenueKind::OpenAir);
    assert!(show.venue.audience >= 50_000);
    let chant = show
        .moments
        .iter()
        .find(|m| m.kind == MomentKind::Chant)
        .expect("a chant");
    assert_eq!(chant.words.as_deref(), Some("E-cho Fade"));
}
