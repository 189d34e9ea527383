//! The HTTP link the REST adapters (FOLIO, Koha) share: reqwest (blocking, rustls), connect and
//! request timeouts, and retries with backoff for reads only.
//!
//! How a failure is told matters for exactly-once: a request that never left (connection
//! refused, DNS) is `LinkDown` and may be sent again; a write that may have reached the ILS
//! (timeout, broken connection, a 5xx) is `OutcomeUnknown`, and is reconciled before anything
//! is repeated.

use crate::circ::IlsError;
use reqwest::blocking::{Client, RequestBuilder};
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

/// Link settings, shared by the `[ils.folio]` and `[ils.koha]` sections.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    pub connect_timeout_secs: u64,
    pub request_timeout_secs: u64,
    /// Times a read (GET) is tried again after a timeout, a dropped connection or a 5xx.
    pub read_retries: u32,
    /// Extra CA certificate (PEM) for an ILS behind a private CA.
    pub ca_file: Option<PathBuf>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout_secs: 5,
            request_timeout_secs: 15,
            read_retries: 2,
            ca_file: None,
        }
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
    /// Response headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The server's TLS certificate (DER), over HTTPS.
    pub peer_certificate: Option<Vec<u8>>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON of the expected shape; a body that is not is the ILS's fault.
    pub fn json<T: serde::de::DeserializeOwned>(&self, what: &str) -> Result<T, IlsError> {
        serde_json::from_str(&self.body).map_err(|e| {
            IlsError::BadReply(format!(
                "{what}: not the JSON expected ({e}): {}",
                excerpt(&self.body)
            ))
        })
    }
}

/// The server's certificate, described for a technician: "; TLS, certificate valid until …",
/// and a warning when it runs out soon.
pub fn certificate_note(response: &Response) -> (String, Option<String>) {
    match &response.peer_certificate {
        Some(der) => {
            let (summary, warning) = super::cert::describe(der, chrono::Utc::now());
            (format!("; TLS, {summary}"), warning)
        }
        None => (String::new(), None),
    }
}

/// The start of a body, for messages (never the whole of a large page).
pub fn excerpt(body: &str) -> String {
    let mut text: String = body.chars().take(200).collect();
    if body.chars().count() > 200 {
        text.push('…');
    }
    text
}

/// How the HTTP adapters reach the ILS: over the network ([`HttpLink`]), or in the fuzz targets
/// and tests from a script, so every reply the adapters decode can be fed to them without a
/// server.
pub trait Transport: Send {
    /// Sends a request. Reads are tried again with backoff; writes are sent once.
    fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Response, IlsError>;

    /// A form POST (an OAuth2 token request).
    fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Result<Response, IlsError>;
}

/// The most of a reply body the kiosk reads: a reader's whole account is far less; a server
/// sending more is broken or hostile, and is not allowed to fill the Pi's memory.
pub const MAX_BODY: u64 = 4 << 20;

pub struct HttpLink {
    client: Client,
    base: String,
    settings: HttpSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
}

