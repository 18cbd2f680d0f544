use super::stats::{self, Group};
use super::*;
use crate::data::{read_csv_path, Column, StrColumn, Table, TargetSpec};
use crate::rng::Rng;

/// The sorted keys of (value, label) pairs, by class.
fn sorted_keys(pairs: &[(f64, u8)]) -> (Vec<u64>, Vec<u64>) {
    let key = |x: f64| stats::key_of(x + 0.0);
    let mut neg: Vec<u64> = pairs
        .iter()
        .filter(|p| p.1 == 0)
        .map(|p| key(p.0))
        .collect();
    let mut pos: Vec<u64> = pairs
        .iter()
        .filter(|p| p.1 == 1)
        .map(|p| key(p.0))
        .collect();
    neg.sort_unstable();
    pos.sort_unstable();
    (neg, pos)
}

/// Groups of (value, label) pairs: one per distinct value, ascending.
fn groups_of(pairs: &[(f64, u8)]) -> Vec<Group> {
    let (neg, pos) = sorted_keys(pairs);
    let mut g = Vec::new();
    stats::groups_sorted(&neg, &pos, usize::MAX, &mut g);
    g
}

/// The walk numeric columns take: sorted keys and sums around the first value.
fn sorted_walk_of(pairs: &[(f64, u8)]) -> stats::Walk {
    let (neg, pos) = sorted_keys(pairs);
    let centre = pairs.first().map_or(0.0, |p| p.0);
    let sum = |label: u8| {
        pairs
            .iter()
            .filter(|p| p.1 == label)
            .map(|p| p.0 - centre)
            .sum::<f64>()
    };
    let sums = stats::Sums {
        centre,
        neg: sum(0),
        pos: sum(1),
        squares: pairs.iter().map(|p| (p.0 - centre) * (p.0 - centre)).sum(),
    };
    stats::sorted_walk(&neg, &pos, &sums)
}

/// Kendall tau-b over every pair, O(n²), the textbook way.
fn kendall_brute(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    let (mut c, mut d, mut tx, mut ty) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..n {
        for j in i + 1..n {
            let dx = (x[i] - x[j]).signum() * f64::from(u8::from(x[i] != x[j]));
            let dy = (y[i] - y[j]).signum() * f64::from(u8::from(y[i] != y[j]));
            if dx == 0.0 {
                tx += 1;
            }
            if dy == 0.0 {
                ty += 1;
            }
            if dx * dy > 0.0 {
                c += 1;
            } else if dx * dy < 0.0 {
                d += 1;
            }
        }
    }
    let p = (n * (n - 1) / 2) as i64;
    let den = (((p - tx) * (p - ty)) as f64).sqrt();
    (den > 0.0).then(|| (c - d) as f64 / den)
}

/// ROC AUC over every positive-negative pair (ties count half).
fn auc_brute(x: &[f64], y: &[f64]) -> Option<f64> {
    let (mut s, mut pairs) = (0.0, 0u64);
    for i in 0..x.len() {
        for j in 0..x.len() {
            if y[i] == 1.0 && y[j] == 0.0 {
                pairs += 1;
                s += if x[i] > x[j] {
                    1.0
                } else if x[i] == x[j] {
                    0.5
                } else {
                    0.0
                };
            }
        }
    }
    (pairs > 0).then(|| s / pairs as f64)
}

fn pearson_brute(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

fn close(a: Option<f64>, b: Option<f64>, tol: f64) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= tol,
        (None, None) => true,
        _ => false,
    }
}

