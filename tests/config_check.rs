//! `kiosk config check`: the example passes; each kind of mistake fails naming the key.

mod common;
use common::*;
use std::path::PathBuf;

fn example() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/kiosk.example.toml")).unwrap()
}

fn check(text: &str) -> Run {
    check_with(text, &[])
}

#[test]
fn the_example_configuration_passes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/kiosk.example.toml");
    let run = kiosk(&["config", "check", path], "", &[]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("ok (kiosk kiosk-01"), "{}", run.stdout);
}

#[test]
fn a_misspelt_key_fails_naming_it() {
    let run = check(&example().replace("pin_attempts = 3", "pin_attempt = 3"));
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("unknown field `pin_attempt`"),
        "{}",
        run.stderr
    );
    let line = example()
        .lines()
        .position(|l| l.starts_with("pin_attempts"))
        .unwrap()
        + 1;
    assert!(
        run.stderr.contains(&format!("line {line}")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_wrong_type_fails_naming_the_key() {
    let run = check(&example().replace("pin_required = true", "pin_required = \"yes\""));
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("pin_required = \"yes\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("expected a boolean"), "{}", run.stderr);
}

#[test]
fn a_missing_required_key_fails_naming_it() {
    let run = check(&example().replace("id = \"kiosk-01\"", ""));
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("missing field `id`"), "{}", run.stderr);
}

#[test]
fn a_missing_file_and_a_missing_seed_are_named() {
    let run = kiosk(&["config", "check", "/nonexistent/kiosk.toml"], "", &[]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("/nonexistent/kiosk.toml"),
        "{}",
        run.stderr
    );
    let run = check(&example().replace(
        "# seed = \"/etc/kiosk/sim-seed.toml\"",
        "seed = \"/nonexistent/seed.toml\"",
    ));
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("ils.sim.seed"), "{}", run.stderr);
}

#[test]
fn the_help_explains_each_command_with_an_example() {
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["demo", "--help"],
        &["config", "check", "--help"],
        &["sim-ils", "--help"],
    ] {
        let run = kiosk(args, "", &[]);
        assert!(run.success, "{args:?}");
        assert!(run.stdout.contains("Example"), "{args:?}: {}", run.stdout);
    }
}

#[test]
fn the_reference_hardware_passes_and_wiring_mistakes_fail_naming_the_pins() {
    let reference = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/hw/reference/pi4-pn5180-mfrc522.toml"
    ))
    .unwrap();
    let start = example().find("[hardware]").unwrap();
    let with_reference = example()[..start].to_owned() + &reference;
    let run = check(&with_reference);
    assert!(run.success, "{}", run.stderr);

    let clash = with_reference.replace("sensor_pin = 5", "sensor_pin = 25");
    let run = check(&clash);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains(
            "hardware.return_slot.sensor_pin: GPIO 25 is already used by hardware.item_reader.busy_pin"
        ),
        "{}",
        run.stderr
    );
    let run = check(&with_reference.replace("afi_on_loan = 0xC2", "afi_on_loan = 0x07"));
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("afi_on_loan"), "{}", run.stderr);
}

#[test]
fn metrics_open_to_the_network_without_a_token_are_warned_about_and_loopback_is_not() {
    let open = example().replace("# listen = \"0.0.0.0:9464\"", "listen = \"0.0.0.0:9464\"");
    let run = check_with(&open, &[]);
    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stderr.contains("without a token") && run.stderr.contains("metrics_token"),
        "{}",
        run.stderr
    );
    let with_token = check_with(&open, &[("KIOSK_METRICS_TOKEN", "t0k3n")]);
    assert!(with_token.success, "{}", with_token.stderr);
    assert!(
        !with_token.stderr.contains("without a token"),
        "{}",
        with_token.stderr
    );
    assert!(
        !with_token.stderr.contains("t0k3n"),
        "the token is never repeated"
    );
    let local = check_with(&open.replace("0.0.0.0:9464", "127.0.0.1:9464"), &[]);
    assert!(
        !local.stderr.contains("without a token"),
        "{}",
        local.stderr
    );
    let bad = check_with(&open.replace("0.0.0.0:9464", "nowhere"), &[]);
    assert_eq!(bad.code, Some(1));
    assert!(
        bad.stderr.contains("invalid socket address"),
        "{}",
        bad.stderr
    );
}

/// `kiosk config check` of `text` with `env`.
fn check_with(text: &str, env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("kiosk.toml");
    std::fs::write(&path, text).unwrap();
    kiosk(&["config", "check", path.to_str().unwrap()], "", env)
}
