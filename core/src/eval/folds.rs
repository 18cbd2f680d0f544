//! Stratified k-fold splits, seeded.

use crate::rng::Rng;

/// Assigns each row to one of `k` folds so that every fold holds the same share of
/// positives (to within one row). Rows are shuffled per class with the seed first.
/// Returns the fold index of each row.
pub fn stratified_folds(y: &[f64], k: usize, seed: u64) -> Vec<usize> {
    let k = k.max(1);
    let mut rng = Rng::derive(seed, 0xF01D);
    let mut pos: Vec<usize> = (0..y.len()).filter(|&i| y[i] > 0.5).collect();
    let mut neg: Vec<usize> = (0..y.len()).filter(|&i| y[i] <= 0.5).collect();
    rng.shuffle(&mut pos);
    rng.shuffle(&mut neg);
    let mut fold = vec![0usize; y.len()];
    // Continue the round robin from positives into negatives so fold sizes stay
    // within one row of each other too.
    for (n, &i) in pos.iter().chain(&neg).enumerate() {
        fold[i] = n % k;
    }
    fold
}

/// Training and test rows of fold `f`.
pub fn split(folds: &[usize], f: usize) -> (Vec<usize>, Vec<usize>) {
    let mut train = Vec::with_capacity(folds.len());
    let mut test = Vec::with_capacity(folds.len() / 2);
    for (i, &g) in folds.iter().enumerate() {
        if g == f {
            test.push(i);
        } else {
            train.push(i);
        }
    }
    (train, test)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_and_seeded() {
        let y: Vec<f64> = (0..1000)
            .map(|i| if i % 10 == 0 { 1.0 } else { 0.0 })
            .collect();
        let f = stratified_folds(&y, 5, 7);
        for g in 0..5 {
            let (_, test) = split(&f, g);
            let pos = test.iter().filter(|&&i| y[i] > 0.5).count();
            assert_eq!(test.len(), 200);
            assert_eq!(pos, 20);
        }
        assert_eq!(f, stratified_folds(&y, 5, 7));
        assert_ne!(f, stratified_folds(&y, 5, 8));
    }
}
