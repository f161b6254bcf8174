//! Voice types, which select a singer's register and formant tables.

/// The lead singer's voice type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoiceType {
    /// High female voice.
    Soprano,
    /// Middle female voice.
    Mezzo,
    /// Low female voice.
    Alto,
    /// High male voice.
    Tenor,
}

impl VoiceType {
    /// Every voice type with its name in show files.
    pub const ALL: [(VoiceType, &'static str); 4] = [
        (VoiceType::Soprano, "soprano"),
        (VoiceType::Mezzo, "mezzo"),
        (VoiceType::Alto, "alto"),
        (VoiceType::Tenor, "tenor"),
    ];

    /// The name used in show files.
    pub fn name(self) -> &'static str {
        VoiceType::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("?", |(_, n)| n)
    }
}
