"""Which package change made a pair slower from one stack to the next.

Two stacks a year apart differ in dozens of packages, and a pair depends on
a handful of them. For every package the pair's part of the stacks differs
in, culprit finding builds stack A with that one package moved to its
version in B, plus whatever uv must move with it (it resolves the pair's
requirements preferring A's pins, as it updates a lock file). It then
counts the pair's cost per request in A, in B and in every such step
(instructions, estimated cycles or system calls under Callgrind: exact, so
each step is judged against A by factor alone, as asv judges a single
value), or measures their wall-clock time in one session, the environments
taking turns launch by launch (runner.run_session) so that the machine's
drift hits them all alike, each step judged against A with asv's own test
(`comparison.mark`). A step that is significantly costlier than A, by a
large share of the A -> B change, carries the slowdown.

The environments live outside asv's matrix (stacks.pinned_environment),
keyed by their pins: a second run reuses them.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import registry, stacks
from ..errors import ConfigError, StackbenchError
from ..measure.wallclock import Workload
from ..session import runner
from ..session.counts import CountJob, CountSession, count_jobs
from ..settings import CountSettings, Settings
from ..stacks import Stack, VersionChange, normalize
from . import comparison

BEFORE, AFTER = "A", "B"


@dataclass(frozen=True)
class Step:
    """One environment of the search: A, B, or A with one package moved to B."""

    name: str  # BEFORE, AFTER, or the moved package
    pins: dict[str, str]
    # How its pins differ from A's (for A: none; for a step: the package and what came with it).
    moves: tuple[VersionChange, ...] = ()
    # Overrides of dependency bounds its install needs, with why (stack file comments).
    overrides: dict[str, str] = field(default_factory=dict)

    def pin_file(self) -> str:
        return ("".join(f"# override: {name}: {why}\n" for name, why in sorted(self.overrides.items()))
                + stacks.pin_lines(self.pins))


@dataclass(frozen=True)
class Search:
    """What culprit finding measures: the pair, the two stacks and the steps between them."""

    pair: registry.Pair
    before: Stack
    after: Stack
    steps: list[Step]  # A first, B last
    # Packages that differ but no step moves alone, and why (e.g. new in B: they come with a step).
    not_moved_alone: dict[str, str]


def _overrides(pair: registry.Pair, stack: Stack) -> dict[str, str]:
    """The stack's overrides of bounds that the pair's own packages declare: name -> why."""
    mine = {normalize(registry.distribution(r)) for r in pair.requires}
    return {normalize(o.distribution): stack.overrides[normalize(o.distribution)] for o in registry.OVERRIDES
            if normalize(o.declared_by) in mine and normalize(o.distribution) in stack.overrides}


def pair_pins(pair: registry.Pair, stack: Stack) -> dict[str, str]:
    """The part of `stack` that `pair` needs: its requirements, resolved within the stack's pins."""
    missing = [r for r in pair.requires if normalize(registry.distribution(r)) not in stack.pins]
    if missing:
        raise ConfigError(f"stack {stack.name!r} lacks {', '.join(missing)}, which {pair.label} needs; "
                          "pick two stacks that both have the pair (README: coverage)")
    return stacks.resolve(pair.requires, constraints=stack.pins, overrides=_overrides(pair, stack))


def plan(pair: registry.Pair, before: Stack, after: Stack, only: Sequence[str] = ()) -> Search:
    """The steps from `before` to `after` for `pair`: one per package its pins differ in.

    `only`: move just these packages (normalized names); the default is every
    package that is in both and differs. A package new in B, or gone from it,
    cannot move alone: it comes and goes with the package that needs it.
    """
    a, b = pair_pins(pair, before), pair_pins(pair, after)
    changes = stacks.version_changes(a, b)
    if not changes:
        raise ConfigError(f"{pair.label} has the same versions in {before.name} and {after.name}: "
                          "there is no package change to find")
    wanted = {normalize(name) for name in only}
    unknown = [name for name in only if normalize(name) not in {c.name for c in changes}]
    if unknown:
        raise ConfigError(f"--packages: {', '.join(unknown)} do not differ between the stacks for {pair.label} "
                          f"(those that do: {', '.join(c.name for c in changes)})")
    overrides = {**_overrides(pair, before), **_overrides(pair, after)}
    steps = [Step(BEFORE, a, overrides=_relevant(overrides, a))]
    not_moved: dict[str, str] = {}
    stamp = _cutoff(after)
    for change in changes:
        if wanted and change.name not in wanted:
            continue
        if change.old is None or change.new is None:
            not_moved[change.name] = f"{'new in' if change.old is None else 'gone from'} {after.name}: " \
                                     "it moves with the package that needs it"
            continue
        moved = f"{change.name}=={change.new}"
        # An overridden package is moved by its override: an override replaces every requirement of it.
        lines = [moved if name == change.name else name for name in overrides]
        try:
            pins = stacks.resolve([*pair.requires, moved], stamp=stamp, preferred=a, overrides=lines)
        except StackbenchError as error:
            not_moved[change.name] = f"A with {change.name} {change.new} does not resolve: " \
                                     f"{str(error).splitlines()[-1]}"
            continue
        moves = stacks.version_changes(a, pins)
        if not moves:
            not_moved[change.name] = f"A with {change.name} {change.new} resolves to A unchanged"
            continue
        steps.append(Step(change.name, pins, tuple(_moves_first(change.name, moves)), _relevant(overrides, pins)))
    steps.append(Step(AFTER, b, tuple(changes), _relevant(overrides, b)))
    return Search(pair, before, after, steps, not_moved)


