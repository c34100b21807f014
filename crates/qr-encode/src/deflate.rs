//! A zlib stream (RFC 1950/1951) for images made of repeated scanlines.
//!
//! A scaled QR image is a few dozen distinct scanlines, each repeated `scale` times. A general
//! deflater searches all of the ~20 KB for matches; here each repeat is known in advance and
//! becomes one or two long back-references, so only the distinct lines (about 2 KB for the
//! seed request) are searched. One dynamic-Huffman block then codes the few byte values such
//! images have in two to four bits each. The result is smaller than zlib level 9 gives for
//! the same image, in a few microseconds.

/// Deflate's window: the farthest a back-reference may reach.
pub(crate) const WINDOW: usize = 32 * 1024;
/// Longest and shortest back-references deflate can express.
const MAX_MATCH: usize = 258;
const MIN_MATCH: usize = 3;
/// Hash chain links followed per position: distinct lines are short, so a few suffice.
const MAX_CHAIN: usize = 4;
/// A match this long ends the search for a position.
const GOOD_MATCH: usize = 24;
const HASH_BITS: u32 = 10;
/// Matches up to this long have every position indexed for later searches.
const SHORT_MATCH: usize = 8;

#[derive(Clone, Copy)]
enum Token {
    Literal(u8),
    Match { len: u16, dist: u16 },
}

/// The zlib-wrapped deflate of `lines`, each `(bytes, repeat)`: `bytes` written `repeat`
/// times in a row. All lines have the same length (PNG scanlines do), at most [`WINDOW`]
/// bytes so that a repeat can reach back to its line (a 1-bit image up to 262 136 px wide).
pub(crate) fn zlib_repeated_lines(lines: &[(&[u8], usize)]) -> Vec<u8> {
    let tokens = tokenize(lines);
    let mut w = BitWriter {
        out: Vec::with_capacity(1024),
        ..BitWriter::default()
    };
    // CMF: deflate, 32 KiB window; FLG: no dictionary, check bits so that CMF·256+FLG ≡ 0 (31).
    w.out.extend_from_slice(&[0x78, 0x01]);
    write_block(&mut w, &tokens);
    let mut out = w.finish();
    out.extend_from_slice(&adler32_repeated(lines).to_be_bytes());
    out
}

