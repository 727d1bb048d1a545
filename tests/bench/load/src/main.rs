//! A bounded load test for an S3 server on loopback.
//!
//! ```text
//! load --endpoint http://127.0.0.1:PORT --bucket NAME [--connections 64]
//!      [--requests 100000] [--size 1024] [--keys N] [--name NAME]
//!      [--threads 1] [--timeout-seconds 30] [--max-seconds 600]
//! ```
//!
//! Creates the bucket (`PUT /NAME`; 200, or 409 BucketAlreadyOwnedByYou or
//! BucketAlreadyExists), opens exactly `--connections` HTTP/1.1 keep-alive
//! connections, then sends `--requests` unsigned path-style requests spread
//! evenly over them: on each connection PUT and GET alternate, starting with
//! a PUT. Each connection owns the keys `k` with `k % connections` equal to
//! its number (so no two connections touch the same key and the last PUT
//! of a key is known exactly): a PUT writes the next of its keys in turn
//! (`--size` bytes that depend on the run, the key and a per-key version
//! counter), a GET reads one of its keys already written, chosen at random,
//! and checks that the body is exactly the bytes of that key's last
//! successful PUT.
//!
//! Prints one JSON line: server, requests sent, seconds (from the first
//! request to the last response), rps, p50/p99/max latency in ms (request
//! sent to body read, every request; and the p99 of PUTs and of GETs),
//! errors (non-2xx answers, transport errors and time-outs), lost (GETs of
//! a key whose last PUT succeeded that did not answer exactly its bytes,
//! 404 included), the counts behind them and the tool's own CPU time.
//! Exits 1 when any error or loss was seen.
//!
//! Only loopback addresses are accepted. Every request has a time-out and
//! the run a deadline (`--max-seconds`): it stops by itself. The client is
//! lean, since it shares the machine with the server: by default one
//! current-thread tokio runtime drives all connections (`--threads N` for
//! a multi-thread runtime of N workers); hyper's HTTP/1 client, one
//! `hyper::client::conn::http1` connection per task.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

const USAGE: &str = "\
usage: load --endpoint http://127.0.0.1:PORT --bucket NAME [options]

options:
    --connections N       keep-alive connections (default 64)
    --requests N          requests in all, half PUT, half GET (default 100000)
    --size BYTES          object size (default 1024)
    --keys N              distinct keys (default 10000; at least --connections)
    --name NAME           the server's name in the JSON line (default: the endpoint)
    --threads N           1: a current-thread runtime (default); N > 1: N workers
    --timeout-seconds S   time-out of one request (default 30)
    --max-seconds S       deadline of the whole run (default 600)
    -h, --help            this help";

struct Config {
    addr: SocketAddr,
    /// `host:port`, for the Host header.
    authority: String,
    name: String,
    bucket: String,
    connections: usize,
    requests: u64,
    size: usize,
    keys: usize,
    threads: usize,
    timeout: Duration,
    max: Duration,
}

