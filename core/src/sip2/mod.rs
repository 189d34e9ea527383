//! SIP2 (3M Standard Interchange Protocol 2.00) as bytes and values: the sans-IO codec (frames,
//! checksums, sequence numbers, charsets, typed requests and replies) and what replies mean for
//! the kiosk ([`mapping`]). The transport (TCP/TLS, login, heartbeat, retries) is the shell's.

pub mod charset;
pub mod codec;
pub mod date;
mod fields;
pub mod frame;
pub mod mapping;
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
