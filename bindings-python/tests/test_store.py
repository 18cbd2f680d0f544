"""leadscore.Store: many tenants' models behind one cache, on the shared golden fixtures."""

from __future__ import annotations

import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import leadscore

TOL = 1e-12
TENANTS = ("acme", "globex")


@pytest.fixture
def root(tmp_path, golden_model) -> Path:
    """A store folder with the golden model under two tenants and under _global."""
    r = tmp_path / "store"
    s = leadscore.Store(r)
    for t in TENANTS + ("_global",):
        s.save(t, golden_model)
    return r


@pytest.fixture(scope="module")
def other_model(churn_df) -> leadscore.Model:
    """A second, clearly different model (strong regularisation)."""
    return leadscore.train(churn_df, target="churn", cv=0, c=0.001)


def _reasons_match(got, want):
    assert [(r["field"], r["label"]) for r in got] == [(r["field"], r["label"]) for r in want]
    for g, w in zip(got, want):
        assert g["contribution"] == pytest.approx(w["contribution"], abs=TOL)


def test_files_are_where_the_layout_says(root):
    for t in TENANTS + ("_global",):
        assert (root / t / "lead.lsm").is_file()
    assert leadscore.Store(root).tenants() == list(TENANTS)


def test_score_through_the_store_matches_the_golden_fixture(root, golden_records, golden_expected):
    store = leadscore.Store(root)
    for tenant in TENANTS:
        for i, (rec, exp) in enumerate(zip(golden_records, golden_expected)):
            s = store.score(tenant, rec)
            assert set(s) == {"probability", "score", "label", "source", "fallback_reason"}
            assert s["probability"] == pytest.approx(exp["probability"], abs=TOL), (tenant, i)
            assert s["score"] == exp["score"] and s["label"] == exp["label"], (tenant, i)
            assert s["source"] == "tenant" and s["fallback_reason"] is None


def test_explain_through_the_store_matches_the_golden_fixture(root, golden_records, golden_expected):
    store = leadscore.Store(root)
    for rec, exp in zip(golden_records, golden_expected):
        e = store.explain("acme", rec, k=3)
        assert e["probability"] == pytest.approx(exp["probability"], abs=TOL)
        _reasons_match(e["positive"], exp["explain_k3"]["positive"])
        _reasons_match(e["negative"], exp["explain_k3"]["negative"])
        assert e["source"] == "tenant" and e["fallback_reason"] is None
        assert "base_probability" in e
    one = store.explain("acme", golden_records[0], 1)
    assert len(one["positive"]) <= 1 and len(one["negative"]) <= 1


def test_unknown_tenant_is_answered_by_the_fallback(root, golden_records, golden_expected):
    store = leadscore.Store(root)
    s = store.score("newco", golden_records[3])
    assert s["source"] == "fallback" and s["fallback_reason"] == "no_model"
    assert s["probability"] == pytest.approx(golden_expected[3]["probability"], abs=TOL)
    e = store.explain("newco", golden_records[3])
    assert (e["source"], e["fallback_reason"]) == ("fallback", "no_model")
    assert store.tenant_stats("newco")["fallbacks"] == 2


def test_insufficient_data_is_the_reason_given(root, golden_records):
    (root / "tiny").mkdir()
    (root / "tiny" / "lead.json").write_text(json.dumps({"status": "insufficient_data", "rows": 12}))
    s = leadscore.Store(root).score("tiny", golden_records[0])
    assert (s["source"], s["fallback_reason"]) == ("fallback", "insufficient_data")


def test_unreadable_model_file_falls_back(root, golden_records):
    (root / "broken").mkdir()
    (root / "broken" / "lead.lsm").write_bytes(b"LSCM not really a model")
    s = leadscore.Store(root).score("broken", golden_records[0])
    assert (s["source"], s["fallback_reason"]) == ("fallback", "unreadable")


def test_no_model_and_no_fallback_is_not_found(root, golden_records):
    with pytest.raises(leadscore.NotFoundError) as e:
        leadscore.Store(root, fallback=False).score("newco", golden_records[0])
    err = e.value
    assert (err.code, err.code_name) == (7, "NOT_FOUND")
    assert isinstance(err, LookupError) and isinstance(err, leadscore.LeadScoreError)
    assert "newco" in str(err)
    # without fallback the tenant's own model still answers
    assert leadscore.Store(root, fallback=False).score("acme", golden_records[0])["source"] == "tenant"
    # a fallback switched on but absent, and a model name nobody has
    empty = leadscore.Store(root.parent / "empty")
    for call in (
        lambda: empty.score("acme", golden_records[0]),
        lambda: empty.explain("acme", golden_records[0]),
        lambda: empty.get("acme"),
        lambda: leadscore.Store(root).score("acme", golden_records[0], name="upsell"),
    ):
        with pytest.raises(leadscore.NotFoundError):
            call()


