//! Throughput and Digest round trips of the generated client, against hand-written baselines
//! (tracker issue 7, client part). `cargo xtask bench` runs it and appends its rows to the one
//! benchmark table; it also runs alone:
//!
//! ```sh
//! cargo bench -p atlas-admin-tests --bench throughput              # full run, about 1.5 min
//! cargo bench -p atlas-admin-tests --bench throughput -- --quick   # smoke run, about 10 s
//! cargo bench -p atlas-admin-tests --bench throughput -- --only generated   # one isolated run
//! ```
//!
//! `--only generated` (or `--only baseline`) measures one client alone, at 1 task for 8 s, in
//! its own process, and prints its requests per second and the process's CPU time per request
//! (client and in-process server together). Alternating such runs by hand compares the clients
//! without one sharing a process (allocator, runtime, server history) with the other.
//!
//! This file holds the protocol and the targets (the constants below). The median, the rows
//! and the table come from `cargo xtask bench`'s report module (`xtask/src/bench/report.rs`,
//! included below by `#[path]`), so both print one kind of table with one statistics code. The
//! table (name | value | target | met?) is printed to stdout and written to
//! `target/bench/throughput.md`, followed by per-round details and the first error of any
//! failed request; the same rows go to `target/bench/throughput.json`, which `cargo xtask
//! bench` appends to its own table. Progress goes to stderr.
//!
//! Every run starts a fresh in-process [`TestServer`] (loopback, keep-alive, strict Digest with per-nonce `nc` checking) and a
//! fresh client on one two-worker Tokio runtime, which the server shares. Every request is a
//! `create_private_endpoint` (`POST /groups/{GROUP-ID}/privateEndpoint`) in a group id no
//! other request uses, because a second create in the same group and region is a 409. Every
//! non-2xx answer or error counts as a failure and is shown in the table, never dropped; the
//! process exits with status 1 (after writing the table) if a request of the generated client
//! failed. The machine has 2 cores shared by client, server and anything else running, so
//! throughput rounds of the two clients run back to back and ratios are taken per round.
//!
//! 1. **Client overhead.** Requests per second of the generated client against a hand-written
//!    baseline ([`BaselineClient`]: reqwest + diqwest directly, same URL, body, `Accept`,
//!    `Content-Type` and `User-Agent` headers, same timeout, response decoded into a serde
//!    struct, one shared `DigestAuthSession` whose cached nonce is used preemptively through
//!    `calculate_authorization`, falling back to `send_digest_auth` on a 401), with 1 task and
//!    with 32 tasks (clones of one client, sequential requests each, for a fixed time after a
//!    short untimed warm-up). Each configuration runs 7 rounds (2 s per client), alternating
//!    which client goes first, after one discarded run of each; the median req/s of each client
//!    and the median of the per-round ratios are reported (criterion, which times one routine at
//!    a time, cannot alternate two clients round by round). Target: generated ≥ 0.95 × baseline.
//! 2. **Nonce reuse vs a fresh challenge per request.** Sequential requests per second of the
//!    generated client (one round trip per request once it holds a nonce) against a baseline
//!    that gets a fresh challenge for every request as `curl --digest` and MongoDB's Go
//!    transport do ([`FreshChallengeClient`]: a new `DigestAuthSession` per request and
//!    `send_digest_auth`, i.e. a bare request, the 401, then the answer with `nc=1`). Rounds and
//!    medians as in 1 (7 rounds, 1.5 s per client). Target: ≥ 1.8 ×.
//! 3. **401 challenges under concurrency.** 200 creates spread over 16 tasks started together
//!    on a new (cold) client against a fresh server; reports `server.challenges_issued()` (the
//!    maximum over 5 runs) and the HTTP exchanges the server saw (`server.request_count()`,
//!    median), with min / median / max of both in the notes. Target for the generated client:
//!    ≤ 16 challenges.
//!    The baseline with one shared session is reported alongside for comparison.
//! 4. **Bearer tokens.** Requests per second of the generated client with a service account
//!    (`service_account`: one token fetched from the server's token endpoint during the
//!    warm-up, then `Authorization: Bearer` on every request) against a hand-written reqwest
//!    client sending the same header with a token minted by the server ([`BearerClient`]), with
//!    1 and 32 tasks, rounds and medians as in 1. Target: ≥ 0.95 ×. The same generated client is
//!    also compared with its Digest session (informational: no target).

