"""A sample file sent from a browser (the Submission page, the phone app): what kind it
really is, the date a photo was taken, its dated name, a photo turned upright.

The functions are the submission job's own (`submission.uploads`, `submission.intake`),
named here for the front ends.
"""

from __future__ import annotations

from manualgen.submission.intake import kind_of as sample_kind
from manualgen.submission.uploads import check_upload as check
from manualgen.submission.uploads import dated_name, photo_date, rotate_photo

__all__ = ["check", "sample_kind", "photo_date", "dated_name", "rotate_photo"]
