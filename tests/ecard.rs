//! E-card QR codes end to end: the headless `{"qr": …}` command into a `kiosk run --headless`
//! with `[barcodes.qr]` set, the token spent in the journal (so it holds across a restart).

mod common;
use common::*;
use kiosk_core::ecard::{ed25519_public_key, sign_ed25519};
use serde_json::Value;
use std::path::{Path, PathBuf};

const LI_HUA: &str = "20234000000019";
/// The library app's private key, in this test only; the kiosk is given the public half.
const APP_KEY: [u8; 32] = [7; 32];

fn unix_now() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    i64::try_from(now.expect("a clock after 1970").as_secs()).expect("a date before 2262")
}

fn token(card: &str, valid_for: i64) -> String {
    sign_ed25519(&APP_KEY, card, unix_now() + valid_for)
}

fn qr(payload: &str) -> String {
    serde_json::json!({ "qr": payload }).to_string()
}

fn with_qr_rule(dir: &Path, rule: &str, ils: Option<u16>) -> PathBuf {
    config_in(dir, |text| {
        let text = text.replacen(
            "[barcodes.item]",
            &format!("[barcodes.qr]\n{rule}\n\n[barcodes.item]"),
            1,
        );
        match ils {
            // Nothing listens there: the kiosk starts, and stays, offline.
            Some(port) => text.replace(
                "kind = \"sim\"",
                &format!(
                    "kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\ninstitution = \"SIM\"\n\
                     connect_timeout_secs = 1\ntimeout_secs = 1\nretries = 0\n"
                ),
            ),
            None => text,
        }
    })
}

fn signed_rule() -> String {
    format!(
        "format = \"signed\"\nalgorithm = \"ed25519\"\npublic_key = \"{}\"\nmax_lifetime_secs = 300",
        ed25519_public_key(&APP_KEY)
    )
}

/// The notices shown, in order: each time one appears.
fn notices(lines: &[Value]) -> Vec<String> {
    let mut codes = Vec::new();
    let mut showing = "";
    for show in effects(lines, "show") {
        let code = show["screen"]["notice"]["code"].as_str().unwrap_or("");
        if code != showing && !code.is_empty() {
            codes.push(code.to_owned());
        }
        showing = code;
    }
    codes
}

/// The ILS requests of one kind (`patron_status`, `use_token`…), in order.
fn requests<'a>(lines: &'a [Value], kind: &str) -> Vec<&'a Value> {
    effects(lines, "ils")
        .into_iter()
        .filter(|e| e["request"]["request"] == kind)
        .collect()
}

#[test]
fn a_valid_token_signs_in_and_a_replayed_expired_or_forged_one_is_refused_with_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let config = with_qr_rule(dir.path(), &signed_rule(), None);
    let good = token(LI_HUA, 60);
    let input = vec![
        r#"{"language": "en"}"#.to_owned(),
        qr(&good),
        r#"{"pin": "1234"}"#.to_owned(),
        r#"{"press": "cancel"}"#.to_owned(),
        // The same code again — a screenshot passed to a friend.
        qr(&good),
        r#"{"wait": 10}"#.to_owned(),
        qr(&token(LI_HUA, -3600)),
        r#"{"wait": 10}"#.to_owned(),
        qr(&sign_ed25519(&[9; 32], LI_HUA, unix_now() + 60)),
        r#"{"wait": 10}"#.to_owned(),
        // Valid for a year: a copyable card, not an app's one-minute code.
        qr(&token(LI_HUA, 365 * 86_400)),
        r#"{"wait": 10}"#.to_owned(),
        // Junk held up to the scanner: told on screen, nothing asked of anyone.
        qr("WIFI:S:library-guest;T:WPA;P:reading room;;"),
        r#"{"wait": 10}"#.to_owned(),
        qr(&"x".repeat(300)),
    ];
    let run = run_script(&config, &input, &[]);
    let lines = run.lines();
    assert!(
        pages(&lines).contains(&"menu".to_owned()),
        "{:?}",
        pages(&lines)
    );
    // Signed in once, as Li Hua; no refused code reached the ILS.
    let asked = requests(&lines, "patron_status");
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0]["request"]["patron"], LI_HUA);
    assert_eq!(
        notices(&lines),
        [
            "ecard_used",
            "ecard_expired",
            "ecard_forged",
            "ecard_forged",
            "bad_barcode",
            "bad_barcode"
        ],
        "{}",
        run.stdout
    );
    // Each genuine token (good, again, expired, too long) was checked with the journal, never
    // by its card number; the forged one and the junk never got that far.
    let checks = requests(&lines, "use_token");
    assert_eq!(checks.len(), 4, "{checks:?}");
    assert!(checks.iter().all(|c| !c.to_string().contains(LI_HUA)));
    assert!(!run.stderr.contains(LI_HUA), "{}", run.stderr);

    // A restart does not make the code new again.
    let again = run_script(&config, &[qr(&good)], &[]);
    assert_eq!(notices(&again.lines()), ["ecard_used"], "{}", again.stdout);
}