def _relevant(overrides: dict[str, str], pins: dict[str, str]) -> dict[str, str]:
    return {name: why for name, why in overrides.items() if name in pins}


def _moves_first(name: str, changes: list[VersionChange]) -> list[VersionChange]:
    return sorted(changes, key=lambda c: (c.name != name, c.name))


def _cutoff(stack: Stack) -> str:
    """The instant `stack` was resolved at: a step resolves against nothing newer."""
    if stack.cutoff is None:
        raise ConfigError(f"{stack.path} has no '# as-of:' line; lock it with tools/lock_stack.py")
    return stack.cutoff


# -- measuring ----------------------------------------------------------------

@dataclass(frozen=True)
class Built:
    step: Step
    python: str | None
    error: str = ""


def build(search: Search, folder: Path) -> list[Built]:
    """Each step's environment (built once, reused by its pins); a step that fails to build says why."""
    built = []
    for step in search.steps:
        try:
            python = stacks.pinned_environment(folder, f"culprit-{normalize(step.name)}", step.pin_file())
        except StackbenchError as error:
            built.append(Built(step, None, str(error)))
        else:
            built.append(Built(step, python))
    if built[0].python is None or built[-1].python is None:
        failed = built[0] if built[0].python is None else built[-1]
        raise ConfigError(f"could not build stack {failed.step.name}'s environment for {search.pair.label}:\n"
                          f"{failed.error}")
    return built


def measure(search: Search, built: list[Built], workloads: tuple[Workload, ...], settings: Settings,
            workdir: Path, progress: runner.Progress | None = None) -> runner.Session:
    """One session: every built step's environment serving the pair, taking turns."""
    jobs = [runner.Job(search.pair, workloads, python=b.python, tag=b.step.name) for b in built if b.python]
    where = runner.Environment(built[0].python or "", workdir)
    return runner.run_session(jobs, settings, where, rounds=settings.rounds, progress=progress)


def count(search: Search, built: list[Built], connections: int, settings: CountSettings, workdir: Path,
          say: Callable[[str], None] = lambda line: None) -> CountSession:
    """Every built step's environment serving the pair, counted under Callgrind, `settings.workers` at once."""
    jobs = [CountJob(search.pair, b.python, tag=b.step.name) for b in built if b.python]
    return count_jobs(jobs, workdir=workdir, settings=replace(settings, connections=(connections,)), say=say)


# -- judging ------------------------------------------------------------------

SECONDS = "seconds"  # the wall-clock metric: seconds per request, several launches a step
COUNTED = ("instructions", "estimated_cycles", "syscalls")  # per request, one exact value a step


@dataclass(frozen=True)
class Verdict:
    """One step under one workload, against A."""

    step: Step
    samples: tuple[float, ...]  # seconds per request, one per launch; or the one count per request
    median: float | None
    mark: str  # comparison's marks: WORSE, BETTER, SAME, INSIGNIFICANT, or "failed"
    share: float | None  # (step - A) / (B - A): how much of the whole change it carries
    reason: str = ""
    metric: str = SECONDS

    @property
    def requests_per_second(self) -> float | None:
        return 1 / self.median if self.median and self.metric == SECONDS else None

    def figure(self) -> str:
        """The step's figure as a reader wants it: requests per second, or the count per request."""
        if self.median is None:
            return "failed"
        if self.metric == SECONDS:
            return f"{1 / self.median:,.0f} req/s"
        precision = 2 if self.metric == "syscalls" else 0
        return f"{self.median:,.{precision}f} {self.metric.replace('_', ' ')}/request"


