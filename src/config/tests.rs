use super::secrets::{ILS_PASSWORD_ENV, Secrets};
use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("kiosk.toml"))
}

fn minimal() -> String {
    "[kiosk]\nid = \"k1\"\n[ils]\nkind = \"sim\"\n".into()
}

#[test]
fn the_example_is_valid_and_matches_the_defaults_where_it_says_so() {
    let config = Config::demo();
    assert_eq!(config.kiosk.id, "kiosk-01");
    let policy = config.policy(true, true);
    assert!(policy.pin_required);
    assert_eq!(policy.inactivity_timeout, Duration::from_secs(60));
    assert!(policy.barcodes.patron.is_some());
    let defaults = parse(&minimal()).unwrap().policy(true, true);
    assert_eq!(defaults.pin_attempts, policy.pin_attempts);
    assert_eq!(defaults.max_items_per_session, policy.max_items_per_session);
}

#[test]
fn a_misspelt_key_is_named() {
    let text = minimal().replace("id = \"k1\"", "id = \"k1\"\nlibary_name = \"x\"");
    let message = parse(&text).unwrap_err().to_string();
    assert!(message.contains("libary_name"), "{message}");
    assert!(
        message.contains("library_name"),
        "suggests the right key: {message}"
    );
}

#[test]
fn a_wrong_type_is_named() {
    let text = format!(
        "{}[session]\ninactivity_timeout_secs = \"sixty\"\n",
        minimal()
    );
    let message = parse(&text).unwrap_err().to_string();
    assert!(message.contains("inactivity_timeout_secs"), "{message}");
    assert!(message.contains("expected u64"), "{message}");
}

#[test]
fn a_missing_required_key_is_named() {
    let message = parse("[kiosk]\nid = \"k1\"\n").unwrap_err().to_string();
    assert!(message.contains("ils"), "{message}");
    let message = parse("[kiosk]\n[ils]\nkind = \"sim\"\n")
        .unwrap_err()
        .to_string();
    assert!(message.contains("`id`"), "{message}");
    let message = parse("[kiosk]\nid = \"k1\"\n[ils]\n")
        .unwrap_err()
        .to_string();
    assert!(message.contains("`kind`"), "{message}");
}

#[test]
fn an_unknown_ils_kind_lists_the_known_ones() {
    let message = parse(&minimal().replace("\"sim\"", "\"alma\""))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("alma") && message.contains("sim"),
        "{message}"
    );
}

#[test]
fn inconsistent_values_name_key_expected_and_found() {
    let text = format!(
        "{}[session]\ninactivity_timeout_secs = 30\ninactivity_warning_secs = 30\n",
        minimal()
    );
    let message = parse(&text).unwrap_err().to_string();
    assert_eq!(
        message,
        "kiosk.toml: key `session.inactivity_warning_secs`: expected less than \
         session.inactivity_timeout_secs (30), found 30"
    );
    let message = parse(&minimal().replace("\"k1\"", "\"kiosk 1\""))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("`kiosk.id`") && message.contains("\"kiosk 1\""),
        "{message}"
    );
    let text = format!(
        "{}[barcodes.item]\nmin_length = 20\nmax_length = 10\n",
        minimal()
    );
    let message = parse(&text).unwrap_err().to_string();
    assert!(message.contains("`barcodes.item`"), "{message}");
    let text = format!(
        "{}[session]\nreceipt_choices = [\"print\", \"print\"]\n",
        minimal()
    );
    assert!(
        parse(&text)
            .unwrap_err()
            .to_string()
            .contains("receipt_choices")
    );
    let text = format!("{}[logging]\nlevel = \"loud[\"\n", minimal());
    assert!(
        parse(&text)
            .unwrap_err()
            .to_string()
            .contains("`logging.level`")
    );
}

#[test]
fn a_password_in_the_main_file_is_refused_and_not_repeated() {
    let text = format!("{}[ils.sim]\npassword = \"hunter2\"\n", minimal());
    let message = parse(&text).unwrap_err().to_string();
    assert!(message.contains("`ils.sim.password`"), "{message}");
    assert!(message.contains(ILS_PASSWORD_ENV), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn secrets_come_from_the_file_and_the_environment_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.toml");
    std::fs::write(&path, "ils_password = \"from-file\"\n").unwrap();
    let secrets = Secrets::load(Some(&path), |_| None).unwrap();
    assert_eq!(
        secrets.ils_password.as_ref().map(|s| s.expose()),
        Some("from-file")
    );
    assert_eq!(format!("{secrets:?}").matches("from-file").count(), 0);
    let secrets = Secrets::load(Some(&path), |name| {
        (name == ILS_PASSWORD_ENV).then(|| "from-env".to_string())
    })
    .unwrap();
    assert_eq!(
        secrets
            .ils_password
            .map(|s| s.expose().to_owned())
            .as_deref(),
        Some("from-env")
    );
}

#[test]
fn systemd_credentials_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.toml");
    std::fs::write(
        &path,
        "ils_password = \"from-file\"\nterminal_password = \"t\"\n",
    )
    .unwrap();
    let credentials = dir.path().join("credentials");
    std::fs::create_dir(&credentials).unwrap();
    std::fs::write(credentials.join("ils_password"), "from-credential\n").unwrap();
    let env = |name: &str| {
        (name == crate::config::secrets::CREDENTIALS_ENV).then(|| credentials.display().to_string())
    };
    let secrets = Secrets::load(Some(&path), env).unwrap();
    let expose =
        |s: &Option<crate::config::secrets::Secret>| s.as_ref().map(|s| s.expose().to_owned());
    assert_eq!(
        expose(&secrets.ils_password).as_deref(),
        Some("from-credential")
    );
    // A credential not given leaves the file's.
    assert_eq!(expose(&secrets.terminal_password).as_deref(), Some("t"));
}

