//! In-memory resources of the v2 private endpoint services (AWS, Azure, GCP): endpoint
//! services and their private endpoints per project (group), with a poll-driven lifecycle,
//! and the per-project regional mode setting.
//!
//! The three providers share one state machine; what differs (regions, field names, state
//! names, request bodies) is described by [`Provider`] and the small `…Details` enums.

use serde_json::{Map, Value};

use crate::error::{ApiError, json_object, required_str};
use crate::json;
use crate::state_connections::{AWS_REGIONS, atlas_region_name};
use axum::http::StatusCode;
use std::collections::HashMap;
use std::net::IpAddr;

/// The `{cloudProvider}` of the v2 family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Provider {
    Aws,
    Azure,
    Gcp,
}

/// Azure regions accepted on create: (Atlas spelling, Azure spelling). A subset.
const AZURE_REGIONS: [(&str, &str); 10] = [
    ("US_EAST", "eastus"),
    ("US_EAST_2", "eastus2"),
    ("US_CENTRAL", "centralus"),
    ("US_WEST", "westus"),
    ("US_WEST_2", "westus2"),
    ("EUROPE_NORTH", "northeurope"),
    ("EUROPE_WEST", "westeurope"),
    ("UK_SOUTH", "uksouth"),
    ("GERMANY_WEST_CENTRAL", "germanywestcentral"),
    ("ASIA_EAST", "eastasia"),
];

/// GCP regions accepted on create: (Atlas spelling, GCP spelling). A subset.
const GCP_REGIONS: [(&str, &str); 10] = [
    ("CENTRAL_US", "us-central1"),
    ("EASTERN_US", "us-east1"),
    ("US_EAST_4", "us-east4"),
    ("WESTERN_US", "us-west1"),
    ("US_WEST_2", "us-west2"),
    ("US_WEST_3", "us-west3"),
    ("US_WEST_4", "us-west4"),
    ("WESTERN_EUROPE", "europe-west1"),
    ("EUROPE_WEST_2", "europe-west2"),
    ("EASTERN_ASIA_PACIFIC", "asia-east1"),
];

/// A region in both spellings.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Region {
    /// Atlas spelling, e.g. `US_EAST_1` (what `regionName` answers).
    atlas: String,
    /// The provider's spelling, e.g. `us-east-1`.
    native: &'static str,
}

impl Provider {
    /// Parses the exact (upper-case) Atlas spelling.
    pub(crate) fn parse(text: &str) -> Option<Provider> {
        match text {
            "AWS" => Some(Provider::Aws),
            "AZURE" => Some(Provider::Azure),
            "GCP" => Some(Provider::Gcp),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Provider::Aws => "AWS",
            Provider::Azure => "AZURE",
            Provider::Gcp => "GCP",
        }
    }

    /// Finds a region given in the Atlas or the provider's spelling.
    fn region(self, input: &str) -> Option<Region> {
        let table = |regions: &[(&'static str, &'static str)]| {
            regions
                .iter()
                .find(|(atlas, native)| *atlas == input || *native == input)
                .map(|(atlas, native)| Region {
                    atlas: (*atlas).to_owned(),
                    native,
                })
        };
        match self {
            Provider::Aws => AWS_REGIONS
                .iter()
                .find(|r| **r == input || atlas_region_name(r) == input)
                .map(|r| Region {
                    atlas: atlas_region_name(r),
                    native: r,
                }),
            Provider::Azure => table(&AZURE_REGIONS),
            Provider::Gcp => table(&GCP_REGIONS),
        }
    }

    /// The service status once it stops `INITIATING`.
    fn ready_status(self) -> ServiceStatus {
        match self {
            Provider::Aws => ServiceStatus::WaitingForUser,
            Provider::Azure | Provider::Gcp => ServiceStatus::Available,
        }
    }

    /// The states a new endpoint walks through, one step each; the last one is final.
    fn endpoint_steps(self) -> &'static [&'static str] {
        match self {
            Provider::Aws => &["PENDING_ACCEPTANCE", "PENDING", "AVAILABLE"],
            Provider::Azure => &["INITIATING", "AVAILABLE"],
            Provider::Gcp => &["INITIATING", "VERIFIED", "AVAILABLE"],
        }
    }

    /// The state a failed endpoint reports.
    fn endpoint_failed(self) -> &'static str {
        match self {
            Provider::Aws => "REJECTED",
            Provider::Azure | Provider::Gcp => "FAILED",
        }
    }

    /// How error messages call an endpoint of this provider.
    fn endpoint_noun(self) -> &'static str {
        match self {
            Provider::Aws => "interface endpoint",
            Provider::Azure => "private endpoint",
            Provider::Gcp => "endpoint group",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ServiceStatus {
    Initiating,
    WaitingForUser,
    Available,
    Failed,
    Deleting,
}

impl ServiceStatus {
    fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Initiating => "INITIATING",
            ServiceStatus::WaitingForUser => "WAITING_FOR_USER",
            ServiceStatus::Available => "AVAILABLE",
            ServiceStatus::Failed => "FAILED",
            ServiceStatus::Deleting => "DELETING",
        }
    }
}

/// Where an endpoint is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EndpointState {
    /// Index into [`Provider::endpoint_steps`].
    Step(usize),
    Failed,
    Deleting,
}

enum EndpointDetails {
    Aws,
    Azure {
        ip_address: String,
        connection_name: String,
    },
    Gcp {
        project_id: String,
        /// (`endpointName`, `ipAddress`) of each forwarding rule.
        rules: Vec<(String, String)>,
        port_mapping: bool,
    },
}

struct Endpoint {
    /// AWS the `vpce-…` id, Azure the ARM resource id, GCP the endpoint group name.
    id: String,
    state: EndpointState,
    gets: u32,
    error_message: Option<String>,
    details: EndpointDetails,
}

impl Endpoint {
    fn provider(&self) -> Provider {
        match self.details {
            EndpointDetails::Aws => Provider::Aws,
            EndpointDetails::Azure { .. } => Provider::Azure,
            EndpointDetails::Gcp { .. } => Provider::Gcp,
        }
    }

