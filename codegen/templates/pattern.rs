//! The declared patterns of path parameters.
//!
//! Most are a fixed shape, such as `^[0-9a-fA-F]{24}$`: an anchored run of ASCII character
//! classes and literals with counts. Those are checked directly, byte by byte, which is several
//! times faster than regex-lite's general matcher; any other pattern goes to regex-lite, the
//! engine the generator validated it with.

use crate::error::Error;

/// A path parameter's declared pattern, compiled on first use.
pub(crate) struct Pattern {
    matcher: Result<Matcher, regex_lite::Error>,
    description: &'static str,
}

enum Matcher {
    /// An anchored sequence of simple pieces (see [`parse_simple`]).
    Simple(Vec<Piece>),
    Regex(regex_lite::Regex),
}

/// A set of ASCII bytes repeated `min..=max` times.
struct Piece {
    bytes: [bool; 128],
    min: usize,
    max: usize,
}

impl Pattern {
    pub(crate) fn new(pattern: &'static str, description: &'static str) -> Self {
        let matcher = match parse_simple(pattern) {
            Some(pieces) => Ok(Matcher::Simple(pieces)),
            None => regex_lite::Regex::new(pattern).map(Matcher::Regex),
        };
        Pattern {
            matcher,
            description,
        }
    }

    /// Checks `value` (the argument `name`) against the pattern.
    pub(crate) fn check(&self, name: &'static str, value: &str) -> Result<(), Error> {
        let matched = match &self.matcher {
            Ok(Matcher::Simple(pieces)) => value.is_ascii() && matches(pieces, value.as_bytes()),
            Ok(Matcher::Regex(regex)) => regex.is_match(value),
            Err(error) => {
                return Err(Error::invalid_argument(
                    name,
                    format!("its pattern does not compile: {error}"),
                ));
            }
        };
        if matched {
            Ok(())
        } else {
            Err(Error::invalid_argument(
                name,
                format!("{value:?} must be {}", self.description),
            ))
        }
    }
}

/// Whether the whole of `input` matches `pieces`, trying the longest run of each piece first.
fn matches(pieces: &[Piece], input: &[u8]) -> bool {
    let Some((piece, rest)) = pieces.split_first() else {
        return input.is_empty();
    };
    let run = input
        .iter()
        .take(piece.max)
        .take_while(|byte| piece.bytes.get(usize::from(**byte)) == Some(&true))
        .count();
    (piece.min..=run)
        .rev()
        .any(|taken| input.get(taken..).is_some_and(|tail| matches(rest, tail)))
}

/// Most pieces a pattern may have to be checked directly (backtracking stays cheap).
const MAX_PIECES: usize = 8;

/// Parses `^…$` made of ASCII letters, digits, `-` and `_`, and classes such as `[0-9a-fA-F]`
/// (ranges and single characters, no negation or escapes), each optionally followed by `?`,
/// `*`, `+`, `{n}`, `{n,}` or `{n,m}`. Anything else is `None` (regex-lite handles it).
fn parse_simple(pattern: &str) -> Option<Vec<Piece>> {
    let body = pattern.strip_prefix('^')?.strip_suffix('$')?;
    let mut chars = body.chars().peekable();
    let mut pieces = Vec::new();
    while let Some(c) = chars.next() {
        let mut bytes = [false; 128];
        if c == '[' {
            let mut class = Vec::new();
            loop {
                match chars.next()? {
                    ']' => break,
                    c if is_plain(c) => class.push(c),
                    _ => return None,
                }
            }
            let mut index = 0;
            while let Some(&c) = class.get(index) {
                match (class.get(index + 1), class.get(index + 2)) {
                    (Some('-'), Some(&end)) if c <= end => {
                        for byte in c as u8..=end as u8 {
                            *bytes.get_mut(usize::from(byte))? = true;
                        }
                        index += 3;
                    }
                    _ => {
                        *bytes.get_mut(c as usize)? = true;
                        index += 1;
                    }
                }
            }
        } else if is_plain(c) {
            *bytes.get_mut(c as usize)? = true;
        } else {
            return None;
        }
        let (min, max) = match chars.peek() {
            Some('?') => (0, 1),
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some('{') => {
                chars.next();
                let mut spec = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        c => spec.push(c),
                    }
                }
                let (min, max) = match spec.split_once(',') {
                    None => (spec.parse().ok()?, spec.parse().ok()?),
                    Some((min, "")) => (min.parse().ok()?, usize::MAX),
                    Some((min, max)) => (min.parse().ok()?, max.parse().ok()?),
                };
                if min > max {
                    return None;
                }
                pieces.push(Piece { bytes, min, max });
                continue;
            }
            _ => (1, 1),
        };
        if max != 1 || min != 1 {
            chars.next();
        }
        pieces.push(Piece { bytes, min, max });
    }
    (pieces.len() <= MAX_PIECES).then_some(pieces)
}

/// A character that means itself in a regex and inside a class.
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIMPLE: &[&str] = &[
        "^[0-9a-fA-F]{24}$",
        "^vpce-[0-9a-fA-F]+$",
        "^[a-z]{2,4}-[0-9]*x?$",
        "^ab+c$",
        "^[-_a-z]+$",
        "^a{2,}b$",
        "^[a-c]*[a-c]c$",
    ];

    const INPUTS: &[&str] = &[
        "",
        "5df264b8f10fab7d2cad2f0d",
        "5df264b8f10fab7d2cad2f0",
        "5df264b8f10fab7d2cad2f0dd",
        "5DF264B8F10FAB7D2CAD2F0D",
        "5df264b8f10fab7d2cad2f0g",
        "vpce-08fb7e9319909ec7b",
        "vpce-",
        "vpce-08fb/..",
        "ab-12x",
        "abcd-x",
        "abcde-1",
        "abbbc",
        "ac",
        "a_b-c",
        "aab",
        "ab",
        "abcc",
        "cc",
        "c",
        "é5df264b8f10fab7d2cad2f0",
    ];

    #[test]
    fn simple_patterns_decide_exactly_as_regex_lite_does() {
        for pattern in SIMPLE {
            let pieces = parse_simple(pattern).expect("a simple pattern");
            let regex = regex_lite::Regex::new(pattern).expect("compiles");
            for input in INPUTS {
                let direct = input.is_ascii() && matches(&pieces, input.as_bytes());
                assert_eq!(direct, regex.is_match(input), "{pattern} on {input:?}");
            }
        }
    }

    #[test]
    fn other_patterns_go_to_regex_lite() {
        for pattern in [
            "^(a|b)$", "^.+$", "^\\d+$", "[a-z]+", "^[^a]$", "^a++$", "^a{3,1}$",
        ] {
            assert!(parse_simple(pattern).is_none(), "{pattern}");
        }
        let pattern = Pattern::new("^(ab|cd)$", "ab or cd");
        assert!(pattern.check("x", "cd").is_ok());
        assert!(pattern.check("x", "ac").is_err());
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
