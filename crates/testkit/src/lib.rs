//! Test-only HTTP server on 127.0.0.1 with fault injection, and a fresh archive per backend ([`db`]).
//!
//! Tests of the fetcher, the ingest pipeline and the daemon need a real server that can also misbehave: answer slowly,
//! stall mid-body, send an endless or a compressed-bomb body, redirect in a loop, or throttle with `Retry-After`.
//! A hand-written HTTP/1.1 responder (one request per connection) gives that control without a server framework.
//!
//! The server runs on its own thread with its own runtime, so it works from sync tests, async tests and tests that
//! spawn the `gazette` binary alike. It stops when the [`TestServer`] is dropped.

pub mod db;
pub use db::{Backend, TestDb};

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub received_at: Instant,
}

impl Request {
    /// The path without the query string.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How the body is sent.
#[derive(Debug, Clone)]
pub enum Body {
    /// All at once, with a Content-Length.
    Full(Vec<u8>),
    /// `chunk` every `every`, `count` times, without a Content-Length (a trickling server).
    Trickle {
        chunk: Vec<u8>,
        every: Duration,
        count: usize,
    },
    /// Bytes without end (until the client hangs up).
    Endless,
    /// Sends `prefix`, then holds the connection open without sending more for `hold`.
    Stall { prefix: Vec<u8>, hold: Duration },
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Wait this long before sending anything.
    pub delay: Duration,
}

impl Response {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Body::Full(body.into()),
            delay: Duration::ZERO,
        }
    }

    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Response::new(200, body).header("Content-Type", content_type)
    }

    pub fn not_found() -> Self {
        Response::new(404, "not found").header("Content-Type", "text/plain")
    }

    pub fn redirect(status: u16, location: &str) -> Self {
        Response::new(status, "").header("Location", location)
    }

    /// A body gzip-compressed once (set `Content-Encoding: gzip`); `gzip_bomb` for a small body that inflates hugely.
    pub fn gzipped(content_type: &str, plain: &[u8]) -> Self {
        Response::ok(content_type, gzip(plain)).header("Content-Encoding", "gzip")
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// Gzip-compresses bytes.
pub fn gzip(plain: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(plain).expect("gzip into memory");
    enc.finish().expect("gzip into memory")
}

/// Deflate-compresses bytes in the zlib format that `Content-Encoding: deflate` means.
pub fn deflate(plain: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(plain).expect("deflate into memory");
    enc.finish().expect("deflate into memory")
}

/// `size` zero bytes, gzip-compressed: about 1/1000 of `size` on the wire.
pub fn gzip_bomb(size: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![b' '; 1 << 16];
    let mut left = size;
    while left > 0 {
        let n = left.min(block.len());
        enc.write_all(&block[..n]).expect("gzip into memory");
        left -= n;
    }
    enc.finish().expect("gzip into memory")
}

/// A handler that answers with `responses` in turn, whatever the request, then keeps repeating the last one
/// (for "fails twice, then works" cases).
///
/// # Panics
/// When `responses` is empty.
pub fn sequence(responses: Vec<Response>) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    assert!(!responses.is_empty(), "sequence needs at least one response");
    let next = std::sync::atomic::AtomicUsize::new(0);
    move |_| {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        responses[i.min(responses.len() - 1)].clone()
    }
}

/// A loopback address where nothing listens (connections are refused): a port that was free a moment ago.
pub fn refused_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    listener.local_addr().expect("local addr")
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// A running server. Dropping it stops the server.
pub struct TestServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on an ephemeral port of 127.0.0.1; `handler` answers every request.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> TestServer {
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::new(Mutex::new(Vec::new()));
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("local addr");
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        let thread_log = log.clone();
        let thread = std::thread::Builder::new()
            .name(format!("testserver-{}", addr.port()))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("test server runtime");
                rt.block_on(async move {
                    let listener = TcpListener::from_std(std_listener).expect("tokio listener");
                    let accept = async {
                        loop {
                            let Ok((stream, _)) = listener.accept().await else {
                                continue;
                            };
                            let handler = handler.clone();
                            let log = thread_log.clone();
                            tokio::spawn(async move {
                                let _ = serve(stream, handler, log).await;
                            });
                        }
                    };
                    tokio::select! {
                        _ = accept => {}
                        _ = stop_rx => {}
                    }
                });
                rt.shutdown_timeout(Duration::from_millis(100));
            })
            .expect("spawn test server");
        TestServer {
            addr,
            log,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url(), path)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().expect("log lock").clone()
    }

    /// Requests received for one path (query ignored).
    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path() == path).count()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(mut stream: TcpStream, handler: Arc<Handler>, log: Arc<Mutex<Vec<Request>>>) -> std::io::Result<()> {
    let Some(request) = read_request(&mut stream).await? else {
        return Ok(());
    };
    log.lock().expect("log lock").push(request.clone());
    let response = handler(&request);
    if !response.delay.is_zero() {
        tokio::time::sleep(response.delay).await;
    }
    let mut head = format!("HTTP/1.1 {} {}\r\n", response.status, reason(response.status));
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Body::Full(bytes) = &response.body {
        head.push_str(&format!("Content-Length: {}\r\n", bytes.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await?;
    if request.method == "HEAD" {
        return stream.shutdown().await;
    }
    match response.body {
        Body::Full(bytes) => stream.write_all(&bytes).await?,
        Body::Trickle { chunk, every, count } => {
            for _ in 0..count {
                stream.write_all(&chunk).await?;
                stream.flush().await?;
                tokio::time::sleep(every).await;
            }
        }
        Body::Endless => {
            let block = vec![b'x'; 1 << 16];
            loop {
                stream.write_all(&block).await?;
            }
        }
        Body::Stall { prefix, hold } => {
            stream.write_all(&prefix).await?;
            stream.flush().await?;
            tokio::time::sleep(hold).await;
        }
    }
    stream.shutdown().await
}

async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > 64 * 1024 {
            return Ok(None);
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split_whitespace();
    let method = first.next().unwrap_or("GET").to_string();
    let target = first.next().unwrap_or("/").to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Ok(Some(Request {
        method,
        target,
        headers,
        received_at: Instant::now(),
    }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        408 => "Request Timeout",
        410 => "Gone",
        401 => "Unauthorized",
        403 => "Forbidden",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
