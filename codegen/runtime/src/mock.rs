//! The part of the mock server that does not depend on the spec: the local HTTP server
//! (wiremock), authentication, matching a request against an operation's typed expectations,
//! answers, the report of what did not match, and the check when the server is dropped.
//!
//! A generated crate's `mock` module describes its operations ([`MockApi`]) and has one typed
//! builder per operation; each fills in a [`Pending`] mock (what a request must carry) and
//! mounts it with its answers through [`Mount`].

use std::fmt::Write as _;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::operation::{Operation, Segment};

/// Lifetime, in seconds, of the access tokens the mock hands out.
pub const OAUTH_TOKEN_LIFETIME_SECONDS: u64 = 3600;

/// The realm of the mock's HTTP Digest challenge.
pub const DIGEST_REALM: &str = "mock";

/// `errorCode` of the answer to a request no mock matched (HTTP 400, so that neither a retry
/// nor a waiter that takes 404 for success mistakes it for something else).
pub const NO_MATCH_ERROR_CODE: &str = "MOCK_NO_MATCH";

/// Priorities (lower wins): Service Account endpoints, then the Digest challenge to an
/// unauthenticated request, then the operations' mocks, then the report of a request no mock
/// matched.
const PRIORITY_OAUTH: u8 = 1;
const PRIORITY_CHALLENGE: u8 = 2;
const PRIORITY_OPERATION: u8 = 5;
const PRIORITY_NO_MATCH: u8 = u8::MAX;

/// A local HTTP server that answers the API's operations as its mocks say.
///
/// Point a real client at [`uri`](Self::uri): the server accepts any
/// well-formed HTTP Digest answer to its challenge, any `Authorization: Bearer` token, and
/// serves the OAuth 2.0 token and revocation endpoints when the API declares them (see the
/// module docs).
/// The generated crate's `MockServer` wraps it and adds one method per operation, returning a
/// typed mock builder.
///
/// A request no mock matches is answered with HTTP 400 and errorCode [`NO_MATCH_ERROR_CODE`],
/// whose `detail` names the operation and what differed; the same message fails the test when
/// the server is dropped, together with every mock whose expected number of requests was not
/// met.
pub struct MockServer {
    pub(crate) server: wiremock::MockServer,
    pub(crate) state: Arc<State>,
}

/// What the mock server knows of an API: its operations and OAuth 2.0 endpoints. Generated.
#[derive(Debug)]
pub struct MockApi {
    /// Every operation of the API.
    pub operations: &'static [&'static Operation],
    /// The token endpoints to serve, when the API accepts bearer tokens.
    pub oauth: Option<crate::OAuthEndpoints>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.server.uri())
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a server on a free local port, with the authentication and Service Account
    /// endpoints mounted and no operation mocked yet.
    pub async fn start(api: &'static MockApi) -> MockServer {
        let server = wiremock::MockServer::start().await;
        let state = Arc::new(State::default());
        if let Some(crate::OAuthEndpoints {
            token_path,
            revoke_path,
        }) = api.oauth
        {
            wiremock::Mock::given(wiremock::matchers::method("POST"))
                .and(wiremock::matchers::path(token_path))
                .respond_with(TokenEndpoint {
                    state: Arc::clone(&state),
                    issued: AtomicU64::new(0),
                })
                .with_priority(PRIORITY_OAUTH)
                .named("OAuth token")
                .mount(&server)
                .await;
            wiremock::Mock::given(wiremock::matchers::method("POST"))
                .and(wiremock::matchers::path(revoke_path))
                .respond_with(RevokeEndpoint {
                    state: Arc::clone(&state),
                })
                .with_priority(PRIORITY_OAUTH)
                .named("OAuth token revocation")
                .mount(&server)
                .await;
        }
        wiremock::Mock::given(Unauthenticated { api })
            .respond_with(Challenge {
                state: Arc::clone(&state),
                nonces: AtomicU64::new(0),
            })
            .with_priority(PRIORITY_CHALLENGE)
            .named("Digest challenge")
            .mount(&server)
            .await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(NoMatch {
                state: Arc::clone(&state),
                api,
            })
            .with_priority(PRIORITY_NO_MATCH)
            .named("no mock matched")
            .mount(&server)
            .await;
        MockServer { server, state }
    }

    /// The server's root URL (`http://127.0.0.1:PORT`): the client's base URL.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Same as [`uri`](Self::uri), named like
    /// [`ClientBuilder::base_url`](crate::ClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        self.server.uri()
    }

    /// Takes the messages of the requests no mock matched so far (and of authentication
    /// failures), so they no longer fail the test on drop. Use it to assert on them.
    pub fn take_failures(&self) -> Vec<String> {
        let mut inner = self.state.lock();
        let mut failures = std::mem::take(&mut inner.failures);
        failures.extend(
            std::mem::take(&mut inner.challenged)
                .into_iter()
                .map(|request| unauthenticated_message(&request)),
        );
        failures
    }

    /// Checks now what dropping the server checks: no request went unmatched or
    /// unauthenticated, and every mock got its expected number of requests.
    ///
    /// # Panics
    ///
    /// With the list of problems, if there is any: that is how it fails the test.
    pub fn verify(&self) {
        if let Some(report) = self.state.report() {
            panic!("{report}");
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        // A test that already fails keeps its own message (and a second panic would abort).
        if std::thread::panicking() {
            return;
        }
        if let Some(report) = self.state.report() {
            panic!("{report}");
        }
    }
}