#[test]
fn kendall_auc_and_pearson_match_brute_force_with_ties() {
    let mut rng = Rng::new(17);
    for case in 0..200 {
        let n = 2 + rng.below(60) as usize;
        // Few distinct values: many ties; some cases with one class or one value.
        let levels = 1 + rng.below(if case % 3 == 0 { 4 } else { 40 });
        let p = [0.0, 0.1, 0.5, 0.9, 1.0][case % 5];
        let pairs: Vec<(f64, u8)> = (0..n)
            .map(|_| {
                let v = rng.below(levels) as f64 - 3.0;
                (if v == 0.0 { -0.0 } else { v }, u8::from(rng.f64() < p))
            })
            .collect();
        let x: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let y: Vec<f64> = pairs.iter().map(|p| f64::from(p.1)).collect();
        let groups = groups_of(&pairs);
        assert_eq!(groups.iter().map(Group::rows).sum::<u64>(), n as u64);
        assert!(groups.windows(2).all(|w| w[0].v < w[1].v));
        // The walk of groups (categories take it) and the walk of sorted keys
        // (numbers take it) agree on everything.
        let a = stats::associate(&groups);
        let w = sorted_walk_of(&pairs);
        let b = w.assoc();
        assert_eq!((a.auc, a.kendall), (b.auc, b.kendall), "case {case}");
        assert!(close(a.pearson, b.pearson, 1e-9), "case {case}");
        let mut g = stats::Walk::new(0.0);
        for x in &groups {
            g.add(x.v, x.neg, x.pos);
        }
        assert_eq!(
            (w.distinct, w.mode, w.min, w.max),
            (g.distinct, g.mode, g.min, g.max),
            "case {case}"
        );
        assert!((w.std() - g.std()).abs() < 1e-9, "case {case}");
        assert!(
            close(a.kendall, kendall_brute(&x, &y), 1e-12),
            "case {case}: kendall {:?} vs {:?}",
            a.kendall,
            kendall_brute(&x, &y)
        );
        assert!(
            close(a.auc, auc_brute(&x, &y), 1e-12),
            "case {case}: auc {:?} vs {:?}",
            a.auc,
            auc_brute(&x, &y)
        );
        assert!(
            close(a.pearson, pearson_brute(&x, &y), 1e-9),
            "case {case}: pearson {:?} vs {:?}",
            a.pearson,
            pearson_brute(&x, &y)
        );
    }
}

#[test]
fn keys_keep_the_order_of_numbers() {
    let v = vec![
        f64::NEG_INFINITY,
        -1e300,
        -2.5,
        -1e-300,
        0.0,
        1e-300,
        1.0,
        2.5,
        1e300,
        f64::INFINITY,
    ];
    let keys: Vec<u64> = v.iter().map(|&x| stats::key_of(x)).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    for (&x, &k) in v.iter().zip(&keys) {
        assert_eq!(stats::value_of(k).to_bits(), x.to_bits());
    }
    assert_eq!(stats::key_of(-0.0 + 0.0), stats::key_of(0.0));
}

#[test]
fn quantiles_interpolate_like_numpy() {
    let mut rng = Rng::new(3);
    for _ in 0..50 {
        let n = 1 + rng.below(40) as usize;
        let mut v: Vec<f64> = (0..n).map(|_| rng.below(10) as f64 * 0.5).collect();
        let pairs: Vec<(f64, u8)> = v.iter().map(|&x| (x, (x > 2.0) as u8)).collect();
        v.sort_by(f64::total_cmp);
        let (neg, pos) = sorted_keys(&pairs);
        let got = QUANTILES.map(|q| stats::quantile_sorted(&neg, &pos, q));
        for (q, g) in QUANTILES.iter().zip(got) {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let want = v[lo] + (h - lo as f64) * (v[(lo + 1).min(n - 1)] - v[lo]);
            assert!((g - want).abs() < 1e-12, "q {q}: {g} vs {want} of {v:?}");
        }
    }
}

#[test]
fn level_rates_merge_equal_fractions() {
    let mut g = Vec::new();
    // 1/2 and 2/4 are one value; 0/3 first, 3/3 last.
    stats::rate_groups(
        [(1, 1), (0, 3), (2, 2), (0, 0), (3, 0)]
            .into_iter()
            .map(|(p, n)| (n, p)),
        &mut g,
    );
    let got: Vec<(f64, u64, u64)> = g.iter().map(|g| (g.v, g.neg, g.pos)).collect();
    assert_eq!(got, vec![(0.0, 3, 0), (0.5, 3, 3), (1.0, 0, 3)]);
    let a = stats::associate(&g);
    // Every positive outranks or ties every negative.
    assert!(a.auc.unwrap() > 0.5);
}

fn num(v: Vec<f64>) -> Column {
    Column::Num(v)
}

fn strs(v: &[Option<&str>]) -> Column {
    Column::Str(StrColumn::from_options(v.iter().copied()))
}

