//! Text for the recipe language: the string transforms (`lowercase`, `no_punct`,
//! `negate`), the terms of a text (word n-grams and orthogonal sparse bigrams), and
//! the fixed hash that names every term and every hashed bucket.
//!
//! Tokens are the pieces of a text between Unicode white space, so every alphabet
//! works the same (Cyrillic and Latin alike); `no_punct` turns punctuation and
//! symbols into spaces first, `lowercase` folds case by Unicode's rules.
//!
//! The hash is part of the model file format: a term's key and a bucket's number are
//! stored in models, so [`token_hash`] and the way keys combine never change (a test
//! pins their values).

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Words after a negation word that `negate` marks.
pub const NEGATION_SCOPE: usize = 3;

/// The prefix `negate` puts on the words it marks.
pub const NEGATED_PREFIX: &str = "not_";

/// Longest n-gram order (`ngram(text, n)`).
pub const MAX_NGRAM: usize = 4;

/// Widest window of `osb(text, window)`.
pub const MAX_OSB_WINDOW: usize = 8;

/// Most tokens of one text that become terms: a longer text's tail is ignored, so
/// that one enormous cell cannot make a row of millions of terms.
pub const MAX_TOKENS: usize = 10_000;

/// The terms a text step builds from the tokens of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TermKind {
    /// Word n-grams of orders 1 to `n` (`ngram(text, n)`).
    Ngram(u8),
    /// Orthogonal sparse bigrams (`osb(text, window)`): each word paired with each of
    /// the next `window - 1` words, the distance kept (`buy _ now` is `buy` two words
    /// before `now`).
    Osb(u8),
}

impl TermKind {
    /// Checks the order or window (after loading a file).
    pub(crate) fn valid(self) -> bool {
        match self {
            TermKind::Ngram(n) => (1..=MAX_NGRAM as u8).contains(&n),
            TermKind::Osb(w) => (2..=MAX_OSB_WINDOW as u8).contains(&w),
        }
    }

    /// Calls `f(key, label)` for every term of `text` in order, repeats included;
    /// `label()` builds the term's readable form (`"not_good"`, `"call back"`,
    /// `"buy _ now"`) only when asked.
    pub fn for_each_term(self, text: &str, mut f: impl FnMut(u64, &dyn Fn() -> String)) {
        with_tokens(text, |spans, hashes| {
            let tok = |i: usize| {
                let (a, b) = spans[i];
                &text[a as usize..b as usize]
            };
            match self {
                TermKind::Ngram(n) => {
                    for i in 0..hashes.len() {
                        let mut key = hashes[i];
                        f(key, &|| tok(i).to_owned());
                        for k in 1..usize::from(n) {
                            let Some(&h) = hashes.get(i + k) else { break };
                            key = combine(key, h);
                            f(key, &|| {
                                let mut s = tok(i).to_owned();
                                for m in i + 1..=i + k {
                                    s.push(' ');
                                    s.push_str(tok(m));
                                }
                                s
                            });
                        }
                    }
                }
                TermKind::Osb(w) => {
                    for i in 0..hashes.len() {
                        for dist in 1..usize::from(w) {
                            let Some(&h) = hashes.get(i + dist) else {
                                break;
                            };
                            f(osb_key(hashes[i], dist, h), &|| {
                                let mut s = tok(i).to_owned();
                                for _ in 1..dist {
                                    s.push_str(" _");
                                }
                                s.push(' ');
                                s.push_str(tok(i + dist));
                                s
                            });
                        }
                    }
                }
            }
        });
    }

    /// The keys of every term of `text`, each once, in the order of their first
    /// appearance.
    pub fn distinct_keys(self, text: &str, out: &mut Vec<u64>) {
        with_tokens(text, |_, hashes| self.keys_of(hashes, out));
    }

    /// [`TermKind::distinct_keys`] of `text` after the string transforms `ops`
    /// (applied in order): the same keys, computed in one pass over the text when
    /// `negate` comes last (the `auto` recipe's chain), without building the
    /// transformed text.
    pub fn distinct_keys_after(self, text: &str, ops: &[TextOp], out: &mut Vec<u64>) {
        match ops.split_last() {
            Some((TextOp::Negate, first)) if !first.contains(&TextOp::Negate) => {
                with_ops(text, first, |t| {
                    negated_hashes(t, |hashes| self.keys_of(hashes, out))
                })
            }
            _ => with_ops(text, ops, |t| self.distinct_keys(t, out)),
        }
    }