#[test]
fn a_broken_secrets_file_does_not_show_its_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.toml");
    std::fs::write(&path, "\nils_password = \"pa55word\" trailing\n").unwrap();
    let message = Secrets::load(Some(&path), |_| None)
        .unwrap_err()
        .to_string();
    assert!(message.contains("line 2"), "{message}");
    assert!(!message.contains("pa55word"), "{message}");
}

#[cfg(unix)]
#[test]
fn a_secrets_file_others_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.toml");
    std::fs::write(&path, "").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let warnings = Secrets::warnings(Some(&path));
    assert!(warnings[0].contains("chmod 600"), "{warnings:?}");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(Secrets::warnings(Some(&path)).is_empty());
}

/// The example's commented `[ils.sip2]` block, uncommented: every key it documents exists.
#[test]
fn the_documented_sip2_keys_all_parse() {
    let start = EXAMPLE.find("# [ils.sip2]").unwrap();
    let end = EXAMPLE.find("\n[offline]").unwrap();
    let block: String = EXAMPLE[start..end]
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| {
            l.starts_with('[')
                || l.split_once(" = ")
                    .is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        block.contains("nb_due_date") && block.contains("client_key"),
        "{block}"
    );
    let text = format!("{}\n{block}\n{}", &EXAMPLE[..start], &EXAMPLE[end..]);
    let config = parse(&text.replace("kind = \"sim\"", "kind = \"sip2\"")).unwrap();
    let sip2 = config.ils.sip2.unwrap();
    assert_eq!(sip2.port, 6001);
    assert!(sip2.tls.is_some());
    // The [ils.folio] and [ils.koha] blocks too, each valid for its kind.
    let folio = parse(&text.replace("kind = \"sim\"", "kind = \"folio\"")).unwrap();
    let folio = folio.ils.folio.unwrap();
    assert_eq!(folio.tenant, "diku");
    assert_eq!(folio.http.read_retries, 2);
    let koha = parse(&text.replace("kind = \"sim\"", "kind = \"koha\"")).unwrap();
    let koha = koha.ils.koha.unwrap();
    assert_eq!(koha.confirm, vec!["DEBT".to_owned()]);
    assert_eq!(koha.checkin, crate::ils::koha::CheckinRoute::None);
}

#[test]
fn http_ils_sections_are_checked() {
    let folio = minimal().replace("\"sim\"", "\"folio\"");
    let message = parse(&folio).unwrap_err().to_string();
    assert!(message.contains("[ils.folio]"), "{message}");
    let folio = format!(
        "{folio}[ils.folio]\nurl = \"https://okapi.example.org\"\ntenant = \"t\"\nusername = \"k\"\nservice_point = \"desk\"\n"
    );
    let message = parse(&folio).unwrap_err().to_string();
    assert!(message.contains("ils.folio.service_point"), "{message}");
    let koha = minimal().replace("\"sim\"", "\"koha\"")
        + "[ils.koha]\nurl = \"https://koha.example.org\"\nclient_id = \"k\"\nconfirm = [\"ISSUED_TO_ANOTHER\"]\n";
    let message = parse(&koha).unwrap_err().to_string();
    assert!(message.contains("needs a person"), "{message}");
    let koha = minimal().replace("\"sim\"", "\"koha\"")
        + "[ils.koha]\nurl = \"https://koha.example.org\"\nclient_id = \"k\"\ncheckin = \"sip2\"\n";
    let message = parse(&koha).unwrap_err().to_string();
    assert!(
        message.contains("ils.sip2"),
        "returns through SIP2 need its section: {message}"
    );
}

#[test]
fn sip2_without_its_section_is_named() {
    let message = parse(&minimal().replace("\"sim\"", "\"sip2\""))
        .unwrap_err()
        .to_string();
    assert!(message.contains("`ils.sip2`"), "{message}");
}

#[test]
fn metrics_are_off_by_default_and_a_bad_address_is_named() {
    assert!(parse(&minimal()).unwrap().metrics.listen.is_none());
    let on = parse(&format!(
        "{}[metrics]\nlisten = \"0.0.0.0:9464\"\n",
        minimal()
    ))
    .unwrap();
    assert_eq!(on.metrics.listen, Some("0.0.0.0:9464".parse().unwrap()));
    let message = parse(&format!(
        "{}[metrics]\nlisten = \"everywhere\"\n",
        minimal()
    ))
    .unwrap_err()
    .to_string();
    assert!(message.contains("listen = \"everywhere\""), "{message}");
    assert!(message.contains("invalid socket address"), "{message}");
    // The token is a secret: from the secrets file, a credential or the environment only.
    let message = parse(&format!("{}[metrics]\ntoken = \"t0k3n\"\n", minimal()))
        .unwrap_err()
        .to_string();
    assert!(message.contains("token"), "{message}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.toml");
    std::fs::write(&path, "metrics_token = \"from-file\"\n").unwrap();
    let secrets = Secrets::load(Some(&path), |_| None).unwrap();
    assert_eq!(
        secrets.metrics_token.as_ref().map(|s| s.expose()),
        Some("from-file")
    );
    assert!(!format!("{secrets:?}").contains("from-file"));
    let secrets = Secrets::load(Some(&path), |name| {
        (name == crate::config::secrets::METRICS_TOKEN_ENV).then(|| "from-env".to_string())
    })
    .unwrap();
    assert_eq!(
        secrets.metrics_token.as_ref().map(|s| s.expose()),
        Some("from-env")
    );
}