fn parse_args(args: &[String]) -> Result<Option<Config>, String> {
    let mut endpoint = None;
    let mut bucket = None;
    let mut name = None;
    let mut connections = 64usize;
    let mut requests = 100_000u64;
    let mut size = 1024usize;
    let mut keys = 10_000usize;
    let mut threads = 1usize;
    let mut timeout = 30.0f64;
    let mut max = 600.0f64;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        let value = iter
            .next()
            .ok_or_else(|| format!("`{arg}` needs a value"))?;
        let number = |what: &str| -> Result<f64, String> {
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .ok_or_else(|| format!("`{what} {value}`: not a positive number"))
        };
        match arg.as_str() {
            "--endpoint" => endpoint = Some(value.clone()),
            "--bucket" => bucket = Some(value.clone()),
            "--name" => name = Some(value.clone()),
            "--connections" => connections = number(arg)? as usize,
            "--requests" => requests = number(arg)? as u64,
            "--size" => size = number(arg)? as usize,
            "--keys" => keys = number(arg)? as usize,
            "--threads" => threads = number(arg)? as usize,
            "--timeout-seconds" => timeout = number(arg)?,
            "--max-seconds" => max = number(arg)?,
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    let endpoint = endpoint.ok_or("`--endpoint` is required")?;
    let bucket = bucket.ok_or("`--bucket` is required")?;
    let authority = endpoint
        .strip_prefix("http://")
        .ok_or_else(|| format!("`{endpoint}`: only http:// endpoints"))?
        .trim_end_matches('/')
        .to_owned();
    let addr: SocketAddr = authority
        .parse()
        .map_err(|_| format!("`{endpoint}`: the endpoint must be http://IP:PORT"))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "`{endpoint}`: only loopback addresses are load-tested"
        ));
    }
    if connections == 0 || keys < connections {
        return Err(format!(
            "--keys ({keys}) must be at least --connections ({connections}), which must be positive"
        ));
    }
    Ok(Some(Config {
        addr,
        name: name.unwrap_or_else(|| endpoint.clone()),
        authority,
        bucket,
        connections,
        requests,
        size,
        keys,
        threads: threads.max(1),
        timeout: Duration::from_secs_f64(timeout),
        max: Duration::from_secs_f64(max),
    }))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(Some(config)) => Arc::new(config),
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("load: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = if config.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(config.threads)
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("load: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(Arc::clone(&config))) {
        Ok(summary) => {
            println!("{}", summary.json(&config));
            if summary.tally.errors == 0 && summary.tally.lost == 0 && summary.tally.unsent == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(message) => {
            eprintln!("load: {message}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------
// Connections

type Sender = SendRequest<Full<Bytes>>;

/// A keep-alive connection; its driver runs as a task of its own.
async fn connect(addr: SocketAddr) -> Result<Sender, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake {addr}: {e}"))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// One connection of the load and its counts.
struct Conn {
    config: Arc<Config>,
    sender: Option<Sender>,
    /// Connections opened again after the server closed one (or after an
    /// error).
    reconnects: u64,
}

impl Conn {
    /// Sends one request and reads the whole answer.
    async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Bytes,
    ) -> Result<(StatusCode, Bytes), String> {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, self.config.authority.as_str());
        if !body.is_empty() {
            builder = builder.header(http::header::CONTENT_LENGTH, body.len());
        }
        let request = builder.body(Full::new(body)).map_err(|e| e.to_string())?;
        let config = Arc::clone(&self.config);
        let exchange = async {
            let sender = match &mut self.sender {
                Some(sender) if !sender.is_closed() => sender,
                slot => {
                    if slot.is_some() {
                        self.reconnects += 1;
                    }
                    slot.insert(connect(config.addr).await?)
                }
            };
            sender.ready().await.map_err(|e| e.to_string())?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok::<_, String>((status, body))
        };
        match tokio::time::timeout(config.timeout, exchange).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => {
                self.sender = None;
                Err(e)
            }
            Err(_) => {
                self.sender = None;
                Err(format!("no answer in {:?}", config.timeout))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The load

/// What the connections saw, added up.
#[derive(Default)]
struct Tally {
    /// Nanoseconds per request, request sent to body read: PUTs, GETs.
    put_latencies: Vec<u64>,
    get_latencies: Vec<u64>,
    puts: u64,
    gets: u64,
    /// GETs whose body was compared with the key's last PUT.
    verified: u64,
    errors: u64,
    lost: u64,
    /// Requests not sent because the deadline passed.
    unsent: u64,
    reconnects: u64,
    first_error: Option<String>,
}

impl Tally {
    fn error(&mut self, what: impl FnOnce() -> String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(what());
        }
    }

    fn add(&mut self, other: Tally) {
        self.put_latencies.extend(other.put_latencies);
        self.get_latencies.extend(other.get_latencies);
        self.puts += other.puts;
        self.gets += other.gets;
        self.verified += other.verified;
        self.errors += other.errors;
        self.lost += other.lost;
        self.unsent += other.unsent;
        self.reconnects += other.reconnects;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

struct Summary {
    tally: Tally,
    seconds: f64,
}

/// SplitMix64: the next value of `state`.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The bytes of `key` at `version` in this run.
fn content(run: u64, key: usize, version: u32, size: usize) -> Vec<u8> {
    let mut state =
        run ^ ((key as u64) << 32 | u64::from(version)).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        out.extend_from_slice(&splitmix(&mut state).to_le_bytes());
    }
    out.truncate(size);
    out
}

fn key_path(bucket: &str, key: usize) -> String {
    format!("/{bucket}/load/k{key:07}")
}

/// One connection's share: `n` requests, PUT and GET alternating.
async fn worker(mut conn: Conn, index: usize, n: u64, run: u64, deadline: Instant) -> Tally {
    let config = Arc::clone(&conn.config);
    let owned: Vec<usize> = (index..config.keys).step_by(config.connections).collect();
    // The version of each owned key's last successful PUT, and the next
    // version to write.
    let mut stored: Vec<Option<u32>> = vec![None; owned.len()];
    let mut next_version: Vec<u32> = vec![0; owned.len()];
    let mut puts = 0usize;
    let mut rng = run ^ (index as u64).wrapping_mul(0xA076_1D64_78BD_642F);
    let mut tally = Tally {
        put_latencies: Vec::with_capacity(n.div_ceil(2) as usize),
        get_latencies: Vec::with_capacity((n / 2) as usize),
        ..Tally::default()
    };
    for i in 0..n {
        if Instant::now() >= deadline {
            tally.unsent = n - i;
            break;
        }
        if i % 2 == 0 {
            let slot = puts % owned.len();
            puts += 1;
            let version = next_version[slot];
            next_version[slot] += 1;
            let path = key_path(&config.bucket, owned[slot]);
            let body = content(run, owned[slot], version, config.size);
            let started = Instant::now();
            let answer = conn.send(Method::PUT, &path, Bytes::from(body)).await;
            tally
                .put_latencies
                .push(started.elapsed().as_nanos() as u64);
            tally.puts += 1;
            match answer {
                Ok((status, _)) if status.is_success() => stored[slot] = Some(version),
                Ok((status, body)) => {
                    stored[slot] = None;
                    tally.error(|| format!("PUT {path}: {status} {}", excerpt(&body)));
                }
                Err(e) => {
                    stored[slot] = None;
                    tally.error(|| format!("PUT {path}: {e}"));
                }
            }
        } else {
            let written = puts.min(owned.len());
            let slot = (splitmix(&mut rng) % written as u64) as usize;
            let key = owned[slot];
            let path = key_path(&config.bucket, key);
            let started = Instant::now();
            let answer = conn.send(Method::GET, &path, Bytes::new()).await;
            tally
                .get_latencies
                .push(started.elapsed().as_nanos() as u64);
            tally.gets += 1;
            match (answer, stored[slot]) {
                (Ok((status, body)), Some(version)) if status.is_success() => {
                    tally.verified += 1;
                    if body[..] != content(run, key, version, config.size)[..] {
                        tally.lost += 1;
                        tally.error(|| {
                            format!("GET {path}: {} bytes, not those last PUT", body.len())
                        });
                    }
                }
                // Nothing known to be stored: nothing to compare.
                (Ok((status, _)), None) if status.is_success() => {}
                (Ok((status, body)), stored) => {
                    if stored.is_some() {
                        tally.lost += 1;
                    }
                    tally.error(|| format!("GET {path}: {status} {}", excerpt(&body)));
                }
                (Err(e), _) => tally.error(|| format!("GET {path}: {e}")),
            }
        }
    }
    tally.reconnects = conn.reconnects;
    tally
}

/// The start of an answer's body, for an error message.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn run(config: Arc<Config>) -> Result<Summary, String> {
    // The bucket.
    let mut setup = Conn {
        config: Arc::clone(&config),
        sender: None,
        reconnects: 0,
    };
    let (status, body) = setup
        .send(Method::PUT, &format!("/{}", config.bucket), Bytes::new())
        .await
        .map_err(|e| format!("creating the bucket: {e}"))?;
    let exists = status == StatusCode::CONFLICT && {
        let text = String::from_utf8_lossy(&body);
        text.contains("BucketAlreadyOwnedByYou") || text.contains("BucketAlreadyExists")
    };
    if !status.is_success() && !exists {
        return Err(format!("creating the bucket: {status} {}", excerpt(&body)));
    }
    drop(setup);

    // The connections, all open before the clock starts.
    let mut conns = Vec::with_capacity(config.connections);
    for _ in 0..config.connections {
        conns.push(Conn {
            config: Arc::clone(&config),
            sender: Some(connect(config.addr).await?),
            reconnects: 0,
        });
    }
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id()).rotate_left(32);
    let per = config.requests / config.connections as u64;
    let extra = config.requests % config.connections as u64;
    let started = Instant::now();
    let deadline = started + config.max;
    let tasks: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(index, conn)| {
            let n = per + u64::from((index as u64) < extra);
            tokio::spawn(worker(conn, index, n, run, deadline))
        })
        .collect();
    let mut tally = Tally::default();
    for task in tasks {
        tally.add(
            task.await
                .map_err(|e| format!("a connection's task failed: {e}"))?,
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(Summary { tally, seconds })
}

impl Summary {
    fn json(&self, config: &Config) -> String {
        let t = &self.tally;
        let sorted = |parts: &[&Vec<u64>]| {
            let mut all: Vec<u64> = parts.iter().flat_map(|v| v.iter().copied()).collect();
            all.sort_unstable();
            all
        };
        let all = sorted(&[&t.put_latencies, &t.get_latencies]);
        let puts = sorted(&[&t.put_latencies]);
        let gets = sorted(&[&t.get_latencies]);
        let sent = all.len();
        let first_error = match &t.first_error {
            Some(e) => format!("\"{}\"", escape(e)),
            None => "null".into(),
        };
        format!(
            concat!(
                "{{\"server\": \"{}\", \"requests\": {}, \"seconds\": {:.3}, \"rps\": {:.0}, ",
                "\"p50_ms\": {:.3}, \"p99_ms\": {:.3}, \"max_ms\": {:.3}, ",
                "\"put_p99_ms\": {:.3}, \"get_p99_ms\": {:.3}, ",
                "\"errors\": {}, \"lost\": {}, \"puts\": {}, \"gets\": {}, \"verified\": {}, ",
                "\"unsent\": {}, \"reconnects\": {}, \"connections\": {}, \"size\": {}, ",
                "\"keys\": {}, \"threads\": {}, \"client_cpu_s\": {}, \"first_error\": {}}}"
            ),
            escape(&config.name),
            sent,
            self.seconds,
            sent as f64 / self.seconds,
            quantile(&all, 0.50),
            quantile(&all, 0.99),
            quantile(&all, 1.0),
            quantile(&puts, 0.99),
            quantile(&gets, 0.99),
            t.errors,
            t.lost,
            t.puts,
            t.gets,
            t.verified,
            t.unsent,
            t.reconnects,
            config.connections,
            config.size,
            config.keys,
            config.threads,
            cpu_seconds().map_or_else(|| "null".into(), |s| format!("{s:.2}")),
            first_error,
        )
    }
}

/// The `q` quantile of sorted nanoseconds, in milliseconds (0 for none).
fn quantile(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] as f64 / 1e6
}

/// CPU time (user and system) this process has used, in seconds, where
/// `/proc/self/stat` tells it (Linux, assuming 100 ticks a second).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name in parentheses; utime and stime
    // are the 14th and 15th fields of the whole line.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// The text as the inside of a JSON string.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_depends_on_run_key_and_version() {
        let a = content(1, 2, 3, 1024);
        assert_eq!(a.len(), 1024);
        assert_eq!(a, content(1, 2, 3, 1024));
        assert_ne!(a, content(1, 2, 4, 1024));
        assert_ne!(a, content(1, 3, 3, 1024));
        assert_ne!(a, content(2, 2, 3, 1024));
        assert_eq!(content(1, 2, 3, 5), a[..5]);
    }

    #[test]
    fn only_loopback_endpoints() {
        let args = |endpoint: &str| -> Vec<String> {
            ["--endpoint", endpoint, "--bucket", "b"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        };
        assert!(parse_args(&args("http://127.0.0.1:9000")).is_ok());
        assert!(parse_args(&args("http://[::1]:9000/")).is_ok());
        assert!(parse_args(&args("http://10.0.0.1:9000")).is_err());
        assert!(parse_args(&args("https://127.0.0.1:9000")).is_err());
    }
}
