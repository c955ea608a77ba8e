//! Cold start against a fake Lambda Runtime API on loopback: the time from
//! exec of a function binary until it asks for its first event (init), and
//! until it has answered that event (the first answer a caller sees).

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A `{ __typename }` request to `function` through API Gateway (HTTP API, payload 2.0).
pub fn typename_event(function: &str) -> String {
    let route = format!("POST /{function}/graphql");
    serde_json::json!({
        "version": "2.0",
        "routeKey": route,
        "rawPath": format!("/{function}/graphql"),
        "rawQueryString": "",
        "headers": { "content-type": "application/json" },
        "requestContext": {
            "accountId": "123456789012", "apiId": "bench", "domainName": "bench.example.com",
            "domainPrefix": "bench", "requestId": "bench-1", "routeKey": route, "stage": "$default",
            "time": "21/Nov/2026:12:00:00 +0000", "timeEpoch": 1795262400000u64,
            "http": { "method": "POST", "path": format!("/{function}/graphql"), "protocol": "HTTP/1.1",
                      "sourceIp": "192.0.2.10", "userAgent": "bench" }
        },
        "body": "{\"query\":\"{ __typename }\"}",
        "isBase64Encoded": false
    })
    .to_string()
}

/// One request read off a Runtime API connection: its request line and body.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, Vec<u8>)> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|n| *n > 0)?;
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        if header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((line.trim().to_string(), body))
}

/// Serves one connection: the first `/next` gets `event` (if any), a later
/// one is left waiting; responses are acknowledged. Every request line and
/// body goes to `seen` with the time it arrived.
fn serve(conn: TcpStream, event: Option<String>, seen: mpsc::Sender<(String, Vec<u8>, Instant)>) {
    let Ok(mut writer) = conn.try_clone() else { return };
    let mut reader = BufReader::new(conn);
    let mut event = event;
    while let Some((line, body)) = read_request(&mut reader) {
        let _ = seen.send((line.clone(), body, Instant::now()));
        let reply = if line.contains("/runtime/invocation/next") {
            match event.take() {
                Some(e) => format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nlambda-runtime-aws-request-id: bench-1\r\nlambda-runtime-deadline-ms: {}\r\nlambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\ncontent-length: {}\r\n\r\n{e}",
                    chrono::Utc::now().timestamp_millis() + 30_000,
                    e.len()
                ),
                None => return, // no second event: the process is killed next
            }
        } else {
            "HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}".to_string()
        };
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// One cold start: exec to the first `/next`, and (given an event) exec to
/// its response with the response body.
pub struct Start {
    pub init: Duration,
    pub answer: Option<(Duration, Value)>,
}

pub fn once(binary: &Path, env: &[(String, String)], event: Option<&str>) -> anyhow::Result<Start> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let (tx, rx) = mpsc::channel();
    let served = event.map(str::to_string);
    std::thread::spawn(move || {
        let mut event = served;
        for conn in listener.incoming().flatten() {
            let (tx, event) = (tx.clone(), event.take());
            std::thread::spawn(move || serve(conn, event, tx));
        }
    });
    let start = Instant::now();
    // Only what Lambda would set: nothing inherited from this shell (such as
    // an AWS_CA_BUNDLE that would make the function parse a system bundle).
    let mut child = Command::new(binary)
        .env_clear()
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
    let outcome = (|| {
        let wait = Duration::from_secs(10);
        let (line, _, at) = rx.recv_timeout(wait)?;
        anyhow::ensure!(line.contains("/runtime/invocation/next"), "not a Runtime API call: {line}");
        let init = at - start;
        if event.is_none() {
            return Ok(Start { init, answer: None });
        }
        let (line, body, at) = rx.recv_timeout(wait)?;
        anyhow::ensure!(line.contains("/response"), "the event was not answered: {line}");
        Ok(Start { init, answer: Some((at - start, serde_json::from_slice(&body)?)) })
    })();
    let _ = child.kill();
    let _ = child.wait();
    outcome
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

/// Median, p10 and p90 of a sample, in ms.
#[derive(Clone, Copy)]
pub struct Spread {
    pub median: f64,
    pub p10: f64,
    pub p90: f64,
}

impl Spread {
    pub fn of(mut ms: Vec<f64>) -> Self {
        ms.sort_by(|a, b| a.total_cmp(b));
        let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
        Self { median: at(0.5), p10: at(0.1), p90: at(0.9) }
    }
}

/// `runs` cold starts after one warm-up of the page cache: init, and the
/// first answer to `event`, whose body must contain `expect`.
pub fn measure(
    binary: &Path,
    env: &[(String, String)],
    event: &str,
    expect: &str,
    runs: usize,
) -> anyhow::Result<(Spread, Spread)> {
    once(binary, env, None)?;
    let (mut init, mut answer) = (vec![], vec![]);
    for _ in 0..runs {
        // Init alone, then init and the first answer: the answer's extra
        // connections do not disturb the init figure.
        init.push(once(binary, env, None)?.init.as_secs_f64() * 1000.0);
        let start = once(binary, env, Some(event))?;
        let (at, body) = start.answer.ok_or_else(|| anyhow::anyhow!("no answer"))?;
        anyhow::ensure!(body.to_string().contains(expect), "{}: unexpected answer {body}", binary.display());
        answer.push(at.as_secs_f64() * 1000.0);
    }
    Ok((Spread::of(init), Spread::of(answer)))
}