use std::future::Future;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use atlas_admin::types::{CreatePrivateEndpointRequest, ProviderName, Region};
use atlas_test_server::{
    TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, TestServer, V1_PATH,
};
use diqwest::{DigestAuthCredentials, DigestAuthSession, WithDigestAuth};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use tokio::sync::Barrier;

// The statistics and the table of `cargo xtask bench`. This bench uses part of them (and
// compiles the file's unit tests without running them: they run in `cargo test -p xtask`).
#[allow(dead_code)]
#[path = "../../xtask/src/bench/report.rs"]
mod report;

use report::{Goal, Measured, Report, Row, Summary, Unit, median};

/// The create body the baselines send: the same fields as the generated client's
/// `CreatePrivateEndpointRequest::new(ProviderName::Aws, Region::EuWest1)`. The server accepts
/// both region spellings; the generated client sends `"eu-west-1"`, of the same length.
const CREATE_BODY: &str = r#"{"providerName":"AWS","region":"EU_WEST_1"}"#;
/// Timeout of one HTTP exchange, for every client.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Untimed requests each task makes before a throughput measurement starts (connection and
/// nonce established).
const WARM_UP_REQUESTS_PER_TASK: usize = 3;
/// Length of the discarded run of each client before the rounds of a comparison.
const DISCARDED_WARM_UP: Duration = Duration::from_millis(500);
/// Measurement 3: this many creates …
const CHALLENGE_REQUESTS: usize = 200;
/// … spread over this many tasks.
const CHALLENGE_TASKS: usize = 16;
/// Measurement 3 target: at most this many 401 challenges.
const CHALLENGE_TARGET: f64 = 16.0;
/// Measurement 1 target: generated req/s ≥ this × baseline req/s.
const OVERHEAD_TARGET: f64 = 0.95;
/// Measurement 4 target: generated bearer req/s ≥ this × hand-written bearer req/s.
const BEARER_TARGET: f64 = 0.95;
/// Measurement 2 target: nonce reuse req/s ≥ this × fresh-challenge req/s.
const NONCE_REUSE_TARGET: f64 = 1.8;

/// How long and how often each measurement runs.
struct Settings {
    /// Timed duration of one throughput run (measurement 1).
    overhead_duration: Duration,
    /// Rounds per configuration of measurement 1; each round runs both clients.
    overhead_rounds: usize,
    /// Timed duration of one throughput run (measurement 2).
    nonce_reuse_duration: Duration,
    /// Rounds of measurement 2.
    nonce_reuse_rounds: usize,
    /// Fresh-server runs per client of measurement 3.
    challenge_runs: usize,
}

impl Settings {
    /// About 85 seconds.
    fn full() -> Settings {
        Settings {
            overhead_duration: Duration::from_secs(2),
            overhead_rounds: 7,
            nonce_reuse_duration: Duration::from_millis(1500),
            nonce_reuse_rounds: 7,
            challenge_runs: 5,
        }
    }

    /// A few seconds: checks that everything runs, numbers are rough.
    fn quick() -> Settings {
        Settings {
            overhead_duration: Duration::from_millis(400),
            overhead_rounds: 2,
            nonce_reuse_duration: Duration::from_millis(400),
            nonce_reuse_rounds: 2,
            challenge_runs: 2,
        }
    }
}

