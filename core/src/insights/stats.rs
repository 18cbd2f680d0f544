//! The arithmetic of insights. A numeric column's present values are sorted once per
//! class (as integer keys); one merged walk over the two sorted lists, a distinct
//! value at a time ([`Walk`]), gives ROC AUC, Kendall tau-b, Pearson, the spread and
//! the values at the quantiles' ranks; histogram bins are counted by binary search
//! in the sorted lists. A category's levels become [`Group`]s valued by their
//! positive rate and take the same walk.

/// A distinct value of a column and how many negative and positive rows hold it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Group {
    /// The value (for a category: its positive rate).
    pub v: f64,
    /// Negative rows holding it.
    pub neg: u64,
    /// Positive rows holding it.
    pub pos: u64,
}

impl Group {
    /// Rows holding the value.
    pub fn rows(&self) -> u64 {
        self.neg + self.pos
    }
}

/// The order-preserving key of a number: keys compare as unsigned integers the way
/// the numbers compare by `f64::total_cmp` (integer sorts and compares are faster).
#[inline]
pub(crate) fn key_of(x: f64) -> u64 {
    let b = x.to_bits();
    b ^ ((((b as i64) >> 63) as u64) | (1 << 63))
}

/// The number of a key ([`key_of`]'s inverse).
#[inline]
pub(crate) fn value_of(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k ^ (1 << 63) } else { !k })
}

/// Groups of a category-like column: each entry of `counts` is one level's
/// (negatives, positives); the level's value is its positive rate. Levels of equal
/// rate (compared exactly, as fractions) are one group, as tied values are. Empty
/// levels are left out. `out` is cleared first.
pub(crate) fn rate_groups(counts: impl Iterator<Item = (u64, u64)>, out: &mut Vec<Group>) {
    out.clear();
    out.extend(
        counts
            .filter(|&(n, p)| n + p > 0)
            .map(|(neg, pos)| Group { v: 0.0, neg, pos }),
    );
    // a.pos / a.rows < b.pos / b.rows, without rounding.
    let cmp = |a: &Group, b: &Group| {
        (u128::from(a.pos) * u128::from(b.rows())).cmp(&(u128::from(b.pos) * u128::from(a.rows())))
    };
    out.sort_unstable_by(cmp);
    let mut merged = 0usize;
    for k in 0..out.len() {
        let g = out[k];
        if merged > 0 && cmp(&out[merged - 1], &g).is_eq() {
            out[merged - 1].neg += g.neg;
            out[merged - 1].pos += g.pos;
        } else {
            out[merged] = g;
            merged += 1;
        }
    }
    out.truncate(merged);
    for g in out.iter_mut() {
        g.v = g.pos as f64 / g.rows() as f64;
    }
}

/// A column against the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Assoc {
    /// ROC AUC of the values as scores (higher value = more likely positive); `None`
    /// without both classes.
    pub auc: Option<f64>,
    /// Kendall tau-b; `None` when every value is tied or one class is absent.
    pub kendall: Option<f64>,
    /// Pearson (point-biserial); `None` for a constant column or one class.
    pub pearson: Option<f64>,
}

