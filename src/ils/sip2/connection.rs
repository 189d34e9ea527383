//! One socket to the ACS (plain TCP or TLS), read a message at a time. A message ends at CR;
//! an LF after it (CRLF terminators) belongs to it and is dropped here, whenever it arrives.

use super::frame::Terminator;
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest message accepted; an ACS sending more without a CR is broken or hostile.
const MAX_MESSAGE: usize = 64 * 1024;

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref(),
        }
    }
}

pub struct Connection {
    stream: Stream,
    buffer: Vec<u8>,
    /// How the ACS ended the last message read (CR whose LF may still be on its way counts as
    /// CR until the LF arrives).
    ending: Option<Terminator>,
}

#[derive(Debug)]
pub enum ReadError {
    Timeout,
    Closed,
    TooLong,
    Io(io::Error),
}

impl Connection {
    pub fn connect(
        host: &str,
        port: u16,
        timeout: Duration,
        tls: Option<(Arc<ClientConfig>, rustls::pki_types::ServerName<'static>)>,
    ) -> io::Result<Connection> {
        let mut last_error =
            io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"));
        let mut tcp = None;
        for addr in (host, port).to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(stream) => {
                    tcp = Some(stream);
                    break;
                }
                Err(error) => last_error = error,
            }
        }
        let tcp = tcp.ok_or(last_error)?;
        tcp.set_nodelay(true)?;
        keep_alive(&tcp);
        let stream = match tls {
            None => Stream::Plain(tcp),
            Some((config, name)) => {
                let client = ClientConnection::new(config, name)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                let mut tls = StreamOwned::new(client, tcp);
                tls.get_ref().set_read_timeout(Some(timeout))?;
                tls.get_ref().set_write_timeout(Some(timeout))?;
                // Handshake now, so a certificate problem is a connect error, not a read error.
                while tls.conn.is_handshaking() {
                    tls.conn.complete_io(&mut tls.sock)?;
                }
                Stream::Tls(Box::new(tls))
            }
        };
        Ok(Connection {
            stream,
            buffer: Vec::new(),
            ending: None,
        })
    }

    /// The ACS's certificate (DER), over TLS.
    pub fn peer_certificate(&self) -> Option<Vec<u8>> {
        match &self.stream {
            Stream::Plain(_) => None,
            Stream::Tls(tls) => tls.conn.peer_certificates()?.first().map(|c| c.to_vec()),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream
            .tcp()
            .set_write_timeout(Some(Duration::from_secs(10)))?;
        match &mut self.stream {
            Stream::Plain(tcp) => tcp.write_all(bytes),
            Stream::Tls(tls) => {
                tls.write_all(bytes)?;
                tls.flush()
            }
        }
    }

    /// The next message (through its CR), or why none came before `deadline`.
    pub fn read_message(&mut self, deadline: Instant) -> Result<Vec<u8>, ReadError> {
        loop {
            if let Some(message) = self.take_message() {
                return Ok(message);
            }
            if self.buffer.len() > MAX_MESSAGE {
                return Err(ReadError::TooLong);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadError::Timeout);
            }
            self.stream
                .tcp()
                .set_read_timeout(Some(left))
                .map_err(ReadError::Io)?;
            self.read_some()?;
        }
    }

    /// A whole message from the buffer, if one is there: through its CR, or its LF from an ACS
    /// that ends messages with LF alone (neither appears inside a SIP2 message). The LF of a
    /// CRLF terminator (and any stray LF between messages) is not part of any message: it is
    /// skipped, never mistaken for the start of the next one.
    fn take_message(&mut self) -> Option<Vec<u8>> {
        let leading = self.buffer.iter().take_while(|b| **b == b'\n').count();
        if leading > 0 && self.ending == Some(Terminator::Cr) {
            // The LF of the last message's CR LF, in a later segment.
            self.ending = Some(Terminator::Crlf);
        }
        self.buffer.drain(..leading);
        let end = self
            .buffer
            .iter()
            .position(|b| matches!(b, b'\r' | b'\n'))?;
        let message: Vec<u8> = self.buffer.drain(..=end).collect();
        self.ending = Some(match message.last() {
            Some(b'\n') => Terminator::Lf,
            _ if self.buffer.first() == Some(&b'\n') => Terminator::Crlf,
            _ => Terminator::Cr,
        });
        if self.buffer.first() == Some(&b'\n') {
            self.buffer.remove(0);
        }
        Some(message)
    }

    /// How the ACS ends its messages, as far as the last one read shows.
    pub fn ending(&self) -> Option<Terminator> {
        self.ending
    }

    /// One read from the socket into the buffer.
    fn read_some(&mut self) -> Result<(), ReadError> {
        let mut chunk = [0u8; 4096];
        loop {
            let read = match &mut self.stream {
                Stream::Plain(tcp) => tcp.read(&mut chunk),
                Stream::Tls(tls) => tls.read(&mut chunk),
            };
            return match read {
                Ok(0) => Err(ReadError::Closed),
                Ok(n) => {
                    self.buffer.extend_from_slice(&chunk[..n]);
                    Ok(())
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    Err(ReadError::Timeout)
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(ReadError::Closed),
                Err(e) => Err(ReadError::Io(e)),
            };
        }
    }

    /// Before a request: what arrived while the link was idle, without waiting. `Ok` holds the
    /// whole messages that came unasked — late replies to requests that timed out — which the
    /// caller discards (an LF left over from a CRLF is not one); a part of a message stays in
    /// the buffer for the next read. `Err`: the ACS closed the connection, or it broke.
    pub fn take_unasked(&mut self) -> Result<Vec<Vec<u8>>, ReadError> {
        self.stream
            .tcp()
            .set_nonblocking(true)
            .map_err(ReadError::Io)?;
        let mut result = Ok(());
        while self.buffer.len() <= MAX_MESSAGE {
            match self.read_some() {
                Ok(()) => {}
                Err(ReadError::Timeout) => break,
                Err(error) => {
                    result = Err(error);
                    break;
                }
            }
        }
        self.stream
            .tcp()
            .set_nonblocking(false)
            .map_err(ReadError::Io)?;
        result?;
        let mut unasked = Vec::new();
        while let Some(message) = self.take_message() {
            unasked.push(message);
        }
        if self.buffer.len() > MAX_MESSAGE {
            return Err(ReadError::TooLong);
        }
        Ok(unasked)
    }
}

