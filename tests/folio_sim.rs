//! The simulated library behind a FOLIO-shaped HTTP endpoint: the demo's scripted session
//! through the FOLIO adapter, and two processes (`kiosk sim-ils --folio` and `kiosk run` with
//! `kind = "folio"`) talking to each other.

mod common;
use common::*;

#[test]
fn the_demo_through_folio_has_the_same_outcomes_as_in_process() {
    let in_process = demo_run(&["demo", "--headless"]);
    let over_folio = demo_run(&["demo", "--headless", "--folio"]);
    assert!(!in_process.results.is_empty());
    in_process.assert_same_as(&over_folio);
    assert_eq!(
        in_process.titles, over_folio.titles,
        "titles, refused books included"
    );
}

#[test]
fn kiosk_run_talks_to_kiosk_sim_ils_over_folio_and_logs_in_again_when_its_token_expires() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let applied = dir.path().join("applied.jsonl");
    let server = serve(
        &[
            "--folio",
            &format!("127.0.0.1:{port}"),
            "--tenant",
            "diku",
            "--token-ttl-secs",
            "1",
            "--applied-log",
            applied.to_str().unwrap(),
        ],
        port,
    );
    let path = config_in(dir.path(), |text| {
        text.replace(
            "kind = \"sim\"",
            &format!(
                "kind = \"folio\"\n\n[ils.folio]\nurl = \"http://127.0.0.1:{port}\"\ntenant = \"diku\"\nusername = \"kiosk-3\"\nservice_point = \"3a40852d-49fd-4df2-a1f9-6e2641a6e91f\"\npatron_pin = true\n"
            ),
        )
    });
    let env = [("KIOSK_ILS_PASSWORD", "secret")];
    let check = kiosk(&["config", "check", path.to_str().unwrap()], "", &env);
    assert!(check.success, "{}", check.stderr);
    let input = [
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        r#"{"scan": "30234000001031"}"#,
        r#"{"scan": "30234000001056"}"#,
        r#"{"wait": 1.5}"#,
        r#"{"press": "back"}"#,
        r#"{"press": "account"}"#,
        r#"{"press": "cancel"}"#,
    ]
    .join("\n");
    let run = kiosk(
        &["run", "--headless", "--config", path.to_str().unwrap()],
        &input,
        &env,
    );
    assert!(run.success, "{}", run.stderr);
    let lines = run.lines();
    assert_eq!(
        results(&lines),
        [
            ("30234000001031".into(), "borrowed".into(), "".into()),
            (
                "30234000001056".into(),
                "refused".into(),
                "not_for_loan".into()
            ),
        ]
    );
    let account = effects(&lines, "show")
        .into_iter()
        .rev()
        .find_map(|s| s["screen"]["account"].as_object().cloned())
        .expect("the account page was shown after the token expired");
    let loans = account["loans"].as_array().unwrap();
    assert!(
        loans.iter().any(|l| l["item"] == "30234000001031"),
        "{loans:?}"
    );
    let applied = std::fs::read_to_string(&applied).unwrap();
    assert_eq!(applied.matches("30234000001031").count(), 1, "{applied}");
    assert!(
        !run.stderr.contains("secret"),
        "the password reached the log"
    );
    drop(server);
}

#[test]
fn a_wrong_password_keeps_the_kiosk_up_out_of_service_with_a_clear_message() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        &["--folio", &format!("127.0.0.1:{port}"), "--tenant", "diku"],
        port,
    );
    // The wrong tenant: Okapi refuses the login.
    let path = config_in(dir.path(), |text| {
        text.replace(
            "kind = \"sim\"",
            &format!(
                "kind = \"folio\"\n\n[ils.folio]\nurl = \"http://127.0.0.1:{port}\"\ntenant = \"nobody\"\nusername = \"kiosk-3\"\nservice_point = \"3a40852d-49fd-4df2-a1f9-6e2641a6e91f\"\n"
            ),
        )
    });
    let run = kiosk(
        &["run", "--headless", "--config", path.to_str().unwrap()],
        "",
        &[("KIOSK_ILS_PASSWORD", "secret")],
    );
    // Under a supervisor an exit is a restart loop with a blank screen: the kiosk stays up and
    // says it is out of order, and the log says why.
    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stdout.contains(r#""page":"out_of_service""#)
            && run.stdout.contains(r#""fault":"ILS""#),
        "the reader sees the out-of-service screen with code ILS: {}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("FOLIO login as kiosk-3 (tenant nobody)"),
        "{}",
        run.stderr
    );
    drop(server);
}
