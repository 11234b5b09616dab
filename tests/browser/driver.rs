//! The Rust end of `driver.mjs`: Debian's Chromium driven by playwright-core over a
//! line protocol. Panics loudly when Chromium or the npm package is missing.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Where screenshots go: `target/browser-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
    std::fs::create_dir_all(&d).expect("screenshot dir");
    d
}

/// One Chromium, one page at a time.
pub struct Browser {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// What the page did: every request, console message, page error and failed request.
#[derive(Debug)]
pub struct PageLog(pub Value);

impl Browser {
    pub fn start() -> Self {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            Path::new(&chromium).exists(),
            "needs chromium: {chromium} is missing (apt-get install chromium; .ci/run does)"
        );
        assert!(
            dir().join("node_modules/playwright-core").exists(),
            "needs playwright-core: run `npm ci` in tests/browser (.ci/run does)"
        );
        let mut child = Command::new("node")
            .arg("driver.mjs")
            .current_dir(dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("needs node to drive chromium");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            stdin,
            stdout,
        }
    }

    /// Sends one command; panics with the driver's error.
    pub fn call(&mut self, cmd: Value) -> Value {
        writeln!(self.stdin, "{cmd}").expect("driver is running");
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("driver answers");
        assert!(!line.is_empty(), "the driver exited on {cmd}");
        let answer: Value = serde_json::from_str(&line).expect("driver speaks JSON");
        assert!(
            answer["ok"] == true,
            "browser command {cmd} failed: {}",
            answer["error"]
        );
        answer["value"].clone()
    }

    /// A fresh profile (no storage) with a page of `width` × `height`.
    pub fn open(&mut self, width: u32, height: u32) {
        self.call(json!({"cmd": "open", "width": width, "height": height}));
    }

    /// Like [`open`](Self::open), with permissions and a script run before the page's own.
    pub fn open_with(&mut self, width: u32, height: u32, permissions: &[&str], init: &str) {
        self.call(json!({"cmd": "open", "width": width, "height": height,
            "permissions": permissions, "initScript": init}));
    }

    pub fn goto(&mut self, url: &str) {
        self.call(json!({"cmd": "goto", "url": url}));
    }

    pub fn reload(&mut self) {
        self.call(json!({"cmd": "reload"}));
    }

    /// Evaluates a JS expression in the page (promises are awaited).
    pub fn eval(&mut self, js: &str) -> Value {
        self.call(json!({"cmd": "eval", "js": js}))
    }

    /// Waits until the JS expression is truthy (15 s unless `timeout_ms`), returns it.
    pub fn wait(&mut self, js: &str) -> Value {
        self.call(json!({"cmd": "wait", "js": js}))
    }

    pub fn wait_ms(&mut self, js: &str, timeout_ms: u64) -> Value {
        self.call(json!({"cmd": "wait", "js": js, "timeout": timeout_ms}))
    }

    pub fn click(&mut self, selector: &str) {
        self.call(json!({"cmd": "click", "selector": selector}));
    }

    pub fn fill(&mut self, selector: &str, value: &str) {
        self.call(json!({"cmd": "fill", "selector": selector, "value": value}));
    }

    pub fn check(&mut self, selector: &str, checked: bool) {
        self.call(json!({"cmd": "check", "selector": selector, "checked": checked}));
    }

    pub fn press(&mut self, key: &str) {
        self.call(json!({"cmd": "press", "key": key}));
    }

    /// The id (or tag) of the focused element.
    pub fn focused(&mut self) -> String {
        self.call(json!({"cmd": "focused"}))
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The visible text of `selector`.
    pub fn text(&mut self, selector: &str) -> String {
        self.call(json!({"cmd": "text", "selector": selector}))
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn viewport(&mut self, width: u32, height: u32) {
        self.call(json!({"cmd": "viewport", "width": width, "height": height}));
    }

    /// Saves a full-page screenshot as `target/browser-screenshots/{name}.png`.
    pub fn screenshot(&mut self, name: &str) -> PathBuf {
        let path = screenshot_dir().join(format!("{name}.png"));
        self.call(json!({"cmd": "screenshot", "path": path, "fullPage": true}));
        path
    }

    /// The JSON body of the last response to `path` the page received.
    pub fn body(&mut self, path: &str) -> Value {
        self.call(json!({"cmd": "body", "path": path}))
    }

    pub fn log(&mut self) -> PageLog {
        PageLog(self.call(json!({"cmd": "log"})))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "{}", json!({"cmd": "close"}));
        let _ = self.stdin.flush();
        let mut line = String::new();
        let _ = self.stdout.read_line(&mut line);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl PageLog {
    pub fn requests(&self) -> &Vec<Value> {
        self.0["requests"].as_array().expect("requests")
    }

    /// Requests whose path starts with `prefix`.
    pub fn to(&self, base: &str, prefix: &str) -> Vec<&Value> {
        let want = format!("{base}{prefix}");
        self.requests()
            .iter()
            .filter(|r| r["url"].as_str().unwrap_or("").starts_with(&want))
            .collect()
    }

    /// Nothing left the host; no page error; no warning; console errors only for
    /// responses with a status in `expected` (Chrome logs every failed resource).
    pub fn assert_clean(&self, base: &str, expected: &[u16]) {
        assert!(!self.requests().is_empty(), "the page made no request");
        for r in self.requests() {
            let url = r["url"].as_str().unwrap();
            assert!(
                url.starts_with(&format!("{base}/")),
                "a request left the server: {url}"
            );
        }
        let errors = self.0["pageErrors"].as_array().unwrap();
        assert!(errors.is_empty(), "page errors: {errors:?}");
        let failed = self.0["failed"].as_array().unwrap();
        assert!(failed.is_empty(), "failed requests: {failed:?}");
        for m in self.0["console"].as_array().unwrap() {
            let (kind, text) = (m["type"].as_str().unwrap(), m["text"].as_str().unwrap());
            match kind {
                "error" => {
                    let ok = expected.iter().any(|s| {
                        text.starts_with(&format!(
                            "Failed to load resource: the server responded with a status of {s} "
                        ))
                    });
                    assert!(ok, "console error: {text} ({})", m["url"]);
                    let statuses: Vec<u64> = self
                        .requests()
                        .iter()
                        .filter(|r| r["url"] == m["url"])
                        .filter_map(|r| r["status"].as_u64())
                        .collect();
                    assert!(
                        statuses.iter().any(|s| text.contains(&format!(" {s} "))),
                        "a console error for a response the page did not get: {m}"
                    );
                }
                "warning" => panic!("console warning: {text}"),
                _ => {}
            }
        }
    }
}
