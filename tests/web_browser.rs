//! The web view in a real browser: headless Chromium, driven over the DevTools protocol, loads every page at phone
//! (390 px) and desktop (1280 px) widths, fails on any console message of level error, script exception, dialog,
//! failed request or error status, and on a page wider than the phone's screen; it saves a PNG of each page under
//! `target/screenshots/`. Skipped, saying so, when Chromium is not installed (CI installs it).

#[path = "web_support.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::*;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

const CHROMIUM: [&str; 2] = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const WIDTHS: [(&str, u32, u32); 2] = [("phone", 390, 844), ("desktop", 1280, 900)];

/// A headless Chromium with a fresh profile; killed when dropped.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    session: String,
    /// Events seen while waiting for replies.
    events: Vec<Value>,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn start(binary: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("chromium said where DevTools listens").unwrap();
            if let Some(at) = line.find("ws://") {
                break line[at..].trim().to_string();
            }
        };
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        let (mut ws, _) = tungstenite::connect(&url).expect("connect to DevTools");
        if let MaybeTlsStream::Plain(s) = ws.get_mut() {
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        }
        let mut b = Browser {
            child,
            _profile: profile,
            ws,
            next_id: 0,
            session: String::new(),
            events: Vec::new(),
        };
        let target = b.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = b.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Page.enable", "Runtime.enable", "Log.enable", "Network.enable"] {
            b.call(domain, json!({}));
        }
        b
    }

    /// Sends a command (to the page's session once there is one) and waits for its reply, keeping events.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            let v = self.receive();
            if v["id"] == id {
                if let Some(e) = v.get("error") {
                    panic!("{method}: {e}");
                }
                return v["result"].clone();
            }
            self.events.push(v);
        }
    }

    fn receive(&mut self) -> Value {
        loop {
            match self.ws.read().expect("a DevTools message") {
                Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
                Message::Binary(b) => return serde_json::from_slice(&b).unwrap(),
                _ => {}
            }
        }
    }

    /// Waits for an event by name (keeping the others).
    fn wait_for(&mut self, method: &str, limit: Duration) {
        let end = Instant::now() + limit;
        if let Some(i) = self.events.iter().position(|e| e["method"] == method) {
            self.events.remove(i);
            return;
        }
        while Instant::now() < end {
            let v = self.receive();
            if v["method"] == method {
                return;
            }
            self.events.push(v);
        }
        panic!("no {method} within {limit:?}");
    }

    /// Loads a page; returns what went wrong on it (console errors, exceptions, dialogs, failed requests).
    fn load(&mut self, url: &str) -> Vec<String> {
        self.events.clear();
        let nav = self.call("Page.navigate", json!({"url": url}));
        assert!(nav.get("errorText").is_none(), "{url}: {nav}");
        self.wait_for("Page.loadEventFired", Duration::from_secs(20));
        // Let late requests (the icon) finish and report.
        self.call("Runtime.evaluate", json!({"expression": "1"}));
        std::thread::sleep(Duration::from_millis(150));
        self.call("Runtime.evaluate", json!({"expression": "1"}));
        let mut problems = Vec::new();
        for e in &self.events {
            let p = &e["params"];
            match e["method"].as_str().unwrap_or("") {
                "Runtime.consoleAPICalled" if p["type"] == "error" || p["type"] == "assert" => {
                    problems.push(format!("console {}: {}", p["type"], p["args"]))
                }
                "Runtime.exceptionThrown" => problems.push(format!("exception: {}", p["exceptionDetails"])),
                "Log.entryAdded" if p["entry"]["level"] == "error" => {
                    problems.push(format!("log: {} {}", p["entry"]["text"], p["entry"]["url"]))
                }
                "Network.loadingFailed" => problems.push(format!("request failed: {p}")),
                "Network.responseReceived" if p["response"]["status"].as_i64().unwrap_or(0) >= 400 => {
                    problems.push(format!("{} answered {}", p["response"]["url"], p["response"]["status"]))
                }
                "Page.javascriptDialogOpening" => problems.push(format!("a dialog opened: {p}")),
                _ => {}
            }
        }
        problems
    }

    fn evaluate(&mut self, expression: &str) -> Value {
        self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        )["result"]["value"]
            .clone()
    }

    fn screenshot(&mut self, width: u32, to: &Path) {
        let height = self
            .evaluate("document.documentElement.scrollHeight")
            .as_f64()
            .unwrap_or(800.0);
        let shot = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true,
                   "clip": {"x": 0, "y": 0, "width": width, "height": height.min(6000.0), "scale": 1}}),
        );
        use base64::Engine;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        std::fs::write(to, png).unwrap();
    }
}

fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("screenshots");
    // Fresh each run: ids differ between archives, and an old picture must not pass for a new one.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A file name for a page.
fn shot_name(path: &str) -> String {
    let name: String = path
        .trim_start_matches('/')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if name.is_empty() {
        "home".into()
    } else {
        name
    }
}

#[test]
fn every_page_loads_cleanly_in_chromium_at_phone_and_desktop_widths() {
    let Some(binary) = CHROMIUM.iter().map(Path::new).find(|p| p.exists()) else {
        eprintln!("skipped: Chromium is not installed (apt-get install chromium; CI installs it)");
        return;
    };
    let a = archive();
    let web = serve(&a.db, &[]);
    let mut pages = every_page(&a);
    let entity = a.number("SELECT id FROM entities WHERE name = 'Lloyd Austin'");
    pages.push(format!(
        "/search?q=Taiwan&entity={entity}&since=2021-12-01&until=2021-12-31"
    ));
    let dir = screenshots_dir();
    let mut browser = Browser::start(binary);
    let mut failures = Vec::new();
    for (label, width, height) in WIDTHS {
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500}),
        );
        for path in &pages {
            let url = format!("http://{}{path}", web.addr);
            for p in browser.load(&url) {
                failures.push(format!("{label} {path}: {p}"));
            }
            let wide = browser
                .evaluate("document.documentElement.scrollWidth")
                .as_f64()
                .unwrap_or(0.0);
            if wide > f64::from(width) {
                failures.push(format!("{label} {path}: {wide} px wide, wider than the screen"));
            }
            // The page has a heading and the stylesheet applied (no unstyled page).
            let styled =
                browser.evaluate("getComputedStyle(document.body).margin === '0px' && !!document.querySelector('h1')");
            if styled != json!(true) {
                failures.push(format!("{label} {path}: unstyled or without a heading"));
            }
            browser.screenshot(width, &dir.join(format!("{}-{label}.png", shot_name(path))));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The watch works: a missing page and a missing stylesheet are caught.
    let missing = browser.load(&format!("http://{}/nope", web.addr));
    assert!(missing.iter().any(|p| p.contains("answered 404")), "{missing:?}");
    eprintln!("{} pages, 2 widths: screenshots in {}", pages.len(), dir.display());
}
