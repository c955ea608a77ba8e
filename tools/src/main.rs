//! `customer-ctl`: operator commands against the table named by `TABLE_NAME`
//! (with the usual AWS credentials; `AWS_ENDPOINT_URL_DYNAMODB` locally).
//!
//!   customer-ctl create-table
//!   customer-ctl api-key mint --tenant T --name N --permissions customer:read,customer:edit
//!   customer-ctl api-key list --tenant T
//!   customer-ctl api-key revoke KEY_ID
//!   customer-ctl jwt-key generate
//!   customer-ctl jwt-key public < private-keys
//!   customer-ctl relay [--from latest|trim-horizon] [--invoke-url URL] [--only changes|mail]
//!   customer-ctl erasures [--restart]
//!   customer-ctl reindex --tenant T [--restart]
//!   customer-ctl import FILE --tenant T --format F [--mode upsert|create-only]
//!       [--match-by email|external-id|ref] [--send-invites] [--dry-run]
//!   customer-ctl export --tenant T [--format jsonl|csv] [--query Q] [--out FILE]
//!   customer-ctl queue-relay --queue-url URL [--invoke-url URL] [--concurrency N]

use anyhow::{bail, Context};
use customer_ctl::relay::{InvokeSink, Relay, StartAt};
use shared::auth::access_token;
use shared::clock::{Clock, SystemClock};
use shared::domain::{Permission, TenantId};
use shared::services::api_keys;
use shared::store::stream::StreamPath;
use shared::store::{table, ApiKeyStore, CustomerStore, DynamoStore};

const USAGE: &str = "usage:
  customer-ctl create-table
  customer-ctl api-key mint --tenant TENANT --name NAME --permissions P1,P2,...
  customer-ctl api-key list --tenant TENANT
  customer-ctl api-key revoke KEY_ID
  customer-ctl jwt-key generate           a new Ed25519 key pair for access tokens
  customer-ctl jwt-key public < KEYS      the public keys of the private keys read from stdin
  customer-ctl relay [--from latest|trim-horizon] [--invoke-url URL] [--only changes|mail]
                                          the table's stream to the events function under
                                          `cargo lambda watch`, as Lambda would hand it over
                                          (default: from latest, to the Invoke API on
                                          127.0.0.1:$API_PORT or :9000); --only: one of the
                                          two paths a deployment reads apart
  customer-ctl erasures [--restart]       the erasures not finished, oldest first (tenant,
                                          customer, started, round); --restart starts
                                          each one's job again (after the dead-letter
                                          alarm, say)
  customer-ctl reindex --tenant TENANT [--restart]
                                          lists every customer of the tenant in the search
                                          index (customers written before it existed);
                                          an interrupted run goes on where it stopped,
                                          --restart starts from the first customer
  customer-ctl import FILE --tenant TENANT --format JSONL|CSV|SHOPIFY_CSV [--mode upsert|create-only]
      [--match-by email|external-id|ref] [--send-invites] [--dry-run]
                                          imports FILE (IMPORTS_BUCKET, IMPORTS_QUEUE_URL): stages,
                                          uploads and runs it, follows it with a progress bar
                                          until it ends, then prints its counts and errors
  customer-ctl export --tenant TENANT [--format JSONL|CSV] [--query Q] [--out FILE]
                                          exports the customers Q finds (all without one) to
                                          FILE (default customers-TENANT.jsonl or .csv): starts
                                          the export, follows it until it ends, downloads it
  customer-ctl queue-relay --queue-url URL [--invoke-url URL] [--concurrency N]
                                          the imports queue to the imports function under
                                          `cargo lambda watch`, as Lambda would hand it over
permissions: customer:read customer:create customer:edit customer:delete subscription:read subscription:notify
  order:read order:write loyalty:read loyalty:write promotion:write customer:import
  customer:export";

/// The value after `--name` in `args`.
fn flag<'a>(args: &'a [String], name: &str) -> anyhow::Result<&'a str> {
    let i = args.iter().position(|a| a == name).with_context(|| format!("{name} is required\n{USAGE}"))?;
    args.get(i + 1).map(String::as_str).with_context(|| format!("{name} needs a value"))
}

