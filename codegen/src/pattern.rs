//! The regular-expression dialect of a parameter's `pattern`: the `regex` crate's syntax with
//! Unicode mode off, matched against the value's bytes. Validation and import check patterns
//! here; the generated crate's `pattern.rs` (`templates/pattern.rs`) builds them with the same
//! settings, so a pattern means the same at generation and at run time.
//!
//! Unicode mode off makes `\d`, `\w`, `\s` and case-insensitive matching ASCII-only, as in the
//! ECMA-262 patterns of OpenAPI descriptions, and needs none of regex's Unicode tables in the
//! generated crate.

/// Checks that `pattern` compiles; the error says what is wrong and at which character.
pub fn check(pattern: &str) -> Result<(), String> {
    // regex-syntax first: its errors are structured (kind and position), where regex's own
    // are a multi-line drawing.
    let mut parser = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build();
    if let Err(error) = parser.parse(pattern) {
        return Err(describe(&error));
    }
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .map(drop)
        .map_err(|error| error.to_string())
}

fn describe(error: &regex_syntax::Error) -> String {
    match error {
        regex_syntax::Error::Parse(error) => {
            format!(
                "{} (at character {})",
                error.kind(),
                error.span().start.column
            )
        }
        regex_syntax::Error::Translate(error) => {
            format!(
                "{} (at character {})",
                error.kind(),
                error.span().start.column
            )
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn errors_name_the_problem_and_where() {
        assert_eq!(
            check("^[a-z").expect_err("unclosed"),
            "unclosed character class (at character 2)"
        );
        assert_eq!(
            check("^a{2,1}$").expect_err("bad repetition"),
            "invalid repetition count range, the start must be <= the end (at character 3)"
        );
    }

    #[test]
    fn perl_classes_are_ascii_and_any_byte_pattern_is_allowed() {
        for pattern in [
            r"^\d{3}$",
            r"^[^/]+$",
            r"^(?i)vpce-[a-f0-9]+$",
            "^.+$",
            "^é$",
        ] {
            assert_eq!(check(pattern), Ok(()), "{pattern}");
        }
    }
}
