"""Patrol, outreach and border-segment plans made from a stored score run.

* Requests (what each plan asks for, defaults and bounds): :mod:`risk.plans.requests`.
* What a commune weighs in a plan (``--demand``, default ``top_first``) and outline coverage:
  :mod:`risk.demand`.
* Pure maths: :mod:`risk.plans.covering` (maximal covering, budget selection, weight draws)
  and :mod:`risk.plans.border` (border cut into segments, segments and crossings ranked).
* Plans, each a core over frames and a thin adapter reading a workspace:
  :mod:`risk.plans.patrol`, :mod:`risk.plans.outreach`, :mod:`risk.plans.segments`; shared
  parts in :mod:`risk.plans.records` (plan records, demand points), :mod:`risk.plans.draws`
  (robustness over weight draws) and :mod:`risk.plans.scope` (one province's communes).
* Storing plans: :func:`risk.store.save_plan`, :func:`risk.store.latest_plans`.
"""