fn main() {
    // Cargo passes `--bench`; anything but `--quick` and `--only KIND` is ignored.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|arg| arg == "--quick");
    let only = args
        .iter()
        .position(|arg| arg == "--only")
        .and_then(|index| args.get(index + 1));
    let settings = if quick {
        Settings::quick()
    } else {
        Settings::full()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Some(only) = only {
        let kind = match only.as_str() {
            "generated" => ClientKind::Generated,
            "baseline" => ClientKind::Baseline,
            "service-account" => ClientKind::ServiceAccount,
            "bearer-baseline" => ClientKind::BearerBaseline,
            other => {
                eprintln!(
                    "--only takes `generated`, `baseline`, `service-account` or `bearer-baseline`, not `{other}`"
                );
                std::process::exit(2);
            }
        };
        isolated_run(&runtime, kind);
        return;
    }
    let started = Instant::now();
    let mut rows = runtime.block_on(run_all(&settings));
    let generated_failures = rows.generated_failed;
    rows.finish();
    let mut report = rows.report;
    report.title = "Client throughput".to_owned();
    report.notes.insert(
        0,
        format!(
            "Client{}: `cargo bench -p atlas-admin-tests --bench throughput{}`; loopback, \
             in-process server on the same 2-worker Tokio runtime; {} logical CPUs; took {:.0} s.",
            if quick {
                " (--quick: rough numbers)"
            } else {
                ""
            },
            if quick { " -- --quick" } else { "" },
            std::thread::available_parallelism().map_or(0, usize::from),
            started.elapsed().as_secs_f64(),
        ),
    );
    let markdown = report.to_markdown();
    println!("{markdown}");

    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench"));
    let json = serde_json::to_string_pretty(&report).expect("a report is JSON");
    for (name, text) in [("throughput.md", markdown), ("throughput.json", json)] {
        let path = dir.join(name);
        if let Err(error) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text))
        {
            eprintln!("cannot write {}: {error}", path.display());
            std::process::exit(2);
        }
        eprintln!("written to {}", path.display());
    }
    if generated_failures > 0 {
        eprintln!("{generated_failures} request(s) of the generated client failed (see the table)");
        std::process::exit(1);
    }
}

async fn run_all(settings: &Settings) -> ClientRows {
    let mut rows = ClientRows::default();

    for tasks in [1, 32] {
        eprintln!("measurement 1: client overhead, {}", tasks_text(tasks));
        let [generated, baseline] = compare_throughput(
            [ClientKind::Generated, ClientKind::Baseline],
            tasks,
            settings.overhead_duration,
            settings.overhead_rounds,
        )
        .await;
        rows.throughput_comparison(
            &format!("(1) overhead, {}", tasks_text(tasks)),
            &generated,
            &baseline,
            Some(OVERHEAD_TARGET),
        );
    }

    for tasks in [1, 32] {
        eprintln!("measurement 4: bearer tokens, {}", tasks_text(tasks));
        let [generated, baseline] = compare_throughput(
            [ClientKind::ServiceAccount, ClientKind::BearerBaseline],
            tasks,
            settings.overhead_duration,
            settings.overhead_rounds,
        )
        .await;
        rows.throughput_comparison(
            &format!("(4) bearer, {}", tasks_text(tasks)),
            &generated,
            &baseline,
            Some(BEARER_TARGET),
        );
        let [bearer, digest] = compare_throughput(
            [ClientKind::ServiceAccount, ClientKind::Generated],
            tasks,
            settings.overhead_duration,
            settings.overhead_rounds,
        )
        .await;
        rows.throughput_comparison(
            &format!("(4) bearer vs Digest, {}", tasks_text(tasks)),
            &bearer,
            &digest,
            None,
        );
    }

    eprintln!("measurement 2: nonce reuse vs a fresh challenge per request");
    let [reuse, fresh] = compare_throughput(
        [ClientKind::Generated, ClientKind::FreshChallenge],
        1,
        settings.nonce_reuse_duration,
        settings.nonce_reuse_rounds,
    )
    .await;
    rows.throughput_comparison(
        "(2) nonce reuse, 1 task",
        &reuse,
        &fresh,
        Some(NONCE_REUSE_TARGET),
    );

    eprintln!(
        "measurement 3: 401 challenges for {CHALLENGE_REQUESTS} creates over {CHALLENGE_TASKS} tasks"
    );
    for kind in [ClientKind::Generated, ClientKind::Baseline] {
        let mut runs = Vec::with_capacity(settings.challenge_runs);
        for _ in 0..settings.challenge_runs {
            runs.push(count_challenges(kind).await);
        }
        rows.challenges(kind, &runs);
    }
    rows
}

/// `1 task`, `32 tasks`.
fn tasks_text(tasks: usize) -> String {
    format!("{tasks} task{}", if tasks == 1 { "" } else { "s" })
}

// ---------------------------------------------------------------------------------------------
// The clients being compared
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientKind {
    /// The generated `atlas_admin::Client`.
    Generated,
    /// [`BaselineClient`]: reqwest + diqwest by hand, one shared session.
    Baseline,
    /// [`FreshChallengeClient`]: a new Digest session (hence a 401) for every request.
    FreshChallenge,
    /// The generated client with a service account (bearer tokens).
    ServiceAccount,
    /// [`BearerClient`]: reqwest by hand with a fixed `Authorization: Bearer` header.
    BearerBaseline,
}

