//! Where a sound is heard: the kind of room, its audience and the listener's seat. Shows are
//! written in these words and instruments are built from them.

/// The kind of room, which sets reverb length, width and early reflections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VenueKind {
    /// A small club or bar (~0.8 s tail).
    Club,
    /// A theatre (~1.5 s tail).
    Theatre,
    /// A concert hall (~2 s tail).
    Hall,
    /// An indoor arena (~2.5 s tail).
    Arena,
    /// A stadium: long slap echoes, little tail.
    Stadium,
    /// An open-air festival field: echoes, almost no tail.
    OpenAir,
}

impl VenueKind {
    /// Every kind with its name in show files.
    pub const ALL: [(VenueKind, &'static str); 6] = [
        (VenueKind::Club, "club"),
        (VenueKind::Theatre, "theatre"),
        (VenueKind::Hall, "hall"),
        (VenueKind::Arena, "arena"),
        (VenueKind::Stadium, "stadium"),
        (VenueKind::OpenAir, "open-air"),
    ];

    /// The name used in show files.
    pub fn name(self) -> &'static str {
        VenueKind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("?", |(_, n)| n)
    }

    /// Default reverb tail (RT60) for this kind of room.
    pub fn default_reverb_secs(self) -> f64 {
        match self {
            VenueKind::Club => 0.8,
            VenueKind::Theatre => 1.5,
            VenueKind::Hall => 2.0,
            VenueKind::Arena => 2.5,
            VenueKind::Stadium => 1.6,
            VenueKind::OpenAir => 0.9,
        }
    }

    /// Default audience size for this kind of room.
    pub fn default_audience(self) -> u32 {
        match self {
            VenueKind::Club => 300,
            VenueKind::Theatre => 1_200,
            VenueKind::Hall => 2_500,
            VenueKind::Arena => 15_000,
            VenueKind::Stadium => 50_000,
            VenueKind::OpenAir => 30_000,
        }
    }
}

/// Where the listener (the microphone) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Listener {
    /// In the crowd on the floor: close clappers, wide image.
    Floor,
    /// Up in the balcony: the crowd further away, more room.
    Balcony,
    /// Beside the stage: the singer close, the crowd in front.
    StageSide,
}

impl Listener {
    /// Every position with its name in show files.
    pub const ALL: [(Listener, &'static str); 3] = [
        (Listener::Floor, "floor"),
        (Listener::Balcony, "balcony"),
        (Listener::StageSide, "stage-side"),
    ];

    /// The name used in show files.
    pub fn name(self) -> &'static str {
        Listener::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("?", |(_, n)| n)
    }
}

/// The venue: room kind, audience size, listener position and reverb length.
#[derive(Debug, Clone, PartialEq)]
pub struct Venue {
    /// Room kind.
    pub kind: VenueKind,
    /// Number of people in the audience (10 ..= 200,000).
    pub audience: u32,
    /// Listener position.
    pub listener: Listener,
    /// Reverb tail (RT60) in seconds.
    pub reverb_secs: f64,
}
