//! A small random forest: the challenger a logistic model is measured against.
//!
//! Breiman's forest for two classes: each tree grows on a bootstrap sample of the rows,
//! each split looks at `ceil(sqrt(d))` features drawn at random and takes the one with
//! the largest Gini decrease; a leaf holds the positive share of its rows, and the
//! forest's probability is the mean of its trees' leaves (as scikit-learn's
//! `predict_proba`). Features are cut into at most [`MAX_BINS`] quantile bins first
//! (histogram splits, as LightGBM and scikit-learn's `HistGradientBoosting` do), so a
//! split costs one pass over the node's rows. Feature importance is the mean decrease
//! in impurity, normalised to sum to 1. Seeded: the same rows and seed give the same
//! forest.
//!
//! smartcore 0.4's `RandomForestClassifier` predicts labels only (no probabilities, so
//! no ROC AUC) and exposes no importances, hence this one.

use crate::rng::Rng;

/// Most bins per feature.
pub const MAX_BINS: usize = 32;

/// How a forest grows.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestConfig {
    /// Trees. Default 100.
    pub trees: usize,
    /// Deepest split level. Default 10.
    pub max_depth: usize,
    /// Fewest rows in a leaf. Default 5.
    pub min_leaf: usize,
    /// Seed of the bootstraps and feature draws.
    pub seed: u64,
}

impl Default for ForestConfig {
    fn default() -> Self {
        ForestConfig {
            trees: 100,
            max_depth: 10,
            min_leaf: 5,
            seed: 42,
        }
    }
}

/// Dense features by column: `columns[j][i]` is feature `j` of row `i`.
pub type Columns = Vec<Vec<f64>>;

#[derive(Debug, Clone)]
enum Node {
    Leaf(f64),
    /// Rows with bin `<= bin` of `feature` go left.
    Split {
        feature: u32,
        bin: u8,
        left: u32,
        right: u32,
    },
}

/// A fitted forest.
#[derive(Debug, Clone)]
pub struct Forest {
    /// Upper bin edges of each feature (a value `<= edges[b]` is in bin `b` or lower).
    edges: Vec<Vec<f64>>,
    trees: Vec<Vec<Node>>,
    /// Mean decrease in impurity per feature, summing to 1 (all 0 when no tree split).
    pub importance: Vec<f64>,
}

fn bin_of(edges: &[f64], x: f64) -> u8 {
    if x.is_nan() {
        // A missing value goes with the largest ones.
        return (MAX_BINS - 1) as u8;
    }
    edges.partition_point(|&e| e < x).min(MAX_BINS - 1) as u8
}

/// Quantile edges of a column: at most `MAX_BINS - 1` distinct cut values.
fn quantile_edges(col: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = col.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_unstable_by(f64::total_cmp);
    v.dedup();
    if v.len() <= MAX_BINS {
        // Every distinct value but the last closes a bin.
        v.pop();
        return v;
    }
    let mut edges: Vec<f64> = (1..MAX_BINS)
        .map(|k| v[k * v.len() / MAX_BINS - 1])
        .collect();
    edges.dedup();
    edges
}

struct Grow<'a> {
    bins: &'a [Vec<u8>],
    y: &'a [f64],
    cfg: &'a ForestConfig,
    mtry: usize,
    importance: Vec<f64>,
}

impl Grow<'_> {
    /// Grows the subtree of `rows` (bootstrap row indices, repeats allowed) into
    /// `nodes`, returning its index.
    fn node(
        &mut self,
        nodes: &mut Vec<Node>,
        rows: &mut [u32],
        depth: usize,
        rng: &mut Rng,
    ) -> u32 {
        let n = rows.len() as f64;
        let pos: f64 = rows.iter().map(|&r| self.y[r as usize]).sum();
        let me = nodes.len() as u32;
        nodes.push(Node::Leaf(if n > 0.0 { pos / n } else { 0.0 }));
        if depth >= self.cfg.max_depth
            || rows.len() < 2 * self.cfg.min_leaf
            || pos == 0.0
            || pos == n
        {
            return me;
        }
        let gini = |p: f64, c: f64| {
            if c > 0.0 {
                c * 2.0 * (p / c) * (1.0 - p / c)
            } else {
                0.0
            }
        };
        let parent = gini(pos, n);
        let d = self.bins.len();
        // mtry distinct features (a partial Fisher-Yates shuffle).
        let mut pool: Vec<u32> = (0..d as u32).collect();
        let mut best: Option<(f64, u32, u8)> = None;
        for k in 0..self.mtry.min(d) {
            let pick = k + rng.below((d - k) as u64) as usize;
            pool.swap(k, pick);
            let j = pool[k] as usize;
            let col = &self.bins[j];
            let (mut cnt, mut pc) = ([0f64; MAX_BINS], [0f64; MAX_BINS]);
            for &r in rows.iter() {
                let b = col[r as usize] as usize;
                cnt[b] += 1.0;
                pc[b] += self.y[r as usize];
            }
            let (mut lc, mut lp) = (0.0, 0.0);
            let min_leaf = self.cfg.min_leaf as f64;
            for b in 0..MAX_BINS - 1 {
                lc += cnt[b];
                lp += pc[b];
                let rc = n - lc;
                if lc < min_leaf || rc < min_leaf {
                    continue;
                }
                let gain = parent - gini(lp, lc) - gini(pos - lp, rc);
                if gain > 1e-12 && best.is_none_or(|(g, _, _)| gain > g) {
                    best = Some((gain, j as u32, b as u8));
                }
            }
        }
        let Some((gain, feature, bin)) = best else {
            return me;
        };
        self.importance[feature as usize] += gain;
        let col = &self.bins[feature as usize];
        // Partition: rows of the left branch first.
        let mut split = 0;
        for i in 0..rows.len() {
            if col[rows[i] as usize] <= bin {
                rows.swap(i, split);
                split += 1;
            }
        }
        let (l, r) = rows.split_at_mut(split);
        let left = self.node(nodes, l, depth + 1, rng);
        let right = self.node(nodes, r, depth + 1, rng);
        nodes[me as usize] = Node::Split {
            feature,
            bin,
            left,
            right,
        };
        me
    }
}

