//! The SC side of a SIP2 link: connect (TCP or TLS), log in, keep the link alive, and carry one
//! request at a time through the error-detection rules of the standard.
//!
//! - timeout → a request that changes nothing (status, patron or item information) is sent
//!   again, up to the retry limit, then the link is down; one that changes something (checkout,
//!   checkin, renew, fee paid) is never sent again blindly: nothing obliges an ACS to recognise
//!   a repeat, and a checkout run twice is a renewal. Its outcome is unknown, the connection is
//!   kept (so what is asked next is answered after it), and the caller settles it by asking;
//! - a late reply (to a request that timed out) is discarded by its sequence number, or by its
//!   code, whenever it arrives;
//! - a reply with a bad checksum (or unreadable) → `97`, asking the ACS to send it again;
//! - `96` → send the request again, unless the last thing sent was a `97` (then the link is down);
//! - a reply with the wrong AY → discarded, keep waiting;
//! - a cap on all of the above, so a confused ACS cannot keep the kiosk in a loop.

use super::charset::Charset;
use super::codec::{decode_reply, encode_request};
use super::connection::{Connection, ReadError};
use super::frame::{ChecksumCheck, DecodeError, EncodeError, Framing, Terminator};
use super::replies::{AcsStatus, Reply};
use super::requests::{Login, Request, ScStatus};
use super::tls::{self, TlsSettings};
use crate::config::secrets::Secret;
use std::time::{Duration, Instant};
use thiserror::Error;

#[derive(Debug, Clone)]
pub struct LinkSettings {
    pub host: String,
    pub port: u16,
    pub tls: Option<TlsSettings>,
    pub framing: Framing,
    pub connect_timeout: Duration,
    /// How long to wait for each reply.
    pub timeout: Duration,
    /// Retransmissions after a timeout before the link counts as down.
    pub retries: u32,
    /// Use the timeout and retries the ACS announces in its 98 reply, when it does.
    pub use_acs_timeouts: bool,
    /// An idle link gets a 99 this often, well inside the ACS's idle timeout.
    pub heartbeat: Duration,
    /// Cap on 96/97 exchanges and discarded replies for one request.
    pub max_resends: u32,
    /// Longest wait between reconnection attempts.
    pub max_backoff: Duration,
    /// How often an idle connection is looked at (without sending anything) to notice that
    /// the ACS closed it, so a lost ACS is noticed, and reconnected to, within this time.
    pub liveness: Duration,
    pub login: Option<LoginSettings>,
    /// `terminator = "auto"`: end requests as the ACS ends its replies, starting with
    /// `framing.terminator` (see [`Sip2Client::sending`]).
    pub detect_terminator: bool,
}

#[derive(Debug, Clone)]
pub struct LoginSettings {
    pub user: String,
    pub password: Secret,
    pub location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    /// No answer. `sent` says whether the request may have reached the ACS (its outcome is then
    /// unknown and must be reconciled before anything is repeated).
    #[error("{reason}")]
    Down { reason: String, sent: bool },
    #[error("the ACS refused the login of user {user:?}")]
    LoginRefused { user: String },
    /// The ACS answers, but not to messages framed as the settings make them.
    #[error("{0}")]
    Misconfigured(String),
    #[error("the ACS's reply cannot be understood: {0}")]
    BadReply(String),
    #[error("the request cannot be encoded: {0}")]
    Encode(#[from] EncodeError),
}

fn down(reason: impl Into<String>, sent: bool) -> LinkError {
    LinkError::Down {
        reason: reason.into(),
        sent,
    }
}

pub struct Sip2Client {
    settings: LinkSettings,
    connection: Option<Connection>,
    sequence: u8,
    acs: Option<AcsStatus>,
    last_exchange: Instant,
    failures: u32,
    retry_at: Option<Instant>,
    /// The reply code a request that timed out still owes on this connection: its late reply
    /// is discarded when it comes.
    owed: Option<&'static str>,
    /// Why the last connection attempt failed: what is said until the next one, so a refused
    /// login is not taken for an outage meanwhile.
    last_failure: Option<LinkError>,
    /// Replies the configured charset could not decode (a UTF-8 kiosk and a cp850 ACS).
    charset_suspect: Option<String>,
    /// What ends the kiosk's requests: the configured terminator, or (detecting) what the ACS
    /// was last seen to end its replies with.
    sending: Terminator,
    /// Detecting: whether the ACS has ever answered (until it has, each failed connection
    /// attempt tries the other of CR and CR LF).
    heard: bool,
}

use crate::ils::reconnect_backoff as backoff;

impl Sip2Client {
    pub fn new(settings: LinkSettings) -> Self {
        Sip2Client {
            sending: settings.framing.terminator,
            settings,
            connection: None,
            sequence: 9,
            acs: None,
            last_exchange: Instant::now(),
            failures: 0,
            retry_at: None,
            owed: None,
            last_failure: None,
            charset_suspect: None,
            heard: false,
        }
    }

