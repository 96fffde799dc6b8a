//! Random values (ids, nonces, tokens) without an extra dependency.
//!
//! The one source is the standard library's randomly keyed hasher: every
//! [`RandomState`] has its own keys (seeded by the OS, then stepped for each new one), so
//! hashing a fixed input with a new one gives fresh, unpredictable bits (as the generated
//! client does for its retry jitter). Not cryptographically strong: a test server only needs
//! values that are unique and not guessable by a client under test.

use std::hash::{BuildHasher, RandomState};
use std::time::{SystemTime, UNIX_EPOCH};

/// 16 fresh random bytes.
pub(crate) fn bytes16() -> [u8; 16] {
    let state = RandomState::new();
    let mut bytes = [0_u8; 16];
    bytes[..8].copy_from_slice(&state.hash_one(0_u8).to_le_bytes());
    bytes[8..].copy_from_slice(&state.hash_one(1_u8).to_le_bytes());
    bytes
}

/// `len` random lowercase hex digits.
pub(crate) fn hex(len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in bytes16() {
            out.push_str(&format!("{byte:02x}"));
        }
    }
    out.truncate(len);
    out
}

/// A 24-hex-digit id shaped like a MongoDB ObjectId (seconds since the epoch, then random).
pub(crate) fn object_id() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    // The timestamp takes the low 32 bits, like an ObjectId.
    format!("{:08x}{}", secs & 0xffff_ffff, hex(16))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_24_lowercase_hex_and_unique() {
        let a = super::object_id();
        let b = super::object_id();
        assert_eq!(a.len(), 24);
        assert!(a.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
        assert_ne!(a, b);
        assert_eq!(super::hex(17).len(), 17);
    }

    #[test]
    fn bytes_differ_from_call_to_call_and_half_to_half() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let bytes = super::bytes16();
            assert_ne!(bytes[..8], bytes[8..]);
            assert!(seen.insert(bytes), "repeated: {bytes:?}");
        }
    }
}
