//! What every generated type shares, written once: the helpers that the derives
//! [`Object`](crate::Object), [`Union`](crate::Union) and [`OpenEnum`](crate::OpenEnum) expand
//! to, and the values a generated type keeps when it does not know them ([`UnknownValue`],
//! [`UnknownObject`]).
//!
//! Object types do not `#[derive(Serialize, Deserialize)]`: serde's derives expand to about
//! 470 lines per struct, which dominated the generated crate's compile time. `Object` only
//! reads each field's wire name and kind; writing is compiled once per field type, and reading
//! is one small visitor per struct that decodes each member straight into its field (the
//! helpers it calls are shared).
//!
//! Everything here is for generated code: the helpers are public but hidden from the docs.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Error as _, IgnoredAny, MapAccess};
use serde_json::{Map, Value};

/// A value that an enum of a generated crate does not know, kept exactly as received.
///
/// It cannot be built by users of a generated crate, so a known value always maps to its own
/// variant; use `From<&str>` or `FromStr` on the enum, which pick the known variant when there
/// is one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// For the enums' `From<&str>` only (derived with [`OpenEnum`](crate::OpenEnum)), which tries the known
    /// values first.
    #[doc(hidden)]
    pub fn new(value: String) -> Self {
        UnknownValue(value)
    }

    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An object of a union whose discriminator a generated crate does not know (or which has
/// none), kept exactly as received: serializing it writes the same members back.
///
/// It cannot be built by users of a generated crate, so an object of a known variant always
/// decodes into that variant.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownObject(Map<String, Value>);

impl UnknownObject {
    /// For the unions' decoders only (derived with [`Union`](crate::Union)), which
    /// try the known variants first.
    #[doc(hidden)]
    pub fn new(members: Map<String, Value>) -> Self {
        UnknownObject(members)
    }

    /// The members as received.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The members as received, owned.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }

    /// The member `name`, if present.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

/// Reads a string, borrowed from the input when possible (shared by every open enum).
pub fn string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<std::borrow::Cow<'de, str>, D::Error> {
    std::borrow::Cow::<'de, str>::deserialize(deserializer)
}

/// A member name, borrowed from the input when it has no escapes (so most names cost no
/// allocation).
pub enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(name) => name,
            Key::Owned(name) => name,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a member name")
            }

            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(name))
            }

            fn visit_str<E>(self, name: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(name.to_owned()))
            }

            fn visit_string<E>(self, name: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(name))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Reads the value of the member `field` into its slot; a second member of the same name is an
/// error, as with serde's derive.
pub fn read_member<'de, A, T>(
    map: &mut A,
    slot: &mut Option<T>,
    field: &'static str,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(A::Error::duplicate_field(field));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a member nobody asks for.
pub fn skip_member<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// A member that must be present (it may still be `null` if `T` is an `Option`).
pub fn required<T, E: de::Error>(slot: Option<T>, field: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(field))
}

/// A member that may be missing or `null`.
pub fn optional<T, E>(slot: Option<Option<T>>, _field: &'static str) -> Result<Option<T>, E> {
    Ok(slot.flatten())
}

/// A member that may be missing or `null` (written as `null` when `None`).
pub fn nullable<T, E>(slot: Option<Option<T>>, field: &'static str) -> Result<Option<T>, E> {
    optional(slot, field)
}

/// Writes a struct as a JSON object, member by member (see the [`Object`](crate::Object) derive).
pub struct ObjectWriter<M> {
    map: M,
}

impl<M: serde::ser::SerializeMap> ObjectWriter<M> {
    pub fn new<S>(serializer: S) -> Result<Self, S::Error>
    where
        S: serde::Serializer<SerializeMap = M>,
    {
        serializer
            .serialize_map(None)
            .map(|map| ObjectWriter { map })
    }

    pub fn required<T: serde::Serialize>(
        &mut self,
        field: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        self.map.serialize_entry(field, value)
    }

    pub fn nullable<T: serde::Serialize>(
        &mut self,
        field: &'static str,
        value: &Option<T>,
    ) -> Result<(), M::Error> {
        self.map.serialize_entry(field, value)
    }

    pub fn optional<T: serde::Serialize>(
        &mut self,
        field: &'static str,
        value: &Option<T>,
    ) -> Result<(), M::Error> {
        match value {
            Some(value) => self.map.serialize_entry(field, value),
            None => Ok(()),
        }
    }

    pub fn end(self) -> Result<M::Ok, M::Error> {
        self.map.end()
    }
}