    /// What the kiosk ends its requests with now.
    pub fn sending(&self) -> Terminator {
        self.sending
    }

    /// Detecting: takes up what the ACS ended its last reply with.
    fn follow_ending(&mut self) {
        if !self.settings.detect_terminator {
            return;
        }
        self.heard = true;
        let seen = self.connection.as_ref().and_then(Connection::ending);
        if let Some(ending) = seen.filter(|e| *e != self.sending) {
            tracing::info!(?ending, "the ACS ends its messages so; the kiosk does too");
            self.sending = ending;
        }
    }

    /// Why replies look like another charset than the configured one, once seen.
    pub fn charset_warning(&self) -> Option<&str> {
        self.charset_suspect.as_deref()
    }

    /// The kiosk's password for the next login (the secrets file was read again).
    pub fn set_password(&mut self, password: Secret) {
        if let Some(login) = self.settings.login.as_mut() {
            login.password = password;
        }
    }

    /// The ACS's last status (98), if connected since start.
    pub fn acs_status(&self) -> Option<&AcsStatus> {
        self.acs.as_ref()
    }

    /// The ACS's TLS certificate (DER), while connected over TLS.
    pub fn peer_certificate(&self) -> Option<Vec<u8>> {
        self.connection.as_ref()?.peer_certificate()
    }

    pub fn is_connected(&self) -> bool {
        self.connection.is_some()
    }

    /// Sends a request and returns the ACS's reply, connecting (and logging in) first if needed.
    /// A request that changes nothing is tried once more on a fresh connection if the link broke.
    pub fn request(&mut self, request: &Request) -> Result<Reply, LinkError> {
        if self.owed.is_some_and(|code| code == request.reply_code())
            && !self.settings.framing.error_detection
        {
            // Without sequence numbers a late reply could pass for this request's.
            tracing::info!("a late reply may still come on this connection; reconnecting first");
            self.disconnect();
        }
        self.ensure_connected()?;
        match self.exchange(request) {
            Err(LinkError::Down { .. }) if request.is_idempotent() => {
                self.disconnect();
                self.ensure_connected()?;
                self.exchange(request).inspect_err(|_| self.disconnect())
            }
            Err(error) => {
                // A request that timed out keeps its connection: what is asked next to settle
                // its outcome is then answered after it.
                let timed_out = self.owed.is_some() && !request.is_idempotent();
                if matches!(
                    error,
                    LinkError::Down { .. } | LinkError::BadReply(_) | LinkError::Misconfigured(_)
                ) && !timed_out
                {
                    self.disconnect();
                }
                Err(error)
            }
            ok => ok,
        }
    }

    /// How long until [`Sip2Client::keep_alive`] has something to do: the next heartbeat, the
    /// next look at an idle connection, or (disconnected) the next connection attempt.
    pub fn next_heartbeat(&self) -> Duration {
        let now = Instant::now();
        if self.connection.is_none() {
            return self
                .retry_at
                .map_or(Duration::ZERO, |at| at.saturating_duration_since(now));
        }
        (self.last_exchange + self.settings.heartbeat)
            .saturating_duration_since(now)
            .min(self.settings.liveness)
    }

    /// Sends a 99 when the link has been idle for the heartbeat period, notices a connection
    /// the ACS closed, and reconnects a dropped link when its backoff has passed.
    pub fn keep_alive(&mut self) -> Result<(), LinkError> {
        let heartbeat_due = (self.last_exchange + self.settings.heartbeat)
            .saturating_duration_since(Instant::now())
            .is_zero();
        if self.connection.is_none() || !heartbeat_due {
            // Connecting exchanges a 99/98 already; an open connection is only looked at.
            return self.ensure_connected();
        }
        tracing::debug!("SIP2 heartbeat");
        let status = self.sc_status_request();
        self.request(&status).map(|reply| self.note_status(reply))
    }

