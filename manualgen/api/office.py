"""LibreOffice, which lays out the manual and converts Word to PDF: found, started warm
for one command, or shared by every command of a user (`manualgen office start`).

Light on purpose: a command starts its LibreOffice before it imports its job, so the
office comes up while the job loads.
"""

from __future__ import annotations

from pathlib import Path

from manualgen.services.office import (
    Office,
    find_soffice,
    find_uno_python,
    lanes_for_machine,
    shared_status,
    start_shared,
    stop_shared,
)

__all__ = ["Office", "find_soffice", "find_uno_python", "lanes_for_machine",
           "shared_status", "start_shared", "stop_shared", "needed_for_submission"]


def needed_for_submission(folder: Path) -> bool:
    """Whether a submission folder holds Word samples, which only LibreOffice converts."""
    from manualgen.submission.intake import has_word_files

    return has_word_files(folder)
