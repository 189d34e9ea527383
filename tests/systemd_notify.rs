//! The kiosk under systemd (`Type=notify`), with the test as the service manager: a Unix datagram
//! socket in `NOTIFY_SOCKET` and a `WATCHDOG_USEC`. It must say `READY=1` once it serves, ping
//! the watchdog while its session loop turns (and stop when the loop hangs, so systemd restarts
//! it), tell what it is doing in `STATUS=` (and tell again when the ILS goes away and a loan
//! waits), and say `STOPPING=1` when SIGTERM asks it to stop.

mod common;

use common::live::LiveKiosk;
use common::*;
use std::os::unix::net::UnixDatagram;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the kiosk told the service manager, with when.
struct Manager {
    heard: Arc<Mutex<Vec<(Instant, String)>>>,
    path: std::path::PathBuf,
}

impl Manager {
    fn listen(dir: &std::path::Path) -> Manager {
        let path = dir.join("notify.sock");
        let socket = UnixDatagram::bind(&path).unwrap();
        let heard = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&heard);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = socket.recv(&mut buffer) {
                let text = String::from_utf8_lossy(&buffer[..n]).into_owned();
                for line in text.lines() {
                    sink.lock().unwrap().push((Instant::now(), line.to_owned()));
                }
            }
        });
        Manager { heard, path }
    }

    fn env(&self, watchdog: Duration) -> Vec<(&'static str, String)> {
        vec![
            ("NOTIFY_SOCKET", self.path.display().to_string()),
            ("WATCHDOG_USEC", watchdog.as_micros().to_string()),
        ]
    }

    fn lines(&self) -> Vec<String> {
        self.heard
            .lock()
            .unwrap()
            .iter()
            .map(|(_, l)| l.clone())
            .collect()
    }

    fn pings_between(&self, from: Instant, to: Instant) -> usize {
        self.heard
            .lock()
            .unwrap()
            .iter()
            .filter(|(at, l)| l == "WATCHDOG=1" && *at >= from && *at < to)
            .count()
    }

    #[track_caller]
    fn wait_for(&self, line: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !self.lines().iter().any(|l| l == line) {
            assert!(
                Instant::now() < deadline,
                "no {line:?} within {limit:?}; heard {:?}",
                self.lines()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn statuses(&self) -> Vec<String> {
        self.lines()
            .into_iter()
            .filter_map(|l| l.strip_prefix("STATUS=").map(str::to_owned))
            .collect()
    }
}

fn start(config: &std::path::Path, env: &[(&'static str, String)]) -> LiveKiosk {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    LiveKiosk::start(config, &env)
}

#[test]
fn ready_watchdog_status_and_stopping_as_systemd_expects() {
    let dir = tempfile::tempdir().unwrap();
    let manager = Manager::listen(dir.path());
    let port = free_port();
    let served = serve(&["--sip2", &format!("127.0.0.1:{port}")], port);
    let config = config_in(dir.path(), |text| {
        text.replace(
            "kind = \"sim\"",
            &format!(
                "kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\n\
                 institution = \"SIM\"\nreconnect_max_secs = 1\n"
            ),
        )
    });
    let mut kiosk = start(&config, &manager.env(Duration::from_millis(600)));
    manager.wait_for("READY=1", Duration::from_secs(20));
    manager.wait_for("STATUS=in service", Duration::from_secs(5));

    // Pinged while it turns: every 300 ms is asked for (half the watchdog time).
    let from = Instant::now();
    std::thread::sleep(Duration::from_secs(2));
    let pings = manager.pings_between(from, Instant::now());
    assert!((3..=10).contains(&pings), "{pings} pings in 2 s");

    // The ILS goes away; a reader borrows offline: the status says both.
    drop(served);
    kiosk.send(r#"{"scan": "20234000000019"}"#);
    kiosk.send(r#"{"pin": "1234"}"#);
    kiosk.send(r#"{"scan": "30234000001015"}"#);
    let limit = Duration::from_secs(20);
    let queued = kiosk.wait_until(limit, |_| {
        manager
            .statuses()
            .iter()
            .any(|s| s == "in service, offline, 1 waiting for the ILS")
    });
    assert!(
        queued.is_some(),
        "statuses {:?}\nscreens {:?}\nlog:\n{}",
        manager.statuses(),
        kiosk.screens(),
        kiosk.log()
    );

    kiosk.signal(libc::SIGTERM);
    manager.wait_for("STOPPING=1", Duration::from_secs(10));
    let (ok, _, log) = kiosk.finish();
    assert!(ok, "stopped cleanly on SIGTERM:\n{log}");
    assert!(log.contains("stop requested"), "{log}");
}

#[test]
fn a_hung_session_loop_stops_the_watchdog_pings() {
    let dir = tempfile::tempdir().unwrap();
    let manager = Manager::listen(dir.path());
    let config = config_in(dir.path(), |text| text);
    let mut kiosk = start(&config, &manager.env(Duration::from_millis(400)));
    manager.wait_for("READY=1", Duration::from_secs(20));
    let from = Instant::now();
    std::thread::sleep(Duration::from_secs(1));
    assert!(manager.pings_between(from, Instant::now()) >= 2);

    kiosk.send(r#""freeze_session""#);
    let frozen = kiosk.wait_until(Duration::from_secs(5), |k| {
        k.log().contains("session loop frozen on purpose")
    });
    assert!(frozen.is_some(), "{}", kiosk.log());
    let from = Instant::now();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        manager.pings_between(from, Instant::now()),
        0,
        "a hung loop must not ping: systemd restarts it"
    );
    kiosk.kill();
}
