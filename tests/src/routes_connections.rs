//! Routing of the legacy v1.0 private endpoint connections (AWS PrivateLink), under
//! [`V1_PATH`].

use crate::V1_PATH;
use crate::error::{ApiError, is_object_id};
use crate::routes::{Routed, Shared, Success, lock, method_not_allowed, segments};
use axum::http::Method;

/// The operations.
enum Op<'a> {
    List,
    Create,
    Get(&'a str),
    Delete(&'a str),
    AddInterface(&'a str),
    GetInterface(&'a str, &'a str),
    DeleteInterface(&'a str, &'a str),
}

/// Routes a request under [`V1_PATH`].
pub(crate) fn route(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Routed {
    let not_found = || (Err(ApiError::no_such_path(path)), None);
    let Some(segments) = segments(path, V1_PATH) else {
        return not_found();
    };
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let ["groups", group_id, "privateEndpoint", tail @ ..] = segments.as_slice() else {
        return not_found();
    };
    let method_not_allowed = |allow| method_not_allowed(method, path, allow);
    let op = match (tail, method) {
        ([], &Method::GET) => Op::List,
        ([], &Method::POST) => Op::Create,
        ([], _) => return method_not_allowed("GET, POST"),
        ([id], &Method::GET) => Op::Get(id),
        ([id], &Method::DELETE) => Op::Delete(id),
        ([_], _) => return method_not_allowed("GET, DELETE"),
        ([id, "interfaceEndpoints"], &Method::POST) => Op::AddInterface(id),
        ([_, "interfaceEndpoints"], _) => return method_not_allowed("POST"),
        ([id, "interfaceEndpoints", iface], &Method::GET) => Op::GetInterface(id, iface),
        ([id, "interfaceEndpoints", iface], &Method::DELETE) => Op::DeleteInterface(id, iface),
        ([_, "interfaceEndpoints", _], _) => return method_not_allowed("GET, DELETE"),
        _ => return not_found(),
    };
    if !is_object_id(group_id) {
        return (Err(ApiError::invalid_group_id(group_id)), None);
    }
    let mut store = lock(&shared.connections);
    let result = match op {
        Op::List => Ok(store.list(group_id)),
        Op::Create => store.create(group_id, body),
        Op::Get(id) => store.get(group_id, id),
        Op::Delete(id) => store.delete(group_id, id),
        Op::AddInterface(id) => store.add_interface(group_id, id, body),
        Op::GetInterface(id, iface) => store.get_interface(group_id, id, iface),
        Op::DeleteInterface(id, iface) => store.delete_interface(group_id, id, iface),
    };
    (result.map(Success::Body), None)
}
