//! The request pipeline: record → authenticate (Digest or bearer token) → faults → route →
//! envelope/pretty. The OAuth endpoints are served apart ([`crate::oauth`]).

use crate::digest::{self, DigestAuthorization, NonceStore, Verdict};
use crate::faults::{self, Fault};
use serde_json::Value;

use crate::error::ApiError;
use crate::json;
use crate::oauth::{self, AuthScheme, OAuth, OAuthRequest, Rejection};
use crate::recording::RecordedRequest;
use crate::state_connections::ConnectionStore;
use crate::state_endpoint_services::EndpointServiceStore;
use crate::{ServerConfig, V1_PATH, V2_MEDIA_TYPE, V2_PATH};
use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::Notify;

/// Request bodies larger than this are not read (answered with 413 once authenticated).
const MAX_BODY: usize = 4 * 1024 * 1024;

const JSON: &str = "application/json";

/// State shared by all requests of one server.
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    pub(crate) nonces: Mutex<NonceStore>,
    /// The v1.0 private endpoint connections.
    pub(crate) connections: Mutex<ConnectionStore>,
    /// The v2 private endpoint services.
    pub(crate) endpoint_services: Mutex<EndpointServiceStore>,
    /// Answers queued by `TestServer::serve_verbatim_once`.
    pub(crate) verbatim: Mutex<Vec<Verbatim>>,
    pub(crate) fault: Mutex<ActiveFault>,
    /// Authenticated requests served so far, for the `RateLimit-Remaining` header.
    pub(crate) served: AtomicUsize,
    pub(crate) requests: Mutex<Vec<RecordedRequest>>,
    pub(crate) challenges: AtomicUsize,
    /// Requests held by [`Fault::NoAnswer`] whose client went away.
    pub(crate) abandoned: AtomicUsize,
    /// Notified whenever a request is recorded or abandoned, for `TestServer::wait_for_*`.
    pub(crate) changed: Notify,
    /// Service Account tokens and the OAuth counters.
    pub(crate) oauth: OAuth,
}

impl Shared {
    pub(crate) fn new(config: ServerConfig) -> Shared {
        Shared {
            nonces: Mutex::new(NonceStore::new(config.nonce_max_age)),
            connections: Mutex::new(ConnectionStore::new(
                config.polls_until_ready,
                config.polls_per_interface_step,
            )),
            endpoint_services: Mutex::new(EndpointServiceStore::new(
                config.polls_until_ready,
                config.polls_per_interface_step,
            )),
            verbatim: Mutex::new(Vec::new()),
            fault: Mutex::new(ActiveFault::default()),
            served: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
            challenges: AtomicUsize::new(0),
            abandoned: AtomicUsize::new(0),
            changed: Notify::new(),
            oauth: OAuth::default(),
            config,
        }
    }

    /// Records a request and wakes the tasks waiting for one.
    fn record(&self, request: RecordedRequest) {
        lock(&self.requests).push(request);
        self.changed.notify_waiters();
    }

    /// Returns once `done` holds; it is checked again after each recorded or abandoned
    /// request.
    pub(crate) async fn wait_until(&self, done: impl Fn(&Shared) -> bool) {
        loop {
            let mut changed = std::pin::pin!(self.changed.notified());
            // Registered before checking, so a change in between is not missed.
            changed.as_mut().enable();
            if done(self) {
                return;
            }
            changed.await;
        }
    }
}

