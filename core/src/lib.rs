//! The library kiosk's pure core: everything that decides, nothing that does. Bytes and events
//! come in, values and effects go out; the clock comes in as a value, and nothing here reads a
//! file, a socket, a device or the time (the shell — the `kiosk` crate — does, and `kiosk-hw`
//! drives the parts).
//!
//! - [`circ`]: the rules of circulation — the session machine, its events, effects and screens.
//! - [`tech`]: the technician screen's rules (staff PIN, lockout, which pages).
//! - [`sip2`]: the SIP2 codec (frames, checksums, charsets, typed messages) and what replies mean.
//! - [`barcode`], [`tag`]: library barcodes (Codabar check digits) and ISO 28560 tags;
//!   [`isbn`]: ISBN-13 and ISBN-10 as readers scan or type them.
//! - [`promotion`]: the attract screen's slides and when each shows.
//! - [`stats`]: business statistics as staff read them (periods, the technician's page).
//! - [`secret`]: a string that never prints; [`time`]: the moments the shell hands in.

#![forbid(unsafe_code)]

pub mod barcode;
pub mod circ;
pub mod ecard;
pub mod isbn;
pub mod promotion;
pub mod resident_id;
pub mod secret;
pub mod sip2;
pub mod stats;
pub mod tag;
pub mod tech;
pub mod time;
