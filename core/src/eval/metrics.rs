//! TEMPORARY stub until the metrics branch lands.
#![allow(missing_docs)]
use serde::{Deserialize, Serialize};
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Confusion {
    pub tp: u64,
    pub fp: u64,
    pub tn: u64,
    pub fn_: u64,
}
impl Confusion {
    pub fn precision(&self) -> f64 {
        let d = self.tp + self.fp;
        if d == 0 {
            0.0
        } else {
            self.tp as f64 / d as f64
        }
    }
    pub fn recall(&self) -> f64 {
        let d = self.tp + self.fn_;
        if d == 0 {
            0.0
        } else {
            self.tp as f64 / d as f64
        }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    pub fn accuracy(&self) -> f64 {
        let n = self.tp + self.fp + self.tn + self.fn_;
        if n == 0 {
            0.0
        } else {
            (self.tp + self.tn) as f64 / n as f64
        }
    }
    pub fn add(&self, o: &Confusion) -> Confusion {
        Confusion {
            tp: self.tp + o.tp,
            fp: self.fp + o.fp,
            tn: self.tn + o.tn,
            fn_: self.fn_ + o.fn_,
        }
    }
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decile {
    pub rows: u64,
}
pub fn roc_auc(y: &[f64], p: &[f64]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..y.len()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let (mut rank_sum, mut npos) = (0.0, 0.0);
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && p[idx[j]] == p[idx[i]] {
            j += 1;
        }
        let r = (i + j + 1) as f64 / 2.0;
        for &k in &idx[i..j] {
            if y[k] > 0.5 {
                rank_sum += r;
                npos += 1.0;
            }
        }
        i = j;
    }
    let nneg = y.len() as f64 - npos;
    if npos == 0.0 || nneg == 0.0 {
        return None;
    }
    Some((rank_sum - npos * (npos + 1.0) / 2.0) / (npos * nneg))
}
pub fn average_precision(y: &[f64], p: &[f64]) -> Option<f64> {
    roc_auc(y, p).map(|_| 0.0)
}
pub fn log_loss(y: &[f64], p: &[f64]) -> f64 {
    y.iter()
        .zip(p)
        .map(|(&y, &p)| {
            let p = p.clamp(1e-15, 1.0 - 1e-15);
            -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
        })
        .sum::<f64>()
        / y.len().max(1) as f64
}
pub fn brier(y: &[f64], p: &[f64]) -> f64 {
    y.iter()
        .zip(p)
        .map(|(&y, &p)| (y - p) * (y - p))
        .sum::<f64>()
        / y.len().max(1) as f64
}
pub fn confusion_at(y: &[f64], p: &[f64], t: f64) -> Confusion {
    let mut c = Confusion::default();
    for (&y, &p) in y.iter().zip(p) {
        match (p >= t, y > 0.5) {
            (true, true) => c.tp += 1,
            (true, false) => c.fp += 1,
            (false, false) => c.tn += 1,
            (false, true) => c.fn_ += 1,
        }
    }
    c
}
pub fn lift_by_decile(_y: &[f64], _p: &[f64]) -> Vec<Decile> {
    vec![]
}
