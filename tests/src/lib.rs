//! An in-process, Atlas-like HTTP server for testing MongoDB Atlas Admin API clients.
//!
//! [`TestServer`] listens on `127.0.0.1` (a random port by default);
//! [`TestServer::base_url`] is the server root (`http://127.0.0.1:PORT`, no path). It serves
//! two API families: the legacy v1.0 AWS private endpoint operations under [`V1_PATH`]
//! (`/api/atlas/v1.0`) and the v2 Private Endpoint Services operations for AWS, Azure and
//! GCP under [`V2_PATH`] (`/api/atlas/v2`). Beside them, at the server root, it serves the
//! Service Account OAuth 2.0 endpoints [`OAUTH_TOKEN_PATH`] (`/api/oauth/token`) and
//! [`OAUTH_REVOKE_PATH`] (`/api/oauth/revoke`); see [Authentication](#authentication).
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
//! * These checks run after authentication (Digest or bearer) and before faults and canned answers: a 406/415 uses up
//!   neither a [`TestServer::set_fault_for`] budget nor a [`TestServer::serve_verbatim_once`]
//!   answer.
//! * v2 success answers (200 and 204) carry `Content-Type: application/vnd.atlas.2023-01-01+json`;
//!   every error answer (the Digest 401, 406, 415, 4xx/5xx, [`Fault::InternalError`],
//!   [`Fault::RateLimited`]) is `application/json`. The body-damaging faults
//!   ([`Fault::EmptyBody`], [`Fault::MalformedJson`]) keep the v2 type on v2 paths.
//!
//! # Both families
//!
//! Anything else (outside the two OAuth endpoints) answers 404 (`RESOURCE_NOT_FOUND`) once
//! authenticated, a known path with another method 405
//! (with `Allow`), a `{GROUP-ID}` that is not 24 hex digits 400 (`INVALID_GROUP_ID`). Error
//! bodies are Atlas-shaped (`{"detail","error","errorCode","parameters","reason"}`); bad
//! JSON is 400 `INVALID_JSON`.
//!
//! # Authentication
//!
//! Every request to an API path (both families, and unknown paths) must carry either HTTP
//! Digest credentials or a Service Account bearer token; the OAuth endpoints take Basic
//! client credentials instead.
//!
//! ## Digest
//!
//! HTTP Digest credentials ([`TEST_PUBLIC_KEY`] / [`TEST_PRIVATE_KEY`] by default) are
//! checked like Atlas (Apache `mod_auth_digest`) does:
//! MD5, `qop=auth`, realm [`REALM`], `uri` equal to the raw request target, and a nonce
//! count (`nc`) strictly greater than any already accepted for that nonce. A request that
//! fails any check — or sends no `Authorization`, or one of another scheme than `Bearer`
//! (`Basic` included) — gets
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
//! ## Service Accounts (OAuth 2.0 client credentials)
//!
//! | Method | Path | Request | Answer |
//! |---|---|---|---|
//! | `POST` | [`OAUTH_TOKEN_PATH`] | `Authorization: Basic base64(client_id ":" client_secret)`, `Content-Type: application/x-www-form-urlencoded`, body `grant_type=client_credentials` | 200 `{"access_token":"…","expires_in":<secs>,"token_type":"Bearer"}` |
//! | `POST` | [`OAUTH_REVOKE_PATH`] | the same `Authorization` and `Content-Type`, body `token=<access_token>&token_type_hint=access_token` | 200, empty body (no `Content-Type`) |
//!
//! * The client id and secret ([`TEST_CLIENT_ID`] / [`TEST_CLIENT_SECRET`] by default,
//!   [`ServerConfig::client_id`] / [`ServerConfig::client_secret`]) are each
//!   form-urlencoded before base64 (RFC 6749 §2.3.1) and decoded here with
//!   `application/x-www-form-urlencoded` rules (`+` is a space, `%XX` a byte), so plain
//!   values without `+` or `%` work as well. The `Basic` scheme name is case-insensitive,
//!   base64 padding optional. The `Content-Type` may have parameters and any case; form
//!   parameters sent empty count as missing, extra ones are ignored.
//! * `access_token` is opaque (64 URL-safe base64 characters, random-looking, unique), not
//!   a JWT as Atlas's; `expires_in` is [`ServerConfig::token_lifetime`] in whole seconds
//!   (default 3600); there is no refresh token. Every answer of the token endpoint (and
//!   its errors) has `Content-Type: application/json`, `Cache-Control: no-store` and
//!   `Pragma: no-cache`.
//! * Errors are RFC 6749 §5.2 bodies `{"error":"<code>","error_description":"…"}`, checked
//!   in this order: another method 405 `invalid_request` (`Allow: POST`); missing,
//!   unparsable or wrong Basic credentials **401** `invalid_client`, body exactly
//!   `{"error":"invalid_client","error_description":"Invalid credentials provided."}` (as
//!   documented by Atlas) with `WWW-Authenticate: Basic realm="MongoDB Atlas"` (realm NOT
//!   VERIFIED); another `Content-Type` or none 400 `invalid_request`; a missing (or
//!   repeated) `grant_type` / `token` 400 `invalid_request`; another grant type 400
//!   `unsupported_grant_type`. The 400/405 descriptions are NOT VERIFIED.
//! * Revoking an unknown or already revoked token also answers 200 (RFC 7009 §2.2); a
//!   revoked token is refused from then on. `token_type_hint` is not checked.
//! * [`TestServer::fail_token_requests`] fails the next token requests with 429
//!   (`Retry-After: 0`) or a 5xx `server_error`, for testing a client's retries.
//! * Faults ([`TestServer::set_fault`]), `pretty`, `envelope` and the `RateLimit-*` headers
//!   do not apply to the OAuth endpoints; they need no Digest. Both endpoints are recorded
//!   in [`TestServer::requests`].
//!
//! An API request with `Authorization: Bearer <access_token>` is accepted when the token
//! was issued by this server (by the token endpoint or [`TestServer::issue_token`]), is
//! younger than [`ServerConfig::token_lifetime`] (and not expired early by
//! [`TestServer::expire_all_tokens`]) and was not revoked (by the revocation endpoint or
//! [`TestServer::revoke_all_tokens`]). It
//! is then served exactly like a Digest-authenticated request: the same media-type checks,
//! faults, canned answers, `RateLimit-*` headers, and
//! [`RecordedRequest::authenticated`] `true`. Any other bearer token (unknown, expired,
//! revoked, empty) gets
//!
//! ```text
//! 401 Unauthorized
//! WWW-Authenticate: Bearer error="invalid_token"
//! Content-Type: application/json
//!
//! {"detail":"The access token has expired.","error":401,"errorCode":"INVALID_ACCESS_TOKEN","parameters":[],"reason":"Unauthorized"}
//! ```
//!
//! (detail `The access token is invalid.` / `… has expired.` / `… has been revoked.`; the
//! status line is Atlas's, but the body, errorCode, details and header are NOT VERIFIED
//! against Atlas). That 401 issues no Digest challenge, is never enveloped, uses up no
//! fault budget, and is counted by [`TestServer::bearer_rejections`] (not by
//! [`TestServer::challenges_issued`]). [`Fault::UnauthorizedWithoutChallenge`] still
//! answers bearer requests too; [`Fault::GarbageChallenge`] only replaces Digest
//! challenges. [`RecordedRequest::auth`] tells which scheme a request named.
//!
//! Counters: [`TestServer::tokens_issued`], [`TestServer::token_requests`],
//! [`TestServer::revocations`], [`TestServer::bearer_rejections`].
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
//! VERIFIED). The `Content-Type` of an enveloped answer follows the real status. The
//! bearer-token 401 is not enveloped either.
//!
//! # Faults
//!
//! [`TestServer::set_fault`] makes the server misbehave in one of the ways listed in
//! [`Fault`], until changed.
//!
//! # Hooks for tests without a clock
//!
//! Tests order themselves after the server's events instead of sleeping:
//! [`TestServer::wait_for_requests`] returns once that many requests were recorded;
//! [`Fault::NoAnswer`] holds requests unanswered and [`TestServer::wait_for_abandoned_requests`]
//! returns once their clients gave up; [`TestServer::expire_nonces`] makes the issued
//! Digest nonces stale now, and [`TestServer::set_token_expires_in`] changes the
//! `expires_in` the token endpoint answers without changing how long tokens live.
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
//! // … or authenticate with a Service Account: `POST {base_url}/api/oauth/token`, or a
//! // static bearer token minted directly …
//! let token = server.issue_token();
//! server.revoke_all_tokens();
//! // … the client's next request with `token` gets 401 …
//! assert_eq!(server.bearer_rejections(), 0);
//! # drop(token);
//! # drop((url, v2));
//! # }
//! ```

