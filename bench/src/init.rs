//! Cold start: time from exec of a function binary until it asks the Lambda
//! Runtime API for its first event, against a fake Runtime API on loopback.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One exec-to-first-`/next` time of `binary`, with `env`.
fn once(binary: &Path, env: &[(String, String)]) -> anyhow::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let start = Instant::now();
    let mut child = Command::new(binary)
        .envs(env.iter().cloned())
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let (mut conn, _) = listener.accept()?;
    let mut first = [0u8; 64];
    let n = conn.read(&mut first)?;
    let elapsed = start.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    anyhow::ensure!(
        String::from_utf8_lossy(&first[..n]).contains("/runtime/invocation/next"),
        "not a Runtime API call"
    );
    Ok(elapsed)
}

#[derive(Clone)]
pub struct InitStats {
    pub name: String,
    pub median_ms: f64,
    pub p10_ms: f64,
    pub p90_ms: f64,
}

/// The executable of `name` in `dir`: `dir/name`, or `dir/name/bootstrap`
/// as `cargo lambda build` lays them out.
pub fn binary(dir: &Path, name: &str) -> std::path::PathBuf {
    let lambda = dir.join(name).join("bootstrap");
    if lambda.is_file() {
        lambda
    } else {
        dir.join(name)
    }
}

pub fn measure(name: &str, binary: &Path, env: &[(String, String)], runs: usize) -> anyhow::Result<InitStats> {
    once(binary, env)?; // warm the page cache
    let mut times: Vec<f64> =
        (0..runs).map(|_| once(binary, env).map(|d| d.as_secs_f64() * 1000.0)).collect::<Result<_, _>>()?;
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Ok(InitStats { name: name.into(), median_ms: at(0.5), p10_ms: at(0.1), p90_ms: at(0.9) })
}
