//! The declared patterns of path parameters, checked with the `regex` crate with Unicode mode
//! off, against the value's bytes: the engine and settings the generator validated them with
//! (its `pattern.rs`), so a pattern means the same at generation and at run time.

use crate::transport::ArgumentError;

/// A path parameter's declared pattern, compiled on first use.
pub struct Pattern {
    regex: Result<regex::bytes::Regex, regex::Error>,
    description: &'static str,
}

impl Pattern {
    /// Compiles `pattern`; `description` says in words what it accepts.
    pub fn new(pattern: &'static str, description: &'static str) -> Self {
        Pattern {
            regex: regex::bytes::RegexBuilder::new(pattern)
                .unicode(false)
                .build(),
            description,
        }
    }

    /// Checks `value` (the argument `name`) against the pattern.
    pub fn check(&self, name: &'static str, value: &str) -> Result<(), ArgumentError> {
        match &self.regex {
            Ok(regex) if regex.is_match(value.as_bytes()) => Ok(()),
            Ok(_) => Err(ArgumentError::new(
                name,
                format!("{value:?} must be {}", self.description),
            )),
            Err(error) => Err(ArgumentError::new(
                name,
                format!("its pattern does not compile: {error}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_against_the_whole_pattern() {
        let pattern = Pattern::new(
            "^vpce-[0-9a-fA-F]+$",
            "`vpce-` followed by hexadecimal characters",
        );
        assert!(pattern.check("x", "vpce-08fb7e9319909ec7b").is_ok());
        for bad in ["", "vpce-", "vpce-08fb/..", "xvpce-08fb", "vpce-08fbg"] {
            assert!(pattern.check("x", bad).is_err(), "{bad:?}");
        }
        let alternatives = Pattern::new("^(ab|cd)$", "ab or cd");
        assert!(alternatives.check("x", "cd").is_ok());
        assert!(alternatives.check("x", "ac").is_err());
    }

    #[test]
    fn a_pattern_that_does_not_compile_is_reported_not_panicked_on() {
        let broken = Pattern::new("^[a-$", "never");
        let error = broken.check("x", "a").expect_err("refused");
        assert!(
            error.to_string().contains("its pattern does not compile"),
            "{error}"
        );
    }

    #[test]
    fn a_mismatch_names_the_argument_and_the_expected_shape() {
        let pattern = Pattern::new("^[0-9a-fA-F]{24}$", "exactly 24 hexadecimal characters");
        let error = pattern.check("group_id", "not-hex").expect_err("refused");
        assert_eq!(
            error.to_string(),
            "invalid argument `group_id`: \"not-hex\" must be exactly 24 hexadecimal characters"
        );
    }
}
