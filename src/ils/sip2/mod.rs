//! SIP2 (3M Standard Interchange Protocol 2.00): how nearly every ILS talks to self-checks.
//!
//! - the pure codec and what replies mean live in `kiosk-core` (re-exported here: [`codec`],
//!   [`frame`], [`requests`], [`replies`], [`mapping`]).
//! - [`client`]: the transport (TCP/TLS, login, heartbeat, error detection, reconnection).
//! - [`adapter`]: the kiosk's `Ils` over SIP2 (its `[ils.sip2]` section in `section`);
//!   [`server`]: the simulated library's ACS.

pub mod adapter;
pub mod client;
mod connection;
mod section;
pub mod server;
pub mod tls;

pub use kiosk_core::sip2::*;
pub use kiosk_core::sip2::{charset, codec, date, frame, mapping, replies, requests};
