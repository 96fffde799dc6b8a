//! Helpers shared by the integration tests.

use std::time::Duration;

use atlas_admin::Client;
use atlas_test_server::{TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, TestServer};

/// A client for `server` with the test keys and a timeout that fails a hung test quickly.
pub fn client_for(server: &TestServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("valid configuration")
}
