//! An in-process, Atlas-like HTTP server for testing MongoDB Atlas Admin API clients.
//!
//! [`TestServer`] listens on `127.0.0.1` (a random port by default);
//! [`TestServer::base_url`] is the server root (`http://127.0.0.1:PORT`, no path). It serves
//! two API families: the legacy v1.0 AWS private endpoint operations under [`V1_PATH`]
//! (`/api/atlas/v1.0`) and the v2 Private Endpoint Services operations for AWS, Azure and
//! GCP under [`V2_PATH`] (`/api/atlas/v2`).
//!
//! # v1.0
//!
//! | Method | Path (after [`V1_PATH`]) | Answer |
//! |---|---|---|
//! | `POST` | `/groups/{GROUP-ID}/privateEndpoint` | 200 connection (`INITIATING`); 400 on a bad body; 409 on a second connection in the same region |
//! | `GET` | `/groups/{GROUP-ID}/privateEndpoint` | 200 plain JSON array of connections |
//! | `GET` | `/groups/{GROUP-ID}/privateEndpoint/{ID}` | 200 connection; one lifecycle poll |
//! | `DELETE` | `/groups/{GROUP-ID}/privateEndpoint/{ID}` | 200 `{}`; 409 while it has interface endpoints |
//! | `POST` | `/groups/{GROUP-ID}/privateEndpoint/{ID}/interfaceEndpoints` | 200 interface endpoint (`PENDING_ACCEPTANCE`) |
//! | `GET` | `/groups/{GROUP-ID}/privateEndpoint/{ID}/interfaceEndpoints/{VPCE-ID}` | 200 interface endpoint; one lifecycle poll |
//! | `DELETE` | `/groups/{GROUP-ID}/privateEndpoint/{ID}/interfaceEndpoints/{VPCE-ID}` | 200 `{}` |
//!
//! Every v1.0 answer has `Content-Type: application/json`; `Accept` is not checked.
//!
//! # v2
//!
//! `P` = [`V2_PATH`]`/groups/{groupId}/privateEndpoint`; `{cloudProvider}` is `AWS`, `AZURE`
//! or `GCP` (exact spelling; anything else: 400 `INVALID_ENUM_VALUE`).
//!
//! | Method | Path | Body | Answer |
//! |---|---|---|---|
//! | `POST` | `P/endpointService` | `{providerName, region, portMappingEnabled?, supportedRemoteRegions?}` | 200 service (`INITIATING`); 400 `INVALID_JSON` / `MISSING_ATTRIBUTE` / `INVALID_ATTRIBUTE` / `INVALID_ENUM_VALUE` (provider) / `INVALID_REGION`; 409 `PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION` |
//! | `GET` | `P/{cloudProvider}/endpointService` | — | 200 bare JSON array of that provider's services (not a poll) |
//! | `GET` | `P/{cloudProvider}/endpointService/{endpointServiceId}` | — | 200 service; one lifecycle poll; 404 under another provider |
//! | `PATCH` | `P/endpointService/{endpointServiceId}` | `{cloudProvider: "AWS", supportedRemoteRegions?}` | 200 service; 400 `INVALID_ENUM_VALUE` for a non-AWS `cloudProvider` |
//! | `DELETE` | `P/{cloudProvider}/endpointService/{endpointServiceId}` | — | 204; 409 `CANNOT_DELETE_ENDPOINT_SERVICE_WITH_ENDPOINTS` while it has endpoints not being deleted |
//! | `POST` | `P/{cloudProvider}/endpointService/{endpointServiceId}/endpoint` | AWS `{id}`; Azure `{id, privateEndpointIPAddress}`; GCP `{endpointGroupName, gcpProjectId, endpoints: [{endpointName, ipAddress}]}` | 200 endpoint; 400 on a bad body; 409 `PRIVATE_ENDPOINT_SERVICE_NOT_READY` (service still `INITIATING` or `FAILED`); 409 `PRIVATE_ENDPOINT_ALREADY_EXISTS` (same id in that service) |
//! | `GET` | `P/{cloudProvider}/endpointService/{endpointServiceId}/endpoint/{endpointId}` | — | 200 endpoint; one lifecycle poll |
//! | `DELETE` | `P/{cloudProvider}/endpointService/{endpointServiceId}/endpoint/{endpointId}` | — | 204 |
//! | `GET` | `P/regionalMode` | — | 200 `{"enabled": bool}` (per group, initially `false`) |
//! | `PATCH` | `P/regionalMode` | `{"enabled": bool}` | 200 the new setting; 400 when `enabled` is missing or not a boolean; 409 `CANNOT_DISABLE_REGIONALIZED_PRIVATE_ENDPOINTS` |
//!
//! Request bodies: unknown members are ignored. A `cloudProvider` member in an endpoint
//! body is optional but must name the provider of the path (else 400 `INVALID_ATTRIBUTE`).
//! Regions are accepted in Atlas (`US_EAST_1`) or provider spelling (`us-east-1`,
//! `eastus2`, `us-central1`) and answered in Atlas spelling (`regionName`). AWS accepts the
//! 18 regions of [`AWS_REGIONS`]; Azure and GCP a small table each (Azure e.g.
//! `US_EAST_2`/`eastus2`, `EUROPE_WEST`/`westeurope`; GCP e.g. `CENTRAL_US`/`us-central1`,
//! `WESTERN_US`/`us-west1`, `US_WEST_3`/`us-west3`). `supportedRemoteRegions` (AWS only, at
//! most 35 AWS regions in either spelling) is stored and echoed as sent; it is absent from
//! the service when never given, `[]` clears it, `null` removes it; PATCH changes only the
//! members present. An AWS endpoint id must be `vpce-` + 17 lowercase hex digits; an Azure
//! id `/subscriptions/<uuid>/resourceGroups/<rg>/providers/Microsoft.Network/privateEndpoints/<name>`
//! with an IPv4/IPv6 `privateEndpointIPAddress`; a GCP body needs a non-empty `endpoints`
//! list (the `gcpProjectId` format is not checked).
//!
//! Services (members in alphabetical order) carry `cloudProvider`, `errorMessage`, `id`
//! (24 hex), `regionName`, `status`, and per provider: AWS `endpointServiceName` (`null`
//! until ready, then `com.amazonaws.vpce.<aws-region>.vpce-svc-<17 hex>`),
//! `interfaceEndpoints`, `supportedRemoteRegions`; Azure `privateEndpoints`,
//! `privateLinkServiceName` (`pls_<24 hex>`) and `privateLinkServiceResourceId` (both `null`
//! until ready); GCP `endpointGroupNames`, `portMappingEnabled`, `serviceAttachmentNames`
//! (`[]` until ready, then one URL when port-mapped, else three). The endpoint ids in
//! `interfaceEndpoints` / `privateEndpoints` / `endpointGroupNames` are those of its
//! endpoints, deleting ones included until removed. Endpoints: AWS
//! `{cloudProvider, interfaceEndpointId, connectionStatus, errorMessage, deleteRequested}`;
//! Azure `{cloudProvider, privateEndpointResourceId, privateEndpointIPAddress,
//! privateEndpointConnectionName, status, errorMessage, deleteRequested}` (the connection
//! name is `<subscription>%2F<resource group>%2F<name>`, as the spec's pattern has it); GCP
//! `{cloudProvider, endpointGroupName, gcpProjectId, endpoints: [{endpointName, ipAddress,
//! status}], portMappingEnabled, status, errorMessage, deleteRequested}`.
//!
//! `{endpointId}` is the AWS vpce id, the Azure ARM resource id — which travels
//! percent-encoded in one segment (`%2Fsubscriptions%2F…`) and is decoded before matching —
//! or the GCP `endpointGroupName`. Every path segment is percent-decoded after splitting.
//!
//! ## Media types (v2)
//!
//! * Every v2 request must send an `Accept` naming [`V2_MEDIA_TYPE`]
//!   (`application/vnd.atlas.2023-01-01+json`), alone or in a list, parameters allowed,
//!   case-insensitive. Missing, `*/*`, `application/json`, or another version answer **406**
//!   `{"detail","error":406,"errorCode":"INVALID_VERSION_OR_MEDIA_TYPE","parameters":[<Accept sent>, <supported type>],"reason":"Not Acceptable"}`
//!   (the errorCode and detail are NOT VERIFIED against Atlas).
//! * A `POST`/`PATCH` must send `Content-Type` [`V2_MEDIA_TYPE`] or `application/json`
//!   (parameters allowed); anything else, or none, answers **415** `UNSUPPORTED_MEDIA_TYPE`
//!   (NOT VERIFIED). `Accept` is checked first.
//! * These checks run after Digest and before faults and canned answers: a 406/415 uses up
//!   neither a [`TestServer::set_fault_for`] budget nor a [`TestServer::serve_verbatim_once`]
//!   answer.
//! * v2 success answers (200 and 204) carry `Content-Type: application/vnd.atlas.2023-01-01+json`;
//!   every error answer (the Digest 401, 406, 415, 4xx/5xx, [`Fault::InternalError`],
//!   [`Fault::RateLimited`]) is `application/json`. The body-damaging faults
//!   ([`Fault::EmptyBody`], [`Fault::MalformedJson`]) keep the v2 type on v2 paths.
//!
//! # Both families
//!
//! Anything else answers 404 (`RESOURCE_NOT_FOUND`), a known path with another method 405
//! (with `Allow`), a `{GROUP-ID}` that is not 24 hex digits 400 (`INVALID_GROUP_ID`). Error
//! bodies are Atlas-shaped (`{"detail","error","errorCode","parameters","reason"}`); bad
//! JSON is 400 `INVALID_JSON`.
//!
//! # Authentication
//!
//! Every request must carry HTTP Digest credentials ([`TEST_PUBLIC_KEY`] /
//! [`TEST_PRIVATE_KEY`] by default), checked like Atlas (Apache `mod_auth_digest`) does:
//! MD5, `qop=auth`, realm [`REALM`], `uri` equal to the raw request target, and a nonce
//! count (`nc`) strictly greater than any already accepted for that nonce. A request that
//! fails any check gets
//!
//! ```text
//! 401 Unauthorized
//! WWW-Authenticate: Digest realm="MMS Public API", domain="", nonce="…", algorithm=MD5, qop="auth", stale=false
//! Content-Type: application/json
//!
//! {"error":401,"reason":"Unauthorized","detail":"You are not authorized for this resource."}
//! ```
//!
//! with a new nonce every time (`stale=true` when the digest was right but the nonce older
//! than [`ServerConfig::nonce_max_age`]). A nonce may be reused with increasing `nc`.
//!
//! # Lifecycle
//!
//! Listing never counts as a poll; every `GET` of one resource does.
//!
//! **v1.0.** A connection answers `INITIATING` to its first [`ServerConfig::polls_until_ready`]
//! `GET`s, then `WAITING_FOR_USER` with an `endpointServiceName` of
//! `com.amazonaws.vpce.<region>.vpce-svc-<17 hex>`. After a `DELETE` it is `DELETING` (in
//! the list) and the next `GET` of it answers 404 (and removes it). An interface endpoint
//! answers `PENDING_ACCEPTANCE` to its first [`ServerConfig::polls_per_interface_step`]
//! `GET`s, `PENDING` to the next as many, then `AVAILABLE`.
//! [`TestServer::set_connection_failed`] and
//! [`TestServer::set_interface_endpoint_rejected`] force the `FAILED` / `REJECTED` states.
//!
//! **v2.** A service answers `INITIATING` to its first [`ServerConfig::polls_until_ready`]
//! `GET`s, then AWS `WAITING_FOR_USER`, Azure and GCP `AVAILABLE` (the provider names and
//! attachments appear then). An AWS service moves on to `AVAILABLE` on the first `GET` that
//! finds one of its endpoints `AVAILABLE`, and stays there. Each endpoint state lasts
//! [`ServerConfig::polls_per_interface_step`] `GET`s (0: the final state at once):
//!
//! | Provider | Field | States |
//! |---|---|---|
//! | AWS | `connectionStatus` | `PENDING_ACCEPTANCE` → `PENDING` → `AVAILABLE` (`REJECTED` by hook) |
//! | Azure | `status` | `INITIATING` → `AVAILABLE` (`FAILED` by hook) |
//! | GCP | `status` | `INITIATING` → `VERIFIED` → `AVAILABLE` (`FAILED` by hook); each `endpoints[].status` `INITIATING`, then `AVAILABLE` with the group |
//!
//! Endpoints can only be added once the service is ready (`WAITING_FOR_USER` or
//! `AVAILABLE`). A `DELETE` (204) makes an endpoint `DELETING` with `deleteRequested: true`;
//! its next `GET` answers 404 and removes it. **Removing the last endpoint removes its
//! service**: the service becomes `DELETING` at that moment, so its next `GET` answers 404
//! (and a `DELETE` of it 204). A `DELETE` of a service makes it `DELETING` (still listed;
//! endpoint operations under it answer 404); its next `GET` answers 404 and removes it. A
//! second `DELETE` of a `DELETING` service or endpoint answers 204 again.
//!
//! Regional mode: `PATCH {"enabled": false}` while it is enabled is refused with 409
//! when one provider has endpoint services (not `DELETING`) in more than one region (the
//! rule and errorCode are NOT VERIFIED against Atlas). Enabling, and setting the current
//! value, always succeed.
//!
//! # Test hooks (v2)
//!
//! Provider arguments are `"AWS"`, `"AZURE"` or `"GCP"`.
//! [`TestServer::set_endpoint_service_failed`] forces a service into `FAILED` with an
//! `errorMessage`; [`TestServer::set_private_endpoint_failed`] an endpoint into `REJECTED`
//! (AWS) or `FAILED`; [`TestServer::endpoint_services`] is a snapshot of one provider's
//! services (no poll, no authentication); [`TestServer::serve_verbatim_once`] makes the
//! next authenticated request to a path answer a given status and JSON body with the v2
//! media type (for checking that documented example payloads decode).
//!
//! # Query parameters
//!
//! `pretty=true` pretty-prints the JSON body. `envelope=true` answers HTTP 200 with
//! `{"status":<real status>,"content":<normal body>}` (errors included, but not the Digest
//! 401, which stays a real 401 so clients can authenticate); an enveloped 204 is
//! `{"status":204,"content":{}}` (the envelope of bare-array and 204 answers is NOT
//! VERIFIED). The `Content-Type` of an enveloped answer follows the real status.
//!
//! # Faults
//!
//! [`TestServer::set_fault`] makes the server misbehave in one of the ways listed in
//! [`Fault`], until changed.
//!
//! # Example
//!
//! ```no_run
//! # async fn example() {
//! use atlas_test_server::{Fault, TestServer, TEST_GROUP_ID, V1_PATH, V2_PATH};
//!
//! let server = TestServer::start().await;
//! let url = server.url(&format!("{V1_PATH}/groups/{TEST_GROUP_ID}/privateEndpoint"));
//! let v2 = server.url(&format!("{V2_PATH}/groups/{TEST_GROUP_ID}/privateEndpoint/AWS/endpointService"));
//! // … v2 requests must send `Accept: application/vnd.atlas.2023-01-01+json` …
//! // … point the client at `url` with the test keys …
//! server.set_fault_for(Fault::RateLimited { retry_after_secs: 1 }, 1);
//! // … the client should retry …
//! assert!(server.requests().iter().any(|r| r.authenticated));
//! # drop((url, v2));
//! # }
//! ```

