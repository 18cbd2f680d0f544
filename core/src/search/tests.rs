//! Searches on small demo data: options, methods, reproducibility, failures.

use super::*;
use crate::synth;
use crate::{Balance, Penalty};

/// Demo leads, small enough for debug builds (with a text column).
fn leads() -> Table {
    synth::tenant_with_rows(11, 0, 400).table
}

/// A search of [`leads`]: `rest` are more options (`"trials":3,...`).
fn on_leads(rest: &str) -> SearchRequest {
    request(&format!(
        r#"{{"target":"converted","min_rows":100,"min_positives":10,{rest}}}"#
    ))
}

fn request(json: &str) -> SearchRequest {
    SearchRequest::from_json_str(json).unwrap()
}

/// What must not depend on the thread count: every trial's setting and measures.
fn fingerprint(r: &SearchResult) -> Vec<Value> {
    r.trials
        .iter()
        .map(|t| {
            let mut j = t.to_json();
            j["seconds"] = Value::Null;
            j
        })
        .collect()
}

#[test]
fn options_are_validated_and_named() {
    for (bad, needle) in [
        (
            r#"{"target":"y","trials":0}"#,
            "option \"trials\" must be from 1 to 10000",
        ),
        (
            r#"{"target":"y","trials":20000}"#,
            "option \"trials\" must be from 1 to 10000",
        ),
        (r#"{"target":"y","trials":2.5}"#, "option \"trials\""),
        (
            r#"{"target":"y","budgetSeconds":0}"#,
            "option \"budget_seconds\" must be more than 0",
        ),
        (r#"{"target":"y","budget_seconds":-1}"#, "budget_seconds"),
        (r#"{"target":"y","budget_seconds":"1"}"#, "budget_seconds"),
        (
            r#"{"target":"y","method":"bayes"}"#,
            "unknown search method \"bayes\"",
        ),
        (
            r#"{"target":"y","metric":"f1"}"#,
            "unknown search metric \"f1\"",
        ),
        (r#"{"target":"y","c":[10,1]}"#, "option \"c\" must be"),
        (r#"{"target":"y","c":[0,1]}"#, "option \"c\" must be"),
        (r#"{"target":"y","c":"big"}"#, "option \"c\" must be"),
        (
            r#"{"target":"y","penalty":["l2","l3"]}"#,
            "unknown penalty \"l3\"",
        ),
        (
            r#"{"target":"y","penalty":[]}"#,
            "option \"penalty\" must be a name or a non-empty list",
        ),
        (
            r#"{"target":"y","balance":["upsample",1]}"#,
            "option \"balance\"",
        ),
        (
            r#"{"target":"y","l1_ratio":[0.2,1.5]}"#,
            "option \"l1_ratio\" must be",
        ),
        (
            r#"{"target":"y","minCount":[0,5]}"#,
            "option \"min_count\" must be",
        ),
        (r#"{"target":"y","bins":[1,5]}"#, "option \"bins\" must be"),
        (
            r#"{"target":"y","bins":[5,101]}"#,
            "option \"bins\" must be",
        ),
        (
            r#"{"target":"y","ngram":[1,9]}"#,
            "option \"ngram\" must be",
        ),
        (
            r#"{"target":"y","min_df":[3,2]}"#,
            "option \"min_df\" must be",
        ),
        (
            r#"{"target":"y","tpe_batch":0}"#,
            "option \"tpe_batch\" must be from 1 to 256",
        ),
        (r#"{"target":"y","tpeStartup":0}"#, "option \"tpe_startup\""),
        (
            r#"{"target":"y","refit":"yes"}"#,
            "option \"refit\" must be a boolean",
        ),
        (
            r#"{"target":"y","cv":0}"#,
            "option \"cv\" must be at least 2 for a search",
        ),
        (r#"{"target":"y","threads":5000}"#, "threads must be"),
        (r#"{"target":"y","trails":3}"#, "unknown option \"trails\""),
        (r#"{"target":"y","trials":3,"trials":4}"#, ""),
        (
            r#"{"target":"y","minCount":3,"min_count":4}"#,
            "given twice",
        ),
        (r#"{"trials":3}"#, "\"target\" is required"),
    ] {
        match SearchRequest::from_json_str(bad) {
            Err(e) => assert!(e.to_string().contains(needle), "{bad}: {e}"),
            Ok(r) => assert!(needle.is_empty(), "{bad} parsed as {r:?}"),
        }
    }
    let r = request(
        r#"{"target":"y","method":"grid","trials":12,"budgetSeconds":2.5,"metric":"log_loss","c":[0.01,10],"penalty":"l1","balance":["none","upsample"],"minCount":7,"bins":[4,8],"seed":3,"refit":true}"#,
    );
    assert_eq!(
        (r.method, r.trials, r.metric),
        (Method::Grid, 12, Metric::LogLoss)
    );
    assert_eq!(r.budget_seconds, Some(2.5));
    assert_eq!(r.space.c, CSpace::Range(0.01, 10.0));
    assert_eq!(r.space.penalties, vec![Penalty::L1]);
    assert_eq!(r.space.balances, vec![Balance::None, Balance::Upsample]);
    assert_eq!((r.space.min_count, r.space.bins), ((7, 7), (4, 8)));
    assert_eq!(
        (r.train.config.seed, r.train.config.cv_folds),
        (3, DEFAULT_CV)
    );
    assert!(r.refit);
    assert_eq!(
        request(r#"{"target":"y","c":"auto"}"#).space.c,
        CSpace::Auto
    );
    assert_eq!(
        request(r#"{"target":"y","c":0.5}"#).space.c,
        CSpace::Fixed(0.5)
    );
    // The options of the auto recipe do not go with a recipe.
    let e = on_leads(r#""recipe":"calls","bins":[3,9]"#)
        .run_table(&leads())
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("\"bins\" is a setting of the auto recipe"),
        "{e}"
    );
    let e = on_leads(r#""penalty":"l2","l1_ratio":[0.1,0.9]"#)
        .run_table(&leads())
        .unwrap_err();
    assert!(e.to_string().contains("needs \"elasticnet\""), "{e}");
}

/// The grid starts at the training defaults and varies C fastest, then the balance;
/// cut to `trials`, or run whole and say so.
#[test]
fn grid_order_and_truncation() {
    let space = SearchSpace::default();
    let grid = space.grid();
    assert_eq!(grid.len(), 6 * 4 * 5 * 3 * 3 * 3 * 2);
    assert!(grid[..6].iter().all(|p| p.balance == Balance::Upsample
        && p.penalty == Penalty::L2
        && (p.bins, p.min_count, p.ngram, p.min_df) == (10, 10, 2, 1)));
    let cs: Vec<f64> = grid[..6].iter().map(|p| p.c.unwrap()).collect();
    for (c, want) in cs.iter().zip([1e-3, 1e-2, 1e-1, 1.0, 1e1, 1e2]) {
        assert!((c / want - 1.0).abs() < 1e-9, "{cs:?}");
    }
    assert_eq!(grid[6].balance, Balance::ClassWeight);
    assert_eq!(grid[24].penalty, Penalty::L1);
    assert_eq!(grid[48].l1_ratio, Some(0.5));

    let table = leads();
    let r = on_leads(
        r#""method":"grid","trials":5,"cv":2,"penalty":"l2","balance":"none","c":[0.01,1],"minCount":10,"bins":10,"ngram":2,"min_df":1"#,
    )
    .run_table(&table)
    .unwrap();
    assert_eq!(
        (r.trials.len(), r.grid_size, r.stopped),
        (5, Some(6), Stop::Trials)
    );
    let r = on_leads(
        r#""method":"grid","trials":50,"cv":2,"penalty":"l2","balance":["none","upsample"],"c":[0.01,1],"minCount":10,"bins":10,"ngram":2,"min_df":1"#,
    )
    .run_table(&table)
    .unwrap();
    assert_eq!(
        (r.trials.len(), r.grid_size, r.stopped),
        (12, Some(12), Stop::GridDone)
    );
    assert_eq!(r.space.searched(), vec!["c", "balance"]);
    let j = r.to_json();
    assert_eq!(j["stopped"], "grid_done");
    assert_eq!(j["trials"].as_array().unwrap().len(), 12);
    assert_eq!(j["best"]["number"], r.best_trial().unwrap().number);
}

/// The same seed gives the same trials and results with 1 or 3 threads, for random
/// search and for TPE (whose batches do not depend on the thread count); another seed
/// gives other trials.
#[test]
fn reproducible_whatever_the_threads() {
    let table = leads();
    for method in ["random", "tpe"] {
        let run = |threads: usize, seed: u64| {
            on_leads(&format!(
                r#""method":"{method}","trials":9,"tpe_startup":4,"tpe_batch":2,"cv":2,"threads":{threads},"seed":{seed}"#
            ))
            .run_table(&table)
            .unwrap()
        };
        let a = run(1, 5);
        let b = run(3, 5);
        assert_eq!(a.trials.len(), 9);
        assert_eq!(fingerprint(&a), fingerprint(&b), "{method}");
        assert_eq!(a.best, b.best);
        let c = run(2, 6);
        assert_ne!(fingerprint(&a), fingerprint(&c), "{method}");
        // Every trial measured, the numbers in order.
        for (i, t) in a.trials.iter().enumerate() {
            assert_eq!(t.number, i);
            assert!(t.error.is_none(), "{:?}", t.error);
            // (C tiny with L1 leaves no coefficient: 0.5.)
            assert!(t.roc_auc.unwrap() >= 0.5 - 1e-9);
        }
    }
}

/// A trial measures what `Trainer::evaluate` measures for its setting; the best is
/// the highest ROC AUC (lowest log-loss with that metric); ranked puts it first.
#[test]
fn trials_are_the_trainers_measures_and_best_is_best() {
    let table = leads();
    let req = on_leads(r#""method":"random","trials":4,"cv":3,"seed":9"#);
    let r = req.run_table(&table).unwrap();
    let t = &r.trials[2];
    let m = Trainer::new(t.params.apply(&req.train.config))
        .unwrap()
        .evaluate(&table, &req.train.target)
        .unwrap();
    assert_eq!(t.roc_auc, Some(m.roc_auc));
    assert_eq!(t.log_loss, Some(m.log_loss));
    let best = r.best_trial().unwrap();
    assert!(r
        .trials
        .iter()
        .all(|t| t.value.unwrap() <= best.value.unwrap()));
    assert_eq!(r.ranked()[0].number, best.number);

    let r = on_leads(r#""method":"random","trials":4,"cv":3,"seed":9,"metric":"log_loss""#)
        .run_table(&table)
        .unwrap();
    let best = r.best_trial().unwrap();
    assert_eq!(best.value, best.log_loss);
    assert!(r
        .trials
        .iter()
        .all(|t| t.value.unwrap() >= best.value.unwrap()));
    assert_eq!(r.to_json()["maximise"], false);
}

/// Refitting trains the best setting on every row: its stored metrics are the best
/// trial's, its settings the best's.
#[test]
fn refit_trains_the_best_setting() {
    let table = leads();
    let req = on_leads(
        r#""method":"tpe","trials":5,"tpe_startup":3,"cv":3,"refit":true,"insights":false,"penalty":["l2","l1"]"#,
    );
    let s = req.search_table(&table).unwrap();
    let best = s.result.best_trial().unwrap();
    let model = s.model.expect("refit");
    assert_eq!(model.metrics().unwrap().roc_auc, best.roc_auc.unwrap());
    assert_eq!(model.meta().penalty, best.params.penalty.as_str());
    assert_eq!(model.meta().balance, best.params.balance.as_str());
    assert!(model.recipe().contains(&format!(", {})", best.params.bins)));
    let no = on_leads(r#""trials":2,"cv":2"#)
        .search_table(&table)
        .unwrap();
    assert!(no.model.is_none());
}

/// Trials that fail are recorded with their error; the search still returns, with
/// no best, and refitting says why it cannot.
#[test]
fn failed_trials_are_recorded() {
    let mut csv = String::from("x,y\n");
    for i in 0..60 {
        csv += &format!("{},{}\n", i % 7, u8::from(i % 20 == 0));
    }
    let table = crate::data::csv::read_csv_bytes(csv.as_bytes(), &Default::default()).unwrap();
    // 3 positives cannot fill 5 folds.
    let req = request(
        r#"{"target":"y","method":"random","trials":3,"cv":5,"min_rows":1,"min_positives":1,"refit":true}"#,
    );
    let progress = Mutex::new(Vec::new());
    let r = req
        .run_table_with(&table, &|p| {
            progress
                .lock()
                .unwrap()
                .push((p.done, p.planned, p.trial.number))
        })
        .unwrap();
    assert_eq!(r.trials.len(), 3);
    assert!(r.best.is_none());
    for t in &r.trials {
        assert!(t.value.is_none());
        assert!(
            t.error.as_deref().unwrap().contains("cv_folds = 5"),
            "{:?}",
            t.error
        );
    }
    let mut seen = progress.into_inner().unwrap();
    seen.sort();
    assert_eq!(
        seen.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
        vec![(1, 3), (2, 3), (3, 3)]
    );
    assert_eq!(r.to_json()["trials_failed"], 3);
    assert!(r.to_json()["best"].is_null());
    let e = req.search_table(&table).unwrap_err().to_string();
    assert!(
        e.contains("no trial of the search succeeded") && e.contains("cv_folds = 5"),
        "{e}"
    );
    // What every trial would fail on fails the search at once.
    let e = request(r#"{"target":"nope","trials":3}"#)
        .run_table(&table)
        .unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    let e = request(r#"{"target":"y","trials":3}"#)
        .run_table(&table)
        .unwrap_err();
    assert!(matches!(e, Error::InsufficientData { .. }), "{e}");
}

/// A budget that has passed starts no further trial, and the result says the budget
/// ended the search; settings that cannot change a feature of the data are not
/// searched.
#[test]
fn budget_ends_the_search_and_unused_settings_are_fixed() {
    let table = leads();
    let r = on_leads(
        r#""method":"tpe","trials":400,"tpe_startup":2,"tpe_batch":1,"cv":2,"threads":1,"budget_seconds":0.3,"kinds":{"comment":"id"}"#,
    )
    .run_table(&table)
    .unwrap();
    assert!(
        r.trials.len() < 400 && !r.trials.is_empty(),
        "{}",
        r.trials.len()
    );
    assert_eq!(r.stopped, Stop::Budget);
    assert!(r.budget_exhausted());
    assert_eq!(r.to_json()["budget_exhausted"], true);
    // Without the comment (an id now) no column is text: the n-gram settings are
    // not searched.
    let searched = r.space.searched();
    assert!(
        !searched.contains(&"ngram") && !searched.contains(&"min_df"),
        "{searched:?}"
    );
    assert!(
        searched.contains(&"bins") && searched.contains(&"min_count"),
        "{searched:?}"
    );
    assert!(r
        .trials
        .iter()
        .all(|t| t.params.ngram == 2 && t.params.min_df == 1));
    let with_text = on_leads(r#""trials":1,"cv":2"#).run_table(&table).unwrap();
    assert!(with_text.space.searched().contains(&"ngram"));
}

/// TPE keeps to the space: fixed settings stay fixed, ranges hold, `l1_ratio` comes
/// with the elastic net only.
#[test]
fn proposals_stay_in_the_space() {
    let table = leads();
    let r = on_leads(
        r#""method":"tpe","trials":12,"tpe_startup":4,"cv":2,"c":[0.05,5],"balance":["none","class_weight"],"l1_ratio":[0.2,0.4],"bins":[4,6],"min_count":20"#,
    )
    .run_table(&table)
    .unwrap();
    assert_eq!(r.trials.len(), 12);
    for t in &r.trials {
        let p = &t.params;
        let c = p.c.unwrap();
        assert!((0.05..=5.0).contains(&c), "{c}");
        assert!(matches!(p.balance, Balance::None | Balance::ClassWeight));
        assert!((4..=6).contains(&p.bins) && p.min_count == 20);
        match p.penalty {
            Penalty::ElasticNet => assert!((0.2..=0.4).contains(&p.l1_ratio.unwrap())),
            _ => assert!(p.l1_ratio.is_none()),
        }
    }
}

/// Random and TPE search start from the base setting (the training default: `C`
/// automatic, L2, upsampling, the `auto` recipe's defaults), measured as training's
/// evaluation measures it, so the best is never worse than the default; TPE's
/// start-up trials after it are random search's trials of the same numbers.
#[test]
fn trial_zero_is_the_default_and_startup_is_random_search() {
    let table = leads();
    let run = |method: &str| {
        on_leads(&format!(
            r#""method":"{method}","trials":6,"tpe_startup":4,"tpe_batch":2,"cv":3,"seed":8"#
        ))
        .run_table(&table)
        .unwrap()
    };
    let (random, tpe) = (run("random"), run("tpe"));
    let req = on_leads(r#""cv":3,"seed":8"#);
    let default = Trainer::new(req.train.config.clone())
        .unwrap()
        .evaluate(&table, &req.train.target)
        .unwrap();
    for r in [&random, &tpe] {
        let t0 = &r.trials[0];
        assert_eq!(t0.number, 0);
        let p = &t0.params;
        assert_eq!(p.c, None, "{p:?}");
        assert_eq!((p.penalty, p.l1_ratio), (Penalty::L2, None));
        assert_eq!(p.balance, Balance::Upsample);
        assert_eq!(
            (p.min_count, p.bins, p.ngram, p.min_df),
            (10, 10, 2, 1),
            "{p:?}"
        );
        assert_eq!(t0.roc_auc, Some(default.roc_auc));
        assert!(r.best_trial().unwrap().value.unwrap() >= t0.value.unwrap());
    }
    assert_eq!(fingerprint(&random)[..4], fingerprint(&tpe)[..4]);
    assert_ne!(fingerprint(&random)[4..], fingerprint(&tpe)[4..]);

    // A narrowed space: the default's values where the space has them, else its
    // first choice, the middle of a given `C` range, the nearest end of a range.
    let r = on_leads(
        r#""method":"random","trials":1,"cv":2,"c":[0.01,1],"penalty":["l1","elasticnet"],"l1_ratio":[0.2,0.4],"balance":["none","upsample"],"bins":[12,20]"#,
    )
    .run_table(&table)
    .unwrap();
    let p = &r.trials[0].params;
    assert!((p.c.unwrap() - 0.1).abs() < 1e-12, "{p:?}");
    assert_eq!((p.penalty, p.l1_ratio), (Penalty::L1, None));
    assert_eq!((p.balance, p.bins), (Balance::Upsample, 12));
    let r = on_leads(
        r#""method":"tpe","trials":1,"cv":2,"penalty":"elasticnet","l1_ratio":[0.2,0.4],"c":"auto""#,
    )
    .run_table(&table)
    .unwrap();
    let p = &r.trials[0].params;
    assert_eq!(p.c, None);
    assert!((p.l1_ratio.unwrap() - 0.3).abs() < 1e-12, "{p:?}");
}

/// A setting's point reads back as the same setting, and an automatic `C` stands
/// as the `C` given for it, kept within the range.
#[test]
fn points_and_settings_round_trip() {
    let space = SearchSpace::default();
    let encoded = space.encode();
    for n in 0..50 {
        let p = sampler::random_point(&encoded.dims, &mut Rng::derive(3, n));
        let params = encoded.params(&p);
        assert_eq!(encoded.params(&encoded.point(&params, None)), params);
    }
    let base = space.base_params(&crate::TrainConfig::default(), false);
    assert_eq!(base.c, None);
    let at = |c: f64| encoded.params(&encoded.point(&base, Some(c))).c.unwrap();
    assert!((at(0.7) - 0.7).abs() < 1e-12);
    assert_eq!(at(1e4), DEFAULT_C_RANGE.1);
    assert_eq!(at(1e-9), DEFAULT_C_RANGE.0);
}
