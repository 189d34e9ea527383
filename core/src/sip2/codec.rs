//! The sans-IO codec: typed messages to bytes and back. No sockets, no clock: the transport
//! and the server own those.

use super::frame::{ChecksumCheck, DecodeError, EncodeError, Frame, Framing};
use super::replies::Reply;
use super::requests::Request;

/// A decoded message with what error detection said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Received<T> {
    pub message: T,
    /// AY, when present.
    pub sequence: Option<u8>,
    pub checksum: ChecksumCheck,
}

/// A request as bytes; `sequence` (0–9) goes in AY when error detection is on.
pub fn encode_request(
    request: &Request,
    sequence: u8,
    framing: &Framing,
) -> Result<Vec<u8>, EncodeError> {
    let mut frame = request.to_frame();
    frame.sequence = Some(sequence);
    frame.encode(framing)
}

pub fn decode_request(bytes: &[u8], framing: &Framing) -> Result<Received<Request>, DecodeError> {
    let frame = Frame::parse(bytes, framing.charset)?;
    Ok(Received {
        message: Request::from_frame(&frame)?,
        sequence: frame.sequence,
        checksum: frame.checksum,
    })
}

/// A reply as bytes, echoing the request's sequence number.
pub fn encode_reply(
    reply: &Reply,
    sequence: Option<u8>,
    framing: &Framing,
) -> Result<Vec<u8>, EncodeError> {
    let mut frame = reply.to_frame();
    frame.sequence = sequence;
    frame.encode(framing)
}

pub fn decode_reply(bytes: &[u8], framing: &Framing) -> Result<Received<Reply>, DecodeError> {
    let frame = Frame::parse(bytes, framing.charset)?;
    Ok(Received {
        message: Reply::from_frame(&frame)?,
        sequence: frame.sequence,
        checksum: frame.checksum,
    })
}
