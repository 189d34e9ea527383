//! A certificate authority made in the test, for TLS tests (SIP2 and HTTP).

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

pub struct Pki {
    pub ca_pem: String,
    pub server_chain: Vec<CertificateDer<'static>>,
    pub server_key: PrivateKeyDer<'static>,
}

/// A CA, and a certificate for `localhost` it signed.
pub fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let server_cert = server_params.signed_by(&server_key, &ca).unwrap();
    Pki {
        ca_pem: ca.pem(),
        server_chain: vec![server_cert.der().clone()],
        server_key: PrivateKeyDer::from_pem_slice(server_key.serialize_pem().as_bytes()).unwrap(),
    }
}

/// A TLS connection accepted by `serve_tls`.
pub type TlsStream = rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>;

/// A server on loopback presenting the test CA's `localhost` certificate: each connection,
/// once wrapped in TLS, goes to `serve` on a thread of its own. Returns the port.
pub fn serve_tls(pki: &Pki, serve: impl Fn(TlsStream) + Send + Sync + 'static) -> u16 {
    let config = std::sync::Arc::new(
        rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(pki.server_chain.clone(), pki.server_key.clone_key())
            .unwrap(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let serve = std::sync::Arc::new(serve);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let config = std::sync::Arc::clone(&config);
            let serve = std::sync::Arc::clone(&serve);
            std::thread::spawn(move || {
                if let Ok(connection) = rustls::ServerConnection::new(config) {
                    serve(rustls::StreamOwned::new(connection, stream));
                }
            });
        }
    });
    port
}
