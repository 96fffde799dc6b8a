//! HTTP Digest authentication (RFC 7616 / RFC 2617, MD5, `qop=auth`) as Atlas does it.
//!
//! The server side is [`NonceStore`]: it issues nonces (one per challenge) and checks an
//! `Authorization: Digest …` header against them, including strict nonce-count (`nc`)
//! checking like Apache `mod_auth_digest`. [`DigestAuthorization`] is the parsed header and
//! can also compute and format a header, which makes hand-signed requests easy in tests.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The realm Atlas announces in its Digest challenge.
pub const REALM: &str = "MMS Public API";

/// The header value sent by [`crate::Fault::GarbageChallenge`] instead of a real challenge.
pub const GARBAGE_CHALLENGE: &str = "Digest @@garbage,,==";

/// Lowercase hex MD5 of `data`.
pub(crate) fn md5_hex(data: &str) -> String {
    let digest = Md5::digest(data.as_bytes());
    let mut out = String::with_capacity(32);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// A parsed `Authorization: Digest …` request header.
///
/// Required parameters are plain `String`s; a header missing one of them does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestAuthorization {
    /// `username` — the Atlas public key.
    pub username: String,
    /// `realm` — must be [`REALM`].
    pub realm: String,
    /// `nonce` — copied from the challenge.
    pub nonce: String,
    /// `uri` — the request target (path plus `?query`), exactly as sent.
    pub uri: String,
    /// `qop` — must be `auth`.
    pub qop: String,
    /// `nc` — the nonce count, 8 hex digits.
    pub nc: String,
    /// `cnonce` — the client nonce.
    pub cnonce: String,
    /// `response` — 32 hex digits of MD5.
    pub response: String,
    /// `algorithm`, if sent (only `MD5` is accepted).
    pub algorithm: Option<String>,
    /// `opaque`, if sent (the server never sends one, and ignores it).
    pub opaque: Option<String>,
}

impl DigestAuthorization {
    /// Parses an `Authorization` header value such as `Digest username="…", realm="…", …`.
    ///
    /// Tolerant of quoted and unquoted values, any parameter order, extra whitespace,
    /// commas inside quoted values, backslash escapes and unknown parameters; parameter
    /// names and the `Digest` scheme are matched case-insensitively. Returns `None` when
    /// the scheme is not Digest, the syntax is broken, a parameter appears twice, or one
    /// of the required parameters (`username`, `realm`, `nonce`, `uri`, `qop`, `nc`,
    /// `cnonce`, `response`) is missing.
    pub fn parse(header_value: &str) -> Option<DigestAuthorization> {
        let value = header_value.trim_start();
        let (scheme, rest) = value.split_at(value.find(char::is_whitespace)?);
        if !scheme.eq_ignore_ascii_case("Digest") {
            return None;
        }
        let params = parse_params(rest)?;
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        Some(DigestAuthorization {
            username: get("username")?,
            realm: get("realm")?,
            nonce: get("nonce")?,
            uri: get("uri")?,
            qop: get("qop")?,
            nc: get("nc")?,
            cnonce: get("cnonce")?,
            response: get("response")?,
            algorithm: get("algorithm"),
            opaque: get("opaque"),
        })
    }

    /// Builds a fully signed authorization (MD5, `qop=auth`) for a request.
    ///
    /// `uri` is the request target exactly as it will be sent (path plus `?query`), and
    /// `nc` the nonce count (formatted as 8 hex digits).
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        method: &str,
        uri: &str,
        username: &str,
        password: &str,
        realm: &str,
        nonce: &str,
        nc: u32,
        cnonce: &str,
    ) -> DigestAuthorization {
        let mut auth = DigestAuthorization {
            username: username.to_owned(),
            realm: realm.to_owned(),
            nonce: nonce.to_owned(),
            uri: uri.to_owned(),
            qop: "auth".to_owned(),
            nc: format!("{nc:08x}"),
            cnonce: cnonce.to_owned(),
            response: String::new(),
            algorithm: Some("MD5".to_owned()),
            opaque: None,
        };
        auth.response = auth.expected_response(method, password);
        auth
    }

    /// The `response` value a client knowing `password` would compute for `method`:
    /// `MD5(MD5(username:realm:password):nonce:nc:cnonce:qop:MD5(method:uri))`.
    pub fn expected_response(&self, method: &str, password: &str) -> String {
        let ha1 = md5_hex(&format!("{}:{}:{}", self.username, self.realm, password));
        let ha2 = md5_hex(&format!("{}:{}", method, self.uri));
        md5_hex(&format!(
            "{ha1}:{}:{}:{}:{}:{ha2}",
            self.nonce, self.nc, self.cnonce, self.qop
        ))
    }

    /// Formats the header value (`Digest username="…", …`), in the parameter order the
    /// Go `digest` transport uses.
    pub fn to_header_value(&self) -> String {
        let mut out = format!(
            "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", response=\"{}\"",
            self.username, self.realm, self.nonce, self.uri, self.response
        );
        if let Some(algorithm) = &self.algorithm {
            out.push_str(&format!(", algorithm={algorithm}"));
        }
        if let Some(opaque) = &self.opaque {
            out.push_str(&format!(", opaque=\"{opaque}\""));
        }
        out.push_str(&format!(
            ", qop={}, nc={}, cnonce=\"{}\"",
            self.qop, self.nc, self.cnonce
        ));
        out
    }
}

