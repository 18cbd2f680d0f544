//! JSON Lines reader (to be written).
