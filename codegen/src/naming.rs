//! Rust names derived from wire names, with keywords made safe.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that can be used as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers: they get a trailing underscore instead.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A snake_case identifier for a field, method or argument (`ORG-ID` → `org_id`).
pub fn snake_ident(wire: &str) -> String {
    safe_ident(&wire.to_snake_case(), "v")
}

/// An UpperCamelCase identifier for a type or variant (`us-east-1` → `UsEast1`).
pub fn camel_ident(wire: &str) -> String {
    safe_ident(&wire.to_upper_camel_case(), "V")
}

/// Makes `name` a valid identifier: prefixes names that start with a digit (or are empty after
/// conversion), escapes keywords.
fn safe_ident(name: &str, digit_prefix: &str) -> String {
    let name = if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{digit_prefix}{name}")
    } else {
        name.to_owned()
    };
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else if RAW_KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// Whether `name` is a Rust keyword (strict, reserved or weak-reserved like `gen`), which a
/// plain identifier cannot be.
pub fn is_keyword(name: &str) -> bool {
    RAW_KEYWORDS.contains(&name) || NON_RAW_KEYWORDS.contains(&name)
}

/// The identifier without a raw prefix, as used inside other names (`r#type` → `type`).
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_snake_names_from_wire_names() {
        assert_eq!(snake_ident("ORG-ID"), "org_id");
        assert_eq!(snake_ident("endpointServiceName"), "endpoint_service_name");
        assert_eq!(snake_ident("createWidgetPart"), "create_widget_part");
    }

    #[test]
    fn derives_camel_names_from_wire_values() {
        assert_eq!(camel_ident("us-east-1"), "UsEast1");
        assert_eq!(camel_ident("WAITING_FOR_USER"), "WaitingForUser");
        assert_eq!(camel_ident("AWS"), "Aws");
    }

    #[test]
    fn escapes_keywords() {
        assert_eq!(snake_ident("type"), "r#type");
        assert_eq!(snake_ident("match"), "r#match");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("crate"), "crate_");
        assert_eq!(camel_ident("self"), "Self_");
        assert_eq!(unraw("r#type"), "type");
    }

    #[test]
    fn prefixes_leading_digits() {
        assert_eq!(camel_ident("2xl"), "V2xl");
        assert_eq!(snake_ident("3d"), "v3d");
        assert_eq!(camel_ident("-"), "V");
    }
}
