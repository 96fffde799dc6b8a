//! The Atlas error body ([`ApiError`]) and request-body helpers shared by the API families.

use serde_json::Value;

use crate::json;
use axum::http::StatusCode;

/// An Atlas-shaped API error (`{"detail","error","errorCode","parameters","reason"}`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) detail: String,
    pub(crate) parameters: Vec<Value>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        detail: impl Into<String>,
        parameters: Vec<Value>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            detail: detail.into(),
            parameters,
        }
    }

    /// The body, keys in Atlas' (alphabetical) order.
    pub(crate) fn body(&self) -> Value {
        json::object([
            ("detail", json::string(self.detail.clone())),
            ("error", json::int(u64::from(self.status.as_u16()))),
            ("errorCode", json::string(self.code)),
            ("parameters", Value::Array(self.parameters.clone())),
            (
                "reason",
                json::string(self.status.canonical_reason().unwrap_or("Unknown")),
            ),
        ])
    }

    pub(crate) fn bad_request(
        code: &'static str,
        detail: impl Into<String>,
        parameters: Vec<Value>,
    ) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, detail, parameters)
    }

    pub(crate) fn missing_attribute(name: &str) -> ApiError {
        ApiError::bad_request(
            "MISSING_ATTRIBUTE",
            format!("The required attribute {name} was not specified."),
            vec![json::string(name)],
        )
    }

    pub(crate) fn invalid_attribute(name: &str) -> ApiError {
        ApiError::bad_request(
            "INVALID_ATTRIBUTE",
            format!("Invalid attribute {name} specified."),
            vec![json::string(name)],
        )
    }

    pub(crate) fn invalid_enum(value: &str) -> ApiError {
        ApiError::bad_request(
            "INVALID_ENUM_VALUE",
            format!("An invalid enumeration value {value} was specified."),
            vec![json::string(value)],
        )
    }

    pub(crate) fn invalid_json() -> ApiError {
        ApiError::bad_request("INVALID_JSON", "Received JSON is malformed.", vec![])
    }

    /// 400 for a `{GROUP-ID}` that is not 24 hex digits.
    pub(crate) fn invalid_group_id(group_id: &str) -> ApiError {
        ApiError::bad_request(
            "INVALID_GROUP_ID",
            format!("An invalid group ID {group_id} was specified."),
            vec![json::string(group_id)],
        )
    }

    /// 404 for a path that names no resource.
    pub(crate) fn no_such_path(path: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!("Cannot find resource {path}."),
            vec![json::string(path)],
        )
    }
}

/// Whether `s` is a 24-hex-digit id.
pub(crate) fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses a request body as a JSON object.
pub(crate) fn json_object(
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        _ => Err(ApiError::invalid_json()),
    }
}

/// A required string attribute of a request body.
pub(crate) fn required_str<'a>(
    body: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<&'a str, ApiError> {
    match body.get(name) {
        None | Some(serde_json::Value::Null) => Err(ApiError::missing_attribute(name)),
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(_) => Err(ApiError::invalid_attribute(name)),
    }
}
