//! Routing of the v2 private endpoint services (AWS, Azure, GCP), under [`V2_PATH`], and
//! their media-type rules.

use crate::error::{ApiError, is_object_id};
use crate::json;
use crate::routes::{Routed, Shared, Success, lock, method_not_allowed, segments};
use crate::state_endpoint_services::Provider;
use crate::{V2_MEDIA_TYPE, V2_PATH};
use axum::http::header::{self, HeaderMap};
use axum::http::{Method, StatusCode};

/// The media types a v2 request body may be sent as.
const BODY_TYPES: [&str; 2] = [V2_MEDIA_TYPE, "application/json"];

/// The media types of a header value (a list), without parameters, lower-cased.
fn media_types(headers: &HeaderMap, name: header::HeaderName) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|item| {
            item.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|item| !item.is_empty())
        .collect()
}

/// Checks `Accept` (406) and, for POST/PATCH, `Content-Type` (415).
pub(crate) fn check_media_types(method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    let accepted = media_types(headers, header::ACCEPT);
    if !accepted.iter().any(|t| t == V2_MEDIA_TYPE) {
        let sent = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        return Err(ApiError::new(
            StatusCode::NOT_ACCEPTABLE,
            "INVALID_VERSION_OR_MEDIA_TYPE",
            format!(
                "The requested media type {sent:?} is not supported; this resource is available as {V2_MEDIA_TYPE}."
            ),
            vec![json::string(sent), json::string(V2_MEDIA_TYPE)],
        ));
    }
    if matches!(*method, Method::POST | Method::PATCH) {
        let sent = media_types(headers, header::CONTENT_TYPE);
        let supported = sent.len() == 1 && BODY_TYPES.contains(&sent[0].as_str());
        if !supported {
            let sent = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                format!(
                    "The request body media type {sent:?} is not supported; send {V2_MEDIA_TYPE} or application/json."
                ),
                vec![json::string(sent)],
            ));
        }
    }
    Ok(())
}

/// The v2 operations.
enum Op<'a> {
    CreateService,
    UpdateService(&'a str),
    ListServices(Provider),
    GetService(Provider, &'a str),
    DeleteService(Provider, &'a str),
    CreateEndpoint(Provider, &'a str),
    GetEndpoint(Provider, &'a str, &'a str),
    DeleteEndpoint(Provider, &'a str, &'a str),
    GetRegionalMode,
    SetRegionalMode,
}

/// 400 for a `{cloudProvider}` other than `AWS`, `AZURE`, `GCP`.
fn provider(segment: &str) -> Result<Provider, ApiError> {
    Provider::parse(segment).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_ENUM_VALUE",
            format!("An invalid enumeration value {segment} was specified."),
            vec![json::string(segment)],
        )
    })
}

