"""Measure Python web servers serving framework apps with wrk, for asv.

One job per module: `registry` (what exists), `contract` (what every app must
answer), `server` (launch, readiness, stop), `wrk` (parse wrk's output),
`load` (run wrk), `usage` (a server's CPU and memory), `measure` (one pair and
scenario, start to stop), `runner` (every pair of an environment, with
progress), `settings` (durations and repeats), `stacks` (pinned version sets),
`metrics` (what asv tracks).
"""
