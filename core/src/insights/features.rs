//! Insights of a recipe's features instead of the raw columns: the recipe is fitted on
//! every row, each feature column it makes (a standardised number, a bin, a one-hot
//! level, a cross, a text term) becomes a numeric column named as explanations name
//! it, and the insights of that table say which features carry the target.

use crate::data::{Column, Schema, Table, TargetSpec};
use crate::error::{Error, Result};
use crate::recipe::{AutoOptions, Pipeline};

/// The most feature columns a recipe may make for its insights.
pub const MAX_RECIPE_FEATURES: usize = 5_000;
/// The most cells (rows x feature columns) of a recipe's feature table (400 MB of
/// numbers).
pub const MAX_RECIPE_CELLS: usize = 50_000_000;

/// The table of the features `recipe` makes from `table` (fitted on every row, column
/// kinds inferred with `kinds` applied), with the target column beside them. Fails
/// naming the recipe's line on a recipe error, and when the features would exceed
/// [`MAX_RECIPE_FEATURES`] columns or [`MAX_RECIPE_CELLS`] cells.
pub fn recipe_features(
    table: &Table,
    target: &TargetSpec,
    recipe: &str,
    kinds: &[(String, crate::data::Kind)],
) -> Result<Table> {
    let schema = Schema::infer(table, &[target.column.as_str()]).with_overrides(kinds)?;
    let target_col = table.require(&target.column)?.clone();
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let pipeline = Pipeline::fit(recipe, table, &schema, &rows, &AutoOptions::default())?;
    let d = pipeline.n_features();
    let n = table.n_rows();
    if d > MAX_RECIPE_FEATURES || d.saturating_mul(n) > MAX_RECIPE_CELLS {
        return Err(Error::InvalidInput(format!(
            "the recipe makes {d} feature columns over {n} rows; insights of a recipe take \
             at most {MAX_RECIPE_FEATURES} columns and {MAX_RECIPE_CELLS} cells (narrow \
             the recipe, e.g. a smaller text vocabulary, or sample the rows)"
        )));
    }
    let bound = pipeline.bind(table)?;
    let mut cols = vec![vec![0.0; n]; d];
    for r in 0..n {
        bound.emit_row(r, &mut |j, v| {
            if let Some(c) = cols.get_mut(j as usize) {
                c[r] = v;
            }
        });
    }
    drop(bound);
    let mut out = Table::new();
    let mut taken = std::collections::HashSet::new();
    taken.insert(target.column.clone());
    for (name, col) in pipeline.feature_names().into_iter().zip(cols) {
        // Feature names are unique in practice; a clash (or the target's name) gets a
        // number rather than an error.
        let mut unique = name.clone();
        let mut k = 2;
        while !taken.insert(unique.clone()) {
            unique = format!("{name} #{k}");
            k += 1;
        }
        out.push_column(unique, Column::Num(col))?;
    }
    out.push_column(target.column.clone(), target_col)?;
    Ok(out)
}
