"""The NSNY policy library: loading, selecting policies for a company, linting."""

from manualgen.inputs.library.load import Library, load_library
from manualgen.inputs.library.model import Element, FormInfo, HazardTerm, Policy, PolicyHeader

__all__ = ["Library", "load_library", "Element", "FormInfo", "HazardTerm", "Policy",
           "PolicyHeader"]