/// Held by a request that [`Fault::NoAnswer`] never answers: dropped (the request
/// abandoned) when hyper drops the handler because the client closed the connection.
struct Held<'a>(&'a Shared);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.abandoned.fetch_add(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

/// A canned answer for the next authenticated request to `target`.
pub(crate) struct Verbatim {
    /// A raw path, or a raw path with `?query` (then the query must match too).
    pub(crate) target: String,
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
}

/// The fault in force, and for how many more requests (`None`: until changed).
#[derive(Default)]
pub(crate) struct ActiveFault {
    pub(crate) fault: Option<Fault>,
    pub(crate) remaining: Option<usize>,
}

impl Shared {
    /// The fault to apply to a request it takes effect on, counting it against the budget.
    fn use_fault(&self) -> Option<Fault> {
        let mut active = lock(&self.fault);
        let fault = active.fault.clone();
        if let Some(remaining) = &mut active.remaining {
            *remaining = remaining.saturating_sub(1);
            if *remaining == 0 {
                *active = ActiveFault::default();
            }
        }
        fault
    }

    /// Takes the first canned answer queued for this request, if any.
    fn take_verbatim(&self, path: &str, target: &str) -> Option<Verbatim> {
        let mut queue = lock(&self.verbatim);
        let index = queue.iter().position(|v| {
            if v.target.contains('?') {
                v.target == target
            } else {
                v.target == path
            }
        })?;
        Some(queue.remove(index))
    }
}

/// Capacity reported in `RateLimit-Limit` (Atlas's Private Endpoint Services bucket).
pub(crate) const RATE_LIMIT_CAPACITY: usize = 4000;

/// Locks a mutex, ignoring poisoning (a panicking test must not take the server down).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The axum app: every request goes through [`handle`].
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

enum AuthOutcome {
    /// Digest credentials or a bearer token accepted.
    Accepted,
    /// `Authorization: Bearer` with a token that is not (or no longer) valid.
    BearerRejected(Rejection),
    Challenge {
        stale: bool,
    },
    GarbageChallenge,
    WithoutChallenge,
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let received_at = std::time::Instant::now();
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let (body, body_complete) = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => (bytes.to_vec(), true),
        Err(_) => (Vec::new(), false),
    };

    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let auth = authorization.and_then(AuthScheme::of);

    if oauth::is_oauth_path(&path) {
        let client_ok = oauth::client_authenticated(&parts.headers, &shared.config);
        shared.record(RecordedRequest {
            method: method.as_str().to_owned(),
            path: path.clone(),
            query,
            headers,
            body: body.clone(),
            received_at,
            authenticated: client_ok,
            auth,
        });
        let request = OAuthRequest {
            method: &method,
            headers: &parts.headers,
            body: &body,
            body_complete,
            client_ok,
        };
        return oauth::serve(&shared.oauth, &shared.config, &path, request);
    }

    let fault = lock(&shared.fault).fault.clone();
    let outcome = if fault == Some(Fault::UnauthorizedWithoutChallenge) {
        AuthOutcome::WithoutChallenge
    } else if auth == Some(AuthScheme::Bearer) {
        match shared
            .oauth
            .check(authorization.and_then(oauth::bearer_token))
        {
            Ok(()) => AuthOutcome::Accepted,
            Err(rejection) => AuthOutcome::BearerRejected(rejection),
        }
    } else {
        let verdict = authorization.and_then(DigestAuthorization::parse).map_or(
            Verdict::Rejected { stale: false },
            |auth| {
                lock(&shared.nonces).verify(
                    &auth,
                    method.as_str(),
                    &target,
                    &shared.config.public_key,
                    &shared.config.private_key,
                )
            },
        );
        match verdict {
            Verdict::Accepted => AuthOutcome::Accepted,
            Verdict::Rejected { .. } if fault == Some(Fault::GarbageChallenge) => {
                AuthOutcome::GarbageChallenge
            }
            Verdict::Rejected { stale } => AuthOutcome::Challenge { stale },
        }
    };

    shared.record(RecordedRequest {
        method: method.as_str().to_owned(),
        path: path.clone(),
        query: query.clone(),
        headers,
        body: body.clone(),
        received_at,
        authenticated: matches!(outcome, AuthOutcome::Accepted),
        auth,
    });

    match outcome {
        AuthOutcome::BearerRejected(rejection) => {
            shared
                .oauth
                .bearer_rejections
                .fetch_add(1, Ordering::SeqCst);
            oauth::bearer_rejected(rejection)
        }
        AuthOutcome::WithoutChallenge => {
            shared.use_fault();
            unauthorized(None)
        }
        AuthOutcome::GarbageChallenge => {
            shared.use_fault();
            unauthorized(Some(digest::GARBAGE_CHALLENGE.to_owned()))
        }
        AuthOutcome::Challenge { stale } => {
            let nonce = lock(&shared.nonces).issue();
            shared.challenges.fetch_add(1, Ordering::SeqCst);
            unauthorized(Some(digest::challenge_header(&nonce, stale)))
        }
        AuthOutcome::Accepted => {
            let family = Family::of(&path);
            let request = Served {
                method,
                path,
                query,
                body,
                body_complete,
                family,
            };
            let served = shared.served.fetch_add(1, Ordering::SeqCst) + 1;
            let pretty = query_flag(request.query.as_deref(), "pretty");
            let envelope = query_flag(request.query.as_deref(), "envelope");
            let media = match family {
                Family::V2 => crate::routes_endpoint_services::check_media_types(
                    &request.method,
                    &parts.headers,
                ),
                Family::V1 | Family::Other => Ok(()),
            };
            let mut response = if let Err(error) = media {
                // Before faults and canned answers: a 406/415 uses neither up.
                json_response(
                    error.status,
                    Some(&error.body()),
                    pretty,
                    envelope,
                    JSON,
                    Vec::new(),
                )
            } else if let Some(verbatim) = shared.take_verbatim(&request.path, &target) {
                let bytes = if verbatim.status == StatusCode::NO_CONTENT {
                    Vec::new()
                } else {
                    json::render(&verbatim.body, false)
                };
                respond(verbatim.status, V2_MEDIA_TYPE, bytes, Vec::new())
            } else {
                let fault = shared.use_fault();
                serve(&shared, fault, request, pretty, envelope).await
            };
            add_rate_limit_headers(&mut response, served);
            response
        }
    }
}

