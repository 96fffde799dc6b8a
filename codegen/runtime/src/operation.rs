//! What a generated crate states once per operation, and the request, its tracing span and
//! the mock server all read.

/// An operation of the API: generated once per operation, as a `static`.
#[derive(Debug)]
pub struct Operation {
    /// The operation id (the spec's key), the `operation` field of its tracing span.
    pub id: &'static str,
    /// The generated `Client` method that sends it.
    pub client_method: &'static str,
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The path template (with its version's prefix), for spans and messages.
    pub path_template: &'static str,
    /// The path template, split at its parameters.
    pub path: &'static [Segment],
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
}

/// A piece of a path template.
#[derive(Debug)]
pub enum Segment {
    /// Text sent (and matched) as is.
    Literal(&'static str),
    /// A path parameter, by wire name.
    Param(&'static str),
}

impl Operation {
    /// The path below the base URL: the literal segments with `values` (the path parameters,
    /// already checked and percent-encoded) in the order of the template's placeholders.
    pub fn path_with(&self, values: &[&str]) -> String {
        let mut values = values.iter();
        let mut path = String::with_capacity(self.path_template.len() + 32);
        for segment in self.path {
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
            path: &[
                Segment::Literal("/v2/groups/"),
                Segment::Param("groupId"),
                Segment::Literal("/things/"),
                Segment::Param("thingId"),
            ],
            media_type: "application/json",
            has_body: false,
            status: 200,
            empty: false,
            envelope: None,
        };
        assert_eq!(
            OPERATION.path_with(&["g%2F1", "t"]),
            "/v2/groups/g%2F1/things/t"
        );
    }
}