/// A table of `n` rows: a target `y` (about 30 % positive), a weak numeric signal `x`,
/// and whatever `extra` adds from the labels.
fn table_with(n: usize, extra: impl Fn(&[f64], &mut Rng) -> Vec<(String, Column)>) -> Table {
    let mut rng = Rng::new(5);
    let y: Vec<f64> = (0..n)
        .map(|_| f64::from(u8::from(rng.f64() < 0.3)))
        .collect();
    let x: Vec<f64> = y.iter().map(|&l| l + 2.0 * rng.normal()).collect();
    let mut cols = vec![("y".to_owned(), num(y.clone())), ("x".to_owned(), num(x))];
    cols.extend(extra(&y, &mut rng));
    Table::from_columns(cols).unwrap()
}

fn run(t: &Table) -> Insights {
    insights(t, &TargetSpec::new("y"), &InsightsOptions::default()).unwrap()
}

fn codes(ins: &Insights, col: &str) -> Vec<WarningCode> {
    ins.column(col).unwrap().warnings.clone()
}

#[test]
fn warnings_flag_leaks_constants_ids_missing_and_duplicates() {
    let t = table_with(500, |y, rng| {
        let noisy: Vec<f64> = y.iter().map(|&l| l * 10.0 + rng.normal()).collect();
        vec![
            // A copy of the outcome with a little noise: a leak.
            ("closed_days".into(), num(noisy.clone())),
            // Nearly the same as `closed_days`.
            (
                "closed_hours".into(),
                num(noisy
                    .iter()
                    .map(|v| v * 24.0 + 0.01 * rng.normal())
                    .collect()),
            ),
            ("const".into(), num(vec![7.0; y.len()])),
            (
                "rare".into(),
                num((0..y.len()).map(|i| f64::from(u8::from(i == 3))).collect()),
            ),
            (
                "row".into(),
                num((0..y.len()).map(|i| (i * 7 % y.len()) as f64).collect()),
            ),
            (
                "sparse".into(),
                num((0..y.len())
                    .map(|i| if i % 3 == 0 { i as f64 } else { f64::NAN })
                    .collect()),
            ),
            (
                "code".into(),
                strs(
                    &(0..y.len())
                        .map(|i| Some(format!("L-{i}")))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(|s| s.as_deref())
                        .collect::<Vec<_>>(),
                ),
            ),
        ]
    });
    let ins = run(&t);
    assert_eq!(ins.columns[0].name, "closed_days", "{}", ins.to_text());
    assert!(codes(&ins, "closed_days").contains(&WarningCode::Leak));
    assert!(!codes(&ins, "x").contains(&WarningCode::Leak));
    let dup = codes(&ins, "closed_hours");
    assert!(dup.contains(&WarningCode::NearDuplicate), "{dup:?}");
    assert!(!codes(&ins, "closed_days").contains(&WarningCode::NearDuplicate));
    let msg = ins
        .warnings_of(WarningCode::NearDuplicate)
        .next()
        .unwrap()
        .message
        .clone();
    assert!(msg.contains("closed_days"), "{msg}");
    assert_eq!(codes(&ins, "const"), vec![WarningCode::Constant]);
    assert_eq!(codes(&ins, "rare"), vec![WarningCode::NearConstant]);
    assert_eq!(codes(&ins, "row"), vec![WarningCode::IdLike]);
    assert!(codes(&ins, "sparse").contains(&WarningCode::MostlyMissing));
    let code = ins.column("code").unwrap();
    assert_eq!(code.kind, Kind::Id);
    assert_eq!(code.warnings, vec![WarningCode::IdLike]);
    assert!(code.association.is_none() && code.levels.is_none());
    assert_eq!((code.count, code.distinct), (500, 500));
    // A real-valued column is all distinct without being an identifier.
    assert!(!codes(&ins, "x").contains(&WarningCode::IdLike));
    // Every warning is listed once with its column, in column order.
    let listed: usize = ins.columns.iter().map(|c| c.warnings.len()).sum();
    assert_eq!(listed, ins.warnings.len());
    let sparse = ins.column("sparse").unwrap();
    assert_eq!(sparse.missing, 333);
    let h = &sparse.numeric.as_ref().unwrap().histogram;
    assert_eq!(h.missing.count, 333);
    assert_eq!(h.bins.iter().map(|b| b.counts.count).sum::<u64>(), 167);
    assert_eq!(sparse.association.unwrap().rows, 167);
}

