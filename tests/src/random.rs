//! Random-looking values (ids, nonces) without an extra dependency.
//!
//! Each value mixes a process-wide counter, the clock and a per-call
//! [`std::hash::RandomState`] (seeded by the OS) through MD5. This is not meant to be
//! cryptographically strong — it only has to be unique and unpredictable enough for a
//! test server.

use md5::{Digest, Md5};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// 16 fresh random-looking bytes.
pub(crate) fn bytes16() -> [u8; 16] {
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(count);
    hasher.write_u128(nanos);
    let keyed = hasher.finish();
    let mut md5 = Md5::new();
    md5.update(count.to_le_bytes());
    md5.update(nanos.to_le_bytes());
    md5.update(keyed.to_le_bytes());
    md5.finalize().into()
}

/// `len` lowercase hex digits.
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

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (with padding).
pub(crate) fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(BASE64[(n >> 18) as usize & 63] as char);
        out.push(BASE64[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            BASE64[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            BASE64[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(&[0xfb, 0xff, 0xbf]), "+/+/");
    }

    #[test]
    fn ids_are_24_lowercase_hex_and_unique() {
        let a = super::object_id();
        let b = super::object_id();
        assert_eq!(a.len(), 24);
        assert!(a.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
        assert_ne!(a, b);
        assert_eq!(super::hex(17).len(), 17);
    }
}
