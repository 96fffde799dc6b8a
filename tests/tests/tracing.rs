//! The tracing the generated client emits: one span per operation, events on retry and on
//! Digest re-challenge, and never a key.
//!
//! This is its own test binary, and every test in it installs its own recording subscriber:
//! `tracing` caches per call site whether any subscriber is interested, and tests on other
//! threads without a subscriber would race with the thread-local ones installed here.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use atlas_admin::types::{
    CreateInterfaceEndpointRequest, InterfaceEndpointStatus, PrivateEndpoint,
    PrivateEndpointStatus, Region,
};
use atlas_test_server::{
    Fault, ServerConfig, TEST_GROUP_ID, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, TestServer,
};
use tracing::Level;

use common::recorder::{Record, Recorder};
use common::{body, client_for, client_with, fast_retries};

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

#[tokio::test]
async fn operations_run_in_spans_with_their_parameters_and_retries_are_logged() {
    let (recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    let client = client_with(&server, fast_retries());
    let connection: PrivateEndpoint = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect("created");
    server.set_fault_for(Fault::ServiceUnavailableHtml, 1);
    client
        .get_private_endpoint(TEST_GROUP_ID, &connection.id)
        .await
        .expect("succeeds on the second attempt");
    // The nonce expires, so the last call answers a fresh (stale) challenge.
    server.expire_nonces();
    client
        .list_private_endpoints(TEST_GROUP_ID)
        .await
        .expect("succeeds with a new nonce");

    let operations: Vec<Record> = recorder
        .spans()
        .into_iter()
        .filter(|span| span.name == "operation")
        .collect();
    let template = "/api/atlas/v1.0/groups/{groupId}/privateEndpoint";
    let get_template = "/api/atlas/v1.0/groups/{groupId}/privateEndpoint/{privatelinkId}";
    // The path parameters are in `path`, the path sent (checked and percent-encoded).
    let path = format!("/api/atlas/v1.0/groups/{TEST_GROUP_ID}/privateEndpoint");
    let get_path = format!("{path}/{}", connection.id);
    let expected = [
        fields(&[
            ("operation", "createPrivateEndpoint"),
            ("method", "POST"),
            ("path_template", template),
            ("path", &path),
        ]),
        fields(&[
            ("operation", "getPrivateEndpoint"),
            ("method", "GET"),
            ("path_template", get_template),
            ("path", &get_path),
        ]),
        fields(&[
            ("operation", "listPrivateEndpoints"),
            ("method", "GET"),
            ("path_template", template),
            ("path", &path),
        ]),
    ];
    let seen: Vec<_> = operations.iter().map(|span| span.fields.clone()).collect();
    assert_eq!(seen, expected);
    assert!(operations.iter().all(|span| span.level == Level::INFO));

    let events = recorder.events();
    let retries: Vec<&Record> = events
        .iter()
        .filter(|event| event.name == "retrying")
        .collect();
    assert_eq!(retries.len(), 1, "{events:#?}");
    let retry = retries[0];
    assert_eq!(retry.level, Level::INFO);
    assert_eq!(retry.fields["attempt"], "1");
    assert_eq!(retry.fields["max_attempts"], "3");
    assert_eq!(retry.fields["cause"], "HTTP 503");
    let delay: u64 = retry.fields["delay_ms"].parse().expect("a number");
    assert!(delay < 20, "{delay}");
    assert_eq!(retry.scope.first().map(String::as_str), Some("operation"));

    let challenges: Vec<&Record> = events
        .iter()
        .filter(|event| event.name == "answering a new Digest challenge")
        .collect();
    assert_eq!(challenges.len(), 1, "{events:#?}");
    assert_eq!(challenges[0].level, Level::DEBUG);
    assert_eq!(challenges[0].fields["stale"], "true");
    assert_eq!(
        challenges[0].scope.first().map(String::as_str),
        Some("operation")
    );

    // Neither key, nor a Digest answer, is ever recorded.
    for record in recorder.spans().iter().chain(&events) {
        for value in record.fields.values().chain([&record.name]) {
            assert!(!value.contains(TEST_PRIVATE_KEY), "{record:?}");
            assert!(!value.contains(TEST_PUBLIC_KEY), "{record:?}");
            assert!(!value.contains("response=\""), "{record:?}");
        }
    }
}

#[tokio::test]
async fn a_state_the_waiter_does_not_list_is_logged_once_and_polled_through() {
    let (recorder, _guard) = Recorder::install();
    // The connection is ready at its fourth poll, the interface endpoint available at its
    // third.
    let server = TestServer::start_with(ServerConfig {
        polls_until_ready: 3,
        polls_per_interface_step: 1,
        ..ServerConfig::default()
    })
    .await;
    let client = client_for(&server);
    let fast = Duration::from_millis(20);
    let connection: PrivateEndpoint = client
        .create_private_endpoint(TEST_GROUP_ID, body(Region::UsEast1))
        .await
        .expect("created");

    // Unknown to the crate: the first three polls (all `INITIATING`) say `MIGRATING`.
    server.set_fault_for(Fault::UnknownStatus("MIGRATING".to_owned()), 3);
    let ready = client
        .wait_until_private_endpoint_ready(TEST_GROUP_ID, &connection.id)
        .interval(fast)
        .max_interval(fast)
        .max_wait(Duration::from_secs(5))
        .await
        .expect("ready after the unlisted state");
    assert_eq!(ready.status, PrivateEndpointStatus::WaitingForUser);

    // Known, but not listed by the availability waiter: the first poll says `DELETING`.
    client
        .create_interface_endpoint(
            TEST_GROUP_ID,
            &connection.id,
            CreateInterfaceEndpointRequest::new("vpce-0b9c5701325cb15dd"),
        )
        .await
        .expect("added");
    server.set_fault_for(Fault::UnknownStatus("DELETING".to_owned()), 1);
    let available = client
        .wait_until_interface_endpoint_available(
            TEST_GROUP_ID,
            &connection.id,
            "vpce-0b9c5701325cb15dd",
        )
        .interval(fast)
        .max_interval(fast)
        .max_wait(Duration::from_secs(5))
        .await
        .expect("available after the unlisted state");
    assert_eq!(
        available.connection_status,
        InterfaceEndpointStatus::Available
    );

    let warnings: Vec<Record> = recorder
        .events()
        .into_iter()
        .filter(|event| event.level == Level::WARN)
        .collect();
    let seen: Vec<_> = warnings
        .iter()
        .map(|event| {
            (
                event.name.as_str(),
                event.target.as_str(),
                event.fields.clone(),
            )
        })
        .collect();
    let message = "unlisted waiter state; polling on";
    assert_eq!(
        seen,
        [
            (
                message,
                "codegen_runtime::polling",
                fields(&[
                    ("message", message),
                    ("waiter", "wait_until_private_endpoint_ready"),
                    ("state", "MIGRATING"),
                ]),
            ),
            (
                message,
                "codegen_runtime::polling",
                fields(&[
                    ("message", message),
                    ("waiter", "wait_until_interface_endpoint_available"),
                    ("state", "DELETING"),
                ]),
            ),
        ],
        "one event per entry into an unlisted state, not one per poll"
    );
}

#[tokio::test]
async fn a_fetched_token_is_a_debug_event_with_its_lifetime_and_no_secret_is_recorded() {
    use atlas_admin::types::CloudProvider;
    use atlas_test_server::{TEST_CLIENT_ID, TEST_CLIENT_SECRET};

    let (recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    let client = atlas_admin::Client::builder()
        .base_url(server.base_url())
        .service_account(TEST_CLIENT_ID, TEST_CLIENT_SECRET)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("valid");
    client
        .list_private_endpoint_services(TEST_GROUP_ID, CloudProvider::Aws)
        .await
        .expect("listed");
    // Refused once: renewed, with an event saying so.
    server.revoke_all_tokens();
    client
        .list_private_endpoint_services(TEST_GROUP_ID, CloudProvider::Aws)
        .await
        .expect("listed with a new token");
    client.revoke_token().await.expect("revoked");

    let events = recorder.events();
    let fetched: Vec<&Record> = events
        .iter()
        .filter(|event| event.name == "fetched an OAuth token")
        .collect();
    assert_eq!(fetched.len(), 2, "{events:#?}");
    for event in &fetched {
        assert_eq!(event.level, Level::DEBUG);
        assert_eq!(event.fields["expires_in_s"], "3600");
        assert_eq!(event.fields["renew_in_s"], "3300");
        assert_eq!(event.scope.first().map(String::as_str), Some("operation"));
    }
    assert!(
        events
            .iter()
            .any(|event| event.name == "the API refused the bearer token; fetching a new one"),
        "{events:#?}"
    );
    assert!(
        events
            .iter()
            .any(|event| event.name == "revoked the OAuth token")
    );

    let tokens: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|request| request.bearer_token().map(str::to_owned))
        .collect();
    assert!(tokens.len() >= 2);
    for record in recorder.spans().iter().chain(&events) {
        for value in record.fields.values().chain([&record.name]) {
            assert!(!value.contains(TEST_CLIENT_SECRET), "{record:?}");
            assert!(!value.contains("Bearer "), "{record:?}");
            for token in &tokens {
                assert!(!value.contains(token.as_str()), "{record:?}");
            }
        }
    }
}

/// When a token is renewed, as the client computes it from `expires_in` (`renew_in_s` of
/// the `fetched an OAuth token` event): its renewal margin before expiry, or halfway through
/// a life shorter than twice the margin. That a token due for renewal is renewed before use
/// is `service_accounts.rs`'s.
#[tokio::test]
async fn a_token_is_renewed_its_margin_before_expiry_or_halfway_through_a_short_life() {
    use atlas_admin::types::CloudProvider;
    use atlas_test_server::{TEST_CLIENT_ID, TEST_CLIENT_SECRET};

    let (recorder, _guard) = Recorder::install();
    let server = TestServer::start().await;
    // (`expires_in` answered, renewal margin (`None`: the default 5 minutes), renewal after)
    let cases: [(u64, Option<Duration>, &str); 5] = [
        (3600, Some(Duration::from_secs(10)), "3590"),
        (3600, None, "3300"),
        // 3.5 s: the margin, not halfway (2 s).
        (4, Some(Duration::from_millis(500)), "3"),
        // The default margin is more than half the life: halfway.
        (400, None, "200"),
        (2, None, "1"),
    ];
    for (expires_in, margin, _) in cases {
        server.set_token_expires_in(Some(expires_in));
        let mut builder = atlas_admin::Client::builder()
            .base_url(server.base_url())
            .service_account(TEST_CLIENT_ID, TEST_CLIENT_SECRET)
            .timeout(Duration::from_secs(10));
        if let Some(margin) = margin {
            builder = builder.token_renewal_margin(margin);
        }
        let client = builder.build().expect("valid");
        client
            .list_private_endpoint_services(TEST_GROUP_ID, CloudProvider::Aws)
            .await
            .expect("listed");
    }
    let seen: Vec<(String, String)> = recorder
        .named("fetched an OAuth token")
        .into_iter()
        .map(|event| {
            (
                event.fields["expires_in_s"].clone(),
                event.fields["renew_in_s"].clone(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = cases
        .iter()
        .map(|(expires_in, _, renew_in)| (expires_in.to_string(), (*renew_in).to_owned()))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(server.tokens_issued(), cases.len());
    assert_eq!(server.bearer_rejections(), 0);
}