/// Parses a comma-separated list of `name=value` / `name="quoted value"` parameters.
///
/// Names are lowercased. Returns `None` on broken syntax or a duplicated name.
pub(crate) fn parse_params(input: &str) -> Option<Vec<(String, String)>> {
    let mut params: Vec<(String, String)> = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        // Skip separators.
        while matches!(chars.peek(), Some(c) if *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' || c.is_whitespace() {
                break;
            }
            name.push(c);
            chars.next();
        }
        while matches!(chars.peek(), Some(c) if c.is_whitespace()) {
            chars.next();
        }
        if name.is_empty() || chars.next() != Some('=') {
            return None;
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        while matches!(chars.peek(), Some(c) if c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.push(chars.next()?),
                    '"' => {
                        closed = true;
                        break;
                    }
                    other => value.push(other),
                }
            }
            if !closed {
                return None;
            }
            while matches!(chars.peek(), Some(c) if c.is_whitespace()) {
                chars.next();
            }
            if !matches!(chars.peek(), None | Some(',')) {
                return None;
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
            value = value.trim_end().to_owned();
            if value.contains('"') {
                return None;
            }
        }
        let name = name.to_ascii_lowercase();
        if params.iter().any(|(k, _)| *k == name) {
            return None;
        }
        params.push((name, value));
    }
    Some(params)
}

/// The `WWW-Authenticate` value Atlas sends: exactly this shape and parameter order.
pub(crate) fn challenge_header(nonce: &str, stale: bool) -> String {
    format!(
        "Digest realm=\"{REALM}\", domain=\"\", nonce=\"{nonce}\", algorithm=MD5, qop=\"auth\", stale={stale}"
    )
}

/// The outcome of checking an `Authorization` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Credentials valid, nonce fresh, `nc` new: serve the request.
    Accepted,
    /// Answer 401 with a fresh challenge; `stale` is true when the only problem was an
    /// expired nonce (the digest itself was right).
    Rejected { stale: bool },
}

struct NonceEntry {
    issued: Instant,
    /// Highest `nc` accepted so far (0 = none yet).
    highest_nc: u32,
    /// Made stale early by `TestServer::expire_nonces`.
    expired: bool,
}

/// Nonces issued by one server, with their age and highest accepted `nc`.
pub(crate) struct NonceStore {
    entries: HashMap<String, NonceEntry>,
    max_age: Duration,
}

/// Above this many remembered nonces, expired ones are forgotten when issuing a new one.
const PRUNE_THRESHOLD: usize = 4096;

impl NonceStore {
    pub(crate) fn new(max_age: Duration) -> NonceStore {
        NonceStore {
            entries: HashMap::new(),
            max_age,
        }
    }

    /// Issues a fresh nonce: 24 random bytes in base64 (32 characters), always containing
    /// at least one `+` and one `/` so clients that mangle them are caught.
    pub(crate) fn issue(&mut self) -> String {
        if self.entries.len() >= PRUNE_THRESHOLD {
            let keep = self.max_age.saturating_mul(2);
            self.entries.retain(|_, e| e.issued.elapsed() <= keep);
        }
        let mut nonce = String::new();
        // A collision is astronomically unlikely; the loop is bounded anyway.
        for _ in 0..8 {
            let mut raw = Vec::with_capacity(32);
            raw.extend_from_slice(&crate::random::bytes16());
            raw.extend_from_slice(&crate::random::bytes16());
            raw.truncate(24);
            let mut chars: Vec<char> = STANDARD.encode(&raw).chars().collect();
            // Atlas nonces contain `+` and `/`; pin both so every nonce exercises them
            // (replacing only when missing could overwrite the one `+` with the `/`).
            chars[3] = '+';
            chars[17] = '/';
            nonce = chars.into_iter().collect();
            if !self.entries.contains_key(&nonce) {
                break;
            }
        }
        self.entries.insert(
            nonce.clone(),
            NonceEntry {
                issued: Instant::now(),
                highest_nc: 0,
                expired: false,
            },
        );
        nonce
    }

    /// Makes every nonce issued so far stale at once (nonces issued later are fresh).
    pub(crate) fn expire_all(&mut self) {
        for entry in self.entries.values_mut() {
            entry.expired = true;
        }
    }

