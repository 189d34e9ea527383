//! `kiosk demo` opens its window and the simulated-devices panel on a real X server (Xvfb,
//! installed by `.ci/run`), and stays up until it is closed.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn window_titles(display: &str) -> String {
    Command::new("xwininfo")
        .args(["-root", "-tree"])
        .env("DISPLAY", display)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// An X server of its own on `display`.
fn xvfb(display: &str) -> Killed {
    let xvfb = Command::new("Xvfb")
        .args([display, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is installed (apt-get install xvfb x11-utils; tests/run does it)");
    std::thread::sleep(Duration::from_millis(500));
    Killed(xvfb)
}

/// `kiosk ARGS` on `display`, its standard error kept for when it exits too early.
fn start_kiosk(display: &str, args: &[&str]) -> Killed {
    let child = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(args)
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the kiosk starts");
    Killed(child)
}

/// Waits until windows with all of `wanted` in their titles are up; panics if the kiosk exits
/// first or after 20 s.
fn wait_for_windows(kiosk: &mut Killed, display: &str, wanted: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut titles = String::new();
    while Instant::now() < deadline {
        if let Ok(Some(status)) = kiosk.0.try_wait() {
            let mut stderr = String::new();
            if let Some(mut pipe) = kiosk.0.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
            }
            panic!("the kiosk exited ({status}): {stderr}");
        }
        titles = window_titles(display);
        if wanted.iter().all(|w| titles.contains(w)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("no window with {wanted:?} appeared: {titles}");
}

#[test]
fn the_demo_opens_its_window_under_xvfb() {
    let display = format!(":{}", 90 + std::process::id() % 100);
    let _xvfb = xvfb(&display);
    let mut demo = start_kiosk(&display, &["demo"]);
    // The demo's configuration speaks Chinese first: the kiosk window and the devices panel.
    wait_for_windows(&mut demo, &display, &["图书馆自助借还", "模拟设备"]);
}

#[test]
fn the_out_of_service_screen_comes_up_alone_and_goes_on_sigterm() {
    // What systemd shows after the kiosk failed to start too often: no configuration needed.
    let display = format!(":{}", 200 + std::process::id() % 100);
    let _xvfb = xvfb(&display);
    let args = [
        "out-of-service",
        "--code",
        "START",
        "--config",
        "/nonexistent/kiosk.toml",
    ];
    let mut screen = start_kiosk(&display, &args);
    wait_for_windows(&mut screen, &display, &["图书馆自助借还"]);
    let pid = i32::try_from(screen.0.id()).expect("a pid");
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(Some(status)) = screen.0.try_wait() {
            assert!(status.success(), "ended with {status} on SIGTERM");
            break;
        }
        assert!(Instant::now() < deadline, "still up 10 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    }
}