    fn status(&self) -> &'static str {
        let provider = self.provider();
        match self.state {
            EndpointState::Step(step) => {
                let steps = provider.endpoint_steps();
                steps[step.min(steps.len() - 1)]
            }
            EndpointState::Failed => provider.endpoint_failed(),
            EndpointState::Deleting => "DELETING",
        }
    }

    fn is_available(&self) -> bool {
        self.status() == "AVAILABLE"
    }

    fn json(&self) -> Value {
        let provider = self.provider();
        let cloud_provider = ("cloudProvider", json::string(provider.as_str()));
        let error_message = (
            "errorMessage",
            json::opt_string(self.error_message.as_deref()),
        );
        let delete_requested = (
            "deleteRequested",
            Value::Bool(self.state == EndpointState::Deleting),
        );
        let status = json::string(self.status());
        match &self.details {
            EndpointDetails::Aws => json::object([
                cloud_provider,
                ("interfaceEndpointId", json::string(self.id.clone())),
                ("connectionStatus", status),
                error_message,
                delete_requested,
            ]),
            EndpointDetails::Azure {
                ip_address,
                connection_name,
            } => json::object([
                cloud_provider,
                ("privateEndpointResourceId", json::string(self.id.clone())),
                ("privateEndpointIPAddress", json::string(ip_address.clone())),
                (
                    "privateEndpointConnectionName",
                    json::string(connection_name.clone()),
                ),
                ("status", status),
                error_message,
                delete_requested,
            ]),
            EndpointDetails::Gcp {
                project_id,
                rules,
                port_mapping,
            } => {
                let rule_status = match self.state {
                    EndpointState::Failed => "FAILED",
                    EndpointState::Deleting => "DELETING",
                    EndpointState::Step(_) if self.is_available() => "AVAILABLE",
                    EndpointState::Step(_) => "INITIATING",
                };
                let endpoints = rules
                    .iter()
                    .map(|(name, ip)| {
                        json::object([
                            ("endpointName", json::string(name.clone())),
                            ("ipAddress", json::string(ip.clone())),
                            ("status", json::string(rule_status)),
                        ])
                    })
                    .collect();
                json::object([
                    cloud_provider,
                    ("endpointGroupName", json::string(self.id.clone())),
                    ("gcpProjectId", json::string(project_id.clone())),
                    ("endpoints", Value::Array(endpoints)),
                    ("portMappingEnabled", Value::Bool(*port_mapping)),
                    ("status", status),
                    error_message,
                    delete_requested,
                ])
            }
        }
    }
}

enum ServiceDetails {
    Aws {
        service_name: String,
        remote_regions: Option<Vec<String>>,
    },
    Azure {
        link_name: String,
        link_resource_id: String,
    },
    Gcp {
        port_mapping: bool,
        attachments: Vec<String>,
    },
}

struct Service {
    id: String,
    region: Region,
    status: ServiceStatus,
    /// Whether it left `INITIATING` (the provider's names and attachments are shown).
    ready: bool,
    gets: u32,
    error_message: Option<String>,
    endpoints: Vec<Endpoint>,
    details: ServiceDetails,
}

fn strings(items: impl IntoIterator<Item = String>) -> Value {
    Value::Array(items.into_iter().map(json::string).collect())
}

impl Service {
    fn provider(&self) -> Provider {
        match self.details {
            ServiceDetails::Aws { .. } => Provider::Aws,
            ServiceDetails::Azure { .. } => Provider::Azure,
            ServiceDetails::Gcp { .. } => Provider::Gcp,
        }
    }

    fn is_live(&self) -> bool {
        self.status != ServiceStatus::Deleting
    }

    /// The members, in Atlas's (alphabetical) order.
    fn json(&self) -> Value {
        let shown = |text: &str| json::opt_string(self.ready.then_some(text));
        let endpoint_ids = strings(self.endpoints.iter().map(|e| e.id.clone()));
        let mut members = vec![
            ("cloudProvider", json::string(self.provider().as_str())),
            (
                "errorMessage",
                json::opt_string(self.error_message.as_deref()),
            ),
            ("id", json::string(self.id.clone())),
            ("regionName", json::string(self.region.atlas.clone())),
            ("status", json::string(self.status.as_str())),
        ];
        match &self.details {
            ServiceDetails::Aws {
                service_name,
                remote_regions,
            } => {
                members.push(("endpointServiceName", shown(service_name)));
                members.push(("interfaceEndpoints", endpoint_ids));
                if let Some(regions) = remote_regions {
                    members.push(("supportedRemoteRegions", strings(regions.clone())));
                }
            }
            ServiceDetails::Azure {
                link_name,
                link_resource_id,
            } => {
                members.push(("privateEndpoints", endpoint_ids));
                members.push(("privateLinkServiceName", shown(link_name)));
                members.push(("privateLinkServiceResourceId", shown(link_resource_id)));
            }
            ServiceDetails::Gcp {
                port_mapping,
                attachments,
            } => {
                members.push(("endpointGroupNames", endpoint_ids));
                members.push(("portMappingEnabled", Value::Bool(*port_mapping)));
                let attachments = if self.ready {
                    attachments.clone()
                } else {
                    Vec::new()
                };
                members.push(("serviceAttachmentNames", strings(attachments)));
            }
        }
        members.sort_by_key(|(key, _)| *key);
        json::object(members)
    }
}

/// One project's v2 resources.
#[derive(Default)]
struct Group {
    services: Vec<Service>,
    regional_mode: bool,
}

/// All v2 resources of one server.
pub(crate) struct EndpointServiceStore {
    /// Group id (lowercased) → its resources.
    groups: HashMap<String, Group>,
    polls_until_ready: u32,
    polls_per_step: u32,
}

