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

    /// The keys of every term of `text`, sorted, each once.
    pub fn distinct_keys(self, text: &str, out: &mut Vec<u64>) {
        out.clear();
        with_tokens(text, |_, hashes| match self {
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
        });
        out.sort_unstable();
        out.dedup();
    }
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
    if text.is_ascii() {
        let bytes = text.as_bytes();
        let space = |b: u8| matches!(b, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | b' ');
        let mut i = 0;
        while i < bytes.len() {
            while i < bytes.len() && space(bytes[i]) {
                i += 1;
            }
            let start = i;
            while i < bytes.len() && !space(bytes[i]) {
                i += 1;
            }
            if i > start {
                f(start, i);
            }
        }
        return;
    }
    let base = text.as_ptr() as usize;
    for t in text.split_whitespace() {
        let a = t.as_ptr() as usize - base;
        f(a, a + t.len());
    }
}

/// The fixed 64-bit hash of a token (or a category level): its UTF-8 bytes taken
/// eight at a time as little-endian words (the last one zero-padded), each xored into
/// the state and multiplied by an odd constant, then the length, then SplitMix64's
/// finaliser. Stable forever: keys and buckets in model files depend on it.
pub fn token_hash(t: &str) -> u64 {
    const P: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes = t.as_bytes();
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
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

/// `lowercase(text)`: Unicode lower case (borrowed when nothing changes).
pub fn lowercase(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(s)
        }
    } else if s.chars().any(|c| c.is_uppercase()) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Whether `no_punct` keeps a character: letters, digits and combining marks of any
/// script.
#[inline]
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && is_mark(c))
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
    if s.is_ascii() {
        let b = s.as_bytes();
        let word = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphanumeric());
        let keep = |i: usize| {
            let c = b[i];
            c.is_ascii_alphanumeric()
                || matches!(c, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | b' ')
                || (c == b'\'' && i > 0 && word(i - 1) && word(i + 1))
        };
        if (0..b.len()).all(keep) {
            return Cow::Borrowed(s);
        }
        let out: Vec<u8> = (0..b.len())
            .map(|i| if keep(i) { b[i] } else { b' ' })
            .collect();
        // Only ASCII bytes were written.
        return Cow::Owned(String::from_utf8(out).unwrap_or_default());
    }
    let keep = |prev: Option<char>, c: char, next: Option<char>| {
        word_char(c)
            || c.is_whitespace()
            || (matches!(c, '\'' | '\u{2019}')
                && prev.is_some_and(word_char)
                && next.is_some_and(word_char))
    };
    let mut prev = None;
    let mut it = s.chars().peekable();
    let mut clean = true;
    while let Some(c) = it.next() {
        if !keep(prev, c, it.peek().copied()) {
            clean = false;
            break;
        }
        prev = Some(c);
    }
    if clean {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut prev = None;
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        out.push(if keep(prev, c, it.peek().copied()) {
            c
        } else {
            ' '
        });
        prev = Some(c);
    }
    Cow::Owned(out)
}

/// Whether a word negates what follows: `not`, `no`, `never`, `nor`, `cannot`, a word
/// ending in `n't`; `не`, `нет`, `ни`, `без` (in any case).
pub fn is_negation(word: &str) -> bool {
    const WORDS: [&str; 9] = [
        "not", "no", "never", "nor", "cannot", "не", "нет", "ни", "без",
    ];
    // The longest are `cannot` and the `n't` forms of English auxiliaries
    // (`shouldn't`): at most 12 bytes with the typographic apostrophe.
    if word.len() > 12 {
        return false;
    }
    let w = lowercase(word);
    let w = w.as_ref();
    WORDS.contains(&w) || w.ends_with("n't") || w.ends_with("n\u{2019}t")
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
    let mut out = String::with_capacity(s.len() + 16);
    let mut left = 0usize;
    for tok in s.split_whitespace() {
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
    out
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
        // Repeats are counted once by distinct_keys.
        TermKind::Ngram(1).distinct_keys("a b a a", &mut a);
        assert_eq!(a.len(), 2);
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