/// What the server's handlers share: the mounted mocks and what went wrong.
#[derive(Default)]
pub(crate) struct State {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    mocks: Vec<Mounted>,
    /// Messages of requests no mock matched, and of malformed authentication.
    failures: Vec<String>,
    /// `METHOD path` of requests answered with a Digest challenge and not yet followed by a
    /// Digest-authenticated request to the same place.
    challenged: Vec<String>,
}

/// A mock as the report sees it.
struct Mounted {
    number: usize,
    operation: &'static Operation,
    expectation: Arc<Expectation>,
    hits: Arc<AtomicU64>,
    times: Times,
}

impl State {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fail(&self, message: String) {
        self.lock().failures.push(message);
    }

    /// Notes an authenticated request: it settles one earlier challenge to the same place.
    fn authenticated(&self, request: &wiremock::Request) {
        if !matches!(authorization(request), Auth::Digest) {
            return;
        }
        let target = request_line(request);
        let mut inner = self.lock();
        if let Some(index) = inner.challenged.iter().position(|seen| *seen == target) {
            inner.challenged.remove(index);
        }
    }

    /// Everything that should fail the test, or `None`.
    fn report(&self) -> Option<String> {
        let inner = self.lock();
        let mut problems: Vec<String> = inner.failures.clone();
        problems.extend(inner.challenged.iter().map(|r| unauthenticated_message(r)));
        for mock in &inner.mocks {
            let hits = mock.hits.load(Ordering::SeqCst);
            let unmet = match mock.times {
                Times::Exactly(expected) => {
                    (hits != expected).then(|| format!("expected {}", requests(expected)))
                }
                Times::AtLeastOnce => (hits == 0).then(|| "expected at least 1 request".to_owned()),
                Times::Any => None,
            };
            if let Some(unmet) = unmet {
                problems.push(format!(
                    "{} (`{}`): {unmet}, got {hits}",
                    mock.describe(),
                    mock.operation.client_method,
                ));
            }
        }
        if problems.is_empty() {
            return None;
        }
        let mut report = format!(
            "mock server: {} problem{}:",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
        for problem in problems {
            let _ = write!(report, "\n- {}", problem.replace('\n', "\n  "));
        }
        Some(report)
    }
}

impl Mounted {
    fn describe(&self) -> String {
        format!(
            "mock #{} of {}{}",
            self.number,
            self.operation.id,
            self.expectation.describe()
        )
    }
}

fn unauthenticated_message(request: &str) -> String {
    format!(
        "{request} came without an `Authorization` header and was not retried with HTTP Digest \
         after the challenge (configure the client with credentials)"
    )
}

fn requests(count: u64) -> String {
    format!("{count} request{}", if count == 1 { "" } else { "s" })
}

/// What a mock requires of a request, besides its operation's method, path and media type.
#[derive(Debug, Default)]
pub(crate) struct Expectation {
    /// `(wire name, Rust name, value)` of the path parameters it fixes.
    path: Vec<(&'static str, &'static str, String)>,
    /// `(wire name, Rust name, value)` of the query parameters it fixes.
    query: Vec<(&'static str, &'static str, String)>,
    /// The body, as JSON.
    body: Option<serde_json::Value>,
    /// A body that could not be turned into JSON.
    body_error: Option<String>,
}

impl Expectation {
    fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .path
            .iter()
            .chain(&self.query)
            .map(|(_, name, value)| format!("{name} = {value:?}"))
            .collect();
        if self.body.is_some() {
            parts.push("body".to_owned());
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    }
}

/// How many requests a mock expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Times {
    AtLeastOnce,
    Exactly(u64),
    Any,
}

