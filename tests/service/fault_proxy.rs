//! A TCP fault proxy between SpaceWatch and the real store: bytes pass through untouched
//! until a request whose head contains a rule's trigger (say `/alpha/fault.bin`), and
//! from then on that connection suffers the rule's fault.
//!
//! Why this works without parsing HTTP: an HTTP/1.1 client (hyper, the SDK) sends a
//! request on a connection only after the previous response ended, so every byte the
//! store sends after the triggering request was seen belongs to that request's response.
//! The trigger is noted *before* the request is forwarded, so the response cannot
//! overtake it. Every fault leaves the connection dead (reset, closed, or held until
//! SpaceWatch gives up on it), so a fault never outlives its request.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex as AsyncMutex;

/// What happens to a triggered request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Hold the response this long before passing it on.
    Delay(Duration),
    /// Answer it ourselves (the store never sees it) and close the connection.
    Answer { status: u16, body: Vec<u8> },
    /// Pass this many response bytes (head included), then reset the connection.
    ResetResponseAfter(usize),
    /// Pass this many request bytes (from the trigger on), then reset the connection.
    ResetRequestAfter(usize),
    /// Pass this many response bytes, then send nothing more and keep the connection.
    StallResponseAfter(usize),
}

/// A fault and the text of a request head that sets it off.
#[derive(Debug, Clone)]
pub struct Rule {
    pub trigger: String,
    pub fault: Fault,
}

pub fn rule(trigger: &str, fault: Fault) -> Rule {
    Rule {
        trigger: trigger.into(),
        fault,
    }
}

/// Request bytes kept for [`FaultProxy::seen`], at most.
const MAX_SEEN: usize = 4 << 20;

#[derive(Debug, Default)]
struct Stats {
    open: AtomicUsize,
    faults: AtomicUsize,
    /// The first [`MAX_SEEN`] request bytes that reached the store, in order.
    seen: Mutex<Vec<u8>>,
}

/// A running proxy; stopped when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    stats: Arc<Stats>,
    task: tokio::task::JoinHandle<()>,
    conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream` under `rules`.
    pub async fn start(upstream: SocketAddr, rules: Vec<Rule>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stats = Arc::new(Stats::default());
        let conns: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let rules: Arc<[Rule]> = rules.into();
        let (s, c) = (stats.clone(), conns.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let _ = client.set_nodelay(true);
                let conn = tokio::spawn(connection(client, upstream, rules.clone(), s.clone()));
                let mut open = c.lock();
                open.retain(|h| !h.is_finished());
                open.push(conn.abort_handle());
            }
        });
        Self {
            addr,
            stats,
            task,
            conns,
        }
    }

    /// `http://127.0.0.1:<port>`, for `settings.endpoint`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests that met a fault so far.
    pub fn faults(&self) -> usize {
        self.stats.faults.load(Ordering::SeqCst)
    }

    /// The request bytes (heads and bodies) the store was sent so far, as text.
    pub fn seen(&self) -> String {
        String::from_utf8_lossy(&self.stats.seen.lock()).into_owned()
    }

    /// Proxied connections open right now.
    pub fn open(&self) -> usize {
        self.stats.open.load(Ordering::SeqCst)
    }

    /// The store goes down: the listener closes (connect is refused) and every proxied
    /// connection is dropped.
    pub fn stop(&self) {
        self.task.abort();
        for c in self.conns.lock().drain(..) {
            c.abort();
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Counts an open connection for as long as it lives (aborted tasks included).
struct Open(Arc<Stats>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The connection's fault, once its trigger was seen.
type Armed = Arc<Mutex<Option<Fault>>>;

/// The write half towards SpaceWatch, shared by both directions (a fault may answer or
/// reset from either); `None` once reset.
type ClientW = Arc<AsyncMutex<Option<OwnedWriteHalf>>>;

async fn connection(client: TcpStream, upstream: SocketAddr, rules: Arc<[Rule]>, s: Arc<Stats>) {
    s.open.fetch_add(1, Ordering::SeqCst);
    let _open = Open(s.clone());
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = server.set_nodelay(true);
    let (client_r, client_w) = client.into_split();
    let (server_r, server_w) = server.into_split();
    let client_w: ClientW = Arc::new(AsyncMutex::new(Some(client_w)));
    let armed: Armed = Arc::default();
    // When either direction ends, the whole connection ends (both halves dropped).
    tokio::select! {
        _ = requests(client_r, server_w, client_w.clone(), &rules, &armed, &s) => {}
        _ = responses(server_r, client_w, &armed) => {}
    }
}

/// Client to store: watches for triggers.
async fn requests(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    client: ClientW,
    rules: &[Rule],
    armed: &Armed,
    stats: &Stats,
) {
    let longest = rules.iter().map(|r| r.trigger.len()).max().unwrap_or(1);
    let mut tail: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    // Request bytes still allowed through before a ResetRequestAfter fires.
    let mut allowance: Option<usize> = None;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let mut data = &buf[..n];
        if armed.lock().is_none() {
            tail.extend_from_slice(data);
            if let Some(r) = find_trigger(rules, &tail) {
                stats.faults.fetch_add(1, Ordering::SeqCst);
                *armed.lock() = Some(r.fault.clone());
                match &r.fault {
                    Fault::Answer { status, body } => {
                        answer(&client, *status, body).await;
                        drain(from).await;
                        return;
                    }
                    Fault::ResetRequestAfter(n) => allowance = Some(*n),
                    _ => {}
                }
            } else {
                let keep = tail.len().saturating_sub(longest);
                tail.drain(..keep);
            }
        }
        if let Some(left) = allowance.as_mut() {
            if data.len() >= *left {
                data = &data[..*left];
                let _ = to.write_all(data).await;
                reset(&client).await;
                return;
            }
            *left -= data.len();
        }
        {
            let mut seen = stats.seen.lock();
            let room = MAX_SEEN.saturating_sub(seen.len());
            seen.extend_from_slice(&data[..data.len().min(room)]);
        }
        if to.write_all(data).await.is_err() {
            return;
        }
    }
}

fn find_trigger<'r>(rules: &'r [Rule], hay: &[u8]) -> Option<&'r Rule> {
    rules.iter().find(|r| {
        let t = r.trigger.as_bytes();
        hay.windows(t.len()).any(|w| w == t)
    })
}