    /// An SC status (99) now, connecting first if needed: whether the ACS answers at all.
    pub fn check(&mut self) -> Result<(), LinkError> {
        let status = self.sc_status_request();
        self.request(&status).map(|reply| self.note_status(reply))
    }

    fn sc_status_request(&self) -> Request {
        Request::ScStatus(ScStatus {
            status: 0,
            max_print_width: 40,
            protocol_version: "2.00".into(),
        })
    }

    fn note_status(&mut self, reply: Reply) {
        if let Reply::AcsStatus(status) = reply {
            if !status.online {
                tracing::warn!("the ACS reports it is off-line");
            }
            self.acs = Some(status);
        }
    }

    pub fn disconnect(&mut self) {
        self.connection = None;
        self.owed = None;
    }

    fn ensure_connected(&mut self) -> Result<(), LinkError> {
        if let Some(connection) = self.connection.as_mut() {
            match connection.take_unasked() {
                Ok(late) => {
                    for message in late {
                        self.discard_late(&message);
                    }
                    return Ok(());
                }
                Err(error) => {
                    tracing::info!(
                        ?error,
                        "the ACS closed the idle SIP2 connection; reconnecting"
                    );
                    self.disconnect();
                }
            }
        }
        if let Some(at) = self.retry_at {
            let wait = at.saturating_duration_since(Instant::now());
            if !wait.is_zero() {
                let next = format!("next attempt in {} s", wait.as_secs() + 1);
                return Err(match &self.last_failure {
                    Some(
                        refused @ (LinkError::LoginRefused { .. } | LinkError::Misconfigured(_)),
                    ) => refused.clone(),
                    Some(LinkError::Down { reason, .. }) => {
                        down(format!("the ACS is unreachable ({reason}); {next}"), false)
                    }
                    _ => down(format!("the ACS is unreachable; {next}"), false),
                });
            }
        }
        match self.connect() {
            Ok(()) => {
                self.failures = 0;
                self.retry_at = None;
                self.last_failure = None;
                Ok(())
            }
            Err(error) => {
                self.disconnect();
                if self.settings.detect_terminator
                    && !self.heard
                    && matches!(error, LinkError::Down { sent: true, .. })
                {
                    // Sent and never answered: an ACS that reads up to an LF waits for the rest
                    // of a message ended by CR alone. The next attempt ends it the other way.
                    self.sending = match self.sending {
                        Terminator::Cr => Terminator::Crlf,
                        _ => Terminator::Cr,
                    };
                    tracing::info!(terminator = ?self.sending, "no answer yet; trying the other terminator");
                }
                self.last_failure = Some(error.clone());
                self.failures += 1;
                let wait = backoff(self.failures, self.settings.max_backoff);
                self.retry_at = Some(Instant::now() + wait);
                // One line per attempt, and attempts are one backoff step apart.
                tracing::warn!(%error, next_attempt_secs = wait.as_secs(), "SIP2 connection failed");
                Err(error)
            }
        }
    }

    /// A reply that came after its request timed out: its outcome is settled by asking the
    /// ACS, so the reply itself is only logged.
    fn discard_late(&mut self, message: &[u8]) {
        let code = String::from_utf8_lossy(message.get(..2).unwrap_or_default()).into_owned();
        if self.owed.is_some_and(|owed| owed == code) {
            self.owed = None;
        }
        tracing::info!(%code, "a late reply to a request that timed out discarded");
    }