/// What a typed mock builder collects: its operation and expectation. The generated builders
/// wrap it.
pub struct Pending<'a> {
    server: &'a MockServer,
    operation: &'static Operation,
    expectation: Expectation,
}

impl std::fmt::Debug for Pending<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("operation", &self.operation.id)
            .field("expectation", &self.expectation)
            .finish_non_exhaustive()
    }
}

impl<'a> Pending<'a> {
    /// A mock of `operation` on `server` that matches any request of it so far.
    pub fn new(server: &'a MockServer, operation: &'static Operation) -> Self {
        Pending {
            server,
            operation,
            expectation: Expectation::default(),
        }
    }

    /// Requires the path parameter `wire` to be `value`.
    pub fn path(&mut self, wire: &'static str, name: &'static str, value: String) {
        self.expectation.path.retain(|(seen, _, _)| *seen != wire);
        self.expectation.path.push((wire, name, value));
    }

    /// Requires the query parameter `wire` to be `value`.
    pub fn query(&mut self, wire: &'static str, name: &'static str, value: String) {
        self.expectation.query.retain(|(seen, _, _)| *seen != wire);
        self.expectation.query.push((wire, name, value));
    }

    /// Requires the body to equal `body` as JSON.
    pub fn body<T: serde::Serialize>(&mut self, body: &T) {
        match serde_json::to_value(body) {
            Ok(value) => self.expectation.body = Some(value),
            Err(error) => self.expectation.body_error = Some(error.to_string()),
        }
    }

    /// Answers matching requests with `reply` (by default at least one is expected).
    pub fn respond<T>(self, reply: Reply<T>) -> Mount<'a> {
        self.mount(vec![reply.answer], false)
    }

    /// Answers matching requests with `replies`, one each, in order.
    pub fn respond_sequence<T, R, I>(self, replies: I) -> Mount<'a>
    where
        I: IntoIterator<Item = R>,
        R: Into<Reply<T>>,
    {
        let answers = replies
            .into_iter()
            .map(|reply| reply.into().answer)
            .collect();
        self.mount(answers, true)
    }

    fn mount(self, answers: Vec<Answer>, sequence: bool) -> Mount<'a> {
        let times = if sequence {
            Times::Exactly(answers.len() as u64)
        } else {
            Times::AtLeastOnce
        };
        Mount {
            pending: self,
            answers,
            times,
        }
    }
}

/// A mock ready to mount: set how many requests it expects, then `.await` it.
///
/// By default a mock answers any number of matching requests and expects at least one; a
/// sequence (`respond_sequence`) expects exactly one request per answer.
/// Mocks of the same operation are tried in the order they were mounted, so two mocks with
/// `.times(1)` answer the first and the second request.
#[must_use = "a mock does nothing until it is awaited"]
pub struct Mount<'a> {
    pending: Pending<'a>,
    answers: Vec<Answer>,
    times: Times,
}

impl std::fmt::Debug for Mount<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mount")
            .field("operation", &self.pending.operation.id)
            .field("times", &self.times)
            .finish_non_exhaustive()
    }
}

