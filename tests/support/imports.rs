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
}

/// A fresh table (as `services`), bucket and queue; the queue relayed to
/// the imports function by two pollers (concurrency 2).
pub async fn rig(overrides: &[(&str, &str)]) -> ImportRig {
    let (svc, _) = build_services(overrides, DEFAULT_BUS).await;
    let (rig, aws, config) = with_bucket_and_queue(svc).await;
    spawn_queue_relay(&aws, &config.queue_url, rig.svc.clone());
    rig
}

/// `svc` with a bucket and queue of their own in moto.
pub async fn with_bucket_and_queue(svc: Services) -> (ImportRig, aws_config::SdkConfig, ImportsConfig) {
    let aws = aws().await;
    assert!(std::env::var("AWS_ENDPOINT_URL_S3").is_ok(), "run the tests through scripts/test.sh, which starts moto");
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&aws).force_path_style(true).build());
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let bucket = unique("imports").to_lowercase().replace('_', "-");
    s3.create_bucket().bucket(&bucket).send().await.expect("create bucket");
    let queue = sqs.create_queue().queue_name(unique("imports")).send().await.expect("create queue");
    let queue_url = queue.queue_url.expect("queue url");
    let config = ImportsConfig { bucket, queue_url };
    let svc = Arc::new(svc.with_imports(files(&aws, &config)));
    (ImportRig { svc }, aws, config)
}

/// The bucket and queue, files of at most `MAX_UPLOAD`; an export's slices of one page of 2 customers and
/// parts of 4 KiB (moto is started to take such parts): a slice leaves its
/// rows pending, the next writes them with its own as a part, and a few
/// dozen customers make a file of many parts.
fn files(aws: &aws_config::SdkConfig, config: &ImportsConfig) -> ImportFiles {
    let tuning = shared::imports::ExportTuning { part_bytes: 4096, page: 2, slice_time: Duration::ZERO };
    ImportFiles::new(aws, config).with_export_tuning(tuning).with_max_upload_bytes(MAX_UPLOAD)
}

/// The largest file the tests' imports take (a deployment's: 2 GB).
pub const MAX_UPLOAD: u64 = 2 * 1024 * 1024;

/// Relays the queue to the imports function over `svc`, as Lambda would.
pub fn spawn_queue_relay(
    aws: &aws_config::SdkConfig,
    queue_url: &str,
    svc: Arc<Services>,
) -> tokio::task::JoinHandle<()> {
    // A message stays with its invocation however slow a loaded machine
    // makes it (as the deployment's 1,800 s outlast the function's 300 s);
    // a failed one comes back after a second.
    let settings = customer_ctl::queue_relay::QueueSettings {
        batch_size: 1,
        concurrency: 2,
        visibility: Duration::from_secs(120),
        retry_after: Some(Duration::from_secs(1)),
    };
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

/// Fails one call of the DynamoDB client it is put on: the `nth` (from 1)
/// request of one kind, as a crash of the imports function there would
/// leave it.
#[derive(Debug, Clone)]
pub struct FailCall {
    action: &'static str,
    markers: &'static [&'static str],
    nth: usize,
    seen: Arc<std::sync::atomic::AtomicUsize>,
}

impl FailCall {
    /// The transaction that moves an import chunk's checkpoint: between
    /// its rows and their checkpoint.
    pub fn import_checkpoint(nth: usize) -> Self {
        Self { action: "TransactWriteItems", markers: &["CHUNK#"], nth, seen: Default::default() }
    }

    /// The update that saves an export's slice: after its part is written.
    pub fn export_save(nth: usize) -> Self {
        Self { action: "UpdateItem", markers: &["rowsWritten"], nth, seen: Default::default() }
    }

    /// The update that marks an export completed: after its file's end is written.
    pub fn export_end(nth: usize) -> Self {
        Self { action: "UpdateItem", markers: &["#EXPORTS", "finishedAt"], nth, seen: Default::default() }
    }
}

impl aws_sdk_dynamodb::config::Intercept for FailCall {
    fn name(&self) -> &'static str {
        "FailCall"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_sdk_dynamodb::config::RuntimeComponents,
        _: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let request = context.request();
        let action = request.headers().get("x-amz-target").is_some_and(|t| t.ends_with(self.action));
        let marked = request.body().bytes().is_some_and(|b| {
            let body = String::from_utf8_lossy(b);
            self.markers.iter().all(|m| body.contains(m))
        });
        if action && marked {
            let n = self.seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            if n == self.nth {
                return Err("the imports function stopped here (a test's fault)".into());
            }
        }
        Ok(())
    }
}

/// A rig whose imports function's DynamoDB client has `interceptor` on it
/// (a fault, a recorder); the admin's services are as in `rig`.
pub async fn rig_with_worker(interceptor: impl aws_sdk_dynamodb::config::Intercept + 'static) -> ImportRig {
    let (svc, _) = build_services(&[], DEFAULT_BUS).await;
    let (rig, aws, config) = with_bucket_and_queue(svc).await;
    let svc = &rig.svc;
    let table = svc.config.table_name.clone();
    let conf = aws_sdk_dynamodb::config::Builder::from(&aws).interceptor(interceptor).build();
    let faulty = DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(conf), table);
    let worker = Services::new(svc.config.clone(), Arc::new(faulty), TokenRole::NoKeys)
        .expect("services")
        .with_clock(Arc::new(clock(svc)))
        .with_imports(files(&aws, &config));
    spawn_queue_relay(&aws, &config.queue_url, Arc::new(worker));
    rig
}
