//! Imports in tests: a bucket and a queue of the test's own in moto, the
//! queue relayed to the `imports` function in process (as Lambda's event
//! source mapping would), and the admin's calls that stage, upload, run
//! and follow an import.

use super::*;
use shared::config::ImportsConfig;
use shared::imports::ImportFiles;

/// The services of a test with imports, and its bucket and queue.
pub struct ImportRig {
    pub svc: Arc<Services>,
    pub bucket: String,
    pub queue_url: String,
    pub s3: aws_sdk_s3::Client,
    pub sqs: aws_sdk_sqs::Client,
}

/// A fresh table (as `services`), bucket and queue; the queue relayed to
/// the imports function by two pollers (concurrency 2).
pub async fn rig(overrides: &[(&str, &str)]) -> ImportRig {
    let (svc, _) = build_services(overrides, DEFAULT_BUS).await;
    let aws = aws().await;
    assert!(std::env::var("AWS_ENDPOINT_URL_S3").is_ok(), "run the tests through scripts/test.sh, which starts moto");
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&aws).force_path_style(true).build());
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let bucket = unique("imports").to_lowercase().replace('_', "-");
    s3.create_bucket().bucket(&bucket).send().await.expect("create bucket");
    let queue_url = sqs
        .create_queue()
        .queue_name(unique("imports"))
        .send()
        .await
        .expect("create queue")
        .queue_url
        .expect("queue url");
    let config = ImportsConfig { bucket: bucket.clone(), queue_url: queue_url.clone() };
    let svc = Arc::new(svc.with_imports(ImportFiles::new(&aws, &config)));
    spawn_queue_relay(&aws, &queue_url, svc.clone());
    ImportRig { svc, bucket, queue_url, s3, sqs }
}

/// Relays the queue to the imports function over `svc`, as Lambda would.
pub fn spawn_queue_relay(
    aws: &aws_config::SdkConfig,
    queue_url: &str,
    svc: Arc<Services>,
) -> tokio::task::JoinHandle<()> {
    let settings =
        customer_ctl::queue_relay::QueueSettings { batch_size: 1, concurrency: 2, visibility: Duration::from_secs(5) };
    let relay = customer_ctl::queue_relay::QueueRelay::new(aws, queue_url).with_settings(settings);
    let function: Arc<dyn customer_ctl::queue_relay::QueueSink> = Arc::new(::imports::Imports::new(svc));
    tokio::spawn(async move {
        if let Err(e) = relay.run(function).await {
            eprintln!("the queue relay stopped: {e:#}");
        }
    })
}

pub const IMPORT_FIELDS: &str = "id format fileName status uploadUrl uploadExpiresAt rowsTotal rowsProcessed created updated unchanged failed dryRun createdAt startedAt finishedAt failureReason errorsUrl errors(first: 100) { line code field message }";

/// Puts `body` where `uploadUrl` says, as a client would (`curl -T`).
pub async fn upload(url: &str, body: impl Into<Vec<u8>>) {
    let resp = reqwest::Client::new().put(url).body(body.into()).send().await.expect("upload");
    assert!(resp.status().is_success(), "upload answered {}", resp.status());
}

/// Downloads `url` (an errors file).
pub async fn download(url: &str) -> String {
    let resp = reqwest::get(url).await.expect("download");
    assert!(resp.status().is_success(), "download answered {}", resp.status());
    resp.text().await.expect("text")
}
