"""The NSNY policy library: loading, selecting policies for a company, linting."""

from manualgen.library.load import Library, load_library
from manualgen.library.model import Element, FormInfo, HazardTerm, Policy, PolicyHeader

__all__ = ["Library", "load_library", "Element", "FormInfo", "HazardTerm", "Policy",
           "PolicyHeader"]