fn tenant(args: &[String]) -> anyhow::Result<TenantId> {
    let raw = flag(args, "--tenant")?;
    TenantId::parse(raw).with_context(|| format!("{raw} is not a tenant id ([a-z0-9][a-z0-9-]{{0,62}})"))
}

/// `jwt-key generate`: a private key (for the secret or `JWT_PRIVATE_KEYS`)
/// and its public key (for `JWT_PUBLIC_KEYS`), each on a line of its own
/// after a label, so scripts can pick them: `awk '$1 == "private" { print $2 }'`.
fn generate_jwt_key() {
    let pair = access_token::generate_key_pair();
    eprintln!("A new Ed25519 key pair for access tokens (kid {}). Keep the private key secret:", pair.kid);
    eprintln!("  private: newest first in the Secrets Manager secret (JWT_PRIVATE_KEYS_ARN) or JWT_PRIVATE_KEYS");
    eprintln!("  public:  newest first in JWT_PUBLIC_KEYS (the JwtPublicKeys parameter)");
    println!("private {}", pair.private_key);
    println!("public {}", pair.public_key);
}

/// `jwt-key public`: the public keys of the whitespace-separated private keys
/// on stdin (a secret's value), in their order; the keys never go on a command line.
fn public_jwt_keys() -> anyhow::Result<()> {
    let input = std::io::read_to_string(std::io::stdin()).context("read the private keys from stdin")?;
    let publics = input
        .split_whitespace()
        .enumerate()
        .map(|(i, k)| access_token::public_key_of(k).with_context(|| format!("private key {}", i + 1)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if publics.is_empty() {
        bail!("no private key on stdin\n{USAGE}");
    }
    println!("{}", publics.join(" "));
    Ok(())
}

/// The value after the flag `name`, if it is given.
fn optional_flag<'a>(args: &'a [String], name: &str) -> anyhow::Result<Option<&'a str>> {
    match args.iter().position(|a| a == name) {
        Some(_) => flag(args, name).map(Some),
        None => Ok(None),
    }
}