@pytest.mark.parametrize("bad", ["../acme", "acme/../../etc", "a/b", "/etc", "..", ".hidden", "a\x00b", ""])
def test_tenant_names_cannot_leave_the_root(root, tmp_path, golden_records, golden_model, bad):
    store = leadscore.Store(root)
    before = sorted(p for p in tmp_path.rglob("*"))
    for call in (
        lambda: store.score(bad, golden_records[0]),
        lambda: store.explain(bad, golden_records[0]),
        lambda: store.get(bad),
        lambda: store.save(bad, golden_model),
        lambda: store.score("acme", golden_records[0], name=bad),
    ):
        with pytest.raises(leadscore.InvalidInputError) as e:
            call()
        assert e.value.code == 1 and isinstance(e.value, ValueError)
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_stats_count_the_scores(root, golden_records):
    store = leadscore.Store(root, cache_bytes=64 << 20)
    for rec in golden_records[:3]:
        store.score("acme", rec)
    store.explain("acme", golden_records[0])
    store.score("newco", golden_records[0])
    store.score("newco", golden_records[1])
    st = store.stats()
    assert st["totals"]["scores"] == 6
    assert st["totals"]["fallbacks"] == 2
    assert st["tenants"]["acme"]["scores"] == 4 and st["tenants"]["acme"]["loads"] == 1
    assert st["tenants"]["acme"]["hits"] == 3 and st["tenants"]["acme"]["misses"] == 1
    assert st["tenants"]["newco"]["scores"] == 2
    assert st["cached_models"] == 2  # acme and _global; newco's "no file" is not a model
    assert st["cached_bytes"] > 0 and st["cache_bytes_limit"] == 64 << 20
    assert st["evictions"] == 0
    assert store.tenant_stats("acme") == st["tenants"]["acme"]
    assert store.tenant_stats("nobody") == dict.fromkeys(
        ["hits", "misses", "loads", "load_micros", "scores", "fallbacks"], 0
    )
    store.clear()
    assert store.stats()["cached_models"] == 0
    assert store.stats()["totals"]["scores"] == 6


def test_cache_is_bounded_in_bytes(root, golden_records):
    store = leadscore.Store(root, cache_bytes=1, fallback=False)
    for t in TENANTS * 2:
        store.score(t, golden_records[0])
    st = store.stats()
    assert st["cached_models"] == 1 and st["evictions"] == 3
    assert st["totals"]["loads"] == 4


def test_replaced_file_is_picked_up(root, golden_model, other_model, golden_records, golden_expected):
    rec, want_old = golden_records[5], golden_expected[5]["probability"]
    want_new = other_model.score(rec)["probability"]
    assert abs(want_new - want_old) > 1e-3  # the two models really differ here

    store = leadscore.Store(root, check_interval=0)
    assert store.score("acme", rec)["probability"] == pytest.approx(want_old, abs=TOL)
    held = store.get("acme")

    # another process replaces the file: written aside, then renamed over it
    tmp = root / "acme" / "incoming.tmp"
    other_model.save(tmp)
    os.replace(tmp, root / "acme" / "lead.lsm")

    s = store.score("acme", rec)
    assert s["probability"] == pytest.approx(want_new, abs=TOL) and s["source"] == "tenant"
    assert store.get("acme").to_bytes() == other_model.to_bytes()
    assert store.score("globex", rec)["probability"] == pytest.approx(want_old, abs=TOL)
    assert store.tenant_stats("acme")["loads"] == 2
    # a Model taken before the swap keeps the old coefficients
    assert held.score(rec)["probability"] == pytest.approx(want_old, abs=TOL)
    assert held.to_bytes() == golden_model.to_bytes()


def test_check_interval_bounds_the_stat_calls(root, other_model, golden_records, golden_expected):
    rec, want_old = golden_records[5], golden_expected[5]["probability"]
    want_new = other_model.score(rec)["probability"]
    store = leadscore.Store(root, check_interval=3600)
    store.score("acme", rec)
    other_model.save(root / "acme" / "lead.lsm")
    # not re-checked within the hour...
    assert store.score("acme", rec)["probability"] == pytest.approx(want_old, abs=TOL)
    # ...but a fresh look (clear) or this store's own save is seen at once
    store.clear()
    assert store.score("acme", rec)["probability"] == pytest.approx(want_new, abs=TOL)
    store.save("globex", other_model)
    assert store.score("globex", rec)["probability"] == pytest.approx(want_new, abs=TOL)


