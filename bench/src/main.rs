//! The benchmark suite (`./scripts/bench.sh`): prints a table per part and
//! writes them all to BENCHMARKS.md. Numbers, not pass/fail: nothing here is
//! asserted.

mod init;
mod operations;
mod search;
mod tls;

use std::fmt::Write as _;
use std::path::Path;

/// The environment every function binary gets for the cold-start runs;
/// `connect`: open the DynamoDB connection at init (to DynamoDB Local).
fn function_env(connect: bool) -> Vec<(String, String)> {
    let tenants = r#"{"*":{"name":"Bench Shop","allowedUrls":["http://localhost:3000/"],"confirmEmailUrl":"http://localhost:3000/confirm","resetPasswordUrl":"http://localhost:3000/reset"}}"#;
    [
        // Every binary gets both; each reads only what it needs (admin: nothing).
        ("JWT_PRIVATE_KEYS", integration_tests::JWT_PRIVATE_KEY),
        ("JWT_PUBLIC_KEYS", integration_tests::JWT_PUBLIC_KEY),
        ("TENANTS", tenants),
        ("TABLE_NAME", "bench"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("RUST_LOG", "warn"),
        // The events function's bus (it publishes nothing in these runs).
        ("EVENT_BUS_NAME", "bench"),
        ("OPEN_CONNECTION_AT_INIT", if connect { "true" } else { "false" }),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain(std::env::var("AWS_ENDPOINT_URL_DYNAMODB").ok().map(|u| ("AWS_ENDPOINT_URL_DYNAMODB".to_string(), u)))
    .collect()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0)))
        .unwrap_or(0);
    format!("{cpu}, {cores} cores, {} GiB RAM", mem / 1024 / 1024)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf();
    // `customer-bench search`: the search section alone, printed (with the
    // local stack's environment, as bench.sh sets it).
    if std::env::args().nth(1).as_deref() == Some("search") {
        println!("{}", search::run().await?);
        return Ok(());
    }
    // The binaries to start: the release build, unless BENCH_BIN_DIR names another.
    let release =
        std::env::var("BENCH_BIN_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| root.join("target/release"));
    let mut out = String::new();
    writeln!(out, "# Benchmarks\n")?;
    writeln!(
        out,
        "Run by `./scripts/bench.sh` on {} ({}), with the release profile of Cargo.toml and the code-generation flags of `scripts/stack.sh` (`export_release_codegen`).\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        machine(),
    )?;

    // Cold start. `account` and `admin` answer nothing without credentials:
    // their first answer is the UNAUTHENTICATED error.
    let expect = |function: &str| if matches!(function, "account" | "admin") { "UNAUTHENTICATED" } else { "Query" };
    let runs = 30;
    let floor_event = init::typename_event("hello");
    let (floor, floor_answer) =
        init::measure(&init::binary(&release, "hello"), &function_env(false), &floor_event, "hello", runs)?;
    const HEADER: &str = "| binary | init median ms | p10 | p90 | vs floor | first answer median ms | p90 |\n|---|---|---|---|---|---|---|\n";
    let row = |label: &str, (i, a): (init::Spread, init::Spread)| {
        format!(
            "| {label} | {:.2} | {:.2} | {:.2} | {:.2}x | {:.2} | {:.2} |\n",
            i.median,
            i.p10,
            i.p90,
            i.median / floor.median,
            a.median,
            a.p90
        )
    };
    // A row per function, with the DynamoDB connection opened at init or not.
    let function_rows = |connect: bool| -> anyhow::Result<String> {
        let mut rows = String::new();
        for function in ["auth", "account", "subscriptions", "admin"] {
            let (binary, event) = (init::binary(&release, function), init::typename_event(function));
            rows.push_str(&row(
                function,
                init::measure(&binary, &function_env(connect), &event, expect(function), runs)?,
            ));
        }
        Ok(rows)
    };
    // The stream's function: its first answer is to an empty batch of records.
    let events = init::measure(
        &init::binary(&release, "events"),
        &function_env(false),
        r#"{"Records":[]}"#,
        "batchItemFailures",
        runs,
    )?;
    let table = format!(
        "{HEADER}{}{}{}",
        row("hello (floor)", (floor, floor_answer)),
        function_rows(false)?,
        row("events (an empty stream batch)", events)
    );
    let connected = format!("{HEADER}{}", function_rows(true)?);
    println!("{table}\n{connected}");
    writeln!(out, "## Cold start (init)\n\nTime from exec of the release binary until its first `GET /runtime/invocation/next` to a fake Runtime API on loopback (*init*), and until it has posted its answer to a first event, a `{{ __typename }}` request through API Gateway (*first answer*), {runs} runs of each after one warm-up, next to a hello-world `lambda_http` binary built with the same profile. Nothing is read from the network here (`OPEN_CONNECTION_AT_INIT=false`, signing key inline):\n\n{table}\nAs deployed, init also opens the DynamoDB connection (one `GetItem` round trip, plain HTTP to DynamoDB Local here; the TLS handshake it saves the first request is measured below):\n\n{connected}")?;

    // Operations.
    let ops = operations::run().await?;
    println!("{ops}");
    out.push_str(&ops);

    // Search at two sizes.
    let search = search::run().await?;
    println!("{search}");
    out.push_str(&search);

    // The TLS handshake of the first request.
    let tls = tls::run().await?;
    println!("{tls}");
    writeln!(out, "\n{tls}")?;

    std::fs::write(root.join("BENCHMARKS.md"), out)?;
    println!("written to BENCHMARKS.md");
    Ok(())
}
