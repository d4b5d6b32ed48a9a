"""Judging A/A and A/B rows, and the smallest slowdown detected every time."""

from __future__ import annotations

from stackbench.analysis import sensitivity
from stackbench.analysis.comparison import BETTER, SAME, WORSE, Row


def row(metric: str, server: str, framework: str, mark: str, before: float = 1e-4, after: float = 1e-4) -> Row:
    name = f"bench_pairs.Asgi.track_{metric}('{server}', '{framework}', 'plaintext', 32)"
    return Row(name, "vm/env", before, after, mark)


def test_aa_counts_every_flagged_row_but_the_references():
    rows = [row("seconds_per_request", "uvicorn", "raw", SAME), row("latency_p99", "uvicorn", "raw", WORSE),
            Row("bench_reference.Reference.track_seconds('nginx')", "vm/env", 1.0, 2.0, WORSE)]
    run = sensitivity.judge_aa(rows, 60.0)
    assert run.rows == 2 and len(run.flagged) == 1 and "latency_p99" in run.flagged[0]


def test_ab_targets_the_framework_and_counts_other_rows_as_false_alarms():
    rows = [
        row("seconds_per_request", "uvicorn", "starlette", WORSE, 5e-5, 6e-5),
        row("seconds_per_request", "hypercorn", "starlette", SAME, 1e-4, 1.05e-4),
        row("cpu_seconds_per_request", "uvicorn", "starlette", WORSE),  # moved by the cost: fine
        row("peak_memory", "uvicorn", "starlette", WORSE),  # not moved by CPU: a false alarm
        row("seconds_per_request", "uvicorn", "raw", BETTER),  # another app: a false alarm
        # Measured before (by an A/A run of another stack) but not in the A/B run: left out.
        row("seconds_per_request", "daphne", "starlette", SAME, 1e-4, float("nan")),
    ]
    run = sensitivity.judge_ab(rows, "starlette", extra_seconds=1e-5, iterations=400, seconds=100.0)
    assert [(t.flagged, round(t.slowdown, 3)) for t in run.targets] == [(True, 0.2), (False, 0.1)]
    assert len(run.false_alarms) == 2
    assert run.extra_iterations == 400


def test_detectable_is_the_smallest_slowdown_above_which_everything_was_flagged():
    finding = sensitivity.Finding("m", "f", "2026-11-24", [], [], "starlette", 1.05, {})
    def ab(*points):
        return sensitivity.ABRun(0, [sensitivity.Target("b", "e", 1.0, s, None, f) for s, f in points], [], 0.0)
    finding.ab = [ab((0.20, True), (0.10, True)), ab((0.07, True), (0.04, False)), ab((0.05, False))]
    assert finding.detectable == 0.07
    assert "changes below 7% are not detectable" in finding.sentence().lower()
    finding.ab = [ab((0.10, False))]
    assert finding.detectable is None


def test_findings_are_saved_and_loaded(tmp_path):
    finding = sensitivity.Finding("vm-x", "f", "2026-11-24T00:00:00+00:00", ["uvicorn:raw"], ["latest"], "raw", 1.05,
                                  {"launches": 4})
    finding.aa.append(sensitivity.AARun(60, [], 600.0))
    path = finding.save(tmp_path)
    assert path == tmp_path / "records" / "vm-x" / "sensitivity.json"
    assert sensitivity.load(path) == finding
    assert sensitivity.sentences(tmp_path) == {"vm-x": finding.sentence()}
