"""Reports of a verify run: junit.xml, report.md, report.html (with plots) and evidence.json."""

from harness.report.model import Plot, RunInfo, passed
from harness.report.write import write_reports

__all__ = ["Plot", "RunInfo", "passed", "write_reports"]