impl ClientKind {
    fn label(self) -> &'static str {
        match self {
            ClientKind::Generated => "generated client",
            ClientKind::Baseline => "baseline (reqwest + diqwest, shared session)",
            ClientKind::FreshChallenge => "baseline, fresh challenge per request",
            ClientKind::ServiceAccount => "generated client, service account (bearer)",
            ClientKind::BearerBaseline => "baseline (reqwest, bearer header)",
        }
    }

    /// A short name, for the ratio rows.
    fn short_label(self) -> &'static str {
        match self {
            ClientKind::Generated => "generated",
            ClientKind::Baseline => "baseline",
            ClientKind::FreshChallenge => "fresh challenge",
            ClientKind::ServiceAccount => "generated bearer",
            ClientKind::BearerBaseline => "bearer baseline",
        }
    }

    /// Whether this is the generated client, whose failures fail the bench.
    fn is_generated(self) -> bool {
        matches!(self, ClientKind::Generated | ClientKind::ServiceAccount)
    }
}

/// `--only`: one client alone at 1 task; prints req/s and CPU time per request.
fn isolated_run(runtime: &tokio::runtime::Runtime, kind: ClientKind) {
    const SECONDS: u64 = 8;
    let cpu_before = process_cpu_ticks();
    let run = runtime.block_on(measure_throughput(kind, 1, Duration::from_secs(SECONDS)));
    let cpu_ticks = process_cpu_ticks()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let requests = run.outcomes.succeeded;
    let cpu_per_request = cpu_ticks
        .filter(|_| requests > 0)
        // Linux counts CPU time in 10 ms ticks (USER_HZ = 100).
        .map(|ticks| format!("{:.1} µs", ticks as f64 * 10_000.0 / requests as f64))
        .unwrap_or_else(|| "unknown".to_owned());
    println!(
        "{}: {:.0} req/s over {SECONDS} s, {} failed; CPU per request (whole process, warm-up included): {cpu_per_request}",
        kind.label(),
        run.requests_per_second,
        run.outcomes.failed,
    );
}

/// User plus system CPU time of this process so far, in clock ticks, on Linux.
fn process_cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}

/// One client of any kind; clones share their connection pool and Digest session.
#[derive(Clone)]
enum AnyClient {
    Generated(atlas_admin::Client),
    Baseline(BaselineClient),
    FreshChallenge(FreshChallengeClient),
    Bearer(BearerClient),
}

impl AnyClient {
    fn new(kind: ClientKind, server: &TestServer) -> AnyClient {
        match kind {
            ClientKind::Generated => AnyClient::Generated(
                atlas_admin::Client::builder()
                    .base_url(server.base_url())
                    .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
                    .timeout(REQUEST_TIMEOUT)
                    .build()
                    .expect("valid client configuration"),
            ),
            ClientKind::Baseline => AnyClient::Baseline(BaselineClient::new(server)),
            ClientKind::FreshChallenge => {
                AnyClient::FreshChallenge(FreshChallengeClient::new(server))
            }
            ClientKind::ServiceAccount => AnyClient::Generated(
                atlas_admin::Client::builder()
                    .base_url(server.base_url())
                    .service_account(TEST_CLIENT_ID, TEST_CLIENT_SECRET)
                    .timeout(REQUEST_TIMEOUT)
                    .build()
                    .expect("valid client configuration"),
            ),
            ClientKind::BearerBaseline => AnyClient::Bearer(BearerClient::new(server)),
        }
    }

    /// Creates a private endpoint connection in `group_id`; the error describes a failure.
    async fn create(&self, group_id: String) -> Result<(), String> {
        match self {
            AnyClient::Generated(client) => {
                let body = CreatePrivateEndpointRequest::new(ProviderName::Aws, Region::EuWest1);
                let created = client
                    .create_private_endpoint(group_id, body)
                    .await
                    .map_err(|error| error.to_string())?;
                black_box(created);
                Ok(())
            }
            AnyClient::Baseline(client) => client.create(&group_id).await,
            AnyClient::FreshChallenge(client) => client.create(&group_id).await,
            AnyClient::Bearer(client) => client.create(&group_id).await,
        }
    }
}

/// The created connection, as the baselines decode it (the generated client decodes the same
/// fields into its `PrivateEndpoint`).
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // Only decoded, like a caller that ignores the result.
struct CreatedEndpoint {
    id: String,
    status: String,
    #[serde(default)]
    endpoint_service_name: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
    #[serde(default)]
    interface_endpoints: Vec<String>,
}

