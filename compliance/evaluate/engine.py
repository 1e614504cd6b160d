"""The only module that touches durable-rules. It keeps clear of the engine's known hazards
(see ../shared/notes/FIELD-NOTES.md; each has a test in tests/test_engine.py):

- one Host per process, created lazily and kept: a ruleset name can be registered once per
  Host; the Host's two background timer threads (which call the engine every 0.2 s, racing the
  caller's thread) are never started: nothing here uses timers or queued actions;
- a lock around every call: the C engine is not thread-safe;
- facts, not events (a fact fires every rule it matches), each with a unique `id`;
- one fresh session id per evaluation, deleted afterwards (the 1,025th live session crashes);
- exceptions raised inside actions are swallowed by the engine: the session state is read
  after every run and any exception there is raised as an EngineError;
- single-fact conditions only, never a rule whose only test is `$nex`;
- a fact no rule matches raises MessageNotHandledException and creates no session, and
  deleting that never-created session then segfaults (seen here): every ruleset gets a
  catch-all rule, so every fact is handled and every session exists; a fact that matched
  none of the caller's rules comes back with no outcome;
- a number that JSON writes in exponent notation (1e-05, 1e+20) segfaults the engine's
  parser (found here by the property test): such numbers are refused with an EngineError; so
  are infinity and NaN, which crash it too (a filed area of 1e308, .inf: issue 22; the readers
  refuse them with the file and line first, compliance/numbers.py, and evaluator.finite makes
  any that a computation still yields missing data); an open end of a figure's plausible range is written as
  ±compile.SENTINEL (10^15, beyond any threshold the rule schema allows). Figures are not
  rounded (a filed PUE of 1.30004 is above 1.3): JSON writes a float in fixed notation from
  0.0001 up, so a figure nearer 0 than that is given as ±TINY (compile.engine_number), which
  puts it on the same side of every threshold (0, or at least SMALLEST_THRESHOLD away);
- a rule whose condition nests `$and` within `$and` (or `$or` within `$or`) a few levels deep is
  refused when the ruleset is created ("Could not create ruleset, error code: 113", found here
  with the plausible-range conditions): conditions.py flattens them as they are built.
"""

from __future__ import annotations

import copy
import itertools
import math
import threading
from typing import ClassVar, Optional

from ..errors import EngineError

SEEN = "__seen__"
NUMBER_DECIMALS = 4          # thresholds have at most this many decimals (schema.engine_threshold)
SMALLEST_THRESHOLD = 0.001   # the smallest non-zero threshold a rule may set
TINY = 0.0001                # a non-zero figure nearer 0 than this is given to the engine as ±TINY


def _check_numbers(data) -> None:
    """Refuse floats whose JSON form uses an exponent, infinity and NaN (written Infinity / NaN,
    no "e" in them): durable-rules crashes the process on each. The last guard, whatever a figure's
    source: evaluator.finite and the readers (compliance/numbers.py) keep them out before here."""
    if isinstance(data, dict):
        for v in data.values():
            _check_numbers(v)
    elif isinstance(data, (list, tuple)):
        for v in data:
            _check_numbers(v)
    elif isinstance(data, float) and ("e" in repr(data).lower() or not math.isfinite(data)):
        raise EngineError(f"internal: number {data!r} cannot be given to the rule engine; "
                          f"give it through compile.engine_number (±{TINY} near 0, ±1e15 at most)")
_CATCH_ALL = {"all": [{"m": {"always": True}}], "run": SEEN}


class Engine:
    """A durable-rules Host plus the bookkeeping to read outcomes back."""

    _shared: ClassVar[Optional["Engine"]] = None
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        from durable import engine as durable_engine  # heavy native module: load on first use

        owner = self

        class _Host(durable_engine.Host):
            def get_action(self, action_name):
                def record(c):
                    owner._fired.setdefault(c.m["id"], []).append(action_name)
                return record

            def _run(self):
                """No background dispatch. durable-rules' Host starts two timer threads that call
                the native engine every 0.2 s (queued actions, timers) while the caller asserts
                facts in its own thread; the engine is not thread-safe, and that race segfaulted a
                test session (`rules diff`, 1 run in ~10). Facts are asserted and their actions run
                synchronously in `Engine.run`; nothing here uses timers or queued actions."""

        self._durable = durable_engine
        self._host = _Host()
        self._lock = threading.Lock()
        self._registered: set[str] = set()
        self._fired: dict[str, list[str]] = {}
        self._sessions = itertools.count(1)

    @classmethod
    def shared(cls) -> "Engine":
        """The process's engine. durable-rules' Host is process-wide state by nature (native
        timer threads, a global ruleset registry), so there is exactly one per process."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = Engine()
            return cls._shared

    def run(self, ruleset_name: str, ruleset: dict, facts: list[dict]) -> dict[str, list[str]]:
        """Assert `facts` in a fresh session of `ruleset`; return fact id -> fired action names."""
        ids = [f["id"] for f in facts]
        if len(set(ids)) != len(ids):
            raise EngineError("internal: two facts share an id")
        _check_numbers(facts)
        _check_numbers(ruleset)
        if SEEN in ruleset:
            raise EngineError(f"internal: '{SEEN}' is a reserved rule name")
        with self._lock:
            if ruleset_name not in self._registered:
                # durable-rules consumes the dicts it is given (it pops "run"): pass a copy
                self._host.set_rulesets({ruleset_name: copy.deepcopy(dict(ruleset, **{SEEN: _CATCH_ALL}))})
                self._registered.add(ruleset_name)
            sid = f"s{next(self._sessions)}"
            self._fired = {}
            try:
                self._host.assert_facts(ruleset_name, [dict(f, sid=sid, always=True) for f in facts])
                state = self._host.get_state(ruleset_name, sid)
            except self._durable.MessageNotHandledException as exc:  # cannot happen with the catch-all
                raise EngineError(f"internal: a fact was not handled ({exc})") from None
            self._host.delete_state(ruleset_name, sid)
            if state and state.get("exception"):
                raise EngineError(f"internal: a rule action failed: {state['exception']}")
            fired, self._fired = self._fired, {}
        return {fid: [a for a in fired.get(fid, []) if a != SEEN] for fid in ids}
