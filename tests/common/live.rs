//! A `kiosk run --headless` left running, as a machine in the library is: commands are typed
//! while it runs, what it shows and logs is read as it comes, and its CPU time can be measured.

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct LiveKiosk {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

fn collect(from: impl std::io::Read + Send + 'static) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    lines
}

impl LiveKiosk {
    /// `kiosk run --headless --config CONFIG` on the real clock, with `env` (e.g. RUST_LOG).
    pub fn start(config: &Path, env: &[(&str, &str)]) -> LiveKiosk {
        let mut child = super::kiosk_command()
            .args(["run", "--headless", "--config"])
            .arg(config)
            .env_remove("RUST_LOG")
            .env_remove("KIOSK_ILS_PASSWORD")
            .env_remove("KIOSK_CONFIG")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the kiosk binary starts");
        let stdout = collect(child.stdout.take().expect("stdout"));
        let stderr = collect(child.stderr.take().expect("stderr"));
        LiveKiosk {
            stdin: child.stdin.take(),
            child,
            stdout,
            stderr,
        }
    }

    /// Types one headless command.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("the kiosk reads its input");
        stdin.flush().expect("flush");
    }

    /// The stdout lines so far, parsed.
    pub fn lines(&self) -> Vec<Value> {
        self.stdout
            .lock()
            .unwrap()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }

    pub fn log(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    /// The screens shown so far.
    pub fn screens(&self) -> Vec<Value> {
        self.lines()
            .into_iter()
            .filter(|l| l["effect"] == "show")
            .map(|l| l["screen"].clone())
            .collect()
    }

    /// Waits until `found` holds of the output so far; how long it took, or `None` at `limit`.
    pub fn wait_until(
        &self,
        limit: Duration,
        mut found: impl FnMut(&LiveKiosk) -> bool,
    ) -> Option<Duration> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if found(self) {
                return Some(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        found(self).then(|| started.elapsed())
    }

    /// The last screen shown, once its page is `page` (panics after `limit`).
    #[track_caller]
    pub fn wait_for_page(&self, page: &str, limit: Duration) -> Value {
        let on_page = |k: &LiveKiosk| k.screens().last().is_some_and(|s| s["page"] == page);
        if self.wait_until(limit, on_page).is_none() {
            panic!(
                "no {page} page within {limit:?}; screens {:?}\nlog:\n{}",
                self.screens(),
                self.log()
            );
        }
        self.screens().pop().expect("a screen")
    }

    /// Sends the kiosk a signal (`libc::SIGTERM`, as systemd does to stop it).
    pub fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).expect("a pid");
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "the signal was sent");
    }

    /// Kills the kiosk outright (it cannot stop by itself: a frozen loop).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// User plus system CPU time the process has used so far.
    pub fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .expect("/proc/PID/stat");
        // Fields after the command name (which is in parentheses and may hold spaces).
        let after = &stat[stat.rfind(')').expect("a stat line") + 2..];
        let fields: Vec<&str> = after.split(' ').collect();
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second())
    }

    /// Ends the input and waits for the kiosk to finish what is under way and exit.
    pub fn finish(mut self) -> (bool, Vec<Value>, String) {
        self.stdin = None;
        let status = self.child.wait().expect("the kiosk ends");
        // The reader threads end with the pipes.
        std::thread::sleep(Duration::from_millis(100));
        (status.success(), self.lines(), self.log())
    }
}

fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

impl Drop for LiveKiosk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