/// After 60 s without traffic the kernel probes the connection every 10 s and gives it up
/// after 3 unanswered probes: a path that died without a word (a NAT or firewall that forgot an
/// idle flow, a switched-off ACS host) is then a closed connection the client reconnects before
/// the next request, not a checkout waiting out its timeout while a reader stands there. The
/// heartbeat (a 99 every `heartbeat_secs`) keeps the ACS's own idle timer from firing.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(60);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
const KEEPALIVE_PROBES: u32 = 3;

fn keep_alive(tcp: &TcpStream) {
    let settings = socket2::TcpKeepalive::new()
        .with_time(KEEPALIVE_IDLE)
        .with_interval(KEEPALIVE_INTERVAL)
        .with_retries(KEEPALIVE_PROBES);
    if let Err(error) = socket2::SockRef::from(tcp).set_tcp_keepalive(&settings) {
        // Not fatal: the heartbeat still notices a dead link, later.
        tracing::warn!(%error, "cannot switch on TCP keepalive for the SIP2 connection");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sip2_connection_probes_an_idle_path_after_a_minute() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connection =
            Connection::connect("127.0.0.1", port, Duration::from_secs(1), None).unwrap();
        let socket = socket2::SockRef::from(connection.stream.tcp());
        assert!(socket.keepalive().unwrap());
        assert_eq!(socket.tcp_keepalive_time().unwrap(), KEEPALIVE_IDLE);
        assert_eq!(socket.tcp_keepalive_interval().unwrap(), KEEPALIVE_INTERVAL);
        assert_eq!(socket.tcp_keepalive_retries().unwrap(), KEEPALIVE_PROBES);
    }
}
