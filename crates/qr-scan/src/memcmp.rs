//! `memcmp` for wasm32, 16 bytes at a time, in place of wasi-libc's byte-at-a-time loop.
//!
//! Why it is here: rxing's Reed-Solomon decoder checks `self.field != other.field` in every
//! polynomial addition and multiplication (rxing 0.9.3, `GenericGFPoly`), and `GenericGF`
//! derives `PartialEq` over its two 4096-entry `u16` tables, so each check compares 16 KiB
//! with `memcmp`, although both sides are the same static field. Natively glibc's vector
//! `memcmp` makes that 2.6 % of a 12 Mpx scan; in wasm32-wasip2 the linked wasi-libc
//! `memcmp` compares one byte per iteration, and it was 50-55 % of the scan of a 12 Mpx
//! sheet of 60 codes (perf with wasmtime's perfmap; Reed-Solomon runs on every block with
//! errors, and a JPEG photo of 60 codes has many). Defining `memcmp` in this crate links
//! this one into every wasm build of it (the decode component, the bench's `scan_paths`):
//! the linker takes a symbol from libc's archive only when nothing defined it before.
//! The result is exactly `memcmp`'s, so every read is the same.

/// Lexicographic comparison of `a` and `b` (equal lengths), as C's `memcmp`: negative, zero
/// or positive. Equal 64-byte blocks, then equal 16-byte chunks, are skipped comparing
/// `u128` words in native byte order (wasm has no byte swap, so no big-endian loads on the
/// common path; a block's four words are merged before the one branch); the first chunk that
/// differs, or the tail, is ordered byte by byte. Written without slice equality, which would
/// call `memcmp` again.
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) fn compare(a: &[u8], b: &[u8]) -> i32 {
    debug_assert_eq!(a.len(), b.len());
    let mut from = 0;
    for (x, y) in a.chunks_exact(64).zip(b.chunks_exact(64)) {
        if differs(x, y) {
            break;
        }
        from += 64;
    }
    for (x, y) in a[from..].chunks_exact(16).zip(b[from..].chunks_exact(16)) {
        if differs(x, y) {
            break;
        }
        from += 16;
    }
    for (&x, &y) in a[from..].iter().zip(&b[from..]) {
        if x != y {
            return i32::from(x) - i32::from(y);
        }
    }
    0
}

/// Whether `x` and `y` (whole 16-byte words, as long as each other) differ anywhere. (Explicit
/// `simd128` loads here were no faster on the 12 Mpx sheets: 34.0-36.3 ms a scan against
/// 33.8-34.4.)
#[cfg(any(target_arch = "wasm32", test))]
fn differs(x: &[u8], y: &[u8]) -> bool {
    let word = |bytes: &[u8]| u128::from_ne_bytes(bytes.try_into().expect("16-byte word"));
    x.chunks_exact(16)
        .zip(y.chunks_exact(16))
        .fold(0, |any, (x, y)| any | (word(x) ^ word(y)))
        != 0
}

/// The C symbol, wasm32 only (natively the platform's own is already vectorised).
///
/// # Safety
/// As C's `memcmp`: `a` and `b` are readable for `n` bytes.
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    if n == 0 {
        return 0;
    }
    // SAFETY: the caller guarantees both ranges are readable for `n` bytes (C's contract);
    // `n > 0`, so neither pointer is null.
    let (a, b) = unsafe {
        (
            std::slice::from_raw_parts(a, n),
            std::slice::from_raw_parts(b, n),
        )
    };
    compare(a, b)
}

#[cfg(test)]
mod tests {
    use super::compare;

    /// The sign C's `memcmp` gives: that of the first differing byte pair, by a plain byte
    /// loop (slice order would call `memcmp`, which under wasm32 is the code under test).
    fn reference(a: &[u8], b: &[u8]) -> i32 {
        let first = a.iter().zip(b).position(|(x, y)| x != y);
        first.map_or(0, |i| if a[i] < b[i] { -1 } else { 1 })
    }

    /// Same sign as the reference for every length around the word and block sizes and a
    /// difference at every position (first, inside a block, inside a word, in the tail).
    #[test]
    fn orders_as_memcmp() {
        for len in [
            0usize, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 80, 100, 129, 4096,
        ] {
            let a: Vec<u8> = (0..len).map(|i| (i * 37 % 251) as u8).collect();
            assert_eq!(compare(&a, &a.clone()), 0, "len {len}");
            for at in 0..len {
                for delta in [1u8, 128, 255] {
                    let mut b = a.clone();
                    b[at] = b[at].wrapping_add(delta);
                    assert_eq!(
                        compare(&a, &b).signum(),
                        reference(&a, &b),
                        "len {len} at {at}"
                    );
                    assert_eq!(
                        compare(&b, &a).signum(),
                        reference(&b, &a),
                        "len {len} at {at}"
                    );
                    // Slice order calls the linked `memcmp`: under wasm32, the symbol above.
                    assert_eq!(a.cmp(&b) as i32, reference(&a, &b), "len {len} at {at}");
                }
            }
        }
    }
}