impl<'a> Mount<'a> {
    /// Expects exactly `count` matching requests and answers no more: a further request falls
    /// through to the mocks mounted after this one (or fails the test). For a sequence, the
    /// last answer is repeated for requests past its end, up to `count`.
    pub fn times(mut self, count: u64) -> Self {
        self.times = Times::Exactly(count);
        self
    }

    /// Answers any number of matching requests, none included (the last answer of a sequence
    /// repeats).
    pub fn any_times(mut self) -> Self {
        self.times = Times::Any;
        self
    }

    async fn mount(self) -> Mocked {
        let Mount {
            pending,
            answers,
            times,
        } = self;
        let Pending {
            server,
            operation,
            expectation,
        } = pending;
        let expectation = Arc::new(expectation);
        let hits = Arc::new(AtomicU64::new(0));
        let number = {
            let mut inner = server.state.lock();
            let number = inner.mocks.len() + 1;
            inner.mocks.push(Mounted {
                number,
                operation,
                expectation: Arc::clone(&expectation),
                hits: Arc::clone(&hits),
                times,
            });
            number
        };
        if let Some(error) = &expectation.body_error {
            server.state.fail(format!(
                "mock #{number} of {}: its body cannot be serialized as JSON: {error}",
                operation.id
            ));
        }
        let mocked = Mocked {
            hits: Arc::clone(&hits),
        };
        if answers.is_empty() {
            server.state.fail(format!(
                "mock #{number} of {}: `respond_sequence` needs at least one answer",
                operation.id
            ));
            return mocked;
        }
        let limit = match times {
            Times::Exactly(0) => return mocked,
            Times::Exactly(count) => Some(count),
            Times::AtLeastOnce | Times::Any => None,
        };
        let mock = wiremock::Mock::given(Matcher {
            operation,
            expectation,
        })
        .respond_with(Answerer {
            operation,
            answers,
            hits,
            state: Arc::clone(&server.state),
        })
        .with_priority(PRIORITY_OPERATION)
        .named(format!("mock #{number} of {}", operation.id));
        let mock = match limit {
            Some(count) => mock.up_to_n_times(count),
            None => mock,
        };
        server.server.register(mock).await;
        mocked
    }
}

impl<'a> IntoFuture for Mount<'a> {
    type Output = Mocked;
    type IntoFuture = Pin<Box<dyn Future<Output = Mocked> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.mount())
    }
}

/// A mounted mock: how many requests it has answered so far.
#[derive(Debug, Clone)]
pub struct Mocked {
    hits: Arc<AtomicU64>,
}

impl Mocked {
    /// The number of requests this mock has answered.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

/// One answer of a mock to an operation whose success type is `T`: the typed success value, an
/// API error, or any status and JSON body.
///
/// A `T` converts into it, so sequences can mix values and errors:
/// `[Reply::from(pending), Reply::error(503, "SERVICE_UNAVAILABLE", "try later"), ready.into()]`.
pub struct Reply<T> {
    answer: Answer,
    _type: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Reply<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.answer.status)
            .field("body", &self.answer.body)
            .finish_non_exhaustive()
    }
}

impl<T: serde::Serialize> Reply<T> {
    /// The operation's documented success status with `value` as its JSON body (an operation
    /// without a response body sends none). A union value serializes with its discriminator.
    pub fn ok(value: T) -> Self {
        let body = serde_json::to_value(&value).map_err(|error| error.to_string());
        Reply::new(None, Some(body))
    }
}

impl<T> Reply<T> {
    fn new(status: Option<u16>, body: Option<Result<serde_json::Value, String>>) -> Self {
        Reply {
            answer: Answer {
                status,
                body,
                headers: Vec::new(),
            },
            _type: PhantomData,
        }
    }

    /// An API error: `status` with the JSON error body the API sends
    /// (`{"error", "errorCode", "detail", "reason"}`), which the client returns as
    /// [`Error::Api`](crate::Error::Api).
    pub fn error(status: u16, error_code: impl Into<String>, detail: impl Into<String>) -> Self {
        Reply::new(
            Some(status),
            Some(Ok(error_body(status, &error_code.into(), &detail.into()))),
        )
    }

