"""The cost view's data (stackbench/report/costs.py): counts read from count records, and the rank agreement."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stackbench import registry
from stackbench.report import costs, summary

from .test_page import FIXTURE


def test_counts_are_read_from_the_records_per_cell_with_the_versions_counted():
    found = {(c.interface, c.server, c.framework, c.scenario, c.connections): c for c in costs.collect(FIXTURE)}
    # The fixture's count record: 3 pairs x 2 scenarios x 2 levels, 1,000 requests each.
    assert len(found) == 12
    cell = found[("asgi", "uvicorn", "raw", "plaintext", 1)]
    assert cell.status == "counted" and cell.requests == 1000 and cell.stack == "latest"
    assert cell.instructions == pytest.approx(111_317.786) and cell.syscalls == pytest.approx(4.059)
    assert cell.versions == {"uvicorn": "0.54.0"}
    assert cell.estimated_cycles is None  # caches were not simulated in that run
    flask = found[("wsgi", "gunicorn", "flask", "plaintext", 1)]
    assert set(flask.versions) == {registry.distribution(r) for r in registry.find_pair("wsgi", "gunicorn",
                                                                                         "flask").requires}


def test_ranks_share_ties_and_spearman_reads_order_only():
    assert costs.ranks([10.0, 30.0, 20.0, 20.0]) == [1.0, 4.0, 2.5, 2.5]
    assert costs.spearman([1, 2, 3, 4], [10, 200, 3000, 40000]) == pytest.approx(1.0)
    assert costs.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)


def test_rank_agreement_joins_counts_with_the_wall_clock_at_one_connection():
    """Three counted pairs (instructions rank uvicorn+raw < gunicorn+raw < gunicorn+flask) given wall-clock
    figures at one connection that swap the last two: Spearman 0.5, the swapped pairs listed first."""
    template = next(c for c in summary.collect(FIXTURE / "results", FIXTURE) if c.status == "measured")
    micros = {("asgi", "uvicorn", "raw"): 100, ("wsgi", "gunicorn", "raw"): 300, ("wsgi", "gunicorn", "flask"): 200}
    cells = [replace(template, interface=i, server=s, framework=f, scenario="plaintext", connections=1,
                     values={"seconds_per_request": us * 1e-6}, run=replace(template.run, stack="latest"))
             for (i, s, f), us in micros.items()]
    found = costs.rank_agreement(costs.collect(FIXTURE), cells, "latest")
    assert found is not None and found.pairs == 3 and found.wall_clock_machine == template.run.machine.name
    assert found.spearman == pytest.approx(0.5)
    assert {d.label for d in found.divergent[:2]} == {"gunicorn + raw", "gunicorn + flask"}
    assert found.divergent[-1].label == "uvicorn + raw" and found.divergent[-1].shift == 0
    # Counts at 32 connections, or another stack, do not join.
    assert costs.rank_agreement(costs.collect(FIXTURE), cells, "2024-11-23") is None
