//! Sending requests with the client's credentials, and decoding responses.
//!
//! A generated request builder collects a [`Call`]; sending it runs the request in the
//! operation's tracing span, `Client::execute` sends it (retrying as the policy allows), and
//! the answer is decoded into the operation's result or a typed [`Error`].

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};

use tracing::Instrument;

use crate::client::{Client, ClientInner};
use crate::error::{ApiError, DecodeError, Error};
use crate::operation::Operation;
use crate::pattern::Pattern;
use crate::response::{ResponseFuture, ResponseValue};
use crate::retry::{self, RetryPolicy};

/// Everything but the unreserved characters of RFC 3986 is escaped in a path segment, so a
/// value can never add a segment, a query or a fragment.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A request ready to send: its operation, encoded path, query pairs and JSON body.
#[derive(Debug)]
pub struct ApiRequest {
    /// The operation: its method and media type.
    pub operation: &'static Operation,
    /// Path below the base URL (version prefix included), starting with `/`, already
    /// percent-encoded.
    pub path: String,
    /// Query pairs, not yet encoded.
    pub query: Vec<(&'static str, String)>,
    /// The JSON body, if any.
    pub body: Option<Vec<u8>>,
    /// How to read the answer.
    pub answer: AnswerShape,
}

/// What the decoder needs to know about an answer besides its bytes.
#[derive(Debug, Clone)]
pub struct AnswerShape {
    /// Whether the answer comes wrapped in the `{"status", "content"}` envelope.
    pub envelope: bool,
    /// For a union answer: the discriminator member and the value the request implies (its
    /// path parameter or body field), written into objects that lack the member.
    pub discriminator: Option<(&'static str, String)>,
}

/// Settings of one request that override the client's.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// The request builder's `timeout`, overriding the client's.
    pub timeout: Option<Duration>,
}

/// The status, headers and whole body of an answer, and how many attempts it took.
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Vec<u8>,
    /// How many attempts the call took.
    pub attempts: u32,
}

/// Turns an answer into an operation's value and the status it carried (the envelope's, if
/// any).
type Decoder<T> = fn(&RawResponse, &AnswerShape) -> Result<(T, u16), Error>;

/// Checks one path parameter and percent-encodes it as a single path segment.
pub fn path_segment(
    name: &'static str,
    value: &str,
    pattern: Option<&Pattern>,
) -> Result<String, ArgumentError> {
    if value.is_empty() {
        return Err(ArgumentError::new(name, "must not be empty"));
    }
    // URL parsers resolve `.` and `..` segments even when the dots are escaped.
    if value == "." || value == ".." {
        return Err(ArgumentError::new(
            name,
            format!("`{value}` is not allowed as a path segment"),
        ));
    }
    if let Some(pattern) = pattern {
        pattern.check(name, value)?;
    }
    Ok(utf8_percent_encode(value, PATH_SEGMENT).to_string())
}

/// Checks that a union body is the variant its path parameter `name` names (a body whose
/// discriminator the crate does not know is left to the server).
pub fn check_body_variant<E: PartialEq + AsRef<str>>(
    body: Option<E>,
    path: &E,
    name: &'static str,
) -> Result<(), ArgumentError> {
    match body {
        Some(body) if body != *path => Err(ArgumentError::new(
            "body",
            format!(
                "is for `{}` but `{name}` is `{}`; they must name the same variant",
                body.as_ref(),
                path.as_ref()
            ),
        )),
        _ => Ok(()),
    }
}

/// An argument refused before anything is sent; it becomes [`Error::InvalidArgument`] when
/// the request is sent. (A request builder keeps it until then, and can be cloned with it.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid argument `{name}`: {message}")]
pub struct ArgumentError {
    name: &'static str,
    message: String,
}

impl ArgumentError {
    /// `name` (as the Rust API names the argument) is refused because of `message`.
    pub fn new(name: &'static str, message: impl Into<String>) -> Self {
        ArgumentError {
            name,
            message: message.into(),
        }
    }
}