    /// Any status with any JSON body, for answers the types cannot express (a body the crate
    /// cannot decode, an object of a variant it does not know, ...).
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply::new(Some(status), Some(Ok(body)))
    }

    /// Any status without a body.
    pub fn status(status: u16) -> Self {
        Reply::new(Some(status), None)
    }

    /// Adds a response header, e.g. `Retry-After`.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.answer.headers.push((name.into(), value.into()));
        self
    }
}

impl<T: serde::Serialize> From<T> for Reply<T> {
    fn from(value: T) -> Self {
        Reply::ok(value)
    }
}

/// A [`Reply`] without its type.
#[derive(Debug, Clone)]
struct Answer {
    /// `None`: the operation's success status.
    status: Option<u16>,
    body: Option<Result<serde_json::Value, String>>,
    headers: Vec<(String, String)>,
}

/// The JSON error body the API answers with.
fn error_body(status: u16, error_code: &str, detail: &str) -> serde_json::Value {
    serde_json::json!({
        "error": status,
        "errorCode": error_code,
        "detail": detail,
        "reason": reason(status),
        "parameters": [],
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

fn json_response(status: u16, body: &serde_json::Value) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/json")
}

/// Answers one operation's matching requests.
struct Answerer {
    operation: &'static Operation,
    answers: Vec<Answer>,
    hits: Arc<AtomicU64>,
    state: Arc<State>,
}

impl wiremock::Respond for Answerer {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        self.state.authenticated(request);
        let index = usize::try_from(self.hits.fetch_add(1, Ordering::SeqCst)).unwrap_or(usize::MAX);
        let Some(answer) = self.answers.get(index).or(self.answers.last()) else {
            return json_response(500, &error_body(500, "MOCK_ERROR", "no answer"));
        };
        let status = answer.status.unwrap_or(self.operation.status);
        let body = match &answer.body {
            _ if answer.status.is_none() && self.operation.empty => None,
            Some(Ok(body)) => Some(body.clone()),
            Some(Err(error)) => {
                let message = format!(
                    "a reply of {} cannot be serialized as JSON: {error}",
                    self.operation.id
                );
                self.state.fail(message.clone());
                return json_response(500, &error_body(500, "MOCK_ERROR", &message));
            }
            None => None,
        };
        let enveloped = self.operation.envelope.is_some_and(|name| {
            request
                .url
                .query_pairs()
                .any(|(key, value)| key == name && value == "true")
        });
        let mut response = if enveloped {
            let content = body.unwrap_or_else(|| serde_json::json!({}));
            json_response(
                200,
                &serde_json::json!({ "status": status, "content": content }),
            )
        } else {
            match body {
                Some(body) => wiremock::ResponseTemplate::new(status).set_body_raw(
                    body.to_string(),
                    if (200..300).contains(&status) {
                        self.operation.media_type
                    } else {
                        "application/json"
                    },
                ),
                None => wiremock::ResponseTemplate::new(status),
            }
        };
        for (name, value) in &answer.headers {
            response = response.insert_header(name.as_str(), value.as_str());
        }
        response
    }
}

/// Matches the requests of one mock.
struct Matcher {
    operation: &'static Operation,
    expectation: Arc<Expectation>,
}

impl wiremock::Match for Matcher {
    fn matches(&self, request: &wiremock::Request) -> bool {
        differences(self.operation, &self.expectation, request)
            .is_some_and(|differences| differences.is_empty())
    }
}

/// What differs between `request` and a mock of `operation`, or `None` when the request is
/// not one of `operation` at all (another method or path).
fn differences(
    operation: &Operation,
    expectation: &Expectation,
    request: &wiremock::Request,
) -> Option<Vec<String>> {
    if request.method.as_str() != operation.method.as_str() {
        return None;
    }
    let params = match_path(operation, request.url.path())?;
    let mut differences = Vec::new();
    for (wire, name, expected) in &expectation.path {
        let actual = params
            .iter()
            .find(|(seen, _)| seen == wire)
            .map(|(_, value)| value.as_str());
        if actual != Some(expected.as_str()) {
            differences.push(format!(
                "path parameter `{name}` (`{wire}`): expected {expected:?}, got {:?}",
                actual.unwrap_or_default()
            ));
        }
    }
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    for (wire, name, expected) in &expectation.query {
        let actual: Vec<&str> = query
            .iter()
            .filter(|(key, _)| key == wire)
            .map(|(_, value)| value.as_str())
            .collect();
        if actual != [expected.as_str()] {
            differences.push(if actual.is_empty() {
                format!("query parameter `{name}` (`{wire}`): expected {expected:?}, not sent")
            } else {
                format!(
                    "query parameter `{name}` (`{wire}`): expected {expected:?}, got {}",
                    actual.join(", ")
                )
            });
        }
    }
    media_type_differences(operation, request, &mut differences);
    if let Some(expected) = &expectation.body {
        match serde_json::from_slice::<serde_json::Value>(&request.body) {
            Ok(actual) => {
                let mut lines = Vec::new();
                json_diff("", expected, &actual, &mut lines);
                if !lines.is_empty() {
                    const SHOWN: usize = 20;
                    let more = lines.len().saturating_sub(SHOWN);
                    lines.truncate(SHOWN);
                    if more > 0 {
                        lines.push(format!("… and {more} more"));
                    }
                    differences.push(format!("body differs:\n  {}", lines.join("\n  ")));
                }
            }
            Err(error) => differences.push(format!(
                "body: expected JSON, got {:?} ({error})",
                String::from_utf8_lossy(&request.body)
            )),
        }
    }
    Some(differences)
}

fn media_type_differences(
    operation: &Operation,
    request: &wiremock::Request,
    differences: &mut Vec<String>,
) {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
    };
    let essence = |value: &str| {
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    };
    let mut check = |name: &str, wanted: bool| {
        let actual = header(name);
        let ok = match &actual {
            Some(actual) => !wanted || essence(actual) == operation.media_type,
            None => !wanted,
        };
        if !ok {
            differences.push(format!(
                "`{name}`: expected `{}`, got {}",
                operation.media_type,
                actual.map_or_else(|| "none".to_owned(), |actual| format!("`{actual}`"))
            ));
        }
    };
    check("accept", true);
    if operation.has_body {
        check("content-type", true);
    }
}

