//! Mass-training options as one JSON object, the form every binding passes them in:
//! the training options of [`TrainOptions::from_json`] plus the run's own names.
//!
//! ```
//! use leadscore::mass::MassConfig;
//! let c = MassConfig::from_json_str(r#"{"target": "converted", "by": "tenant", "cv": 0, "global": false}"#)?;
//! assert_eq!(c.by.as_deref(), Some("tenant"));
//! assert!(!c.global);
//! assert_eq!(c.train.config.cv_folds, 0);
//! # Ok::<(), leadscore::Error>(())
//! ```

use super::MassConfig;
use crate::error::{Error, Result};
use crate::options::{
    bad_option, each_option, snake_case, uint_option, TrainOptions, OPTION_NAMES,
};

/// The names a mass run adds to the training options ([`OPTION_NAMES`]); `threads`
/// there means parallel tenants (each tenant's folds run on one thread).
pub const MASS_OPTION_NAMES: &[&str] = &[
    "by",
    "name",
    "force",
    "global",
    "global_tenant_feature",
    "global_max_rows",
];

/// The most rows the fallback model may sample (its sample is held in memory).
pub const MAX_GLOBAL_ROWS: usize = 50_000_000;

/// The most parallel tenants a run may ask for.
pub const MAX_THREADS: usize = 1024;

impl MassConfig {
    /// Parses options from JSON text (see [`MassConfig::from_json`]).
    pub fn from_json_str(text: &str) -> Result<MassConfig> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::InvalidInput(format!("options are not valid JSON: {e}")))?;
        Self::from_json(&v)
    }

    /// Parses a mass run's options from one JSON object: every training option of
    /// [`TrainOptions::from_json`] (`target` required) and
    ///
    /// | name | type | meaning |
    /// |---|---|---|
    /// | `by` | string | the tenant column (required for one export or a table) |
    /// | `name` | string | the model name in each tenant's folder (default `lead`) |
    /// | `force` | boolean | retrain tenants whose model is newer than their data file |
    /// | `threads` | integer | parallel tenants (0 = all cores) |
    /// | `global` | boolean | train the `_global` fallback model (default `true`) |
    /// | `global_tenant_feature` | boolean | the fallback uses the tenant as a category |
    /// | `global_max_rows` | integer | rows sampled for the fallback (default 200,000) |
    ///
    /// Names may be snake_case or camelCase; unknown names, a name given twice and
    /// values of the wrong type or range are errors naming the option.
    pub fn from_json(v: &serde_json::Value) -> Result<MassConfig> {
        let all: Vec<&str> = OPTION_NAMES
            .iter()
            .chain(MASS_OPTION_NAMES)
            .copied()
            .collect();
        // Names, spellings and duplicates over the whole object first, so that an
        // unknown name's error lists every name a mass run knows.
        each_option(v, &all, |_, _| Ok(()))?;
        let (mut train, mut mass) = (serde_json::Map::new(), serde_json::Map::new());
        for (k, val) in v.as_object().into_iter().flatten() {
            let key = snake_case(k);
            if MASS_OPTION_NAMES.contains(&key.as_str()) || key == "threads" {
                mass.insert(key, val.clone());
            } else {
                train.insert(k.clone(), val.clone());
            }
        }
        let mut config = MassConfig::new(TrainOptions::from_json(&train.into())?);
        let mut names = MASS_OPTION_NAMES.to_vec();
        names.push("threads");
        each_option(&mass.into(), &names, |key, val| {
            let bool_of = || {
                val.as_bool()
                    .ok_or_else(|| bad_option(key, val, "a boolean"))
            };
            let str_of = || val.as_str().ok_or_else(|| bad_option(key, val, "a string"));
            match key {
                "by" => config.by = Some(str_of()?.to_owned()),
                "name" => config.name = str_of()?.to_owned(),
                "force" => config.force = bool_of()?,
                "global" => config.global = bool_of()?,
                "global_tenant_feature" => config.global_tenant_feature = bool_of()?,
                "global_max_rows" => config.global_max_rows = uint_option(key, val)?,
                "threads" => config.threads = uint_option(key, val)?,
                _ => return Err(Error::Internal(format!("mass option {key} not handled"))),
            }
            Ok(())
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the run's own settings (the training options are checked when parsed):
    /// the model name, and the sizes that bound memory and threads.
    pub fn validate(&self) -> Result<()> {
        crate::store::validate_name("model", &self.name)?;
        if let Some(by) = &self.by {
            if by.trim().is_empty() {
                return Err(Error::InvalidInput(
                    "option \"by\" must name the tenant column, got an empty string".into(),
                ));
            }
        }
        if self.global_max_rows > MAX_GLOBAL_ROWS {
            return Err(Error::InvalidInput(format!(
                "option \"global_max_rows\" must be at most {MAX_GLOBAL_ROWS}, got {}",
                self.global_max_rows
            )));
        }
        if self.threads > MAX_THREADS {
            return Err(Error::InvalidInput(format!(
                "option \"threads\" must be at most {MAX_THREADS}, got {}",
                self.threads
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_and_errors() {
        let c = MassConfig::from_json_str(
            r#"{"target": "y", "by": "t", "globalMaxRows": 10, "threads": 2, "cv": 3, "name": "deal", "force": true, "globalTenantFeature": true}"#,
        )
        .unwrap();
        assert_eq!(c.by.as_deref(), Some("t"));
        assert_eq!(c.global_max_rows, 10);
        assert_eq!(c.threads, 2);
        assert_eq!(c.train.config.cv_folds, 3);
        assert_eq!(c.name, "deal");
        assert!(c.force && c.global && c.global_tenant_feature);
        let err = |text: &str| MassConfig::from_json_str(text).unwrap_err().to_string();
        assert!(err(r#"{"target": "y", "bye": "t"}"#).contains("global_max_rows"));
        assert!(err(r#"{"target": "y", "global": 1}"#).contains("\"global\" must be a boolean"));
        assert!(err(r#"{"target": "y", "global_max_rows": 1e12}"#).contains("at most"));
        assert!(err(r#"{"target": "y", "threads": 5000}"#).contains("at most 1024"));
        assert!(err(r#"{"target": "y", "name": "../x"}"#).contains("model"));
        assert!(err(r#"{"target": "y", "by": " "}"#).contains("\"by\""));
        assert!(
            err(r#"{"target": "y", "globalMaxRows": 1, "global_max_rows": 2}"#)
                .contains("given twice")
        );
        assert!(err(r#"{"by": "t"}"#).contains("target"));
    }
}
