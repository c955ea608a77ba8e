//! The AWS SDK configuration every binary uses.
//!
//! The SDK's default HTTPS client loads the system's root certificates (a
//! bundle and ~150 single files) and parses them when the first client is
//! built: measured, that was most of the cold start above a hello-world
//! binary (BENCHMARKS.md). AWS service endpoints all chain to Amazon Trust
//! Services roots, so those five are compiled in and nothing is read from
//! disk. `AWS_CA_BUNDLE` (the name the other AWS SDKs and the CLI use) adds
//! the certificates of a PEM file, for a TLS-intercepting proxy or a local
//! TLS endpoint. Every call has connect, attempt and operation timeouts
//! (below).

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::Builder;
use std::time::Duration;

/// Timeouts of every AWS call (DynamoDB, SES, Secrets Manager, EventBridge),
/// so that a hung dependency is a clean `INTERNAL` well inside the API
/// functions' 10-second Lambda timeout, never a hung invocation:
/// - connecting: 1 s (an in-region endpoint connects in milliseconds);
/// - one attempt: 2 s (DynamoDB answers in single-digit milliseconds, a
///   transaction or an SES send in well under a second);
/// - the whole call, retries included: 4 s. A request's first call to a
///   hung service ends there; it makes no further call after a failure.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(4);
/// Attempts per call (standard retry mode: throttling and transient errors,
/// attempt timeouts included, are retried with jittered backoff).
pub const MAX_ATTEMPTS: u32 = 3;

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// Amazon Root CA 1-4 and Starfield Services Root CA G2, from
/// <https://www.amazontrust.com/repository/>.
const AMAZON_ROOTS: &[u8] = include_bytes!("../certs/amazon-trust-services.pem");

/// The environment's SDK configuration (region, credentials, `AWS_ENDPOINT_URL_*`)
/// with the HTTPS client described above.
pub async fn load() -> anyhow::Result<aws_config::SdkConfig> {
    let extra = match std::env::var_os("AWS_CA_BUNDLE") {
        Some(path) => Some(
            std::fs::read(&path).map_err(|e| anyhow::anyhow!("read AWS_CA_BUNDLE {}: {e}", path.to_string_lossy()))?,
        ),
        None => None,
    };
    load_trusting(extra).await
}

/// As [`load`], trusting the certificates of `extra_pem` besides Amazon's roots.
pub async fn load_trusting(extra_pem: Option<Vec<u8>>) -> anyhow::Result<aws_config::SdkConfig> {
    let mut trust = TrustStore::empty().with_native_roots(false).with_pem_certificate(AMAZON_ROOTS);
    if let Some(pem) = extra_pem {
        check_roots(&pem)?;
        trust = trust.with_pem_certificate(pem);
    }
    let tls = TlsContext::builder().with_trust_store(trust).build()?;
    let http = Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::Ring)).tls_context(tls).build_https();
    Ok(aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .timeout_config(timeouts())
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .load()
        .await)
}

/// The SDK parses the trust store when it first connects and panics on a bad
/// certificate; an operator's bundle is checked here instead, with an error
/// that says what is wrong.
fn check_roots(pem: &[u8]) -> anyhow::Result<()> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("AWS_CA_BUNDLE is not PEM: {e}"))?;
    anyhow::ensure!(!certs.is_empty(), "AWS_CA_BUNDLE holds no certificate");
    let mut roots = rustls::RootCertStore::empty();
    for cert in certs {
        roots.add(cert).map_err(|e| anyhow::anyhow!("AWS_CA_BUNDLE has a certificate that cannot be a root: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_roots_are_five_valid_certificates() {
        check_roots(AMAZON_ROOTS).unwrap();
        assert_eq!(String::from_utf8_lossy(AMAZON_ROOTS).matches("BEGIN CERTIFICATE").count(), 5);
    }

    #[test]
    fn a_bundle_that_is_not_certificates_is_refused_with_a_reason() {
        let err = check_roots(b"not a certificate").unwrap_err().to_string();
        assert!(err.contains("AWS_CA_BUNDLE holds no certificate"), "{err}");
        let broken = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(check_roots(broken).is_err());
    }
}