def test_get_returns_the_answering_model(root, golden_model, golden_records):
    store = leadscore.Store(root)
    m = store.get("acme")
    assert isinstance(m, leadscore.Model)
    assert m.to_bytes() == golden_model.to_bytes()
    assert m.score(golden_records[0]) == golden_model.score(golden_records[0])
    assert store.get("newco").to_bytes() == golden_model.to_bytes()  # the fallback's
    with pytest.raises(leadscore.NotFoundError):
        leadscore.Store(root, fallback=False).get("newco")
    # get shares the cached model: no second load
    store.get("acme")
    assert store.tenant_stats("acme")["loads"] == 1


def test_save_under_another_name(root, other_model, golden_records):
    store = leadscore.Store(root)
    store.save("acme", other_model, name="upsell")
    assert (root / "acme" / "upsell.lsm").is_file()
    s = store.score("acme", golden_records[0], name="upsell")
    assert s["probability"] == pytest.approx(other_model.score(golden_records[0])["probability"], abs=TOL)
    assert store.get("acme", name="upsell").to_bytes() == other_model.to_bytes()
    # name="upsell" has no _global model: a new tenant is not found
    with pytest.raises(leadscore.NotFoundError):
        store.score("newco", golden_records[0], name="upsell")
    with pytest.raises(TypeError):
        store.save("acme", b"not a model")


def test_record_errors_take_the_usual_mapping(root):
    store = leadscore.Store(root)
    with pytest.raises(leadscore.InvalidInputError, match='"tenure"') as e:
        store.score("acme", {"tenure": "a long time"})
    assert e.value.field == "tenure"
    with pytest.raises(leadscore.InvalidInputError, match="dict"):
        store.score("acme", ["not", "a", "dict"])


def test_flush_drift_writes_the_counts(root, golden_records):
    store = leadscore.Store(root, drift_flush_interval=None)
    for rec in golden_records[:5]:
        store.score("acme", rec)
    counts = root / "acme" / "lead.scores.json"
    assert not counts.exists()
    store.flush_drift()
    doc = json.loads(counts.read_text())
    assert sum(doc["counts"]) == 5 and len(doc["counts"]) == 10
    # leaving a with block flushes too, adding to what is there
    with leadscore.Store(root, drift_flush_interval=None) as s2:
        assert isinstance(s2, leadscore.Store)
        s2.score("acme", golden_records[0])
        s2.score("acme", golden_records[1])
    assert sum(json.loads(counts.read_text())["counts"]) == 7


def test_options_are_checked(tmp_path):
    for kwargs in ({"check_interval": -1.0}, {"check_interval": float("nan")}, {"cache_bytes": -5},
                   {"drift_flush_interval": float("inf")}):
        with pytest.raises(leadscore.InvalidInputError):
            leadscore.Store(tmp_path / "s", **kwargs)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(leadscore.LeadScoreError):
        leadscore.Store(a_file)


def test_root_and_repr(root):
    store = leadscore.Store(str(root), check_interval=0.5, fallback=False)
    assert Path(store.root) == root
    r = repr(store)
    assert "leadscore.Store" in r and str(root) in r and "0.5" in r and "False" in r


def test_one_store_shared_by_threads(root, golden_records, golden_expected):
    store = leadscore.Store(root, check_interval=0)
    failures = []

    def work(i):
        tenant = ("acme", "globex", "newco")[i % 3]
        for rec, exp in zip(golden_records, golden_expected):
            s = store.score(tenant, rec)
            if abs(s["probability"] - exp["probability"]) > TOL:
                failures.append((tenant, s, exp["probability"]))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(48)))
    assert failures == []
    assert store.stats()["totals"]["scores"] == 48 * len(golden_records)


def test_store_is_usable_from_a_thread_while_the_main_thread_saves(root, other_model, golden_records):
    store = leadscore.Store(root, check_interval=0)
    stop, started = threading.Event(), threading.Event()
    seen, errors = set(), []
    allowed = {round(m.score(golden_records[5])["probability"], 12) for m in (store.get("acme"), other_model)}

    def reader():
        while not stop.is_set():
            try:
                seen.add(round(store.score("acme", golden_records[5])["probability"], 12))
            except Exception as e:  # noqa: BLE001 - every failure is a test failure
                errors.append(e)
            started.set()

    t = threading.Thread(target=reader)
    t.start()
    assert started.wait(10)
    golden = store.get("acme")
    for i in range(20):
        store.save("acme", other_model if i % 2 == 0 else golden)
    stop.set()
    t.join()
    assert errors == []
    assert seen <= allowed and seen
