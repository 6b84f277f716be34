//! A small W3C WebDriver client for driving the real Herald app through `tauri-driver`
//! (which runs WebKitWebDriver on Linux). Tests find elements by their `data-testid`.
//!
//! The suite needs a display, a Secret Service and the built app; `scripts/test.sh` provides
//! all three (see tests/e2e/README.md), so the tests are `#[ignore]`d for plain `cargo test`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use herald_test_support::{free_port, wait_for_port, KillOnDrop};
use serde_json::{json, Value};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const DEFAULT_WAIT: Duration = Duration::from_secs(15);

/// The built desktop app: `HERALD_APP_BIN`, else the debug build in the target folder.
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("HERALD_APP_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| herald_test_support::repo_root().join("target"));
    let bin = target.join("debug").join(if cfg!(windows) {
        "herald-desktop.exe"
    } else {
        "herald-desktop"
    });
    assert!(
        bin.is_file(),
        "the app is not built at {}; run `cargo build -p herald-desktop`",
        bin.display()
    );
    bin
}

/// Where screenshots go: `HERALD_E2E_SCREENSHOTS`, else `target/e2e-screenshots`.
pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("HERALD_E2E_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| herald_test_support::repo_root().join("target/e2e-screenshots"))
}

/// The environment for an app under test: its own Herald home, and AWS settings from
/// nothing on this machine (no metadata service, config or credentials files). With
/// `access_key`, credentials come from the environment as `(key id, secret)`.
pub fn app_env<'a>(
    home: &'a Path,
    access_key: Option<(&'a str, &'a str)>,
) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![
        (
            "HERALD_HOME",
            home.to_str().expect("a UTF-8 temporary path"),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/nonexistent/herald-e2e/config"),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/herald-e2e/credentials",
        ),
    ];
    if let Some((id, secret)) = access_key {
        env.push(("AWS_ACCESS_KEY_ID", id));
        env.push(("AWS_SECRET_ACCESS_KEY", secret));
    }
    env
}

/// tauri-driver, running until dropped. One driver serves several app launches.
pub struct Driver {
    base: String,
    http: reqwest::blocking::Client,
    _process: KillOnDrop,
}

impl Driver {
    /// Starts tauri-driver; `env` is passed down to every app it launches.
    pub fn start(env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let native_port = free_port();
        let binary = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into());
        let mut cmd = Command::new(&binary);
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (cargo install tauri-driver)"));
        let process = KillOnDrop(child);
        wait_for_port(port, Duration::from_secs(20), "tauri-driver");
        Self {
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap(),
            _process: process,
        }
    }

    /// Launches the app in a new WebDriver session. A relaunch first waits for the app this
    /// driver ran before to be gone, as a person reopening it would: a new process that
    /// starts while the old one is still exiting hands over to it (one Herald per home).
    pub fn launch(&self, app: &Path) -> Session<'_> {
        self.wait_for_apps_to_exit();
        let caps = json!({
            "capabilities": { "alwaysMatch": { "tauri:options": { "application": app } } }
        });
        // Now and then tauri-driver drops the connection of a new session while it starts
        // WebKitWebDriver; a session request that got no answer at all is safe to repeat.
        let url = format!("{}/session", self.base);
        let mut attempts = 0;
        let value = loop {
            attempts += 1;
            match self.http.post(&url).json(&caps).send() {
                Ok(response) => break answer("POST", &url, response),
                Err(e) if attempts < 3 => {
                    eprintln!("WebDriver POST {url}: {e}; trying again");
                    std::thread::sleep(Duration::from_secs(1));
                }
                Err(e) => panic!("WebDriver POST {url}: {e}"),
            }
        };
        let id = value["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        Session {
            driver: self,
            url: format!("{}/session/{id}", self.base),
            open: true,
        }
    }
}