/// What the baselines share: the HTTP client and where to send a create.
#[derive(Clone)]
struct Endpoint {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    origin: Arc<str>,
    /// The Digest cache key (diqwest keys by host only).
    host: Arc<str>,
}

impl Endpoint {
    fn new(server: &TestServer) -> Endpoint {
        Endpoint {
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .build()
                .expect("reqwest client"),
            origin: format!("http://{}", server.addr()).into(),
            host: server.addr().ip().to_string().into(),
        }
    }

    /// The request target of a create in `group_id` (what a Digest `uri` signs).
    fn create_path(group_id: &str) -> String {
        format!("{V1_PATH}/groups/{group_id}/privateEndpoint")
    }

    /// The create request, without credentials.
    fn create_request(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.origin))
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, atlas_admin::DEFAULT_USER_AGENT)
            .body(CREATE_BODY)
    }
}

/// Reads and decodes the answer to a create; any non-2xx status is a failure.
async fn decode_created(
    response: Result<reqwest::Response, diqwest::error::Error>,
) -> Result<(), String> {
    let response = response.map_err(|error| format!("transport: {error}"))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|error| format!("reading the body: {error}"))?;
    if !status.is_success() {
        return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)));
    }
    let created: CreatedEndpoint =
        serde_json::from_slice(&body).map_err(|error| format!("decoding: {error}"))?;
    black_box(created);
    Ok(())
}

/// A hand-written create with reqwest + diqwest and one `DigestAuthSession` shared by all
/// clones: the cached nonce is used preemptively (`calculate_authorization`, one round trip);
/// without one, or when that answer gets a 401, `send_digest_auth` does diqwest's own flow
/// (bare request, challenge, answer with `nc=1`). No retry beyond that.
#[derive(Clone)]
struct BaselineClient {
    endpoint: Endpoint,
    session: Arc<DigestAuthSession>,
}

impl BaselineClient {
    fn new(server: &TestServer) -> BaselineClient {
        BaselineClient {
            endpoint: Endpoint::new(server),
            session: Arc::new(DigestAuthSession::new(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)),
        }
    }

    async fn create(&self, group_id: &str) -> Result<(), String> {
        let path = Endpoint::create_path(group_id);
        let request = self.endpoint.create_request(&path);
        let session: &DigestAuthSession = &self.session;
        let preemptive = session
            .calculate_authorization(
                &self.endpoint.host,
                &path,
                "POST".into(),
                Some(CREATE_BODY.as_bytes()),
                &HeaderMap::new(),
            )
            .ok();
        let response = match preemptive {
            Some(authorization) => {
                let answered = request
                    .try_clone()
                    .expect("a byte body is replayable")
                    .header(AUTHORIZATION, authorization.to_header_string())
                    .send()
                    .await;
                match answered {
                    Ok(response) if response.status() == StatusCode::UNAUTHORIZED => {
                        // The nonce was refused: forget it, as diqwest itself does, and start
                        // over with a fresh challenge.
                        let _ = session.invalidate_host(&self.endpoint.host);
                        request.send_digest_auth(session).await
                    }
                    other => other.map_err(diqwest::error::Error::from),
                }
            }
            None => request.send_digest_auth(session).await,
        };
        decode_created(response).await
    }
}

/// A create that pays a fresh challenge every time, like `curl --digest` or MongoDB's Go
/// transport: a new `DigestAuthSession` per request, so `send_digest_auth` sends the request
/// bare, gets the 401 and answers it with `nc=1` (two round trips).
#[derive(Clone)]
struct FreshChallengeClient {
    endpoint: Endpoint,
}

impl FreshChallengeClient {
    fn new(server: &TestServer) -> FreshChallengeClient {
        FreshChallengeClient {
            endpoint: Endpoint::new(server),
        }
    }

    async fn create(&self, group_id: &str) -> Result<(), String> {
        let request = self
            .endpoint
            .create_request(&Endpoint::create_path(group_id));
        let session = DigestAuthSession::new(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY);
        decode_created(request.send_digest_auth(&session).await).await
    }
}

/// A hand-written create with reqwest and a bearer token minted by the server, sent as a
/// prebuilt (sensitive) header value: what a caller who holds a token would write.
#[derive(Clone)]
struct BearerClient {
    endpoint: Endpoint,
    authorization: HeaderValue,
}