    /// The distinct keys of the terms of a text's token hashes.
    fn keys_of(self, hashes: &[u64], out: &mut Vec<u64>) {
        out.clear();
        match self {
            TermKind::Ngram(n) => {
                for i in 0..hashes.len() {
                    let mut key = hashes[i];
                    out.push(key);
                    for &h in hashes.iter().skip(i + 1).take(usize::from(n) - 1) {
                        key = combine(key, h);
                        out.push(key);
                    }
                }
            }
            TermKind::Osb(w) => {
                for i in 0..hashes.len() {
                    for (dist, &h) in hashes
                        .iter()
                        .skip(i + 1)
                        .take(usize::from(w) - 1)
                        .enumerate()
                    {
                        out.push(osb_key(hashes[i], dist + 1, h));
                    }
                }
            }
        }
        dedup_keys(out);
    }
}

/// Calls `f` with the token hashes of `negate(text)` -- each token of the text, the
/// [`NEGATION_SCOPE`] after a negation word prefixed with [`NEGATED_PREFIX`] -- hashed
/// as [`with_tokens`] would hash the negated text's tokens, without writing it.
fn negated_hashes<R>(text: &str, f: impl FnOnce(&[u64]) -> R) -> R {
    type Buf = (Vec<u64>, Vec<u8>);
    thread_local! {
        static BUF: std::cell::RefCell<Buf> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    }
    with_scratch(&BUF, |(hashes, word)| {
        hashes.clear();
        let mut left = 0usize;
        tokens(text, |a, b| {
            if hashes.len() >= MAX_TOKENS {
                return;
            }
            let tok = &text[a..b];
            let bare = tok.trim_end_matches(['.', ',', '!', '?', ';', ':']);
            if is_negation(bare) {
                hashes.push(token_hash(tok));
                left = NEGATION_SCOPE;
            } else if left > 0 {
                word.clear();
                word.extend_from_slice(NEGATED_PREFIX.as_bytes());
                word.extend_from_slice(tok.as_bytes());
                hashes.push(token_hash_bytes(word));
                left -= 1;
            } else {
                hashes.push(token_hash(tok));
            }
            if ends_clause(tok) {
                left = 0;
            }
        });
        f(hashes)
    })
}

/// Removes repeated keys, keeping each key's first appearance: a small open-addressing
/// set (the keys are well-mixed hashes), linear in the number of keys where sorting
/// them was a quarter of scoring a short text.
fn dedup_keys(keys: &mut Vec<u64>) {
    if keys.len() < 2 {
        return;
    }
    type Buf = Vec<u64>;
    thread_local! {
        static SET: std::cell::RefCell<Buf> = const { std::cell::RefCell::new(Vec::new()) };
    }
    with_scratch(&SET, |set| {
        let size = (keys.len() * 2).next_power_of_two();
        let mask = size - 1;
        set.clear();
        set.resize(size, 0);
        // 0 marks an empty slot; a key that is 0 is tracked apart.
        let mut zero_seen = false;
        keys.retain(|&k| {
            if k == 0 {
                return !std::mem::replace(&mut zero_seen, true);
            }
            let mut i = k as usize & mask;
            loop {
                match set[i] {
                    0 => {
                        set[i] = k;
                        return true;
                    }
                    x if x == k => return false,
                    _ => i = (i + 1) & mask,
                }
            }
        });
    });
}

/// Calls `f` with the byte spans and the hashes of the first [`MAX_TOKENS`] tokens of
/// `text` (pieces between white space), from per-thread buffers.
fn with_tokens<R>(text: &str, f: impl FnOnce(&[(u32, u32)], &[u64]) -> R) -> R {
    type Buf = (Vec<(u32, u32)>, Vec<u64>);
    thread_local! {
        static BUF: std::cell::RefCell<Buf> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    }
    with_scratch(&BUF, |(spans, hashes)| {
        spans.clear();
        hashes.clear();
        tokens(text, |a, b| {
            if spans.len() < MAX_TOKENS {
                spans.push((a as u32, b as u32));
                hashes.push(token_hash(&text[a..b]));
            }
        });
        f(spans, hashes)
    })
}

