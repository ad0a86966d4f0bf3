//! Sixteen bytes at a time: where the first byte that ends a run of a JSON string's plain
//! characters (a quote, a backslash, and, when asked, a control character) lies in a block,
//! and whether a text holds a control character at all.
//!
//! On x86-64 this is one SSE2 compare per class and a move-mask (through `safe_arch`'s safe
//! wrappers, SSE2 being part of the x86-64 baseline); elsewhere two eight-byte words are
//! tested at once (SWAR). Either way a string of up to fifteen characters, most of a log
//! record's keys and values, is crossed in one step whose branch the processor predicts.

/// The offset in `block` of its first quote, backslash or (if `CONTROLS`) byte below 0x20;
/// `None` if it holds none.
#[inline(always)]
pub(crate) fn first_stop<const CONTROLS: bool>(block: &[u8; 16]) -> Option<usize> {
    let mask = stop_mask::<CONTROLS>(block);
    (mask != 0).then(|| mask.trailing_zeros() as usize)
}

/// Whether `bytes` holds a byte below 0x20: sixteen bytes at a time, without an early exit
/// inside the loop (records that hold one are rare).
pub(crate) fn has_control_byte(bytes: &[u8]) -> bool {
    let mut blocks = bytes.chunks_exact(16);
    let mut any = Controls::default();
    for block in &mut blocks {
        if let Ok(block) = <&[u8; 16]>::try_from(block) {
            any.add(block);
        }
    }
    any.found() || blocks.remainder().iter().any(|&b| b < 0x20)
}

/// The control bytes seen in the blocks added so far.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
struct Controls(safe_arch::m128i);

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
impl Default for Controls {
    fn default() -> Controls {
        Controls(safe_arch::zeroed_m128i())
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
impl Controls {
    #[inline(always)]
    fn add(&mut self, block: &[u8; 16]) {
        use safe_arch::{
            bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, min_u8_m128i,
            set_splat_i8_m128i,
        };
        let bytes = load_unaligned_m128i(block);
        let low = cmp_eq_mask_i8_m128i(min_u8_m128i(bytes, set_splat_i8_m128i(0x1F)), bytes);
        self.0 = bitor_m128i(self.0, low);
    }

    fn found(&self) -> bool {
        safe_arch::move_mask_i8_m128i(self.0) != 0
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[derive(Default)]
struct Controls(bool);

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
impl Controls {
    #[inline(always)]
    fn add(&mut self, block: &[u8; 16]) {
        self.0 |= block.iter().fold(false, |any, &b| any | (b < 0x20));
    }

    fn found(&self) -> bool {
        self.0
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn stop_mask<const CONTROLS: bool>(block: &[u8; 16]) -> u32 {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, min_u8_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };
    let bytes = load_unaligned_m128i(block);
    let backslashes = cmp_eq_mask_i8_m128i(bytes, set_splat_i8_m128i(b'\\' as i8));
    let stops = if CONTROLS {
        // A quote (0x22) XOR 2 is 0x20, and a byte below 0x20 stays below it: one unsigned
        // `x <= 0x20` test, `min(x, 0x20) == x`, finds both.
        let x = safe_arch::bitxor_m128i(bytes, set_splat_i8_m128i(2));
        let quote_or_control = cmp_eq_mask_i8_m128i(min_u8_m128i(x, set_splat_i8_m128i(0x20)), x);
        bitor_m128i(quote_or_control, backslashes)
    } else {
        let quotes = cmp_eq_mask_i8_m128i(bytes, set_splat_i8_m128i(b'"' as i8));
        bitor_m128i(quotes, backslashes)
    };
    // Sixteen sign bits, one per byte.
    move_mask_i8_m128i(stops) as u32
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn stop_mask<const CONTROLS: bool>(block: &[u8; 16]) -> u32 {
    let (low, high) = block.split_at(8);
    let word = |half: &[u8]| {
        let mut word = [0u8; 8];
        word.copy_from_slice(half);
        u64::from_le_bytes(word)
    };
    // A bit per byte is only exact up to the first flagged byte of a word, which is all
    // `first_stop` reads: the low word's bits go first, and the high word's count only when
    // the low word has none.
    let low = word_stops::<CONTROLS>(word(low));
    if low != 0 {
        return 1 << (low.trailing_zeros() / 8);
    }
    let high = word_stops::<CONTROLS>(word(high));
    if high != 0 {
        return 1 << (8 + high.trailing_zeros() / 8);
    }
    0
}

/// The high bit of each byte of `word` that is a stop byte (exact for the lowest one).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn word_stops<const CONTROLS: bool>(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has = |byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    let mut stops = has(b'"') | has(b'\\');
    if CONTROLS {
        stops |= word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    }
    stops
}

#[cfg(test)]
mod tests {
    use super::{first_stop, has_control_byte};

    fn block(text: &[u8]) -> [u8; 16] {
        let mut block = [b'a'; 16];
        block[..text.len()].copy_from_slice(text);
        block
    }

    #[test]
    fn the_first_stop_byte_of_each_class_is_found_at_every_offset() {
        for offset in 0..16 {
            for stop in [b'"', b'\\', 0x00, 0x1F, b'\n'] {
                let mut bytes = [b'x'; 16];
                bytes[offset] = stop;
                // A later stop byte does not hide the first.
                if offset < 15 {
                    bytes[15] = b'"';
                }
                let controls = first_stop::<true>(&bytes);
                assert_eq!(controls, Some(offset), "stop {stop:#x} at {offset}");
                let plain = first_stop::<false>(&bytes);
                if stop >= 0x20 {
                    assert_eq!(plain, Some(offset));
                } else {
                    assert_eq!(plain, (offset < 15).then_some(15));
                }
            }
        }
    }

    #[test]
    fn a_control_byte_is_found_in_a_block_or_in_the_tail() {
        let plain = vec![b'a'; 100];
        assert!(!has_control_byte(&plain));
        assert!(!has_control_byte(b""));
        // Offsets in the first block, a middle block, the last whole block and the tail.
        for at in [0, 5, 17, 40, 95, 96, 99] {
            let mut bytes = plain.clone();
            bytes[at] = 0x1F;
            assert!(has_control_byte(&bytes), "0x1f at {at}");
            bytes[at] = b'\t';
            assert!(has_control_byte(&bytes), "tab at {at}");
            bytes[at] = b' ';
            assert!(!has_control_byte(&bytes), "space at {at}");
        }
    }

    #[test]
    fn every_byte_value_is_classed_as_json_strings_need() {
        for b in 0..=255u8 {
            let stop = b == b'"' || b == b'\\' || b < 0x20;
            let found = first_stop::<true>(&[b; 16]);
            assert_eq!(found, stop.then_some(0), "{b:#x}");
            let plain = first_stop::<false>(&[b; 16]);
            assert_eq!(plain, (b == b'"' || b == b'\\').then_some(0), "{b:#x}");
        }
    }

    #[test]
    fn plain_bytes_and_bytes_near_the_classes_are_not_stops() {
        // 0x20 is the first byte that is not a control; 0x80 and above are UTF-8.
        let bytes = block(&[b' ', b'!', b'#', b'[', b']', 0x7F, 0x80, 0xE2, 0xFF, b'/']);
        assert_eq!(first_stop::<true>(&bytes), None);
        assert_eq!(first_stop::<false>(&bytes), None);
    }
}
