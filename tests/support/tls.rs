//! A TLS-terminating proxy in front of a plain TCP endpoint (DynamoDB Local),
//! with a fresh self-signed certificate for `localhost`: lets tests and the
//! benchmark speak TLS to the local stack the way the functions speak it to AWS.

use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;

pub struct TlsProxy {
    /// `https://localhost:<port>`
    pub url: String,
    /// The certificate the proxy presents, to trust as a root.
    pub ca_pem: String,
    task: tokio::task::JoinHandle<()>,
}

impl TlsProxy {
    /// Listens on a free loopback port and forwards every connection to `upstream` (`host:port`).
    pub async fn start(upstream: String) -> anyhow::Result<Self> {
        let rcgen::CertifiedKey { cert, signing_key } = rcgen::generate_simple_self_signed(vec!["localhost".into()])?;
        let key = rustls::pki_types::PrivateKeyDer::try_from(signing_key.serialize_der())
            .map_err(|e| anyhow::anyhow!("key: {e}"))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key)?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("https://localhost:{}", listener.local_addr()?.port());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
                tokio::spawn(async move {
                    // A failed handshake (an untrusting client) just ends that connection.
                    if let (Ok(mut tls), Ok(mut plain)) =
                        (acceptor.accept(client).await, TcpStream::connect(upstream).await)
                    {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    }
                });
            }
        });
        Ok(Self { url, ca_pem: cert.pem(), task })
    }
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
