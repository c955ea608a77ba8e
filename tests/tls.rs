//! The functions' HTTPS client (`shared::aws`) trusts Amazon's roots and what
//! `AWS_CA_BUNDLE` adds, nothing read from the system's store.

use crate::support::tls::TlsProxy;

async fn tables_over(url: &str, extra_pem: Option<Vec<u8>>) -> Result<(), String> {
    let aws = shared::aws::load_trusting(extra_pem).await.map_err(|e| e.to_string())?;
    let conf = aws_sdk_dynamodb::config::Builder::from(&aws).endpoint_url(url).build();
    aws_sdk_dynamodb::Client::from_conf(conf)
        .list_tables()
        .limit(1)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))
}

#[tokio::test]
async fn an_endpoint_signed_by_an_unknown_root_is_refused_and_accepted_once_its_root_is_added() {
    let upstream = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").expect("run through scripts/test.sh");
    let proxy = TlsProxy::start(upstream.trim_start_matches("http://").to_string()).await.unwrap();

    let refused = tables_over(&proxy.url, None).await.expect_err("a self-signed endpoint must not be trusted");
    assert!(refused.to_lowercase().contains("certificate"), "{refused}");

    tables_over(&proxy.url, Some(proxy.ca_pem.clone().into_bytes())).await.unwrap();
}
