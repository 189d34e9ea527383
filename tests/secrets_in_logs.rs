//! PINs and passwords never reach the logs or the output, even at the most verbose level.

mod common;
use common::*;

const ILS_PASSWORD: &str = "Tr0ub4dor-ils-pw";
const PIN: &str = "Pk7q2Zx";
const WRONG_PIN: &str = "Wr0ngPin9";

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A configuration whose simulated ILS requires a terminal login, and whose patron has a PIN.
fn setup(dir: &std::path::Path) -> std::path::PathBuf {
    let seed = read("src/ils/sim/seed.toml")
        .replace(
            "terminals = []",
            &format!("terminals = [{{ user = \"kiosk-07\", password = \"{ILS_PASSWORD}\" }}]"),
        )
        .replace("pin = \"1234\"", &format!("pin = \"{PIN}\""));
    let seed_path = dir.join("seed.toml");
    std::fs::write(&seed_path, seed).unwrap();
    config_in(dir, |text| {
        text.replace(
            "# seed = \"/etc/kiosk/sim-seed.toml\"",
            &format!("seed = \"{}\"", seed_path.display()),
        )
        .replace(
            "# terminal_user = \"kiosk-01\"",
            "terminal_user = \"kiosk-07\"",
        )
        .replace("level = \"info\"", "level = \"trace\"")
    })
}

#[test]
fn a_session_with_a_pin_and_an_ils_password_logs_neither() {
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path());
    let input = [
        r#"{"scan": "20234000000019"}"#.to_string(),
        format!(r#"{{"pin": "{WRONG_PIN}"}}"#),
        format!(r#"{{"pin": "{PIN}"}}"#),
        r#"{"press": "account"}"#.into(),
        r#"{"scan": "30234000001015"}"#.into(),
        r#"{"press": "done"}"#.into(),
        r#"{"press": "email_receipt"}"#.into(),
    ]
    .join("\n");
    let run = kiosk(
        &[
            "run",
            "--headless",
            "--clock",
            "virtual",
            "--config",
            config.to_str().unwrap(),
        ],
        &input,
        &[("KIOSK_ILS_PASSWORD", ILS_PASSWORD), ("RUST_LOG", "trace")],
    );
    assert!(run.success, "{}", run.stderr);
    // The session really ran, logged in, and the logs really were verbose.
    assert!(
        run.stderr.contains("logged in to the simulated ILS"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("TRACE") || run.stderr.contains("DEBUG"),
        "{}",
        run.stderr
    );
    let lines = run.lines();
    assert_eq!(
        results(&lines),
        [("30234000001015".into(), "borrowed".into(), "".into())]
    );
    assert!(run.stdout.contains("wrong_pin"));
    for secret in [ILS_PASSWORD, PIN, WRONG_PIN] {
        assert!(
            !run.stderr.contains(secret),
            "{secret} in the log:\n{}",
            run.stderr
        );
        assert!(
            !run.stdout.contains(secret),
            "{secret} in the output:\n{}",
            run.stdout
        );
    }
}

#[test]
fn a_wrong_ils_password_stops_the_start_without_showing_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path());
    let run = kiosk(
        &["run", "--headless", "--config", config.to_str().unwrap()],
        "",
        &[
            ("KIOSK_ILS_PASSWORD", "not-the-Password-42"),
            ("RUST_LOG", "trace"),
        ],
    );
    assert!(!run.success);
    assert!(
        run.stderr.contains("cannot log in to the ILS"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("not-the-Password-42"),
        "{}",
        run.stderr
    );
    let run = kiosk(
        &["run", "--headless", "--config", config.to_str().unwrap()],
        "",
        &[],
    );
    assert!(
        run.stderr.contains("KIOSK_ILS_PASSWORD"),
        "says how to give the password: {}",
        run.stderr
    );
}
