//! FxHash: a fast, deterministic, non-cryptographic hasher for internal
//! tables keyed by names and indexes (route analysis, the simulation
//! engine). Iteration order of these tables never reaches the output.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

impl Fx {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        let mut rest = bytes;
        while rest.len() > 8 {
            let (w, r) = rest.split_at(8);
            self.add(le64(w));
            rest = r;
        }
        // the last 1..=8 bytes in one word, read as at most two loads
        // (overlapping when fewer than 8 are left): names are short, and a
        // byte-at-a-time tail was most of the cost of hashing one
        let last = if n >= 8 {
            le64(&bytes[n - 8..])
        } else if n >= 4 {
            u64::from(le32(&bytes[..4])) | (u64::from(le32(&bytes[n - 4..])) << 32)
        } else if n > 0 {
            u64::from(bytes[0]) | (u64::from(bytes[n / 2]) << 8) | (u64::from(bytes[n - 1]) << 16)
        } else {
            0
        };
        self.add(last ^ ((n as u64) << 56));
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // fold the well-mixed high bits into the low bits a table indexes by
        let h = self.0;
        h ^ (h >> 29) ^ (h >> 47)
    }
}

#[inline]
fn le64(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[..8]);
    u64::from_le_bytes(w)
}

#[inline]
fn le32(b: &[u8]) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[..4]);
    u32::from_le_bytes(w)
}

pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    fn h(s: &str) -> u64 {
        let mut x = Fx::default();
        s.hash(&mut x);
        x.finish()
    }

    /// Every byte of a name reaches the hash: names that differ in one
    /// byte, at any position and for every length up to 24, hash apart.
    #[test]
    fn every_byte_counts() {
        for n in 1..=24usize {
            let base: Vec<u8> = (0..n).map(|i| b'a' + i as u8).collect();
            let hb = h(std::str::from_utf8(&base).unwrap());
            for i in 0..n {
                let mut v = base.clone();
                v[i] = b'Z';
                assert_ne!(h(std::str::from_utf8(&v).unwrap()), hb, "length {n}, byte {i}");
            }
        }
        assert_ne!(h(""), h("a"));
        assert_ne!(h("ab"), h("abc"));
    }
}
