//! A memory budget for decoding a model file. The sequences a payload declares are
//! charged as they grow (their elements' own size and what each holds on the heap),
//! so a crafted file cannot make the reader allocate more than
//! [`BYTES_PER_PAYLOAD_BYTE`] times its payload (plus [`SLACK`]) before it is
//! rejected. A fitted model needs under a third of that (every level and term of a
//! real model also carries a coefficient and a mean in the payload).
//!
//! Fields are charged through `#[serde(deserialize_with = "...::vec")]`; outside
//! `with_budget` (decoding JSON options, tests) nothing is charged.

use serde::de::{Deserialize, Deserializer, Error as _, SeqAccess, Visitor};
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

/// Memory a payload byte may cost while decoding.
pub const BYTES_PER_PAYLOAD_BYTE: usize = 4;
/// Memory any payload may cost on top (small models, empty sequences).
pub const SLACK: usize = 256 << 10;

thread_local! {
    /// Bytes left to charge on this thread (`None`: not decoding a file).
    static LEFT: Cell<Option<usize>> = const { Cell::new(None) };
    /// Whether a charge was refused since the budget was set.
    static REFUSED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with a budget of `bytes` on this thread and says whether it ran out (a
/// decoder's error type may not keep the message). The previous budget is restored
/// after, also when `f` unwinds.
pub(crate) fn with_budget<T>(bytes: usize, f: impl FnOnce() -> T) -> (T, bool) {
    struct Restore(Option<usize>, bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            LEFT.with(|l| l.set(self.0));
            REFUSED.with(|r| r.set(self.1));
        }
    }
    let _restore = Restore(
        LEFT.with(|l| l.replace(Some(bytes))),
        REFUSED.with(|r| r.replace(false)),
    );
    let out = f();
    (out, REFUSED.with(Cell::get))
}

/// The budget of a payload of `len` bytes.
pub(crate) fn for_payload(len: usize) -> usize {
    len.saturating_mul(BYTES_PER_PAYLOAD_BYTE)
        .saturating_add(SLACK)
}

/// What a refused charge says.
pub(crate) const EXCEEDED: &str = "the payload declares more data than its size can hold \
     (decoding it would take over 4 bytes of memory per byte of the file)";

/// Charges `bytes` a decoder allocates outside [`vec()`] (a sparse vector expanded).
pub(crate) fn charge_bytes<E: serde::de::Error>(bytes: usize) -> Result<(), E> {
    charge(bytes)
}

fn charge<E: serde::de::Error>(bytes: usize) -> Result<(), E> {
    LEFT.with(|l| match l.get() {
        None => Ok(()),
        Some(left) if bytes <= left => {
            l.set(Some(left - bytes));
            Ok(())
        }
        Some(_) => {
            REFUSED.with(|r| r.set(true));
            Err(E::custom(EXCEEDED))
        }
    })
}

/// What a value holds on the heap beyond its own size (its nested sequences charge
/// themselves when they are decoded through [`vec()`]).
pub(crate) trait Heap {
    /// Heap bytes owned directly.
    fn heap(&self) -> usize {
        0
    }
}

impl Heap for f64 {}
impl Heap for u32 {}
impl Heap for u64 {}
impl Heap for crate::eval::ThresholdPoint {}
impl Heap for crate::eval::CalibrationBin {}
impl Heap for crate::eval::FeatureUse {
    fn heap(&self) -> usize {
        self.name.capacity()
    }
}
impl Heap for String {
    fn heap(&self) -> usize {
        self.capacity()
    }
}

/// Decodes a `Vec<T>`, charging its growth and its elements' heap to the budget.
pub(crate) fn vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Heap,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de> + Heap> Visitor<'de> for V<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a sequence")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut v: Vec<T> = Vec::new();
            loop {
                if v.len() == v.capacity() {
                    // Grow by doubling, charged before the memory is taken (the
                    // declared length is not trusted).
                    let more = v.capacity().max(4);
                    let bytes = more
                        .checked_mul(std::mem::size_of::<T>().max(1))
                        .ok_or_else(|| A::Error::custom("sequence too long"))?;
                    charge::<A::Error>(bytes)?;
                    v.reserve_exact(more);
                }
                match seq.next_element::<T>()? {
                    Some(x) => {
                        charge::<A::Error>(x.heap())?;
                        v.push(x);
                    }
                    None => break,
                }
            }
            Ok(v)
        }
    }
    d.deserialize_seq(V(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Levels {
        #[serde(deserialize_with = "vec")]
        levels: Vec<String>,
    }

    #[test]
    fn a_fair_payload_decodes_and_a_bomb_is_refused() {
        let fair = Levels {
            levels: (0..1000).map(|i| format!("level {i}")).collect(),
        };
        let bytes = postcard::to_stdvec(&fair).unwrap();
        let (back, refused) = with_budget(for_payload(bytes.len()), || {
            postcard::from_bytes::<Levels>(&bytes)
        });
        assert_eq!(back.unwrap(), fair);
        assert!(!refused);

        // A million empty strings: 1 byte each in the payload, 24 in memory.
        let bomb = Levels {
            levels: vec![String::new(); 1_000_000],
        };
        let bytes = postcard::to_stdvec(&bomb).unwrap();
        let (out, refused) = with_budget(for_payload(bytes.len()), || {
            postcard::from_bytes::<Levels>(&bytes)
        });
        assert!(out.is_err() && refused);
        // Outside a budget nothing is charged.
        assert_eq!(
            postcard::from_bytes::<Levels>(&bytes).unwrap().levels.len(),
            1_000_000
        );
    }
}
