//! The tracing the generated client emits: one span per operation, events on retry and on
//! Digest re-challenge, and never a key.
//!
//! This is its own test binary, and every test in it installs its own recording subscriber:
//! `tracing` caches per call site whether any subscriber is interested, and tests on other
//! threads without a subscriber would race with the thread-local ones installed here.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atlas_admin::types::{
    CreateInterfaceEndpointRequest, InterfaceEndpointStatus, PrivateEndpoint,
    PrivateEndpointStatus, Region,
};
use atlas_test_server::{
    Fault, ServerConfig, TEST_GROUP_ID, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, TestServer,
};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

use common::{body, client_for, client_with, fast_retries};

/// A span or event as recorded: its name (the message for events), target, level and fields.
#[derive(Debug, Clone)]
struct Record {
    name: String,
    target: String,
    level: Level,
    fields: BTreeMap<String, String>,
    /// For events: the names of the spans it happened in, innermost first.
    scope: Vec<String>,
}

/// A `tracing` layer that keeps every span and event, with all fields as text.
#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<Vec<Record>>>,
    events: Arc<Mutex<Vec<Record>>>,
}

struct FieldsAsText<'a>(&'a mut BTreeMap<String, String>);

impl Visit for FieldsAsText<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S> Layer<S> for Recorder
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut FieldsAsText(&mut fields));
        self.spans.lock().expect("lock").push(Record {
            name: attrs.metadata().name().to_owned(),
            target: attrs.metadata().target().to_owned(),
            level: *attrs.metadata().level(),
            fields,
            scope: Vec::new(),
        });
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut FieldsAsText(&mut fields));
        let scope = ctx
            .event_scope(event)
            .map(|scope| scope.map(|span| span.name().to_owned()).collect())
            .unwrap_or_default();
        self.events.lock().expect("lock").push(Record {
            name: fields.get("message").cloned().unwrap_or_default(),
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields,
            scope,
        });
    }
}

impl Recorder {
    fn spans(&self) -> Vec<Record> {
        self.spans.lock().expect("lock").clone()
    }

    fn events(&self) -> Vec<Record> {
        self.events.lock().expect("lock").clone()
    }
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

#[tokio::test]
async fn operations_run_in_spans_with_their_parameters_and_retries_are_logged() {
    let recorder = Recorder::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(recorder.clone()));
    // Nonces expire after 300 ms, so the last call answers a fresh (stale) challenge.
    let server = TestServer::start_with(ServerConfig {
        nonce_max_age: Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .await;
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
    tokio::time::sleep(Duration::from_millis(400)).await;
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
    let expected = [
        fields(&[
            ("operation", "createPrivateEndpoint"),
            ("method", "POST"),
            ("path_template", template),
            ("group_id", TEST_GROUP_ID),
        ]),
        fields(&[
            ("operation", "getPrivateEndpoint"),
            ("method", "GET"),
            ("path_template", get_template),
            ("group_id", TEST_GROUP_ID),
            ("privatelink_id", &connection.id),
        ]),
        fields(&[
            ("operation", "listPrivateEndpoints"),
            ("method", "GET"),
            ("path_template", template),
            ("group_id", TEST_GROUP_ID),
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
    let recorder = Recorder::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(recorder.clone()));
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

    let recorder = Recorder::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(recorder.clone()));
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
