//! A fast hasher for the evaluator's lookup tables (index buckets, literal sets).
//!
//! The tables are built from rule text at load time; events only look values up, never
//! insert, so a flooding attack on the table's layout is not possible and the DoS-resistant
//! default (SipHash) buys nothing here while costing a third of a bucket lookup.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Multiplicative word-at-a-time hashing (the rustc `FxHasher` scheme).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            if let Some(head) = word.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map keyed by rule literals.
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;
/// A hash set of rule literals.
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<KeyHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_hash_equal_and_lookups_work() {
        let mut set: FastSet<Box<str>> = FastSet::default();
        set.insert("deletetrail".into());
        set.insert("stoplogging".into());
        set.insert("a".into());
        assert!(set.contains("deletetrail"));
        assert!(set.contains("a"));
        assert!(!set.contains("deletetrai"));
        assert!(!set.contains("deletetrail2"));
        assert!(!set.contains(""));
    }
}