#[test]
fn categories_list_top_levels_and_rank_by_level_rate() {
    let t = table_with(1000, |y, rng| {
        let src: Vec<Option<&str>> = y
            .iter()
            .enumerate()
            .map(|(i, &l)| match (i % 10, l > 0.5, rng.f64() < 0.7) {
                (0, _, _) => None,
                (1, _, _) => Some("rare-a"),
                (_, true, true) => Some("referral"),
                (_, _, true) => Some("web"),
                _ => Some("phone"),
            })
            .collect();
        vec![("source".into(), strs(&src))]
    });
    let opts = InsightsOptions {
        top_levels: 2,
        ..InsightsOptions::default()
    };
    let ins = insights(&t, &TargetSpec::new("y"), &opts).unwrap();
    let c = ins.column("source").unwrap();
    assert_eq!(c.kind, Kind::Categorical);
    let l = c.levels.as_ref().unwrap();
    assert_eq!(l.top.len(), 2);
    assert!(l.top[0].counts.count >= l.top[1].counts.count);
    assert_eq!(l.missing.count, 100);
    assert_eq!(l.other_levels, 2);
    let total = l.top.iter().map(|x| x.counts.count).sum::<u64>() + l.other.count + l.missing.count;
    assert_eq!(total, 1000);
    assert_eq!(
        l.top.iter().map(|x| x.level.as_str()).collect::<Vec<_>>(),
        vec!["web", "phone"]
    );
    let a = c.association.unwrap();
    assert_eq!(a.encoding, Encoding::LevelRate);
    assert!(a.higher_is_positive && a.roc_auc.unwrap() > 0.7, "{a:?}");
    assert_eq!(c.distinct, 4);
    assert!(a.mutual_information.unwrap() > 0.0);
}

#[test]
fn text_tokens_count_documents_by_class() {
    let texts = [
        "Call me BACK tomorrow, please",
        "not interested, thanks",
        "please call back: call back!",
        "send the price list please",
    ];
    let t = table_with(400, |y, _| {
        let v: Vec<Option<&str>> = y
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                if i % 40 == 0 {
                    None
                } else if l > 0.5 {
                    Some(texts[i % 2 * 2])
                } else {
                    Some(texts[1 + i % 2 * 2])
                }
            })
            .collect();
        vec![("comment".into(), strs(&v))]
    });
    let ins = run(&t);
    let c = ins.column("comment").unwrap();
    assert_eq!(c.kind, Kind::Text);
    assert!(c.association.is_none());
    let tk = c.tokens.as_ref().unwrap();
    assert_eq!(tk.documents, 390);
    let get = |w: &str| tk.top.iter().find(|t| t.token == w).map(|t| t.counts);
    // "call" and "back" twice in a text still count once per text; case and
    // punctuation folded.
    let call = get("call").unwrap();
    let back = get("back").unwrap();
    assert_eq!(call, back);
    assert_eq!(call.negatives, 0);
    let please = get("please").unwrap();
    assert_eq!(
        please.count,
        tk.documents - get("interested").unwrap().count
    );
    assert_eq!(get("interested").unwrap().positives, 0);
    assert!(get("BACK").is_none() && get("back!").is_none());
    assert_eq!(tk.top[0].token, "please");
    assert!(ins.to_text().contains("please"));
}

#[test]
fn numeric_summary_and_histogram() {
    let t = table_with(1000, |_, _| {
        vec![(
            "n".into(),
            num((0..1000)
                .map(|i| if i == 5 { -0.0 } else { (i % 100) as f64 })
                .collect()),
        )]
    });
    let opts = InsightsOptions {
        bins: 4,
        ..InsightsOptions::default()
    };
    let ins = insights(&t, &TargetSpec::new("y"), &opts).unwrap();
    let c = ins.column("n").unwrap();
    let n = c.numeric.as_ref().unwrap();
    assert_eq!((n.min, n.max, c.distinct), (0.0, 99.0, 100));
    assert!((n.mean - 49.495).abs() < 1e-9, "{}", n.mean);
    let median = n.quantiles.iter().find(|q| q.q == 0.5).unwrap().value;
    assert_eq!(median, 49.5);
    assert_eq!(n.histogram.edges, BinEdges::Quantiles);
    assert_eq!(n.histogram.bins.len(), 4);
    for b in &n.histogram.bins {
        assert_eq!(b.counts.count, 250, "{b:?}");
    }
    assert_eq!(n.histogram.bins[3].upper, 99.0);
    // Few distinct values: a bin each.
    let x01 = ins.column("y");
    assert!(x01.is_none(), "the target is not an input column");
}

