//! The room's own tone conducted by a show: its venue and audience, and the hush of ballads.

use crate::instruments::roomtone::{RoomToneConfig, RoomToneControl};
use crate::show::{Params, Show};

/// The room tone's configuration for `show`.
pub fn config(show: &Show) -> RoomToneConfig {
    RoomToneConfig {
        venue: show.venue.kind,
        audience: show.venue.audience,
    }
}

/// The room tone's controls at a chunk with the show's `params`.
pub fn control(params: &Params) -> RoomToneControl {
    RoomToneControl { hush: params.hush }
}