impl From<ArgumentError> for Error {
    fn from(error: ArgumentError) -> Self {
        Error::invalid_argument(error.name, error.message)
    }
}

/// What an operation's request builder has collected: the operation, its checked and encoded
/// path, its query, its JSON body and how to read the answer. Generated request builders wrap
/// one, and their generic methods send it; a refused argument is kept and returned when the
/// request is sent, before anything goes out.
#[derive(Clone)]
pub struct Call {
    client: Client,
    operation: &'static Operation,
    path: Result<String, ArgumentError>,
    query: Vec<(&'static str, String)>,
    body: Option<Result<Vec<u8>, ArgumentError>>,
    /// The first argument refused besides the path (a body of the wrong variant).
    refused: Option<ArgumentError>,
    answer: AnswerShape,
    options: RequestOptions,
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body's bytes are left out: they say no more than the typed value did.
        f.debug_struct("Call")
            .field("operation", &self.operation.id)
            .field("path", &self.path)
            .field("query", &self.query)
            .field(
                "body_len",
                &self.body.as_ref().map(|body| body.as_ref().map(Vec::len)),
            )
            .field("refused", &self.refused)
            .field("timeout", &self.options.timeout)
            .finish_non_exhaustive()
    }
}

impl Call {
    /// A request to `operation` from `client`, with its path parameters (checked and
    /// encoded, in the order of the template's placeholders; the first refused one is kept).
    pub fn new(
        client: Client,
        operation: &'static Operation,
        path: &[Result<String, ArgumentError>],
    ) -> Self {
        let path = path
            .iter()
            .map(|segment| segment.as_deref())
            .collect::<Result<Vec<&str>, _>>()
            .map(|values| operation.path_with(&values))
            .map_err(Clone::clone);
        Call {
            client,
            operation,
            path,
            query: Vec::new(),
            body: None,
            refused: None,
            answer: AnswerShape {
                envelope: false,
                discriminator: None,
            },
            options: RequestOptions::default(),
        }
    }

    /// Sets the query parameter `name` (replacing an earlier value).
    pub fn query(&mut self, name: &'static str, value: impl ToString) {
        let value = value.to_string();
        match self.query.iter_mut().find(|(key, _)| *key == name) {
            Some(pair) => pair.1 = value,
            None => self.query.push((name, value)),
        }
    }

    /// Sets the query parameter `name` that asks for the `{"status", "content"}` envelope,
    /// and unwraps the answer accordingly.
    pub fn envelope(&mut self, name: &'static str, value: bool) {
        self.query(name, value);
        self.answer.envelope = value;
    }

    /// Sets the JSON body.
    pub fn body<T: serde::Serialize>(&mut self, body: &T) {
        self.body = Some(serde_json::to_vec(body).map_err(|error| {
            ArgumentError::new("body", format!("cannot be serialized as JSON: {error}"))
        }));
    }

    /// For a union answer: `member` is the discriminator, and `implied` the value this
    /// request implies, written into answered objects that lack the member.
    pub fn discriminator(&mut self, member: &'static str, implied: &str) {
        self.answer.discriminator = Some((member, implied.to_owned()));
    }

    /// Keeps `check`'s refusal (the first one), to be returned when the request is sent.
    pub fn check(&mut self, check: Result<(), ArgumentError>) {
        if let Err(error) = check {
            self.refused.get_or_insert(error);
        }
    }

    /// Overrides the client's timeout for this request.
    pub fn timeout(&mut self, timeout: Duration) {
        self.options.timeout = Some(timeout);
    }