#[test]
fn insights_checks_its_options_target_and_kinds() {
    // The function checks the options it is given too, and the target and kinds as
    // training does.
    let t = table_with(50, |_, _| Vec::new());
    let bad = InsightsOptions {
        bins: 1,
        ..InsightsOptions::default()
    };
    assert!(insights(&t, &TargetSpec::new("y"), &bad).is_err());
    let e = insights(&t, &TargetSpec::new("nope"), &InsightsOptions::default()).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    let kinds = InsightsOptions {
        kinds: vec![("zzz".into(), Kind::Numeric)],
        ..InsightsOptions::default()
    };
    assert!(insights(&t, &TargetSpec::new("y"), &kinds).is_err());
}

#[test]
fn kind_overrides_and_thread_counts_agree() {
    let t = table_with(3000, |y, rng| {
        vec![
            (
                "zip".into(),
                num(y
                    .iter()
                    .map(|&l| (rng.below(5) + 10 * l as u64) as f64)
                    .collect()),
            ),
            (
                "flag".into(),
                strs(
                    &y.iter()
                        .map(|&l| Some(if l > 0.5 { "yes" } else { "no" }))
                        .collect::<Vec<_>>(),
                ),
            ),
        ]
    });
    let one = InsightsOptions {
        threads: 1,
        kinds: vec![("zip".into(), Kind::Categorical)],
        ..InsightsOptions::default()
    };
    let many = InsightsOptions {
        threads: 4,
        ..one.clone()
    };
    let a = insights(&t, &TargetSpec::new("y"), &one).unwrap();
    let b = insights(&t, &TargetSpec::new("y"), &many).unwrap();
    assert_eq!(a, b);
    let zip = a.column("zip").unwrap();
    assert_eq!(zip.kind, Kind::Categorical);
    assert_eq!(zip.levels.as_ref().unwrap().top.len(), 10);
    assert_eq!(zip.association.unwrap().encoding, Encoding::LevelRate);
    let flag = a.column("flag").unwrap();
    assert_eq!(flag.kind, Kind::Boolean);
    assert!(flag.warnings.contains(&WarningCode::Leak));
    // JSON has everything, kinds and codes in lower case.
    let j = a.to_json();
    let flag_json = j["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "flag")
        .unwrap();
    assert_eq!(flag_json["kind"], "boolean");
    assert_eq!(j["warnings"][0]["code"], "leak");
    assert!(j["summary"]["rows"].as_u64() == Some(3000));
}

/// The acceptance check on the churn data: `tenure` and `contract` among the five
/// strongest columns, a copy of the target flagged as a leak, an all-distinct id
/// column flagged.
#[test]
fn wa_churn_ranks_tenure_and_contract_and_flags_a_leak_and_an_id() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data/wa_churn.csv");
    let mut t = read_csv_path(&path, &crate::data::CsvOptions::default()).unwrap();
    let churn = t.column("churn").unwrap().clone();
    let n = t.n_rows();
    t.push_column("churned_flag", churn).unwrap();
    t.push_column(
        "customer_number",
        num((0..n).map(|i| (1_000_000 + i * 3) as f64).collect()),
    )
    .unwrap();
    let ids: Vec<String> = (0..n).map(|i| format!("{i:04}-CUST")).collect();
    t.push_column(
        "customer",
        Column::Str(StrColumn::from_options(
            ids.iter().map(|s| Some(s.as_str())),
        )),
    )
    .unwrap();
    let ins = insights(&t, &TargetSpec::new("churn"), &InsightsOptions::default()).unwrap();
    let top: Vec<&str> = ins
        .columns
        .iter()
        .take(6)
        .map(|c| c.name.as_str())
        .collect();
    // The leak is the strongest; then the five strongest real columns.
    assert_eq!(top[0], "churned_flag", "{}", ins.to_text());
    assert!(
        top[1..].contains(&"tenure") && top[1..].contains(&"contract"),
        "{top:?}"
    );
    assert!(codes(&ins, "churned_flag").contains(&WarningCode::Leak));
    assert!(codes(&ins, "customer_number").contains(&WarningCode::IdLike));
    assert!(codes(&ins, "customer").contains(&WarningCode::IdLike));
    assert!(!codes(&ins, "tenure").contains(&WarningCode::Leak));
    let tenure = ins.column("tenure").unwrap().association.unwrap();
    assert!(!tenure.higher_is_positive, "longer tenure, less churn");
    let text = ins.to_text();
    assert!(
        text.contains("tenure") && text.contains("churned_flag: leak"),
        "{text}"
    );
}
