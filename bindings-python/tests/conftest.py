"""Shared fixtures: repository paths, the golden model and small training sets."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import leadscore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
WA_CHURN_CSV = ROOT / "examples" / "data" / "wa_churn.csv"


@pytest.fixture(scope="session")
def golden_model() -> leadscore.Model:
    return leadscore.Model.load(FIXTURES / "models" / "wa_churn_v1.lsm")


@pytest.fixture(scope="session")
def golden_records() -> list:
    with open(FIXTURES / "records" / "wa_churn.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def golden_expected() -> list:
    with open(FIXTURES / "expected" / "wa_churn_v1.json", encoding="utf-8") as f:
        return json.load(f)["scores"]


@pytest.fixture(scope="session")
def churn_df() -> pd.DataFrame:
    return pd.read_csv(WA_CHURN_CSV)


@pytest.fixture(scope="session")
def churn_model(churn_df: pd.DataFrame) -> leadscore.Model:
    return leadscore.train(churn_df, target="churn", cv=3, seed=7)
