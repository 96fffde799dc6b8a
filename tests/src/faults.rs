//! Injectable misbehaviour ([`Fault`]) and the bodies it produces.

use crate::json::Json;
use crate::state::ApiError;
use axum::http::StatusCode;
use std::time::Duration;

/// A misbehaviour the server applies to requests, set with
/// [`TestServer::set_fault`](crate::TestServer::set_fault).
///
/// A fault stays in force for every following request until it is changed (except
/// [`Fault::RateLimitedOnce`], which clears itself). Unless stated otherwise a fault only
/// affects requests whose Digest credentials were accepted; unauthenticated requests still
/// get the normal challenge. What happens to the resources:
///
/// * [`InternalError`](Fault::InternalError), [`ServiceUnavailableHtml`](Fault::ServiceUnavailableHtml),
///   [`RateLimited`](Fault::RateLimited) and [`RateLimitedOnce`](Fault::RateLimitedOnce) answer
///   *instead of* the operation: nothing is created, deleted or polled.
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
    /// 200, `Content-Type: application/json`, but the body is the normal body cut in half
    /// (never valid JSON).
    MalformedJson,
    /// The normal body, with every `status` and `connectionStatus` member (of the object,
    /// or of each element of an array) set to this value. Only 2xx answers are changed.
    UnknownStatus(String),
    /// The normal body plus unknown members (a nested object, an array, a number, a
    /// string) on the object, or on each object element of an array, including error bodies.
    ExtraFields,
    /// 200 with `Content-Type: application/json` and an empty body.
    EmptyBody,
    /// Sleep this long before answering, then answer normally.
    Delay(Duration),
    /// Status and headers of the normal answer, but `Content-Length` larger than the body,
    /// only part of the body is sent and then the connection is dropped.
    CloseMidResponse,
    /// Every request (signed correctly or not) gets 401 with the Atlas 401 body but no
    /// `WWW-Authenticate` header.
    UnauthorizedWithoutChallenge,
    /// Requests that would get a challenge get 401 with
    /// `WWW-Authenticate: Digest @@garbage,,==` instead (not counted by
    /// [`TestServer::challenges_issued`](crate::TestServer::challenges_issued)). Requests
    /// signed with a still-valid nonce are served normally.
    GarbageChallenge,
    /// The next authenticated request gets the [`RateLimited`](Fault::RateLimited) answer;
    /// then the fault clears itself and later requests succeed.
    RateLimitedOnce {
        /// Value of the `Retry-After` header, in seconds.
        retry_after_secs: u64,
    },
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
        vec![Json::str(path), Json::int(100), Json::int(1)],
    )
}

fn set_status(value: &mut Json, status: &str) {
    for key in ["status", "connectionStatus"] {
        if let Some(member) = value.get_mut(key) {
            *member = Json::str(status);
        }
    }
}

/// Applies [`Fault::UnknownStatus`] to a success body.
pub(crate) fn apply_unknown_status(body: &mut Json, status: &str) {
    match body {
        Json::Array(items) => items.iter_mut().for_each(|item| set_status(item, status)),
        other => set_status(other, status),
    }
}

fn add_extra_fields(value: &mut Json) {
    if !matches!(value, Json::Object(_)) {
        return;
    }
    value.set(
        "futureNestedObject",
        Json::object([
            ("kind", Json::str("SOMETHING_NEW")),
            (
                "inner",
                Json::object([("depth", Json::int(2)), ("flag", Json::Bool(true))]),
            ),
        ]),
    );
    value.set(
        "futureArray",
        Json::Array(vec![
            Json::int(1),
            Json::str("two"),
            Json::Null,
            Json::object([("three", Json::int(3))]),
        ]),
    );
    value.set(
        "futureNumber",
        Json::Number(serde_json::Number::from(-42_i64)),
    );
    if let Some(float) = serde_json::Number::from_f64(12.5) {
        value.set("futureFloat", Json::Number(float));
    }
    value.set("futureString", Json::str("unexpected"));
    value.set(
        "links",
        Json::Array(vec![Json::object([
            (
                "href",
                Json::str("https://cloud.mongodb.com/api/atlas/v1.0"),
            ),
            ("rel", Json::str("self")),
        ])]),
    );
}

/// Applies [`Fault::ExtraFields`].
pub(crate) fn apply_extra_fields(body: &mut Json) {
    match body {
        Json::Array(items) => items.iter_mut().for_each(add_extra_fields),
        other => add_extra_fields(other),
    }
}