    fn connect(&mut self) -> Result<(), LinkError> {
        let s = &self.settings;
        let tls = match &s.tls {
            None => None,
            Some(settings) => {
                let config =
                    tls::client_config(settings).map_err(|e| down(e.to_string(), false))?;
                let name =
                    tls::server_name(settings, &s.host).map_err(|e| down(e.to_string(), false))?;
                Some((config, name))
            }
        };
        let connection =
            Connection::connect(&s.host, s.port, s.connect_timeout, tls).map_err(|e| {
                down(
                    format!("cannot connect to {}:{}: {e}", s.host, s.port),
                    false,
                )
            })?;
        tracing::info!(host = %s.host, port = s.port, tls = s.tls.is_some(), "SIP2 connected");
        self.connection = Some(connection);
        if let Some(login) = self.settings.login.clone() {
            let request = Request::Login(Login {
                user: login.user.clone(),
                password: login.password,
                location: login.location,
            });
            match self.exchange(&request)? {
                Reply::Login { ok: true } => {
                    tracing::info!(user = %login.user, "SIP2 login accepted")
                }
                _ => return Err(LinkError::LoginRefused { user: login.user }),
            }
        }
        let status = self.sc_status_request();
        let mut answered_before = self.settings.login.is_some();
        if !answered_before && self.sending == Terminator::Crlf {
            // With CR LF, only a second message proves the ACS frames as the kiosk does.
            let reply = self.exchange(&status)?;
            self.note_status(reply);
            answered_before = true;
        }
        let reply = self.exchange(&status).map_err(|error| match error {
            LinkError::Down { .. } if answered_before => self.misframed().unwrap_or(error),
            error => error,
        })?;
        self.note_status(reply);
        self.last_exchange = Instant::now();
        if self.acs.as_ref().is_some_and(|acs| !acs.online) {
            return Err(down("the ACS says it is off-line", false));
        }
        Ok(())
    }

    /// The ACS answered the first message on a connection and not the next: with CR LF, the
    /// LF is taken by an ACS that frames by CR alone as the start of the next message.
    fn misframed(&self) -> Option<LinkError> {
        (self.sending == Terminator::Crlf).then(|| {
            LinkError::Misconfigured(
                "the ACS answered the first message on the connection but not the next: it \
                 frames messages by CR alone, and the LF of the kiosk's CR LF spoils each next \
                 one; set [ils.sip2] terminator = \"cr\""
                    .into(),
            )
        })
    }

    /// Timeout and retries: from the ACS's 98 when allowed and given, else from the settings.
    fn timing(&self) -> (Duration, u32) {
        let mut timeout = self.settings.timeout;
        let mut retries = self.settings.retries;
        if let Some(acs) = self.acs.as_ref().filter(|_| self.settings.use_acs_timeouts) {
            if let Some(tenths) = acs.timeout_tenths.filter(|t| *t > 0) {
                timeout =
                    Duration::from_millis(u64::from(tenths) * 100).max(Duration::from_secs(1));
            }
            if let Some(n) = acs.retries {
                retries = n.min(10);
            }
        }
        (timeout, retries)
    }

    fn next_sequence(&mut self) -> u8 {
        self.sequence = (self.sequence + 1) % 10;
        self.sequence
    }

    fn exchange(&mut self, request: &Request) -> Result<Reply, LinkError> {
        let reply = self.exchange_once(request);
        if reply.is_ok() {
            self.follow_ending();
        }
        reply
    }

