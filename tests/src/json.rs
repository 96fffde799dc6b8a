//! A tiny JSON value that keeps object members in insertion order.
//!
//! `serde_json::Value` (without the `preserve_order` feature, which would leak into the
//! rest of the workspace through feature unification) sorts object keys. Atlas does not
//! always answer with sorted keys (the Digest 401 body and the interface endpoint do not),
//! so response bodies are built with this type and serialized through `serde_json`.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// An order-preserving JSON value used for every response body the server builds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Builds an object from `(key, value)` pairs, keeping their order.
    pub(crate) fn object<K: Into<String>>(members: impl IntoIterator<Item = (K, Json)>) -> Json {
        Json::Object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A JSON string.
    pub(crate) fn str(s: impl Into<String>) -> Json {
        Json::String(s.into())
    }

    /// A JSON string, or `null` for `None`.
    pub(crate) fn opt_str(s: Option<&str>) -> Json {
        s.map_or(Json::Null, Json::str)
    }

    /// A JSON integer.
    pub(crate) fn int(n: u64) -> Json {
        Json::Number(n.into())
    }

    /// Mutable access to the member `key` of an object.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        match self {
            Json::Object(members) => members.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Appends (or replaces) the member `key` of an object; no-op on other values.
    pub(crate) fn set(&mut self, key: &str, value: Json) {
        if let Json::Object(members) = self {
            match members.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value,
                None => members.push((key.to_owned(), value)),
            }
        }
    }

    /// Serializes compactly or pretty-printed.
    pub(crate) fn render(&self, pretty: bool) -> Vec<u8> {
        let rendered = if pretty {
            serde_json::to_vec_pretty(self)
        } else {
            serde_json::to_vec(self)
        };
        // Serializing this type cannot fail (keys are strings, numbers are valid).
        rendered.unwrap_or_else(|_| b"{}".to_vec())
    }
}

impl From<serde_json::Value> for Json {
    fn from(value: serde_json::Value) -> Json {
        match value {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(b) => Json::Bool(b),
            serde_json::Value::Number(n) => Json::Number(n),
            serde_json::Value::String(s) => Json::String(s),
            serde_json::Value::Array(items) => {
                Json::Array(items.into_iter().map(Json::from).collect())
            }
            serde_json::Value::Object(map) => {
                Json::Object(map.into_iter().map(|(k, v)| (k, Json::from(v))).collect())
            }
        }
    }
}

impl From<&Json> for serde_json::Value {
    fn from(value: &Json) -> serde_json::Value {
        match value {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::Number(n) => serde_json::Value::Number(n.clone()),
            Json::String(s) => serde_json::Value::String(s.clone()),
            Json::Array(items) => {
                serde_json::Value::Array(items.iter().map(serde_json::Value::from).collect())
            }
            Json::Object(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::from(v)))
                    .collect(),
            ),
        }
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Number(n) => n.serialize(serializer),
            Json::String(s) => serializer.serialize_str(s),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Json;

    #[test]
    fn keeps_insertion_order_compact_and_pretty() {
        let body = Json::object([
            ("error", Json::int(401)),
            ("reason", Json::str("Unauthorized")),
            ("list", Json::Array(vec![Json::Null, Json::Bool(true)])),
        ]);
        assert_eq!(
            String::from_utf8(body.render(false)).unwrap(),
            r#"{"error":401,"reason":"Unauthorized","list":[null,true]}"#
        );
        let pretty = String::from_utf8(body.render(true)).unwrap();
        assert!(pretty.starts_with("{\n  \"error\": 401,\n  \"reason\""));
    }

    #[test]
    fn set_replaces_or_appends() {
        let mut body = Json::object([("a", Json::int(1))]);
        body.set("a", Json::int(2));
        body.set("b", Json::Null);
        assert_eq!(
            String::from_utf8(body.render(false)).unwrap(),
            r#"{"a":2,"b":null}"#
        );
    }
}