    /// Checks `auth` for a request with `method` and raw request target `request_uri`.
    pub(crate) fn verify(
        &mut self,
        auth: &DigestAuthorization,
        method: &str,
        request_uri: &str,
        public_key: &str,
        private_key: &str,
    ) -> Verdict {
        const REJECT: Verdict = Verdict::Rejected { stale: false };
        if auth.username != public_key || auth.realm != REALM || auth.uri != request_uri {
            return REJECT;
        }
        if let Some(algorithm) = &auth.algorithm
            && !algorithm.eq_ignore_ascii_case("MD5")
        {
            return REJECT;
        }
        if auth.qop != "auth" || auth.cnonce.is_empty() {
            return REJECT;
        }
        let Some(nc) = parse_nc(&auth.nc) else {
            return REJECT;
        };
        let Some(entry) = self.entries.get_mut(&auth.nonce) else {
            return REJECT;
        };
        if !auth
            .expected_response(method, private_key)
            .eq_ignore_ascii_case(&auth.response)
        {
            return REJECT;
        }
        if entry.expired || entry.issued.elapsed() > self.max_age {
            return Verdict::Rejected { stale: true };
        }
        if nc <= entry.highest_nc {
            return REJECT;
        }
        entry.highest_nc = nc;
        Verdict::Accepted
    }
}

/// `nc` must be exactly 8 hex digits.
fn parse_nc(nc: &str) -> Option<u32> {
    if nc.len() == 8 && nc.bytes().all(|b| b.is_ascii_hexdigit()) {
        u32::from_str_radix(nc, 16).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2617_example_response() {
        // The worked example of RFC 2617 section 3.5.
        let auth = DigestAuthorization {
            username: "Mufasa".into(),
            realm: "testrealm@host.com".into(),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            uri: "/dir/index.html".into(),
            qop: "auth".into(),
            nc: "00000001".into(),
            cnonce: "0a4f113b".into(),
            response: String::new(),
            algorithm: None,
            opaque: None,
        };
        assert_eq!(
            auth.expected_response("GET", "Circle Of Life"),
            "6629fae49393a05397450978507c4ef1"
        );
    }

    #[test]
    fn parses_tolerantly() {
        let header = r#"digest  NC=00000002,uri=/a?b=c , username="pub", realm = "MMS Public API",
            nonce="a+b/c==", cnonce="x,y\"z", qop=auth, response="ABC", unknown=1, opaque="o""#;
        let auth = DigestAuthorization::parse(header).expect("parses");
        assert_eq!(auth.uri, "/a?b=c");
        assert_eq!(auth.nc, "00000002");
        assert_eq!(auth.cnonce, "x,y\"z");
        assert_eq!(auth.realm, "MMS Public API");
        assert_eq!(auth.opaque.as_deref(), Some("o"));
        assert_eq!(auth.algorithm, None);
    }

    #[test]
    fn rejects_broken_headers() {
        for header in [
            "",
            "Digest",
            "Basic dXNlcjpwYXNz",
            "Digest username=\"unterminated",
            "Digest username",
            "Digest =x",
            "Digest username=\"a\" junk, realm=\"r\"",
            // Missing required parameters.
            "Digest username=\"a\", realm=\"r\"",
            // Duplicate parameter.
            "Digest username=a, username=b, realm=r, nonce=n, uri=/, qop=auth, nc=00000001, cnonce=c, response=r",
            GARBAGE_CHALLENGE,
        ] {
            assert_eq!(DigestAuthorization::parse(header), None, "{header}");
        }
    }

    #[test]
    fn sign_round_trips_through_parse() {
        let auth = DigestAuthorization::sign(
            "POST",
            "/api/atlas/v1.0/x?pretty=true",
            "u",
            "p",
            REALM,
            "n+/=",
            3,
            "cafe",
        );
        assert_eq!(auth.nc, "00000003");
        let parsed = DigestAuthorization::parse(&auth.to_header_value()).expect("parses");
        assert_eq!(parsed, auth);
    }

    #[test]
    fn nonce_store_checks_nc_strictly() {
        let mut store = NonceStore::new(Duration::from_secs(60));
        let nonce = store.issue();
        assert_eq!(nonce.len(), 32);
        assert!(nonce.contains('+') && nonce.contains('/'));
        let sign = |nc| DigestAuthorization::sign("GET", "/x", "u", "p", REALM, &nonce, nc, "c");
        assert_eq!(
            store.verify(&sign(1), "GET", "/x", "u", "p"),
            Verdict::Accepted
        );
        assert_eq!(
            store.verify(&sign(3), "GET", "/x", "u", "p"),
            Verdict::Accepted
        );
        assert_eq!(
            store.verify(&sign(3), "GET", "/x", "u", "p"),
            Verdict::Rejected { stale: false }
        );
        assert_eq!(
            store.verify(&sign(2), "GET", "/x", "u", "p"),
            Verdict::Rejected { stale: false }
        );
        assert_eq!(
            store.verify(&sign(4), "GET", "/x", "u", "wrong"),
            Verdict::Rejected { stale: false }
        );
        assert_eq!(
            store.verify(&sign(4), "GET", "/y", "u", "p"),
            Verdict::Rejected { stale: false }
        );
        assert_eq!(
            store.verify(&sign(4), "GET", "/x", "u", "p"),
            Verdict::Accepted
        );
    }

    #[test]
    fn nonces_differ() {
        let mut store = NonceStore::new(Duration::from_secs(60));
        let a = store.issue();
        let b = store.issue();
        assert_ne!(a, b);
    }
}
