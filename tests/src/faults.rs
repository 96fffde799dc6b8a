//! Injectable misbehaviour ([`Fault`]) and the bodies it produces.

use serde_json::Value;

use crate::error::ApiError;
use crate::json;
use axum::http::StatusCode;
use std::time::Duration;

/// A misbehaviour the server applies to requests, set with
/// [`TestServer::set_fault`](crate::TestServer::set_fault).
///
/// A fault stays in force for every following request until it is changed (except
/// [`TestServer::set_fault_for`](crate::TestServer::set_fault_for), which applies it to a number
/// of requests only). Unless stated otherwise a fault only
/// affects API requests whose Digest credentials or bearer token were accepted;
/// unauthenticated requests still get the normal challenge (or the bearer-token 401), and
/// the OAuth endpoints ([`OAUTH_TOKEN_PATH`](crate::OAUTH_TOKEN_PATH),
/// [`OAUTH_REVOKE_PATH`](crate::OAUTH_REVOKE_PATH)) are never affected. What happens to
/// the resources:
///
/// * [`InternalError`](Fault::InternalError), [`ServiceUnavailableHtml`](Fault::ServiceUnavailableHtml),
///   and [`RateLimited`](Fault::RateLimited) answer
///   *instead of* the operation, and [`NoAnswer`](Fault::NoAnswer) never answers: nothing
///   is created, deleted or polled.
/// * [`MalformedJson`](Fault::MalformedJson), [`UnknownStatus`](Fault::UnknownStatus),
///   [`ExtraFields`](Fault::ExtraFields), [`EmptyBody`](Fault::EmptyBody),
///   [`Delay`](Fault::Delay) and [`CloseMidResponse`](Fault::CloseMidResponse) let the
///   operation run (a POST does create, a GET does count as a poll) and then damage or
///   delay the answer.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 500 with `{"detail":"Unexpected error.","error":500,"errorCode":"UNEXPECTED_ERROR","parameters":[],"reason":"Internal Server Error"}`.
    InternalError,
    /// 503 with `Content-Type: text/html` and an HTML error page, as a load balancer would send.
    ServiceUnavailableHtml,
    /// 429 with a `Retry-After: <retry_after_secs>` header and an Atlas body with errorCode
    /// `RATE_LIMITED`, reason `Too Many Requests`.
    RateLimited {
        /// Value of the `Retry-After` header, in seconds.
        retry_after_secs: u64,
    },
    /// 200, `Content-Type: application/json` (on v2 paths the v2 media type), but the body
    /// is the normal body cut in half (never valid JSON).
    MalformedJson,
    /// The normal body, with every `status` and `connectionStatus` member (of the object,
    /// or of each element of an array) set to this value. Only 2xx answers are changed.
    UnknownStatus(String),
    /// The normal body plus unknown members (a nested object, an array, a number, a
    /// string) on the object, or on each object element of an array, including error bodies.
    ExtraFields,
    /// 200 with `Content-Type: application/json` (on v2 paths the v2 media type) and an
    /// empty body.
    EmptyBody,
    /// Sleep this long before answering, then answer normally.
    Delay(Duration),
    /// Never answer: the request is recorded, then held until the client gives up and
    /// closes the connection, which [`TestServer::abandoned_requests`] counts (for testing
    /// timeouts and cancellation without racing a clock). A server with a held request
    /// stops only once its client has gone.
    ///
    /// [`TestServer::abandoned_requests`]: crate::TestServer::abandoned_requests
    NoAnswer,
    /// Status and headers of the normal answer, but `Content-Length` larger than the body,
    /// only part of the body is sent and then the connection is dropped.
    CloseMidResponse,
    /// Every API request (signed correctly or not, bearer-token ones included) gets 401
    /// with the Atlas 401 body but no `WWW-Authenticate` header.
    UnauthorizedWithoutChallenge,
    /// Requests that would get a challenge get 401 with
    /// `WWW-Authenticate: Digest @@garbage,,==` instead (not counted by
    /// [`TestServer::challenges_issued`](crate::TestServer::challenges_issued)). Requests
    /// signed with a still-valid nonce are served normally.
    GarbageChallenge,
}

/// The Atlas 401 body (no `errorCode`), byte for byte.
pub(crate) const UNAUTHORIZED_BODY: &str =
    r#"{"error":401,"reason":"Unauthorized","detail":"You are not authorized for this resource."}"#;

/// The HTML page of [`Fault::ServiceUnavailableHtml`].
pub(crate) const SERVICE_UNAVAILABLE_HTML: &str = "<!DOCTYPE html>\n<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n<center><h1>503 Service Temporarily Unavailable</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n";

/// The error of [`Fault::InternalError`].
pub(crate) fn internal_error() -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "UNEXPECTED_ERROR",
        "Unexpected error.",
        vec![],
    )
}

/// The error of [`Fault::RateLimited`], shaped like the legacy Atlas `RATE_LIMITED` error.
pub(crate) fn rate_limited(path: &str) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        format!("Resource {path} is limited to 100 requests every 1 minutes."),
        vec![json::string(path), json::int(100), json::int(1)],
    )
}

fn set_status(value: &mut Value, status: &str) {
    for key in ["status", "connectionStatus"] {
        if let Some(member) = value.get_mut(key) {
            *member = json::string(status);
        }
    }
}

/// Applies [`Fault::UnknownStatus`] to a success body.
pub(crate) fn apply_unknown_status(body: &mut Value, status: &str) {
    match body {
        Value::Array(items) => items.iter_mut().for_each(|item| set_status(item, status)),
        other => set_status(other, status),
    }
}

fn add_extra_fields(value: &mut Value) {
    if !matches!(value, Value::Object(_)) {
        return;
    }
    json::set(
        value,
        "futureNestedObject",
        json::object([
            ("kind", json::string("SOMETHING_NEW")),
            (
                "inner",
                json::object([("depth", json::int(2)), ("flag", Value::Bool(true))]),
            ),
        ]),
    );
    json::set(
        value,
        "futureArray",
        Value::Array(vec![
            json::int(1),
            json::string("two"),
            Value::Null,
            json::object([("three", json::int(3))]),
        ]),
    );
    json::set(
        value,
        "futureNumber",
        Value::Number(serde_json::Number::from(-42_i64)),
    );
    if let Some(float) = serde_json::Number::from_f64(12.5) {
        json::set(value, "futureFloat", Value::Number(float));
    }
    json::set(value, "futureString", json::string("unexpected"));
    json::set(
        value,
        "links",
        Value::Array(vec![json::object([
            (
                "href",
                json::string("https://cloud.mongodb.com/api/atlas/v1.0"),
            ),
            ("rel", json::string("self")),
        ])]),
    );
}

/// Applies [`Fault::ExtraFields`].
pub(crate) fn apply_extra_fields(body: &mut Value) {
    match body {
        Value::Array(items) => items.iter_mut().for_each(add_extra_fields),
        other => add_extra_fields(other),
    }
}
