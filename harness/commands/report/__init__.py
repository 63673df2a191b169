"""Reports of a verify run: junit.xml, report.md, report.html (with plots) and evidence.json."""

from harness.commands.report.model import Plot, RunInfo, exit_code, gate_word, passed
from harness.commands.report.write import write_reports

__all__ = ["Plot", "RunInfo", "exit_code", "gate_word", "passed", "write_reports"]