impl BearerClient {
    fn new(server: &TestServer) -> BearerClient {
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", server.issue_token()))
            .expect("a token is a valid header value");
        authorization.set_sensitive(true);
        BearerClient {
            endpoint: Endpoint::new(server),
            authorization,
        }
    }

    async fn create(&self, group_id: &str) -> Result<(), String> {
        let response = self
            .endpoint
            .create_request(&Endpoint::create_path(group_id))
            .header(AUTHORIZATION, self.authorization.clone())
            .send()
            .await
            .map_err(diqwest::error::Error::from);
        decode_created(response).await
    }
}

// ---------------------------------------------------------------------------------------------
// Running the load
// ---------------------------------------------------------------------------------------------

/// Hands out group ids no other request against the same server has used.
#[derive(Default)]
struct GroupIds(AtomicUsize);

impl GroupIds {
    fn next(&self) -> String {
        format!("{:024x}", self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

/// Successes and failures of some requests, with the first failure's description.
#[derive(Default)]
struct Outcomes {
    succeeded: usize,
    failed: usize,
    first_failure: Option<String>,
}

impl Outcomes {
    fn record(&mut self, result: Result<(), String>) {
        match result {
            Ok(()) => self.succeeded += 1,
            Err(error) => {
                self.failed += 1;
                self.first_failure.get_or_insert(error);
            }
        }
    }

    fn merge(&mut self, other: Outcomes) {
        self.succeeded += other.succeeded;
        self.failed += other.failed;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
    }
}

/// One timed run of one client.
struct ThroughputRun {
    /// Successful requests per second during the timed phase.
    requests_per_second: f64,
    /// Every request of the run, warm-up included.
    outcomes: Outcomes,
    /// HTTP exchanges the server saw per request during the timed phase.
    exchanges_per_request: f64,
    /// 401 challenges the server issued during the timed phase.
    challenges: usize,
}

/// `tasks` clones of a new `kind` client against a fresh server, each making sequential creates
/// for `duration` after an untimed warm-up.
async fn measure_throughput(kind: ClientKind, tasks: usize, duration: Duration) -> ThroughputRun {
    let server = TestServer::start().await;
    let client = AnyClient::new(kind, &server);
    let group_ids = Arc::new(GroupIds::default());
    let warmed_up = Arc::new(Barrier::new(tasks + 1));
    let go = Arc::new(Barrier::new(tasks + 1));

    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        let client = client.clone();
        let group_ids = Arc::clone(&group_ids);
        let warmed_up = Arc::clone(&warmed_up);
        let go = Arc::clone(&go);
        handles.push(tokio::spawn(async move {
            let mut warm_up = Outcomes::default();
            for _ in 0..WARM_UP_REQUESTS_PER_TASK {
                warm_up.record(client.create(group_ids.next()).await);
            }
            warmed_up.wait().await;
            go.wait().await;
            let deadline = Instant::now() + duration;
            let mut timed = Outcomes::default();
            while Instant::now() < deadline {
                timed.record(client.create(group_ids.next()).await);
            }
            (warm_up, timed, Instant::now())
        }));
    }

    warmed_up.wait().await;
    let exchanges_before = server.request_count();
    let challenges_before = server.challenges_issued();
    go.wait().await;
    let start = Instant::now();
    let mut end = start;
    let mut outcomes = Outcomes::default();
    let mut timed_succeeded = 0;
    let mut timed_requests = 0;
    for handle in handles {
        let (warm_up, timed, finished) = handle.await.expect("load task panicked");
        end = end.max(finished);
        timed_succeeded += timed.succeeded;
        timed_requests += timed.succeeded + timed.failed;
        outcomes.merge(warm_up);
        outcomes.merge(timed);
    }
    let elapsed = end.duration_since(start).as_secs_f64();
    ThroughputRun {
        requests_per_second: timed_succeeded as f64 / elapsed,
        outcomes,
        exchanges_per_request: (server.request_count() - exchanges_before) as f64
            / timed_requests.max(1) as f64,
        challenges: server.challenges_issued() - challenges_before,
    }
}

/// All rounds of one client in one configuration.
struct ThroughputSeries {
    kind: ClientKind,
    runs: Vec<ThroughputRun>,
}

impl ThroughputSeries {
    fn median_requests_per_second(&self) -> f64 {
        Summary::of(self.runs.iter().map(|run| run.requests_per_second)).median
    }

    fn failed(&self) -> usize {
        self.runs.iter().map(|run| run.outcomes.failed).sum()
    }

    fn requests(&self) -> usize {
        self.runs
            .iter()
            .map(|run| run.outcomes.succeeded + run.outcomes.failed)
            .sum()
    }

    fn first_failure(&self) -> Option<&str> {
        self.runs
            .iter()
            .find_map(|run| run.outcomes.first_failure.as_deref())
    }
}

/// `rounds` runs of each of the two kinds, alternating which goes first.
async fn compare_throughput(
    kinds: [ClientKind; 2],
    tasks: usize,
    duration: Duration,
    rounds: usize,
) -> [ThroughputSeries; 2] {
    let mut series = kinds.map(|kind| ThroughputSeries {
        kind,
        runs: Vec::with_capacity(rounds),
    });
    // One short discarded run of each first: the process's first runs pay one-time costs
    // (allocator growth, lazy statics) that would bias round 1.
    for kind in kinds {
        measure_throughput(kind, tasks, DISCARDED_WARM_UP.min(duration)).await;
    }
    for round in 0..rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for index in order {
            let kind = series[index].kind;
            let run = measure_throughput(kind, tasks, duration).await;
            eprintln!(
                "  round {}: {:<46} {:>8.0} req/s, {:.2} exchanges/request, {} failed",
                round + 1,
                kind.label(),
                run.requests_per_second,
                run.exchanges_per_request,
                run.outcomes.failed,
            );
            series[index].runs.push(run);
        }
    }
    series
}

/// One run of measurement 3.
struct ChallengeRun {
    challenges: usize,
    exchanges: usize,
    outcomes: Outcomes,
}

/// 200 creates over 16 tasks started together, from a new `kind` client on a fresh server.
async fn count_challenges(kind: ClientKind) -> ChallengeRun {
    let server = TestServer::start().await;
    let client = AnyClient::new(kind, &server);
    let group_ids = Arc::new(GroupIds::default());
    let start = Arc::new(Barrier::new(CHALLENGE_TASKS));
    let outcomes = join_all((0..CHALLENGE_TASKS).map(|task| {
        let client = client.clone();
        let group_ids = Arc::clone(&group_ids);
        let start = Arc::clone(&start);
        async move {
            start.wait().await;
            let mut outcomes = Outcomes::default();
            for _ in (task..CHALLENGE_REQUESTS).step_by(CHALLENGE_TASKS) {
                outcomes.record(client.create(group_ids.next()).await);
            }
            outcomes
        }
    }))
    .await;
    let mut total = Outcomes::default();
    for outcome in outcomes {
        total.merge(outcome);
    }
    assert_eq!(
        total.succeeded + total.failed,
        CHALLENGE_REQUESTS,
        "every request was made"
    );
    ChallengeRun {
        challenges: server.challenges_issued(),
        exchanges: server.request_count(),
        outcomes: total,
    }
}

/// Spawns every future on the runtime and waits for all of them, in order.
async fn join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        outputs.push(handle.await.expect("load task panicked"));
    }
    outputs
}