impl Forest {
    /// Grows a forest on `x` (columns of equal length) and 0/1 labels `y`. An empty
    /// input gives a forest of single leaves.
    pub fn fit(x: &Columns, y: &[f64], cfg: &ForestConfig) -> Forest {
        let n = y.len();
        let d = x.len();
        let edges: Vec<Vec<f64>> = x.iter().map(|c| quantile_edges(c)).collect();
        let bins: Vec<Vec<u8>> = x
            .iter()
            .zip(&edges)
            .map(|(c, e)| c.iter().map(|&v| bin_of(e, v)).collect())
            .collect();
        let mut grow = Grow {
            bins: &bins,
            y,
            cfg,
            mtry: ((d as f64).sqrt().ceil() as usize).max(1),
            importance: vec![0.0; d],
        };
        let mut trees = Vec::with_capacity(cfg.trees);
        for t in 0..cfg.trees {
            let mut rng = Rng::derive(cfg.seed, 0xF0_0000 + t as u64);
            let mut rows: Vec<u32> = (0..n).map(|_| rng.below(n.max(1) as u64) as u32).collect();
            if n == 0 {
                rows.clear();
            }
            let mut nodes = Vec::new();
            grow.node(&mut nodes, &mut rows, 0, &mut rng);
            trees.push(nodes);
        }
        let mut importance = grow.importance;
        let total: f64 = importance.iter().sum();
        if total > 0.0 {
            importance.iter_mut().for_each(|v| *v /= total);
        }
        Forest {
            edges,
            trees,
            importance,
        }
    }

    /// The probability of the positive class for row `i` of `x` (columns laid out as in
    /// [`Forest::fit`]).
    pub fn predict_row(&self, x: &Columns, i: usize) -> f64 {
        let bins: Vec<u8> = self
            .edges
            .iter()
            .zip(x)
            .map(|(e, c)| bin_of(e, c.get(i).copied().unwrap_or(f64::NAN)))
            .collect();
        let mut sum = 0.0;
        for nodes in &self.trees {
            let mut k = 0usize;
            loop {
                match nodes.get(k) {
                    Some(Node::Leaf(p)) => {
                        sum += p;
                        break;
                    }
                    Some(Node::Split {
                        feature,
                        bin,
                        left,
                        right,
                    }) => {
                        let b = bins.get(*feature as usize).copied().unwrap_or(0);
                        k = if b <= *bin { *left } else { *right } as usize;
                    }
                    None => break,
                }
            }
        }
        sum / self.trees.len().max(1) as f64
    }

    /// [`Forest::predict_row`] of every row of `x`.
    pub fn predict(&self, x: &Columns) -> Vec<f64> {
        let n = x.first().map_or(0, Vec::len);
        (0..n).map(|i| self.predict_row(x, i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::roc_auc;

    /// y = x0 XOR x1 (a pattern no linear model can find) plus noise columns.
    fn xor(n: usize, seed: u64) -> (Columns, Vec<f64>) {
        let mut rng = Rng::derive(seed, 9);
        let mut x: Columns = vec![Vec::new(); 5];
        let mut y = Vec::new();
        for _ in 0..n {
            let a = rng.f64();
            let b = rng.f64();
            for (j, col) in x.iter_mut().enumerate() {
                col.push(match j {
                    0 => a,
                    1 => b,
                    _ => rng.normal(),
                });
            }
            let label = (a > 0.5) != (b > 0.5);
            y.push(f64::from(u8::from(label ^ rng.bernoulli(0.05))));
        }
        (x, y)
    }

    #[test]
    fn finds_an_interaction_and_names_its_features() {
        let (x, y) = xor(3000, 1);
        let f = Forest::fit(&x, &y, &ForestConfig::default());
        let (tx, ty) = xor(1000, 2);
        let auc = roc_auc(&ty, &f.predict(&tx)).unwrap();
        assert!(auc > 0.9, "{auc}");
        assert!(
            f.importance[0] + f.importance[1] > 0.8,
            "{:?}",
            f.importance
        );
        assert!((f.importance.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        // Seeded.
        let again = Forest::fit(&x, &y, &ForestConfig::default());
        assert_eq!(again.predict(&tx), f.predict(&tx));
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let f = Forest::fit(&vec![Vec::new()], &[], &ForestConfig::default());
        assert_eq!(f.predict(&vec![vec![1.0]]), vec![0.0]);
        let f = Forest::fit(&vec![vec![1.0; 10]], &[1.0; 10], &ForestConfig::default());
        assert_eq!(f.predict(&vec![vec![f64::NAN]]), vec![1.0]);
        let f = Forest::fit(&Vec::new(), &[0.0, 1.0], &ForestConfig::default());
        assert!(f.predict(&Vec::new()).is_empty());
    }
}