/// Runs `f` with this thread's scratch value of `key`; a re-entrant call (from inside
/// `f`) gets a fresh value of its own instead.
pub(crate) fn with_scratch<T: Default + 'static, R>(
    key: &'static std::thread::LocalKey<std::cell::RefCell<T>>,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut v) => f(&mut v),
        Err(_) => f(&mut T::default()),
    })
}

/// Calls `f(start, end)` with the byte span of every token (piece between white
/// space, as `str::split_whitespace` cuts them), bytes at a time while the text is
/// ASCII. Texts over 4 GiB are cut there.
fn tokens(text: &str, mut f: impl FnMut(usize, usize)) {
    let text = if text.len() > u32::MAX as usize {
        let mut end = u32::MAX as usize;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    } else {
        text
    };
    let bytes = text.as_bytes();
    // Unicode's white space beyond ASCII is encoded with lead bytes C2, E1, E2 or E3
    // (no-break space, the em space, ...); without them, white space is ASCII's six
    // bytes and tokens are found 64 bytes at a time from bit masks (a branch per
    // token instead of two per byte).
    let unicode_space = !text.is_ascii()
        && (memchr::memchr3(0xC2, 0xE2, 0xE3, bytes).is_some()
            || memchr::memchr(0xE1, bytes).is_some());
    if unicode_space {
        let base = text.as_ptr() as usize;
        for t in text.split_whitespace() {
            let a = t.as_ptr() as usize - base;
            f(a, a + t.len());
        }
        return;
    }
    let mut start = 0usize;
    let mut in_token = false;
    for (k, block) in bytes.chunks(64).enumerate() {
        // Bit i: byte i of the block is not white space.
        let word = block.iter().enumerate().fold(0u64, |m, (i, &b)| {
            let space = (b == b' ') | (b.wrapping_sub(b'\t') < 5);
            m | (u64::from(!space) << i)
        });
        let prev = u64::from(in_token);
        let mut edges = word ^ ((word << 1) | prev);
        if block.len() < 64 {
            edges &= (1u64 << block.len()) - 1;
        }
        while edges != 0 {
            let i = k * 64 + edges.trailing_zeros() as usize;
            if in_token {
                f(start, i);
            } else {
                start = i;
            }
            in_token = !in_token;
            edges &= edges - 1;
        }
    }
    if in_token {
        f(start, bytes.len());
    }
}

/// The fixed 64-bit hash of a token (or a category level): its UTF-8 bytes taken
/// eight at a time as little-endian words (the last one zero-padded), each xored into
/// the state and multiplied by an odd constant, then the length, then SplitMix64's
/// finaliser. Stable forever: keys and buckets in model files depend on it.
pub fn token_hash(t: &str) -> u64 {
    token_hash_bytes(t.as_bytes())
}

/// [`token_hash`] of UTF-8 bytes.
#[inline]
fn token_hash_bytes(bytes: &[u8]) -> u64 {
    const P: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    if bytes.len() <= 8 {
        // Most words: one zero-padded word.
        let mut w = [0u8; 8];
        w[..bytes.len()].copy_from_slice(bytes);
        if !bytes.is_empty() {
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(P);
        }
        return fmix(h ^ bytes.len() as u64);
    }
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(P);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(P);
    }
    fmix(h ^ bytes.len() as u64)
}

/// The key of the n-gram whose first tokens have key `a`, followed by a token of hash
/// `b`.
#[inline]
fn combine(a: u64, b: u64) -> u64 {
    fmix(a.wrapping_mul(0xC2B2_AE3D_27D4_EB4F).rotate_left(29) ^ b)
}

/// The key of an orthogonal sparse bigram: a token of hash `a`, `dist` words before a
/// token of hash `b`.
#[inline]
fn osb_key(a: u64, dist: usize, b: u64) -> u64 {
    combine(combine(a, 0x05B0_0000 ^ dist as u64), b)
}

/// SplitMix64's finaliser.
#[inline]
fn fmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A string transform of the recipe language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    /// `lowercase(text)`.
    Lowercase,
    /// `no_punct(text)`.
    NoPunct,
    /// `negate(text)`.
    Negate,
}

