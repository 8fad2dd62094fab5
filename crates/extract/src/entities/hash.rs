//! Small, fast, stable hashes for feature hashing (the model stores 32-bit feature hashes, so these must never
//! change without retraining).

const K: u64 = 0x517c_c1b7_2722_0a95;

/// Combines a running hash with a value.
#[inline]
pub fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(K)
}

/// Final avalanche, so the top bits of a feature hash are well spread.
#[inline]
pub fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// FNV-1a over the UTF-8 bytes.
#[inline]
pub fn hash_str(s: &str) -> u64 {
    hash_bytes(s.as_bytes())
}

/// FNV-1a over bytes.
#[inline]
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// `hash_str(&s.to_lowercase())` without allocating (for the usual one-to-one case mappings).
#[inline]
pub fn hash_str_lower(s: &str) -> u64 {
    if s.is_ascii() {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in s.bytes() {
            h ^= b.to_ascii_lowercase() as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    } else {
        hash_str(&s.to_lowercase())
    }
}

/// A hasher for keys that are already hashes: one multiply instead of SipHash.
#[derive(Default, Clone, Copy)]
pub struct PreHashed(u64);

impl std::hash::Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, b as u64);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(K);
    }
}

/// `HashMap` keyed by a hash.
pub type HashMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<PreHashed>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_matches() {
        assert_eq!(hash_str_lower("Seoul"), hash_str("seoul"));
        assert_eq!(hash_str_lower("ÉCOLE"), hash_str("école"));
    }
}
