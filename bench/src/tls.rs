//! What the first request after a cold start pays for the TLS handshake with
//! DynamoDB: a fresh SDK client's first call against its second, over TLS
//! (a TLS proxy in front of DynamoDB Local, trusted the way `AWS_CA_BUNDLE`
//! does) and over plain HTTP. The client runs on a thread of its own, so its
//! CPU time is the client's share alone (the proxy's work is elsewhere): on
//! Lambda, that CPU time is what shrinks with the memory size.

use crate::init::Spread;
use integration_tests::tls::TlsProxy;
use std::time::{Duration, Instant};

fn thread_cpu() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Wall and client CPU time of the first and the second call of a fresh client to `url`.
#[derive(Default, Clone, Copy)]
struct Calls {
    first_wall: f64,
    first_cpu: f64,
    second_wall: f64,
    second_cpu: f64,
}

fn fresh_client_calls(url: String, ca: Option<String>) -> anyhow::Result<Calls> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        rt.block_on(async {
            let aws = shared::aws::load_trusting(ca.map(String::into_bytes)).await?;
            let conf = aws_sdk_dynamodb::config::Builder::from(&aws).endpoint_url(url).build();
            let client = aws_sdk_dynamodb::Client::from_conf(conf);
            let mut times = [(0.0, 0.0); 2];
            for t in &mut times {
                let (wall, cpu) = (Instant::now(), thread_cpu());
                client.list_tables().limit(1).send().await?;
                *t = (wall.elapsed().as_secs_f64() * 1000.0, (thread_cpu() - cpu).as_secs_f64() * 1000.0);
            }
            Ok(Calls { first_wall: times[0].0, first_cpu: times[0].1, second_wall: times[1].0, second_cpu: times[1].1 })
        })
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the measuring thread panicked"))?
}

pub async fn run() -> anyhow::Result<String> {
    let plain = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")?;
    let proxy = TlsProxy::start(plain.trim_start_matches("http://").to_string()).await?;
    let runs = 30;
    let mut rows = String::new();
    let mut handshake_cpu = 0.0;
    for (label, url, ca) in [("TLS", proxy.url.clone(), Some(proxy.ca_pem.clone())), ("plain HTTP", plain, None)] {
        fresh_client_calls(url.clone(), ca.clone())?; // warm-up
        let calls: Vec<Calls> =
            (0..runs).map(|_| fresh_client_calls(url.clone(), ca.clone())).collect::<Result<_, _>>()?;
        let m = |f: fn(&Calls) -> f64| Spread::of(calls.iter().map(f).collect()).median;
        let (fw, fc, sw, sc) = (m(|c| c.first_wall), m(|c| c.first_cpu), m(|c| c.second_wall), m(|c| c.second_cpu));
        if label == "TLS" {
            handshake_cpu = fc - sc;
        }
        rows.push_str(&format!("| {label} | {fw:.2} | {fc:.2} | {sw:.2} | {sc:.2} |\n"));
    }
    let mut out = format!(
        "## The first DynamoDB call after a cold start\n\nA fresh SDK client (as after a cold start) calls `ListTables` twice; medians of {runs}. Over TLS the first call also opens the connection and does the handshake; the client's CPU time is measured on its own thread.\n\n| transport | first call ms | first call client CPU ms | second call ms | second call client CPU ms |\n|---|---|---|---|---|\n{rows}\nThe handshake and connection setup cost the client about **{handshake_cpu:.2} ms of CPU** here. A Lambda below 1,769 MB gets a proportional share of a vCPU during invocations, so on the first request that handshake would take about:\n\n| memory | handshake on the first request |\n|---|---|\n"
    );
    for mb in [128.0_f64, 512.0, 1024.0] {
        out.push_str(&format!("| {mb:.0} MB | {:.0} ms |\n", handshake_cpu / (mb / 1769.0)));
    }
    out.push_str("\nThe functions therefore open the DynamoDB connection during init (`OPEN_CONNECTION_AT_INIT`, on by default), overlapped with the read of the JWT private keys from Secrets Manager (auth and account), which needs a handshake of its own anyway; network latency to the regional endpoint is added in AWS, not here.\n");
    Ok(out)
}
