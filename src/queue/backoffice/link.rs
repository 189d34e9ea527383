//! Watching the link to the ILS: what it was last found to be (online, offline, refusing the
//! kiosk), telling the session once per change, looking again on a backoff schedule while it is
//! down, reading the password again while the ILS refuses it, and the notes `kiosk queue
//! status` and `kiosk diag` read from the journal.

use super::*;
use std::time::Instant;

/// Longest wait between looks at a link that is down, for adapters that do not keep their own
/// schedule (FOLIO, Koha); SIP2 reconnects on its own, up to `reconnect_max_secs`.
const LINK_CHECK_MAX: Duration = Duration::from_secs(60);

/// When to look again at a link the adapter does not watch itself (the HTTP adapters): 1, 2,
/// 4 … s after each failed look, as SIP2 reconnects.
#[derive(Debug, Default)]
pub(super) struct LinkChecks {
    failed: u32,
    next: Option<Instant>,
}

impl LinkChecks {
    fn failed_now(&mut self) -> Duration {
        self.failed += 1;
        let wait = crate::ils::reconnect_backoff(self.failed, LINK_CHECK_MAX);
        self.next = Some(Instant::now() + wait);
        wait
    }

    fn due_in(&self) -> Duration {
        self.next.map_or(Duration::ZERO, |at| {
            at.saturating_duration_since(Instant::now())
        })
    }
}

impl BackOffice {
    /// Where the password is read again while the ILS refuses the kiosk's login.
    pub fn with_password_source(mut self, source: PasswordSource) -> Self {
        self.password = Some(source);
        self
    }

    /// The link as found at start (before the worker runs).
    pub fn start_with_link(&mut self, link: Link) {
        self.set_link(link);
        self.link_change = None;
    }

    pub fn is_online(&self) -> Option<bool> {
        self.link.map(Link::is_online)
    }

    pub fn link(&self) -> Option<Link> {
        self.link
    }

    /// The link's new state, once per change.
    pub fn take_link_change(&mut self) -> Option<Link> {
        self.link_change.take()
    }

    pub(super) fn note_link<T>(&mut self, result: &Result<T, IlsError>) {
        let link = match result {
            Err(error) if error.is_link_failure() => Link::Offline,
            // The ILS answers, but not to the kiosk: that is not online.
            Err(IlsError::LoginRefused(_) | IlsError::Misconfigured(_)) => Link::Refused,
            Err(IlsError::Storage(_)) => return,
            _ => Link::Online,
        };
        self.set_link(link);
        self.note_charset();
    }

    pub(super) fn set_link(&mut self, link: Link) {
        if self.link == Some(link) {
            return;
        }
        tracing::info!(link = link.as_str(), "the ILS link changed");
        let was = self.link.replace(link);
        self.link_change = Some(link);
        let note = serde_json::json!({
            "online": link.is_online(),
            "state": link.as_str(),
            "since": Utc::now().to_rfc3339(),
        });
        self.note("link", note);
        if link.is_online() {
            self.checks = LinkChecks::default();
            // What waited out a backoff because the link was down goes now.
            if was.is_some()
                && let Err(error) = self.journal.clear_backoff()
            {
                tracing::warn!(%error, "cannot make the queue go now");
            }
        } else if was.is_some_and(Link::is_online) {
            // Just found down by a request: the next look is one step away, not at once.
            self.checks.failed_now();
        }
    }

    /// A note for `kiosk queue status` and `kiosk diag`, which read the journal.
    pub(super) fn note(&mut self, key: &str, value: serde_json::Value) {
        if let Err(error) = self.journal.set_meta(key, &value.to_string()) {
            tracing::warn!(%error, key, "cannot write a note in the journal");
        }
    }

    /// Replies in another charset than the configured one: noted once, for diagnostics.
    fn note_charset(&mut self) {
        if self.charset_noted {
            return;
        }
        if let Some(warning) = self.ils.charset_warning() {
            self.charset_noted = true;
            let note = serde_json::json!({"warning": warning, "since": Utc::now().to_rfc3339()});
            self.note("ils_charset", note);
        }
    }

    /// Whether the adapter keeps its own schedule for the link (SIP2 heartbeats and
    /// reconnects); the HTTP adapters are looked at from here while the link is down.
    fn adapter_watches_link(&self) -> bool {
        self.ils.keep_alive_in().is_some()
    }

    fn link_is_down(&self) -> bool {
        self.link.is_some_and(|link| !link.is_online())
    }

    /// While the ILS refuses the kiosk's login, the password is read again before each
    /// attempt, so fixing the secrets file is enough.
    fn reread_password(&mut self) {
        if self.link == Some(Link::Refused)
            && let Some(password) = self.password.as_mut().and_then(|read| read())
        {
            self.ils.set_password(password);
        }
    }

    /// Keeps the link alive, and finds out whether it is back: at most once per backoff step
    /// while it is down, never in a loop.
    pub fn keep_alive(&mut self) {
        if self.link_is_down() && !self.adapter_watches_link() {
            if !self.checks.due_in().is_zero() {
                return;
            }
            self.reread_password();
            let result = self.ils.check_link();
            if let Err(error) = &result {
                let wait = self.checks.failed_now();
                tracing::warn!(%error, next_look_secs = wait.as_secs(), "the ILS is still not usable");
            }
            self.note_link(&result);
            return;
        }
        if self.ils.keep_alive_in().is_none_or(|wait| wait.is_zero()) {
            self.reread_password();
        }
        let result = self.ils.keep_alive();
        if let Err(error) = &result {
            tracing::debug!(%error, "ILS link check failed");
        }
        self.note_link(&result);
    }

    /// How long until [`BackOffice::keep_alive`] has something to do; `None`: nothing to watch.
    pub fn keep_alive_in(&self) -> Option<Duration> {
        match self.ils.keep_alive_in() {
            Some(wait) => Some(wait),
            None if self.link_is_down() => Some(self.checks.due_in()),
            None => None,
        }
    }
}