/// LZ77 tokens: each line's first copy matched against the earlier distinct lines (by hash
/// chains over their bytes), each further copy one back-reference to the copy before it.
fn tokenize(lines: &[(&[u8], usize)]) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(lines.len() * 16);
    // Distinct lines' bytes, back to back, and where each one's last copy starts in the
    // real stream (back-references aim at the nearest copy).
    let n = lines.first().map_or(0, |l| l.0.len());
    assert!(
        lines.iter().all(|l| l.0.len() == n),
        "scanlines of one image have one length"
    );
    assert!(n <= WINDOW, "a {n}-byte scanline is beyond deflate's reach");
    // Sized once for every line being distinct: growing these line by line cost about a
    // tenth of the search (and more in wasm, where each growth is a dlmalloc realloc).
    let most = lines.len() * n;
    let mut content: Vec<u8> = Vec::with_capacity(most);
    // Where each distinct line's last copy starts in the real stream.
    let mut last_copy: Vec<usize> = Vec::with_capacity(lines.len());
    let mut head = vec![u32::MAX; 1 << HASH_BITS];
    let mut prev: Vec<u32> = Vec::with_capacity(most);
    // Distinct line of each content byte (a division per candidate costs more than this).
    let mut line_at: Vec<u32> = Vec::with_capacity(most);
    let mut pos = 0usize; // real stream position
    let mut i = 0;
    while i < lines.len() {
        let (bytes, mut reps) = lines[i];
        i += 1;
        // Identical neighbours (the quiet zone, equal module rows) are one longer repeat.
        while i < lines.len() && lines[i].0 == bytes {
            reps += lines[i].1;
            i += 1;
        }
        if reps == 0 {
            continue;
        }
        let start = content.len();
        content.extend_from_slice(bytes);
        prev.resize(content.len(), u32::MAX);
        let line_idx = last_copy.len();
        line_at.resize(content.len(), line_idx as u32);
        last_copy.push(pos);
        let mut j = 0;
        while j < n {
            let here = pos + j;
            let mut best = (0usize, 0usize);
            let limit = (n - j).min(MAX_MATCH);
            // The same column of the previous distinct line usually repeats most of this
            // one (a module row shares most modules with the one above it): try it first.
            if line_idx > 0 {
                let from = last_copy[line_idx - 1] + j;
                let c = start - n + j;
                if here - from <= WINDOW {
                    let len = common_prefix(&content[c..c + limit], &bytes[j..j + limit]);
                    best = (len, here - from);
                }
            }
            if j + MIN_MATCH <= n && best.0 < limit.min(GOOD_MATCH) {
                let mut cand = head[hash(&bytes[j..])];
                let mut chain = 0;
                while cand != u32::MAX && chain < MAX_CHAIN {
                    let c = cand as usize;
                    let k = line_at[c] as usize;
                    let off = c - k * n;
                    let from = last_copy[k] + off;
                    if here - from > WINDOW {
                        break;
                    }
                    // Stay inside both lines: what follows a line's last copy is another line.
                    let limit = limit.min(n - off);
                    let len = common_prefix(&content[c..c + limit], &bytes[j..j + limit]);
                    if len > best.0 {
                        best = (len, here - from);
                        if len >= limit.min(GOOD_MATCH) {
                            break;
                        }
                    }
                    cand = prev[c];
                    chain += 1;
                }
            }
            let step = if best.0 >= MIN_MATCH {
                tokens.push(Token::Match {
                    len: best.0 as u16,
                    dist: best.1 as u16,
                });
                best.0
            } else {
                tokens.push(Token::Literal(bytes[j]));
                1
            };
            // Inside a long match only its start is indexed: the bytes it copies are indexed
            // where they first appeared.
            let indexed = if step > SHORT_MATCH { j + 1 } else { j + step };
            for t in j..indexed {
                if t + MIN_MATCH <= n {
                    let h = hash(&bytes[t..]);
                    prev[start + t] = head[h];
                    head[h] = (start + t) as u32;
                }
            }
            j += step;
        }
        // Further copies: one reference `n` back covers them all (it overlaps itself).
        let mut left = (reps - 1) * n;
        while left > 0 {
            let take = if left <= MAX_MATCH {
                left
            } else if left - MAX_MATCH < MIN_MATCH {
                left - MIN_MATCH
            } else {
                MAX_MATCH
            };
            if take < MIN_MATCH {
                // Only possible when a line is shorter than three bytes.
                let done = (reps - 1) * n - left;
                for t in 0..take {
                    tokens.push(Token::Literal(bytes[(done + t) % n]));
                }
            } else {
                tokens.push(Token::Match {
                    len: take as u16,
                    dist: n as u16,
                });
            }
            left -= take;
        }
        last_copy[line_idx] = pos + (reps - 1) * n;
        pos += reps * n;
    }
    tokens
}

