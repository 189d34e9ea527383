//! SIP2 (3M Standard Interchange Protocol 2.00): how nearly every ILS talks to self-checks.
//!
//! - [`codec`], [`frame`], [`requests`], [`replies`]: the pure codec (bytes ⇄ typed messages,
//!   checksums, sequence numbers, charsets).

pub mod charset;
pub mod codec;
pub mod date;
mod fields;
pub mod frame;
pub mod replies;
pub mod requests;

pub use charset::Charset;
pub use codec::{Received, decode_reply, decode_request, encode_reply, encode_request};
pub use fields::Tri;
pub use frame::{ChecksumCheck, DecodeError, EncodeError, Frame, Framing, Terminator, checksum};
pub use replies::Reply;
pub use requests::Request;

#[cfg(test)]
mod tests;
