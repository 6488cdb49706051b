"""Validation reports: each problem with its file, row (as the user sees it), column and reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file; ``row`` is None when the whole file is at fault."""

    reason: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: str = ERROR

    def where(self, file: str) -> str:
        """``file, row N, column "c"`` as far as known."""
        parts = [Path(file).name]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f'column "{self.column}"')
        return ", ".join(parts)


@dataclass
class ValidationReport:
    """What checking one file found: rows read, problems, and what would be stored."""

    file: str
    layer: str
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_stored: int | None = None
    version: str | None = None
    rejected_file: str | None = None
    #: Points of a point layer by the rule that put them in a commune (see geo.measures).
    assignment: dict[str, int] = field(default_factory=dict)

    def add(self, problems: list[Problem]) -> None:
        """Record ``problems`` in the order found; a later error on the same cell is dropped."""
        seen = {(p.row, p.column) for p in self.errors if p.row is not None}
        for problem in problems:
            cell = (problem.row, problem.column)
            if problem.row is not None and cell in seen:
                continue
            if problem.severity == ERROR:
                seen.add(cell)
            self.problems.append(problem)

    @property
    def errors(self) -> list[Problem]:
        """Problems that stop a row (or the file) from being stored."""
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that were repaired or are only worth knowing."""
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def file_errors(self) -> list[Problem]:
        """Errors about the whole file: nothing can be stored until they are fixed."""
        return [p for p in self.errors if p.row is None]

    @property
    def rejected_rows(self) -> list[int]:
        """Rows (as numbered in the file) with at least one error, ascending."""
        return sorted({p.row for p in self.errors if p.row is not None})

    @property
    def clean(self) -> bool:
        """Whether the file has no errors (warnings allowed)."""
        return not self.errors

    def counts(self) -> dict[str, int]:
        """Rows read and rejected, errors and warnings, for the summary line."""
        return {
            "rows_read": self.rows_read,
            "rows_rejected": len(self.rejected_rows),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    def lines(self) -> list[str]:
        """The report as text: one line per problem, then the counts."""
        out = [
            f"{p.where(self.file)}: {p.severity}: {p.reason}"
            + (f' (value "{p.value}")' if p.value not in (None, "") else "")
            for p in sorted(self.problems, key=lambda p: (p.row is not None, p.row or 0))
        ]
        out.extend(self.notes)
        c = self.counts()
        reasons = Counter(p.column or "file" for p in self.errors)
        by_column = ", ".join(f"{k}: {v}" for k, v in reasons.most_common())
        out.append(
            f"{Path(self.file).name}: {c['rows_read']} rows read, {c['rows_rejected']} rejected, "
            f"{c['errors']} errors, {c['warnings']} warnings"
            + (f" (errors by column: {by_column})" if by_column else "")
        )
        return out

    def to_dict(self) -> dict:
        """The report as plain JSON-ready data."""
        return {
            "file": self.file,
            "layer": self.layer,
            **self.counts(),
            "rows_stored": self.rows_stored,
            "version": self.version,
            "rejected_file": self.rejected_file,
            "assignment": dict(self.assignment),
            "notes": list(self.notes),
            "problems": [asdict(p) for p in self.problems],
        }