// ---------------------------------------------------------------------------------------------
// The rows
// ---------------------------------------------------------------------------------------------

/// The client's rows, and the failed requests counted while adding them.
#[derive(Default)]
struct ClientRows {
    report: Report,
    /// Failed requests of the generated client, over all measurements.
    generated_failed: usize,
    /// Failed requests of the hand-written clients, over all measurements.
    reference_failed: usize,
}

impl ClientRows {
    /// Counts the failures of `kind` and notes the first one.
    fn failures(&mut self, name: &str, kind: ClientKind, failed: usize, first: Option<&str>) {
        if kind.is_generated() {
            self.generated_failed += failed;
        } else {
            self.reference_failed += failed;
        }
        if let Some(failure) = first {
            self.report.notes.push(format!(
                "{name}, {}: first failure: {failure}",
                kind.label()
            ));
        }
    }

    /// Rows for two series (the first is the one with a target) and their ratio.
    fn throughput_comparison(
        &mut self,
        name: &str,
        candidate: &ThroughputSeries,
        reference: &ThroughputSeries,
        target_ratio: Option<f64>,
    ) {
        for series in [candidate, reference] {
            self.report.rows.push(Row::info(
                format!(
                    "{name}: {}, median of {} rounds",
                    series.kind.label(),
                    series.runs.len()
                ),
                Unit::PerSecond,
                Measured::of(series.median_requests_per_second()),
            ));
            let failed = series.failed();
            self.failures(name, series.kind, failed, series.first_failure());
            let rounds: Vec<String> = series
                .runs
                .iter()
                .map(|run| {
                    format!(
                        "{:.0} ({} challenges)",
                        run.requests_per_second, run.challenges
                    )
                })
                .collect();
            let exchanges = Summary::of(series.runs.iter().map(|run| run.exchanges_per_request));
            self.report.notes.push(format!(
                "{name}, {}: req/s per round (timed-phase 401 challenges): {}; exchanges per request {}; {failed} of {} requests failed",
                series.kind.label(),
                rounds.join(", "),
                exchanges.format(Unit::Ratio),
                series.requests(),
            ));
        }
        // Rounds run the two clients back to back, so a per-round ratio compares them under the
        // same background load; their median is the figure checked against the target.
        let mut round_ratios: Vec<f64> = candidate
            .runs
            .iter()
            .zip(&reference.runs)
            .map(|(a, b)| a.requests_per_second / b.requests_per_second)
            .collect();
        let rounds: Vec<String> = round_ratios
            .iter()
            .map(|ratio| format!("{ratio:.2}"))
            .collect();
        let ratio = Measured::of(median(&mut round_ratios));
        let ratio_name = format!(
            "{name}: {} / {}, median of per-round ratios",
            candidate.kind.short_label(),
            reference.kind.short_label()
        );
        self.report.notes.push(format!(
            "{name}: per-round ratios {}; ratio of medians {:.2}×",
            rounds.join(", "),
            candidate.median_requests_per_second() / reference.median_requests_per_second()
        ));
        self.report.rows.push(match target_ratio {
            Some(target) => Row::with_goal(ratio_name, Unit::Times, ratio, Goal::AtLeast(target)),
            None => Row::info(ratio_name, Unit::Times, ratio),
        });
    }