/// The percent-decoded path parameters of `path`, if it fits the template.
fn match_path(operation: &Operation, path: &str) -> Option<Vec<(&'static str, String)>> {
    let mut rest = path;
    let mut params = Vec::new();
    for segment in operation.segments() {
        match segment {
            Segment::Literal(text) => rest = rest.strip_prefix(text)?,
            Segment::Param(wire) => {
                let end = rest.find('/').unwrap_or(rest.len());
                let (value, tail) = rest.split_at(end);
                if value.is_empty() {
                    return None;
                }
                let decoded = percent_encoding::percent_decode_str(value)
                    .decode_utf8_lossy()
                    .into_owned();
                params.push((wire, decoded));
                rest = tail;
            }
        }
    }
    rest.is_empty().then_some(params)
}

/// Lines naming each place where `actual` differs from `expected` (JSON pointers).
fn json_diff(
    at: &str,
    expected: &serde_json::Value,
    actual: &serde_json::Value,
    lines: &mut Vec<String>,
) {
    use serde_json::Value;
    let place = if at.is_empty() { "/" } else { at };
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (key, value) in expected {
                let child = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match actual.get(key) {
                    Some(actual) => json_diff(&child, value, actual, lines),
                    None => lines.push(format!("{child}: expected {value}, missing")),
                }
            }
            for (key, value) in actual {
                if !expected.contains_key(key) {
                    let child = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                    lines.push(format!("{child}: not expected, got {value}"));
                }
            }
        }
        (Value::Array(expected_items), Value::Array(actual_items))
            if expected_items.len() == actual_items.len() =>
        {
            for (index, (expected, actual)) in expected_items.iter().zip(actual_items).enumerate() {
                json_diff(&format!("{at}/{index}"), expected, actual, lines);
            }
        }
        (expected, actual) if expected != actual => {
            lines.push(format!("{place}: expected {expected}, got {actual}"));
        }
        _ => {}
    }
}