impl TextOp {
    /// Writes the transform of `src` into `dst` (cleared first).
    pub fn apply(self, src: &str, dst: &mut String) {
        dst.clear();
        match self {
            TextOp::Lowercase => lowercase_into(src, dst),
            TextOp::NoPunct => no_punct_into(src, dst),
            TextOp::Negate => negate_into(src, dst),
        }
    }

    /// The transform of `src` as a new string.
    pub fn applied(self, src: &str) -> String {
        let mut out = String::with_capacity(src.len() + 16);
        self.apply(src, &mut out);
        out
    }
}

/// Runs `f` with `text` after `ops` (applied in order), from per-thread buffers: a
/// record's text is transformed without an allocation.
pub(crate) fn with_ops<R>(text: &str, ops: &[TextOp], f: impl FnOnce(&str) -> R) -> R {
    if ops.is_empty() {
        return f(text);
    }
    type Buf = (String, String);
    thread_local! {
        static BUF: std::cell::RefCell<Buf> = const { std::cell::RefCell::new((String::new(), String::new())) };
    }
    with_scratch(&BUF, |(a, b)| {
        // `no_punct` and `lowercase` of ASCII text, in either order, in one pass.
        let fused = text.is_ascii()
            && ops.len() >= 2
            && matches!(
                (ops[0], ops[1]),
                (TextOp::NoPunct, TextOp::Lowercase) | (TextOp::Lowercase, TextOp::NoPunct)
            );
        let rest = if fused {
            a.clear();
            no_punct_lower_ascii(text, a);
            &ops[2..]
        } else {
            ops[0].apply(text, a);
            &ops[1..]
        };
        for op in rest {
            op.apply(a, b);
            std::mem::swap(a, b);
        }
        f(a)
    })
}

/// `lowercase(text)`: Unicode lower case (borrowed when nothing changes).
pub fn lowercase(s: &str) -> Cow<'_, str> {
    let changes = if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        s.chars().any(|c| c.is_uppercase())
    };
    if changes {
        Cow::Owned(TextOp::Lowercase.applied(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// [`lowercase`] into `dst`: Unicode's lower case of each character, with the
/// final-sigma rule of `str::to_lowercase` (its only rule that looks at neighbours).
fn lowercase_into(s: &str, dst: &mut String) {
    if s.is_ascii() {
        dst.push_str(s);
        dst.make_ascii_lowercase();
    } else if s.contains('\u{3A3}') {
        dst.push_str(&s.to_lowercase());
    } else {
        dst.reserve(s.len());
        for c in s.chars() {
            match c {
                _ if c.is_ascii() => dst.push(c.to_ascii_lowercase()),
                // Russian's capitals, without Unicode's tables: А-Я, then Ё.
                '\u{410}'..='\u{42F}' => dst.push(char::from_u32(c as u32 + 0x20).unwrap_or(c)),
                '\u{401}' => dst.push('\u{451}'),
                '\u{430}'..='\u{44F}' | '\u{451}' => dst.push(c),
                _ => dst.extend(c.to_lowercase()),
            }
        }
    }
}

/// Whether `no_punct` keeps a character: letters, digits and combining marks of any
/// script.
#[inline]
fn word_char(c: char) -> bool {
    match c {
        _ if c.is_ascii() => c.is_ascii_alphanumeric(),
        // Russian's letters without Unicode's tables (their lookup was a third of
        // scoring a short Russian comment).
        '\u{410}'..='\u{44F}' | '\u{401}' | '\u{451}' => true,
        _ => c.is_alphanumeric() || is_mark(c),
    }
}

/// Combining marks (the stress accent of Russian dictionaries, say), by the blocks
/// that hold them.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0483..=0x0489 | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// `no_punct(text)`: every character that is not a letter, digit or combining mark
/// becomes a space, except an apostrophe between two letters or digits (`don't`,
/// `д'Артаньян`). Borrowed when nothing changes.
pub fn no_punct(s: &str) -> Cow<'_, str> {
    let out = TextOp::NoPunct.applied(s);
    if out == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(out)
    }
}

/// What `lowercase(no_punct(.))` makes of each ASCII byte: letters in lower case,
/// digits and white space as they are, everything else a space; the apostrophe is
/// marked 0 (it stays between two letters or digits).
const NO_PUNCT_LOWER: [u8; 128] = {
    let mut t = [b' '; 128];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = if b.is_ascii_alphanumeric() {
            b.to_ascii_lowercase()
        } else if matches!(b, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | b' ') {
            b
        } else if b == b'\'' {
            0
        } else {
            b' '
        };
        c += 1;
    }
    t
};

