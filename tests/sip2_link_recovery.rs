//! A kiosk left running while its ACS is away, refuses it, or comes back — as a machine in a
//! library is: `kiosk run --headless` on the real clock, with the pysip2 ACS of
//! tests/interop/fake_ils.py started, stopped and restarted under it.
//!
//! What is measured is what the library notices: whether the machine is out of service or
//! serving, how soon the queue goes once the ACS is back, how often the kiosk knocks, and how much
//! CPU it burns while it waits (a Pi in a closed enclosure).

mod common;
use common::live::LiveKiosk;
use common::pysip2::FakeIls;
use common::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CARD: &str = "20234000000019";
const BOOK: &str = "30234000001015";
/// The longest wait between attempts to reach the ACS in these tests, in seconds.
const BACKOFF_MAX_SECS: u64 = 2;
/// What a busy CI machine may add to a step (start-up of the Python peer's handler, a login).
const SLACK: Duration = Duration::from_secs(3);

/// The example configuration with the ACS expected on `port`, retried every 1, 2, 2 … s, and
/// the password in `secrets` when given (else from the environment).
fn config(dir: &Path, port: u16, secrets: Option<&Path>) -> PathBuf {
    config_in(dir, |text| {
        let text = text.replace(
            "kind = \"sim\"",
            &format!(
                "kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\n\
                 institution = \"INTEROP\"\nlogin_user = \"kiosk\"\nlocation = \"KIOSK-1\"\n\
                 reconnect_max_secs = {BACKOFF_MAX_SECS}\n"
            ),
        );
        match secrets {
            Some(path) => text.replace(
                "# file = \"/etc/kiosk/secrets.toml\"",
                &format!("file = \"{}\"", path.display()),
            ),
            None => text,
        }
    })
}

fn write_secrets(path: &Path, password: &str) {
    use std::os::unix::fs::PermissionsExt;
    // Written whole and renamed, as an editor or a deployment tool does.
    let part = path.with_extension("part");
    std::fs::write(&part, format!("ils_password = \"{password}\"\n")).unwrap();
    std::fs::set_permissions(&part, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::rename(&part, path).unwrap();
}

fn queue_status(config: &Path) -> serde_json::Value {
    staff_json("queue", config, &["status", "--json"])
}

/// The share of one core the kiosk used over `window`.
fn cpu_share(kiosk: &LiveKiosk, window: Duration) -> f64 {
    let before = kiosk.cpu_time();
    let started = Instant::now();
    std::thread::sleep(window);
    let share = (kiosk.cpu_time() - before).as_secs_f64() / started.elapsed().as_secs_f64();
    eprintln!("CPU while waiting: {:.2} % of a core", share * 100.0);
    share
}

/// Above this share of one core, a kiosk that only waits is doing something wrong (it used to
/// spin at 100 %); debug builds and a busy CI machine stay well below.
const IDLE_CPU_MAX: f64 = 0.05;

#[test]
fn an_offline_kiosk_rests_while_it_waits_for_the_acs_started_offline_or_after_an_outage() {
    // Started with nothing listening, at debug level (the log once grew by 60 MB a second).
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), port, None);
    let password = ("KIOSK_ILS_PASSWORD", "pw");
    let kiosk = LiveKiosk::start(&config, &[password, ("RUST_LOG", "debug")]);
    let idle = kiosk.wait_for_page("idle", Duration::from_secs(20));
    assert_eq!(idle["offline"], true);
    // Past the first steps of the backoff, where it waits longest.
    std::thread::sleep(Duration::from_secs(BACKOFF_MAX_SECS + 1));
    let share = cpu_share(&kiosk, Duration::from_secs(6));
    assert!(
        share < IDLE_CPU_MAX,
        "offline and idle: {:.1} % of a core",
        share * 100.0
    );
    let log = kiosk.log();
    assert!(log.len() < 200_000, "{} bytes of log in ~9 s", log.len());
    drop(kiosk);

    // Connected, then the ACS goes away under the idle kiosk.
    let fake = FakeIls::start();
    let dir = tempfile::tempdir().unwrap();
    let config = self::config(dir.path(), fake.port, None);
    let kiosk = LiveKiosk::start(&config, &[password, ("RUST_LOG", "debug")]);
    let idle = kiosk.wait_for_page("idle", Duration::from_secs(20));
    assert_eq!(idle["offline"], false, "{idle}");
    drop(fake);
    let noticed = kiosk.wait_until(Duration::from_secs(15), |k| {
        k.screens().last().is_some_and(|s| s["offline"] == true)
    });
    assert!(noticed.is_some(), "the outage is shown: {}", kiosk.log());
    std::thread::sleep(Duration::from_secs(BACKOFF_MAX_SECS + 1));
    let share = cpu_share(&kiosk, Duration::from_secs(6));
    assert!(
        share < IDLE_CPU_MAX,
        "after an outage: {:.1} % of a core",
        share * 100.0
    );
}

