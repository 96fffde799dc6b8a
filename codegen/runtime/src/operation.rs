//! What a generated crate states once per operation, and the request, its tracing span and
//! the mock server all read.

/// An operation of a generated crate, as a type: what it returns and its [`Operation`].
///
/// Each operation is an uninhabited marker type implementing this trait; its request
/// builder is the generated crate's `Request<ThatMarker>`, whose generic methods (`send`,
/// `timeout`, `IntoFuture`, ...) read the metadata from here.
pub trait Endpoint: 'static {
    /// What the operation returns (`()` when it answers without a body).
    type Output: serde::de::DeserializeOwned + Send + 'static;
    /// The operation's metadata.
    const OPERATION: &'static Operation;
}

/// An operation of the API: generated once per operation, in its [`Endpoint`] impl.
#[derive(Debug)]
pub struct Operation {
    /// The operation id (the spec's key), the `operation` field of its tracing span.
    pub id: &'static str,
    /// The generated `Client` method that sends it.
    pub client_method: &'static str,
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The path template, with its version's prefix: `{name}` placeholders (checked by the
    /// generator) between literal text. Spans and messages show it; requests and mocks read it
    /// as [`segments`](Self::segments).
    pub path_template: &'static str,
    /// Sent as `Accept`, and as `Content-Type` when there is a body.
    pub media_type: &'static str,
    /// Whether requests carry a body.
    pub has_body: bool,
    /// The documented success status.
    pub status: u16,
    /// The operation answers without a body.
    pub empty: bool,
    /// The query parameter that asks for the `{"status", "content"}` envelope, if any.
    pub envelope: Option<&'static str>,
    /// The query parameters it takes, in the order they are sent (the spec's, whatever the
    /// order of the setter calls).
    pub query: &'static [&'static str],
}

/// A piece of a path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// Text sent (and matched) as is.
    Literal(&'static str),
    /// A path parameter, by wire name.
    Param(&'static str),
}

impl Operation {
    /// The path template, split at its placeholders.
    pub fn segments(&self) -> impl Iterator<Item = Segment> + use<> {
        let mut rest = self.path_template;
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let segment = match rest.strip_prefix('{').and_then(|tail| tail.split_once('}')) {
                Some((name, tail)) => {
                    rest = tail;
                    Segment::Param(name)
                }
                None => {
                    // Up to the next placeholder (or the end): a `{` at the start that does
                    // not close is literal text.
                    let end = rest[1..].find('{').map_or(rest.len(), |at| at + 1);
                    let (text, tail) = rest.split_at(end);
                    rest = tail;
                    Segment::Literal(text)
                }
            };
            Some(segment)
        })
    }

    /// The path below the base URL: the literal segments with `values` (the path parameters,
    /// already checked and percent-encoded) in the order of the template's placeholders.
    pub fn path_with(&self, values: &[&str]) -> String {
        let mut values = values.iter();
        let mut path = String::with_capacity(self.path_template.len() + 32);
        for segment in self.segments() {
            match segment {
                Segment::Literal(text) => path.push_str(text),
                Segment::Param(_) => path.push_str(values.next().copied().unwrap_or_default()),
            }
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_fill_the_placeholders_in_order() {
        static OPERATION: Operation = Operation {
            id: "getThing",
            client_method: "get_thing",
            method: reqwest::Method::GET,
            path_template: "/v2/groups/{groupId}/things/{thingId}",
            media_type: "application/json",
            has_body: false,
            status: 200,
            empty: false,
            envelope: None,
            query: &[],
        };
        assert_eq!(
            OPERATION.segments().collect::<Vec<_>>(),
            [
                Segment::Literal("/v2/groups/"),
                Segment::Param("groupId"),
                Segment::Literal("/things/"),
                Segment::Param("thingId"),
            ]
        );
        assert_eq!(
            OPERATION.path_with(&["g%2F1", "t"]),
            "/v2/groups/g%2F1/things/t"
        );
    }
}
