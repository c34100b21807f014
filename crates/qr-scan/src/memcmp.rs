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
/// or positive. Equal 16-byte chunks are skipped as `u128` in native byte order (wasm has no
/// byte swap, so no big-endian loads on the common path); the first differing chunk, then
/// the tail, are ordered byte by byte. Written without slice equality, which would call
/// `memcmp` again.
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) fn compare(a: &[u8], b: &[u8]) -> i32 {
    debug_assert_eq!(a.len(), b.len());
    let mut from = a.len() / 16 * 16;
    for (chunk, (x, y)) in a.chunks_exact(16).zip(b.chunks_exact(16)).enumerate() {
        let x = u128::from_ne_bytes(x.try_into().expect("16-byte chunk"));
        let y = u128::from_ne_bytes(y.try_into().expect("16-byte chunk"));
        if x != y {
            from = chunk * 16;
            break;
        }
    }
    for (&x, &y) in a[from..].iter().zip(&b[from..]) {
        if x != y {
            return i32::from(x) - i32::from(y);
        }
    }
    0
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
    use std::cmp::Ordering;

    /// Same sign as the standard library's slice order, for every length around the chunk
    /// size and a difference at every position (first, inside a chunk, in the tail).
    #[test]
    fn orders_as_memcmp() {
        for len in [0usize, 1, 15, 16, 17, 31, 32, 33, 100, 4096] {
            let a: Vec<u8> = (0..len).map(|i| (i * 37 % 251) as u8).collect();
            assert_eq!(compare(&a, &a.clone()), 0, "len {len}");
            for at in 0..len {
                for delta in [1u8, 128, 255] {
                    let mut b = a.clone();
                    b[at] = b[at].wrapping_add(delta);
                    let sign = |o: Ordering| o as i32;
                    assert_eq!(
                        compare(&a, &b).signum(),
                        sign(a.cmp(&b)),
                        "len {len} at {at}"
                    );
                    assert_eq!(
                        compare(&b, &a).signum(),
                        sign(b.cmp(&a)),
                        "len {len} at {at}"
                    );
                }
            }
        }
    }
}