/// `relay`: until stopped, the table's stream to the events function that
/// `cargo lambda watch` serves (scripts/dev.sh starts it), retrying while the
/// function is not served yet.
async fn relay(args: &[String], aws: &aws_config::SdkConfig, table: &str) -> anyhow::Result<()> {
    shared::logging::init();
    let start: StartAt = optional_flag(args, "--from")?.unwrap_or("latest").parse()?;
    let url = match optional_flag(args, "--invoke-url")? {
        Some(url) => url.to_string(),
        None => {
            let port = std::env::var("API_PORT").unwrap_or_else(|_| "9000".into());
            format!("http://127.0.0.1:{port}/2015-03-31/functions/events/invocations")
        }
    };
    let relay = Relay::new(aws, table, start);
    let (relay, what) = match optional_flag(args, "--only")? {
        None => (relay, "the stream"),
        Some("changes") => (relay.only(StreamPath::Changes), "the stream's changes"),
        Some("mail") => (relay.only(StreamPath::Mail), "the stream's mail"),
        Some(other) => bail!("--only {other}: changes or mail\n{USAGE}"),
    };
    eprintln!("relaying {what} of table {table} to {url} (from {start:?}); stop with Ctrl-C");
    relay.run(&InvokeSink::new(url)?).await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Key commands touch neither AWS nor the table.
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["jwt-key", "generate"] => {
            generate_jwt_key();
            return Ok(());
        }
        ["jwt-key", "public"] => return public_jwt_keys(),
        _ => {}
    }
    let table_name = std::env::var("TABLE_NAME").unwrap_or_else(|_| "customers".into());
    let aws = shared::aws::load().await?;
    let client = aws_sdk_dynamodb::Client::new(&aws);
    let store = DynamoStore::new(client.clone(), table_name.clone());
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["create-table"] => {
            let created = table::ensure_table(&client, &table_name).await?;
            println!("table {table_name}: {}", if created { "created" } else { "already there" });
        }
        ["api-key", "mint", ..] => {
            let tenant = tenant(&args)?;
            let name = flag(&args, "--name")?;
            let permissions = flag(&args, "--permissions")?
                .split(',')
                .map(|p| Permission::parse(p).with_context(|| format!("unknown permission {p}\n{USAGE}")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let (key, secret) = api_keys::mint(&store, &tenant, name, permissions, SystemClock.now()).await?;
            eprintln!("minted key {} for tenant {} ({}); the secret is shown only now:", key.id, tenant.as_str(), name);
            println!("{secret}");
        }
        ["api-key", "list", ..] => {
            for key in store.list_api_keys(&tenant(&args)?).await? {
                let permissions: Vec<&str> = key.permissions.iter().map(|p| p.as_str()).collect();
                let state = key.revoked_at.map(|t| format!("revoked {t}")).unwrap_or_else(|| "active".into());
                println!("{}\t{}\t{}\t{}\tcreated {}", key.id, key.name, permissions.join(","), state, key.created_at);
            }
        }
        ["relay", ..] => relay(&args, &aws, &table_name).await?,
        ["erasures", rest @ ..] => {
            let restart = rest == ["--restart"];
            if !rest.is_empty() && !restart {
                bail!("{USAGE}");
            }
            for (tenant, e) in store.pending_erasures().await? {
                let again = restart && store.restart_erasure(&tenant, &e.customer_id).await?;
                let note = if again { "\trestarted" } else { "" };
                println!("{}\t{}\tstarted {}\tround {}{note}", tenant.as_str(), e.customer_id, e.started_at, e.round);
            }
        }
        ["reindex", ..] => {
            let tenant = tenant(&args)?;
            let options =
                customer_ctl::reindex::Options { restart: args.iter().any(|a| a == "--restart"), pages: None };
            let bar = indicatif::ProgressBar::new(1000);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {percent:>3}% {msg} [{elapsed_precise}, about {eta} left]",
                )
                .context("progress style")?,
            );
            let started = std::time::Instant::now();
            let mut first = None;
            let done = customer_ctl::reindex::run(&store, &tenant, &options, |p| {
                let first = *first.get_or_insert(p.checkpoint.indexed);
                let rate = (p.checkpoint.indexed - first) as f64 / started.elapsed().as_secs_f64().max(0.001);
                bar.set_position((p.fraction * 1000.0) as u64);
                bar.set_message(format!("{} customers, {rate:.0}/s", p.checkpoint.indexed));
            })
            .await?;
            bar.finish();
            println!("tenant {}: {} customers indexed", tenant.as_str(), done.indexed);
        }
        ["import", file, ..] => import(&args, &aws, store, file).await?,
        ["export", ..] => export(&args, &aws, store).await?,
        ["queue-relay", ..] => queue_relay(&args, &aws).await?,
        ["api-key", "revoke", id] => {
            if !store.revoke_api_key(id, SystemClock.now()).await? {
                bail!("no API key {id}");
            }
            println!("revoked {id}");
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
    Ok(())
}

/// `customer-ctl import`.
async fn import(args: &[String], aws: &aws_config::SdkConfig, store: DynamoStore, file: &str) -> anyhow::Result<()> {
    use shared::domain::{ImportMode, ImportOptions, MatchBy};
    let tenant = tenant(args)?;
    let format = customer_ctl::import::format(flag(args, "--format")?)?;
    let has = |name: &str| args.iter().any(|a| a == name);
    let mode = match optional_flag(args, "--mode")? {
        None | Some("upsert") => ImportMode::Upsert,
        Some("create-only") => ImportMode::CreateOnly,
        Some(other) => bail!("--mode {other}: upsert or create-only"),
    };
    let match_by = match optional_flag(args, "--match-by")? {
        None | Some("email") => MatchBy::Email,
        Some("external-id") => MatchBy::ExternalId,
        Some("ref") => MatchBy::Ref,
        Some(other) => bail!("--match-by {other}: email, external-id or ref"),
    };
    let options = ImportOptions { mode, match_by, send_invites: has("--send-invites"), dry_run: has("--dry-run") };
    let svc = bulk_services(aws, store)?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} rows {msg} [{elapsed_precise}, about {eta} left]",
        )
        .context("progress style")?,
    );
    let started = std::time::Instant::now();
    let path = std::path::Path::new(file);
    let job =
        customer_ctl::import::run(&svc, &tenant, path, format, options, std::time::Duration::from_millis(500), |job| {
            let c = job.counts;
            if let Some(total) = job.rows_total {
                bar.set_length(total);
            }
            bar.set_position(c.processed);
            let rate = c.processed as f64 / started.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!("{rate:.0}/s, {} failed", c.failed));
        })
        .await?;
    bar.finish();
    let c = job.counts;
    // As the schema names them.
    let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
    println!(
        "import {} {}: {} rows, {} created, {} updated, {} unchanged, {} failed{}",
        job.id,
        name(serde_json::json!(job.status)),
        c.processed,
        c.created,
        c.updated,
        c.unchanged,
        c.failed,
        if job.options.dry_run { " (dry run: nothing written)" } else { "" }
    );
    if let Some(why) = &job.failure {
        println!("failed: {why}");
    }
    for e in shared::services::imports::errors(&svc, &tenant, &job.id, 20).await.map_err(anyhow::Error::new)? {
        println!("line {}: {} at {}: {}", e.line, name(serde_json::json!(e.code)), e.field.join("."), e.message);
    }
    if let Some(url) = shared::services::imports::errors_url(&svc, &tenant, &job).await.map_err(anyhow::Error::new)? {
        println!("every error: {url}");
    }
    Ok(())
}

