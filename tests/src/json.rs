//! Helpers for building the JSON bodies the server answers with.
//!
//! Bodies are plain `serde_json::Value`s. This crate enables serde_json's `preserve_order`
//! (the generator already does, so the workspace build has it anyway), so object members keep
//! the order they are inserted in, as in Atlas's answers: the Digest 401 body and the interface
//! endpoint are not sorted by key.

use serde_json::Value;

/// An object from `(key, value)` pairs, in their order.
pub(crate) fn object<K: Into<String>>(members: impl IntoIterator<Item = (K, Value)>) -> Value {
    Value::Object(
        members
            .into_iter()
            .map(|(key, value)| (key.into(), value))
            .collect(),
    )
}

/// A JSON string.
pub(crate) fn string(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

/// A JSON string, or `null` for `None`.
pub(crate) fn opt_string(text: Option<&str>) -> Value {
    text.map_or(Value::Null, string)
}

/// A JSON integer.
pub(crate) fn int(number: u64) -> Value {
    Value::from(number)
}

/// Replaces the member `key` of an object in place, or appends it; no-op on other values.
pub(crate) fn set(value: &mut Value, key: &str, member: Value) {
    if let Value::Object(members) = value {
        members.insert(key.to_owned(), member);
    }
}

/// Serializes compactly or pretty-printed.
pub(crate) fn render(value: &Value, pretty: bool) -> Vec<u8> {
    let rendered = if pretty {
        serde_json::to_vec_pretty(value)
    } else {
        serde_json::to_vec(value)
    };
    // Serializing a `Value` cannot fail: its keys are strings and its numbers are valid.
    rendered.unwrap_or_else(|_| b"{}".to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_insertion_order_compact_and_pretty() {
        let value = object([
            ("zeta", int(1)),
            ("alpha", opt_string(None)),
            ("mid", string("x")),
        ]);
        assert_eq!(
            render(&value, false),
            br#"{"zeta":1,"alpha":null,"mid":"x"}"#
        );
        assert_eq!(
            String::from_utf8(render(&value, true)).expect("utf-8"),
            "{\n  \"zeta\": 1,\n  \"alpha\": null,\n  \"mid\": \"x\"\n}"
        );
    }

    #[test]
    fn set_replaces_in_place_or_appends() {
        let mut value = object([("a", int(1)), ("b", int(2))]);
        set(&mut value, "a", int(3));
        set(&mut value, "c", int(4));
        assert_eq!(render(&value, false), br#"{"a":3,"b":2,"c":4}"#);
        let mut not_object = int(5);
        set(&mut not_object, "a", int(1));
        assert_eq!(not_object, int(5));
    }
}