/// `RateLimit-Limit` and `RateLimit-Remaining`, as Atlas sends them (a 429 has none left).
fn add_rate_limit_headers(response: &mut Response, served: usize) {
    let remaining = if response.status() == StatusCode::TOO_MANY_REQUESTS {
        0
    } else {
        RATE_LIMIT_CAPACITY.saturating_sub(served)
    };
    let headers = response.headers_mut();
    headers.insert("ratelimit-limit", HeaderValue::from(RATE_LIMIT_CAPACITY));
    headers.insert("ratelimit-remaining", HeaderValue::from(remaining));
}

/// The 401 answer: Atlas body, optional `WWW-Authenticate`.
fn unauthorized(challenge: Option<String>) -> Response {
    let mut extra = Vec::new();
    if let Some(challenge) = challenge {
        extra.push((header::WWW_AUTHENTICATE, challenge));
    }
    respond(
        StatusCode::UNAUTHORIZED,
        JSON,
        faults::UNAUTHORIZED_BODY.as_bytes().to_vec(),
        extra,
    )
}

/// An authenticated request, ready to be served.
struct Served {
    method: Method,
    path: String,
    query: Option<String>,
    body: Vec<u8>,
    body_complete: bool,
    family: Family,
}

/// Whether query parameter `name` is `true` (case-insensitive).
fn query_flag(query: Option<&str>, name: &str) -> bool {
    query.is_some_and(|query| {
        form_urlencoded::parse(query.as_bytes())
            .any(|(key, value)| key == name && value.eq_ignore_ascii_case("true"))
    })
}

