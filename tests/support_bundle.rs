//! `kiosk diag bundle`: from a machine whose journal keeps patron ids and whose secrets file
//! holds a password and the staff PIN hash, the bundle has the configuration, the diagnosis,
//! the journal's statistics and the log — and neither a secret nor a patron identifier.

mod common;
use common::*;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;

const PASSWORD: &str = "S3cr3t-Bundle!";
const PIN_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
const PATRONS: [&str; 2] = ["20234000000019", "20234000000050"];

fn entries(bundle: &std::path::Path) -> Vec<(String, String)> {
    let file = std::fs::File::open(bundle).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    archive
        .entries()
        .unwrap()
        .map(|entry| {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            (name, text)
        })
        .collect()
}

#[test]
fn the_bundle_has_what_support_needs_and_no_secret_or_patron_id() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets.toml");
    std::fs::write(
        &secrets,
        format!("ils_password = \"{PASSWORD}\"\nstaff_pin_hash = \"{PIN_HASH}\"\n"),
    )
    .unwrap();
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).unwrap();
    let log = dir.path().join("logs").join("kiosk.log");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    let config = config_in(dir.path(), |text| {
        text.replace("patron_retention_days = 0", "patron_retention_days = 3650")
            .replace(
                "# file = \"/var/log/kiosk/kiosk.log\"",
                &format!("file = \"{}\"", log.display()),
            )
            .replace(
                "# file = \"/etc/kiosk/secrets.toml\"",
                &format!("file = \"{}\"", secrets.display()),
            )
    });
    // Two readers borrow: the journal keeps their ids.
    let input = [
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        r#"{"scan": "30234000001015"}"#,
        r#"{"press": "cancel"}"#,
        r#"{"scan": "20234000000050"}"#,
        r#"{"pin": "5678"}"#,
        r#"{"scan": "30234000001023"}"#,
        r#"{"press": "cancel"}"#,
    ];
    let input: Vec<String> = input.iter().map(|l| l.to_string()).collect();
    let run = run_script(&config, &input, &[]);
    assert_eq!(results(&run.lines()).len(), 2);
    let list = kiosk(
        &[
            "queue",
            "--config",
            config.to_str().unwrap(),
            "list",
            "--json",
        ],
        "",
        &[],
    );
    assert!(
        list.stdout.contains(PATRONS[0]) && list.stdout.contains(PATRONS[1]),
        "the journal has both ids"
    );
    // Whatever a log line says (a debugging session, another program's words), it is scrubbed.
    let written: Vec<_> = std::fs::read_dir(log.parent().unwrap()).unwrap().collect();
    assert!(!written.is_empty(), "the kiosk wrote its log file");
    let mut extra = std::fs::OpenOptions::new()
        .append(true)
        .open(written[0].as_ref().unwrap().path())
        .unwrap();
    writeln!(
        extra,
        "2026-11-29T10:00:00Z DEBUG test: patron=20234000000019 card=9F3C22E1 password {PASSWORD} reader 20234000000050 item 30234000001015"
    )
    .unwrap();

    let bundle = dir.path().join("support.tar.gz");
    let made = kiosk(
        &[
            "diag",
            "bundle",
            bundle.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
        "",
        &[],
    );
    assert!(made.success, "{}", made.stderr);
    let files = entries(&bundle);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for wanted in [
        "config.toml",
        "diag.json",
        "journal.json",
        "log.txt",
        "README.txt",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(wanted)),
            "{wanted} in {names:?}"
        );
    }
    for (name, text) in &files {
        for patron in PATRONS {
            assert!(
                !text.contains(patron),
                "{name} has patron {patron}:\n{text}"
            );
        }
        assert!(!text.contains("9F3C22E1"), "{name} has a card UID");
        assert!(!text.contains(PASSWORD), "{name} has the password");
        assert!(!text.contains("c2FsdHNhbHQ"), "{name} has the PIN hash");
    }
    let text = |suffix: &str| &files.iter().find(|(n, _)| n.ends_with(suffix)).unwrap().1;
    let journal: serde_json::Value = serde_json::from_str(text("journal.json")).unwrap();
    assert_eq!(journal["counts_by_state"]["done"], 2, "{journal}");
    let log_text = text("log.txt");
    assert!(
        log_text.contains("[patron]") && log_text.contains("[secret]"),
        "{log_text}"
    );
    assert!(
        log_text.contains("30234000001015"),
        "item barcodes stay: they help support"
    );
    let diag: serde_json::Value = serde_json::from_str(text("diag.json")).unwrap();
    assert!(diag["checks"].as_array().unwrap().len() >= 9);
    assert!(text("config.toml").contains("[ils]"));
}
