//! CSV reader (to be written).