impl HttpLink {
    pub fn new(base: &str, settings: HttpSettings) -> Result<HttpLink, IlsError> {
        let mut builder = Client::builder()
            .connect_timeout(Duration::from_secs(settings.connect_timeout_secs))
            .timeout(Duration::from_secs(settings.request_timeout_secs))
            .user_agent(concat!("library-kiosk/", env!("CARGO_PKG_VERSION")))
            .tls_info(true);
        if let Some(path) = &settings.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                IlsError::LinkDown(format!("cannot read the CA file {}: {e}", path.display()))
            })?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                IlsError::LinkDown(format!("the CA file {} is not PEM: {e}", path.display()))
            })?;
            if certificates.is_empty() {
                return Err(IlsError::LinkDown(format!(
                    "the CA file {} holds no PEM certificate",
                    path.display()
                )));
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let client = builder
            .build()
            .map_err(|e| IlsError::LinkDown(format!("cannot set up HTTP: {e}")))?;
        Ok(HttpLink {
            client,
            base: base.trim_end_matches('/').to_owned(),
            settings,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn once(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Response, IlsError> {
        let url = format!("{}{path}", self.base);
        let mut request: RequestBuilder = match method {
            Method::Get => self.client.get(&url),
            Method::Post => self.client.post(&url),
            Method::Put => self.client.put(&url),
        };
        request = request.header("accept", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        read(request, path, method != Method::Get)
    }
}

impl Transport for HttpLink {
    fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Response, IlsError> {
        let attempts = if method == Method::Get {
            1 + self.settings.read_retries
        } else {
            1
        };
        let mut wait = Duration::from_millis(200);
        let mut last = None;
        for attempt in 0..attempts {
            if attempt > 0 {
                std::thread::sleep(wait);
                wait *= 2;
            }
            match self.once(method, path, headers, body) {
                Ok(response) => match server_failed(method, path, &response) {
                    Some(error @ IlsError::LinkDown(_)) => last = Some(error),
                    Some(error) => return Err(error),
                    None => return Ok(response),
                },
                Err(error) => {
                    let retry = method == Method::Get && !matches!(error, IlsError::BadReply(_));
                    if !retry {
                        return Err(error);
                    }
                    // The query may name a reader (a card or ID number): not logged.
                    let path = path.split('?').next().unwrap_or_default();
                    tracing::debug!(path, attempt, "read failed; trying again");
                    last = Some(error);
                }
            }
        }
        Err(last.unwrap_or_else(|| IlsError::LinkDown(format!("{path}: no attempt made"))))
    }

    /// A form POST (an OAuth2 token request): sent once, and it changes nothing in the
    /// library, so a failure is only a link problem.
    fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Result<Response, IlsError> {
        let url = format!("{}{path}", self.base);
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = self
            .client
            .post(&url)
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        read(request, path, false)
    }
}

fn read(request: RequestBuilder, path: &str, write: bool) -> Result<Response, IlsError> {
    let response = request.send().map_err(|e| classify(&e, path, write))?;
    let status = response.status().as_u16();
    let peer_certificate = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .map(<[u8]>::to_vec);
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let body = read_body(response, path, write)?;
    Ok(Response {
        status,
        body,
        headers,
        peer_certificate,
    })
}

/// A server error (5xx) as the adapters see it: a read that may be tried again (the link), or a
/// write the ILS failed while handling, which it may or may not have applied.
pub fn server_failed(method: Method, path: &str, response: &Response) -> Option<IlsError> {
    if response.status < 500 {
        return None;
    }
    let said = excerpt(&response.body);
    Some(if method == Method::Get {
        IlsError::LinkDown(format!("GET {path}: HTTP {}: {said}", response.status))
    } else {
        IlsError::OutcomeUnknown(format!("{path}: HTTP {}: {said}", response.status))
    })
}

/// The body as text, at most [`MAX_BODY`] bytes of it; JSON is UTF-8 (RFC 8259), and a stray
/// byte that is not becomes U+FFFD rather than failing the reply.
fn read_body(
    response: reqwest::blocking::Response,
    path: &str,
    write: bool,
) -> Result<String, IlsError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    response
        .take(MAX_BODY + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            let text = format!("{path}: the reply broke off: {e}");
            if write {
                IlsError::OutcomeUnknown(text)
            } else {
                IlsError::LinkDown(text)
            }
        })?;
    if bytes.len() as u64 > MAX_BODY {
        return Err(IlsError::BadReply(format!(
            "{path}: a reply of more than {} MiB",
            MAX_BODY >> 20
        )));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn classify(error: &reqwest::Error, path: &str, write: bool) -> IlsError {
    // reqwest's own words hide the cause ("error sending request"); a technician needs it
    // (a refused connection, an unknown certificate issuer, a timeout).
    let mut text = format!("{path}: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    if error.is_connect() || error.is_builder() {
        IlsError::LinkDown(text)
    } else if write {
        IlsError::OutcomeUnknown(text)
    } else {
        IlsError::LinkDown(text)
    }
}

/// Encodes a query value (CQL queries carry quotes, spaces and `=`).
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};

    /// A one-request HTTP server on loopback answering 200 with `body_len` bytes of JSON-ish
    /// text; the link's base URL.
    fn serve_once(body_len: usize) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                line.clear();
            }
            let mut stream = stream;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {body_len}\r\nconnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
            let chunk = vec![b' '; 64 << 10];
            let mut left = body_len;
            while left > 0 {
                let n = left.min(chunk.len());
                if stream.write_all(&chunk[..n]).is_err() {
                    return;
                }
                left -= n;
            }
        });
        format!("http://127.0.0.1:{port}")
    }

    #[test]
    fn a_reply_larger_than_the_cap_is_refused_and_one_within_it_read() {
        let link = HttpLink::new(&serve_once(1000), HttpSettings::default()).unwrap();
        let response = link.send(Method::Get, "/small", &[], None).unwrap();
        assert_eq!(response.body.len(), 1000);

        let huge = MAX_BODY as usize + 1;
        let link = HttpLink::new(&serve_once(huge), HttpSettings::default()).unwrap();
        match link.send(Method::Post, "/huge", &[], None) {
            Err(IlsError::BadReply(why)) => assert!(why.contains("more than 4 MiB"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