    /// Sends the request and decodes the answer into `T`.
    pub fn send<T>(self) -> ResponseFuture<T>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        let decode = decoder::<T>(self.operation);
        Box::pin(ValueOnly(Decoding {
            exchange: self.exchange(),
            decode,
        }))
    }

    /// [`send`](Self::send), keeping the status and headers of the answer.
    pub fn send_with_metadata<T>(self) -> ResponseFuture<ResponseValue<T>>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        let decode = decoder::<T>(self.operation);
        Box::pin(Decoding {
            exchange: self.exchange(),
            decode,
        })
    }

    /// Sends the request inside the operation's tracing span, retrying as the client's
    /// policy allows.
    ///
    /// The exchange does not depend on the result type: the async machinery is compiled once,
    /// and each result type only adds the small `Decoding` future. That keeps a crate with
    /// many operations quick to build.
    fn exchange(self) -> Exchange {
        let operation = self.operation;
        let span = tracing::info_span!(
            "operation",
            operation = operation.id,
            method = operation.method.as_str(),
            path_template = operation.path_template,
            path = self.path.as_deref().unwrap_or_default(),
        );
        let call = async move {
            let (client, request, options) = self.into_request()?;
            let response = client.execute(&request, &options).await?;
            Ok((response, request.answer))
        };
        Box::pin(call.instrument(span))
    }

    /// The request to send (taken apart, nothing copied), or the first argument refused.
    fn into_request(self) -> Result<(Client, ApiRequest, RequestOptions), Error> {
        let path = self.path?;
        if let Some(refused) = self.refused {
            return Err(refused.into());
        }
        let body = self.body.transpose()?;
        let mut query = self.query;
        let declared = self.operation.query;
        query.sort_by_key(|(name, _)| declared.iter().position(|known| known == name));
        let request = ApiRequest {
            operation: self.operation,
            path,
            query,
            body,
            answer: self.answer,
        };
        Ok((self.client, request, self.options))
    }
}

/// How an operation's answer becomes a `T`: JSON, or nothing at all.
fn decoder<T: serde::de::DeserializeOwned>(operation: &Operation) -> Decoder<T> {
    if operation.empty {
        decode_nothing::<T>
    } else {
        decode_json::<T>
    }
}

/// The answer and how to read it.
type Exchange = Pin<Box<dyn Future<Output = Result<(RawResponse, AnswerShape), Error>> + Send>>;

/// Waits for an [`Exchange`], then decodes its answer.
struct Decoding<T> {
    exchange: Exchange,
    decode: Decoder<T>,
}

impl<T> Future for Decoding<T> {
    type Output = Result<ResponseValue<T>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (response, shape) = match self.exchange.as_mut().poll(cx) {
            Poll::Ready(Ok(answer)) => answer,
            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
            Poll::Pending => return Poll::Pending,
        };
        let (value, status) = match (self.decode)(&response, &shape) {
            Ok(decoded) => decoded,
            Err(error) => return Poll::Ready(Err(error)),
        };
        Poll::Ready(Ok(ResponseValue::new(
            value,
            status,
            response.headers,
            response.attempts,
        )))
    }
}

/// A [`Decoding`] that drops the status and headers.
struct ValueOnly<T>(Decoding<T>);

impl<T> Future for ValueOnly<T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|result| result.map(ResponseValue::into_inner))
    }
}

/// Why one attempt failed before an answer was read.
pub(crate) enum AttemptError {
    /// The exchange itself failed: may be retried.
    Transport(reqwest::Error),
    /// Anything else (an authentication problem): returned as is.
    Other(Error),
}

impl From<Error> for AttemptError {
    fn from(error: Error) -> Self {
        AttemptError::Other(error)
    }
}

/// One attempt of a request, ready to be authenticated and sent: the credentials add the
/// `Authorization` header (and may send it more than once, to answer a challenge or with a
/// renewed token).
pub(crate) struct Outgoing<'a> {
    client: &'a ClientInner,
    pub(crate) target: &'a Target,
    pub(crate) request: &'a ApiRequest,
    timeout: Option<Duration>,
}

