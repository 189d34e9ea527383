//! A SIP2 server (ACS) for the simulated ILS: `kiosk sim-ils --sip2 ADDR`, the demo over a real
//! socket, and the peer of the transport tests. It keeps the ACS side of error detection: a bad
//! checksum gets a 96, a 97 gets the last reply again, and a request repeated byte for byte
//! (same AY, same checksum) gets the last reply again without being executed twice.

mod acs;

pub use acs::{Acs, AcsSettings};

use super::codec::{decode_request, encode_reply};
use super::frame::{DecodeError, Framing, Terminator};
use super::replies::Reply;
use super::requests::Request;
use crate::ils::sim::SimIls;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub framing: Framing,
    pub acs: AcsSettings,
    /// Connections idle this long are closed, as ACSes do (Koha's `client_timeout`).
    pub idle_timeout: Duration,
}

pub struct Sip2Server {
    listener: TcpListener,
    acs: Arc<Mutex<Acs>>,
    settings: ServerSettings,
    login_required: bool,
}

impl Sip2Server {
    pub fn bind(addr: &str, sim: SimIls, settings: ServerSettings) -> io::Result<Sip2Server> {
        let listener = TcpListener::bind(addr)?;
        let login_required = sim.requires_login();
        Ok(Sip2Server {
            listener,
            acs: Arc::new(Mutex::new(Acs::new(sim, settings.acs.clone()))),
            settings,
            login_required,
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The simulated ILS behind the server (tests count what it applied).
    pub fn acs(&self) -> Arc<Mutex<Acs>> {
        Arc::clone(&self.acs)
    }

    /// Serves until the process ends, one thread per connection.
    pub fn run(self) -> io::Result<()> {
        for stream in self.listener.incoming() {
            let stream = match stream {
                Ok(stream) => stream,
                Err(error) => {
                    tracing::warn!(%error, "SIP2 accept failed");
                    continue;
                }
            };
            let acs = Arc::clone(&self.acs);
            let settings = self.settings.clone();
            let login_required = self.login_required;
            std::thread::Builder::new()
                .name("sip2-acs".into())
                .spawn(move || {
                    let peer = stream
                        .peer_addr()
                        .map(|a| a.to_string())
                        .unwrap_or_default();
                    tracing::info!(%peer, "SIP2 client connected");
                    if let Err(error) = serve(stream, &acs, &settings, login_required) {
                        tracing::info!(%peer, %error, "SIP2 connection ended");
                    }
                })?;
        }
        Ok(())
    }

    /// Serves in the background; returns the address it listens on.
    pub fn spawn(self) -> io::Result<SocketAddr> {
        let addr = self.local_addr()?;
        std::thread::Builder::new()
            .name("sip2-server".into())
            .spawn(move || self.run())?;
        Ok(addr)
    }
}

/// What the simulated ILS behind a server has applied (tests prove nothing ran twice).
pub fn lock_for_tests(acs: &Mutex<Acs>) -> crate::ils::sim::Applied {
    lock(acs).sim.applied()
}

pub(crate) fn lock(acs: &Mutex<Acs>) -> MutexGuard<'_, Acs> {
    // A panic in one connection must not take the others down with a poisoned lock.
    acs.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn serve(
    stream: TcpStream,
    acs: &Mutex<Acs>,
    settings: &ServerSettings,
    login_required: bool,
) -> io::Result<()> {
    stream.set_read_timeout(Some(settings.idle_timeout))?;
    let framing = settings.framing;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let resend =
        encode_reply(&Reply::ResendLastRequest, None, &framing).map_err(io::Error::other)?;
    let mut last: Option<(Vec<u8>, Vec<u8>)> = None;
    let mut logged_in = !login_required;
    loop {
        let mut message = Vec::new();
        match read_through_terminator(&mut reader, &mut message) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                tracing::info!("closing an idle SIP2 connection");
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        let start = message.iter().take_while(|b| **b == b'\n').count();
        let message = message.split_off(start);
        if message.iter().all(|b| matches!(b, b'\r' | b'\n')) {
            continue;
        }
        // A client that ends its messages with LF alone is answered the same way.
        let (framing, resend) = match message.last() {
            Some(b'\n') => {
                let lf = Framing {
                    terminator: Terminator::Lf,
                    ..settings.framing
                };
                let resend =
                    encode_reply(&Reply::ResendLastRequest, None, &lf).map_err(io::Error::other)?;
                (lf, resend)
            }
            _ => (settings.framing, resend.clone()),
        };
        if let Some((_, reply)) = last.as_ref().filter(|(request, _)| *request == message) {
            tracing::info!("repeated request answered again without executing it");
            writer.write_all(reply)?;
            continue;
        }
        let received = match decode_request(&message, &framing) {
            Ok(received) => received,
            Err(error) => {
                if !matches!(error, DecodeError::BadChecksum { .. }) {
                    tracing::warn!(%error, "unreadable SIP2 request");
                }
                writer.write_all(&resend)?;
                continue;
            }
        };
        let request = received.message;
        if request == Request::ResendLastReply {
            writer.write_all(last.as_ref().map_or(&resend, |(_, reply)| reply))?;
            continue;
        }
        let is_login = matches!(request, Request::Login(_));
        if !logged_in && !is_login {
            tracing::warn!("SIP2 request before login; closing the connection");
            return Ok(());
        }
        let reply = lock(acs).handle(request).map_err(io::Error::other)?;
        if is_login {
            logged_in = reply == Reply::Login { ok: true } || !login_required;
        }
        let bytes = encode_reply(&reply, received.sequence, &framing).map_err(io::Error::other)?;
        writer.write_all(&bytes)?;
        last = Some((message, bytes));
    }
}

/// Reads into `message` through the next CR or LF (a message ends with either; the LF of a CR LF
/// then starts the next read and is skipped there); the bytes read, 0 at the end of the stream.
fn read_through_terminator(reader: &mut impl BufRead, message: &mut Vec<u8>) -> io::Result<usize> {
    let mut read = 0;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(read);
        }
        // A LF right at the start is the tail of the last message's CR LF.
        let skip = if message.is_empty() {
            available.iter().take_while(|b| **b == b'\n').count()
        } else {
            0
        };
        let rest = &available[skip..];
        match rest.iter().position(|b| matches!(b, b'\r' | b'\n')) {
            Some(end) => {
                message.extend_from_slice(&rest[..=end]);
                reader.consume(skip + end + 1);
                return Ok(read + skip + end + 1);
            }
            None => {
                message.extend_from_slice(rest);
                let n = available.len();
                reader.consume(n);
                read += n;
            }
        }
    }
}