/// Everything read off a column's groups in one ascending walk: counts, the
/// distinct values, the most frequent one's rows, min and max, the sums of Pearson
/// and the variance (around a mean known beforehand), the Mann-Whitney count and
/// the ties of Kendall tau-b, and the values at chosen ranks (for quantiles).
///
/// With a binary target the rank statistics come from one walk: the Mann-Whitney
/// count `2U = 2·#(x⁺ > x⁻) + #(x⁺ = x⁻)` over positive-negative pairs gives
/// `AUC = 2U / (2·n₁n₀)`, and since pairs of one class are tied in y, Kendall's
/// `C − D = #(x⁺ > x⁻) − #(x⁺ < x⁻) = 2U − n₁n₀ = n₁n₀(2·AUC − 1)`, over
/// `sqrt((P − Tx)(P − Ty))` with `P = n(n−1)/2` pairs, `Tx = Σ t(t−1)/2` over tied
/// values and `Ty = n₁(n₁−1)/2 + n₀(n₀−1)/2`. Counts are exact integers.
pub(crate) struct Walk<'r> {
    /// The mean the sums are centred on.
    mean: f64,
    /// Ranks (0-based, ascending) whose values are wanted.
    ranks: &'r [u64],
    /// The values at `ranks`, as they are reached.
    pub rank_values: Vec<f64>,
    /// Rows walked so far.
    seen: u64,
    pub n0: u64,
    pub n1: u64,
    /// Negatives below the current value.
    below: u128,
    two_u: u128,
    ties_x: u128,
    /// Distinct values.
    pub distinct: u64,
    /// Rows of the most frequent value.
    pub mode: u64,
    /// Whether every value is a whole number.
    pub integers: bool,
    pub min: f64,
    pub max: f64,
    /// Σ t·(v − mean)², Σ pos·(v − mean), Σ neg·(v − mean) (their sum is
    /// Σ t·(v − mean)).
    ss: f64,
    d1: f64,
    d0: f64,
}

impl<'r> Walk<'r> {
    /// A walk whose sums are centred on `mean` and which keeps the values at `ranks`
    /// (ascending).
    pub fn new(mean: f64, ranks: &'r [u64]) -> Self {
        Walk {
            mean,
            ranks,
            rank_values: Vec::with_capacity(ranks.len()),
            seen: 0,
            n0: 0,
            n1: 0,
            below: 0,
            two_u: 0,
            ties_x: 0,
            distinct: 0,
            mode: 0,
            integers: true,
            min: f64::NAN,
            max: f64::NAN,
            ss: 0.0,
            d1: 0.0,
            d0: 0.0,
        }
    }

    /// The next group (values ascending).
    #[inline]
    pub fn add(&mut self, v: f64, neg: u64, pos: u64) {
        let t = neg + pos;
        while let Some(&r) = self.ranks.get(self.rank_values.len()) {
            if r >= self.seen + t {
                break;
            }
            self.rank_values.push(v);
        }
        self.seen += t;
        if self.distinct == 0 {
            self.min = v;
        }
        self.max = v;
        self.distinct += 1;
        self.mode = self.mode.max(t);
        // `fract` is a libm call; a whole number survives the round trip through
        // i64 (and every number from 2^53 up is whole).
        self.integers &= (v as i64) as f64 == v || v.abs() >= 9_007_199_254_740_992.0;
        let (n, p) = (u128::from(neg), u128::from(pos));
        self.two_u += 2 * p * self.below + p * n;
        self.below += n;
        let tt = u128::from(t);
        self.ties_x += tt * tt.saturating_sub(1) / 2;
        self.n0 += neg;
        self.n1 += pos;
        // Counts below 2^63 convert as i64 in one instruction.
        let d = v - self.mean;
        let (dn, dp) = (d * neg as i64 as f64, d * pos as i64 as f64);
        self.ss += d * (dn + dp);
        self.d1 += dp;
        self.d0 += dn;
    }

    /// Rows walked.
    pub fn rows(&self) -> u64 {
        self.n0 + self.n1
    }

    /// Σ (v − v̄)² over the rows: the sum around the centre, corrected for the
    /// centre's distance from the actual mean.
    fn sum_squares(&self) -> f64 {
        let n = self.rows() as f64;
        // One value has no spread (whatever the rounding of its mean).
        if self.distinct > 1 {
            let s1 = self.d1 + self.d0;
            (self.ss - s1 * s1 / n).max(0.0)
        } else {
            0.0
        }
    }

    /// The sample standard deviation (n − 1; 0 for one row).
    pub fn std(&self) -> f64 {
        let n = self.rows();
        if n > 1 {
            (self.sum_squares() / (n - 1) as f64).sqrt()
        } else {
            0.0
        }
    }