impl Outgoing<'_> {
    /// The request to send with `authorization` (or bare, with `None`). Built afresh for each
    /// send, which costs less than keeping one to copy: most requests are sent once.
    pub(crate) fn with_authorization(
        &self,
        authorization: Option<HeaderValue>,
    ) -> reqwest::RequestBuilder {
        let (client, request) = (self.client, self.request);
        // The media type is a `type/subtype` token pair checked by the generator.
        let media_type = HeaderValue::from_static(request.operation.media_type);
        let mut builder = client
            .http
            .request(request.operation.method.clone(), self.target.url.clone())
            .header(ACCEPT, media_type.clone())
            .header(USER_AGENT, client.user_agent.clone());
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(body) = &request.body {
            builder = builder.header(CONTENT_TYPE, media_type).body(body.clone());
        }
        match authorization {
            Some(value) => builder.header(AUTHORIZATION, value),
            None => builder,
        }
    }
}

/// Runs `attempt` until it answers or fails for good, waiting between attempts as `policy`
/// says: retryable statuses and transport failures (see [`retry`]) are tried again, up to the
/// policy's attempts. `idempotent` says whether the request may be repeated after the server
/// may have acted on it. The answer records how many attempts it took.
pub(crate) async fn with_retries<F, A>(
    policy: RetryPolicy,
    idempotent: bool,
    mut attempt: F,
) -> Result<RawResponse, Error>
where
    F: FnMut() -> A,
    A: Future<Output = Result<RawResponse, AttemptError>>,
{
    let mut attempts = 1;
    loop {
        let outcome = attempt().await;
        let cause = match &outcome {
            Ok(response) => retry::retryable_status(idempotent, response.status)
                .map(|cause| (cause, retry::retry_after(&response.headers))),
            Err(AttemptError::Transport(error)) => {
                retry::retryable_error(idempotent, error).map(|cause| (cause, None))
            }
            Err(AttemptError::Other(_)) => None,
        };
        let retry = cause.filter(|_| attempts < policy.max_attempts());
        let Some((cause, retry_after)) = retry else {
            return match outcome {
                Ok(mut response) => {
                    response.attempts = attempts;
                    Ok(response)
                }
                Err(AttemptError::Transport(source)) => Err(Error::Transport { source, attempts }),
                Err(AttemptError::Other(error)) => Err(error),
            };
        };
        let delay = policy.delay(attempts, retry_after);
        tracing::info!(
            attempt = attempts,
            max_attempts = policy.max_attempts(),
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            cause = %cause,
            "retrying"
        );
        tokio::time::sleep(delay).await;
        attempts += 1;
    }
}

/// Reads the status, headers and whole body of an answer.
pub(crate) async fn read_response(
    mut response: reqwest::Response,
) -> Result<RawResponse, AttemptError> {
    let status = response.status().as_u16();
    let headers = std::mem::take(response.headers_mut());
    // Zero-copy when the body arrived in one piece.
    let body = Vec::from(response.bytes().await.map_err(AttemptError::Transport)?);
    Ok(RawResponse {
        status,
        headers,
        body,
        attempts: 1,
    })
}

impl Client {
    /// Sends `request` with the client's credentials, retrying as its
    /// [`RetryPolicy`](crate::RetryPolicy) allows, and reads the whole answer.
    pub(crate) async fn execute(
        &self,
        request: &ApiRequest,
        options: &RequestOptions,
    ) -> Result<RawResponse, Error> {
        let timeout = options.timeout.or(self.inner.timeout);
        let target = Target::new(&self.inner.base_url, request)?;
        with_retries(
            self.inner.retry,
            retry::is_idempotent(&request.operation.method),
            || self.attempt(request, &target, timeout),
        )
        .await
    }

    /// One attempt: sends `request`, authenticated, and reads the whole answer.
    async fn attempt(
        &self,
        request: &ApiRequest,
        target: &Target,
        timeout: Option<Duration>,
    ) -> Result<RawResponse, AttemptError> {
        let inner = &self.inner;
        let outgoing = Outgoing {
            client: inner,
            target,
            request,
            timeout,
        };
        let response = inner.credentials.send(inner, &outgoing).await?;
        read_response(response).await
    }
}