mod digest;
mod error;
mod faults;
mod json;
mod random;
mod recording;
mod routes;
mod routes_v2;
mod state;
mod state_v2;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_v2;

pub use digest::{DigestAuthorization, GARBAGE_CHALLENGE, REALM};
pub use faults::Fault;
pub use recording::RecordedRequest;
pub use state::{AWS_REGIONS, atlas_region_name};

use routes::{Shared, lock};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::oneshot;

/// The public API key (Digest username) the server accepts by default.
pub const TEST_PUBLIC_KEY: &str = "test-public-key";

/// The private API key (Digest password) the server accepts by default.
pub const TEST_PRIVATE_KEY: &str = "test-private-key-0000";

/// A valid project (group) id for tests. Any 24-hex-digit group id works; each has its
/// own resources.
pub const TEST_GROUP_ID: &str = "5df264b8f10fab7d2cad2f0d";

/// The path prefix of the legacy v1.0 operations: `/api/atlas/v1.0`.
pub const V1_PATH: &str = "/api/atlas/v1.0";

/// The path prefix of the v2 operations: `/api/atlas/v2`.
pub const V2_PATH: &str = "/api/atlas/v2";

/// The versioned media type every v2 request must accept, and v2 success answers carry:
/// `application/vnd.atlas.2023-01-01+json`.
pub const V2_MEDIA_TYPE: &str = "application/vnd.atlas.2023-01-01+json";