#[test]
fn offline_a_valid_token_still_signs_in_and_is_still_spent_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = with_qr_rule(dir.path(), &signed_rule(), Some(free_port()));
    let good = token(LI_HUA, 60);
    let input = vec![
        qr(&good),
        r#"{"pin": "1234"}"#.to_owned(),
        r#"{"press": "cancel"}"#.to_owned(),
        qr(&good),
    ];
    let run = run_script(&config, &input, &[]);
    let lines = run.lines();
    let offline = requests(&lines, "offline_patron");
    assert_eq!(offline.len(), 1, "{}", run.stdout);
    assert_eq!(offline[0]["request"]["patron"], LI_HUA);
    assert!(
        pages(&lines).contains(&"menu".to_owned()),
        "{:?}",
        pages(&lines)
    );
    assert_eq!(notices(&lines), ["ecard_used"], "{}", run.stdout);
}

#[test]
fn a_url_code_and_a_prefixed_plain_code_give_the_card_and_other_codes_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let config = with_qr_rule(
        dir.path(),
        "format = \"url\"\nurl_parameter = \"rdid\"",
        None,
    );
    let input = vec![
        qr(&format!("https://lib.example.org/ecard?v=2&rdid={LI_HUA}")),
        r#"{"pin": "1234"}"#.to_owned(),
        r#"{"press": "cancel"}"#.to_owned(),
        // The library's events page, held up by mistake.
        qr("https://lib.example.org/events?id=7"),
        r#"{"wait": 10}"#.to_owned(),
        // The plastic card's barcode still works beside the e-card.
        format!(r#"{{"scan": "{LI_HUA}"}}"#),
        r#"{"pin": "1234"}"#.to_owned(),
    ];
    let run = run_script(&config, &input, &[]);
    let lines = run.lines();
    let asked = requests(&lines, "patron_status");
    assert_eq!(asked.len(), 2, "{}", run.stdout);
    assert!(asked.iter().all(|a| a["request"]["patron"] == LI_HUA));
    assert_eq!(notices(&lines), ["ecard_unreadable"], "{}", run.stdout);

    let dir = tempfile::tempdir().unwrap();
    let config = with_qr_rule(
        dir.path(),
        "format = \"plain\"\nprefix = \"LIBCARD:\"",
        None,
    );
    let input = vec![
        qr(&format!("LIBCARD:{LI_HUA}")),
        r#"{"pin": "1234"}"#.to_owned(),
    ];
    let run = run_script(&config, &input, &[]);
    let lines = run.lines();
    let asked = requests(&lines, "patron_status");
    assert_eq!(asked.len(), 1, "{}", run.stdout);
    assert_eq!(asked[0]["request"]["patron"], LI_HUA);
}

#[test]
fn an_hmac_rule_takes_its_key_from_the_secrets_and_will_not_start_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let rule = "format = \"signed\"\nalgorithm = \"hmac-sha256\"";
    let config = with_qr_rule(dir.path(), rule, None);
    let check = kiosk(&["config", "check", config.to_str().unwrap()], "", &[]);
    assert!(!check.success);
    assert!(check.stderr.contains("qr_hmac_key"), "{}", check.stderr);
    // In the main file the key is refused: it is a secret.
    let leaked = with_qr_rule(dir.path(), &format!("{rule}\nhmac_key = \"AAAA\""), None);
    let check = kiosk(&["config", "check", leaked.to_str().unwrap()], "", &[]);
    assert!(
        !check.success && check.stderr.contains("secret"),
        "{}",
        check.stderr
    );

    let config = with_qr_rule(dir.path(), rule, None);
    let key = [5u8; 32];
    let key_text = "BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU=";
    let good = kiosk_core::ecard::sign_hmac_sha256(&key, LI_HUA, unix_now() + 60).unwrap();
    let input = [qr(&good), r#"{"pin": "1234"}"#.to_owned()];
    let run = run_script(&config, &input, &[("KIOSK_QR_HMAC_KEY", key_text)]);
    let lines = run.lines();
    let asked = requests(&lines, "patron_status");
    assert_eq!(asked.len(), 1, "{}", run.stdout);
    assert!(!run.stderr.contains(key_text));
}