impl Driver {
    /// Herald processes started through this driver (its descendants) that are still running.
    fn running_apps(&self) -> Vec<u32> {
        let driver = self._process.0.id();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|&pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|c| c.trim() == "herald-desktop")
            })
            .filter(|&pid| descends_from(pid, driver))
            .collect()
    }

    fn wait_for_apps_to_exit(&self) {
        let start = Instant::now();
        while !self.running_apps().is_empty() {
            if start.elapsed() > DEFAULT_WAIT {
                eprintln!(
                    "the app launched before is still running after {DEFAULT_WAIT:?}: {:?}",
                    self.running_apps()
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Whether `ancestor` is the parent, grandparent, … of `pid` (Linux `/proc`).
fn descends_from(pid: u32, ancestor: u32) -> bool {
    let mut current = pid;
    for _ in 0..16 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{current}/stat")) else {
            return false;
        };
        // "pid (comm) state ppid …": comm may hold spaces, so read after its last ')'.
        let Some(ppid) = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            return false;
        };
        if ppid == ancestor {
            return true;
        }
        if ppid <= 1 {
            return false;
        }
        current = ppid;
    }
    false
}

fn call(http: &reqwest::blocking::Client, method: &str, url: &str, body: Option<Value>) -> Value {
    let request = match method {
        "GET" => http.get(url),
        "DELETE" => http.delete(url),
        _ => http.post(url).json(&body.unwrap_or_else(|| json!({}))),
    };
    let response = request
        .send()
        .unwrap_or_else(|e| panic!("WebDriver {method} {url}: {e}"));
    answer(method, url, response)
}

fn answer(method: &str, url: &str, response: reqwest::blocking::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().unwrap_or(Value::Null);
    if !status.is_success() {
        panic!(
            "WebDriver {method} {url} answered {status}: {}",
            body["value"]
        );
    }
    body["value"].clone()
}

/// One running app under WebDriver control.
pub struct Session<'d> {
    driver: &'d Driver,
    url: String,
    open: bool,
}

/// A found element.
#[derive(Debug, Clone)]
pub struct Element(String);

