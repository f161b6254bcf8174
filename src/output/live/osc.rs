//! OSC control of a playing show (the protocol QLab, TouchOSC, Max and consoles speak): a UDP
//! listener thread that decodes packets with `rosc` and turns each message of the address
//! space below into a [`Command`] for the control thread. Nothing here touches the audio
//! thread: commands reach the engine through the player's control ring like a key press.
//!
//! | address | arguments | effect |
//! |---|---|---|
//! | `/concert/cue/applause` | `[size]` 0..1 | an applause swell (size 1 when omitted) |
//! | `/concert/cue/cheers` | `[size]` | a burst of cheers and shouts |
//! | `/concert/cue/whistles` | `[size]` | a burst of finger whistles |
//! | `/concert/cue/roar` | `[size]` | the crowd roars up and settles |
//! | `/concert/cue/hush` | `[size]` | the room hushes for a ballad (about 12 s) |
//! | `/concert/fader/energy` | `value [ramp s]` −1..1 | crowd energy, added to the show's |
//! | `/concert/fader/applause` | `value [ramp s]` −1..1 | applause, added to the show's |
//! | `/concert/level/master` | `dB [ramp s]` | the mix's level (−90 or less is off, up to +12) |
//! | `/concert/level/LAYER` | `dB [ramp s]` | one layer's level; `LAYER` is its stem's name (`crowd`, `applause`, `cheers`, `lead`…: [`STEMS`]) |
//! | `/concert/chant` | `words [bpm]` | the crowd chants `words` (e.g. "one more song") from the next beat, at `bpm` 60..200 (104 when omitted), clapping on its beats, over whatever the show plays |
//! | `/concert/chant` | none, or `""` | the chant dies away over two beats |
//! | `/concert/clap` | `bpm` 40..240 | the crowd claps along on every beat at `bpm` |
//! | `/concert/clap` | `0` | the clap-along thins out over two seconds |
//! | `/concert/goto` | `moment` | jump to a moment: its number (1 = first), a part of its label, or a time (`3:20`) |
//! | `/concert/pause` | `[0/1]` | pause (1 or no argument) or resume (0) |
//! | `/concert/fade` | `secs` | fade the whole show out over `secs`, then stop |
//! | `/concert/stop` | | stop now (20 ms fade) |
//!
//! Numbers may be sent as int, float, double or long; a bundle's messages are taken in order
//! (their time tags are ignored: they act on arrival). Anything else is counted, as unknown
//! (an address outside this table) or malformed (not OSC, or wrong arguments), and reported at
//! the end; it never stops the listener.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

use rosc::{OscMessage, OscPacket, OscType};

use crate::engine::{ChantCue, Cue, Fader, STEMS, clap_tempo};
use crate::preset::DEFAULT_CHANT_BPM;

/// Ramp of a fader move that does not say (seconds): quick, but no click.
pub const DEFAULT_RAMP_SECS: f64 = 0.05;
/// Largest UDP datagram we read; longer ones are truncated and count as malformed.
const MAX_PACKET: usize = 64 * 1024;
/// How often the listener looks at its stop flag.
const POLL: Duration = Duration::from_millis(50);

/// What an OSC message asks of the player.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Start a cue of this size (0..=1).
    Cue(Cue, f32),
    /// Move a fader to a setting (offset or dB) over a ramp (seconds).
    Fader(Fader, f32, f64),
    /// Jump to a moment named by number, label or time.
    Goto(String),
    /// Pause (true) or resume (false).
    Pause(bool),
    /// Fade the show out over this many seconds, then stop.
    Fade(f64),
    /// Stop now.
    Stop,
    /// Start this chant (words already turned into the crowd's sounds), or stop it (`None`).
    Chant(Option<ChantCue>),
    /// Clap along at this tempo (bpm), or stop (`None`).
    Clap(Option<f64>),
}

/// Every address of the table above (the README and `play --help` list them all), with one
/// `/concert/level/LAYER` for the layers' levels.
pub const ADDRESSES: [&str; 15] = [
    "/concert/cue/applause",
    "/concert/cue/cheers",
    "/concert/cue/whistles",
    "/concert/cue/roar",
    "/concert/cue/hush",
    "/concert/fader/energy",
    "/concert/fader/applause",
    "/concert/level/master",
    "/concert/level/LAYER",
    "/concert/chant",
    "/concert/clap",
    "/concert/goto",
    "/concert/pause",
    "/concert/fade",
    "/concert/stop",
];