impl ApiError {
    fn service_not_found(provider: Provider, group_id: &str, id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!(
                "Cannot find resource {} endpoint service {id} in group {group_id}.",
                provider.as_str()
            ),
            vec![json::string(id), json::string(group_id)],
        )
    }

    fn endpoint_not_found(provider: Provider, service_id: &str, endpoint_id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!(
                "Cannot find resource {} {endpoint_id} in endpoint service {service_id}.",
                provider.endpoint_noun()
            ),
            vec![json::string(endpoint_id), json::string(service_id)],
        )
    }

    fn invalid_region(provider: Provider, region: &str) -> ApiError {
        ApiError::bad_request(
            "INVALID_REGION",
            format!(
                "No region {region} exists for provider {}.",
                provider.as_str()
            ),
            vec![json::string(region), json::string(provider.as_str())],
        )
    }

    fn conflict(code: &'static str, detail: String, parameters: Vec<Value>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, detail, parameters)
    }
}

/// An optional boolean attribute (`null` counts as absent).
fn optional_bool(body: &Map<String, Value>, name: &str) -> Result<Option<bool>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => Err(ApiError::invalid_attribute(name)),
    }
}

/// A required, non-empty string attribute.
fn required_nonempty<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, ApiError> {
    match required_str(body, name)? {
        "" => Err(ApiError::invalid_attribute(name)),
        text => Ok(text),
    }
}

/// `supportedRemoteRegions`: `null` or up to 35 AWS regions (either spelling), kept as sent.
fn remote_regions(value: &Value) -> Result<Option<Vec<String>>, ApiError> {
    const NAME: &str = "supportedRemoteRegions";
    let items = match value {
        Value::Null => return Ok(None),
        Value::Array(items) if items.len() <= 35 => items,
        _ => return Err(ApiError::invalid_attribute(NAME)),
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(region) if Provider::Aws.region(region).is_some() => Ok(region.clone()),
            Value::String(region) => Err(ApiError::invalid_region(Provider::Aws, region)),
            _ => Err(ApiError::invalid_attribute(NAME)),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A `cloudProvider` member of an endpoint body must name the provider of the path.
fn check_body_provider(body: &Map<String, Value>, provider: Provider) -> Result<(), ApiError> {
    match body.get("cloudProvider") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(text)) => match Provider::parse(text) {
            Some(named) if named == provider => Ok(()),
            Some(_) => Err(ApiError::invalid_attribute("cloudProvider")),
            None => Err(ApiError::invalid_enum(text)),
        },
        Some(_) => Err(ApiError::invalid_attribute("cloudProvider")),
    }
}

/// `vpce-` followed by 17 lowercase hex digits.
fn is_vpce_id(id: &str) -> bool {
    id.strip_prefix("vpce-").is_some_and(|rest| {
        rest.len() == 17 && rest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, len)| {
            group.len() == len
                && group
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        })
}

fn is_arm_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
}

/// Splits `/subscriptions/<uuid>/resourceGroups/<rg>/providers/Microsoft.Network/privateEndpoints/<name>`
/// into (subscription, resource group, name).
fn parse_azure_endpoint_id(id: &str) -> Option<(&str, &str, &str)> {
    let parts: Vec<&str> = id.split('/').collect();
    match parts.as_slice() {
        [
            "",
            "subscriptions",
            subscription,
            "resourceGroups" | "resourcegroups",
            group,
            "providers",
            "Microsoft.Network",
            "privateEndpoints",
            name,
        ] if is_uuid(subscription) && is_arm_name(group) && is_arm_name(name) => {
            Some((subscription, group, name))
        }
        _ => None,
    }
}

fn ip_address(body: &Map<String, Value>, name: &str) -> Result<String, ApiError> {
    let text = required_str(body, name)?;
    text.parse::<IpAddr>()
        .map(|_| text.to_owned())
        .map_err(|_| ApiError::invalid_attribute(name))
}