    /// ROC AUC, Kendall tau-b and Pearson against the 0/1 target.
    pub fn assoc(&self) -> Assoc {
        let (n0, n1) = (self.n0, self.n1);
        let n = u128::from(n0) + u128::from(n1);
        let pairs = u128::from(n0) * u128::from(n1);
        let auc = (pairs > 0).then(|| self.two_u as f64 / (2 * pairs) as f64);
        let all_pairs = n * n.saturating_sub(1) / 2;
        let ties_y = (u128::from(n1) * u128::from(n1.saturating_sub(1))
            + u128::from(n0) * u128::from(n0.saturating_sub(1)))
            / 2;
        let kendall = (pairs > 0 && all_pairs > self.ties_x).then(|| {
            let s = self.two_u as f64 - pairs as f64;
            let denom =
                ((all_pairs - self.ties_x) as f64).sqrt() * ((all_pairs - ties_y) as f64).sqrt();
            (s / denom).clamp(-1.0, 1.0)
        });
        let pearson = if pairs > 0 {
            let nf = n as f64;
            let sd = (self.sum_squares() / nf).sqrt();
            // cov(x, y) = n₁n₀/n² · (m₁ − m₀), sd(y) = sqrt(n₁n₀)/n; the centring
            // cancels out of m₁ − m₀.
            let diff = self.d1 / n1 as f64 - self.d0 / n0 as f64;
            let r = diff * ((n1 as f64).sqrt() * (n0 as f64).sqrt()) / (nf * sd);
            (sd > 0.0 && r.is_finite()).then(|| r.clamp(-1.0, 1.0))
        } else {
            None
        };
        Assoc {
            auc,
            kendall,
            pearson,
        }
    }
}

/// The mean of groups' values.
pub(crate) fn mean_of(groups: &[Group]) -> f64 {
    let n: u64 = groups.iter().map(Group::rows).sum();
    groups.iter().map(|g| g.v * g.rows() as f64).sum::<f64>() / n as f64
}

/// ROC AUC, Kendall tau-b and Pearson of ascending groups against the 0/1 target
/// (see [`Walk`]).
pub(crate) fn associate(groups: &[Group]) -> Assoc {
    let mut w = Walk::new(mean_of(groups), &[]);
    for g in groups {
        w.add(g.v, g.neg, g.pos);
    }
    w.assoc()
}