/// The services an import or export runs on: the table, the bucket and the queue.
fn bulk_services(aws: &aws_config::SdkConfig, store: DynamoStore) -> anyhow::Result<shared::Services> {
    let config = shared::Config::from_env()?;
    let imports = config.imports.clone().context("set IMPORTS_BUCKET and IMPORTS_QUEUE_URL")?;
    Ok(shared::Services::new(config, std::sync::Arc::new(store), shared::auth::TokenRole::NoKeys)?
        .with_imports(shared::imports::ImportFiles::new(aws, &imports)))
}

/// `customer-ctl export`.
async fn export(args: &[String], aws: &aws_config::SdkConfig, store: DynamoStore) -> anyhow::Result<()> {
    let tenant = tenant(args)?;
    let format = customer_ctl::export::format(optional_flag(args, "--format")?.unwrap_or("JSONL"))?;
    let query = optional_flag(args, "--query")?.map(str::to_string);
    let svc = bulk_services(aws, store)?;
    let bar = indicatif::ProgressBar::new_spinner();
    let started = std::time::Instant::now();
    let extension = if format == shared::domain::ExportFormat::Csv { "csv" } else { "jsonl" };
    let path: std::path::PathBuf = match optional_flag(args, "--out")? {
        Some(out) => out.into(),
        None => format!("customers-{}.{extension}", tenant.as_str()).into(),
    };
    let poll = std::time::Duration::from_millis(500);
    let job = customer_ctl::export::run(&svc, &tenant, format, query, &path, poll, |job| {
        let rate = job.rows_written as f64 / started.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!("{} customers written, {rate:.0}/s", job.rows_written));
        bar.tick();
    })
    .await?;
    bar.finish_and_clear();
    let status = serde_json::json!(job.status);
    println!("export {} {}: {} customers", job.id, status.as_str().unwrap_or_default(), job.rows_written);
    match &job.failure {
        Some(why) => bail!("the export failed: {why}"),
        None => println!("written to {}", path.display()),
    }
    Ok(())
}

/// `customer-ctl queue-relay`.
async fn queue_relay(args: &[String], aws: &aws_config::SdkConfig) -> anyhow::Result<()> {
    let queue_url = flag(args, "--queue-url")?;
    let port = std::env::var("API_PORT").unwrap_or_else(|_| "9000".into());
    let invoke_url = match optional_flag(args, "--invoke-url")? {
        Some(url) => url.to_string(),
        None => format!("http://127.0.0.1:{port}/2015-03-31/functions/imports/invocations"),
    };
    let concurrency = match optional_flag(args, "--concurrency")? {
        Some(n) => n.parse().context("--concurrency: a number")?,
        None => 4,
    };
    let settings = customer_ctl::queue_relay::QueueSettings { concurrency, ..Default::default() };
    eprintln!("relaying {queue_url} to {invoke_url} ({concurrency} at once)");
    let sink: std::sync::Arc<dyn customer_ctl::queue_relay::QueueSink> =
        std::sync::Arc::new(InvokeSink::new(invoke_url)?);
    customer_ctl::queue_relay::QueueRelay::new(aws, queue_url).with_settings(settings).run(sink).await
}
