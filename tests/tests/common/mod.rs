//! Helpers shared by the integration tests.
// Each test binary compiles this module on its own and uses only some of it.
#![allow(dead_code)]

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
