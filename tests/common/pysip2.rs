//! A third-party ACS for the interop tests: a fake ILS written with the PyPI package `pysip2`
//! (tests/interop/fake_ils.py), run as a process of its own.
//!
//! It is installed into a virtual environment under the target directory the first time; that
//! needs `python3` with `venv` and pip access to PyPI (CI installs them). Nothing skips: without
//! Python the test fails and says why.

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

/// The fake ILS, with the command-line options its script documents; killed when dropped.
pub struct FakeIls {
    child: Child,
    pub port: u16,
    events: Arc<Mutex<Vec<String>>>,
}

impl FakeIls {
    pub fn start() -> FakeIls {
        FakeIls::start_with(&[])
    }

    pub fn start_with(args: &[&str]) -> FakeIls {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/fake_ils.py");
        let mut child = Command::new(python())
            .arg(script)
            .args(args)
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

    pub fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    /// How many of its lines are `line`.
    pub fn count(&self, line: &str) -> usize {
        self.events().iter().filter(|e| *e == line).count()
    }

    /// Waits until the fake ILS has printed `line` (its output arrives asynchronously).
    pub fn wait_for(&self, line: &str) {
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