/// How a [`TestServer`] behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// The Digest username accepted. Default [`TEST_PUBLIC_KEY`].
    pub public_key: String,
    /// The Digest password accepted. Default [`TEST_PRIVATE_KEY`].
    pub private_key: String,
    /// How long a nonce stays valid after its challenge; older nonces are refused with
    /// `stale=true`. Default 300 s.
    pub nonce_max_age: Duration,
    /// How many `GET`s of a new v1.0 connection or v2 endpoint service answer
    /// `INITIATING` before it turns `WAITING_FOR_USER` (v2 Azure/GCP: `AVAILABLE`). Default 2.
    pub polls_until_ready: u32,
    /// How many `GET`s of an interface endpoint (v1.0) or private endpoint (v2) see each
    /// non-final state (e.g. `PENDING_ACCEPTANCE`, `PENDING`) before it moves on (0: the
    /// final `AVAILABLE` at once). Default 1.
    pub polls_per_interface_step: u32,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            public_key: TEST_PUBLIC_KEY.to_owned(),
            private_key: TEST_PRIVATE_KEY.to_owned(),
            nonce_max_age: Duration::from_secs(300),
            polls_until_ready: 2,
            polls_per_interface_step: 1,
        }
    }
}

/// A running Atlas-like server. Dropping it shuts the server down.
///
/// Must be started inside a Tokio runtime (time and IO drivers enabled); the server runs as
/// a task on that runtime.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// Starts a server with [`ServerConfig::default`] on `127.0.0.1` and a random port.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound.
    pub async fn start() -> TestServer {
        TestServer::start_with(ServerConfig::default()).await
    }

    /// Starts a server with `config` on `127.0.0.1` and a random port.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound.
    pub async fn start_with(config: ServerConfig) -> TestServer {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        match TestServer::start_on(addr, config).await {
            Ok(server) => server,
            Err(error) => panic!("cannot bind the test server to {addr}: {error}"),
        }
    }

    /// Starts a server with `config` on `addr` (port 0 picks a free port).
    pub async fn start_on(addr: SocketAddr, config: ServerConfig) -> std::io::Result<TestServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config));
        let app = routes::router(Arc::clone(&shared));
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            // A dropped sender also stops the server.
            let signal = async move {
                let _ = stopped.await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await;
        });
        Ok(TestServer {
            addr,
            shared,
            shutdown: Some(shutdown),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server root, `http://127.0.0.1:PORT` (no path, no trailing slash). The
    /// operations live under [`V1_PATH`] and [`V2_PATH`].
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `base_url()` followed by `path_and_query`, which should start with `/` and include the
    /// family prefix, e.g. `server.url(&format!("{V2_PATH}/groups/{TEST_GROUP_ID}/privateEndpoint/regionalMode"))`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base_url())
    }

    /// The configuration the server runs with.
    pub fn config(&self) -> &ServerConfig {
        &self.shared.config
    }

    /// Sets (or with `None` clears) the fault applied to every following request.
    pub fn set_fault(&self, fault: Option<Fault>) {
        *lock(&self.shared.fault) = routes::ActiveFault {
            fault,
            remaining: None,
        };
    }

    /// Applies `fault` to the next `requests` requests it takes effect on (authenticated
    /// ones, or for the challenge faults the ones that get the broken 401), then clears it.
    /// Zero clears the fault at once.
    pub fn set_fault_for(&self, fault: Fault, requests: usize) {
        *lock(&self.shared.fault) = routes::ActiveFault {
            fault: (requests > 0).then_some(fault),
            remaining: Some(requests),
        };
    }

    /// The fault currently in force (one set with [`set_fault_for`](Self::set_fault_for)
    /// disappears once used up).
    pub fn fault(&self) -> Option<Fault> {
        lock(&self.shared.fault).fault.clone()
    }

    /// Every request received so far, in order, including unauthenticated ones.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// The number of requests received so far.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// Forgets the recorded requests (the challenge counter is kept).
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// The number of 401 answers that carried a real Digest challenge (a new nonce).
    /// [`Fault::GarbageChallenge`] and [`Fault::UnauthorizedWithoutChallenge`] answers are
    /// not counted.
    pub fn challenges_issued(&self) -> usize {
        self.shared.challenges.load(Ordering::SeqCst)
    }

    /// Forces connection `private_link_id` of `group_id` into `FAILED` (with an
    /// `errorMessage`); later polls keep it there. Returns whether it exists.
    pub fn set_connection_failed(&self, group_id: &str, private_link_id: &str) -> bool {
        lock(&self.shared.store).set_connection_failed(group_id, private_link_id)
    }

    /// Forces an interface endpoint into `REJECTED` (with an `errorMessage`); later polls
    /// keep it there. Returns whether it exists.
    pub fn set_interface_endpoint_rejected(
        &self,
        group_id: &str,
        private_link_id: &str,
        interface_endpoint_id: &str,
    ) -> bool {
        lock(&self.shared.store).set_interface_rejected(
            group_id,
            private_link_id,
            interface_endpoint_id,
        )
    }

    /// The connections of `group_id` as the list operation would answer them, without
    /// counting as a poll and without authentication.
    pub fn connections(&self, group_id: &str) -> Vec<serde_json::Value> {
        lock(&self.shared.store).snapshot(group_id)
    }

    /// Forces v2 endpoint service `service_id` of `cloud_provider` (`"AWS"`, `"AZURE"` or
    /// `"GCP"`) in `group_id` into `FAILED` with an `errorMessage`; later polls keep it
    /// there. Returns whether it exists (an unknown provider: `false`).
    pub fn set_endpoint_service_failed(
        &self,
        group_id: &str,
        cloud_provider: &str,
        service_id: &str,
    ) -> bool {
        state_v2::Provider::parse(cloud_provider).is_some_and(|provider| {
            lock(&self.shared.store_v2).set_service_failed(group_id, provider, service_id)
        })
    }

    /// Forces a v2 private endpoint (AWS: `REJECTED`, Azure and GCP: `FAILED`) with an
    /// `errorMessage`; later polls keep it there. `endpoint_id` is the vpce id, the (decoded)
    /// Azure ARM id or the GCP endpoint group name. Returns whether it exists.
    pub fn set_private_endpoint_failed(
        &self,
        group_id: &str,
        cloud_provider: &str,
        service_id: &str,
        endpoint_id: &str,
    ) -> bool {
        state_v2::Provider::parse(cloud_provider).is_some_and(|provider| {
            lock(&self.shared.store_v2).set_endpoint_failed(
                group_id,
                provider,
                service_id,
                endpoint_id,
            )
        })
    }

    /// The v2 endpoint services of `cloud_provider` in `group_id` as the list operation
    /// would answer them, without counting as a poll and without authentication (an
    /// unknown provider: empty).
    pub fn endpoint_services(
        &self,
        group_id: &str,
        cloud_provider: &str,
    ) -> Vec<serde_json::Value> {
        state_v2::Provider::parse(cloud_provider).map_or_else(Vec::new, |provider| {
            lock(&self.shared.store_v2).snapshot(group_id, provider)
        })
    }

    /// Makes the next authenticated request to `path` answer `status` with `body`
    /// (compact; none for 204) and `Content-Type: application/vnd.atlas.2023-01-01+json`,
    /// instead of faults and routing; then the path is served normally again. `path` is
    /// the raw path (still percent-encoded) including the family prefix; if it contains
    /// `?`, the query must match too. A v2 request still has to pass the media-type checks
    /// first. Answers queued for one path are used in order. A `status` that is not a valid
    /// HTTP status becomes 500.
    pub fn serve_verbatim_once(&self, path: &str, status: u16, body: serde_json::Value) {
        let status = axum::http::StatusCode::from_u16(status)
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        lock(&self.shared.verbatim).push(routes::Verbatim {
            target: path.to_owned(),
            status,
            body,
        });
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// The README's Rust examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
