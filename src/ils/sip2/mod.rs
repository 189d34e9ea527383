//! SIP2 (3M Standard Interchange Protocol 2.00): how nearly every ILS talks to self-checks.
//!
//! - [`codec`], [`frame`], [`requests`], [`replies`]: the pure codec (bytes ⇄ typed messages,
//!   checksums, sequence numbers, charsets).
//! - [`client`]: the transport (TCP/TLS, login, heartbeat, error detection, reconnection).
//! - [`adapter`]: the kiosk's `Ils` over SIP2; [`mapping`]: what replies mean for the kiosk.

pub mod adapter;
pub mod charset;
pub mod client;
pub mod codec;
mod connection;
pub mod date;
mod fields;
pub mod frame;
pub mod mapping;
pub mod replies;
pub mod requests;
pub mod server;
pub mod tls;

pub use charset::Charset;
pub use codec::{Received, decode_reply, decode_request, encode_reply, encode_request};
pub use fields::Tri;
pub use frame::{ChecksumCheck, DecodeError, EncodeError, Frame, Framing, Terminator, checksum};
pub use replies::Reply;
pub use requests::Request;

#[cfg(test)]
mod tests;
