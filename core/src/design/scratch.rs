//! Buffers kept per thread from one fit to the next.
//!
//! A fit allocates a few megabytes of short-lived arrays: the design matrix in the
//! solver's layout, its subsamples, per-row weights and curvatures. Handed back to the
//! allocator at the end of the fit, most of that memory returns to the operating
//! system, and the next fit takes a page fault on every 4 KB of it again: hundreds of
//! faults per fit of a few thousand rows, a sizeable share of the training call on a
//! virtual machine where a fault costs microseconds (measured by `cargo run --release
//! --example train_table -p leadscore -- examples/data/wa_churn.csv churn`). Training
//! is repeated work (five
//! cross-validation folds and the final fit, a grid search, thousands of tenants per
//! worker thread), so a [`Scratch`] buffer returns to a small per-thread pool when it
//! is dropped, and the next fit on that thread reuses its pages.
//!
//! The pool keeps at most [`KEEP`] buffers of each element type and [`KEEP_BYTES`] of
//! capacity in all per thread (enough for the fits of tenants up to about 20,000
//! rows); larger buffers go back to the allocator as usual. The memory stays with the
//! thread until it exits: a thread that trained keeps up to 16 MB.
//! What a buffer is taken with is all its user sees: [`Scratch::with_capacity`] is
//! empty, [`Scratch::zeroed`] holds zeros.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::thread::LocalKey;

/// Most buffers of one element type kept per thread.
const KEEP: usize = 8;
/// Most bytes of capacity kept per thread, all element types together (one buffer
/// larger than this is never kept).
const KEEP_BYTES: usize = 16 << 20;

thread_local! {
    /// Bytes of capacity in this thread's pools.
    static KEPT: Cell<usize> = const { Cell::new(0) };
}

fn kept_add(bytes: usize) {
    let _ = KEPT.try_with(|k| k.set(k.get() + bytes));
}

fn kept_sub(bytes: usize) {
    let _ = KEPT.try_with(|k| k.set(k.get().saturating_sub(bytes)));
}

fn kept() -> usize {
    KEPT.try_with(Cell::get).unwrap_or(usize::MAX)
}

/// Bytes of capacity of `v`.
fn bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

/// An element type with a per-thread pool.
pub(crate) trait Pooled: Copy + Default + 'static {
    /// The pool of this thread.
    fn pool() -> &'static LocalKey<RefCell<Vec<Vec<Self>>>>;
}

macro_rules! pooled {
    ($($t:ty => $name:ident),*) => {$(
        thread_local! {
            static $name: RefCell<Vec<Vec<$t>>> = const { RefCell::new(Vec::new()) };
        }
        impl Pooled for $t {
            fn pool() -> &'static LocalKey<RefCell<Vec<Vec<Self>>>> {
                &$name
            }
        }
    )*};
}

pooled!(f64 => POOL_F64, u32 => POOL_U32, usize => POOL_USIZE);

/// A `Vec` that returns to its thread's pool when dropped (see the module
/// documentation). Dereferences to the `Vec`.
pub(crate) struct Scratch<T: Pooled>(Vec<T>);

impl<T: Pooled> Scratch<T> {
    /// An empty buffer with room for at least `cap` elements: the smallest pooled one
    /// that has it, else a new one.
    pub(crate) fn with_capacity(cap: usize) -> Self {
        let reused = T::pool()
            .try_with(|p| {
                let mut p = p.try_borrow_mut().ok()?;
                let best = p
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.capacity() >= cap)
                    .min_by_key(|(_, v)| v.capacity())
                    .map(|(i, _)| i)?;
                let v = p.swap_remove(best);
                kept_sub(bytes(&v));
                Some(v)
            })
            .ok()
            .flatten();
        Scratch(reused.unwrap_or_else(|| Vec::with_capacity(cap)))
    }

    /// `len` zeros (`T::default()`).
    pub(crate) fn zeroed(len: usize) -> Self {
        let mut s = Self::with_capacity(len);
        s.0.resize(len, T::default());
        s
    }

    /// A copy of `values`.
    pub(crate) fn from_slice(values: &[T]) -> Self {
        let mut s = Self::with_capacity(values.len());
        s.0.extend_from_slice(values);
        s
    }
}

impl<T: Pooled> From<Vec<T>> for Scratch<T> {
    fn from(v: Vec<T>) -> Self {
        Scratch(v)
    }
}

impl<T: Pooled> Deref for Scratch<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T: Pooled> DerefMut for Scratch<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}

