//! An in-process, Atlas-like HTTP server for testing MongoDB Atlas Admin API clients.
//!
//! [`TestServer`] listens on `127.0.0.1` (a random port by default) and serves the legacy
//! v1.0 AWS private endpoint operations under `/api/atlas/v1.0`:
//!
//! | Method | Path (after [`BASE_PATH`]) | Answer |
//! |---|---|---|
//! | `POST` | `/groups/{GROUP-ID}/privateEndpoint` | 200 connection (`INITIATING`); 400 on a bad body; 409 on a second connection in the same region |
//! | `GET` | `/groups/{GROUP-ID}/privateEndpoint` | 200 plain JSON array of connections |
//! | `GET` | `/groups/{GROUP-ID}/privateEndpoint/{ID}` | 200 connection; one lifecycle poll |
//! | `DELETE` | `/groups/{GROUP-ID}/privateEndpoint/{ID}` | 200 `{}`; 409 while it has interface endpoints |
//! | `POST` | `/groups/{GROUP-ID}/privateEndpoint/{ID}/interfaceEndpoints` | 200 interface endpoint (`PENDING_ACCEPTANCE`) |
//! | `GET` | `/groups/{GROUP-ID}/privateEndpoint/{ID}/interfaceEndpoints/{VPCE-ID}` | 200 interface endpoint; one lifecycle poll |
//! | `DELETE` | `/groups/{GROUP-ID}/privateEndpoint/{ID}/interfaceEndpoints/{VPCE-ID}` | 200 `{}` |
//!
//! Anything else answers 404 (`RESOURCE_NOT_FOUND`), a known path with another method 405,
//! a `{GROUP-ID}` that is not 24 hex digits 400 (`INVALID_GROUP_ID`). Every answer has
//! `Content-Type: application/json` and an Atlas-shaped error body
//! (`{"detail","error","errorCode","parameters","reason"}`) when it is an error.
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
//! A connection answers `INITIATING` to its first [`ServerConfig::polls_until_ready`]
//! `GET`s, then `WAITING_FOR_USER` with an `endpointServiceName` of
//! `com.amazonaws.vpce.<region>.vpce-svc-<17 hex>`. After a `DELETE` it is `DELETING` (in
//! the list) and the next `GET` of it answers 404 (and removes it). An interface endpoint
//! answers `PENDING_ACCEPTANCE` to its first [`ServerConfig::polls_per_interface_step`]
//! `GET`s, `PENDING` to the next as many, then `AVAILABLE`. Listing does not count as a
//! poll. [`TestServer::set_connection_failed`] and
//! [`TestServer::set_interface_endpoint_rejected`] force the `FAILED` / `REJECTED` states.
//!
//! # Query parameters
//!
//! `pretty=true` pretty-prints the JSON body. `envelope=true` answers HTTP 200 with
//! `{"status":<real status>,"content":<normal body>}` (errors included, but not the Digest
//! 401, which stays a real 401 so clients can authenticate).
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
//! use atlas_test_server::{Fault, TestServer, TEST_GROUP_ID};
//!
//! let server = TestServer::start().await;
//! let url = format!("{}/groups/{TEST_GROUP_ID}/privateEndpoint", server.base_url());
//! // … point the client at `url` with the test keys …
//! server.set_fault_for(Fault::RateLimited { retry_after_secs: 1 }, 1);
//! // … the client should retry …
//! assert!(server.requests().iter().any(|r| r.authenticated));
//! # drop(url);
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
    /// How many `GET`s of a new connection answer `INITIATING` before it turns
    /// `WAITING_FOR_USER`. Default 2.
    pub polls_until_ready: u32,
    /// How many `GET`s of an interface endpoint see each of `PENDING_ACCEPTANCE` and
    /// `PENDING` before it moves on (0: `AVAILABLE` at once). Default 1.
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