/// Where a request goes: its URL, parsed once per call and shared by its attempts.
pub(crate) struct Target {
    pub(crate) url: reqwest::Url,
}

impl Target {
    fn new(base_url: &str, request: &ApiRequest) -> Result<Target, Error> {
        let mut url =
            reqwest::Url::parse(&format!("{base_url}{}", request.path)).map_err(|error| {
                Error::invalid_argument("path", format!("does not form a valid URL: {error}"))
            })?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(
                request
                    .query
                    .iter()
                    .map(|(key, value)| (*key, value.as_str())),
            );
        }
        Ok(Target { url })
    }

    /// Host name, which diqwest keys its nonces by.
    #[cfg(feature = "digest")]
    pub(crate) fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    /// The `uri` a Digest answer signs: path and query, exactly as sent.
    #[cfg(feature = "digest")]
    pub(crate) fn uri(&self) -> String {
        match self.url.query() {
            Some(query) => format!("{}?{query}", self.url.path()),
            None => self.url.path().to_owned(),
        }
    }
}

/// Decodes a JSON answer into `T`, unwrapping the `{"status", "content"}` envelope if asked
/// and filling in a union's missing discriminator from the request.
fn decode_json<T: serde::de::DeserializeOwned>(
    response: &RawResponse,
    shape: &AnswerShape,
) -> Result<(T, u16), Error> {
    let (status, mut value) = match success_content(response, shape.envelope)? {
        // Nothing to fill in: decode straight from the bytes.
        Content::Raw if shape.discriminator.is_none() => {
            return serde_json::from_slice(&response.body)
                .map(|value| (value, response.status))
                .map_err(|source| decode_error(response.status, response, source));
        }
        Content::Raw => match serde_json::from_slice(&response.body) {
            Ok(value) => (response.status, value),
            Err(source) => return Err(decode_error(response.status, response, source)),
        },
        Content::Enveloped(status, value) => (status, value),
    };
    if let Some((member, implied)) = &shape.discriminator {
        fill_discriminator(&mut value, member, implied);
    }
    T::deserialize(&value)
        .map(|decoded| (decoded, status))
        .map_err(|source| decode_error(status, response, source))
}

/// Adds `member: implied` to an object (or to each object of an array) that lacks it.
fn fill_discriminator(value: &mut serde_json::Value, member: &str, implied: &str) {
    let fill = |object: &mut serde_json::Map<String, serde_json::Value>| {
        object
            .entry(member)
            .or_insert_with(|| serde_json::Value::String(implied.to_owned()));
    };
    match value {
        serde_json::Value::Object(object) => fill(object),
        serde_json::Value::Array(items) => items
            .iter_mut()
            .filter_map(serde_json::Value::as_object_mut)
            .for_each(fill),
        _ => {}
    }
}

/// Checks an answer that carries nothing of interest (no body, `204 No Content`, or `{}`),
/// and gives the operation's `T` (`()`) from JSON `null`.
fn decode_nothing<T: serde::de::DeserializeOwned>(
    response: &RawResponse,
    shape: &AnswerShape,
) -> Result<(T, u16), Error> {
    let status = match success_content(response, shape.envelope)? {
        Content::Raw => response.status,
        Content::Enveloped(status, _) => status,
    };
    T::deserialize(serde_json::Value::Null)
        .map(|nothing| (nothing, status))
        .map_err(|source| decode_error(status, response, source))
}

enum Content {
    /// A plain 2xx answer.
    Raw,
    /// The status and `content` of an envelope whose `status` is 2xx.
    Enveloped(u16, serde_json::Value),
}

