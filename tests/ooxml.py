"""The ECMA-376 checks now live in the package (`manualgen.render.ooxml`), which checks
form templates NSNY uploads; the tests import them from here as before."""

from manualgen.render.ooxml import (  # noqa: F401
    compatible,
    order_problems,
    reference_problems,
    schema_problems,
)