/// `lowercase(no_punct(s))` of ASCII text into `dst` (cleared): one pass through a
/// table, the apostrophe alone looked at twice.
fn no_punct_lower_ascii(s: &str, dst: &mut String) {
    let b = s.as_bytes();
    let word = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphanumeric());
    let mut out = std::mem::take(dst).into_bytes();
    out.clear();
    out.extend(b.iter().map(|&c| NO_PUNCT_LOWER[usize::from(c & 0x7F)]));
    let mut at = 0;
    while let Some(p) = memchr::memchr(0, &out[at..]) {
        let i = at + p;
        out[i] = if i > 0 && word(i - 1) && word(i + 1) {
            b'\''
        } else {
            b' '
        };
        at = i + 1;
    }
    // ASCII bytes only: always valid.
    *dst = String::from_utf8(out).unwrap_or_default();
}

/// [`no_punct`] into `dst`.
fn no_punct_into(s: &str, dst: &mut String) {
    let b = s.as_bytes();
    if s.is_ascii() {
        let word = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphanumeric());
        let mut out = std::mem::take(dst).into_bytes();
        out.clear();
        out.extend(b.iter().enumerate().map(|(i, &c)| {
            let keep = c.is_ascii_alphanumeric()
                || matches!(c, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | b' ')
                || (c == b'\'' && i > 0 && word(i - 1) && word(i + 1));
            if keep {
                c
            } else {
                b' '
            }
        }));
        // ASCII bytes only: always valid.
        *dst = String::from_utf8(out).unwrap_or_default();
        return;
    }
    dst.reserve(s.len());
    let mut prev: Option<char> = None;
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        let keep = word_char(c)
            || c.is_whitespace()
            || (matches!(c, '\'' | '\u{2019}')
                && prev.is_some_and(word_char)
                && it.peek().copied().is_some_and(word_char));
        dst.push(if keep { c } else { ' ' });
        prev = Some(c);
    }
}

/// Whether a word negates what follows: `not`, `no`, `never`, `nor`, `cannot`, a word
/// ending in `n't`; `не`, `нет`, `ни`, `без` (in any case).
pub fn is_negation(word: &str) -> bool {
    // The longest are `cannot` and the `n't` forms of English auxiliaries
    // (`shouldn't`): at most 12 bytes with the typographic apostrophe.
    let b = word.as_bytes();
    if b.len() > 12 || b.len() < 2 {
        return false;
    }
    // Most words are ruled out by their first and last bytes: the words start with
    // n, c (either case) or Cyrillic н, б (UTF-8 D0 BD/9D, D0 B1/91); the n't forms
    // end in an apostrophe and t.
    let starts = matches!(b[0], b'n' | b'N' | b'c' | b'C')
        || (b[0] == 0xD0 && matches!(b[1], 0xBD | 0x9D | 0xB1 | 0x91));
    let n = b.len();
    let n_t = matches!(b[n - 1], b't' | b'T')
        && (b[n - 2] == b'\'' || (n >= 4 && b[n - 4..n - 1] == [0xE2, 0x80, 0x99]));
    if !starts && !n_t {
        return false;
    }
    let mut buf = [0u8; 48];
    let w = if word.is_ascii() {
        let b = &mut buf[..word.len()];
        b.copy_from_slice(word.as_bytes());
        b.make_ascii_lowercase();
        std::str::from_utf8(b).unwrap_or(word)
    } else {
        let mut n = 0;
        for c in word.chars().flat_map(char::to_lowercase) {
            let mut tmp = [0u8; 4];
            let e = c.encode_utf8(&mut tmp).as_bytes();
            if n + e.len() > buf.len() {
                return false;
            }
            buf[n..n + e.len()].copy_from_slice(e);
            n += e.len();
        }
        std::str::from_utf8(&buf[..n]).unwrap_or(word)
    };
    matches!(
        w,
        "not" | "no" | "never" | "nor" | "cannot" | "не" | "нет" | "ни" | "без"
    ) || w.ends_with("n't")
        || w.ends_with("n\u{2019}t")
}