/// Turns non-2xx answers (plain or enveloped) into [`Error::Api`].
fn success_content(response: &RawResponse, envelope: bool) -> Result<Content, Error> {
    if !(200..300).contains(&response.status) {
        let fields = serde_json::from_slice::<serde_json::Value>(&response.body).ok();
        return Err(api_error(response.status, response, fields.as_ref()));
    }
    if !envelope {
        return Ok(Content::Raw);
    }
    #[derive(serde::Deserialize)]
    struct Envelope {
        status: u16,
        #[serde(default)]
        content: serde_json::Value,
    }
    let wrapped: Envelope = match serde_json::from_slice(&response.body) {
        Ok(wrapped) => wrapped,
        Err(source) => return Err(decode_error(response.status, response, source)),
    };
    if !(200..300).contains(&wrapped.status) {
        return Err(api_error(wrapped.status, response, Some(&wrapped.content)));
    }
    Ok(Content::Enveloped(wrapped.status, wrapped.content))
}

fn api_error(status: u16, response: &RawResponse, fields: Option<&serde_json::Value>) -> Error {
    Error::Api(Box::new(ApiError::new(
        status,
        response.headers.clone(),
        String::from_utf8_lossy(&response.body).into_owned(),
        fields,
        response.attempts,
    )))
}

