//! Supervision by systemd (`Type=notify`): `READY=1` once the journal is open and the attract
//! screen is up, `WATCHDOG=1` from the session loop while it turns (and, with a window, while
//! the window's thread turns too), `STATUS=` with what the machine is doing, `STOPPING=1` on the
//! way out. Without `NOTIFY_SOCKET` (a shell, the tests, the demo) every call does nothing.
//! The protocol itself is the `sd-notify` crate's.

use kiosk_core::circ::{Page, Reason, Screen};
use sd_notify::NotifyState;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The window's thread, as the session loop sees it: the milliseconds since `since` at which it
/// last turned.
#[derive(Debug, Clone)]
pub struct Heartbeat {
    since: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Default for Heartbeat {
    fn default() -> Self {
        Heartbeat {
            since: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Heartbeat {
    /// Called by the thread watched, each time it turns.
    pub fn beat(&self) {
        let ms = self.since.elapsed().as_millis() as u64;
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn age(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.since.elapsed().saturating_sub(last)
    }
}

/// What the session loop tells systemd.
pub struct Supervision {
    /// Pings are due this often (half of systemd's `WatchdogSec=`); `None`: no watchdog.
    ping_every: Option<Duration>,
    last_ping: Option<Instant>,
    /// Another thread that must be alive for the pings to go on (the window's).
    watched: Option<Heartbeat>,
    ready: bool,
    status: String,
    /// The screen last shown (the status is said again when the queue changes under it).
    screen: Option<Screen>,
    /// The queue count the status was last made from.
    waiting: Option<u64>,
}

impl Supervision {
    /// As systemd set the process up (`NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`).
    pub fn from_env() -> Supervision {
        let ping_every = sd_notify::watchdog_enabled().map(|timeout| timeout / 2);
        if let Some(every) = ping_every {
            tracing::info!(every_ms = every.as_millis() as u64, "systemd watchdog on");
        }
        Supervision {
            ping_every,
            last_ping: None,
            watched: None,
            ready: false,
            status: String::new(),
            screen: None,
            waiting: None,
        }
    }

    /// The pings also stop when this thread stops turning.
    pub fn watching(mut self, heartbeat: Heartbeat) -> Supervision {
        self.watched = Some(heartbeat);
        self
    }

    fn notify(states: &[NotifyState]) {
        if let Err(error) = sd_notify::notify(states) {
            tracing::debug!(%error, "systemd notification not sent");
        }
    }

    /// The screen changed; `waiting` is how many transactions the ILS has still to receive.
    pub fn screen(&mut self, screen: &Screen, waiting: Option<u64>) {
        self.screen = Some(screen.clone());
        self.say_status(waiting);
    }

    /// Says the status again if the queue changed it (called on every turn of the loop).
    pub fn refresh(&mut self, waiting: Option<u64>) {
        if waiting != self.waiting {
            self.say_status(waiting);
        }
    }

    fn say_status(&mut self, waiting: Option<u64>) {
        let Some(screen) = &self.screen else {
            return;
        };
        self.waiting = waiting;
        let status = status_line(screen, waiting);
        if status != self.status {
            Self::notify(&[NotifyState::Status(&status)]);
            self.status = status;
        }
        if !self.ready {
            // The journal is open (the worker started on it) and the first screen is out.
            self.ready = true;
            Self::notify(&[NotifyState::Ready]);
        }
    }

    /// The session loop turned: a ping when one is due and the watched thread turns too.
    pub fn alive(&mut self, now: Instant) {
        let Some(every) = self.ping_every else {
            return;
        };
        if self.last_ping.is_some_and(|last| now < last + every) {
            return;
        }
        // A window that has not turned for a whole watchdog period is hung: no ping, and
        // systemd restarts the kiosk.
        if self.watched.as_ref().is_some_and(|h| h.age() > every * 2) {
            return;
        }
        self.last_ping = Some(now);
        Self::notify(&[NotifyState::Watchdog]);
    }

    pub fn stopping(&mut self) {
        Self::notify(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
    }
}

/// On SIGTERM (systemd stopping the kiosk, a package upgrade) or SIGINT: the session loop is
/// told to finish what is under way and stop, and `then` runs (the window closes its loop).
pub fn on_termination(
    inbox: std::sync::mpsc::Sender<super::runtime::Inbound>,
    then: impl Fn() + Send + 'static,
) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                tracing::info!(signal, "stop requested");
                let _ = inbox.send(super::runtime::Inbound::Stop);
                then();
            }
        })?;
    Ok(())
}

/// `in service`, `in service, offline, 3 waiting`, `out of service: RFID` — what `systemctl
/// status kiosk` shows a technician.
pub fn status_line(screen: &Screen, waiting: Option<u64>) -> String {
    let mut line = match (&screen.page, screen.notice.as_ref().map(|n| &n.reason)) {
        (Page::OutOfService, Some(Reason::OutOfService { fault })) => {
            format!("out of service: {fault}")
        }
        (Page::OutOfService, _) => "out of service".to_owned(),
        _ => "in service".to_owned(),
    };
    if screen.offline {
        line.push_str(", offline");
    }
    if let Some(n) = waiting.filter(|n| *n > 0) {
        line.push_str(&format!(", {n} waiting for the ILS"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_core::circ::{Language, Refusal};

    #[test]
    fn the_status_says_service_link_and_queue() {
        let mut screen = Screen::blank(Page::Idle, Language::En);
        assert_eq!(status_line(&screen, Some(0)), "in service");
        screen.offline = true;
        assert_eq!(
            status_line(&screen, Some(3)),
            "in service, offline, 3 waiting for the ILS"
        );
        screen.page = Page::OutOfService;
        screen.offline = false;
        screen.notice = Some(Refusal::new(Reason::OutOfService {
            fault: "ILS".into(),
        }));
        assert_eq!(status_line(&screen, None), "out of service: ILS");
    }

    #[test]
    fn pings_stop_when_the_watched_thread_stops() {
        let mut supervision = Supervision {
            ping_every: Some(Duration::from_millis(10)),
            last_ping: None,
            watched: None,
            ready: false,
            status: String::new(),
            screen: None,
            waiting: None,
        };
        let heartbeat = Heartbeat::default();
        supervision = supervision.watching(heartbeat.clone());
        heartbeat.beat();
        let start = Instant::now();
        supervision.alive(start);
        assert_eq!(supervision.last_ping, Some(start));
        std::thread::sleep(Duration::from_millis(30));
        let later = Instant::now();
        supervision.alive(later);
        assert_eq!(
            supervision.last_ping,
            Some(start),
            "the window is hung: no ping"
        );
        heartbeat.beat();
        supervision.alive(later);
        assert_eq!(supervision.last_ping, Some(later));
    }
}