/// How a request authenticates.
enum Auth {
    Missing,
    Digest,
    Bearer,
    /// Present but not a well-formed Digest answer or bearer token: why.
    Malformed(String),
}

fn authorization(request: &wiremock::Request) -> Auth {
    let Some(value) = request.headers.get("authorization") else {
        return Auth::Missing;
    };
    let value = String::from_utf8_lossy(value.as_bytes());
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("bearer") {
        return if rest.trim().is_empty() {
            Auth::Malformed("`Authorization: Bearer` without a token".to_owned())
        } else {
            Auth::Bearer
        };
    }
    if !scheme.eq_ignore_ascii_case("digest") {
        return Auth::Malformed(format!(
            "`Authorization` uses the `{scheme}` scheme; the API takes HTTP Digest or a bearer token"
        ));
    }
    let missing: Vec<&str> = ["username", "realm", "nonce", "uri", "response"]
        .into_iter()
        .filter(|name| !digest_has(rest, name))
        .collect();
    if missing.is_empty() {
        Auth::Digest
    } else {
        Auth::Malformed(format!(
            "the Digest `Authorization` header lacks {}",
            missing.join(", ")
        ))
    }
}

/// Whether a Digest header's parameters include `name=...`.
fn digest_has(parameters: &str, name: &str) -> bool {
    parameters.split(',').any(|part| {
        part.trim().split_once('=').is_some_and(|(key, value)| {
            key.trim().eq_ignore_ascii_case(name) && !value.trim().is_empty()
        })
    })
}

fn request_line(request: &wiremock::Request) -> String {
    match request.url.query() {
        Some(query) => format!("{} {}?{query}", request.method, request.url.path()),
        None => format!("{} {}", request.method, request.url.path()),
    }
}

fn is_oauth_path(api: &MockApi, path: &str) -> bool {
    api.oauth
        .is_some_and(|oauth| path == oauth.token_path || path == oauth.revoke_path)
}

/// Requests to the API without a well-formed `Authorization`.
struct Unauthenticated {
    api: &'static MockApi,
}

impl wiremock::Match for Unauthenticated {
    fn matches(&self, request: &wiremock::Request) -> bool {
        !is_oauth_path(self.api, request.url.path())
            && matches!(authorization(request), Auth::Missing | Auth::Malformed(_))
    }
}

/// Answers an unauthenticated request with a Digest challenge.
struct Challenge {
    state: Arc<State>,
    nonces: AtomicU64,
}

impl wiremock::Respond for Challenge {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let detail = match authorization(request) {
            Auth::Malformed(why) => {
                let message = format!("{}: {why}", request_line(request));
                self.state.fail(message.clone());
                message
            }
            _ => {
                self.state.lock().challenged.push(request_line(request));
                "the mock server needs HTTP Digest or a bearer token".to_owned()
            }
        };
        let nonce = self.nonces.fetch_add(1, Ordering::SeqCst);
        let challenge = format!(
            "Digest realm=\"{DIGEST_REALM}\", domain=\"\", nonce=\"mock-nonce-{nonce}\", algorithm=MD5, qop=\"auth\", stale=false"
        );
        json_response(401, &error_body(401, "UNAUTHORIZED", &detail))
            .insert_header("WWW-Authenticate", challenge.as_str())
    }
}

/// The Service Account token endpoint.
struct TokenEndpoint {
    state: Arc<State>,
    issued: AtomicU64,
}

