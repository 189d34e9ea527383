//! `kiosk diag` against the simulated machine with one fault injected at a time
//! (`[hardware.sim]`): the status, the message and the exit code, as JSON and for a person.

mod common;
use common::*;
use serde_json::Value;

/// The example configuration with `[hardware.sim]` set to `sim` (TOML lines).
fn with_sim(dir: &std::path::Path, sim: &str) -> std::path::PathBuf {
    config_in(dir, |text| {
        text.replace(
            "poll_ms = 250\n",
            &format!("poll_ms = 250\n\n[hardware.sim]\n{sim}\n"),
        )
    })
}

struct Diagnosis {
    code: Option<i32>,
    check: Value,
    human: String,
}

fn diagnose(sim: &str, device: &str) -> Diagnosis {
    let dir = tempfile::tempdir().unwrap();
    // A journal exists, as on a machine that has run.
    let config = with_sim(dir.path(), sim);
    let started = kiosk(
        &["run", "--headless", "--config", config.to_str().unwrap()],
        "",
        &[],
    );
    assert!(started.success, "{}", started.stderr);
    let path = config.to_str().unwrap();
    let json = kiosk(
        &["diag", "--config", path, "--device", device, "--json"],
        "",
        &[],
    );
    let report: Value = serde_json::from_str(&json.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", json.stdout, json.stderr));
    let human = kiosk(&["diag", "--config", path, "--device", device], "", &[]);
    assert_eq!(human.code, json.code, "both forms give the same exit code");
    assert_eq!(report["status"], report["checks"][0]["status"]);
    Diagnosis {
        code: json.code,
        check: report["checks"][0].clone(),
        human: human.stdout,
    }
}

fn assert_diagnosis(d: &Diagnosis, status: &str, code: i32, words: &str) {
    assert_eq!(d.check["status"], status, "{}", d.check);
    assert_eq!(d.code, Some(code), "{}", d.check);
    let message = d.check["message"].as_str().unwrap();
    assert!(message.contains(words), "{message:?} should say {words:?}");
    assert!(d.human.contains(words), "{}", d.human);
    if status != "ok" {
        let action = d.check["action"].as_str().expect("what to do");
        assert!(d.human.contains(action), "{}", d.human);
    }
}

#[test]
fn a_missing_item_reader_fails_with_where_to_look() {
    let d = diagnose("faults = { item_reader = \"missing\" }", "item_reader");
    assert_diagnosis(&d, "fail", 2, "not found");
    assert!(d.check["action"].as_str().unwrap().contains("SPI wiring"));
}

#[test]
fn a_card_reader_with_a_clone_chip_warns() {
    let d = diagnose("faults = { card_reader = \"wrong-chip\" }", "card_reader");
    assert_diagnosis(&d, "warn", 1, "0x12");
}

#[test]
fn an_item_reader_with_unknown_firmware_warns() {
    let d = diagnose("faults = { item_reader = \"wrong-chip\" }", "item_reader");
    assert_diagnosis(&d, "warn", 1, "firmware 2.1");
}

#[test]
fn a_scanner_that_times_out_fails() {
    let d = diagnose("faults = { scanner = \"timeout\" }", "scanner");
    assert_diagnosis(&d, "fail", 2, "no answer within");
}

#[test]
fn a_printer_out_of_paper_fails_and_says_load_paper() {
    let d = diagnose("faults = { printer = \"paper-out\" }", "printer");
    assert_diagnosis(&d, "fail", 2, "out of paper");
    assert_eq!(d.check["action"], "load a new paper roll");
}

#[test]
fn a_printer_low_on_paper_warns() {
    let d = diagnose("faults = { printer = \"paper-low\" }", "printer");
    assert_diagnosis(&d, "warn", 1, "running low");
}

#[test]
fn a_nearly_full_disk_fails_and_a_low_one_warns() {
    let d = diagnose("disk_free_mb = 20", "storage");
    assert_diagnosis(&d, "fail", 2, "20 MB free");
    let d = diagnose("disk_free_mb = 300", "storage");
    assert_diagnosis(&d, "warn", 1, "300 MB free");
}

#[test]
fn a_clock_in_1970_fails() {
    let d = diagnose("clock = \"1970-01-01T00:00:00Z\"", "clock");
    assert_diagnosis(&d, "fail", 2, "1970");
}

#[test]
fn a_healthy_machine_is_ok() {
    for device in [
        "item_reader",
        "card_reader",
        "scanner",
        "indicators",
        "return_slot",
        "printer",
    ] {
        let d = diagnose("", device);
        assert_eq!(d.check["status"], "ok", "{device}: {}", d.check);
        assert_eq!(d.code, Some(0));
        assert!(d.check.get("action").is_none());
    }
}

#[test]
fn an_unreachable_ils_fails() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = config_in(dir.path(), |text| {
        text.replace(
            "kind = \"sim\"",
            &format!("kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\ninstitution = \"SIM\"\nconnect_timeout_secs = 1\n"),
        )
    });
    let run = kiosk(
        &[
            "diag",
            "--config",
            config.to_str().unwrap(),
            "--device",
            "ils",
            "--json",
        ],
        "",
        &[],
    );
    assert_eq!(run.code, Some(2));
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let message = report["checks"][0]["message"].as_str().unwrap();
    assert!(message.contains("cannot be reached"), "{message}");
}
