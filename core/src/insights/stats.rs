//! The arithmetic of insights. A numeric column's present values are sorted once per
//! class (as integer keys, [`key_of`]); [`sorted_walk`] reads ROC AUC, Kendall tau-b,
//! Pearson and the spread off the two sorted lists in linear passes, and quantiles
//! and histogram bins come from binary searches in them. A category's levels become
//! [`Group`]s valued by their positive rate and take the [`Walk`], a group at a time.

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
/// and the variance (around a centre known beforehand), the Mann-Whitney count and
/// the ties of Kendall tau-b. ([`sorted_walk`] fills the same fields from two sorted
/// key lists, faster than a group at a time.)
///
/// With a binary target the rank statistics come from one walk: the Mann-Whitney
/// count `2U = 2·#(x⁺ > x⁻) + #(x⁺ = x⁻)` over positive-negative pairs gives
/// `AUC = 2U / (2·n₁n₀)`, and since pairs of one class are tied in y, Kendall's
/// `C − D = #(x⁺ > x⁻) − #(x⁺ < x⁻) = 2U − n₁n₀ = n₁n₀(2·AUC − 1)`, over
/// `sqrt((P − Tx)(P − Ty))` with `P = n(n−1)/2` pairs, `Tx = Σ t(t−1)/2` over tied
/// values and `Ty = n₁(n₁−1)/2 + n₀(n₀−1)/2`. Counts are exact integers.
pub(crate) struct Walk {
    /// The value the sums are centred on (near the mean).
    mean: f64,
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
    pub min: f64,
    pub max: f64,
    /// Σ t·(v − mean)², Σ pos·(v − mean), Σ neg·(v − mean) (their sum is
    /// Σ t·(v − mean)).
    ss: f64,
    d1: f64,
    d0: f64,
}