impl wiremock::Respond for TokenEndpoint {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let basic = request
            .headers
            .get("authorization")
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .is_some_and(|value| {
                value.split_once(' ').is_some_and(|(scheme, credentials)| {
                    scheme.eq_ignore_ascii_case("basic") && !credentials.trim().is_empty()
                })
            });
        let grant = form_value(&request.body, "grant_type");
        let problem = if !basic {
            Some((
                401,
                "the token request needs `Authorization: Basic` with the client id and secret",
            ))
        } else if grant.as_deref() != Some("client_credentials") {
            Some((
                400,
                "the token request needs the form field `grant_type=client_credentials`",
            ))
        } else {
            None
        };
        if let Some((status, detail)) = problem {
            self.state
                .fail(format!("POST {}: {detail}", request.url.path()));
            return json_response(
                status,
                &error_body(status, "MOCK_BAD_TOKEN_REQUEST", detail),
            );
        }
        let number = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        json_response(
            200,
            &serde_json::json!({
                "access_token": format!("mock-access-token-{number}"),
                "expires_in": OAUTH_TOKEN_LIFETIME_SECONDS,
                "token_type": "Bearer",
            }),
        )
    }
}

/// The Service Account token revocation endpoint.
struct RevokeEndpoint {
    state: Arc<State>,
}

impl wiremock::Respond for RevokeEndpoint {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        if form_value(&request.body, "token").is_none_or(|token| token.is_empty()) {
            let detail = "the revocation request needs the form field `token`";
            self.state
                .fail(format!("POST {}: {detail}", request.url.path()));
            return json_response(400, &error_body(400, "MOCK_BAD_TOKEN_REQUEST", detail));
        }
        wiremock::ResponseTemplate::new(200)
    }
}

/// The value of `name` in an `application/x-www-form-urlencoded` body.
fn form_value(body: &[u8], name: &str) -> Option<String> {
    let body = String::from_utf8_lossy(body);
    body.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(&text.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        (decode(key) == name).then(|| decode(value))
    })
}

/// Reports a request no mock matched, and answers it with the report.
struct NoMatch {
    state: Arc<State>,
    api: &'static MockApi,
}

impl wiremock::Respond for NoMatch {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        self.state.authenticated(request);
        let message = self.diagnose(request);
        self.state.fail(message.clone());
        json_response(400, &error_body(400, NO_MATCH_ERROR_CODE, &message))
    }
}

impl NoMatch {
    fn diagnose(&self, request: &wiremock::Request) -> String {
        let mut message = format!("no mock matched {}", request_line(request));
        let operations: Vec<&'static Operation> = self
            .api
            .operations
            .iter()
            .copied()
            .filter(|operation| {
                operation.method.as_str() == request.method.as_str()
                    && match_path(operation, request.url.path()).is_some()
            })
            .collect();
        if operations.is_empty() {
            message.push_str(": it is no operation of the API");
            let same_path: Vec<&str> = self
                .api
                .operations
                .iter()
                .filter(|operation| match_path(operation, request.url.path()).is_some())
                .map(|operation| operation.method.as_str())
                .collect();
            if !same_path.is_empty() {
                let _ = write!(message, " (this path takes {})", same_path.join(", "));
            }
            return message;
        }
        let inner = self.state.lock();
        for operation in operations {
            let _ = write!(
                message,
                "\noperation {} (`Client::{}`, `{} {}`)",
                operation.id, operation.client_method, operation.method, operation.path_template
            );
            let mocks: Vec<&Mounted> = inner
                .mocks
                .iter()
                // By id: the generated crate names each operation in a `const`, which has no one address.
                .filter(|mock| mock.operation.id == operation.id)
                .collect();
            if mocks.is_empty() {
                message.push_str(": no mock is mounted for it");
                let mut media = Vec::new();
                media_type_differences(operation, request, &mut media);
                for difference in media {
                    let _ = write!(message, "\n  {difference}");
                }
                continue;
            }
            for mock in mocks {
                let differences =
                    differences(operation, &mock.expectation, request).unwrap_or_default();
                let _ = write!(message, "\n  {}:", mock.describe());
                if differences.is_empty() {
                    let hits = mock.hits.load(Ordering::SeqCst);
                    match mock.times {
                        Times::Exactly(0) => message.push_str(" matches, but expects no request"),
                        _ => {
                            let _ = write!(
                                message,
                                " matches, but already answered its {}",
                                requests(hits)
                            );
                        }
                    }
                }
                for difference in differences {
                    let _ = write!(message, "\n    {}", difference.replace('\n', "\n    "));
                }
            }
        }
        message
    }
}