/// Why a message was not turned into a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejected {
    /// Not an OSC packet at all.
    Malformed(String),
    /// An address outside the table.
    Unknown(String),
    /// A known address with arguments it cannot take.
    BadArguments(String),
}

/// Message counts since the listener started.
#[derive(Debug, Default)]
pub struct OscCounts {
    /// Messages turned into commands.
    pub accepted: AtomicU64,
    /// Addresses outside the table.
    pub unknown: AtomicU64,
    /// Packets that were not OSC, or messages with arguments their address cannot take.
    pub malformed: AtomicU64,
}

/// A running OSC listener.
pub struct OscListener {
    /// Where it listens.
    pub local: SocketAddr,
    /// What it has seen.
    pub counts: Arc<OscCounts>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl OscListener {
    /// Listen on `bind` (e.g. `127.0.0.1:9000`); commands arrive on the returned receiver.
    pub fn start(bind: SocketAddr) -> std::io::Result<(OscListener, Receiver<Command>)> {
        let socket = UdpSocket::bind(bind)?;
        socket.set_read_timeout(Some(POLL))?;
        let local = socket.local_addr()?;
        let counts = Arc::new(OscCounts::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let thread = {
            let (counts, stop) = (Arc::clone(&counts), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("concert-osc".into())
                .spawn(move || listen(&socket, &tx, &counts, &stop))?
        };
        Ok((
            OscListener {
                local,
                counts,
                stop,
                thread: Some(thread),
            },
            rx,
        ))
    }

    /// A one-line report: what was received, and what was ignored and why.
    pub fn report(&self) -> String {
        let c = &self.counts;
        format!(
            "osc on {}: {} commands, {} unknown addresses, {} malformed",
            self.local,
            c.accepted.load(Relaxed),
            c.unknown.load(Relaxed),
            c.malformed.load(Relaxed)
        )
    }
}

impl Drop for OscListener {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn listen(socket: &UdpSocket, tx: &Sender<Command>, counts: &OscCounts, stop: &AtomicBool) {
    let mut buf = vec![0u8; MAX_PACKET];
    while !stop.load(Relaxed) {
        let n = match socket.recv(&mut buf) {
            Ok(n) => n,
            // Timeouts (WouldBlock/TimedOut) and ICMP errors alike: look at the flag, go on.
            Err(_) => continue,
        };
        for result in decode(&buf[..n]) {
            match result {
                Ok(cmd) => {
                    counts.accepted.fetch_add(1, Relaxed);
                    if tx.send(cmd).is_err() {
                        return;
                    }
                }
                Err(Rejected::Unknown(_)) => {
                    counts.unknown.fetch_add(1, Relaxed);
                }
                Err(_) => {
                    counts.malformed.fetch_add(1, Relaxed);
                }
            }
        }
    }
}

/// Every command in one UDP packet (a message, or a bundle's messages in order).
pub fn decode(packet: &[u8]) -> Vec<Result<Command, Rejected>> {
    match rosc::decoder::decode_udp(packet) {
        Ok((_, p)) => {
            let mut out = Vec::new();
            flatten(p, &mut out);
            out
        }
        Err(e) => vec![Err(Rejected::Malformed(format!("{e:?}")))],
    }
}

fn flatten(p: OscPacket, out: &mut Vec<Result<Command, Rejected>>) {
    match p {
        OscPacket::Message(m) => out.push(command(&m)),
        OscPacket::Bundle(b) => {
            for p in b.content {
                flatten(p, out);
            }
        }
    }
}

fn number(a: &OscType) -> Option<f64> {
    match a {
        OscType::Int(v) => Some(f64::from(*v)),
        OscType::Float(v) => Some(f64::from(*v)),
        OscType::Double(v) => Some(*v),
        OscType::Long(v) => Some(*v as f64),
        OscType::Bool(v) => Some(f64::from(u8::from(*v))),
        _ => None,
    }
    .filter(|v| v.is_finite())
}

/// The message's command, from its address and arguments.
pub fn command(m: &OscMessage) -> Result<Command, Rejected> {
    let bad = || Rejected::BadArguments(m.addr.clone());
    let nums: Option<Vec<f64>> = m.args.iter().map(number).collect();
    let nums = || nums.clone().ok_or_else(bad);
    let one_opt = |default: f64| -> Result<f64, Rejected> {
        match nums()?.as_slice() {
            [] => Ok(default),
            [v] => Ok(*v),
            _ => Err(bad()),
        }
    };
    let fader = |f: Fader| -> Result<Command, Rejected> {
        match nums()?.as_slice() {
            [v] => Ok(Command::Fader(f, *v as f32, DEFAULT_RAMP_SECS)),
            [v, ramp] if *ramp >= 0.0 => Ok(Command::Fader(f, *v as f32, *ramp)),
            _ => Err(bad()),
        }
    };
    let path = m.addr.strip_prefix("/concert/");
    let Some(path) = path else {
        return Err(Rejected::Unknown(m.addr.clone()));
    };
    let cue = |c: Cue| one_opt(1.0).map(|s| Command::Cue(c, s.clamp(0.0, 1.0) as f32));
    match path {
        "cue/applause" => cue(Cue::Applause),
        "cue/cheers" => cue(Cue::Cheers),
        "cue/whistles" => cue(Cue::Whistles),
        "cue/roar" => cue(Cue::Roar),
        "cue/hush" => cue(Cue::Hush),
        "fader/energy" => fader(Fader::Energy),
        "fader/applause" => fader(Fader::Applause),
        "level/master" => fader(Fader::Master),
        "goto" => match m.args.as_slice() {
            [OscType::String(s)] => Ok(Command::Goto(s.clone())),
            [a] => number(a).map_or_else(
                || Err(bad()),
                |v| Ok(Command::Goto(format!("{}", v as i64))),
            ),
            _ => Err(bad()),
        },
        "pause" => one_opt(1.0).map(|v| Command::Pause(v != 0.0)),
        "fade" => match nums()?.as_slice() {
            [secs] if *secs >= 0.0 => Ok(Command::Fade(*secs)),
            _ => Err(bad()),
        },
        "chant" => match m.args.as_slice() {
            [] => Ok(Command::Chant(None)),
            [OscType::String(s)] if s.trim().is_empty() => Ok(Command::Chant(None)),
            [OscType::String(s)] => ChantCue::new(s, DEFAULT_CHANT_BPM)
                .map(|c| Command::Chant(Some(c)))
                .map_err(|_| bad()),
            [OscType::String(s), bpm] => {
                let bpm = number(bpm).ok_or_else(bad)?;
                ChantCue::new(s, bpm)
                    .map(|c| Command::Chant(Some(c)))
                    .map_err(|_| bad())
            }
            _ => Err(bad()),
        },
        "clap" => match nums()?.as_slice() {
            [bpm] => clap_tempo(*bpm).map(Command::Clap).map_err(|_| bad()),
            _ => Err(bad()),
        },
        "stop" if m.args.is_empty() => Ok(Command::Stop),
        "stop" => Err(bad()),
        _ => match path.strip_prefix("level/") {
            Some(name) => match STEMS.iter().position(|s| *s == name) {
                Some(k) => fader(Fader::Layer(k)),
                None => Err(Rejected::Unknown(m.addr.clone())),
            },
            None => Err(Rejected::Unknown(m.addr.clone())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(addr: &str, args: Vec<OscType>) -> Vec<u8> {
        rosc::encoder::encode(&OscPacket::Message(OscMessage {
            addr: addr.into(),
            args,
        }))
        .unwrap()
    }

    #[test]
    fn the_address_table_decodes() {
        let one = |addr: &str, args| decode(&msg(addr, args)).remove(0);
        assert_eq!(
            one("/concert/cue/applause", vec![]),
            Ok(Command::Cue(Cue::Applause, 1.0))
        );
        assert_eq!(
            one("/concert/cue/hush", vec![OscType::Double(0.5)]),
            Ok(Command::Cue(Cue::Hush, 0.5))
        );
        assert_eq!(
            one(
                "/concert/level/lead",
                vec![OscType::Int(-6), OscType::Float(2.0)]
            ),
            Ok(Command::Fader(Fader::Layer(3), -6.0, 2.0))
        );
        assert_eq!(
            one("/concert/fader/energy", vec![OscType::Float(0.5)]),
            Ok(Command::Fader(Fader::Energy, 0.5, DEFAULT_RAMP_SECS))
        );
        assert_eq!(
            one("/concert/goto", vec![OscType::String("encore".into())]),
            Ok(Command::Goto("encore".into()))
        );
        assert_eq!(
            one("/concert/goto", vec![OscType::Int(3)]),
            Ok(Command::Goto("3".into()))
        );
        assert_eq!(
            one("/concert/pause", vec![OscType::Int(0)]),
            Ok(Command::Pause(false))
        );
        assert_eq!(
            one("/concert/fade", vec![OscType::Float(4.0)]),
            Ok(Command::Fade(4.0))
        );
        assert_eq!(one("/concert/stop", vec![]), Ok(Command::Stop));
    }

    #[test]
    fn garbage_is_rejected_and_named() {
        let one = |addr: &str, args| decode(&msg(addr, args)).remove(0);
        assert!(matches!(
            one("/concert/level/drums", vec![OscType::Float(0.0)]),
            Err(Rejected::Unknown(_))
        ));
        assert!(matches!(
            one("/other/thing", vec![]),
            Err(Rejected::Unknown(_))
        ));
        assert!(matches!(
            one(
                "/concert/fader/energy",
                vec![OscType::String("loud".into())]
            ),
            Err(Rejected::BadArguments(_))
        ));
        assert!(matches!(
            one("/concert/fade", vec![OscType::Float(f32::NAN)]),
            Err(Rejected::BadArguments(_))
        ));
        assert!(matches!(
            decode(b"definitely not osc").remove(0),
            Err(Rejected::Malformed(_))
        ));
        assert!(matches!(decode(&[]).remove(0), Err(Rejected::Malformed(_))));
    }

    #[test]
    fn chant_and_clap_messages_decode_and_bad_ones_are_rejected() {
        let one = |addr: &str, args| decode(&msg(addr, args)).remove(0);
        let s = |x: &str| OscType::String(x.into());
        assert_eq!(
            one(
                "/concert/chant",
                vec![s("one more song"), OscType::Int(100)]
            ),
            Ok(Command::Chant(Some(
                ChantCue::new("one more song", 100.0).unwrap()
            )))
        );
        assert_eq!(
            one("/concert/chant", vec![s("E-cho Fade")]),
            Ok(Command::Chant(Some(
                ChantCue::new("E-cho Fade", DEFAULT_CHANT_BPM).unwrap()
            )))
        );
        assert_eq!(one("/concert/chant", vec![]), Ok(Command::Chant(None)));
        assert_eq!(
            one("/concert/chant", vec![s(" ")]),
            Ok(Command::Chant(None))
        );
        assert_eq!(
            one("/concert/clap", vec![OscType::Double(96.0)]),
            Ok(Command::Clap(Some(96.0)))
        );
        assert_eq!(
            one("/concert/clap", vec![OscType::Int(0)]),
            Ok(Command::Clap(None))
        );
        let bad = [
            ("/concert/chant", vec![OscType::Int(3)]),
            ("/concert/chant", vec![s("go"), s("fast")]),
            ("/concert/chant", vec![s("go"), OscType::Int(0)]),
            ("/concert/chant", vec![s("go"), OscType::Float(-100.0)]),
            ("/concert/chant", vec![s("go"), OscType::Float(f32::NAN)]),
            ("/concert/chant", vec![s("go"), OscType::Int(10_000)]),
            ("/concert/chant", vec![s("?!"), OscType::Int(100)]),
            (
                "/concert/chant",
                vec![s("go"), OscType::Int(100), OscType::Int(1)],
            ),
            ("/concert/clap", vec![]),
            ("/concert/clap", vec![s("120")]),
            ("/concert/clap", vec![OscType::Int(-120)]),
            ("/concert/clap", vec![OscType::Float(f32::NAN)]),
            ("/concert/clap", vec![OscType::Int(10_000)]),
            ("/concert/clap", vec![OscType::Int(120), OscType::Int(2)]),
        ];
        for (addr, args) in bad {
            let got = one(addr, args.clone());
            assert!(
                matches!(got, Err(Rejected::BadArguments(_))),
                "{addr} {args:?}: {got:?}"
            );
        }
    }

    #[test]
    fn a_bundle_gives_its_messages_in_order() {
        let bundle = OscPacket::Bundle(rosc::OscBundle {
            timetag: rosc::OscTime::from((0, 1)),
            content: vec![
                OscPacket::Message(OscMessage {
                    addr: "/concert/cue/roar".into(),
                    args: vec![],
                }),
                OscPacket::Message(OscMessage {
                    addr: "/concert/stop".into(),
                    args: vec![],
                }),
            ],
        });
        let got = decode(&rosc::encoder::encode(&bundle).unwrap());
        assert_eq!(
            got,
            vec![Ok(Command::Cue(Cue::Roar, 1.0)), Ok(Command::Stop)]
        );
    }
}