/// Whether a token ends a clause (its last character is `.`, `,`, `!`, `?`, `;` or `:`).
fn ends_clause(token: &str) -> bool {
    token
        .chars()
        .next_back()
        .is_some_and(|c| matches!(c, '.' | ',' | '!' | '?' | ';' | ':'))
}

/// `negate(text)`: the [`NEGATION_SCOPE`] words after a negation word (see
/// [`is_negation`]) get the prefix [`NEGATED_PREFIX`] (`"not good at all"` ->
/// `"not not_good not_at not_all"`), so that a model can tell "good" from "not good";
/// the scope also ends at a word ending a clause (`good.`). Words are separated by
/// single spaces in the result.
pub fn negate(s: &str) -> String {
    TextOp::Negate.applied(s)
}

/// [`negate`] into `dst`.
fn negate_into(s: &str, out: &mut String) {
    out.reserve(s.len() + 16);
    let mut left = 0usize;
    let mut spans = Vec::new();
    tokens(s, |a, b| spans.push((a, b)));
    for tok in spans.into_iter().map(|(a, b)| &s[a..b]) {
        if !out.is_empty() {
            out.push(' ');
        }
        let word = tok.trim_end_matches(['.', ',', '!', '?', ';', ':']);
        if is_negation(word) {
            out.push_str(tok);
            left = NEGATION_SCOPE;
        } else {
            if left > 0 {
                out.push_str(NEGATED_PREFIX);
                left -= 1;
            }
            out.push_str(tok);
        }
        if ends_clause(tok) {
            left = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(kind: TermKind, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        kind.for_each_term(text, |_, label| out.push(label()));
        out
    }

    #[test]
    fn hash_values_never_change() {
        // Keys and buckets are stored in model files: these values are the format
        // (computed by an independent implementation of the definition).
        assert_eq!(token_hash(""), 0xf52a_15e9_a9b5_e89b);
        assert_eq!(token_hash("договор"), token_hash("договор"));
        let pinned = [
            token_hash("a"),
            token_hash("договор"),
            token_hash("twelve chars"),
        ];
        assert_eq!(
            pinned,
            [
                0x80c4_b095_2edd_6a61,
                0x4703_97d0_699f_e13f,
                0x835c_955e_a6d5_ddff
            ]
        );
    }

    #[test]
    fn hashes_of_distinct_tokens_differ() {
        let words: Vec<String> = (0..20_000).map(|i| format!("w{i}")).collect();
        let mut keys: Vec<u64> = words.iter().map(|w| token_hash(w)).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), words.len());
        // A token and the same bytes padded, and lengths across the 8-byte words.
        assert_ne!(token_hash("ab"), token_hash("ab\0"));
        assert_ne!(token_hash("abcdefgh"), token_hash("abcdefgh\0"));
    }

    /// Texts with every kind of white space, punctuation, scripts and lengths around
    /// the 64-byte blocks of the tokenizer.
    fn samples() -> Vec<String> {
        let mut out: Vec<String> = [
            "",
            " ",
            "one",
            "  lead   from\tweb\nform ",
            "Не интересно, НЕ звонить!!! Договор — в понедельник.",
            "no\u{a0}break\u{2003}em space\u{3000}ideographic",
            "don't can’t WON'T it's 'quoted' rock'n'roll",
            "Σίσυφος ΟΔΟΣ naïve café Straße",
            "x\u{85}y\u{1680}z\u{2028}w",
            "not good. not, bad; never: fine? no",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut rng = crate::rng::Rng::new(7);
        let pieces = [
            "ab", " ", "Ж", "\t", ".", "not", "НЕТ", "'", "\u{a0}", "x9", ",", "don't", "\n",
        ];
        for _ in 0..300 {
            let n = rng.below(120) as usize;
            out.push(
                (0..n)
                    .map(|_| pieces[rng.below(pieces.len() as u64) as usize])
                    .collect(),
            );
        }
        out
    }

    #[test]
    fn fast_paths_agree_with_unicode() {
        for c in ('\u{0}'..='\u{4FF}').chain('\u{2000}'..='\u{20FF}') {
            assert_eq!(
                word_char(c),
                c.is_alphanumeric() || (!c.is_ascii() && is_mark(c)),
                "{c:?}"
            );
            let mut a = String::new();
            lowercase_into(&format!("{c}ж"), &mut a);
            assert_eq!(a, format!("{c}ж").to_lowercase(), "{c:?}");
        }
    }

    #[test]
    fn tokens_cut_as_split_whitespace() {
        for s in samples() {
            let mut got = Vec::new();
            tokens(&s, |a, b| got.push(&s[a..b]));
            let want: Vec<&str> = s.split_whitespace().collect();
            assert_eq!(got, want, "{s:?}");
        }
    }

    #[test]
    fn fused_transforms_equal_the_step_by_step_ones() {
        use TextOp::*;
        let chains: [&[TextOp]; 6] = [
            &[NoPunct, Lowercase, Negate],
            &[Lowercase, NoPunct, Negate],
            &[Lowercase, Negate],
            &[Negate],
            &[NoPunct, Lowercase],
            &[Negate, Lowercase],
        ];
        for s in samples() {
            for ops in chains {
                let mut text = s.clone();
                for op in ops {
                    text = op.applied(&text);
                }
                with_ops(&s, ops, |t| assert_eq!(t, text, "{ops:?} of {s:?}"));
                for kind in [TermKind::Ngram(2), TermKind::Osb(3)] {
                    let (mut a, mut b) = (Vec::new(), Vec::new());
                    kind.distinct_keys(&text, &mut a);
                    kind.distinct_keys_after(&s, ops, &mut b);
                    assert_eq!(a, b, "{ops:?} {kind:?} of {s:?}");
                }
            }
            assert_eq!(lowercase(&s), s.to_lowercase(), "{s:?}");
        }
    }

    #[test]
    fn ngrams_and_osb() {
        assert_eq!(
            terms(TermKind::Ngram(2), "call me back"),
            ["call", "call me", "me", "me back", "back"]
        );
        assert_eq!(terms(TermKind::Ngram(1), "  a   b "), ["a", "b"]);
        assert_eq!(
            terms(TermKind::Ngram(3), "a b c"),
            ["a", "a b", "a b c", "b", "b c", "c"]
        );
        assert_eq!(
            terms(TermKind::Osb(3), "buy it now"),
            ["buy it", "buy _ now", "it now"]
        );
        assert!(terms(TermKind::Osb(4), "").is_empty());
        // A bigram and an OSB pair at distance 1 name different terms.
        let mut a = Vec::new();
        TermKind::Ngram(2).distinct_keys("x y", &mut a);
        let mut b = Vec::new();
        TermKind::Osb(2).distinct_keys("x y", &mut b);
        assert!(!a.contains(&b[0]));
        // Repeats are counted once by distinct_keys, in the order of first appearance.
        TermKind::Ngram(1).distinct_keys("a b a a c b", &mut a);
        assert_eq!(a, [token_hash("a"), token_hash("b"), token_hash("c")]);
        let mut many: Vec<u64> = (0..1000u64).map(|i| i % 37).collect();
        many.push(0);
        dedup_keys(&mut many);
        assert_eq!(many, (0..37).collect::<Vec<u64>>());
        // Word order matters.
        TermKind::Ngram(2).distinct_keys("a b", &mut a);
        TermKind::Ngram(2).distinct_keys("b a", &mut b);
        assert_ne!(a, b);
    }

    #[test]
    fn case_punctuation_and_negation() {
        assert_eq!(lowercase("Договор ПОДПИСАН"), "договор подписан");
        assert!(matches!(lowercase("already lower"), Cow::Borrowed(_)));
        assert_eq!(
            no_punct("Hi!!! Call me: 8-800, ok? don't 'quote'"),
            "Hi    Call me  8 800  ok  don't  quote "
        );
        assert_eq!(no_punct("привет, мир"), "привет  мир");
        assert!(matches!(no_punct("clean text 42"), Cow::Borrowed(_)));
        assert_eq!(
            negate("this is not good at all, but tasty"),
            "this is not not_good not_at not_all, but tasty"
        );
        assert_eq!(negate("I don't like it"), "I don't not_like not_it");
        assert_eq!(
            negate("Не   звонить больше никогда"),
            "Не not_звонить not_больше not_никогда"
        );
        assert_eq!(negate("no. fine"), "no. fine");
        assert!(is_negation("НЕТ") && is_negation("Isn\u{2019}t") && !is_negation("nothing"));
    }
}
