//! The benchmark suite (`./scripts/bench.sh`): prints a table per part and
//! writes them all to BENCHMARKS.md. Numbers, not pass/fail: nothing here is
//! asserted.

mod init;
mod operations;
mod recorder;

use std::fmt::Write as _;
use std::path::Path;

/// The environment every function binary gets for the cold-start runs.
fn function_env() -> Vec<(String, String)> {
    let tenants = r#"{"*":{"name":"Bench Shop","allowedUrls":["http://localhost:3000/"],"confirmEmailUrl":"http://localhost:3000/confirm","resetPasswordUrl":"http://localhost:3000/reset"}}"#;
    [
        ("JWT_SECRET", "bench-signing-key-0123456789abcdef0123456789"),
        ("TENANTS", tenants),
        ("TABLE_NAME", "bench"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("RUST_LOG", "warn"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
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
    // The binaries to start: the release build, unless BENCH_BIN_DIR names another.
    let release =
        std::env::var("BENCH_BIN_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| root.join("target/release"));
    let mut out = String::new();
    writeln!(out, "# Benchmarks\n")?;
    writeln!(
        out,
        "Run by `./scripts/bench.sh` on {} ({}), with the release profile of Cargo.toml.\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        machine(),
    )?;

    // Cold start.
    let runs = 30;
    let mut table = String::from("| binary | init median (ms) | p10 | p90 | vs floor |\n|---|---|---|---|---|\n");
    let floor = init::measure("hello (floor)", &init::binary(&release, "hello"), &function_env(), runs)?;
    let rows = [
        ("hello (floor)", "hello"),
        ("auth", "auth"),
        ("account", "account"),
        ("subscriptions", "subscriptions"),
        ("admin", "admin"),
    ];
    for (label, binary) in rows {
        let stats = if binary == "hello" {
            floor.clone()
        } else {
            init::measure(label, &init::binary(&release, binary), &function_env(), runs)?
        };
        writeln!(
            table,
            "| {} | {:.2} | {:.2} | {:.2} | {:.2}x |",
            stats.name,
            stats.median_ms,
            stats.p10_ms,
            stats.p90_ms,
            stats.median_ms / floor.median_ms
        )?;
    }
    println!("{table}");
    writeln!(out, "## Cold start (init)\n\nTime from exec of the release binary until its first `GET /runtime/invocation/next` to a fake Runtime API on loopback, {runs} runs each after one warm-up, next to a hello-world `lambda_http` binary built with the same profile.\n\n{table}")?;

    // Operations.
    let ops = operations::run().await?;
    println!("{ops}");
    out.push_str(&ops);

    std::fs::write(root.join("BENCHMARKS.md"), out)?;
    println!("written to BENCHMARKS.md");
    Ok(())
}