/// Parses an endpoint creation body: (endpoint id, details).
fn parse_endpoint(
    provider: Provider,
    body: &Map<String, Value>,
    port_mapping: bool,
) -> Result<(String, EndpointDetails), ApiError> {
    match provider {
        Provider::Aws => {
            let id = required_str(body, "id")?;
            if !is_vpce_id(id) {
                return Err(ApiError::invalid_attribute("id"));
            }
            Ok((id.to_owned(), EndpointDetails::Aws))
        }
        Provider::Azure => {
            let id = required_str(body, "id")?;
            let (subscription, group, name) =
                parse_azure_endpoint_id(id).ok_or_else(|| ApiError::invalid_attribute("id"))?;
            let ip_address = ip_address(body, "privateEndpointIPAddress")?;
            let connection_name = format!("{subscription}%2F{group}%2F{name}");
            Ok((
                id.to_owned(),
                EndpointDetails::Azure {
                    ip_address,
                    connection_name,
                },
            ))
        }
        Provider::Gcp => {
            let group_name = required_nonempty(body, "endpointGroupName")?;
            let project_id = required_nonempty(body, "gcpProjectId")?;
            let items = match body.get("endpoints") {
                None | Some(Value::Null) => return Err(ApiError::missing_attribute("endpoints")),
                Some(Value::Array(items)) if !items.is_empty() => items,
                Some(_) => return Err(ApiError::invalid_attribute("endpoints")),
            };
            let rules = items
                .iter()
                .map(|item| match item {
                    Value::Object(rule) => Ok((
                        required_nonempty(rule, "endpointName")?.to_owned(),
                        ip_address(rule, "ipAddress")?,
                    )),
                    _ => Err(ApiError::invalid_attribute("endpoints")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((
                group_name.to_owned(),
                EndpointDetails::Gcp {
                    project_id: project_id.to_owned(),
                    rules,
                    port_mapping,
                },
            ))
        }
    }
}

/// A random lowercase UUID.
fn uuid() -> String {
    let hex = crate::random::hex(32);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The provider-side names of a new service (shown once it is ready).
fn new_service_details(
    provider: Provider,
    id: &str,
    region: &Region,
    port_mapping: bool,
    remote_regions: Option<Vec<String>>,
) -> ServiceDetails {
    let native = region.native;
    match provider {
        Provider::Aws => ServiceDetails::Aws {
            service_name: format!(
                "com.amazonaws.vpce.{native}.vpce-svc-{}",
                crate::random::hex(17)
            ),
            remote_regions,
        },
        Provider::Azure => {
            let link_id = crate::random::hex(24);
            ServiceDetails::Azure {
                link_name: format!("pls_{link_id}"),
                link_resource_id: format!(
                    "/subscriptions/{}/resourceGroups/rg_{link_id}_{}/providers/Microsoft.Network/privateLinkServices/pls_{link_id}",
                    uuid(),
                    crate::random::hex(8)
                ),
            }
        }
        Provider::Gcp => {
            let project = crate::random::hex(24);
            let count = if port_mapping { 1 } else { 3 };
            ServiceDetails::Gcp {
                port_mapping,
                attachments: (0..count)
                    .map(|n| {
                        format!(
                            "https://www.googleapis.com/compute/v1/projects/p-{project}/regions/{native}/serviceAttachments/sa-{native}-{id}-{n}"
                        )
                    })
                    .collect(),
            }
        }
    }
}

impl EndpointServiceStore {
    pub(crate) fn new(polls_until_ready: u32, polls_per_step: u32) -> EndpointServiceStore {
        EndpointServiceStore {
            groups: HashMap::new(),
            polls_until_ready,
            polls_per_step,
        }
    }

    fn group_mut(&mut self, group_id: &str) -> &mut Group {
        self.groups
            .entry(group_id.to_ascii_lowercase())
            .or_default()
    }

    /// A service of `provider` (any status) and its index.
    fn service_mut(
        &mut self,
        group_id: &str,
        provider: Provider,
        id: &str,
    ) -> Result<(usize, &mut Service), ApiError> {
        self.groups
            .get_mut(&group_id.to_ascii_lowercase())
            .and_then(|group| {
                group
                    .services
                    .iter_mut()
                    .enumerate()
                    .find(|(_, s)| s.id == id && s.provider() == provider)
            })
            .ok_or_else(|| ApiError::service_not_found(provider, group_id, id))
    }

    /// A service that is not being deleted (endpoint operations, PATCH).
    fn live_service_mut(
        &mut self,
        group_id: &str,
        provider: Provider,
        id: &str,
    ) -> Result<&mut Service, ApiError> {
        match self.service_mut(group_id, provider, id)? {
            (_, service) if service.is_live() => Ok(service),
            _ => Err(ApiError::service_not_found(provider, group_id, id)),
        }
    }

    /// `POST P/endpointService`.
    pub(crate) fn create_service(
        &mut self,
        group_id: &str,
        body: &[u8],
    ) -> Result<Value, ApiError> {
        let body = json_object(body)?;
        let provider_name = required_str(&body, "providerName")?;
        let provider =
            Provider::parse(provider_name).ok_or_else(|| ApiError::invalid_enum(provider_name))?;
        let region_input = required_str(&body, "region")?;
        let region = provider
            .region(region_input)
            .ok_or_else(|| ApiError::invalid_region(provider, region_input))?;
        let port_mapping = optional_bool(&body, "portMappingEnabled")?.unwrap_or(false);
        let remote_regions = match body.get("supportedRemoteRegions") {
            Some(value) if provider == Provider::Aws => remote_regions(value)?,
            _ => None,
        };
        let group = self.group_mut(group_id);
        if group
            .services
            .iter()
            .any(|s| s.is_live() && s.provider() == provider && s.region == region)
        {
            return Err(ApiError::conflict(
                "PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION",
                format!(
                    "A private endpoint service already exists for {} region {}.",
                    provider.as_str(),
                    region.atlas
                ),
                vec![
                    json::string(provider.as_str()),
                    json::string(region.atlas.clone()),
                ],
            ));
        }
        let id = crate::random::object_id();
        let details = new_service_details(provider, &id, &region, port_mapping, remote_regions);
        let service = Service {
            id,
            region,
            status: ServiceStatus::Initiating,
            ready: false,
            gets: 0,
            error_message: None,
            endpoints: Vec::new(),
            details,
        };
        let json = service.json();
        group.services.push(service);
        Ok(json)
    }

    /// `GET P/{cloudProvider}/endpointService` (not a poll).
    pub(crate) fn list_services(&self, group_id: &str, provider: Provider) -> Value {
        Value::Array(self.snapshot(group_id, provider))
    }

    /// `GET P/{cloudProvider}/endpointService/{id}` — one poll.
    pub(crate) fn get_service(
        &mut self,
        group_id: &str,
        provider: Provider,
        id: &str,
    ) -> Result<Value, ApiError> {
        let polls_until_ready = self.polls_until_ready;
        let (index, service) = self.service_mut(group_id, provider, id)?;
        if !service.is_live() {
            // The deletion completed: the resource is gone.
            self.group_mut(group_id).services.remove(index);
            return Err(ApiError::service_not_found(provider, group_id, id));
        }
        service.gets = service.gets.saturating_add(1);
        if service.status == ServiceStatus::Initiating && service.gets > polls_until_ready {
            service.status = provider.ready_status();
            service.ready = true;
        }
        // AWS: ready for the user until one of its endpoints is AVAILABLE (then sticky).
        if service.status == ServiceStatus::WaitingForUser
            && service.endpoints.iter().any(Endpoint::is_available)
        {
            service.status = ServiceStatus::Available;
        }
        Ok(service.json())
    }

    /// `PATCH P/endpointService/{id}`: only the members present change.
    pub(crate) fn update_service(
        &mut self,
        group_id: &str,
        id: &str,
        body: &[u8],
    ) -> Result<Value, ApiError> {
        let body = json_object(body)?;
        let provider_name = required_str(&body, "cloudProvider")?;
        if Provider::parse(provider_name) != Some(Provider::Aws) {
            return Err(ApiError::invalid_enum(provider_name));
        }
        let new_regions = body
            .get("supportedRemoteRegions")
            .map(remote_regions)
            .transpose()?;
        let service = self.live_service_mut(group_id, Provider::Aws, id)?;
        if let (Some(new_regions), ServiceDetails::Aws { remote_regions, .. }) =
            (new_regions, &mut service.details)
        {
            *remote_regions = new_regions;
        }
        Ok(service.json())
    }

    /// `DELETE P/{cloudProvider}/endpointService/{id}` (again on a deleting one: fine).
    pub(crate) fn delete_service(
        &mut self,
        group_id: &str,
        provider: Provider,
        id: &str,
    ) -> Result<(), ApiError> {
        let (_, service) = self.service_mut(group_id, provider, id)?;
        if !service.is_live() {
            return Ok(());
        }
        let remaining = service
            .endpoints
            .iter()
            .filter(|e| e.state != EndpointState::Deleting)
            .count();
        if remaining > 0 {
            return Err(ApiError::conflict(
                "CANNOT_DELETE_ENDPOINT_SERVICE_WITH_ENDPOINTS",
                format!(
                    "Cannot delete endpoint service {id} while it has {remaining} private endpoint(s); delete them first."
                ),
                vec![json::string(id), json::int(remaining as u64)],
            ));
        }
        service.status = ServiceStatus::Deleting;
        Ok(())
    }

    /// `POST P/{cloudProvider}/endpointService/{id}/endpoint`.
    pub(crate) fn create_endpoint(
        &mut self,
        group_id: &str,
        provider: Provider,
        service_id: &str,
        body: &[u8],
    ) -> Result<Value, ApiError> {
        let body = json_object(body)?;
        check_body_provider(&body, provider)?;
        let service = self.live_service_mut(group_id, provider, service_id)?;
        let port_mapping = matches!(
            service.details,
            ServiceDetails::Gcp {
                port_mapping: true,
                ..
            }
        );
        let (endpoint_id, details) = parse_endpoint(provider, &body, port_mapping)?;
        if !matches!(
            service.status,
            ServiceStatus::WaitingForUser | ServiceStatus::Available
        ) {
            return Err(ApiError::conflict(
                "PRIVATE_ENDPOINT_SERVICE_NOT_READY",
                format!(
                    "Endpoint service {service_id} is {}; wait until it is ready before adding endpoints.",
                    service.status.as_str()
                ),
                vec![
                    json::string(service_id),
                    json::string(service.status.as_str()),
                ],
            ));
        }
        if service.endpoints.iter().any(|e| e.id == endpoint_id) {
            return Err(ApiError::conflict(
                "PRIVATE_ENDPOINT_ALREADY_EXISTS",
                format!(
                    "The {} {endpoint_id} already exists in endpoint service {service_id}.",
                    provider.endpoint_noun()
                ),
                vec![json::string(endpoint_id), json::string(service_id)],
            ));
        }
        let endpoint = Endpoint {
            id: endpoint_id,
            state: EndpointState::Step(0),
            gets: 0,
            error_message: None,
            details,
        };
        let json = endpoint.json();
        service.endpoints.push(endpoint);
        Ok(json)
    }

    /// `GET …/endpoint/{endpointId}` — one poll. After a DELETE it answers 404 and removes
    /// the endpoint; removing the last one puts the service into `DELETING`.
    pub(crate) fn get_endpoint(
        &mut self,
        group_id: &str,
        provider: Provider,
        service_id: &str,
        endpoint_id: &str,
    ) -> Result<Value, ApiError> {
        let step = self.polls_per_step;
        let service = self.live_service_mut(group_id, provider, service_id)?;
        let not_found = || ApiError::endpoint_not_found(provider, service_id, endpoint_id);
        let index = service
            .endpoints
            .iter()
            .position(|e| e.id == endpoint_id)
            .ok_or_else(not_found)?;
        let endpoint = &mut service.endpoints[index];
        match endpoint.state {
            EndpointState::Deleting => {
                service.endpoints.remove(index);
                if service.endpoints.is_empty() {
                    service.status = ServiceStatus::Deleting;
                }
                return Err(not_found());
            }
            EndpointState::Failed => {}
            EndpointState::Step(_) => {
                endpoint.gets = endpoint.gets.saturating_add(1);
                // Each state is observed by `step` GETs before the next one.
                let stage = (endpoint.gets - 1).checked_div(step).unwrap_or(u32::MAX);
                let last = provider.endpoint_steps().len() - 1;
                endpoint.state = EndpointState::Step(last.min(stage as usize));
            }
        }
        Ok(endpoint.json())
    }

    /// `DELETE …/endpoint/{endpointId}` (again on a deleting one: fine).
    pub(crate) fn delete_endpoint(
        &mut self,
        group_id: &str,
        provider: Provider,
        service_id: &str,
        endpoint_id: &str,
    ) -> Result<(), ApiError> {
        let service = self.live_service_mut(group_id, provider, service_id)?;
        let endpoint = service
            .endpoints
            .iter_mut()
            .find(|e| e.id == endpoint_id)
            .ok_or_else(|| ApiError::endpoint_not_found(provider, service_id, endpoint_id))?;
        endpoint.state = EndpointState::Deleting;
        Ok(())
    }

    /// `GET P/regionalMode`.
    pub(crate) fn regional_mode(&self, group_id: &str) -> Value {
        let enabled = self
            .groups
            .get(&group_id.to_ascii_lowercase())
            .is_some_and(|g| g.regional_mode);
        json::object([("enabled", Value::Bool(enabled))])
    }

    /// `PATCH P/regionalMode`. Turning it off is refused (409) while one provider has live
    /// endpoint services in more than one region.
    pub(crate) fn set_regional_mode(
        &mut self,
        group_id: &str,
        body: &[u8],
    ) -> Result<Value, ApiError> {
        let body = json_object(body)?;
        let enabled = optional_bool(&body, "enabled")?
            .ok_or_else(|| ApiError::missing_attribute("enabled"))?;
        let group = self.group_mut(group_id);
        if group.regional_mode && !enabled {
            let multi_region = [Provider::Aws, Provider::Azure, Provider::Gcp]
                .into_iter()
                .find(|provider| {
                    let mut regions: Vec<&str> = group
                        .services
                        .iter()
                        .filter(|s| s.is_live() && s.provider() == *provider)
                        .map(|s| s.region.atlas.as_str())
                        .collect();
                    regions.sort_unstable();
                    regions.dedup();
                    regions.len() > 1
                });
            if let Some(provider) = multi_region {
                return Err(ApiError::conflict(
                    "CANNOT_DISABLE_REGIONALIZED_PRIVATE_ENDPOINTS",
                    format!(
                        "Cannot disable regionalized private endpoints while {} endpoint services exist in more than one region.",
                        provider.as_str()
                    ),
                    vec![json::string(provider.as_str())],
                ));
            }
        }
        group.regional_mode = enabled;
        Ok(json::object([("enabled", Value::Bool(enabled))]))
    }

    /// Test hook: the service becomes FAILED (and stays so).
    pub(crate) fn set_service_failed(
        &mut self,
        group_id: &str,
        provider: Provider,
        id: &str,
    ) -> bool {
        match self.service_mut(group_id, provider, id) {
            Ok((_, service)) => {
                service.status = ServiceStatus::Failed;
                service.error_message = Some("A system failure has occurred.".to_owned());
                true
            }
            Err(_) => false,
        }
    }

    /// Test hook: the endpoint becomes REJECTED (AWS) / FAILED (and stays so).
    pub(crate) fn set_endpoint_failed(
        &mut self,
        group_id: &str,
        provider: Provider,
        service_id: &str,
        endpoint_id: &str,
    ) -> bool {
        let Ok((_, service)) = self.service_mut(group_id, provider, service_id) else {
            return false;
        };
        match service.endpoints.iter_mut().find(|e| e.id == endpoint_id) {
            Some(endpoint) => {
                endpoint.state = EndpointState::Failed;
                endpoint.error_message = Some(format!(
                    "{} failed to establish the {} connection.",
                    provider.as_str(),
                    provider.endpoint_noun()
                ));
                true
            }
            None => false,
        }
    }

    /// The services of one provider, as the list operation answers them.
    pub(crate) fn snapshot(&self, group_id: &str, provider: Provider) -> Vec<Value> {
        self.groups
            .get(&group_id.to_ascii_lowercase())
            .into_iter()
            .flat_map(|g| g.services.iter())
            .filter(|s| s.provider() == provider)
            .map(Service::json)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "5df264b8f10fab7d2cad2f0d";
    const AZURE_ID: &str = "/subscriptions/19265c27-b60e-4c3b-9426-ae3f507300b5/resourceGroups/test/providers/Microsoft.Network/privateEndpoints/test";

    fn code(result: Result<Value, ApiError>) -> Option<(u16, &'static str)> {
        result.err().map(|e| (e.status.as_u16(), e.code))
    }

    /// A ready service of `provider` in `region`; returns its id.
    fn ready_service(
        store: &mut EndpointServiceStore,
        provider: Provider,
        region: &str,
        extra: &str,
    ) -> String {
        let body = format!(
            r#"{{"providerName":"{}","region":"{region}"{extra}}}"#,
            provider.as_str()
        );
        let created = store.create_service(G, body.as_bytes()).unwrap();
        assert_eq!(created["status"], "INITIATING");
        let id = created["id"].as_str().unwrap().to_owned();
        for _ in 0..store.polls_until_ready {
            assert_eq!(
                store.get_service(G, provider, &id).unwrap()["status"],
                "INITIATING"
            );
        }
        let ready = store.get_service(G, provider, &id).unwrap();
        let expected = provider.ready_status().as_str();
        assert_eq!(ready["status"], expected);
        id
    }

    fn poll_statuses(
        store: &mut EndpointServiceStore,
        provider: Provider,
        service: &str,
        endpoint: &str,
        key: &str,
        times: usize,
    ) -> Vec<String> {
        (0..times)
            .map(|_| {
                let got = store.get_endpoint(G, provider, service, endpoint).unwrap();
                got[key].as_str().unwrap().to_owned()
            })
            .collect()
    }

    #[test]
    fn regions_in_both_spellings() {
        let atlas = |p: Provider, r: &str| p.region(r).map(|r| r.atlas);
        assert_eq!(
            atlas(Provider::Aws, "us-east-1").as_deref(),
            Some("US_EAST_1")
        );
        assert_eq!(
            atlas(Provider::Aws, "US_WEST_1").as_deref(),
            Some("US_WEST_1")
        );
        assert_eq!(
            atlas(Provider::Azure, "eastus2").as_deref(),
            Some("US_EAST_2")
        );
        assert_eq!(
            atlas(Provider::Azure, "US_EAST_2").as_deref(),
            Some("US_EAST_2")
        );
        assert_eq!(
            atlas(Provider::Gcp, "us-central1").as_deref(),
            Some("CENTRAL_US")
        );
        assert_eq!(
            atlas(Provider::Gcp, "us-west3").as_deref(),
            Some("US_WEST_3")
        );
        assert_eq!(atlas(Provider::Gcp, "us-east-1"), None);
        assert_eq!(atlas(Provider::Azure, "us-east-1"), None);
    }

    #[test]
    fn create_validation() {
        let mut store = EndpointServiceStore::new(0, 1);
        let mut create = |body: &str| code(store.create_service(G, body.as_bytes()));
        assert_eq!(create(""), Some((400, "INVALID_JSON")));
        assert_eq!(
            create(r#"{"region":"us-east-1"}"#),
            Some((400, "MISSING_ATTRIBUTE"))
        );
        assert_eq!(
            create(r#"{"providerName":"IBM","region":"x"}"#),
            Some((400, "INVALID_ENUM_VALUE"))
        );
        assert_eq!(
            create(r#"{"providerName":"GCP","region":"us-east-1"}"#),
            Some((400, "INVALID_REGION"))
        );
        assert_eq!(
            create(r#"{"providerName":"GCP","region":"us-west3","portMappingEnabled":"yes"}"#),
            Some((400, "INVALID_ATTRIBUTE"))
        );
        assert_eq!(
            create(
                r#"{"providerName":"AWS","region":"us-east-1","supportedRemoteRegions":"US_EAST_2"}"#
            ),
            Some((400, "INVALID_ATTRIBUTE"))
        );
        assert_eq!(
            create(
                r#"{"providerName":"AWS","region":"us-east-1","supportedRemoteRegions":["MARS"]}"#
            ),
            Some((400, "INVALID_REGION"))
        );
        assert!(store.snapshot(G, Provider::Aws).is_empty());
    }

    #[test]
    fn duplicate_provider_and_region_conflicts() {
        let mut store = EndpointServiceStore::new(0, 1);
        let aws = br#"{"providerName":"AWS","region":"us-east-1"}"#;
        store.create_service(G, aws).unwrap();
        let error = store
            .create_service(G, br#"{"providerName":"AWS","region":"US_EAST_1"}"#)
            .unwrap_err();
        assert_eq!(error.status, StatusCode::CONFLICT);
        assert_eq!(
            error.body().to_string(),
            r#"{"detail":"A private endpoint service already exists for AWS region US_EAST_1.","error":409,"errorCode":"PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION","parameters":["AWS","US_EAST_1"],"reason":"Conflict"}"#
        );
        store
            .create_service(G, br#"{"providerName":"AZURE","region":"eastus2"}"#)
            .unwrap();
        assert_eq!(
            code(store.create_service(G, br#"{"providerName":"AZURE","region":"US_EAST_2"}"#)),
            Some((409, "PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION"))
        );
    }

    #[test]
    fn aws_lifecycle() {
        let mut store = EndpointServiceStore::new(2, 1);
        let id = ready_service(&mut store, Provider::Aws, "us-east-1", "");
        let service = store.get_service(G, Provider::Aws, &id).unwrap();
        let name = service["endpointServiceName"].as_str().unwrap();
        assert!(
            name.starts_with("com.amazonaws.vpce.us-east-1.vpce-svc-"),
            "{name}"
        );
        assert_eq!(service["regionName"], "US_EAST_1");
        let vpce = "vpce-0123456789abcdef0";
        let created = store
            .create_endpoint(
                G,
                Provider::Aws,
                &id,
                format!(r#"{{"id":"{vpce}"}}"#).as_bytes(),
            )
            .unwrap();
        assert_eq!(
            created.to_string(),
            format!(
                r#"{{"cloudProvider":"AWS","interfaceEndpointId":"{vpce}","connectionStatus":"PENDING_ACCEPTANCE","errorMessage":null,"deleteRequested":false}}"#
            )
        );
        assert_eq!(
            poll_statuses(&mut store, Provider::Aws, &id, vpce, "connectionStatus", 4),
            ["PENDING_ACCEPTANCE", "PENDING", "AVAILABLE", "AVAILABLE"]
        );
        // One endpoint AVAILABLE: the service is AVAILABLE.
        let service = store.get_service(G, Provider::Aws, &id).unwrap();
        assert_eq!(service["status"], "AVAILABLE");
        assert_eq!(service["interfaceEndpoints"], serde_json::json!([vpce]));
        assert_eq!(
            store
                .delete_service(G, Provider::Aws, &id)
                .map_err(|e| e.code),
            Err("CANNOT_DELETE_ENDPOINT_SERVICE_WITH_ENDPOINTS")
        );
        store.delete_endpoint(G, Provider::Aws, &id, vpce).unwrap();
        store.delete_endpoint(G, Provider::Aws, &id, vpce).unwrap();
        assert_eq!(store.snapshot(G, Provider::Aws)[0]["status"], "AVAILABLE");
        // The last endpoint goes: so does the service.
        assert_eq!(
            code(store.get_endpoint(G, Provider::Aws, &id, vpce)),
            Some((404, "RESOURCE_NOT_FOUND"))
        );
        assert_eq!(store.snapshot(G, Provider::Aws)[0]["status"], "DELETING");
        store.delete_service(G, Provider::Aws, &id).unwrap();
        assert_eq!(
            code(store.get_service(G, Provider::Aws, &id)),
            Some((404, "RESOURCE_NOT_FOUND"))
        );
        assert!(store.snapshot(G, Provider::Aws).is_empty());
    }

    #[test]
    fn azure_lifecycle_and_bodies() {
        let mut store = EndpointServiceStore::new(0, 2);
        let id = ready_service(&mut store, Provider::Azure, "US_EAST_2", "");
        let service = store.get_service(G, Provider::Azure, &id).unwrap();
        let link = service["privateLinkServiceName"].as_str().unwrap();
        assert!(link.starts_with("pls_") && link.len() == 28, "{link}");
        assert!(
            service["privateLinkServiceResourceId"]
                .as_str()
                .unwrap()
                .ends_with(link)
        );
        let mut add =
            |body: String| store.create_endpoint(G, Provider::Azure, &id, body.as_bytes());
        assert_eq!(
            code(add(r#"{"id":"/subscriptions/x/privateEndpoints/a","privateEndpointIPAddress":"10.0.0.4"}"#.into())),
            Some((400, "INVALID_ATTRIBUTE"))
        );
        assert_eq!(
            code(add(format!(r#"{{"id":"{AZURE_ID}"}}"#))),
            Some((400, "MISSING_ATTRIBUTE"))
        );
        assert_eq!(
            code(add(format!(
                r#"{{"id":"{AZURE_ID}","privateEndpointIPAddress":"10.0.0"}}"#
            ))),
            Some((400, "INVALID_ATTRIBUTE"))
        );
        assert_eq!(
            code(add(format!(
                r#"{{"cloudProvider":"AWS","id":"{AZURE_ID}","privateEndpointIPAddress":"10.0.0.4"}}"#
            ))),
            Some((400, "INVALID_ATTRIBUTE"))
        );
        let body = format!(
            r#"{{"cloudProvider":"AZURE","id":"{AZURE_ID}","privateEndpointIPAddress":"10.0.0.4"}}"#
        );
        let created = add(body.clone()).unwrap();
        assert_eq!(created["status"], "INITIATING");
        assert_eq!(created["privateEndpointResourceId"], AZURE_ID);
        assert_eq!(
            created["privateEndpointConnectionName"],
            "19265c27-b60e-4c3b-9426-ae3f507300b5%2Ftest%2Ftest"
        );
        assert_eq!(
            code(add(body)),
            Some((409, "PRIVATE_ENDPOINT_ALREADY_EXISTS"))
        );
        assert_eq!(
            poll_statuses(&mut store, Provider::Azure, &id, AZURE_ID, "status", 3),
            ["INITIATING", "INITIATING", "AVAILABLE"]
        );
        assert!(store.set_endpoint_failed(G, Provider::Azure, &id, AZURE_ID));
        assert_eq!(
            poll_statuses(&mut store, Provider::Azure, &id, AZURE_ID, "status", 2),
            ["FAILED", "FAILED"]
        );
        // Not under another provider.
        assert_eq!(
            code(store.get_service(G, Provider::Gcp, &id)),
            Some((404, "RESOURCE_NOT_FOUND"))
        );
    }

    #[test]
    fn gcp_lifecycle_with_immediate_steps() {
        let mut store = EndpointServiceStore::new(1, 0);
        let id = ready_service(
            &mut store,
            Provider::Gcp,
            "us-west3",
            r#","portMappingEnabled":true"#,
        );
        let service = store.get_service(G, Provider::Gcp, &id).unwrap();
        assert_eq!(service["portMappingEnabled"], true);
        assert_eq!(
            service["serviceAttachmentNames"].as_array().map(Vec::len),
            Some(1)
        );
        let body = br#"{"endpointGroupName":"group-1","gcpProjectId":"my-project","endpoints":[{"endpointName":"rule-1","ipAddress":"10.0.0.5"}]}"#;
        let created = store.create_endpoint(G, Provider::Gcp, &id, body).unwrap();
        assert_eq!(created["status"], "INITIATING");
        assert_eq!(created["endpoints"][0]["status"], "INITIATING");
        let got = store
            .get_endpoint(G, Provider::Gcp, &id, "group-1")
            .unwrap();
        assert_eq!(got["status"], "AVAILABLE");
        assert_eq!(got["endpoints"][0]["status"], "AVAILABLE");
        assert_eq!(
            code(store.create_endpoint(
                G,
                Provider::Gcp,
                &id,
                br#"{"endpointGroupName":"g","gcpProjectId":"p","endpoints":[]}"#
            )),
            Some((400, "INVALID_ATTRIBUTE"))
        );
    }

    #[test]
    fn gcp_steps_and_not_ready_service() {
        let mut store = EndpointServiceStore::new(1, 1);
        let created = store
            .create_service(G, br#"{"providerName":"GCP","region":"us-central1"}"#)
            .unwrap();
        assert_eq!(created["regionName"], "CENTRAL_US");
        assert_eq!(created["serviceAttachmentNames"], serde_json::json!([]));
        let id = created["id"].as_str().unwrap().to_owned();
        let body = br#"{"endpointGroupName":"g","gcpProjectId":"p","endpoints":[{"endpointName":"r","ipAddress":"10.0.0.5"}]}"#;
        assert_eq!(
            code(store.create_endpoint(G, Provider::Gcp, &id, body)),
            Some((409, "PRIVATE_ENDPOINT_SERVICE_NOT_READY"))
        );
        store.get_service(G, Provider::Gcp, &id).unwrap();
        let ready = store.get_service(G, Provider::Gcp, &id).unwrap();
        assert_eq!(
            ready["serviceAttachmentNames"].as_array().map(Vec::len),
            Some(3)
        );
        store.create_endpoint(G, Provider::Gcp, &id, body).unwrap();
        assert_eq!(
            poll_statuses(&mut store, Provider::Gcp, &id, "g", "status", 4),
            ["INITIATING", "VERIFIED", "AVAILABLE", "AVAILABLE"]
        );
    }

    #[test]
    fn patch_changes_only_present_members() {
        let mut store = EndpointServiceStore::new(0, 1);
        let created = store
            .create_service(
                G,
                br#"{"providerName":"AWS","region":"eu-west-1","supportedRemoteRegions":["US_EAST_1"]}"#,
            )
            .unwrap();
        assert_eq!(
            created["supportedRemoteRegions"],
            serde_json::json!(["US_EAST_1"])
        );
        let id = created["id"].as_str().unwrap().to_owned();
        let patched = store
            .update_service(G, &id, br#"{"cloudProvider":"AWS"}"#)
            .unwrap();
        assert_eq!(
            patched["supportedRemoteRegions"],
            serde_json::json!(["US_EAST_1"])
        );
        let patched = store
            .update_service(
                G,
                &id,
                br#"{"cloudProvider":"AWS","supportedRemoteRegions":[]}"#,
            )
            .unwrap();
        assert_eq!(patched["supportedRemoteRegions"], serde_json::json!([]));
        assert_eq!(
            code(store.update_service(G, &id, br#"{"cloudProvider":"GCP"}"#)),
            Some((400, "INVALID_ENUM_VALUE"))
        );
        assert_eq!(
            code(store.update_service(G, &id, br#"{}"#)),
            Some((400, "MISSING_ATTRIBUTE"))
        );
    }

    #[test]
    fn regional_mode_rules() {
        let mut store = EndpointServiceStore::new(0, 1);
        assert_eq!(
            store.regional_mode(G),
            serde_json::json!({"enabled": false})
        );
        assert_eq!(
            code(store.set_regional_mode(G, br#"{"enabled":"yes"}"#)),
            Some((400, "INVALID_ATTRIBUTE"))
        );
        assert_eq!(
            code(store.set_regional_mode(G, br#"{}"#)),
            Some((400, "MISSING_ATTRIBUTE"))
        );
        store.set_regional_mode(G, br#"{"enabled":true}"#).unwrap();
        store
            .create_service(G, br#"{"providerName":"AWS","region":"us-east-1"}"#)
            .unwrap();
        store
            .create_service(G, br#"{"providerName":"GCP","region":"us-east1"}"#)
            .unwrap();
        // Two providers, one region each: fine to turn off.
        store.set_regional_mode(G, br#"{"enabled":false}"#).unwrap();
        store.set_regional_mode(G, br#"{"enabled":true}"#).unwrap();
        store
            .create_service(G, br#"{"providerName":"AWS","region":"us-east-2"}"#)
            .unwrap();
        assert_eq!(
            code(store.set_regional_mode(G, br#"{"enabled":false}"#)),
            Some((409, "CANNOT_DISABLE_REGIONALIZED_PRIVATE_ENDPOINTS"))
        );
        assert_eq!(store.regional_mode(G), serde_json::json!({"enabled": true}));
    }
}