mod digest;
mod error;
mod faults;
mod json;
mod oauth;
mod random;
mod recording;
mod routes;
mod routes_connections;
mod routes_endpoint_services;
mod state_connections;
mod state_endpoint_services;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_connections;
#[cfg(test)]
mod tests_endpoint_services;
#[cfg(test)]
mod tests_oauth;

pub use digest::{DigestAuthorization, GARBAGE_CHALLENGE, REALM};
pub use faults::Fault;
pub use oauth::AuthScheme;
pub use recording::RecordedRequest;
pub use state_connections::{AWS_REGIONS, atlas_region_name};

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

/// The Service Account client id the server accepts by default.
pub const TEST_CLIENT_ID: &str = "mdb_sa_id_0123456789abcdef01234567";

/// The Service Account client secret the server accepts by default.
pub const TEST_CLIENT_SECRET: &str = "mdb_sa_sk_test-secret-0000";

/// The OAuth 2.0 token endpoint (client credentials grant), at the server root:
/// `/api/oauth/token`.
pub const OAUTH_TOKEN_PATH: &str = "/api/oauth/token";

/// The OAuth 2.0 token revocation endpoint, at the server root: `/api/oauth/revoke`.
pub const OAUTH_REVOKE_PATH: &str = "/api/oauth/revoke";

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
    /// The Service Account client id accepted by [`OAUTH_TOKEN_PATH`] and
    /// [`OAUTH_REVOKE_PATH`]. Default [`TEST_CLIENT_ID`].
    pub client_id: String,
    /// The Service Account client secret accepted with [`client_id`](Self::client_id).
    /// Default [`TEST_CLIENT_SECRET`].
    pub client_secret: String,
    /// How long an access token stays valid after it is issued; `expires_in` is this in
    /// whole seconds (rounded down). Default 3600 s.
    pub token_lifetime: Duration,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            public_key: TEST_PUBLIC_KEY.to_owned(),
            private_key: TEST_PRIVATE_KEY.to_owned(),
            nonce_max_age: Duration::from_secs(300),
            polls_until_ready: 2,
            polls_per_interface_step: 1,
            client_id: TEST_CLIENT_ID.to_owned(),
            client_secret: TEST_CLIENT_SECRET.to_owned(),
            token_lifetime: Duration::from_secs(3600),
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

    /// Every request received so far, in order, including unauthenticated ones and those to
    /// the OAuth endpoints ([`OAUTH_TOKEN_PATH`], [`OAUTH_REVOKE_PATH`]).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// The number of requests received so far.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// Forgets the recorded requests (the challenge and OAuth counters, and the issued
    /// tokens, are kept).
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// Returns once [`request_count`](Self::request_count) has reached `count`: for
    /// ordering a test after a request of a client running elsewhere, without sleeping.
    /// Waits forever if it never does.
    pub async fn wait_for_requests(&self, count: usize) {
        self.shared
            .wait_until(|shared| lock(&shared.requests).len() >= count)
            .await;
    }

    /// The number of requests held by [`Fault::NoAnswer`] whose client gave up (closed the
    /// connection) so far.
    pub fn abandoned_requests(&self) -> usize {
        self.shared.abandoned.load(Ordering::SeqCst)
    }

    /// Returns once [`abandoned_requests`](Self::abandoned_requests) has reached `count`.
    /// Waits forever if it never does.
    pub async fn wait_for_abandoned_requests(&self, count: usize) {
        self.shared
            .wait_until(|shared| shared.abandoned.load(Ordering::SeqCst) >= count)
            .await;
    }

    /// Makes every Digest nonce issued so far stale at once, as if
    /// [`ServerConfig::nonce_max_age`] had passed: the next request signed with one (and
    /// otherwise right) gets a new challenge with `stale=true`. Nonces issued later are fresh.
    pub fn expire_nonces(&self) {
        lock(&self.shared.nonces).expire_all();
    }

    /// The number of 401 answers that carried a real Digest challenge (a new nonce).
    /// [`Fault::GarbageChallenge`] and [`Fault::UnauthorizedWithoutChallenge`] answers are
    /// not counted.
    pub fn challenges_issued(&self) -> usize {
        self.shared.challenges.load(Ordering::SeqCst)
    }

    /// The number of successful answers (200 with an `access_token`) of
    /// [`OAUTH_TOKEN_PATH`] so far. Tokens minted by [`issue_token`](Self::issue_token) are
    /// not counted.
    pub fn tokens_issued(&self) -> usize {
        self.shared.oauth.tokens_issued.load(Ordering::SeqCst)
    }

    /// The number of requests to [`OAUTH_TOKEN_PATH`] so far, whatever their answer
    /// (failed ones, including those failed by
    /// [`fail_token_requests`](Self::fail_token_requests), too).
    pub fn token_requests(&self) -> usize {
        self.shared.oauth.token_requests.load(Ordering::SeqCst)
    }

    /// The number of requests to [`OAUTH_REVOKE_PATH`] answered 200 so far (unknown tokens
    /// included). [`revoke_all_tokens`](Self::revoke_all_tokens) is not counted.
    pub fn revocations(&self) -> usize {
        self.shared.oauth.revocations.load(Ordering::SeqCst)
    }

    /// The number of 401 answers given to API requests with `Authorization: Bearer …`
    /// (unknown, expired or revoked token). Not counted by
    /// [`challenges_issued`](Self::challenges_issued).
    pub fn bearer_rejections(&self) -> usize {
        self.shared.oauth.bearer_rejections.load(Ordering::SeqCst)
    }

    /// Mints an access token directly, valid for [`ServerConfig::token_lifetime`] from
    /// now, as if [`OAUTH_TOKEN_PATH`] had issued it (for testing a client configured with
    /// a static bearer token). Not counted by [`tokens_issued`](Self::tokens_issued).
    pub fn issue_token(&self) -> String {
        self.shared.oauth.mint(self.shared.config.token_lifetime)
    }

    /// Revokes every token issued so far, as if an administrator had revoked them; their
    /// next use answers 401. Tokens issued later are valid. Not counted by
    /// [`revocations`](Self::revocations).
    pub fn revoke_all_tokens(&self) {
        self.shared.oauth.revoke_all();
    }

    /// Makes every token issued so far expired at once (their next use answers 401);
    /// tokens issued later are valid.
    pub fn expire_all_tokens(&self) {
        self.shared.oauth.expire_all();
    }

    /// Makes the token endpoint answer `expires_in: seconds` instead of
    /// [`ServerConfig::token_lifetime`] (`None`: the lifetime again), while the tokens it
    /// issues still live `token_lifetime`: for testing when a client renews a token (with
    /// `Some(0)` at once) without waiting for it.
    pub fn set_token_expires_in(&self, seconds: Option<u64>) {
        *lock(&self.shared.oauth.expires_in) = seconds;
    }

    /// Makes the next `requests` requests to [`OAUTH_TOKEN_PATH`] fail with `status`
    /// before any other check (then the endpoint works again; zero clears the hook): 429
    /// answers `{"error":"rate_limit_exceeded","error_description":"Too many requests."}`
    /// with `Retry-After: 0`; 5xx `{"error":"server_error","error_description":"Unexpected error."}`
    /// (the 500 body of the Atlas docs); 401 the `invalid_client` answer; another 4xx
    /// `{"error":"invalid_request","error_description":"The request failed."}` (the 429
    /// and 4xx bodies are NOT VERIFIED). A `status` that is not a valid HTTP error status
    /// (400–599) becomes 500. The revocation endpoint is not affected.
    pub fn fail_token_requests(&self, requests: usize, status: u16) {
        let status = axum::http::StatusCode::from_u16(status)
            .ok()
            .filter(|s| s.is_client_error() || s.is_server_error())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        self.shared.oauth.fail_next(requests, status);
    }

    /// Forces connection `private_link_id` of `group_id` into `FAILED` (with an
    /// `errorMessage`); later polls keep it there. Returns whether it exists.
    pub fn set_connection_failed(&self, group_id: &str, private_link_id: &str) -> bool {
        lock(&self.shared.connections).set_connection_failed(group_id, private_link_id)
    }

    /// Forces an interface endpoint into `REJECTED` (with an `errorMessage`); later polls
    /// keep it there. Returns whether it exists.
    pub fn set_interface_endpoint_rejected(
        &self,
        group_id: &str,
        private_link_id: &str,
        interface_endpoint_id: &str,
    ) -> bool {
        lock(&self.shared.connections).set_interface_rejected(
            group_id,
            private_link_id,
            interface_endpoint_id,
        )
    }

    /// The connections of `group_id` as the list operation would answer them, without
    /// counting as a poll and without authentication.
    pub fn connections(&self, group_id: &str) -> Vec<serde_json::Value> {
        lock(&self.shared.connections).snapshot(group_id)
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
        state_endpoint_services::Provider::parse(cloud_provider).is_some_and(|provider| {
            lock(&self.shared.endpoint_services).set_service_failed(group_id, provider, service_id)
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
        state_endpoint_services::Provider::parse(cloud_provider).is_some_and(|provider| {
            lock(&self.shared.endpoint_services).set_endpoint_failed(
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
        state_endpoint_services::Provider::parse(cloud_provider).map_or_else(Vec::new, |provider| {
            lock(&self.shared.endpoint_services).snapshot(group_id, provider)
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