    /// Rows for the runs of measurement 3 of one client.
    fn challenges(&mut self, kind: ClientKind, runs: &[ChallengeRun]) {
        let measurement = format!("(3) {CHALLENGE_REQUESTS} creates over {CHALLENGE_TASKS} tasks");
        let name = format!("{measurement}, {}", kind.label());
        let challenges = Summary::of(runs.iter().map(|run| run.challenges as f64));
        let exchanges = Summary::of(runs.iter().map(|run| run.exchanges as f64));
        let failed = Summary::of(runs.iter().map(|run| run.outcomes.failed as f64));
        let challenges_name = format!(
            "{name}: 401 challenges, max of {} fresh servers",
            runs.len()
        );
        let max_challenges = Measured::of(challenges.max);
        self.report.rows.push(if kind.is_generated() {
            Row::with_goal(
                challenges_name,
                Unit::Count,
                max_challenges,
                Goal::AtMost(CHALLENGE_TARGET),
            )
        } else {
            Row::info(challenges_name, Unit::Count, max_challenges)
        });
        self.report.rows.push(Row::info(
            format!("{name}: HTTP exchanges, median of {}", runs.len()),
            Unit::Count,
            Measured::of(exchanges.median),
        ));
        self.report.notes.push(format!(
            "{name}: 401 challenges {}; HTTP exchanges {}; failed requests per run {}",
            challenges.format(Unit::Count),
            exchanges.format(Unit::Count),
            failed.format(Unit::Count),
        ));
        let total_failed = runs.iter().map(|run| run.outcomes.failed).sum();
        let first = runs
            .iter()
            .find_map(|run| run.outcomes.first_failure.as_deref());
        self.failures(&measurement, kind, total_failed, first);
    }

    /// The failed-request rows, after every measurement: none of the generated client's may
    /// fail; the hand-written clients' failures are shown, without a target.
    fn finish(&mut self) {
        self.report.rows.push(Row::with_goal(
            "failed requests of the generated client, all client measurements",
            Unit::Count,
            Measured::of(self.generated_failed as f64),
            Goal::AtMost(0.0),
        ));
        self.report.rows.push(Row::info(
            "failed requests of the hand-written clients, all client measurements",
            Unit::Count,
            Measured::of(self.reference_failed as f64),
        ));
    }
}
