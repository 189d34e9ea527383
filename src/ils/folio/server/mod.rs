//! The simulated library behind a FOLIO-shaped HTTP endpoint (`kiosk sim-ils --folio ADDR`):
//! the calls the FOLIO adapter makes, answered from [`SimIls`], with login tokens that expire.
//! Loans are kept by item barcode, so the crash-and-replay test can check no loan is lost or
//! applied twice through FOLIO too. Requests are checked against the shapes mod-circulation
//! requires (required fields, no extra fields on check-in).

use super::api;
use crate::circ::reason::{Reason, Refusal};
use crate::ils::sim::SimIls;
use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tiny_http::{Header, Method, Request, Response, Server};

mod routes;
use routes::route;

#[derive(Debug, Clone)]
pub struct FolioServerSettings {
    pub tenant: String,
    /// The kiosk's FOLIO user and password; `None` accepts any.
    pub credentials: Option<(String, String)>,
    /// How long a token lives.
    pub token_ttl: Duration,
}

impl Default for FolioServerSettings {
    fn default() -> Self {
        FolioServerSettings {
            tenant: "sim".into(),
            credentials: None,
            token_ttl: Duration::from_secs(600),
        }
    }
}

struct State {
    sim: SimIls,
    settings: FolioServerSettings,
    tokens: Vec<(String, Instant)>,
    issued: u64,
    /// Logins served (tests count re-logins).
    logins: u64,
}

/// A running server; it stops when this is dropped.
pub struct FolioServer {
    addr: SocketAddr,
    server: Arc<Server>,
    state: Arc<Mutex<State>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FolioServer {
    pub fn start(
        addr: &str,
        sim: SimIls,
        settings: FolioServerSettings,
    ) -> std::io::Result<FolioServer> {
        let server = Server::http(addr).map_err(|e| std::io::Error::other(e.to_string()))?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| std::io::Error::other("not an IP address"))?;
        let server = Arc::new(server);
        let state = Arc::new(Mutex::new(State {
            sim,
            settings,
            tokens: Vec::new(),
            issued: 0,
            logins: 0,
        }));
        let (serving, shared) = (Arc::clone(&server), Arc::clone(&state));
        let thread = std::thread::Builder::new()
            .name("sim-folio".into())
            .spawn(move || {
                for request in serving.incoming_requests() {
                    handle(&shared, request);
                }
            })?;
        Ok(FolioServer {
            addr,
            server,
            state,
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn logins(&self) -> u64 {
        self.state.lock().map(|s| s.logins).unwrap_or(0)
    }

    /// Makes every token issued so far invalid (as when FOLIO restarts or a token expires).
    pub fn expire_tokens(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.tokens.clear();
        }
    }

    pub fn with_sim<T>(&self, f: impl FnOnce(&mut SimIls) -> T) -> Option<T> {
        self.state.lock().ok().map(|mut s| f(&mut s.sim))
    }

    /// Serves until the process ends.
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for FolioServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn reply(request: Request, status: u16, body: &Value, extra: Vec<Header>) {
    let mut response = Response::from_string(body.to_string()).with_status_code(status);
    if let Some(h) = header("content-type", "application/json") {
        response.add_header(h);
    }
    for h in extra {
        response.add_header(h);
    }
    let _ = request.respond(response);
}

fn errors(message: &str) -> Value {
    json!({"errors": [{"message": message, "parameters": []}]})
}

/// Stable UUID-shaped ids from barcodes, and back.
pub fn id_of(kind: char, barcode: &str) -> String {
    let mut hex: String = barcode
        .bytes()
        .take(15)
        .map(|b| format!("{b:02x}"))
        .collect();
    hex.insert(0, if kind == 'u' { 'a' } else { 'b' });
    hex.insert(0, '0');
    while hex.len() < 32 {
        hex.push('0');
    }
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn barcode_of(id: &str) -> Option<String> {
    let hex: String = id.chars().filter(|c| *c != '-').skip(2).collect();
    let bytes: Option<Vec<u8>> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).ok())
        .collect();
    let bytes: Vec<u8> = bytes?.into_iter().take_while(|b| *b != 0).collect();
    String::from_utf8(bytes).ok().filter(|s| !s.is_empty())
}

/// The value of `field=="value"` in a CQL query (`\\` escapes the next character).
fn cql_value(query: &str, field: &str) -> Option<String> {
    let start = query.find(&format!("{field}==\""))? + field.len() + 3;
    let mut value = String::new();
    let mut chars = query[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?),
            '"' => return Some(value),
            c => value.push(c),
        }
    }
    None
}

