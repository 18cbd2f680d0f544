//! Deterministic synthetic CRM leads (to be written).