impl<'s, T: Pooled> IntoIterator for &'s Scratch<T> {
    type Item = &'s T;
    type IntoIter = std::slice::Iter<'s, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: Pooled + fmt::Debug> fmt::Debug for Scratch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Pooled> Drop for Scratch<T> {
    fn drop(&mut self) {
        let mut v = std::mem::take(&mut self.0);
        if v.capacity() == 0 || bytes(&v) > KEEP_BYTES {
            return;
        }
        v.clear();
        // During thread teardown the pool may be gone: the buffer is then freed.
        let _ = T::pool().try_with(|p| {
            let Ok(mut p) = p.try_borrow_mut() else {
                return;
            };
            kept_add(bytes(&v));
            p.push(v);
            // Over the limits: drop this type's smallest buffers (the large ones save
            // the most faults); when the other types hold the bytes, the one just
            // returned goes too.
            while p.len() > KEEP || kept() > KEEP_BYTES {
                let Some(small) = p
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, v)| v.capacity())
                    .map(|(i, _)| i)
                else {
                    break;
                };
                kept_sub(bytes(&p.swap_remove(small)));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clear_pools() {
        POOL_F64.with(|p| p.borrow_mut().clear());
        POOL_U32.with(|p| p.borrow_mut().clear());
        POOL_USIZE.with(|p| p.borrow_mut().clear());
        KEPT.with(|k| k.set(0));
    }

    fn pooled_capacities() -> Vec<usize> {
        let mut c: Vec<usize> = POOL_F64.with(|p| p.borrow().iter().map(Vec::capacity).collect());
        c.sort_unstable();
        c
    }

    #[test]
    fn buffers_return_to_the_pool_and_are_reused_clean() {
        clear_pools();
        let mut a: Scratch<f64> = Scratch::zeroed(1000);
        a[7] = 3.0;
        let ptr = a.as_ptr();
        drop(a);
        assert_eq!(pooled_capacities(), vec![1000]);
        // Reused: the same memory, empty, then zeros.
        let b: Scratch<f64> = Scratch::zeroed(600);
        assert_eq!(b.as_ptr(), ptr);
        assert_eq!(b.len(), 600);
        assert!(b.iter().all(|&v| v == 0.0));
        assert!(pooled_capacities().is_empty());
        // Too small for the request: a new buffer, the pooled one stays.
        drop(b);
        let c: Scratch<f64> = Scratch::with_capacity(5000);
        assert!(c.is_empty() && c.capacity() >= 5000);
        assert_eq!(pooled_capacities(), vec![1000]);
        drop(c);
        // The smallest that fits is taken.
        let d: Scratch<f64> = Scratch::with_capacity(800);
        assert_eq!(d.capacity(), 1000);
        drop(d);
        let copy = Scratch::from_slice(&[1.0, 2.0]);
        assert_eq!(copy.as_slice(), &[1.0, 2.0]);
    }

    #[test]
    fn the_pool_is_bounded() {
        clear_pools();
        let bufs: Vec<Scratch<f64>> = (1..=KEEP + 3).map(|k| Scratch::zeroed(k * 100)).collect();
        drop(bufs);
        let pooled = pooled_capacities();
        assert_eq!(pooled.len(), KEEP);
        // The largest are kept, and counted.
        assert_eq!(pooled[0], 4 * 100);
        assert_eq!(kept(), pooled.iter().sum::<usize>() * 8);
        // One buffer over the byte limit is never kept.
        drop(Scratch::<f64>::zeroed(KEEP_BYTES / 8 + 1));
        assert_eq!(pooled_capacities().len(), KEEP);
        // The limit holds across element types: u32 buffers filling most of it push
        // out f64 ones only up to their own type; the next f64 buffer that does not
        // fit is freed.
        clear_pools();
        drop(Scratch::<f64>::zeroed(KEEP_BYTES / 8 / 2));
        drop(Scratch::<u32>::zeroed(KEEP_BYTES / 4 / 2));
        assert_eq!(kept(), KEEP_BYTES);
        drop(Scratch::<f64>::zeroed(100));
        assert!(kept() <= KEEP_BYTES);
        assert_eq!(pooled_capacities(), vec![KEEP_BYTES / 8 / 2]);
        // Taking a buffer takes its bytes off the count.
        let big = Scratch::<f64>::with_capacity(10);
        assert_eq!(big.capacity(), KEEP_BYTES / 8 / 2);
        assert_eq!(kept(), KEEP_BYTES / 2);
        clear_pools();
    }
}
