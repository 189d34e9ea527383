//! `kiosk diag` from a shell: the ILS link through SIP2, FOLIO and Koha (up, down, refusing
//! the login), the journal, the JSON structure and the exit codes.

mod common;
use common::*;
use serde_json::Value;

fn folio_config(dir: &std::path::Path, port: u16, tenant: &str) -> std::path::PathBuf {
    config_in(dir, |text| {
        text.replace(
            "kind = \"sim\"",
            &format!(
                "kind = \"folio\"\n\n[ils.folio]\nurl = \"http://127.0.0.1:{port}\"\ntenant = \"{tenant}\"\nusername = \"kiosk-3\"\nservice_point = \"3a40852d-49fd-4df2-a1f9-6e2641a6e91f\"\n\n[ils.folio.http]\nconnect_timeout_secs = 1\nrequest_timeout_secs = 2\nread_retries = 0\n"
            ),
        )
    })
}

const ENV: [(&str, &str); 1] = [("KIOSK_ILS_PASSWORD", "pw-Xy7q")];

fn diag(config: &std::path::Path, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["diag", "--config", config.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let run = kiosk(&args, "", &ENV);
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", run.stdout, run.stderr));
    (run.code, report)
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {report}"))
}

#[test]
fn a_reachable_folio_is_ok_and_names_the_service_point() {
    let port = free_port();
    let _served = serve(
        &["--folio", &format!("127.0.0.1:{port}"), "--tenant", "diku"],
        port,
    );
    let dir = tempfile::tempdir().unwrap();
    let config = folio_config(dir.path(), port, "diku");
    // The journal exists once the kiosk has run.
    assert!(
        kiosk(
            &["run", "--headless", "--config", config.to_str().unwrap()],
            "",
            &ENV
        )
        .success
    );
    let (code, report) = diag(&config, &["--device", "ils"]);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["status"], "ok");
    let ils = check(&report, "ils");
    assert_eq!(ils["status"], "ok");
    let message = ils["message"].as_str().unwrap();
    assert!(
        message.contains("tenant diku") && message.contains("Simulated circulation desk"),
        "{message}"
    );
    assert!(ils["elapsed_ms"].is_u64());
    assert!(ils.get("action").is_none());
    let (_, report) = diag(&config, &["--device", "storage"]);
    let storage = check(&report, "storage");
    assert!(
        storage["message"]
            .as_str()
            .unwrap()
            .contains("journal intact: 0 waiting"),
        "{storage}"
    );
    let human = kiosk(
        &[
            "diag",
            "--config",
            config.to_str().unwrap(),
            "--device",
            "ils",
        ],
        "",
        &ENV,
    );
    assert!(human.success);
    assert!(
        human
            .stdout
            .lines()
            .any(|l| l.starts_with("ils") && l.contains(" ok ")),
        "{}",
        human.stdout
    );
}

#[test]
fn an_unreachable_ils_fails_with_what_to_do_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = folio_config(dir.path(), free_port(), "diku");
    let (code, report) = diag(&config, &["--device", "ils"]);
    assert_eq!(code, Some(2), "{report}");
    assert_eq!(report["status"], "fail");
    assert_eq!(
        report["checks"].as_array().unwrap().len(),
        1,
        "only the ILS was checked"
    );
    let ils = check(&report, "ils");
    assert!(
        ils["message"]
            .as_str()
            .unwrap()
            .contains("cannot be reached"),
        "{ils}"
    );
    assert!(ils["action"].as_str().unwrap().contains("offline"), "{ils}");
}

#[test]
fn a_refused_login_fails_and_points_at_the_credentials() {
    let port = free_port();
    let _served = serve(
        &["--folio", &format!("127.0.0.1:{port}"), "--tenant", "diku"],
        port,
    );
    let dir = tempfile::tempdir().unwrap();
    let config = folio_config(dir.path(), port, "wrong-tenant");
    let (code, report) = diag(&config, &["--device", "ils"]);
    assert_eq!(code, Some(2));
    let ils = check(&report, "ils");
    assert!(
        ils["message"]
            .as_str()
            .unwrap()
            .contains("refused the kiosk's login"),
        "{ils}"
    );
    assert!(
        ils["action"].as_str().unwrap().contains("ils_password"),
        "{ils}"
    );
    assert!(
        !report.to_string().contains("pw-Xy7q"),
        "the password is never shown"
    );
}

#[test]
fn sip2_reports_the_acs_and_a_missing_journal_is_a_warning_not_created() {
    let port = free_port();
    let _served = serve(&["--sip2", &format!("127.0.0.1:{port}")], port);
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |text| {
        text.replace(
            "kind = \"sim\"",
            &format!("kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\ninstitution = \"SIM\"\n"),
        )
    });
    let (code, report) = diag(&config, &["--device", "ils"]);
    assert_eq!(code, Some(0), "{report}");
    let ils = check(&report, "ils");
    assert!(
        ils["message"].as_str().unwrap().contains("institution SIM"),
        "{ils}"
    );
    let (code, report) = diag(&config, &["--device", "storage"]);
    assert_eq!(code, Some(1), "{report}");
    let storage = check(&report, "storage");
    assert_eq!(storage["status"], "warn");
    assert!(
        storage["message"]
            .as_str()
            .unwrap()
            .contains("no journal yet"),
        "{storage}"
    );
    assert!(
        !dir.path().join("journal.db").exists(),
        "diag changes nothing"
    );
}

#[test]
fn koha_without_a_route_for_returns_is_a_warning() {
    let mut server = mockito::Server::new();
    server
        .mock("POST", "/api/v1/oauth/token")
        .with_body(r#"{"access_token": "A1", "token_type": "Bearer", "expires_in": 3600}"#)
        .create();
    server
        .mock("GET", "/api/v1/patrons")
        .match_query(mockito::Matcher::Any)
        .with_body("[]")
        .create();
    let dir = tempfile::tempdir().unwrap();
    let url = server.url();
    let config = koha_config_in(dir.path(), &url);
    let (code, report) = diag(&config, &["--device", "ils"]);
    assert_eq!(code, Some(1), "{report}");
    let ils = check(&report, "ils");
    assert_eq!(ils["status"], "warn");
    assert!(
        ils["message"].as_str().unwrap().contains("returns are off"),
        "{ils}"
    );
}

#[test]
fn an_unknown_check_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |t| t);
    let run = kiosk(
        &[
            "diag",
            "--config",
            config.to_str().unwrap(),
            "--device",
            "toaster",
        ],
        "",
        &[],
    );
    assert!(!run.success);
    assert!(
        run.stderr
            .contains("the checks are item_reader, card_reader, scanner"),
        "{}",
        run.stderr
    );
}
