//! The every-construct fixture crate (`codegen/tests/keywords/client`): its union and optional
//! field serde, and what its client puts on the wire, seen by a server of canned answers.

use std::time::Duration;

use keywords_client::types::{
    Inner, Match, MatchVariant, Phase, SelfVariant, State, SuperUserVariant, Trait, Use,
};
use keywords_client::{Client, Error};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const V2_MEDIA_TYPE: &str = "application/vnd.fixture.2024-01-01+json";

fn self_variant() -> Trait {
    Trait::Self_(
        SelfVariant::new(
            "alpha",
            State::Ready,
            vec![Inner::new("r1").with_mut(7), Inner::new("r2")],
        )
        .with_async(true)
        .with_tags(vec!["a".to_owned(), "b".to_owned()])
        .with_where(Inner::new("here")),
    )
}

fn match_variant() -> Trait {
    Trait::Match(MatchVariant::new("beta", Phase::Running))
}

fn super_user_variant() -> Trait {
    Trait::SuperUser(SuperUserVariant::new(
        false,
        vec!["x".to_owned()],
        Inner::new("nested").with_mut(3),
        State::Pending,
    ))
}

// ---------------------------------------------------------------------------------------------
// Union serde
// ---------------------------------------------------------------------------------------------

#[test]
fn every_variant_round_trips_with_the_discriminator_first() {
    let cases = [
        (
            self_variant(),
            "self",
            json!({
                "type": "self", "name": "alpha", "async": true, "tags": ["a", "b"],
                "where": {"ref": "here"}, "state": "READY",
                "loop": [{"ref": "r1", "mut": 7}, {"ref": "r2"}]
            }),
        ),
        (
            match_variant(),
            "match",
            json!({"type": "match", "name": "beta", "phase": "RUNNING"}),
        ),
        (
            super_user_variant(),
            "super-user",
            json!({
                "type": "super-user", "async": false, "tags": ["x"],
                "where": {"ref": "nested", "mut": 3}, "state": "PENDING"
            }),
        ),
    ];
    for (value, wire, expected) in cases {
        let text = serde_json::to_string(&value).expect("serializes");
        assert!(
            text.starts_with(&format!(r#"{{"type":"{wire}""#)),
            "discriminator not first: {text}"
        );
        let written: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(written, expected, "{wire}");
        let back: Trait = serde_json::from_str(&text).expect("decodes");
        assert_eq!(back, value, "{wire}");
        assert!(back.is_known());
    }
}

#[test]
fn nested_arrays_and_objects_decode() {
    let text = r#"{"loop":[{"ref":"a","mut":1},{"ref":"b"}],"state":"FAILED","name":"n","type":"self","where":{"ref":"w"},"crate":null}"#;
    let Trait::Self_(value) = serde_json::from_str::<Trait>(text).expect("decodes") else {
        panic!("not the `self` variant");
    };
    assert_eq!(value.r#loop.len(), 2);
    assert_eq!(value.r#loop[0].r#ref, "a");
    assert_eq!(value.r#loop[0].r#mut, Some(1));
    assert_eq!(value.r#loop[1].r#mut, None);
    assert_eq!(value.r#where.as_ref().map(|w| w.r#ref.as_str()), Some("w"));
    assert_eq!(value.state, State::Failed);
    assert_eq!(value.crate_, None);

    let text = r#"{"type":"super-user","async":true,"tags":[],"where":{"ref":"deep","mut":9},"state":"READY"}"#;
    let Trait::SuperUser(value) = serde_json::from_str::<Trait>(text).expect("decodes") else {
        panic!("not the `super-user` variant");
    };
    assert_eq!(value.r#where.r#ref, "deep");
    assert_eq!(value.r#where.r#mut, Some(9));
    assert!(value.tags.is_empty());
    assert_eq!(value.name, None);
}

#[test]
fn an_alias_of_the_discriminator_selects_its_variant() {
    let text =
        r#"{"type":"SUPER_USER","async":true,"tags":[],"where":{"ref":"r"},"state":"READY"}"#;
    let value: Trait = serde_json::from_str(text).expect("decodes");
    assert!(matches!(value, Trait::SuperUser(_)), "{value:?}");
    // Written back with the canonical value.
    let written = serde_json::to_value(&value).expect("serializes");
    assert_eq!(written["type"], "super-user");
}

#[test]
fn an_unknown_discriminator_is_kept_whole_and_written_back_identically() {
    let text = r#"{"type":"quantum","name":"q","nested":{"deep":[1,2,{"x":null}]},"async":true,"state":"READY"}"#;
    let value: Trait = serde_json::from_str(text).expect("decodes");
    let Trait::Unknown(object) = &value else {
        panic!("not Unknown: {value:?}");
    };
    assert!(!value.is_known());
    let members: Vec<&str> = object.as_map().keys().map(String::as_str).collect();
    assert_eq!(members, ["type", "name", "nested", "async", "state"]);
    assert_eq!(
        object.get("nested"),
        Some(&json!({"deep": [1, 2, {"x": null}]}))
    );
    assert_eq!(serde_json::to_string(&value).expect("serializes"), text);
    assert_eq!(value.r#type(), Some(Match::from("quantum")));
    assert!(!value.r#type().expect("a value").is_known());
    // Fields every variant has are not read from an unknown object.
    assert_eq!(value.name(), None);
    assert_eq!(value.r#async(), None);
}

#[test]
fn an_object_without_the_discriminator_is_unknown() {
    let text = r#"{"name":"alpha","state":"READY","loop":[]}"#;
    let value: Trait = serde_json::from_str(text).expect("decodes");
    assert!(matches!(value, Trait::Unknown(_)), "{value:?}");
    assert_eq!(value.r#type(), None);
    assert_eq!(serde_json::to_string(&value).expect("serializes"), text);

    // A discriminator that is not a string is not one either.
    let value: Trait = serde_json::from_str(r#"{"type":7}"#).expect("decodes");
    assert!(matches!(value, Trait::Unknown(_)), "{value:?}");
    assert_eq!(value.r#type(), None);
}

#[test]
fn a_known_variant_with_a_bad_field_names_the_type_and_what_is_wrong() {
    let error = serde_json::from_str::<Trait>(
        r#"{"type":"self","name":"alpha","state":"READY","loop":[],"async":"yes"}"#,
    )
    .expect_err("`async` is a boolean");
    let message = error.to_string();
    assert!(
        message.starts_with("SelfVariant: invalid type: string \"yes\", expected a boolean"),
        "{message}"
    );

    let error = serde_json::from_str::<Trait>(r#"{"type":"match","name":"beta"}"#)
        .expect_err("`phase` is required");
    let message = error.to_string();
    assert!(
        message.starts_with("MatchVariant: missing field `phase`"),
        "{message}"
    );

    let error = serde_json::from_str::<Trait>(
        r#"{"type":"super-user","async":true,"tags":[],"where":{"mut":1},"state":"READY"}"#,
    )
    .expect_err("`where.ref` is required");
    let message = error.to_string();
    assert!(
        message.starts_with("SuperUserVariant: missing field `ref`"),
        "{message}"
    );
}

#[test]
fn common_field_accessors_read_whichever_variant_it_is() {
    let first = self_variant();
    assert_eq!(first.name(), Some("alpha"));
    assert_eq!(first.r#async(), Some(true));
    assert_eq!(first.tags(), Some(&["a".to_owned(), "b".to_owned()][..]));
    assert_eq!(first.r#where().map(|w| w.r#ref.as_str()), Some("here"));

    let second = match_variant();
    assert_eq!(second.name(), Some("beta"));
    assert_eq!(second.r#async(), None);
    assert_eq!(second.tags(), None);
    assert_eq!(second.r#where(), None);

    // Required in this variant, optional in the others.
    let third = super_user_variant();
    assert_eq!(third.name(), None);
    assert_eq!(third.r#async(), Some(false));
    assert_eq!(third.tags(), Some(&["x".to_owned()][..]));
    assert_eq!(third.r#where(), Some(&Inner::new("nested").with_mut(3)));

    let unknown: Trait = serde_json::from_str(
        r#"{"type":"other","name":"n","async":true,"tags":["t"],"where":{"ref":"r"}}"#,
    )
    .expect("decodes");
    assert_eq!(unknown.name(), None);
    assert_eq!(unknown.r#async(), None);
    assert_eq!(unknown.tags(), None);
    assert_eq!(unknown.r#where(), None);
}

#[test]
fn the_discriminator_accessor_and_constant() {
    assert_eq!(Trait::DISCRIMINATOR, "type");
    assert_eq!(self_variant().r#type(), Some(Match::Self_));
    assert_eq!(match_variant().r#type(), Some(Match::Match));
    assert_eq!(super_user_variant().r#type(), Some(Match::SuperUser));
}

#[test]
fn unions_as_array_items_and_fields() {
    let value = Use::new(vec![self_variant(), match_variant()]).with_static(super_user_variant());
    let written = serde_json::to_value(&value).expect("serializes");
    assert_eq!(written["items"][0]["type"], "self");
    assert_eq!(written["items"][1]["type"], "match");
    assert_eq!(written["static"]["type"], "super-user");
    assert!(written.get("dyn").is_none(), "{written}");
    let back: Use = serde_json::from_value(written).expect("decodes");
    assert_eq!(back, value);

    let mixed: Use = serde_json::from_str(
        r#"{"items":[{"type":"match","name":"m","phase":"DONE"},{"type":"zzz"}]}"#,
    )
    .expect("decodes");
    assert!(matches!(mixed.items[0], Trait::Match(_)));
    assert!(matches!(mixed.items[1], Trait::Unknown(_)));
}

// ---------------------------------------------------------------------------------------------
// Optional fields
// ---------------------------------------------------------------------------------------------

#[test]
fn unset_optional_fields_are_never_written() {
    // `yield` is required and nullable: always written, as `null` when unset.
    let written = serde_json::to_value(keywords_client::types::Dyn::new()).expect("serializes");
    assert_eq!(written, json!({"yield": null}));

    let written = serde_json::to_value(Use::new(vec![])).expect("serializes");
    assert_eq!(written, json!({"items": []}));

    let written = serde_json::to_value(MatchVariant::new("m", Phase::Done)).expect("serializes");
    assert_eq!(written, json!({"name": "m", "phase": "DONE"}));
}

#[test]
fn optional_fields_of_every_kind_are_written_when_set() {
    let value = keywords_client::types::Dyn::new()
        .with_yield("y".to_owned())
        .with_abstract("s".to_owned())
        .with_become(true)
        .with_box(-3)
        .with_do(1.5)
        .with_final(json!({"free": [1]}))
        .with_macro(Match::Fn)
        .with_override(Inner::new("o"))
        .with_priv(match_variant())
        .with_try(vec!["t".to_owned()])
        .with_typeof(vec![Match::V2fa, Match::from("new-value")])
        .with_unsized(vec![Inner::new("u")])
        .with_virtual(vec![super_user_variant()]);
    let written = serde_json::to_value(&value).expect("serializes");
    assert_eq!(
        written,
        json!({
            "yield": "y", "abstract": "s", "become": true, "box": -3, "do": 1.5,
            "final": {"free": [1]}, "macro": "fn", "override": {"ref": "o"},
            "priv": {"type": "match", "name": "beta", "phase": "RUNNING"},
            "try": ["t"], "typeof": ["2fa", "new-value"], "unsized": [{"ref": "u"}],
            "virtual": [{
                "type": "super-user", "async": false, "tags": ["x"],
                "where": {"ref": "nested", "mut": 3}, "state": "PENDING"
            }]
        })
    );
    let back: keywords_client::types::Dyn = serde_json::from_value(written).expect("decodes");
    assert_eq!(back, value);
}

#[test]
fn lists_set_to_empty_are_written_as_empty_arrays() {
    let value = keywords_client::types::Dyn::new()
        .with_try(vec![])
        .with_typeof(vec![])
        .with_unsized(vec![])
        .with_virtual(vec![]);
    let written = serde_json::to_value(&value).expect("serializes");
    assert_eq!(
        written,
        json!({"yield": null, "try": [], "typeof": [], "unsized": [], "virtual": []})
    );
    let value = Use::new(vec![]).with_dyn(vec![]);
    assert_eq!(
        serde_json::to_value(&value).expect("serializes"),
        json!({"items": [], "dyn": []})
    );
    let variant = Trait::Match(MatchVariant::new("m", Phase::Done).with_tags(vec![]));
    assert_eq!(
        serde_json::to_value(&variant).expect("serializes"),
        json!({"type": "match", "name": "m", "tags": [], "phase": "DONE"})
    );
}

#[test]
fn missing_and_null_optional_fields_decode_to_none() {
    let value: keywords_client::types::Dyn =
        serde_json::from_str(r#"{"yield":null,"abstract":null,"try":null}"#).expect("decodes");
    assert_eq!(value, keywords_client::types::Dyn::new());
    // A nullable field reads a missing member as `None` too, even when `required` (see the
    // `object_type!` table of the runtime).
    let value: keywords_client::types::Dyn = serde_json::from_str("{}").expect("decodes");
    assert_eq!(value, keywords_client::types::Dyn::new());
    // A required, non-nullable member is required.
    let error = serde_json::from_str::<Inner>(r#"{"mut":null}"#).expect_err("`ref` is required");
    assert!(error.to_string().contains("`ref`"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// The wire
// ---------------------------------------------------------------------------------------------

/// The value of header `name` of `request`; panics if it is repeated.
fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    let mut values = request.headers.get_all(name).iter();
    let first = values
        .next()
        .map(|value| value.to_str().expect("a text header"));
    assert!(
        values.next().is_none(),
        "header {name} repeated: {request:?}"
    );
    first
}

/// The request target as sent: the raw path, and `?query` if there was one.
fn target(request: &Request) -> String {
    match request.url.query() {
        Some(query) => format!("{}?{query}", request.url.path()),
        None => request.url.path().to_owned(),
    }
}

fn json_body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("the request body is JSON")
}

/// A server that answers every request with the next canned response (the last one again
/// when they run out), and records what it received.
struct Canned {
    server: MockServer,
}

impl Canned {
    async fn start(responses: Vec<ResponseTemplate>) -> Canned {
        let server = MockServer::start().await;
        let last = responses.len().saturating_sub(1);
        for (index, response) in responses.into_iter().enumerate() {
            let mock = Mock::given(any()).respond_with(response);
            // Mocks are tried in the order they were mounted; all but the last answer once.
            let mock = if index < last {
                mock.up_to_n_times(1)
            } else {
                mock
            };
            mock.mount(&server).await;
        }
        Canned { server }
    }

    fn base_url(&self) -> String {
        self.server.uri()
    }

    fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url())
            .digest_auth("public", "private")
            .build()
            .expect("client")
    }

    async fn requests(&self) -> Vec<Request> {
        self.server
            .received_requests()
            .await
            .expect("requests are recorded")
    }

    /// The only request received.
    async fn only(&self) -> Request {
        let requests = self.requests().await;
        assert_eq!(requests.len(), 1, "{requests:#?}");
        requests.into_iter().next().expect("one request")
    }
}

fn answer(status: u16, content_type: &str, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), content_type)
}

/// A 401 with a Digest challenge (the server accepts any answer to it).
fn challenge() -> ResponseTemplate {
    ResponseTemplate::new(401).insert_header(
        "WWW-Authenticate",
        r#"Digest realm="fixture", nonce="0123456789abcdef", qop="auth", algorithm=MD5"#,
    )
}

fn no_content() -> ResponseTemplate {
    ResponseTemplate::new(204)
}

#[tokio::test]
async fn a_204_decodes_to_unit_with_the_version_prefix_and_media_type() {
    let server = Canned::start(vec![no_content()]).await;
    let client = server.client();
    let unit: () = client.r#unsafe(Match::Self_).await.expect("204");
    assert_eq!(unit, ());
    let request = server.only().await;
    assert_eq!(request.method, "DELETE");
    assert_eq!(target(&request), "/api/v2/traits/self");
    assert_eq!(header(&request, "accept"), Some(V2_MEDIA_TYPE));
    assert_eq!(header(&request, "content-type"), None);
    assert_eq!(header(&request, "authorization"), None);
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn enum_path_segments_are_percent_encoded() {
    let server = Canned::start(vec![no_content()]).await;
    // A client per request: see `a_second_request_after_an_unchallenged_answer_is_sent_plain`.
    for value in [
        Match::Self_,
        Match::SuperUser,
        Match::V2fa,
        Match::from("a/b"),
        Match::from("with space?#"),
    ] {
        server.client().r#unsafe(value).await.expect("204");
    }
    // A string argument works too (`impl Into<Match>`), and an alias becomes the canonical value.
    server.client().r#unsafe("SUPER_USER").await.expect("204");
    let targets: Vec<String> = server.requests().await.iter().map(target).collect();
    assert_eq!(
        targets,
        [
            "/api/v2/traits/self",
            "/api/v2/traits/super-user",
            "/api/v2/traits/2fa",
            "/api/v2/traits/a%2Fb",
            "/api/v2/traits/with%20space%3F%23",
            "/api/v2/traits/super-user",
        ]
    );
}

/// A server that answers without a Digest challenge leaves the session without a nonce: it is
/// not reused (it once was, and the next request failed with `MissingChallenge` unsent).
#[tokio::test]
async fn a_second_request_after_an_unchallenged_answer_is_sent_plain() {
    let server = Canned::start(vec![no_content()]).await;
    let client = server.client();
    client.r#unsafe(Match::Self_).await.expect("first 204");
    client.r#unsafe(Match::Fn).await.expect("second 204");
    let requests = server.requests().await;
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|request| header(request, "authorization").is_none())
    );
}

#[tokio::test]
async fn a_201_decodes_its_union_body_and_the_request_carries_the_union() {
    let stored = r#"{"type":"super-user","async":true,"tags":["x"],"where":{"ref":"nested","mut":3},"state":"READY"}"#;
    let server = Canned::start(vec![answer(201, V2_MEDIA_TYPE, stored)]).await;
    let client = server.client();
    let result = client
        .r#impl(Match::SuperUser, super_user_variant())
        .await
        .expect("201");
    let Trait::SuperUser(value) = &result else {
        panic!("not the `super-user` variant: {result:?}");
    };
    assert_eq!(value.state, State::Ready);
    assert_eq!(value.r#where.r#mut, Some(3));

    let request = server.only().await;
    assert_eq!(request.method, "PUT");
    assert_eq!(target(&request), "/api/v2/traits/super-user");
    assert_eq!(header(&request, "accept"), Some(V2_MEDIA_TYPE));
    assert_eq!(header(&request, "content-type"), Some(V2_MEDIA_TYPE));
    assert!(
        request.body.starts_with(br#"{"type":"super-user""#),
        "{}",
        String::from_utf8_lossy(&request.body)
    );
    assert_eq!(
        json_body(&request),
        json!({
            "type": "super-user", "async": false, "tags": ["x"],
            "where": {"ref": "nested", "mut": 3}, "state": "PENDING"
        })
    );
}

#[tokio::test]
async fn a_union_body_for_another_variant_than_the_path_is_refused_before_sending() {
    let server = Canned::start(vec![no_content()]).await;
    let client = server.client();
    let error = client
        .r#impl(Match::Match, self_variant())
        .await
        .expect_err("the body is `self`, the path `match`");
    assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
    assert!(server.requests().await.is_empty());
}

#[tokio::test]
async fn the_enum_query_parameter_and_the_discriminator_filled_from_the_path() {
    let server = Canned::start(vec![answer(
        200,
        V2_MEDIA_TYPE,
        r#"{"name":"beta","phase":"DONE"}"#,
    )])
    .await;
    let client = server.client();
    let result = client
        .r#static(Match::Match)
        .r#dyn(Match::SuperUser)
        .await
        .expect("200");
    let Trait::Match(value) = &result else {
        panic!("the path names `match`: {result:?}");
    };
    assert_eq!(value.name, "beta");
    assert_eq!(value.phase, Phase::Done);
    assert_eq!(result.r#type(), Some(Match::Match));

    let request = server.only().await;
    assert_eq!(request.method, "GET");
    assert_eq!(target(&request), "/api/v2/traits/match?dyn=super-user");
    assert_eq!(header(&request, "accept"), Some(V2_MEDIA_TYPE));
    assert_eq!(header(&request, "content-type"), None);
}

#[tokio::test]
async fn an_answer_with_its_own_discriminator_keeps_it() {
    let server = Canned::start(vec![answer(
        200,
        V2_MEDIA_TYPE,
        r#"{"type":"match","name":"beta","phase":"DONE"}"#,
    )])
    .await;
    let result = server.client().r#static(Match::Self_).await.expect("200");
    assert!(matches!(result, Trait::Match(_)), "{result:?}");
    assert_eq!(target(&server.only().await), "/api/v2/traits/self");
}

#[tokio::test]
async fn the_v1_operations_use_their_prefix_and_plain_json() {
    let server = Canned::start(vec![answer(200, "application/json", "[]")]).await;
    let types = server.client().r#type().await.expect("200");
    assert!(types.is_empty());
    let request = server.only().await;
    assert_eq!(request.method, "GET");
    assert_eq!(target(&request), "/api/v1/types");
    assert_eq!(header(&request, "accept"), Some("application/json"));
    assert_eq!(header(&request, "content-type"), None);
}

#[tokio::test]
async fn a_posted_object_leaves_unset_optional_fields_out() {
    let server = Canned::start(vec![answer(
        200,
        V2_MEDIA_TYPE,
        r#"{"yield":"back","typeof":["fn"]}"#,
    )])
    .await;
    let body = keywords_client::types::Dyn::new()
        .with_macro(Match::Crate)
        .with_try(vec![]);
    let result = server.client().r#const(body).await.expect("200");
    assert_eq!(result.r#yield.as_deref(), Some("back"));
    assert_eq!(result.r#typeof, Some(vec![Match::Fn]));
    assert_eq!(result.r#abstract, None);

    let request = server.only().await;
    assert_eq!(request.method, "POST");
    assert_eq!(target(&request), "/api/v2/dyns");
    assert_eq!(header(&request, "content-type"), Some(V2_MEDIA_TYPE));
    assert_eq!(
        json_body(&request),
        json!({"yield": null, "macro": "crate", "try": []})
    );
}

#[tokio::test]
async fn an_array_of_unions_answer_is_filled_from_nothing_and_kept_as_sent() {
    let server = Canned::start(vec![answer(
        200,
        V2_MEDIA_TYPE,
        r#"[{"type":"match","name":"m","phase":"RUNNING"},{"name":"no discriminator"}]"#,
    )])
    .await;
    let body = Use::new(vec![match_variant()]);
    let result = server.client().r#use(body).await.expect("200");
    assert_eq!(result.len(), 2);
    assert!(matches!(result[0], Trait::Match(_)));
    // No path parameter or body field implies a variant: the object stays unknown.
    assert!(matches!(result[1], Trait::Unknown(_)), "{:?}", result[1]);

    let request = server.only().await;
    assert_eq!(request.method, "PATCH");
    assert_eq!(target(&request), "/api/v2/uses");
    assert_eq!(
        json_body(&request),
        json!({"items": [{"type": "match", "name": "beta", "phase": "RUNNING"}]})
    );
}

#[tokio::test]
async fn an_error_status_with_json_decodes_into_an_api_error() {
    let body = r#"{"detail":"No trait self.","error":404,"errorCode":"TRAIT_NOT_FOUND","parameters":["self"],"reason":"Not Found"}"#;
    let server = Canned::start(vec![answer(404, "application/json", body)]).await;
    let error = server
        .client()
        .r#static(Match::Self_)
        .await
        .expect_err("404");
    let Error::Api(api) = &error else {
        panic!("not an API error: {error:?}");
    };
    assert_eq!(api.status, 404);
    assert_eq!(api.error_code.as_deref(), Some("TRAIT_NOT_FOUND"));
    assert_eq!(api.detail.as_deref(), Some("No trait self."));
    assert_eq!(api.reason.as_deref(), Some("Not Found"));
    assert_eq!(api.parameters, [json!("self")]);
    assert_eq!(api.body, body);
    assert_eq!(error.status(), Some(404));
    assert_eq!(server.requests().await.len(), 1, "a 404 is not retried");
}

#[tokio::test]
async fn the_union_waiter_reads_the_variant_field() {
    // The first poll is challenged, so later polls reuse a real nonce (see
    // `a_second_request_after_an_unchallenged_answer_is_sent_plain`); nothing checks it.
    let server = Canned::start(vec![
        challenge(),
        answer(200, V2_MEDIA_TYPE, r#"{"name":"m","phase":"RUNNING"}"#),
        answer(200, V2_MEDIA_TYPE, r#"{"name":"m","phase":"DONE"}"#),
    ])
    .await;
    let result = server
        .client()
        .wait_until_in(Match::Match)
        .interval(Duration::from_millis(10))
        .max_interval(Duration::from_millis(20))
        .max_wait(Duration::from_secs(5))
        .await
        .expect("done");
    let Trait::Match(value) = &result else {
        panic!("not the `match` variant: {result:?}");
    };
    assert_eq!(value.phase, Phase::Done);
    let requests = server.requests().await;
    assert_eq!(requests.len(), 3, "{requests:#?}");
    assert!(
        requests
            .iter()
            .all(|request| target(request) == "/api/v2/traits/match")
    );
    assert_eq!(header(&requests[0], "authorization"), None);
    assert!(
        requests[1..]
            .iter()
            .all(|request| header(request, "authorization")
                .is_some_and(|value| value.starts_with("Digest "))),
        "{requests:#?}"
    );
}

#[tokio::test]
async fn the_union_waiter_fails_on_a_failure_state_of_the_default_field() {
    let server = Canned::start(vec![answer(
        200,
        V2_MEDIA_TYPE,
        r#"{"name":"s","state":"FAILED","loop":[]}"#,
    )])
    .await;
    let error = server
        .client()
        .wait_until_in(Match::Self_)
        .interval(Duration::from_millis(10))
        .max_wait(Duration::from_secs(5))
        .await
        .expect_err("FAILED");
    assert!(
        matches!(&error, Error::WaiterFailed { state, .. } if state == "FAILED"),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_token_endpoint_is_the_specs_and_a_lower_case_bearer_without_lifetime_is_used() {
    let token = answer(
        200,
        "application/json",
        r#"{"access_token":"fixture-token","token_type":"bearer"}"#,
    );
    let server = Canned::start(vec![token, answer(200, "application/json", "[]")]).await;
    let client = Client::builder()
        .base_url(format!("{}/root", server.base_url()))
        .service_account("fixture id", "s3cret")
        .build()
        .expect("client");
    assert!(client.r#type().await.expect("200").is_empty());
    let requests = server.requests().await;
    let [token, call] = requests.as_slice() else {
        panic!("expected a token request and a call: {requests:#?}");
    };
    assert_eq!(
        (token.method.as_str(), target(token).as_str()),
        ("POST", "/root/oauth/token")
    );
    // "fixture id:s3cret", the space form-encoded before base64.
    assert_eq!(
        header(token, "authorization"),
        Some("Basic Zml4dHVyZStpZDpzM2NyZXQ=")
    );
    assert_eq!(target(call), "/root/api/v1/types");
    assert_eq!(header(call, "authorization"), Some("Bearer fixture-token"));
}

#[tokio::test]
async fn a_token_answer_that_is_not_a_token_is_a_typed_error_that_does_not_quote_it() {
    for body in [
        r#"{"access_token":"leaked-token","token_type":"mac"}"#,
        r#"{"access_token":["leaked-token"],"token_type":"Bearer"}"#,
        "leaked-token",
    ] {
        let server = Canned::start(vec![answer(200, "application/json", body)]).await;
        let client = Client::builder()
            .base_url(server.base_url())
            .service_account("id", "secret")
            .build()
            .expect("client");
        match client.r#type().await {
            Err(error @ Error::Authentication { .. }) => {
                assert!(
                    matches!(
                        error,
                        Error::Authentication {
                            kind: keywords_client::AuthErrorKind::InvalidTokenResponse,
                            oauth: None,
                            ..
                        }
                    ),
                    "{error:?}"
                );
                for text in [error.to_string(), format!("{error:?}")] {
                    assert!(!text.contains("leaked-token"), "{text}");
                }
            }
            other => panic!("expected an authentication error for {body}, got {other:?}"),
        }
        assert_eq!(
            server.requests().await.len(),
            1,
            "no API call without a token"
        );
    }
}
