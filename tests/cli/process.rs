//! Running the binary: start it, find the port it listens on, stop it with a signal.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use std::sync::Arc;

pub struct Server {
    pub child: Child,
    pub base: String,
    pub output: Arc<Mutex<String>>,
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_spacewatch"))
}

/// Starts `spacewatch serve <args>` on 127.0.0.1 and a free port, in `dir`, with `env`.
pub fn serve(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Server {
    let mut cmd = bin();
    cmd.arg("serve")
        .args(["--host", "127.0.0.1", "--port", "0"])
        .args(args);
    cmd.current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("binary starts");
    let output = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let (output, tx) = (output.clone(), tx.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(addr) = line.split("listening on http://").nth(1) {
                    // The address ends the human line, or a JSON string (--log-format json).
                    let addr = addr.split(['"', ' ']).next().unwrap_or_default();
                    let _ = tx.send(addr.trim().to_string());
                }
                output.lock().push_str(&(line + "\n"));
            }
        });
    }
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("server did not start:\n{}", output.lock()));
    Server {
        child,
        base: format!("http://{addr}"),
        output,
    }
}

impl Server {
    /// Sends `signal` and waits for the process to end.
    pub fn stop(mut self, signal: &str) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill runs");
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                std::thread::sleep(Duration::from_millis(100)); // let the readers finish
                return (status, self.output.lock().clone());
            }
            assert!(Instant::now() < deadline, "server did not stop on {signal}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub async fn get_json(url: &str, headers: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let mut req = reqwest::Client::new().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}