/// A struct written member by member into a JSON object (implemented by the [`Object`](crate::Object) derive), so
/// a union can add its discriminator to the same object.
pub trait ToObject {
    /// Writes the struct's members.
    fn write_members<M: serde::ser::SerializeMap>(
        &self,
        writer: &mut ObjectWriter<M>,
    ) -> Result<(), M::Error>;
}

/// Writes a union variant: the discriminator member, then the object's own members.
pub fn write_variant<S: serde::Serializer, T: ToObject>(
    serializer: S,
    discriminator: &'static str,
    value: &str,
    object: &T,
) -> Result<S::Ok, S::Error> {
    let mut writer = ObjectWriter::new(serializer)?;
    writer.required(discriminator, &value)?;
    object.write_members(&mut writer)?;
    writer.end()
}

/// Builds a union variant from the members already read (see the [`Union`](crate::Union) derive); an error
/// names the variant's type.
pub fn variant<T: DeserializeOwned, E: de::Error>(members: Map<String, Value>) -> Result<T, E> {
    let object = Value::Object(members);
    let path = std::any::type_name::<T>();
    let type_name = path.rsplit("::").next().unwrap_or(path);
    T::deserialize(&object).map_err(|error| E::custom(format_args!("{type_name}: {error}")))
}

/// Reads the members of a JSON object.
pub fn read_object<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Map<String, Value>, D::Error> {
    Map::<String, Value>::deserialize(deserializer)
}

#[cfg(test)]
mod tests {

    /// A type like the generated ones.
    #[derive(Debug, PartialEq, crate::Object)]
    pub struct Probe {
        #[member("name")]
        name: String,
        #[member("count", optional)]
        count: Option<i64>,
        #[member("note", nullable)]
        note: Option<String>,
        #[member("tags", optional)]
        tags: Option<Vec<String>>,
    }

    #[test]
    fn reads_required_optional_and_defaulted_members_and_ignores_others() {
        let probe: Probe = serde_json::from_str(r#"{"name":"a","count":null,"extra":[1,{"x":2}]}"#)
            .expect("decodes");
        assert_eq!(
            probe,
            Probe {
                name: "a".to_owned(),
                count: None,
                note: None,
                tags: None,
            }
        );
        // Written back: `optional` members only when set, `nullable` ones always.
        assert_eq!(
            serde_json::to_string(&probe).expect("encodes"),
            r#"{"name":"a","note":null}"#
        );
        let probe: Probe =
            serde_json::from_str(r#"{"tags":["t"],"count":3,"name":"b","note":"n"}"#)
                .expect("decodes");
        assert_eq!(
            serde_json::to_string(&probe).expect("encodes"),
            r#"{"name":"b","count":3,"note":"n","tags":["t"]}"#
        );
    }

    #[test]
    fn says_what_failed_like_serde_does() {
        let missing = serde_json::from_str::<Probe>(r#"{"count":1}"#)
            .expect_err("name is required")
            .to_string();
        assert_eq!(missing, "missing field `name` at line 1 column 11");
        let wrong = serde_json::from_str::<Probe>(r#"{"name":"a","count":"many"}"#)
            .expect_err("count is a number")
            .to_string();
        assert!(
            wrong.starts_with("invalid type: string \"many\", expected i64"),
            "{wrong}"
        );
        let twice = serde_json::from_str::<Probe>(r#"{"name":"a","name":"b"}"#)
            .expect_err("a member twice")
            .to_string();
        assert!(twice.starts_with("duplicate field `name`"), "{twice}");
        let not_object = serde_json::from_str::<Probe>("[1]")
            .expect_err("not an object")
            .to_string();
        assert!(
            not_object.starts_with("invalid type: sequence, expected a Probe object"),
            "{not_object}"
        );
    }

    #[test]
    fn member_names_with_escapes_and_values_read_from_a_value_decode_the_same() {
        let expected = Probe {
            name: "a".to_owned(),
            count: Some(2),
            note: None,
            tags: Some(vec!["t".to_owned()]),
        };
        // An escaped name cannot be borrowed from the input: it is unescaped into a `String`.
        let escaped: Probe =
            serde_json::from_str(r#"{"na\u006de":"a","count":2,"tags":["t"]}"#).expect("decodes");
        assert_eq!(escaped, expected);
        let value = serde_json::json!({"name": "a", "count": 2, "tags": ["t"], "other": {}});
        let from_value: Probe = serde_json::from_value(value).expect("decodes");
        assert_eq!(from_value, expected);
    }
}