#[test]
fn the_queue_replays_within_one_backoff_step_of_the_acs_coming_back() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), port, None);
    let mut kiosk = LiveKiosk::start(&config, &[("KIOSK_ILS_PASSWORD", "pw")]);
    kiosk.wait_for_page("idle", Duration::from_secs(20));
    for line in [
        format!(r#"{{"scan": "{CARD}"}}"#),
        r#"{"pin": "1234"}"#.into(),
        r#"{"press": "borrow"}"#.into(),
        format!(r#"{{"scan": "{BOOK}"}}"#),
        r#"{"press": "back"}"#.into(),
        r#"{"press": "done"}"#.into(),
        r#"{"press": "no_receipt"}"#.into(),
    ] {
        kiosk.send(&line);
    }
    kiosk.wait_for_page("goodbye", Duration::from_secs(20));
    assert_eq!(
        results(&kiosk.lines()),
        [(BOOK.into(), "borrowed".into(), "".into())],
        "lent offline"
    );
    // Long enough for the backoff to reach its longest step.
    std::thread::sleep(Duration::from_secs(3 * BACKOFF_MAX_SECS));

    let fake = FakeIls::start_with(&["--port", &port.to_string()]);
    let back = Instant::now();
    let line = format!("RAN checkout {BOOK}");
    let replayed = kiosk.wait_until(Duration::from_secs(30), |_| fake.count(&line) == 1);
    let waited = replayed.unwrap_or_else(|| panic!("never replayed: {}", kiosk.log()));
    assert!(
        back.elapsed() <= Duration::from_secs(BACKOFF_MAX_SECS) + SLACK,
        "replayed {waited:?} after the ACS came back"
    );
    let shown = kiosk.wait_until(SLACK, |k| {
        k.screens().last().is_some_and(|s| s["offline"] == false)
    });
    assert!(shown.is_some(), "the kiosk shows itself online again");
}

#[test]
fn a_refused_password_leaves_the_kiosk_up_out_of_service_and_it_serves_once_fixed() {
    let fake = FakeIls::start();
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets.toml");
    write_secrets(&secrets, "not-the-password");
    let config = config(dir.path(), fake.port, Some(&secrets));
    let mut kiosk = LiveKiosk::start(&config, &[("RUST_LOG", "info")]);
    let screen = kiosk.wait_for_page("out_of_service", Duration::from_secs(20));
    assert_eq!(screen["notice"]["fault"], "ILS", "{screen}");

    // It keeps trying, once per backoff step — not once per request, not in a loop.
    let window = Duration::from_secs(6);
    let before = fake.count("LOGIN kiosk refused");
    std::thread::sleep(window);
    let attempts = fake.count("LOGIN kiosk refused") - before;
    assert!(
        (1..=5).contains(&attempts),
        "{attempts} refused logins in {window:?} with attempts {BACKOFF_MAX_SECS} s apart"
    );
    let logged = kiosk.log().matches("refused the login").count();
    let refused = fake.count("LOGIN kiosk refused");
    assert!(
        logged <= refused + 1,
        "the cause is logged once per attempt at most: {logged} lines for {refused} attempts\n{}",
        kiosk.log()
    );
    let status = queue_status(&config);
    assert_eq!(status["link"]["state"], "login_refused", "{status}");

    // The technician fixes the secrets file; nothing is restarted.
    write_secrets(&secrets, "pw");
    let fixed = std::time::Instant::now();
    kiosk.wait_for_page("idle", Duration::from_secs(BACKOFF_MAX_SECS) + SLACK);
    assert!(fixed.elapsed() <= Duration::from_secs(BACKOFF_MAX_SECS) + SLACK);
    kiosk.send(&format!(r#"{{"scan": "{CARD}"}}"#));
    kiosk.send(r#"{"pin": "1234"}"#);
    kiosk.wait_for_page("menu", Duration::from_secs(10));
    assert!(
        !kiosk.log().contains("not-the-password"),
        "no password in the log"
    );
}

#[test]
fn a_kiosk_that_finds_the_acs_refusing_it_after_an_outage_never_reports_itself_online() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets.toml");
    write_secrets(&secrets, "not-the-password");
    let config = config(dir.path(), port, Some(&secrets));
    let mut kiosk = LiveKiosk::start(&config, &[("RUST_LOG", "info")]);
    let idle = kiosk.wait_for_page("idle", Duration::from_secs(20));
    assert_eq!(idle["offline"], true, "down at start: served offline");

    let fake = FakeIls::start_with(&["--port", &port.to_string()]);
    let screen = kiosk.wait_for_page(
        "out_of_service",
        Duration::from_secs(BACKOFF_MAX_SECS) + SLACK,
    );
    assert_eq!(screen["notice"]["fault"], "ILS", "{screen}");
    std::thread::sleep(Duration::from_secs(BACKOFF_MAX_SECS));
    let online: Vec<_> = kiosk
        .screens()
        .into_iter()
        .filter(|s| s["offline"] == false && s["page"] != "out_of_service")
        .collect();
    assert!(online.is_empty(), "shown online: {online:?}");
    assert!(!kiosk.log().contains("link=online"), "{}", kiosk.log());
    let status = queue_status(&config);
    assert_eq!(status["link"]["state"], "login_refused", "{status}");
    assert_eq!(status["link"]["online"], false, "{status}");
    // A reader at the machine meanwhile is not served offline behind a refusing ILS.
    kiosk.send(&format!(r#"{{"scan": "{CARD}"}}"#));
    std::thread::sleep(Duration::from_millis(500));
    let last = kiosk.screens().pop().expect("a screen");
    assert_eq!(last["page"], "out_of_service", "{last}");
    assert!(fake.count("LOGIN kiosk refused") >= 1);
}
