"""Measure Python web servers serving framework apps with wrk, for asv.

One job per module. Measuring: `registry` (what exists), `contract` (what
every app must answer), `server` and `watchdog` (launch, readiness, stop),
`load` (run wrk), `wrk` (parse its output), `usage` (a server's CPU and
memory), `measure` (one pair and scenario), `runner` (every pair of an
environment), `settings` (durations and repeats), `metrics` (what asv
tracks), `stacks` (pinned version sets), `asv_environment` (the suite's
setup_cache), `records` (the full record of a run). Showing: `summary` (asv
results joined with records), `page` (the bokeh page), `asv_publisher` (asv
plugin), `browser` (headless Chromium). `cli` and `errors` serve the rest.
"""