/// Walks the sorted keys ([`key_of`]) of the negative rows and of the positive rows
/// in ascending order of value, one group per distinct value; the first `keep`
/// groups are also pushed onto `out`. The keys come from numbers without NaN and without `-0.0`, so
/// equal keys are equal numbers.
pub(crate) fn merge_walk(
    neg: &[u64],
    pos: &[u64],
    walk: &mut Walk<'_>,
    out: &mut Vec<Group>,
    keep: usize,
) {
    let (mut i, mut j) = (0usize, 0usize);
    loop {
        let k = match (neg.get(i), pos.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        let (i0, j0) = (i, j);
        while neg.get(i) == Some(&k) {
            i += 1;
        }
        while pos.get(j) == Some(&k) {
            j += 1;
        }
        let (v, n, p) = (value_of(k), (i - i0) as u64, (j - j0) as u64);
        walk.add(v, n, p);
        if out.len() < keep {
            out.push(Group { v, neg: n, pos: p });
        }
    }
}

/// The ranks whose values give the quantiles `qs` of `n` values by linear
/// interpolation (numpy's and pandas' default: at `q`, position `h = (n − 1)·q`,
/// value `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`), ascending and without repeats.
pub(crate) fn quantile_ranks(n: u64, qs: &[f64]) -> Vec<u64> {
    let mut r: Vec<u64> = Vec::with_capacity(2 * qs.len());
    for &q in qs {
        let (lo, _) = position(n, q);
        r.push(lo);
        r.push((lo + 1).min(n.saturating_sub(1)));
    }
    r.sort_unstable();
    r.dedup();
    r
}

/// The rank below the interpolation position of `q` among `n` values, and the
/// fraction past it.
fn position(n: u64, q: f64) -> (u64, f64) {
    let h = n.saturating_sub(1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor();
    (lo as u64, h - lo)
}

/// The quantile `q` of `n` values from the values at [`quantile_ranks`].
pub(crate) fn quantile(n: u64, q: f64, ranks: &[u64], values: &[f64]) -> f64 {
    let at = |r: u64| {
        ranks
            .binary_search(&r)
            .ok()
            .and_then(|i| values.get(i))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let (lo, frac) = position(n, q);
    let a = at(lo);
    if frac == 0.0 {
        return a;
    }
    a + frac * (at(lo + 1) - a)
}

/// One histogram bin as counts: the value range and the rows of each class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RawBin {
    pub lower: f64,
    pub upper: f64,
    pub neg: u64,
    pub pos: u64,
}

/// The histogram bins of quantile `edges` (ascending, at least two, equal edges
/// already merged): bins `[lower, upper)`, the last one closed, each class counted
/// by binary search in its sorted keys.
pub(crate) fn histogram_sorted(neg: &[u64], pos: &[u64], edges: &[f64]) -> Vec<RawBin> {
    // Values of one class below an edge.
    let below = |keys: &[u64], e: f64| keys.partition_point(|&k| k < key_of(e + 0.0)) as u64;
    let nb = edges.len().saturating_sub(1);
    (0..nb)
        .map(|b| {
            let (lo, hi) = (edges[b], edges[b + 1]);
            let count = |keys: &[u64]| {
                let upper = if b + 1 == nb {
                    keys.len() as u64
                } else {
                    below(keys, hi)
                };
                let lower = if b == 0 { 0 } else { below(keys, lo) };
                upper.saturating_sub(lower)
            };
            RawBin {
                lower: lo,
                upper: hi,
                neg: count(neg),
                pos: count(pos),
            }
        })
        .collect()
}

/// Mutual information in bits between a bucketing of the rows (each bucket's
/// negatives and positives: bins or levels, missing as a bucket of its own) and the
/// target.
pub(crate) fn mutual_information(buckets: impl Iterator<Item = (u64, u64)> + Clone) -> Option<f64> {
    let (n0, n1) = buckets
        .clone()
        .fold((0u64, 0u64), |(a, b), (x, y)| (a + x, b + y));
    if n0 == 0 || n1 == 0 {
        return None;
    }
    let n = (n0 + n1) as f64;
    let (p0, p1) = (n0 as f64 / n, n1 as f64 / n);
    let mut mi = 0.0;
    for (neg, pos) in buckets {
        let pb = (neg + pos) as f64 / n;
        for (c, pc) in [(neg, p0), (pos, p1)] {
            if c > 0 {
                let pj = c as f64 / n;
                mi += pj * (pj / (pb * pc)).log2();
            }
        }
    }
    Some(mi.max(0.0))
}

/// Pearson between two columns over the rows where both are present, each shifted by
/// a value near its mean first (so the sums lose little to cancellation); `None`
/// with fewer than 3 such rows or a constant side.
pub(crate) fn pearson_pairwise(x: &[f64], y: &[f64], shift: (f64, f64)) -> Option<f64> {
    let (mut n, mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0u64, 0.0, 0.0, 0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        if a.is_nan() || b.is_nan() {
            continue;
        }
        let (a, b) = (a - shift.0, b - shift.1);
        n += 1;
        sx += a;
        sy += b;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
    }
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let vx = sxx - sx * sx / nf;
    let vy = syy - sy * sy / nf;
    let r = (sxy - sx * sy / nf) / (vx.sqrt() * vy.sqrt());
    (vx > 0.0 && vy > 0.0 && r.is_finite()).then(|| r.clamp(-1.0, 1.0))
}