async fn serve(
    shared: &Shared,
    fault: Option<Fault>,
    request: Served,
    pretty: bool,
    envelope: bool,
) -> Response {
    let success_type = request.family.success_type();
    match &fault {
        Some(Fault::InternalError) => {
            let error = faults::internal_error();
            return json_response(
                error.status,
                Some(&error.body()),
                pretty,
                envelope,
                success_type,
                Vec::new(),
            );
        }
        Some(Fault::ServiceUnavailableHtml) => {
            return respond(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/html",
                faults::SERVICE_UNAVAILABLE_HTML.as_bytes().to_vec(),
                Vec::new(),
            );
        }
        Some(Fault::RateLimited { retry_after_secs }) => {
            return rate_limited(&request.path, *retry_after_secs, pretty, envelope);
        }
        Some(Fault::Delay(delay)) => tokio::time::sleep(*delay).await,
        Some(Fault::NoAnswer) => {
            let _held = Held(shared);
            return std::future::pending().await;
        }
        _ => {}
    }

    let (result, allow) = if request.body_complete {
        route(
            shared,
            request.family,
            &request.method,
            &request.path,
            &request.body,
        )
    } else {
        let error = ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "REQUEST_BODY_TOO_LARGE",
            format!("The request body could not be read or exceeds {MAX_BODY} bytes."),
            vec![],
        );
        (Err(error), None)
    };
    // `None`: a 204 without a body.
    let (status, mut body) = match result {
        Ok(Success::Body(body)) => (StatusCode::OK, Some(body)),
        Ok(Success::NoContent) => (StatusCode::NO_CONTENT, None),
        Err(error) => (error.status, Some(error.body())),
    };
    let mut extra = Vec::new();
    if let Some(allow) = allow {
        extra.push((header::ALLOW, allow.to_owned()));
    }

    match (&fault, &mut body) {
        (Some(Fault::UnknownStatus(value)), Some(body)) if status.is_success() => {
            faults::apply_unknown_status(body, value);
        }
        (Some(Fault::ExtraFields), Some(body)) => faults::apply_extra_fields(body),
        (Some(Fault::EmptyBody), _) => {
            return respond(StatusCode::OK, success_type, Vec::new(), Vec::new());
        }
        (Some(Fault::MalformedJson), _) => {
            let full = render(status, body.as_ref(), pretty, envelope).1;
            // Any strict prefix of a rendered object or array is invalid JSON.
            let cut = (full.len() / 2).max(1).min(full.len());
            return respond(
                StatusCode::OK,
                success_type,
                full[..cut].to_vec(),
                Vec::new(),
            );
        }
        (Some(Fault::CloseMidResponse), _) => {
            let content_type = content_type(status, success_type);
            let (status, full) = render(status, body.as_ref(), pretty, envelope);
            return close_mid_response(status, content_type, full);
        }
        _ => {}
    }
    json_response(status, body.as_ref(), pretty, envelope, success_type, extra)
}

/// Success answers carry the family's media type, errors `application/json`.
fn content_type(status: StatusCode, success_type: &'static str) -> &'static str {
    if status.is_success() {
        success_type
    } else {
        JSON
    }
}

fn rate_limited(path: &str, retry_after_secs: u64, pretty: bool, envelope: bool) -> Response {
    let error = faults::rate_limited(path);
    json_response(
        error.status,
        Some(&error.body()),
        pretty,
        envelope,
        JSON,
        vec![(header::RETRY_AFTER, retry_after_secs.to_string())],
    )
}

/// Applies `envelope` (HTTP 200, `{"status":…,"content":…}`; a 204's content is `{}`) and
/// `pretty`. `body` `None` is a 204 (no body unless enveloped).
fn render(
    status: StatusCode,
    body: Option<&Value>,
    pretty: bool,
    envelope: bool,
) -> (StatusCode, Vec<u8>) {
    if envelope {
        let content = body
            .cloned()
            .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
        let wrapped = json::object([
            ("status", json::int(u64::from(status.as_u16()))),
            ("content", content),
        ]);
        (StatusCode::OK, json::render(&wrapped, pretty))
    } else {
        (
            status,
            body.map_or_else(Vec::new, |b| json::render(b, pretty)),
        )
    }
}

/// A JSON answer: `Content-Type` from the real status (before enveloping).
fn json_response(
    status: StatusCode,
    body: Option<&Value>,
    pretty: bool,
    envelope: bool,
    success_type: &'static str,
    extra: Vec<(HeaderName, String)>,
) -> Response {
    let content_type = content_type(status, success_type);
    let (status, bytes) = render(status, body, pretty, envelope);
    respond(status, content_type, bytes, extra)
}

fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
    extra: Vec<(HeaderName, String)>,
) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    for (name, value) in extra {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// A body that yields its one chunk, waits briefly (so the chunk is flushed to the
/// socket), then fails — which makes hyper drop the connection mid-body.
struct TruncatedBody {
    chunk: Option<Bytes>,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl HttpBody for TruncatedBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        if let Some(chunk) = self.chunk.take() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(chunk))));
        }
        match self.pause.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "fault injected: connection closed mid-response",
            )))),
        }
    }
}

