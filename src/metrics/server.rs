//! `GET /metrics` for Prometheus, on threads of its own: an acceptor and a few workers behind a
//! bounded queue. A scraper that is slow, silent or hostile holds one worker for at most
//! [`REQUEST_DEADLINE`]; when every worker is busy and the queue is full, new connections get a
//! 503 at once. The session loop never waits for any of it. Requests are parsed by `httparse`
//! (hyper's parser); one request per connection.

use super::Metrics;
use crate::config::secrets::Secret;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Scrapes answered at once.
const WORKERS: usize = 4;
/// Connections accepted and waiting for a worker; beyond them, 503.
const WAITING: usize = 64;
/// A request must arrive whole within this.
const REQUEST_DEADLINE: Duration = Duration::from_secs(2);
/// The answer must be taken within this.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// A scrape's request is a few hundred bytes; more is not a scrape.
const MAX_REQUEST: usize = 8 * 1024;
const MAX_HEADERS: usize = 32;

/// The endpoint, serving until the process ends.
pub struct Endpoint {
    pub local_addr: SocketAddr,
}

/// Binds `listen` and serves `metrics` there; with a `token`, only scrapes that send it as
/// `Authorization: Bearer …` get them.
pub fn serve(
    listen: SocketAddr,
    token: Option<Secret>,
    metrics: Arc<Metrics>,
) -> io::Result<Endpoint> {
    let listener = TcpListener::bind(listen)?;
    let local_addr = listener.local_addr()?;
    let (queue, waiting) = mpsc::sync_channel::<TcpStream>(WAITING);
    let waiting = Arc::new(Mutex::new(waiting));
    let access = Arc::new(Access { token });
    for n in 0..WORKERS {
        let waiting = Arc::clone(&waiting);
        let metrics = Arc::clone(&metrics);
        let access = Arc::clone(&access);
        std::thread::Builder::new()
            .name(format!("metrics-{n}"))
            .spawn(move || {
                yield_to_readers();
                work(&waiting, &metrics, &access)
            })?;
    }
    std::thread::Builder::new()
        .name("metrics-accept".into())
        .spawn(move || {
            yield_to_readers();
            accept(&listener, &queue)
        })?;
    tracing::info!(%local_addr, token = access_kind(&access), "metrics served at /metrics");
    Ok(Endpoint { local_addr })
}

/// How much lower the endpoint's threads run than the session's (nice, 0–19).
const NICER: libc::c_int = 10;

/// The calling thread gives way to the session loop and the ILS worker when the CPU is short:
/// a storm of scrapes must not slow a reader's loan down.
fn yield_to_readers() {
    // SAFETY: gettid and setpriority take and return plain integers; PRIO_PROCESS with a
    // thread id changes that thread's nice value only (Linux).
    let result = unsafe {
        let thread = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, thread as libc::id_t, NICER)
    };
    if result != 0 {
        tracing::debug!(error = %io::Error::last_os_error(), "the metrics thread keeps its priority");
    }
}

fn access_kind(access: &Access) -> &'static str {
    if access.token.is_some() {
        "bearer token required"
    } else {
        "no token"
    }
}

fn accept(listener: &TcpListener, queue: &SyncSender<TcpStream>) {
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(error) => {
                // Out of file descriptors, say: wait a little rather than spin.
                tracing::debug!(%error, "a metrics connection could not be accepted");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        match queue.try_send(stream) {
            Ok(()) => {}
            Err(TrySendError::Full(stream)) => refuse_busy(stream),
            Err(TrySendError::Disconnected(_)) => return,
        }
    }
}

/// Every worker busy and the queue full: 503 at once. The request is read off first (briefly)
/// so that closing does not reset the connection and lose the answer.
fn refuse_busy(mut stream: TcpStream) {
    // The send buffer of a new connection is empty: this write does not block.
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    let _ = stream.write_all(&answer(503, "busy: try again", &[("Retry-After", "1")]));
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    let mut drain = [0u8; 1024];
    let _ = stream.read(&mut drain);
}

fn work(waiting: &Mutex<Receiver<TcpStream>>, metrics: &Metrics, access: &Access) {
    loop {
        let next = match waiting.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(mut stream) = next else {
            return;
        };
        let reply = match read_request(&mut stream) {
            Ok(head) => respond(&head, metrics, access),
            Err(status) => answer(status, reason(status), &[]),
        };
        let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        let _ = stream.write_all(&reply);
        let _ = stream.flush();
    }
}

/// What the answer depends on.
struct Head {
    method: String,
    path: String,
    authorization: Option<Vec<u8>>,
}

/// Reads one request's head within the deadline; an HTTP status for what is wrong with it.
fn read_request(stream: &mut TcpStream) -> Result<Head, u16> {
    let deadline = Instant::now() + REQUEST_DEADLINE;
    let mut buffer = vec![0u8; MAX_REQUEST];
    let mut filled = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(408);
        }
        stream.set_read_timeout(Some(left)).map_err(|_| 400u16)?;
        let n = match stream.read(&mut buffer[filled..]) {
            Ok(0) => return Err(400),
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(408);
            }
            Err(_) => return Err(400),
        };
        filled += n;
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buffer[..filled]) {
            Ok(httparse::Status::Complete(_)) => {
                let authorization = request
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("authorization"))
                    .map(|h| h.value.to_vec());
                return Ok(Head {
                    method: request.method.unwrap_or_default().to_owned(),
                    path: request.path.unwrap_or_default().to_owned(),
                    authorization,
                });
            }
            Ok(httparse::Status::Partial) if filled == buffer.len() => return Err(431),
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => return Err(431),
            Err(_) => return Err(400),
        }
    }
}

struct Access {
    token: Option<Secret>,
}

impl Access {
    fn allows(&self, authorization: Option<&[u8]>) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        let expected = format!("Bearer {}", token.expose());
        authorization.is_some_and(|given| same_bytes(given, expected.as_bytes()))
    }
}

/// Compares in a time that does not depend on where the bytes differ (a token is a secret).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

fn respond(head: &Head, metrics: &Metrics, access: &Access) -> Vec<u8> {
    let path = head.path.split('?').next().unwrap_or_default();
    if !matches!(head.method.as_str(), "GET" | "HEAD") {
        return answer(405, reason(405), &[("Allow", "GET, HEAD")]);
    }
    if path != "/metrics" {
        return answer(404, "not found: the metrics are at /metrics", &[]);
    }
    if !access.allows(head.authorization.as_deref()) {
        return answer(
            401,
            reason(401),
            &[("WWW-Authenticate", "Bearer realm=\"kiosk\"")],
        );
    }
    let body = metrics.render();
    let mut reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        Metrics::content_type(),
        body.len()
    )
    .into_bytes();
    if head.method == "GET" {
        reply.extend_from_slice(body.as_bytes());
    }
    reply
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "bad request",
        401 => "unauthorized: send the bearer token (metrics_token)",
        404 => "not found",
        405 => "method not allowed: GET /metrics",
        408 => "request timeout",
        431 => "request header fields too large",
        503 => "service unavailable",
        _ => "error",
    }
}

fn answer(status: u16, text: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    let phrase = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {phrase}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        text.len() + 1
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut reply = head.into_bytes();
    reply.extend_from_slice(text.as_bytes());
    reply.push(b'\n');
    reply
}
