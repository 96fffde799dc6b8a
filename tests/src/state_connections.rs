//! In-memory resources of the legacy v1.0 private endpoint connections (AWS PrivateLink):
//! connections and their interface endpoints, per project (group), with a poll-driven
//! lifecycle. Also the AWS region table, which the v2 endpoint services share.

use serde_json::Value;

use crate::error::{ApiError, json_object, required_str};
use crate::json;
use axum::http::StatusCode;
use std::collections::HashMap;

/// The 18 AWS regions the legacy `POST /groups/{GROUP-ID}/privateEndpoint` accepts.
pub const AWS_REGIONS: [&str; 18] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "me-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-east-1",
];

/// The Atlas spelling of an AWS region: `us-east-1` → `US_EAST_1`.
pub fn atlas_region_name(aws_region: &str) -> String {
    aws_region.to_ascii_uppercase().replace('-', "_")
}

/// Finds a region given in either spelling (`us-east-1` or `US_EAST_1`); returns the AWS
/// spelling.
fn find_region(input: &str) -> Option<&'static str> {
    AWS_REGIONS
        .iter()
        .copied()
        .find(|r| *r == input || atlas_region_name(r) == input)
}

/// The legacy family's 404s.
impl ApiError {
    fn connection_not_found(group_id: &str, id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!("Cannot find resource private endpoint connection {id} in group {group_id}."),
            vec![json::string(id), json::string(group_id)],
        )
    }

    fn interface_not_found(id: &str, interface_id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!(
                "Cannot find resource interface endpoint {interface_id} in private endpoint connection {id}."
            ),
            vec![json::string(interface_id), json::string(id)],
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ConnectionStatus {
    Initiating,
    WaitingForUser,
    Failed,
    Deleting,
}

impl ConnectionStatus {
    fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Initiating => "INITIATING",
            ConnectionStatus::WaitingForUser => "WAITING_FOR_USER",
            ConnectionStatus::Failed => "FAILED",
            ConnectionStatus::Deleting => "DELETING",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InterfaceStatus {
    PendingAcceptance,
    Pending,
    Available,
    Rejected,
}

impl InterfaceStatus {
    fn as_str(self) -> &'static str {
        match self {
            InterfaceStatus::PendingAcceptance => "PENDING_ACCEPTANCE",
            InterfaceStatus::Pending => "PENDING",
            InterfaceStatus::Available => "AVAILABLE",
            InterfaceStatus::Rejected => "REJECTED",
        }
    }
}

struct InterfaceEndpoint {
    id: String,
    status: InterfaceStatus,
    gets: u32,
    error_message: Option<String>,
}

impl InterfaceEndpoint {
    fn json(&self) -> Value {
        json::object([
            ("interfaceEndpointId", json::string(self.id.clone())),
            ("connectionStatus", json::string(self.status.as_str())),
            (
                "errorMessage",
                json::opt_string(self.error_message.as_deref()),
            ),
            ("deleteRequested", Value::Bool(false)),
        ])
    }
}

struct Connection {
    id: String,
    /// AWS spelling.
    region: &'static str,
    status: ConnectionStatus,
    /// Shown once the service became ready (WAITING_FOR_USER).
    service_name: String,
    service_ready: bool,
    error_message: Option<String>,
    interfaces: Vec<InterfaceEndpoint>,
    gets: u32,
}

impl Connection {
    fn json(&self) -> Value {
        let service_name = self.service_ready.then_some(self.service_name.as_str());
        json::object([
            ("endpointServiceName", json::opt_string(service_name)),
            (
                "errorMessage",
                json::opt_string(self.error_message.as_deref()),
            ),
            ("id", json::string(self.id.clone())),
            (
                "interfaceEndpoints",
                Value::Array(
                    self.interfaces
                        .iter()
                        .map(|i| json::string(i.id.clone()))
                        .collect(),
                ),
            ),
            ("status", json::string(self.status.as_str())),
        ])
    }
}

/// All resources of one server.
pub(crate) struct ConnectionStore {
    /// Group id (lowercased) → connections in creation order.
    groups: HashMap<String, Vec<Connection>>,
    polls_until_ready: u32,
    polls_per_interface_step: u32,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

impl ConnectionStore {
    pub(crate) fn new(polls_until_ready: u32, polls_per_interface_step: u32) -> ConnectionStore {
        ConnectionStore {
            groups: HashMap::new(),
            polls_until_ready,
            polls_per_interface_step,
        }
    }

    fn connection_mut(
        &mut self,
        group_id: &str,
        id: &str,
    ) -> Result<(usize, &mut Connection), ApiError> {
        self.groups
            .get_mut(&group_id.to_ascii_lowercase())
            .and_then(|conns| conns.iter_mut().enumerate().find(|(_, c)| c.id == id))
            .ok_or_else(|| ApiError::connection_not_found(group_id, id))
    }

    /// A connection that is not being deleted (interface endpoint operations).
    fn live_connection_mut(
        &mut self,
        group_id: &str,
        id: &str,
    ) -> Result<&mut Connection, ApiError> {
        match self.connection_mut(group_id, id)? {
            (_, c) if c.status == ConnectionStatus::Deleting => {
                Err(ApiError::connection_not_found(group_id, id))
            }
            (_, c) => Ok(c),
        }
    }

    /// `POST /groups/{GROUP-ID}/privateEndpoint`.
    pub(crate) fn create(&mut self, group_id: &str, body: &[u8]) -> Result<Value, ApiError> {
        let body = json_object(body)?;
        let provider = required_str(&body, "providerName")?;
        if provider != "AWS" {
            return Err(ApiError::invalid_enum(provider));
        }
        let region_input = required_str(&body, "region")?;
        let region =
            find_region(region_input).ok_or_else(|| ApiError::invalid_enum(region_input))?;
        let conns = self
            .groups
            .entry(group_id.to_ascii_lowercase())
            .or_default();
        if conns
            .iter()
            .any(|c| c.region == region && c.status != ConnectionStatus::Deleting)
        {
            let atlas = atlas_region_name(region);
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION",
                format!("A private endpoint service already exists for AWS region {atlas}."),
                vec![json::string("AWS"), json::string(atlas)],
            ));
        }
        let conn = Connection {
            id: crate::random::object_id(),
            region,
            status: ConnectionStatus::Initiating,
            service_name: format!(
                "com.amazonaws.vpce.{region}.vpce-svc-{}",
                crate::random::hex(17)
            ),
            service_ready: false,
            error_message: None,
            interfaces: Vec::new(),
            gets: 0,
        };
        let json = conn.json();
        conns.push(conn);
        Ok(json)
    }

    /// `GET /groups/{GROUP-ID}/privateEndpoint` (does not advance any lifecycle).
    pub(crate) fn list(&self, group_id: &str) -> Value {
        let conns = self.groups.get(&group_id.to_ascii_lowercase());
        Value::Array(conns.into_iter().flatten().map(Connection::json).collect())
    }

    /// `GET /groups/{GROUP-ID}/privateEndpoint/{ID}` — one poll.
    pub(crate) fn get(&mut self, group_id: &str, id: &str) -> Result<Value, ApiError> {
        let polls_until_ready = self.polls_until_ready;
        let (index, conn) = self.connection_mut(group_id, id)?;
        if conn.status == ConnectionStatus::Deleting {
            // The deletion completed: the resource is gone.
            if let Some(conns) = self.groups.get_mut(&group_id.to_ascii_lowercase()) {
                conns.remove(index);
            }
            return Err(ApiError::connection_not_found(group_id, id));
        }
        conn.gets = conn.gets.saturating_add(1);
        if conn.status == ConnectionStatus::Initiating && conn.gets > polls_until_ready {
            conn.status = ConnectionStatus::WaitingForUser;
            conn.service_ready = true;
        }
        Ok(conn.json())
    }

    /// `DELETE /groups/{GROUP-ID}/privateEndpoint/{ID}`.
    pub(crate) fn delete(&mut self, group_id: &str, id: &str) -> Result<Value, ApiError> {
        let (_, conn) = self.connection_mut(group_id, id)?;
        if !conn.interfaces.is_empty() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "CANNOT_DELETE_PRIVATE_ENDPOINT_WITH_INTERFACE_ENDPOINTS",
                format!(
                    "Cannot delete private endpoint connection {id} while it has {} interface endpoint(s); delete them first.",
                    conn.interfaces.len()
                ),
                vec![json::string(id), json::int(conn.interfaces.len() as u64)],
            ));
        }
        conn.status = ConnectionStatus::Deleting;
        Ok(empty_object())
    }

    /// `POST …/{ID}/interfaceEndpoints`.
    pub(crate) fn add_interface(
        &mut self,
        group_id: &str,
        id: &str,
        body: &[u8],
    ) -> Result<Value, ApiError> {
        let body = json_object(body)?;
        let interface_id = required_str(&body, "interfaceEndpointId")?;
        let valid = interface_id.strip_prefix("vpce-").is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !valid {
            return Err(ApiError::invalid_attribute("interfaceEndpointId"));
        }
        let interface_id = interface_id.to_owned();
        let already = self
            .groups
            .get(&group_id.to_ascii_lowercase())
            .into_iter()
            .flatten()
            .flat_map(|c| c.interfaces.iter())
            .any(|i| i.id == interface_id);
        let conn = self.live_connection_mut(group_id, id)?;
        if already {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "INTERFACE_ENDPOINT_ALREADY_EXISTS",
                format!("Interface endpoint {interface_id} already exists in group {group_id}."),
                vec![json::string(interface_id), json::string(group_id)],
            ));
        }
        let interface = InterfaceEndpoint {
            id: interface_id,
            status: InterfaceStatus::PendingAcceptance,
            gets: 0,
            error_message: None,
        };
        let json = interface.json();
        conn.interfaces.push(interface);
        Ok(json)
    }

    /// `GET …/{ID}/interfaceEndpoints/{INTERFACE-ENDPOINT-ID}` — one poll.
    pub(crate) fn get_interface(
        &mut self,
        group_id: &str,
        id: &str,
        interface_id: &str,
    ) -> Result<Value, ApiError> {
        let step = self.polls_per_interface_step;
        let conn = self.live_connection_mut(group_id, id)?;
        let interface = conn
            .interfaces
            .iter_mut()
            .find(|i| i.id == interface_id)
            .ok_or_else(|| ApiError::interface_not_found(id, interface_id))?;
        interface.gets = interface.gets.saturating_add(1);
        if interface.status != InterfaceStatus::Rejected {
            // Each state is observed by `step` GETs before the next one.
            let stage = (interface.gets - 1).checked_div(step).unwrap_or(u32::MAX);
            interface.status = match stage {
                0 => InterfaceStatus::PendingAcceptance,
                1 => InterfaceStatus::Pending,
                _ => InterfaceStatus::Available,
            };
        }
        Ok(interface.json())
    }

    /// `DELETE …/{ID}/interfaceEndpoints/{INTERFACE-ENDPOINT-ID}`.
    pub(crate) fn delete_interface(
        &mut self,
        group_id: &str,
        id: &str,
        interface_id: &str,
    ) -> Result<Value, ApiError> {
        let conn = self.live_connection_mut(group_id, id)?;
        let before = conn.interfaces.len();
        conn.interfaces.retain(|i| i.id != interface_id);
        if conn.interfaces.len() == before {
            return Err(ApiError::interface_not_found(id, interface_id));
        }
        Ok(empty_object())
    }

    /// Test hook: the connection becomes FAILED.
    pub(crate) fn set_connection_failed(&mut self, group_id: &str, id: &str) -> bool {
        match self.connection_mut(group_id, id) {
            Ok((_, conn)) => {
                conn.status = ConnectionStatus::Failed;
                conn.error_message = Some("A system failure has occurred.".to_owned());
                true
            }
            Err(_) => false,
        }
    }

    /// Test hook: the interface endpoint becomes REJECTED (and stays so).
    pub(crate) fn set_interface_rejected(
        &mut self,
        group_id: &str,
        id: &str,
        interface_id: &str,
    ) -> bool {
        let Ok((_, conn)) = self.connection_mut(group_id, id) else {
            return false;
        };
        match conn.interfaces.iter_mut().find(|i| i.id == interface_id) {
            Some(interface) => {
                interface.status = InterfaceStatus::Rejected;
                interface.error_message =
                    Some("AWS failed to establish the interface endpoint connection.".to_owned());
                true
            }
            None => false,
        }
    }

    /// Current connections of a group, as served by the list endpoint.
    pub(crate) fn snapshot(&self, group_id: &str) -> Vec<serde_json::Value> {
        match self.list(group_id) {
            Value::Array(items) => items,
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "5df264b8f10fab7d2cad2f0d";

    fn value(json: &Value) -> Value {
        json.clone()
    }

    #[test]
    fn regions_accept_both_spellings() {
        assert_eq!(find_region("us-east-1"), Some("us-east-1"));
        assert_eq!(find_region("US_EAST_1"), Some("us-east-1"));
        assert_eq!(find_region("AP_EAST_1"), Some("ap-east-1"));
        assert_eq!(find_region("us_east_1"), None);
        assert_eq!(find_region("eu-south-1"), None);
        assert_eq!(AWS_REGIONS.len(), 18);
    }

    #[test]
    fn create_validation_errors() {
        let mut store = ConnectionStore::new(2, 1);
        let code = |r: Result<Value, ApiError>| r.err().map(|e| (e.status.as_u16(), e.code));
        assert_eq!(code(store.create(G, b"")), Some((400, "INVALID_JSON")));
        assert_eq!(code(store.create(G, b"[1]")), Some((400, "INVALID_JSON")));
        assert_eq!(
            code(store.create(G, br#"{"region":"us-east-1"}"#)),
            Some((400, "MISSING_ATTRIBUTE"))
        );
        assert_eq!(
            code(store.create(G, br#"{"providerName":"GCP","region":"us-east-1"}"#)),
            Some((400, "INVALID_ENUM_VALUE"))
        );
        assert_eq!(
            code(store.create(G, br#"{"providerName":"AWS"}"#)),
            Some((400, "MISSING_ATTRIBUTE"))
        );
        assert_eq!(
            code(store.create(G, br#"{"providerName":"AWS","region":7}"#)),
            Some((400, "INVALID_ATTRIBUTE"))
        );
        assert_eq!(
            code(store.create(G, br#"{"providerName":"AWS","region":"mars-1"}"#)),
            Some((400, "INVALID_ENUM_VALUE"))
        );
        assert!(store.list(G) == Value::Array(vec![]));
    }

    #[test]
    fn interface_lifecycle_with_two_gets_per_step() {
        let mut store = ConnectionStore::new(0, 2);
        let created = value(
            &store
                .create(G, br#"{"providerName":"AWS","region":"eu-west-1"}"#)
                .unwrap(),
        );
        let id = created["id"].as_str().unwrap().to_owned();
        store
            .add_interface(
                G,
                &id,
                br#"{"interfaceEndpointId":"vpce-0123456789abcdef0"}"#,
            )
            .unwrap();
        let statuses: Vec<String> = (0..6)
            .map(|_| {
                let got = store
                    .get_interface(G, &id, "vpce-0123456789abcdef0")
                    .unwrap();
                value(&got)["connectionStatus"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(
            statuses,
            [
                "PENDING_ACCEPTANCE",
                "PENDING_ACCEPTANCE",
                "PENDING",
                "PENDING",
                "AVAILABLE",
                "AVAILABLE"
            ]
        );
        // polls_until_ready = 0: the first GET already answers WAITING_FOR_USER.
        let got = value(&store.get(G, &id).unwrap());
        assert_eq!(got["status"], "WAITING_FOR_USER");
    }
}
