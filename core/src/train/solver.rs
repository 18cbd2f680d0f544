//! Logistic-regression solver (to be written).
