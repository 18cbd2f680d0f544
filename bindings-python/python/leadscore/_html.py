"""The HTML summary Jupyter shows for a :class:`leadscore.Model`."""

from __future__ import annotations

import html
from typing import Any


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.4f}"
    return html.escape(str(x))


def model_html(model: Any, top: int = 10) -> str:
    """Headline metrics beside a random classifier's, and the ``top`` strongest
    coefficients, as one self-contained HTML fragment."""
    info = model.info()
    metrics = model.metrics
    parts = ['<div class="leadscore-model">']
    parts.append(
        f"<h4>leadscore.Model: target <code>{html.escape(str(info['target']))}</code> "
        f"(positive = <code>{html.escape(str(info['positive_label']))}</code>)</h4>"
    )
    parts.append(
        f"<p>{info['rows']} rows, {info['positives']} positives, {len(info['inputs'])} inputs, "
        f"{info['features']} features, threshold {info['threshold']:.4f}, C = {info['c']}, "
        f"balance {html.escape(str(info['balance']))}</p>"
    )
    if metrics:
        base = metrics.get("baseline") or {}
        rows = []
        for key in ("roc_auc", "pr_auc", "log_loss", "brier", "precision", "recall", "f1", "accuracy"):
            if key in metrics and not isinstance(metrics[key], (dict, list)):
                rows.append(
                    f"<tr><td>{key}</td><td>{_fmt(metrics[key])}</td>"
                    f"<td>{_fmt(base[key]) if key in base else ''}</td></tr>"
                )
        parts.append(
            "<table><thead><tr><th>metric (cross-validated)</th><th>model</th>"
            "<th>random guess</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        )
    else:
        parts.append("<p>No metrics: trained without cross-validation (cv=0).</p>")
    coefs = sorted(model.coefficients, key=lambda nc: -abs(nc[1]))[:top]
    rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td style='text-align:right'>{c:+.4f}</td></tr>" for n, c in coefs
    )
    parts.append(
        f"<table><thead><tr><th>top {len(coefs)} features</th><th>coefficient</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    parts.append("</div>")
    return "".join(parts)
