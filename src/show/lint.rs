//! Warnings about valid shows that will not sound as their author probably meant: things
//! `check` and `render` say, but that are not errors.

use super::Show;
use crate::preset::time::format_clock;

/// What a user should know about `show` before rendering it, one sentence each.
pub fn warnings(show: &Show) -> Vec<String> {
    let mut out = Vec::new();
    for m in &show.moments {
        let Some(song) = m.song.and_then(|k| show.songs.get(k)) else {
            continue;
        };
        if !song.melody.is_empty() {
            continue;
        }
        let claps = if song.clap_along.is_empty() {
            String::new()
        } else {
            format!(
                " and clapping along on beats {}",
                song.clap_along
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            )
        };
        out.push(format!(
            "song \"{}\" has no melody: for its {} from {} the singer is silent and only the \
             hushed crowd{claps} is heard (add `melody = \"...\"` to the song for a lead)",
            song.title,
            format_clock(m.secs()),
            format_clock(m.start_secs),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_song_without_melody_is_named_with_its_time() {
        let text = "title = \"t\"\n[[songs]]\ntitle = \"Quiet One\"\nbpm = 100\nsecs = 90\n\
                    [[timeline]]\nmoment = \"murmur\"\nsecs = 5\n\
                    [[timeline]]\nmoment = \"song\"\nsong = \"Quiet One\"\n";
        let show = crate::preset::load_str(text, "t.toml").unwrap();
        let w = warnings(&show);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("\"Quiet One\" has no melody"), "{}", w[0]);
        assert!(w[0].contains("from 0:05"), "{}", w[0]);
        for (name, _) in crate::preset::BUILTIN {
            let show = crate::preset::resolve(name).unwrap();
            assert!(warnings(&show).is_empty(), "{name}");
        }
    }
}