    fn exchange_once(&mut self, request: &Request) -> Result<Reply, LinkError> {
        let framing = Framing {
            terminator: self.sending,
            ..self.settings.framing
        };
        let sequence = self.next_sequence();
        let bytes = encode_request(request, sequence, &framing)?;
        let resend_request = encode_request(&Request::ResendLastReply, 0, &framing)?;
        let (timeout, retries) = self.timing();
        let max_resends = self.settings.max_resends;
        let expected = request.reply_code();
        let Sip2Client {
            connection,
            owed,
            charset_suspect,
            last_exchange,
            ..
        } = self;
        let connection = connection
            .as_mut()
            .ok_or_else(|| down("not connected", false))?;
        connection
            .send(&bytes)
            .map_err(|e| down(format!("sending to the ACS failed: {e}"), true))?;
        let (mut timeouts, mut resends, mut last_was_97) = (0, 0, false);
        let mut asked_again = 0;
        let mut deadline = Instant::now() + timeout;
        loop {
            if resends > max_resends {
                if asked_again > max_resends && framing.terminator == Terminator::Crlf {
                    // Every message after the first is "unreadable" to the ACS.
                    return Err(LinkError::Misconfigured(
                        "the ACS asks for every message again (96) after the first on a \
                         connection: it frames messages by CR alone, and the LF of the kiosk's \
                         CR LF spoils each next one; set [ils.sip2] terminator = \"cr\""
                            .into(),
                    ));
                }
                return Err(down(
                    "the ACS keeps sending what cannot be used; giving up",
                    true,
                ));
            }
            let message = match connection.read_message(deadline) {
                Ok(message) => message,
                Err(ReadError::Timeout) if !request.is_idempotent() => {
                    // Never sent again blindly: an ACS that does not recognise the repeat runs
                    // it twice (a second checkout is a renewal). The caller asks what happened.
                    *owed = Some(expected);
                    return Err(down(
                        format!(
                            "no reply from the ACS within {} s; it may have carried the request out",
                            timeout.as_secs_f32()
                        ),
                        true,
                    ));
                }
                Err(ReadError::Timeout) => {
                    if timeouts >= retries {
                        return Err(down(
                            format!("no reply from the ACS after {} tries", timeouts + 1),
                            true,
                        ));
                    }
                    timeouts += 1;
                    tracing::warn!(
                        code = request.code(),
                        attempt = timeouts,
                        "no reply; sending again"
                    );
                    connection
                        .send(&bytes)
                        .map_err(|e| down(format!("sending to the ACS failed: {e}"), true))?;
                    last_was_97 = false;
                    deadline = Instant::now() + timeout;
                    continue;
                }
                Err(ReadError::Closed) => return Err(down("the ACS closed the connection", true)),
                Err(ReadError::TooLong) => {
                    return Err(LinkError::BadReply("a reply without end".into()));
                }
                Err(ReadError::Io(e)) => {
                    return Err(down(format!("reading from the ACS failed: {e}"), true));
                }
            };
            let received = match decode_reply(&message, &framing) {
                Ok(received) => received,
                Err(error @ DecodeError::BadChecksum { .. }) if framing.error_detection => {
                    tracing::warn!(%error, "corrupted reply; asking the ACS to send it again");
                    resends += 1;
                    connection
                        .send(&resend_request)
                        .map_err(|e| down(format!("sending to the ACS failed: {e}"), true))?;
                    last_was_97 = true;
                    deadline = Instant::now() + timeout;
                    continue;
                }
                Err(error) => return Err(LinkError::BadReply(error.to_string())),
            };
            if framing.charset == Charset::Utf8
                && charset_suspect.is_none()
                && std::str::from_utf8(&message).is_err()
            {
                let warning = "the ACS's replies are not valid UTF-8: it probably uses cp850 or \
                               iso-8859-1; set [ils.sip2] charset to match the ACS";
                tracing::warn!("{warning}");
                *charset_suspect = Some(warning.to_owned());
            }
            match received.checksum {
                ChecksumCheck::CodePoints => {
                    tracing::info!("the ACS's checksum sums code points, not bytes; accepted")
                }
                ChecksumCheck::Bytes => tracing::trace!("checksum verified over bytes"),
                ChecksumCheck::Absent => {}
            }
            match received.message {
                Reply::ResendLastRequest if last_was_97 => {
                    return Err(down(
                        "the ACS answered our resend request with its own",
                        true,
                    ));
                }
                Reply::ResendLastRequest => {
                    resends += 1;
                    asked_again += 1;
                    tracing::warn!("the ACS asked for the request again");
                    connection
                        .send(&bytes)
                        .map_err(|e| down(format!("sending to the ACS failed: {e}"), true))?;
                    deadline = Instant::now() + timeout;
                }
                reply
                    if *owed == Some(reply.code())
                        && (reply.code() != expected
                            || (framing.error_detection
                                && received.sequence.is_some_and(|s| s != sequence))) =>
                {
                    *owed = None;
                    tracing::info!(
                        code = reply.code(),
                        "a late reply to a request that timed out discarded"
                    );
                }
                _ if framing.error_detection
                    && received.sequence.is_some_and(|s| s != sequence) =>
                {
                    resends += 1;
                    tracing::warn!(expected = sequence, got = ?received.sequence, "reply with the wrong sequence number discarded");
                }
                reply if reply.code() != expected => {
                    resends += 1;
                    tracing::warn!(
                        expected,
                        got = reply.code(),
                        "reply to another request discarded"
                    );
                }
                reply => {
                    *last_exchange = Instant::now();
                    return Ok(reply);
                }
            }
        }
    }
}