/// Store to client: applies the armed fault to the response.
async fn responses(mut from: OwnedReadHalf, client: ClientW, armed: &Armed) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut since_fault = 0usize;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let fault = armed.lock().clone();
        let data = &buf[..n];
        match fault {
            Some(Fault::Delay(d)) if since_fault == 0 => tokio::time::sleep(d).await,
            Some(Fault::ResetResponseAfter(limit)) if since_fault + n >= limit => {
                write(&client, &data[..limit - since_fault]).await;
                reset(&client).await;
                return;
            }
            Some(Fault::StallResponseAfter(limit)) if since_fault + n >= limit => {
                write(&client, &data[..limit - since_fault]).await;
                std::future::pending::<()>().await;
            }
            _ => {}
        }
        if fault.is_some() {
            since_fault += n;
        }
        if !write(&client, data).await {
            return;
        }
    }
}

async fn write(client: &ClientW, data: &[u8]) -> bool {
    match client.lock().await.as_mut() {
        Some(w) => w.write_all(data).await.is_ok(),
        None => false,
    }
}

/// Writes a whole response of our own, `Connection: close`.
async fn answer(client: &ClientW, status: u16, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status} Fault\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut w = client.lock().await;
    if let Some(w) = w.as_mut() {
        let _ = w.write_all(head.as_bytes()).await;
        let _ = w.write_all(body).await;
        let _ = w.shutdown().await;
    }
}

/// Reads what the client still sends until it closes (so closing ours is not a reset).
async fn drain(mut from: OwnedReadHalf) {
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}

/// Abortive close: SpaceWatch's side of the connection gets a TCP RST, not a FIN — the
/// write half is forgotten (no shutdown), and the socket closes with a zero linger when
/// the read half drops as the connection ends.
async fn reset(client: &ClientW) {
    if let Some(w) = client.lock().await.take() {
        let _ = w.as_ref().set_zero_linger();
        w.forget();
    }
}