def samples(session: runner.Session, tag: str, key: runner.Key) -> tuple[tuple[float, ...], str]:
    """Seconds per request of every launch of `tag` at `key` in the session, or why there are none."""
    found, reason = [], ""
    for round_ in session.rounds:
        outcome = round_.get(key, tag)
        if outcome is None:
            continue
        if outcome.status != "measured":
            reason = reason or f"{outcome.status}: {outcome.reason.splitlines()[0] if outcome.reason else ''}"
        found += [s.result.seconds_per_request for s in outcome.samples]
    return tuple(found), reason


def judge(search: Search, session: runner.Session, key: runner.Key, factor: float,
          built: Sequence[Built] = ()) -> list[Verdict]:
    """Every step at `key` against A, with its share of the A -> B change."""
    errors = {b.step.name: b.error for b in built if b.error}
    measured = {step.name: samples(session, step.name, key) for step in search.steps}
    base, end = measured[BEFORE][0], measured[AFTER][0]
    a = statistics.median(base) if base else None
    b = statistics.median(end) if end else None
    verdicts = []
    for step in search.steps:
        found, reason = measured[step.name]
        if not found:
            verdicts.append(Verdict(step, (), None, "failed", None,
                                    errors.get(step.name) or reason or "not measured"))
            continue
        median = statistics.median(found)
        mark = comparison.mark(base, found, factor) if base and step.name != BEFORE else comparison.SAME
        share = (median - a) / (b - a) if a is not None and b is not None and b != a else None
        verdicts.append(Verdict(step, found, median, mark, share, reason))
    return verdicts


def judge_counts(search: Search, session: CountSession, scenario: str, connections: int, metric: str,
                 factor: float, built: Sequence[Built] = ()) -> list[Verdict]:
    """Every step's count per request at (scenario, connections) against A's, by factor alone.

    A count is exact (the same commit and stack count within 0.2% run after
    run), so there is no interval to test: asv's own rule for a single value
    (`comparison.mark_exact`) decides, as `asv compare` does on bench_counts.
    """
    if metric not in COUNTED:
        raise ConfigError(f"metric {metric!r}: counts are {', '.join(COUNTED)}")
    errors = {b.step.name: b.error for b in built if b.error}
    values: dict[str, tuple[float | None, str]] = {}
    for outcome in session.pairs:
        workload = next((w for w in outcome.counted.workloads
                         if w.scenario == scenario and w.connections == connections), None) \
            if outcome.counted is not None else None
        value = getattr(workload, metric) if workload is not None else None
        reason = outcome.reason or ("" if value is not None else
                                    f"{metric} not taken (estimated cycles need STACKBENCH_COUNT_CYCLES=1)")
        values[outcome.tag] = (value, reason)
    a, _ = values.get(BEFORE, (None, ""))
    b, _ = values.get(AFTER, (None, ""))
    verdicts = []
    for step in search.steps:
        value, reason = values.get(step.name, (None, errors.get(step.name, "not counted")))
        if value is None:
            verdicts.append(Verdict(step, (), None, "failed", None, errors.get(step.name) or reason, metric))
            continue
        mark = comparison.mark_exact(a, value, factor) if a is not None and step.name != BEFORE else comparison.SAME
        share = (value - a) / (b - a) if a is not None and b is not None and b != a else None
        verdicts.append(Verdict(step, (value,), value, mark, share, reason, metric))
    return verdicts


def culprits(verdicts: Sequence[Verdict]) -> list[Verdict]:
    """The steps significantly slower than A, the largest share first (B itself excluded)."""
    slower = [v for v in verdicts if v.step.name not in (BEFORE, AFTER) and v.mark == comparison.WORSE]
    return sorted(slower, key=lambda v: -(v.share or 0.0))


def sentence(verdicts: Sequence[Verdict], before: str, after: str) -> str:
    """The answer in one sentence, as the README quotes it."""
    by_name = {v.step.name: v for v in verdicts}
    a, b = by_name.get(BEFORE), by_name.get(AFTER)
    if a is None or b is None or a.median is None or b.median is None:
        return "A or B could not be measured: no answer"
    change = f"{before} -> {after}: {a.figure()} -> {b.figure()}"
    if b.mark != comparison.WORSE:
        return f"{change}; B is not significantly costlier than A, so there is nothing to attribute"
    found = culprits(verdicts)
    if not found:
        return f"{change}; no single package change is significantly costlier than A on its own " \
               "(the slowdown needs several changes together)"
    return f"{change}; " + "; ".join(
        f"{v.step.name} ({', '.join(str(m) for m in v.step.moves)}) alone: "
        f"{v.figure()}, {_percent(v.share)} of the change" for v in found)


def _percent(share: float | None) -> str:
    return "?" if share is None else f"{share:.0%}"