fn hash(b: &[u8]) -> usize {
    let v = u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16;
    (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// Length of the common prefix of `a` and `b`, eight bytes per step.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_le_bytes(a[i..i + 8].try_into().expect("8 bytes"));
        let y = u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        if x != y {
            return i + ((x ^ y).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// Adler-32 of the whole stream, from each distinct line's sums: appending a block of `n`
/// bytes with sums (a₂, b₂) to (a₁, b₁) gives (a₁ + a₂ − 1, b₁ + b₂ + n·(a₁ − 1)).
fn adler32_repeated(lines: &[(&[u8], usize)]) -> u32 {
    const M: u64 = 65521;
    let (mut a, mut b) = (1u64, 0u64);
    for &(bytes, reps) in lines {
        let (mut la, mut lb) = (1u64, 0u64);
        for &x in bytes {
            la += u64::from(x);
            lb += la;
        }
        let (la, lb, n) = (la % M, lb % M, bytes.len() as u64 % M);
        // `reps` copies at once: a grows by r·(la − 1), and b by r·lb plus n times the sum
        // of a − 1 before each copy.
        let r = reps as u64;
        let steps = (r * r.saturating_sub(1) / 2) % M;
        let r = r % M;
        b = (b + r * lb + n * ((r * ((a + M - 1) % M) + steps * ((la + M - 1) % M)) % M)) % M;
        a = (a + r * ((la + M - 1) % M)) % M;
    }
    (b << 16 | a) as u32
}

/// Length symbol base values and extra bits (RFC 1951 §3.2.5), symbols 257..=285.
const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];

/// Length symbol index (0..29) of every match length 0..=258 (entries below 3 unused).
static LEN_CODE: [u8; 259] = {
    let mut t = [0u8; 259];
    let mut len = 3;
    let mut code = 0;
    while len <= 258 {
        if code + 1 < LEN_BASE.len() && LEN_BASE[code + 1] as usize <= len {
            code += 1;
        }
        t[len] = code as u8;
        len += 1;
    }
    t
};

fn len_code(len: u16) -> usize {
    usize::from(LEN_CODE[usize::from(len)])
}

/// Distance code, extra bits and extra value for `dist` (1..=32768).
fn dist_code(dist: u16) -> (usize, u32, u32) {
    let v = u32::from(dist) - 1;
    if v < 4 {
        return (v as usize, 0, 0);
    }
    let l = 31 - v.leading_zeros();
    let code = 2 * l + (v >> (l - 1) & 1);
    let extra = l - 1;
    (code as usize, extra, v & ((1 << extra) - 1))
}

/// Order in which code-length code lengths are sent (RFC 1951 §3.2.7).
const CL_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// One final dynamic-Huffman block holding `tokens`.
fn write_block(w: &mut BitWriter, tokens: &[Token]) {
    let mut lit_freq = [0u32; 286];
    let mut dist_freq = [0u32; 30];
    for t in tokens {
        match *t {
            Token::Literal(b) => lit_freq[usize::from(b)] += 1,
            Token::Match { len, dist } => {
                lit_freq[257 + len_code(len)] += 1;
                dist_freq[dist_code(dist).0] += 1;
            }
        }
    }
    lit_freq[256] = 1;
    let lit_len = huffman_lengths(&lit_freq, 15);
    let mut dist_len = huffman_lengths(&dist_freq, 15);
    if dist_len.iter().all(|&l| l == 0) {
        // Deflate wants at least one distance code even when none is used.
        dist_len[0] = 1;
    }
    let hlit = 257
        + lit_len[257..]
            .iter()
            .rposition(|&l| l != 0)
            .map_or(0, |p| p + 1);
    let hdist = 1 + dist_len.iter().rposition(|&l| l != 0).unwrap_or(0);

    // Run-length code the two length tables as one sequence.
    let all: Vec<u8> = lit_len[..hlit]
        .iter()
        .chain(&dist_len[..hdist])
        .copied()
        .collect();
    let runs = run_lengths(&all);
    let mut cl_freq = [0u32; 19];
    for &(sym, _) in &runs {
        cl_freq[usize::from(sym)] += 1;
    }
    let cl_len = huffman_lengths(&cl_freq, 7);
    let hclen = 4.max(1 + CL_ORDER.iter().rposition(|&s| cl_len[s] != 0).unwrap_or(0));

    w.bits(1, 1); // final block
    w.bits(2, 2); // dynamic Huffman
    w.bits((hlit - 257) as u32, 5);
    w.bits((hdist - 1) as u32, 5);
    w.bits((hclen - 4) as u32, 4);
    for &s in &CL_ORDER[..hclen] {
        w.bits(u32::from(cl_len[s]), 3);
    }
    let cl_codes = canonical_codes(&cl_len);
    for &(sym, extra) in &runs {
        let s = usize::from(sym);
        w.bits(cl_codes[s], u32::from(cl_len[s]));
        match sym {
            16 => w.bits(u32::from(extra), 2),
            17 => w.bits(u32::from(extra), 3),
            18 => w.bits(u32::from(extra), 7),
            _ => {}
        }
    }
    let lit_codes = canonical_codes(&lit_len);
    let dist_codes = canonical_codes(&dist_len);
    for t in tokens {
        match *t {
            Token::Literal(b) => {
                let s = usize::from(b);
                w.bits(lit_codes[s], u32::from(lit_len[s]));
            }
            Token::Match { len, dist } => {
                // Each code and its extra bits in one write: at most 15 + 5 and 15 + 13 bits.
                let c = len_code(len);
                let code_len = u32::from(lit_len[257 + c]);
                w.bits(
                    lit_codes[257 + c] | u32::from(len - LEN_BASE[c]) << code_len,
                    code_len + u32::from(LEN_EXTRA[c]),
                );
                let (dc, extra_bits, extra) = dist_code(dist);
                let code_len = u32::from(dist_len[dc]);
                w.bits(dist_codes[dc] | extra << code_len, code_len + extra_bits);
            }
        }
    }
    w.bits(lit_codes[256], u32::from(lit_len[256]));
}

/// Code-length symbols with their extra-bit values: 0..=15 literally, 16 = repeat the
/// previous length 3-6 times, 17 = 3-10 zeros, 18 = 11-138 zeros.
fn run_lengths(lengths: &[u8]) -> Vec<(u8, u8)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lengths.len() {
        let l = lengths[i];
        let run = lengths[i..].iter().take_while(|&&x| x == l).count();
        if l == 0 && run >= 3 {
            let r = run.min(138);
            out.push(if r >= 11 {
                (18, (r - 11) as u8)
            } else {
                (17, (r - 3) as u8)
            });
            i += r;
        } else if l != 0 && run >= 4 {
            out.push((l, 0));
            let r = (run - 1).min(6);
            out.push((16, (r - 3) as u8));
            i += 1 + r;
        } else {
            out.push((l, 0));
            i += 1;
        }
    }
    out
}

/// Huffman code lengths for `freq`, none longer than `limit`: the optimal code, with the
/// frequencies flattened (halved) and the code rebuilt in the rare case it is too deep.
fn huffman_lengths<const N: usize>(freq: &[u32; N], limit: u8) -> [u8; N] {
    let mut f = *freq;
    loop {
        let lengths = huffman_unlimited(&f);
        if lengths.iter().all(|&l| l <= limit) {
            return lengths;
        }
        for x in f.iter_mut().filter(|x| **x > 0) {
            *x = (*x).div_ceil(2);
        }
    }
}

/// Largest alphabet coded here: deflate's 286 literal/length symbols.
const MAX_SYMBOLS: usize = 286;

fn huffman_unlimited<const N: usize>(freq: &[u32; N]) -> [u8; N] {
    // Fixed-size scratch on the stack: this runs three times per image, and in wasm an
    // allocation costs more than the tree.
    let mut lengths = [0u8; N];
    let mut syms = [0u16; MAX_SYMBOLS];
    let mut k = 0;
    for (s, &f) in freq.iter().enumerate() {
        if f > 0 {
            syms[k] = s as u16;
            k += 1;
        }
    }
    match k {
        0 => return lengths,
        1 => {
            lengths[usize::from(syms[0])] = 1;
            return lengths;
        }
        _ => {}
    }
    let syms = &mut syms[..k];
    syms.sort_unstable_by_key(|&s| (freq[usize::from(s)], s));
    // Two-queue Huffman: leaves in frequency order, merged nodes appended in order too.
    // Node ids: leaves 0..k, internal k..; parent links give each leaf's depth.
    let mut weight = [0u64; 2 * MAX_SYMBOLS];
    let mut parent = [0u16; 2 * MAX_SYMBOLS];
    for (w, &s) in weight.iter_mut().zip(syms.iter()) {
        *w = u64::from(freq[usize::from(s)]);
    }
    let (mut leaf, mut node, mut len) = (0usize, k, k);
    for _ in 0..k - 1 {
        let mut take = || {
            if leaf < k && (node >= len || weight[leaf] <= weight[node]) {
                leaf += 1;
                leaf - 1
            } else {
                node += 1;
                node - 1
            }
        };
        let (a, b) = (take(), take());
        weight[len] = weight[a] + weight[b];
        parent[a] = len as u16;
        parent[b] = len as u16;
        len += 1;
    }
    // Depths from the root (the last node) down.
    let mut depth = [0u8; 2 * MAX_SYMBOLS];
    for id in (0..len - 1).rev() {
        depth[id] = depth[usize::from(parent[id])] + 1;
    }
    for (i, &s) in syms.iter().enumerate() {
        lengths[usize::from(s)] = depth[i];
    }
    lengths
}

/// Canonical Huffman codes (RFC 1951 §3.2.2), bit-reversed for an LSB-first writer.
fn canonical_codes<const N: usize>(lengths: &[u8; N]) -> [u32; N] {
    let mut count = [0u32; 16];
    for &l in lengths {
        count[usize::from(l)] += 1;
    }
    count[0] = 0;
    let mut next = [0u32; 16];
    let mut code = 0;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    let mut codes = [0u32; N];
    for (s, &l) in lengths.iter().enumerate() {
        if l > 0 {
            let c = next[usize::from(l)];
            next[usize::from(l)] += 1;
            codes[s] = c.reverse_bits() >> (32 - u32::from(l));
        }
    }
    codes
}

/// Deflate's bit order: values packed from the least significant bit of each byte.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    /// Appends the low `count` bits of `value`. Fewer than 32 bits are ever pending, so up to
    /// 32 more fit the 64-bit accumulator.
    #[inline(always)]
    fn bits(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        if self.n >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.n -= 32;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        while self.n > 0 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n = self.n.saturating_sub(8);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inflates by wrapping the stream in an 8-bit greyscale PNG (each line a scanline with
    /// filter byte 0) and reading it back with the `png` crate, which checks the Adler-32.
    fn inflate(z: &[u8], line_len: usize, lines: usize) -> Vec<u8> {
        let file = crate::png_out::png_file(
            (line_len - 1) as u32,
            lines as u32,
            crate::png_out::Colour::Grey8,
            z,
        );
        let mut reader = png::Decoder::new(std::io::Cursor::new(file))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        buf.chunks(line_len - 1)
            .flat_map(|row| std::iter::once(0).chain(row.iter().copied()))
            .collect()
    }

    fn check(lines: &[(&[u8], usize)]) {
        let expanded: Vec<u8> = lines.iter().flat_map(|&(b, r)| b.repeat(r)).collect();
        let n = lines[0].0.len();
        let z = zlib_repeated_lines(lines);
        assert_eq!(inflate(&z, n, expanded.len() / n), expanded);
    }

    /// A scanline: filter byte 0, then `n` bytes from `f`.
    fn line(n: usize, f: impl Fn(usize) -> u8) -> Vec<u8> {
        std::iter::once(0).chain((0..n).map(f)).collect()
    }

    #[test]
    fn repeated_lines_inflate_back_to_the_same_bytes() {
        let a = line(52, |i| (i * 37 % 7) as u8 * 36);
        let b = line(52, |i| if i % 5 == 0 { 0xff } else { 0x0f });
        let c = line(52, |_| 0);
        check(&[(&c, 40), (&a, 10), (&b, 10), (&a, 10), (&a, 10), (&c, 40)]);
        check(&[(&a, 1), (&b, 1), (&a, 300)]);
        check(&[(&[0u8, 2][..], 7), (&[0u8, 3][..], 1)]);
        check(&[(&b, 0), (&a, 2)]);
    }

    #[test]
    fn a_long_stream_keeps_references_inside_the_window() {
        let lines: Vec<Vec<u8>> = (0..200)
            .map(|k| line(232, |i| ((i * 7 + k * 13) % 251) as u8))
            .collect();
        let input: Vec<(&[u8], usize)> = lines.iter().map(|l| (&l[..], 10)).collect();
        check(&input);
    }

    #[test]
    fn common_prefix_finds_the_first_difference_in_any_word() {
        let a: Vec<u8> = (0..40).collect();
        for k in 0..40 {
            let mut b = a.clone();
            b[k] ^= 0x10;
            assert_eq!(common_prefix(&a, &b), k);
        }
        assert_eq!(common_prefix(&a, &a[..21]), 21);
    }

    #[test]
    fn skewed_frequencies_still_give_codes_within_the_length_limit() {
        // Fibonacci weights make the unlimited Huffman tree as deep as it can be.
        let mut freq = [0u32; 30];
        let (mut a, mut b) = (1u32, 1u32);
        for f in freq.iter_mut() {
            *f = a;
            (a, b) = (b, a + b);
        }
        let lengths = huffman_lengths(&freq, 15);
        assert!(lengths.iter().all(|&l| (1..=15).contains(&l)));
        let kraft: f64 = lengths.iter().map(|&l| 0.5f64.powi(i32::from(l))).sum();
        assert!(
            (kraft - 1.0).abs() < 1e-9,
            "a complete prefix code, Kraft sum {kraft}"
        );
    }

    #[test]
    fn distance_codes_follow_the_rfc_table() {
        assert_eq!(dist_code(1), (0, 0, 0));
        assert_eq!(dist_code(5), (4, 1, 0));
        assert_eq!(dist_code(8), (5, 1, 1));
        assert_eq!(dist_code(53), (11, 4, 4));
        assert_eq!(dist_code(32768), (29, 13, 8191));
        assert_eq!(len_code(258), 28);
        assert_eq!(len_code(257), 27);
    }
}
