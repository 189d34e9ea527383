//! The devices of the library kiosk: what the app may ask of them ([`device`]), the pure codecs
//! for what they read ([`barcode`], [`tag`]), the RFID work done over any reader ([`rfid`]),
//! embedded-hal drivers for real parts ([`drivers`]), the Raspberry Pi buses (`rpi` feature)
//! and a simulator ([`sim`]).

pub mod config;
pub mod device;
pub mod drivers;
pub mod machine;
pub mod rfid;
#[cfg(feature = "rpi")]
pub mod rpi;
pub mod selftest;
pub mod sim;

// The codecs are pure and live in `kiosk-core`; they keep their paths here.
pub use kiosk_core::{barcode, tag};
