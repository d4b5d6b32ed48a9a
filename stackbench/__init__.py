"""Measure Python web servers serving framework apps, for asv: the pipeline by stage.

- the core: `registry` (the one list of servers and apps), `settings`
  (profiles), `stacks` (pinned version sets), `calibration` (a known
  slowdown), `machine` (names that tell machines apart), `records` (the full
  record of every session), `errors`, `cli`, `workspace`;
- `serve/`: start a server, check it keeps the app contract, stop it
  (`server`, `contract`, `watchdog`, `lifeline`, `launchers/`);
- `measure/`: what one launch measures: wall clock under wrk (`wallclock`,
  `load`, `wrk`, `usage`) and exact counts under valgrind and strace;
- `session/`: many launches taking turns, the references beside them (`runner`, `reference`);
- `asv/`: what the asv suite calls (`cache`, `rounds`, `invocation`,
  `metrics`) and what `asv publish` adds (`publisher`, `site`);
- `report/`: the summary page, the coverage table, the browser that checks them;
- `analysis/`: comparisons beyond asv's own (`comparison`, `sensitivity`, `noise`, `culprit`).

Nothing here is imported on import: servers of the frozen reference import
this package with nothing but their own pins installed.
"""

from pathlib import Path

# The checkout: apps/, stacks/, asv.conf.json; servers import `apps.<module>` from here.
ROOT = Path(__file__).resolve().parent.parent
