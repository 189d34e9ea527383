//! Runs the real `kiosk` binary, as a technician or a script would.
#![allow(dead_code)]

pub mod live;
pub mod pki;
pub mod pysip2;
pub mod sip2;

use serde_json::Value;
use std::io::Write;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Run {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout JSON lines, each parsed (a line that is not JSON fails the test).
    pub fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }
}

/// The kiosk binary as a command. Built for another CPU (aarch64 in CI), it runs under the
/// emulator named in `KIOSK_TEST_RUNNER` (e.g. `qemu-aarch64 -L /usr/aarch64-linux-gnu`), as
/// cargo's target runner runs the test binaries themselves.
pub fn kiosk_command() -> Command {
    let binary = env!("CARGO_BIN_EXE_kiosk");
    let runner = std::env::var("KIOSK_TEST_RUNNER").unwrap_or_default();
    let mut words = runner.split_whitespace();
    match words.next() {
        Some(emulator) => {
            let mut command = Command::new(emulator);
            command.args(words).arg(binary);
            command
        }
        None => Command::new(binary),
    }
}

pub fn kiosk(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
    let mut child = kiosk_command()
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("KIOSK_ILS_PASSWORD")
        .env_remove("KIOSK_CONFIG")
        // No display: the window cannot open, whatever the machine running the tests has.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the kiosk binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("the kiosk binary ends");
    Run {
        success: output.status.success(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `kiosk run --headless --clock virtual` with this configuration, script and environment;
/// the run must succeed.
pub fn run_script(config: &std::path::Path, input: &[String], env: &[(&str, &str)]) -> Run {
    let run = kiosk(
        &[
            "run",
            "--headless",
            "--clock",
            "virtual",
            "--config",
            config.to_str().unwrap(),
        ],
        &input.join("\n"),
        env,
    );
    assert!(run.success, "{}", run.stderr);
    run
}

/// What a scripted `kiosk demo` run did, to compare one way of reaching the library with another.
#[derive(Debug)]
pub struct DemoRun {
    pub results: Vec<(String, String, String)>,
    /// The pages shown, repeats of the same page folded.
    pub pages: Vec<String>,
    pub security_writes: usize,
    /// The titles the outcomes named, refused books included.
    pub titles: Vec<String>,
}

impl DemoRun {
    /// The same scripted demo over another link came to the same: each item's outcome and
    /// reason, the tags secured, the pages shown.
    #[track_caller]
    pub fn assert_same_as(&self, other: &DemoRun) {
        assert_eq!(self.results, other.results, "item outcomes and reasons");
        assert_eq!(
            self.security_writes, other.security_writes,
            "security writes"
        );
        assert_eq!(self.pages, other.pages);
    }
}

/// Runs `kiosk ARGS` (a `demo --headless` variant), which must succeed.
pub fn demo_run(args: &[&str]) -> DemoRun {
    let run = kiosk(args, "", &[]);
    assert!(run.success, "{}", run.stderr);
    let lines = run.lines();
    let mut pages = pages(&lines);
    pages.dedup();
    DemoRun {
        results: results(&lines),
        pages,
        security_writes: effects(&lines, "set_security").len(),
        titles: effects(&lines, "outcome")
            .iter()
            .filter_map(|o| o["outcome"]["title"].as_str().map(str::to_owned))
            .collect(),
    }
}

/// The effects of one kind, in order.
pub fn effects<'a>(lines: &'a [Value], kind: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["effect"] == kind).collect()
}

/// The pages shown, in order.
pub fn pages(lines: &[Value]) -> Vec<String> {
    effects(lines, "show")
        .iter()
        .map(|l| l["screen"]["page"].as_str().unwrap_or("?").to_owned())
        .collect()
}

/// Item outcomes that are no longer pending: (item, status, reason code).
pub fn results(lines: &[Value]) -> Vec<(String, String, String)> {
    effects(lines, "outcome")
        .iter()
        .map(|l| &l["outcome"])
        .filter(|o| o["status"] != "pending")
        .map(|o| {
            (
                o["item"].as_str().unwrap_or("").to_owned(),
                o["status"].as_str().unwrap_or("").to_owned(),
                o["reason"]["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// `kiosk COMMAND --config CONFIG ARGS…` (a staff tool with `--json`), which must succeed, its
/// output parsed.
pub fn staff_json(command: &str, config: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec![command, "--config", config.to_str().expect("a UTF-8 path")];
    all.extend_from_slice(args);
    let run = kiosk(&all, "", &[]);
    assert!(run.success, "kiosk {all:?}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

/// The example configuration with its journal in `dir`, changed by `edit`, written to
/// `dir/kiosk.toml`.
pub fn config_in(dir: &std::path::Path, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/kiosk.example.toml"))
            .expect("the example configuration");
    let journal = format!("path = \"{}\"", dir.join("journal.db").display());
    let text = edit(example.replace("path = \"/var/lib/kiosk/journal.db\"", &journal));
    assert!(text.contains(&journal), "the journal path was replaced");
    let path = dir.join("kiosk.toml");
    std::fs::write(&path, text).expect("write the configuration");
    path
}

/// The example configuration with Koha's REST API at `url` as the ILS (client `kiosk-3`).
pub fn koha_config_in(dir: &std::path::Path, url: &str) -> std::path::PathBuf {
    config_in(dir, |text| {
        text.replace(
            "kind = \"sim\"",
            &format!("kind = \"koha\"\n\n[ils.koha]\nurl = \"{url}\"\nclient_id = \"kiosk-3\"\n"),
        )
    })
}

/// The example configuration whose ILS (SIP2 on a port nobody listens on) is down, keeping
/// reader ids for 30 days (as offline lending needs for the desk's questions).
pub fn offline_config_in(dir: &std::path::Path) -> std::path::PathBuf {
    let port = free_port();
    config_in(dir, |text| {
        text.replace(
            "kind = \"sim\"",
            &format!(
                "kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\ninstitution = \"SIM\"\n\
                 connect_timeout_secs = 1\n"
            ),
        )
        .replace("patron_retention_days = 0", "patron_retention_days = 30")
    })
}

/// A `kiosk sim-ils` serving in the background; killed when dropped.
pub struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port nobody listens on (for now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `kiosk sim-ils ARGS` and waits until it listens on `port`.
pub fn serve(args: &[&str], port: u16) -> Served {
    let served = Served(
        kiosk_command()
            .arg("sim-ils")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the simulated ILS did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    served
}