fn close_mid_response(status: StatusCode, content_type: &'static str, full: Vec<u8>) -> Response {
    let declared = full.len();
    let sent = (declared / 2).max(1).min(declared);
    let body = TruncatedBody {
        chunk: Some(Bytes::from(full[..sent].to_vec())),
        pause: Box::pin(tokio::time::sleep(Duration::from_millis(20))),
    };
    let mut response = Response::new(Body::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Declares the whole body (at least one byte more than is ever sent).
    headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(declared.max(sent + 1)),
    );
    response
}

/// Decodes `%XX` escapes; invalid escapes are kept as they are, and so are bytes that are
/// not UTF-8 once decoded (replaced, lossily).
pub(crate) fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// What a successful operation answers.
#[derive(Debug, PartialEq)]
pub(crate) enum Success {
    /// 200 with this body.
    Body(Value),
    /// 204, no body.
    NoContent,
}

/// A routed answer; the second value is the `Allow` header of a 405.
pub(crate) type Routed = (Result<Success, ApiError>, Option<&'static str>);

/// The API family a path belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// Under [`V1_PATH`]: `application/json` only.
    V1,
    /// Under [`V2_PATH`]: the versioned media type.
    V2,
    /// Anything else (404).
    Other,
}

impl Family {
    pub(crate) fn of(path: &str) -> Family {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under(V1_PATH) {
            Family::V1
        } else if under(V2_PATH) {
            Family::V2
        } else {
            Family::Other
        }
    }

    /// The `Content-Type` of its success answers.
    fn success_type(self) -> &'static str {
        match self {
            Family::V2 => V2_MEDIA_TYPE,
            Family::V1 | Family::Other => JSON,
        }
    }
}

/// The 405 answer.
pub(crate) fn method_not_allowed(method: &Method, path: &str, allow: &'static str) -> Routed {
    let error = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("Method {method} is not allowed on {path}."),
        vec![json::string(method.as_str()), json::string(path)],
    );
    (Err(error), Some(allow))
}

/// The percent-decoded segments after `prefix/`, one trailing slash tolerated (as in
/// `…/privateEndpoint/?pretty=true` of the Atlas docs); `None` when a segment is empty.
pub(crate) fn segments(path: &str, prefix: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix(prefix)?.strip_prefix('/')?;
    let mut segments: Vec<String> = rest.split('/').map(percent_decode).collect();
    if segments.len() > 1 && segments.last().is_some_and(String::is_empty) {
        segments.pop();
    }
    (!segments.iter().any(String::is_empty)).then_some(segments)
}

/// Routes an authenticated request.
fn route(shared: &Shared, family: Family, method: &Method, path: &str, body: &[u8]) -> Routed {
    match family {
        Family::V1 => crate::routes_connections::route(shared, method, path, body),
        Family::V2 => crate::routes_endpoint_services::route(shared, method, path, body),
        Family::Other => (Err(ApiError::no_such_path(path)), None),
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn query_flags() {
        assert!(query_flag(Some("pretty=true"), "pretty"));
        assert!(query_flag(Some("a=b&envelope=TRUE"), "envelope"));
        assert!(!query_flag(Some("pretty=false"), "pretty"));
        assert!(!query_flag(Some("pretty"), "pretty"));
        assert!(!query_flag(Some("prettyx=true"), "pretty"));
        assert!(!query_flag(None, "pretty"));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("vpce-1"), "vpce-1");
        assert_eq!(percent_decode("a%2Fb%2fc"), "a/b/c");
        assert_eq!(percent_decode("bad%zz%4"), "bad%zz%4");
        assert_eq!(percent_decode("%e2%82%ac"), "€");
    }
}
