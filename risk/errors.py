"""Errors of the risk model: bad profiles and impossible scoring runs."""

from __future__ import annotations

from geo.errors import NotFoundError, RiskmapError


class ProfileError(RiskmapError, ValueError):
    """A profile file is unreadable or breaks the profile rules; the message names the key."""


class UnknownProfileError(NotFoundError):
    """No profile of that name exists."""


class ScoringError(RiskmapError):
    """The inputs cannot be scored (for example no commune, or no usable indicator)."""


class AsOfDateError(ScoringError, ValueError):
    """An as-of date not YYYY, YYYY-MM or YYYY-MM-DD on the calendar, or in the future."""


class PlanError(RiskmapError, ValueError):
    """A patrol or outreach plan cannot be made with these inputs (k, radius, budget...)."""


class AsOfRunError(RiskmapError, PermissionError):
    """A suppressed read (a viewer's, or an export with small counts hidden) names an as-of run.

    An as-of run counts only the records known by a date, so its counts and scores differ from
    another run's by exactly what a few people recorded since: as-of runs are for analysts.
    """
