//! Interop with a third-party ACS: a fake ILS written with the PyPI package `pysip2`
//! (tests/interop/fake_ils.py), driven through the kiosk's own SIP2 adapter.
//!
//! The test installs pysip2 into a virtual environment under the target directory the first
//! time; it needs `python3` with `venv` and pip access to PyPI (CI installs them). It never
//! skips: without Python it fails and says why.

use kiosk::circ::Reason;
use kiosk::circ::types::{ItemId, PatronId, Pin, ReturnRoute};
use kiosk::config::secrets::Secret;
use kiosk::ils::Ils;
use kiosk::ils::sip2::adapter::{Sip2Ils, Sip2Section};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PYSIP2: &str = "pysip2==0.1.0";

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The venv's python, with pysip2 installed (once per test process: tests run in parallel).
fn python() -> PathBuf {
    static PYTHON: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PYTHON.get_or_init(install).clone()
}

fn install() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pysip2-venv");
    let python = venv.join("bin").join("python");
    let ready = python.exists()
        && Command::new(&python)
            .args(["-c", "import pysip2"])
            .status()
            .is_ok_and(|s| s.success());
    if !ready {
        let system = std::env::var("KIOSK_PYTHON").unwrap_or_else(|_| "python3".into());
        run(
            Command::new(&system)
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            "creating a Python venv for pysip2 (install python3-venv)",
        );
        run(
            Command::new(&python).args(["-m", "pip", "install", "--quiet", PYSIP2]),
            "installing pysip2 from PyPI",
        );
    }
    python
}

struct FakeIls {
    child: Child,
    port: u16,
    events: Arc<Mutex<Vec<String>>>,
}

impl FakeIls {
    fn start() -> FakeIls {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/fake_ils.py");
        let mut child = Command::new(python())
            .arg(script)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the fake ILS starts");
        let stdout = child.stdout.take().expect("stdout");
        let events = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&events);
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line.strip_prefix("PORT ") {
                    let _ = port_tx.send(port.trim().parse::<u16>().ok());
                }
                log.lock().unwrap().push(line);
            }
        });
        let port = port_rx
            .recv_timeout(Duration::from_secs(30))
            .ok()
            .flatten()
            .expect("the fake ILS announces its port");
        FakeIls {
            child,
            port,
            events,
        }
    }

    fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    /// Waits until the fake ILS has printed `line` (its output arrives asynchronously).
    fn wait_for(&self, line: &str) {
        // Generous: a loaded CI machine may keep the Python peer waiting; passing runs do not
        // wait this long.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.events().iter().any(|e| e == line) {
            assert!(
                Instant::now() < deadline,
                "no {line:?} in {:?}",
                self.events()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for FakeIls {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn section(port: u16) -> Sip2Section {
    toml::from_str(&format!(
        "host = \"127.0.0.1\"\nport = {port}\ninstitution = \"INTEROP\"\nlogin_user = \"kiosk\"\n\
         location = \"KIOSK-1\"\ntimeout_secs = 10\nretries = 1\n\
         # pysip2 rejects the blank no-block due date 3M kiosks send.\n\
         nb_due_date = \"transaction-date\"\n"
    ))
    .unwrap()
}

#[test]
fn the_kiosk_talks_to_a_pysip2_acs() {
    let fake = FakeIls::start();
    let mut ils = Sip2Ils::new(section(fake.port), Some(Secret::new("pw")), None);
    let patron = PatronId("P100".into());

    // Login and SC status.
    ils.connect().expect("login and status");
    let status = ils.client().acs_status().expect("a 98 reply").clone();
    assert!(status.online && status.checkout_ok);
    assert_eq!(status.library_name.as_deref(), Some("pysip2 fake ILS"));

    // Patron information with the PIN, right and wrong.
    let ok = ils.patron_status(&patron, Some(&Pin::new("1234"))).unwrap();
    assert!(ok.valid);
    assert_eq!(ok.pin_ok, Some(true));
    assert_eq!(ok.name, "Ada Lovelace");
    assert_eq!(ok.email.as_deref(), Some("ada@example.org"));
    let wrong = ils.patron_status(&patron, Some(&Pin::new("9999"))).unwrap();
    assert_eq!(wrong.pin_ok, Some(false));
    let nobody = ils.patron_status(&PatronId("P404".into()), None).unwrap();
    assert!(!nobody.valid);

    // Checkout, and a refusal the kiosk can explain.
    let loan = ils
        .checkout(&patron, &ItemId("I1".into()))
        .unwrap()
        .expect("lent");
    assert_eq!(loan.title, "Sketch of the Analytical Engine");
    assert!(loan.due.at.is_some(), "due date understood: {:?}", loan.due);
    let refused = ils
        .checkout(&patron, &ItemId("HOLD1".into()))
        .unwrap()
        .expect_err("on hold");
    assert_eq!(refused.reason, Reason::OnHoldForAnother);
    assert_eq!(
        refused.screen_message.as_deref(),
        Some("Item on hold for another patron")
    );

    // A corrupted reply: the client asks for it again (97) and carries on.
    let info = ils
        .item_info(&ItemId("I2".into()))
        .unwrap()
        .expect("known item");
    assert_eq!(info.title, "Notes by the Translator");
    fake.wait_for("CORRUPTED 18");
    fake.wait_for("REQ RequestACSResend");

    // The ACS closes the connection after this checkin…
    let back = ils
        .checkin(&ItemId("BYE".into()))
        .unwrap()
        .expect("returned");
    assert_eq!(back.route, ReturnRoute::Shelf);
    fake.wait_for("CLOSING");
    // …and the kiosk reconnects, logs in again and carries on.
    let renewed = ils
        .renew(&patron, &ItemId("I1".into()))
        .unwrap()
        .expect("renewed");
    assert_eq!(renewed.title, "Sketch of the Analytical Engine");
    let logins = fake
        .events()
        .iter()
        .filter(|e| *e == "LOGIN kiosk ok")
        .count();
    assert_eq!(
        logins,
        2,
        "logged in again after the ACS closed: {:?}",
        fake.events()
    );

    // The account, and the end of the session.
    let account = ils.account(&patron, Some(&Pin::new("1234"))).unwrap();
    let titles: Vec<&str> = account.loans.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(titles, ["Sketch of the Analytical Engine"]);
    ils.end_session(&patron).unwrap();
    fake.wait_for("REQ EndPatronSessionRequest");
}

#[test]
fn a_wrong_password_is_refused_by_the_pysip2_acs() {
    let fake = FakeIls::start();
    let mut ils = Sip2Ils::new(section(fake.port), Some(Secret::new("not-it")), None);
    let error = ils.connect().expect_err("refused");
    assert!(error.to_string().contains("refused"), "{error}");
    fake.wait_for("LOGIN kiosk refused");
}