impl Walk {
    /// A walk whose sums are centred on `mean` (any value near the mean does).
    pub fn new(mean: f64) -> Self {
        Walk {
            mean,
            n0: 0,
            n1: 0,
            below: 0,
            two_u: 0,
            ties_x: 0,
            distinct: 0,
            mode: 0,
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
        if self.distinct == 0 {
            self.min = v;
        }
        self.max = v;
        self.distinct += 1;
        self.mode = self.mode.max(t);
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
    let mut w = Walk::new(mean_of(groups));
    for g in groups {
        w.add(g.v, g.neg, g.pos);
    }
    w.assoc()
}

/// Sums of a numeric column's present values around a centre (any value near the
/// mean: the first present one), by class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sums {
    /// The centre `c`.
    pub centre: f64,
    /// Σ (x − c) over the negative rows.
    pub neg: f64,
    /// Σ (x − c) over the positive rows.
    pub pos: f64,
    /// Σ (x − c)² over every row.
    pub squares: f64,
}

/// Whether `x` is a whole number (`fract` is a libm call; a whole number survives
/// the round trip through i64, and every number from 2^53 up is whole).
#[inline]
pub(crate) fn is_whole(x: f64) -> bool {
    (x as i64) as f64 == x || x.abs() >= 9_007_199_254_740_992.0
}

/// Distinct values, the longest run of one value, and the pairs of equal values
/// (`Σ t(t−1)/2`) of sorted keys, without a branch per key.
fn runs(keys: &[u64]) -> (u64, u64, u64) {
    let Some((&first, rest)) = keys.split_first() else {
        return (0, 0, 0);
    };
    let (mut distinct, mut run, mut longest, mut pairs) = (1u64, 0u64, 0u64, 0u64);
    let mut prev = first;
    for &k in rest {
        let same = u64::from(k == prev);
        // Earlier keys equal to this one.
        run = (run + 1) * same;
        pairs += run;
        longest = longest.max(run);
        distinct += 1 - same;
        prev = k;
    }
    (distinct, longest + 1, pairs)
}

/// The [`Walk`] of a numeric column from the sorted keys ([`key_of`]) of its
/// negative and positive rows and its [`Sums`], without merging the two lists a
/// value at a time: each list's ties come from a pass over it (no branch per key),
/// and one pass over the positives' distinct values, the negatives' pointer
/// following, counts the negatives below and equal to each (the Mann-Whitney count)
/// and the values the two lists share.
pub(crate) fn sorted_walk(neg: &[u64], pos: &[u64], sums: &Sums) -> Walk {
    let (dn, run_n, pairs_n) = runs(neg);
    let (dp, run_p, pairs_p) = runs(pos);
    let (mut i, mut j) = (0usize, 0usize);
    let (mut two_u, mut cross) = (0u128, 0u128);
    let (mut common, mut mode) = (0u64, run_n.max(run_p));
    while let Some(&p) = pos.get(j) {
        let j0 = j;
        j += 1;
        while pos.get(j) == Some(&p) {
            j += 1;
        }
        while neg.get(i).is_some_and(|&k| k < p) {
            i += 1;
        }
        let i0 = i;
        while neg.get(i) == Some(&p) {
            i += 1;
        }
        let (a, b) = ((i - i0) as u64, (j - j0) as u64);
        // 2·(negatives below) + (negatives equal), for each of the b positives.
        two_u += u128::from(b) * (2 * i0 as u128 + u128::from(a));
        cross += u128::from(a) * u128::from(b);
        common += u64::from(a > 0);
        mode = mode.max(a + b);
    }
    let ends = |f: fn(u64, u64) -> u64| match (neg.first(), neg.last(), pos.first(), pos.last()) {
        (Some(&a0), Some(&a1), Some(&b0), Some(&b1)) => value_of(f(f(a0, a1), f(b0, b1))),
        (Some(&a0), Some(&a1), None, None) => value_of(f(a0, a1)),
        (None, None, Some(&b0), Some(&b1)) => value_of(f(b0, b1)),
        _ => f64::NAN,
    };
    Walk {
        mean: sums.centre,
        n0: neg.len() as u64,
        n1: pos.len() as u64,
        below: neg.len() as u128,
        two_u,
        ties_x: u128::from(pairs_n) + u128::from(pairs_p) + cross,
        distinct: dn + dp - common,
        mode,
        min: ends(u64::min),
        max: ends(u64::max),
        ss: sums.squares,
        d1: sums.pos,
        d0: sums.neg,
    }
}

/// The `k`-th smallest (0-based) of the union of two sorted key lists: the smallest
/// key of either with more than `k` keys at or below it.
pub(crate) fn kth(a: &[u64], b: &[u64], k: u64) -> Option<u64> {
    let at_or_below =
        |v: u64| (a.partition_point(|&x| x <= v) + b.partition_point(|&x| x <= v)) as u64;
    let first = |s: &[u64]| s.get(s.partition_point(|&x| at_or_below(x) <= k)).copied();
    match (first(a), first(b)) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// The first `keep` groups (ascending) of two sorted key lists, each run of a value
/// skipped by binary search. `out` is cleared first.
pub(crate) fn groups_sorted(neg: &[u64], pos: &[u64], keep: usize, out: &mut Vec<Group>) {
    out.clear();
    let (mut i, mut j) = (0usize, 0usize);
    while out.len() < keep {
        let k = match (neg.get(i), pos.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        let i2 = i + neg.get(i..).map_or(0, |s| s.partition_point(|&x| x <= k));
        let j2 = j + pos.get(j..).map_or(0, |s| s.partition_point(|&x| x <= k));
        out.push(Group {
            v: value_of(k),
            neg: (i2 - i) as u64,
            pos: (j2 - j) as u64,
        });
        (i, j) = (i2, j2);
    }
}

/// The quantile `q` of the union of two sorted key lists by linear interpolation
/// between the closest ranks (numpy's and pandas' default: with `n` values, position
/// `h = (n − 1)·q`, value `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`); NaN for no
/// values.
pub(crate) fn quantile_sorted(neg: &[u64], pos: &[u64], q: f64) -> f64 {
    let n = (neg.len() + pos.len()) as u64;
    let at = |r: u64| kth(neg, pos, r).map_or(f64::NAN, value_of);
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor();
    let frac = h - lo;
    let a = at(lo as u64);
    if frac == 0.0 {
        return a;
    }
    a + frac * (at(lo as u64 + 1) - a)
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
