//! TLS to the ACS with rustls: the library's own CA (or the system's roots), and a client
//! certificate when the ACS asks for one. SIP2 carries passwords in clear text, so TLS matters.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// PEM file of the CA(s) that sign the ACS's certificate; without it, the system's roots.
    pub ca_file: Option<PathBuf>,
    /// PEM certificate chain and key, when the ACS asks for a client certificate.
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// The name in the ACS's certificate, when it differs from the host connected to.
    pub server_name: Option<String>,
}

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("cannot read certificates from {path}: {detail}")]
    Pem { path: PathBuf, detail: String },
    #[error("{path} holds no certificate")]
    NoCertificates { path: PathBuf },
    #[error("no trusted root certificates: set `ca_file`")]
    NoRoots,
    #[error("`client_cert` and `client_key` go together; only one is set")]
    HalfClientIdentity,
    #[error("the client certificate or key is not usable: {0}")]
    ClientIdentity(rustls::Error),
    #[error("{0:?} is not a valid TLS server name")]
    ServerName(String),
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem_error = |detail: String| TlsError::Pem {
        path: path.to_owned(),
        detail,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificates {
            path: path.to_owned(),
        });
    }
    Ok(certs)
}

pub fn client_config(settings: &TlsSettings) -> Result<Arc<ClientConfig>, TlsError> {
    let mut roots = RootCertStore::empty();
    match &settings.ca_file {
        Some(path) => {
            for cert in certificates(path)? {
                roots.add(cert).map_err(|e| TlsError::Pem {
                    path: path.clone(),
                    detail: e.to_string(),
                })?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                // A system store may hold a certificate rustls cannot parse; the rest still count.
                let _ = roots.add(cert);
            }
        }
    }
    if roots.is_empty() {
        return Err(TlsError::NoRoots);
    }
    let builder = ClientConfig::builder().with_root_certificates(roots);
    let config = match (&settings.client_cert, &settings.client_key) {
        (None, None) => builder.with_no_client_auth(),
        (Some(cert), Some(key)) => {
            let chain = certificates(cert)?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Pem {
                path: key.clone(),
                detail: e.to_string(),
            })?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(TlsError::ClientIdentity)?
        }
        _ => return Err(TlsError::HalfClientIdentity),
    };
    Ok(Arc::new(config))
}

pub fn server_name(settings: &TlsSettings, host: &str) -> Result<ServerName<'static>, TlsError> {
    let name = settings.server_name.as_deref().unwrap_or(host);
    ServerName::try_from(name.to_owned()).map_err(|_| TlsError::ServerName(name.to_owned()))
}