fn decode_error(status: u16, response: &RawResponse, source: serde_json::Error) -> Error {
    Error::Decode(Box::new(DecodeError {
        status,
        body: String::from_utf8_lossy(&response.body).into_owned(),
        source,
    }))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use reqwest::header::RETRY_AFTER;
    use tokio::time::Instant;

    use super::*;

    fn answer(status: u16, retry_after: Option<&str>) -> RawResponse {
        let mut headers = HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert(RETRY_AFTER, value.parse().expect("header value"));
        }
        RawResponse {
            status,
            headers,
            body: Vec::new(),
            attempts: 1,
        }
    }

    /// Runs `with_retries` over scripted answers on the paused clock; returns the outcome and
    /// when (since the start) each attempt was made.
    async fn run(
        policy: RetryPolicy,
        idempotent: bool,
        answers: Vec<RawResponse>,
    ) -> (Result<RawResponse, Error>, Vec<Duration>) {
        let started = Instant::now();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answers = Mutex::new(answers.into_iter());
        let outcome = with_retries(policy, idempotent, || {
            seen.lock().expect("lock").push(started.elapsed());
            let next = answers.lock().expect("lock").next();
            async move { Ok(next.unwrap_or_else(|| answer(200, None))) }
        })
        .await;
        let seen = seen.lock().expect("lock").clone();
        (outcome, seen)
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_limited_answer_is_retried_after_its_retry_after() {
        let (outcome, seen) = run(
            RetryPolicy::standard(),
            false,
            vec![answer(429, Some("5")), answer(201, None)],
        )
        .await;
        let response = outcome.expect("answered");
        assert_eq!((response.status, response.attempts), (201, 2));
        assert_eq!(seen, [0, 5].map(Duration::from_secs).to_vec());
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_capped_by_the_policy_maximum() {
        let policy = RetryPolicy::standard().with_max_delay(Duration::from_secs(3));
        let (_, seen) = run(policy, true, vec![answer(503, Some("3600"))]).await;
        assert_eq!(seen, [0, 3].map(Duration::from_secs).to_vec());
    }

    #[tokio::test(start_paused = true)]
    async fn the_last_attempt_returns_the_answer_as_it_is() {
        let (outcome, seen) = run(
            RetryPolicy::standard().with_max_attempts(3),
            true,
            vec![
                answer(503, Some("1")),
                answer(503, Some("1")),
                answer(503, Some("1")),
            ],
        )
        .await;
        let response = outcome.expect("the last answer");
        assert_eq!((response.status, response.attempts), (503, 3));
        assert_eq!(seen, [0, 1, 2].map(Duration::from_secs).to_vec());
    }

    #[tokio::test(start_paused = true)]
    async fn gateway_errors_of_non_idempotent_requests_are_not_retried() {
        let (outcome, seen) =
            run(RetryPolicy::standard(), false, vec![answer(503, Some("1"))]).await;
        assert_eq!(outcome.expect("answered").status, 503);
        assert_eq!(seen, [Duration::ZERO]);
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_without_retry_after_stays_under_the_doubling_ceiling() {
        let policy = RetryPolicy::standard()
            .with_max_attempts(4)
            .with_base_delay(Duration::from_secs(10))
            .with_max_delay(Duration::from_secs(60));
        let (_, seen) = run(
            policy,
            true,
            vec![answer(502, None), answer(502, None), answer(502, None)],
        )
        .await;
        assert_eq!(seen.len(), 4);
        let pauses: Vec<Duration> = seen.windows(2).map(|pair| pair[1] - pair[0]).collect();
        for (pause, ceiling) in pauses.iter().zip([10, 20, 40]) {
            assert!(*pause <= Duration::from_secs(ceiling), "{pauses:?}");
        }
    }

    #[cfg(feature = "digest")]
    static THINGS: Operation = Operation {
        id: "listThings",
        client_method: "list_things",
        method: reqwest::Method::GET,
        path_template: "/v2/groups/{groupId}/things",
        media_type: "application/json",
        has_body: false,
        status: 200,
        empty: false,
        envelope: Some("envelope"),
        query: &["pretty", "envelope", "itemsPerPage"],
    };

    // A Digest client: these tests only need a client to hold, not to send.
    #[cfg(feature = "digest")]
    fn client() -> Client {
        struct Api(Client);
        impl crate::ApiClient for Api {
            const API: &'static crate::ApiInfo = &crate::ApiInfo {
                default_base_url: "https://api.example.com",
                default_user_agent: "example/1.0",
                digest: true,
                oauth: None,
            };
            fn from_client(client: Client) -> Self {
                Api(client)
            }
        }
        crate::ClientBuilder::<Api>::new()
            .digest_auth("PUBLIC-KEY", "PRIVATE-KEY")
            .build()
            .expect("a client")
            .0
    }

    #[cfg(feature = "digest")]
    #[test]
    fn query_parameters_go_out_in_declared_order_and_a_later_setting_wins() {
        let mut call = Call::new(client(), &THINGS, &[Ok("g1".to_owned())]);
        call.query("itemsPerPage", 5);
        call.envelope("envelope", true);
        call.query("pretty", true);
        call.query("itemsPerPage", 10);
        let (_, request, _) = call.into_request().expect("nothing refused");
        assert_eq!(request.path, "/v2/groups/g1/things");
        assert_eq!(
            request.query,
            [
                ("pretty", "true".to_owned()),
                ("envelope", "true".to_owned()),
                ("itemsPerPage", "10".to_owned()),
            ]
        );
        assert!(request.answer.envelope);
    }

    #[cfg(feature = "digest")]
    #[test]
    fn a_refused_argument_is_returned_when_sending_and_survives_a_clone() {
        let refused = Call::new(
            client(),
            &THINGS,
            &[Err(ArgumentError::new("group_id", "must not be empty"))],
        );
        let copy = refused.clone();
        for call in [refused, copy] {
            let error = call.into_request().expect_err("the path was refused");
            assert_eq!(
                error.to_string(),
                "invalid argument `group_id`: must not be empty"
            );
        }
        // The first refusal besides the path is kept; a later one does not replace it.
        let mut call = Call::new(client(), &THINGS, &[Ok("g1".to_owned())]);
        call.check(Ok(()));
        call.check(Err(ArgumentError::new("body", "first")));
        call.check(Err(ArgumentError::new("body", "second")));
        let error = call.into_request().expect_err("the body was refused");
        assert_eq!(error.to_string(), "invalid argument `body`: first");
    }

    #[cfg(feature = "digest")]
    #[test]
    fn debug_shows_what_the_request_collected_but_not_the_body() {
        let mut call = Call::new(client(), &THINGS, &[Ok("g1".to_owned())]);
        call.body(&serde_json::json!({"password": "hunter2"}));
        let debug = format!("{call:?}");
        assert!(debug.contains("listThings"), "{debug}");
        assert!(debug.contains("/v2/groups/g1/things"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("PRIVATE-KEY"), "{debug}");
    }
}
