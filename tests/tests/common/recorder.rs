//! A `tracing` layer that keeps every span and event, for tests that read the client's
//! events as evidence (the retry delays, the token lifetimes) instead of timing it.
//!
//! `tracing` caches per call site whether any subscriber is interested. A call site first
//! hit on a thread without a subscriber while only one other subscriber exists is cached as
//! uninteresting for every thread, so a test binary that reads events installs a recorder
//! in *every* test, first thing ([`Recorder::install`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::subscriber::DefaultGuard;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// A span or event as recorded: its name (the message for events), target, level and fields.
#[derive(Debug, Clone)]
pub struct Record {
    pub name: String,
    pub target: String,
    pub level: Level,
    pub fields: BTreeMap<String, String>,
    /// For events: the names of the spans it happened in, innermost first.
    pub scope: Vec<String>,
}

/// Keeps every span and event, with all fields as text.
#[derive(Clone, Default)]
pub struct Recorder {
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
    /// A recorder installed as this thread's subscriber until the guard is dropped. Events
    /// of tasks on other threads (a multi-threaded runtime's workers) are not recorded.
    pub fn install() -> (Recorder, DefaultGuard) {
        let recorder = Recorder::default();
        let guard =
            tracing::subscriber::set_default(tracing_subscriber::registry().with(recorder.clone()));
        (recorder, guard)
    }

    pub fn spans(&self) -> Vec<Record> {
        self.spans.lock().expect("lock").clone()
    }

    pub fn events(&self) -> Vec<Record> {
        self.events.lock().expect("lock").clone()
    }

    /// The events with this message, in order.
    pub fn named(&self, message: &str) -> Vec<Record> {
        self.events()
            .into_iter()
            .filter(|event| event.name == message)
            .collect()
    }

    /// The transport's `retrying` events as `(attempt, delay_ms, cause)`, in order: the
    /// evidence of how long each retry waited.
    pub fn retries(&self) -> Vec<(u32, u64, String)> {
        self.named("retrying")
            .into_iter()
            .map(|event| {
                let number = |name: &str| event.fields[name].parse::<u64>().expect("a number");
                (
                    u32::try_from(number("attempt")).expect("small"),
                    number("delay_ms"),
                    event.fields["cause"].clone(),
                )
            })
            .collect()
    }
}