fn utc_text(at: NaiveDateTime) -> String {
    let utc = Local
        .from_local_datetime(&at)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&at));
    api::instant(utc)
}

fn local_of(text: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Local).naive_local())
}

/// mod-circulation's words for a refusal, which the adapter reads back.
fn folio_message(refusal: &Refusal, item: &str) -> String {
    match &refusal.reason {
        Reason::UnknownItem => format!("No item with barcode {item} could be found"),
        Reason::UnknownPatron => "Could not find user with matching barcode".into(),
        Reason::OnHoldForAnother => format!(
            "Item {item} cannot be checked out because it has been requested by another patron"
        ),
        Reason::NotForLoan => "Item is not loanable".into(),
        Reason::TooManyItems => "Patron has reached maximum limit of items for loan type".into(),
        Reason::OnLoanToAnother | Reason::AlreadyOnLoanToYou => {
            "Cannot check out item that already has an open loan".into()
        }
        Reason::PatronBlocked { .. } => "Patron blocked from borrowing".into(),
        Reason::RenewalLimit => "loan at maximum number of renewals".into(),
        Reason::RenewalOnHold => {
            "items cannot be renewed when there is an active recall request".into()
        }
        Reason::NotOnLoanToYou | Reason::NotOnLoan => format!("No open loan for item {item}"),
        other => refusal
            .screen_message
            .clone()
            .unwrap_or_else(|| other.explain()),
    }
}

fn handle(shared: &Mutex<State>, mut request: Request) {
    let Ok(mut state) = shared.lock() else {
        return reply(
            request,
            500,
            &errors("the simulated FOLIO is broken"),
            Vec::new(),
        );
    };
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let query: String = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "query")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let header_value = |name: &str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str().to_owned())
    };
    if header_value("x-okapi-tenant").as_deref() != Some(state.settings.tenant.as_str()) {
        return reply(request, 400, &errors("No such tenant"), Vec::new());
    }
    let token = header_value("x-okapi-token");
    let mut body = String::new();
    if request.as_reader().read_to_string(&mut body).is_err() {
        return reply(request, 400, &errors("unreadable body"), Vec::new());
    }
    let body: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_str(&body) {
            Ok(value) => value,
            Err(_) => return reply(request, 400, &errors("Body is not JSON"), Vec::new()),
        }
    };
    let method = request.method().clone();
    if method == Method::Post && path == "/authn/login-with-expiry" {
        return login(&mut state, request, &body);
    }
    let now = Instant::now();
    state.tokens.retain(|(_, until)| *until > now);
    let authorised = token.is_some_and(|t| state.tokens.iter().any(|(k, _)| *k == t));
    if !authorised {
        return reply(request, 401, &json!("Invalid token"), Vec::new());
    }
    let (status, answer) = route(&mut state.sim, &method, path, &query, &body);
    reply(request, status, &answer, Vec::new());
}

fn login(state: &mut State, request: Request, body: &Value) {
    let user = body["username"].as_str().unwrap_or("");
    let password = body["password"].as_str().unwrap_or("");
    if let Some((u, p)) = &state.settings.credentials
        && (u != user || p != password)
    {
        return reply(request, 422, &errors("Password does not match"), Vec::new());
    }
    state.issued += 1;
    state.logins += 1;
    let token = format!("sim-token-{}", state.issued);
    let ttl = state.settings.token_ttl;
    state.tokens.push((token.clone(), Instant::now() + ttl));
    let expires = Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default();
    let cookie = format!(
        "folioAccessToken={token}; Max-Age={}; Path=/; HttpOnly",
        ttl.as_secs()
    );
    let body = json!({
        "accessTokenExpiration": api::instant(expires),
        "refreshTokenExpiration": api::instant(expires + chrono::Duration::days(7)),
    });
    reply(
        request,
        201,
        &body,
        header("set-cookie", &cookie).into_iter().collect(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_shaped_and_give_the_barcode_back() {
        let id = id_of('u', "20234000000019");
        assert_eq!(id.len(), 36);
        assert_eq!(barcode_of(&id).as_deref(), Some("20234000000019"));
        assert_ne!(id, id_of('i', "20234000000019"));
    }

    #[test]
    fn cql_values_are_read_with_escaped_quotes() {
        assert_eq!(
            cql_value(r#"barcode=="a\"b""#, "barcode").as_deref(),
            Some("a\"b")
        );
        assert_eq!(
            cql_value(r#"userId=="x" and status.name=="Open""#, "userId").as_deref(),
            Some("x")
        );
    }
}
