"""The words of a company's manual as plain text, without laying out a Word file.

What a reviewer reads: every policy as rendered for the company (with the legislation it
cites), the safe job procedures, and the tables of the company's own data. `library
check` reads the test companies' manuals through it for another trade's words, and the
tests check what a reviewer expects of each.
"""

from __future__ import annotations

from dataclasses import dataclass

from manualgen.inputs.pipeline import Inputs
from manualgen.manual.build import render_policies
from manualgen.manual.company_tables import BLOCKS


@dataclass(frozen=True)
class ManualText:
    policies: dict[str, str]         # policy id -> its legislation line and body
    tables: str                      # the company's own tables, one row a line

    @property
    def all(self) -> str:
        return "\n".join([*self.policies.values(), self.tables])


def manual_text(inputs: Inputs) -> ManualText:
    policies = {}
    for r in render_policies(inputs):
        laws = r.policy.header.legislation_for(inputs.hazards)
        policies[r.policy.id] = f"# {r.policy.title}\nLegislation: {'; '.join(laws)}\n" \
            + r.markdown
    lines = []
    for element in inputs.library.elements:
        for key in element.company_data:
            block = BLOCKS[key](inputs)
            lines += [block.heading, block.intro, *(" | ".join(r) for r in block.rows)]
            if not block.rows:
                lines.append(block.empty)
    return ManualText(policies, "\n".join(lines))
