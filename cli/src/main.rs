//! `leadscore`: train, evaluate, score and inspect CRM scoring models from the shell.
//!
//! Exit status: 0 on success, 2 on a usage error, 1 on any other error with a
//! one-line message on stderr.

mod commands;
mod outfile;
mod output;
mod search;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Scoring models for CRM leads and deals: one small, explainable logistic
/// regression per client company.
#[derive(Debug, Parser)]
#[command(name = "leadscore", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate demo tenants, train one model each and show a scored lead.
    Demo(commands::DemoArgs),
    /// Train a model on a CSV or JSON Lines file and save it.
    Train(commands::TrainArgs),
    /// Write demo CRM leads of many tenants as one CSV export (a `tenant` column first).
    DemoData(commands::DemoDataArgs),
    /// Cross-validate a training configuration and print the metrics.
    Eval(commands::EvalArgs),
    /// Score every row of a data file with a model.
    Score(commands::ScoreArgs),
    /// Compare the scores a store has given with the training scores (PSI) and list
    /// the tenants whose models need retraining.
    Drift(commands::DriftArgs),
    /// Show what a model file holds.
    Inspect(commands::InspectArgs),
    /// Each column's statistics and histogram by class, its association with the
    /// target (Pearson, Kendall tau-b, ROC AUC alone) and warnings (leaks, constants,
    /// ids, near duplicates): what to look at before believing a model.
    Insights(commands::InsightsArgs),
    /// Write a model's report: one self-contained HTML page with the metrics beside a
    /// random guess, ROC and PR curves, a threshold slider, lift, calibration, the
    /// coefficients and the training data's insights.
    Report(commands::ReportArgs),
    /// Print the `auto` recipe of a data file: which features training would build.
    Recipe(commands::RecipeArgs),
    /// Search training settings (C, penalty, balance, the auto recipe's bins, n-grams
    /// and rare-level threshold) by grid, random or TPE search, each cross-validated;
    /// print every trial and the best, and with --out refit and save the best.
    Search(search::SearchArgs),
}

fn main() -> ExitCode {
    // A bug must still end in one line, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        eprintln!("leadscore: internal error (please report): {msg}");
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let usage = e.use_stderr();
            let _ = e.print();
            return if usage {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = std::panic::catch_unwind(|| match cli.command {
        Command::Demo(a) => commands::demo(a),
        Command::DemoData(a) => commands::demo_data(a),
        Command::Train(a) => commands::train(a),
        Command::Eval(a) => commands::eval(a),
        Command::Score(a) => commands::score(a),
        Command::Inspect(a) => commands::inspect(a),
        Command::Recipe(a) => commands::recipe(a),
        Command::Insights(a) => commands::insights(a),
        Command::Report(a) => commands::report(a),
        Command::Drift(a) => commands::drift(a),
        Command::Search(a) => search::search(a),
    });
    match result {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) if is_broken_pipe(e.as_ref()) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            // One line, and nothing from the data can drive the terminal.
            eprintln!("leadscore: {}", output::printable(&e.to_string(), false));
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(1),
    }
}

/// A reader that closed the pipe (`leadscore score ... | head`) is not an error.
fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return true;
            }
        }
        if let Some(csv) = err.downcast_ref::<csv::Error>() {
            if let csv::ErrorKind::Io(io) = csv.kind() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return true;
                }
            }
        }
        cur = err.source();
    }
    false
}