fn selector(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

impl Session<'_> {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        call(
            &self.driver.http,
            method,
            &format!("{}{path}", self.url),
            body,
        )
    }

    fn try_find(&self, css: &str) -> Option<Element> {
        let url = format!("{}/elements", self.url);
        let body = json!({ "using": "css selector", "value": css });
        let found = call(&self.driver.http, "POST", &url, Some(body));
        found
            .as_array()?
            .first()
            .and_then(|e| e[ELEMENT_KEY].as_str())
            .map(|id| Element(id.to_owned()))
    }

    /// Waits for the element with this test id to exist.
    pub fn find(&self, testid: &str) -> Element {
        self.wait_for(&format!("element {testid}"), || {
            self.try_find(&selector(testid))
        })
    }

    /// Every element with this test id right now.
    pub fn find_all(&self, testid: &str) -> Vec<Element> {
        let body = json!({ "using": "css selector", "value": selector(testid) });
        let found = self.cmd("POST", "/elements", Some(body));
        found
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str())
                    .map(|id| Element(id.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn exists(&self, testid: &str) -> bool {
        self.try_find(&selector(testid)).is_some()
    }

    /// Polls `probe` until it gives a value, or panics naming `what` after the default wait.
    pub fn wait_for<T>(&self, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        let start = Instant::now();
        loop {
            if let Some(v) = probe() {
                return v;
            }
            if start.elapsed() > DEFAULT_WAIT {
                self.screenshot(&format!("timeout-{}", what.replace(' ', "-")));
                panic!(
                    "timed out after {DEFAULT_WAIT:?} waiting for {what}; the page (#hash, then its text) shows:\n{}",
                    self.page_text()
                );
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn click(&self, testid: &str) {
        let el = self.find(testid);
        self.cmd("POST", &format!("/element/{}/click", el.0), None);
    }

    /// Clicks the `index`-th element with this test id.
    pub fn click_nth(&self, testid: &str, index: usize) {
        let el = self.wait_for(&format!("{testid} #{index}"), || {
            self.find_all(testid).into_iter().nth(index)
        });
        self.cmd("POST", &format!("/element/{}/click", el.0), None);
    }

    /// Replaces the text of an input or textarea.
    pub fn fill(&self, testid: &str, text: &str) {
        let el = self.find(testid);
        self.cmd("POST", &format!("/element/{}/clear", el.0), None);
        if !text.is_empty() {
            self.cmd(
                "POST",
                &format!("/element/{}/value", el.0),
                Some(json!({ "text": text })),
            );
        }
    }

    /// Types into an element without clearing it first (keys go where its caret is, e.g.
    /// replacing a selection in a code editor). WebDriver key codes such as `\u{E009}`
    /// (Control) work.
    pub fn type_text(&self, testid: &str, text: &str) {
        let el = self.find(testid);
        self.cmd(
            "POST",
            &format!("/element/{}/value", el.0),
            Some(json!({ "text": text })),
        );
    }

    /// Runs a script in the page (`arguments[0]`, … are `args`) and returns its result.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// What the page shows (its address and visible text, shortened), for a failure message;
    /// never panics.
    fn page_text(&self) -> String {
        let script =
            "return location.hash + '\\n' + (document.body ? document.body.innerText : '');";
        let answer = self
            .driver
            .http
            .post(format!("{}/execute/sync", self.url))
            .json(&json!({ "script": script, "args": [] }))
            .send()
            .and_then(|r| r.json::<Value>());
        match answer {
            Ok(body) => {
                let text = body["value"].as_str().unwrap_or("(no text)");
                text.chars().take(3000).collect()
            }
            Err(e) => format!("(the page could not be read: {e})"),
        }
    }

    pub fn text(&self, testid: &str) -> String {
        self.find(testid);
        self.text_by_testid(testid).unwrap_or_default()
    }

    /// The whitespace-folded textContent of the first element with this test id, read in
    /// the page: WebKitWebDriver's element text calls drop text inside nested spans.
    fn text_by_testid(&self, testid: &str) -> Option<String> {
        let script =
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;";
        let raw = self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [selector(testid)] })),
        );
        raw.as_str()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// The current `value` of an input.
    pub fn value(&self, testid: &str) -> String {
        let el = self.find(testid);
        self.cmd("GET", &format!("/element/{}/property/value", el.0), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until the element's text contains `needle`, and returns the text.
    pub fn wait_text(&self, testid: &str, needle: &str) -> String {
        self.wait_for(&format!("“{needle}” in {testid}"), || {
            let text = self.text_by_testid(testid)?;
            if !text.contains(needle) {
                eprintln!("waiting for “{needle}” in {testid}; it says “{text}”");
                return None;
            }
            Some(text)
        })
    }

    /// Chooses the option with this value in the first `<select>` with this test id, as a
    /// user picking it would (WebKitWebDriver cannot drive the native option popup).
    pub fn select(&self, testid: &str, value: &str) {
        self.select_nth(testid, 0, value);
    }

    /// [`Session::select`] on the `index`-th element with this test id.
    pub fn select_nth(&self, testid: &str, index: usize, value: &str) {
        self.wait_for(&format!("{testid} #{index}"), || {
            (self.find_all(testid).len() > index).then_some(())
        });
        let script = "const e = document.querySelectorAll(arguments[0])[arguments[1]]; \
             if (![...e.options].some(o => o.value === arguments[2])) return null; \
             e.value = arguments[2]; const chosen = e.value; \
             e.dispatchEvent(new Event('input', { bubbles: true })); \
             e.dispatchEvent(new Event('change', { bubbles: true })); return chosen;";
        let got = self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [selector(testid), index, value] })),
        );
        assert_eq!(
            got.as_str(),
            Some(value),
            "{testid} #{index} has no option {value}"
        );
    }

    /// The value of the option labelled `label` in the `<select>` with this test id.
    pub fn option_value(&self, testid: &str, label: &str) -> Option<String> {
        let script = "const e = document.querySelector(arguments[0]); \
             const o = e && [...e.options].find(o => o.textContent.trim() === arguments[1]); \
             return o ? o.value : null;";
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [selector(testid), label] })),
        )
        .as_str()
        .map(str::to_owned)
    }

    /// [`Session::fill`] on the `index`-th element with this test id.
    pub fn fill_nth(&self, testid: &str, index: usize, text: &str) {
        let el = self.wait_for(&format!("{testid} #{index}"), || {
            self.find_all(testid).into_iter().nth(index)
        });
        self.cmd("POST", &format!("/element/{}/clear", el.0), None);
        if !text.is_empty() {
            self.cmd(
                "POST",
                &format!("/element/{}/value", el.0),
                Some(json!({ "text": text })),
            );
        }
    }

    /// Saves a PNG of the window into [`screenshot_dir`] and returns its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let data = self.cmd("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .expect("the screenshot is base64");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("screenshot written");
        path
    }

    /// Closes the app the way a user quitting it would end the process.
    pub fn quit(mut self) {
        self.close();
    }

    fn close(&mut self) {
        if std::mem::take(&mut self.open) {
            let _ = self.driver.http.delete(&self.url).send();
        }
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        self.close();
    }
}