/// Routes a request under [`V2_PATH`].
pub(crate) fn route(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Routed {
    let not_found = || (Err(ApiError::no_such_path(path)), None);
    let Some(segments) = segments(path, V2_PATH) else {
        return not_found();
    };
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let ["groups", group_id, "privateEndpoint", tail @ ..] = segments.as_slice() else {
        return not_found();
    };
    let not_allowed = |allow| method_not_allowed(method, path, allow);
    // The shape first (404/405), then the parameters (400).
    let op = match (tail, method) {
        (["endpointService"], &Method::POST) => Ok(Op::CreateService),
        (["endpointService"], _) => return not_allowed("POST"),
        (["regionalMode"], &Method::GET) => Ok(Op::GetRegionalMode),
        (["regionalMode"], &Method::PATCH) => Ok(Op::SetRegionalMode),
        (["regionalMode"], _) => return not_allowed("GET, PATCH"),
        (["endpointService", id], &Method::PATCH) => Ok(Op::UpdateService(id)),
        (["endpointService", _], _) => return not_allowed("PATCH"),
        ([cp, "endpointService"], &Method::GET) => provider(cp).map(Op::ListServices),
        ([_, "endpointService"], _) => return not_allowed("GET"),
        ([cp, "endpointService", id], &Method::GET) => provider(cp).map(|p| Op::GetService(p, id)),
        ([cp, "endpointService", id], &Method::DELETE) => {
            provider(cp).map(|p| Op::DeleteService(p, id))
        }
        ([_, "endpointService", _], _) => return not_allowed("GET, DELETE"),
        ([cp, "endpointService", id, "endpoint"], &Method::POST) => {
            provider(cp).map(|p| Op::CreateEndpoint(p, id))
        }
        ([_, "endpointService", _, "endpoint"], _) => return not_allowed("POST"),
        ([cp, "endpointService", id, "endpoint", endpoint], &Method::GET) => {
            provider(cp).map(|p| Op::GetEndpoint(p, id, endpoint))
        }
        ([cp, "endpointService", id, "endpoint", endpoint], &Method::DELETE) => {
            provider(cp).map(|p| Op::DeleteEndpoint(p, id, endpoint))
        }
        ([_, "endpointService", _, "endpoint", _], _) => return not_allowed("GET, DELETE"),
        _ => return not_found(),
    };
    if !is_object_id(group_id) {
        return (Err(ApiError::invalid_group_id(group_id)), None);
    }
    let op = match op {
        Ok(op) => op,
        Err(error) => return (Err(error), None),
    };
    let mut store = lock(&shared.endpoint_services);
    let body_of = |result: Result<serde_json::Value, ApiError>| result.map(Success::Body);
    let no_content = |result: Result<(), ApiError>| result.map(|()| Success::NoContent);
    let result = match op {
        Op::CreateService => body_of(store.create_service(group_id, body)),
        Op::UpdateService(id) => body_of(store.update_service(group_id, id, body)),
        Op::ListServices(p) => Ok(Success::Body(store.list_services(group_id, p))),
        Op::GetService(p, id) => body_of(store.get_service(group_id, p, id)),
        Op::DeleteService(p, id) => no_content(store.delete_service(group_id, p, id)),
        Op::CreateEndpoint(p, id) => body_of(store.create_endpoint(group_id, p, id, body)),
        Op::GetEndpoint(p, id, e) => body_of(store.get_endpoint(group_id, p, id, e)),
        Op::DeleteEndpoint(p, id, e) => no_content(store.delete_endpoint(group_id, p, id, e)),
        Op::GetRegionalMode => Ok(Success::Body(store.regional_mode(group_id))),
        Op::SetRegionalMode => body_of(store.set_regional_mode(group_id, body)),
    };
    (result, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_static(value));
        }
        map
    }

    fn status(method: Method, pairs: &[(header::HeaderName, &'static str)]) -> u16 {
        match check_media_types(&method, &headers(pairs)) {
            Ok(()) => 200,
            Err(error) => error.status.as_u16(),
        }
    }

    #[test]
    fn accept_rules() {
        use header::ACCEPT;
        assert_eq!(status(Method::GET, &[]), 406);
        assert_eq!(status(Method::GET, &[(ACCEPT, "*/*")]), 406);
        assert_eq!(status(Method::GET, &[(ACCEPT, "application/json")]), 406);
        assert_eq!(
            status(
                Method::GET,
                &[(ACCEPT, "application/vnd.atlas.2099-01-01+json")]
            ),
            406
        );
        assert_eq!(
            status(
                Method::GET,
                &[(ACCEPT, "application/vnd.atlas.2023-01-01+json")]
            ),
            200
        );
        assert_eq!(
            status(
                Method::GET,
                &[(
                    ACCEPT,
                    "application/json, Application/Vnd.Atlas.2023-01-01+JSON; charset=utf-8"
                )]
            ),
            200
        );
        assert_eq!(
            status(
                Method::GET,
                &[
                    (ACCEPT, "application/json"),
                    (ACCEPT, "application/vnd.atlas.2023-01-01+json")
                ]
            ),
            200
        );
    }

    #[test]
    fn content_type_rules() {
        use header::{ACCEPT, CONTENT_TYPE};
        const V2: &str = "application/vnd.atlas.2023-01-01+json";
        assert_eq!(status(Method::POST, &[(ACCEPT, V2)]), 415);
        assert_eq!(
            status(Method::POST, &[(ACCEPT, V2), (CONTENT_TYPE, "text/plain")]),
            415
        );
        assert_eq!(
            status(
                Method::PATCH,
                &[(ACCEPT, V2), (CONTENT_TYPE, "application/json")]
            ),
            200
        );
        assert_eq!(
            status(
                Method::POST,
                &[
                    (ACCEPT, V2),
                    (
                        CONTENT_TYPE,
                        "application/vnd.atlas.2023-01-01+json; charset=utf-8"
                    )
                ]
            ),
            200
        );
        // Bodiless methods do not need one.
        assert_eq!(status(Method::DELETE, &[(ACCEPT, V2)]), 200);
    }
}
