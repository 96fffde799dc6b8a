//! Helpers shared by the integration tests.
// Each test binary compiles this module on its own and uses only some of it.
#![allow(dead_code)]

pub mod recorder;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use atlas_admin::types::{CreatePrivateEndpointRequest, ProviderName, Region};
use atlas_admin::{Client, RetryPolicy};
use atlas_test_server::{TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, TestServer};

/// A client for `server` with the test keys and a timeout that fails a hung test quickly.
pub fn client_for(server: &TestServer) -> Client {
    client_with(server, RetryPolicy::standard())
}

/// [`client_for`] with its own retry policy.
pub fn client_with(server: &TestServer, retry: RetryPolicy) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .timeout(Duration::from_secs(10))
        .retry_policy(retry)
        .build()
        .expect("valid configuration")
}

/// Short backoff so retried calls stay fast; `Retry-After` is still honoured in full.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::standard().with_base_delay(Duration::from_millis(20))
}

/// The body of an AWS private endpoint connection in `region`.
pub fn body(region: Region) -> CreatePrivateEndpointRequest {
    CreatePrivateEndpointRequest::new(ProviderName::Aws, region)
}

/// A loopback address that refuses connections: a TCP socket bound to a free port that never
/// listens. It keeps the port for as long as it lives, so no other socket can take it and
/// start accepting (as could happen to a port bound, then freed).
pub struct RefusingAddress {
    _socket: tokio::net::TcpSocket,
    addr: SocketAddr,
}

impl RefusingAddress {
    pub fn new() -> RefusingAddress {
        let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
        socket
            .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .expect("bound");
        let addr = socket.local_addr().expect("an address");
        RefusingAddress {
            _socket: socket,
            addr,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
