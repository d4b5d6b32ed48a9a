"""Measure Python web servers serving framework apps with wrk, for asv.

One job per module. Measuring: `registry` (what exists), `contract` (what
every app must answer), `server` and `watchdog` (launch, readiness, stop),
`load` (run wrk: recorded runs and check runs), `wrk` (parse its output),
`usage` (a server's CPU and memory, a CPU's busy share), `measure` (one
launch of one pair), `reference` (what tells the machine's speed),
`runner` (a session: launches round-robin, references between them),
`lifeline` (stop when asv is gone), `settings` (profiles), `metrics` (what
asv tracks), `stacks` (pinned version sets), `calibration` (a known
slowdown), `machine` (names that tell machines apart). With asv:
`asv_invocation` (what asv was asked), `asv_rounds` (rounds for track
benchmarks), `asv_environment` (the suite's setup_cache), `records` (the
full record of every session). Analysing: `comparison` (asv's compare
marks), `sensitivity` (A/A and A/B findings), `noise` (variance
components). Showing: `summary` (asv results joined with records), `page`
(the bokeh page), `asv_publisher` (asv plugin), `browser` (headless
Chromium). `cli`, `errors` and `workspace` serve the rest.
"""
