//! Sixteen bytes at a time: which bytes of a block equal a given byte, as a bit mask (bit `i`
//! for byte `i`).
//!
//! On x86-64 this is one SSE2 compare per byte value and a move-mask (through `safe_arch`'s
//! safe wrappers, SSE2 being part of the x86-64 baseline); elsewhere a byte loop builds the
//! same masks. A line's separators are then found a block at a time, each one a
//! `trailing_zeros` of the mask, instead of eight bytes of arithmetic per eight-byte word.

/// The bytes of `block` equal to `a` and those equal to `b`, as two masks.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
pub(crate) fn eq_masks2(block: &[u8; 16], a: u8, b: u8) -> (u32, u32) {
    use safe_arch::{
        cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i, set_splat_i8_m128i,
    };
    let bytes = load_unaligned_m128i(block);
    let mask = |byte: u8| {
        let equal = cmp_eq_mask_i8_m128i(bytes, set_splat_i8_m128i(i8::from_ne_bytes([byte])));
        // Sixteen sign bits, one per byte.
        move_mask_i8_m128i(equal) as u32
    };
    (mask(a), mask(b))
}

/// The bytes of `block` equal to `a` and those equal to `b`, as two masks.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
pub(crate) fn eq_masks2(block: &[u8; 16], a: u8, b: u8) -> (u32, u32) {
    eq_masks2_bytewise(block, a, b)
}

/// [`eq_masks2`] a byte at a time: the implementation without SSE2, and the reference the
/// tests hold the SSE2 one to.
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
#[inline(always)]
fn eq_masks2_bytewise(block: &[u8; 16], a: u8, b: u8) -> (u32, u32) {
    block
        .iter()
        .enumerate()
        .fold((0, 0), |(ma, mb), (i, &byte)| {
            (
                ma | (u32::from(byte == a) << i),
                mb | (u32::from(byte == b) << i),
            )
        })
}

/// The bytes of `block` equal to `a`, as a mask.
#[inline(always)]
pub(crate) fn eq_mask(block: &[u8; 16], a: u8) -> u32 {
    eq_masks2(block, a, a).0
}

#[cfg(test)]
mod tests {
    use super::{eq_mask, eq_masks2, eq_masks2_bytewise};

    #[test]
    fn masks_mark_exactly_the_equal_bytes() {
        let block = *b"a b\tc  d\t\t\xff\x80 -\nz";
        assert_eq!(
            eq_masks2(&block, b' ', b'\t'),
            (0b0001_0000_0110_0010, 0b0000_0011_0000_1000)
        );
        assert_eq!(eq_mask(&block, b'\n'), 1 << 14);
        assert_eq!(eq_mask(&block, 0xFF), 1 << 10);
        assert_eq!(eq_mask(&block, b'z'), 1 << 15);
        assert_eq!(eq_mask(&block, b'y'), 0);
    }

    #[test]
    fn masks_agree_with_the_byte_loop_for_every_byte_value() {
        for start in (0..=255u8).step_by(16) {
            let block: [u8; 16] = std::array::from_fn(|i| start.wrapping_add(i as u8));
            for needle in 0..=255u8 {
                assert_eq!(
                    eq_masks2(&block, needle, b' '),
                    eq_masks2_bytewise(&block, needle, b' '),
                    "{start} {needle}"
                );
            }
        }
    }
}
