//! The functions served by `cargo lambda watch`, as a storefront calls them.
//! Their table's stream is relayed to the events function in process, as in
//! `services`: the mail they put into the outbox goes out.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Watch {
    child: Child,
    pub base: String,
    _env_file: std::path::PathBuf,
    relay: Option<tokio::task::JoinHandle<()>>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

impl Watch {
    /// Starts `cargo lambda watch` on a free port, with the functions
    /// configured by `env` (plus the local AWS endpoints of the test run and,
    /// unless `env` has them, the test shop's mail settings).
    pub async fn start(env: &[(&str, String)]) -> Watch {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf();
        let env_file = std::env::temp_dir().join(format!("{}.env", super::unique("watch")));
        let mut f = std::fs::File::create(&env_file).expect("env file");
        let inherited = [
            "AWS_REGION",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ENDPOINT_URL_DYNAMODB",
            "AWS_ENDPOINT_URL_SESV2",
            "AWS_ENDPOINT_URL_EVENTBRIDGE",
        ];
        for k in inherited {
            writeln!(f, "{k}={}", std::env::var(k).unwrap_or_default()).expect("write env");
        }
        let defaults = [
            ("TENANTS", super::tenants_json()),
            ("MAIL_FROM", "shop@example.com".to_string()),
            // Should the events function be served: it starts only with a bus.
            ("EVENT_BUS_NAME", super::DEFAULT_BUS.to_string()),
        ];
        let missing = defaults.iter().filter(|(k, _)| !env.iter().any(|(e, _)| e == k)).map(|(k, v)| (*k, v.clone()));
        for (k, v) in env.iter().cloned().chain(missing) {
            // Single quotes keep JSON values intact for the env-file parser.
            writeln!(f, "{k}='{v}'").expect("write env");
        }
        let port = free_port();
        // One-click unsubscribe links point at these very functions.
        writeln!(f, "PUBLIC_API_URL=http://127.0.0.1:{port}/lambda-url").expect("write env");
        drop(f);
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&root)
            .args(["lambda", "watch", "--ignore-changes", "-A", "127.0.0.1", "-P", &port.to_string(), "--env-file"])
            .arg(&env_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().expect("cargo lambda watch (installed by scripts/test.sh)");
        let relay = match env.iter().find(|(k, _)| *k == "TABLE_NAME") {
            Some((_, table)) => {
                let aws = super::aws().await;
                let mailer = std::sync::Arc::new(shared::mail::SesMailer::new(&aws));
                Some(super::spawn_relay(&aws, table, mailer, super::publisher(&aws, super::DEFAULT_BUS)))
            }
            None => None,
        };
        let watch = Watch { child, base: format!("http://127.0.0.1:{port}/lambda-url"), _env_file: env_file, relay };
        for _ in 0..600 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return watch;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cargo lambda watch did not start");
    }

    /// POSTs a GraphQL operation to `function` and returns the response body.
    pub async fn gql(
        &self,
        function: &str,
        query: &str,
        variables: serde_json::Value,
        headers: &[(&str, String)],
    ) -> serde_json::Value {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(600)).build().expect("client");
        let mut req = client
            .post(format!("{}/{function}/graphql", self.base))
            .json(&serde_json::json!({ "query": query, "variables": variables }));
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let resp = req.send().await.expect("function answers");
        assert!(resp.status().is_success(), "HTTP {}", resp.status());
        resp.json().await.expect("JSON answer")
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(relay) = &self.relay {
            relay.abort();
        }
        // The watcher runs `cargo run`, which runs the function: end the whole group.
        let _ = Command::new("kill").arg("--").arg(format!("-{}", self.child.id())).status();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self._env_file);
    }
}
