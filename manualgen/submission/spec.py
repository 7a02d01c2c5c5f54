"""Package definitions (`packages/*.yaml`): which categories a submission has, in order.

Nothing about the categories lives in code: the packager reads their folders, titles,
minimum samples and applicability from here, so NSNY can change them or add a package.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from manualgen.errors import fail
from manualgen.inputs.models import Strict, Text, validate
from manualgen.inputs.program import ProgramRules
from manualgen.io import load_yaml

DEFAULT_PACKAGE = "annual-documentation-review"
GENERATORS = ("year_end_summary",)          # reports the toolkit can generate
_FOLDER = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ApplicableWhen(Strict):
    setting: str | None = None      # submission.yaml key deciding it when present
    activity: str | None = None     # else: the activity log has this activity in the period


class Category(Strict):
    folder: str | None = None
    title: Text
    evidence: Text
    min_samples: int | None = Field(default=None, ge=0)
    status: Literal["required", "if_applicable"] = "required"
    element: int | None = None
    applicable_when: ApplicableWhen | None = None
    generated: Literal[GENERATORS] | None = None  # type: ignore[valid-type]
    # The activity a sample of this category records (an inspection report records an
    # inspection): the web app offers it for the activity log instead of asking again.
    activity: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Category:
        if self.generated is None and not self.folder:
            raise ValueError("a category needs a folder unless it is generated - "
                             "add folder: some-name")
        if self.folder is not None and not _FOLDER.match(self.folder):
            raise ValueError(f"folder {self.folder!r} must be lower case letters, digits "
                             "and hyphens - write it like site-inspections")
        if self.generated and self.folder:
            raise ValueError("a generated category has no folder - remove folder")
        return self

    @property
    def key(self) -> str:
        """Stable id: the folder, or the generator's name."""
        return self.folder or str(self.generated)

    def minimum(self, rules: ProgramRules) -> int:
        return self.min_samples if self.min_samples is not None else \
            rules.default_samples_per_category


class PackageSpec(Strict):
    id: str
    title: Text
    short_title: Text
    submitted_to: Text
    description: Text
    declaration: Text
    cycle_item: str | None = None   # the due item of program.yaml's cycle this package answers
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> PackageSpec:
        keys = [c.key for c in self.categories]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"categories repeat {', '.join(dupes)} - "
                             "give each category its own folder")
        return self

    @property
    def folders(self) -> list[str]:
        return [c.folder for c in self.categories if c.folder]


def package_path(name: str | Path, packages_dir: Path) -> Path:
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        return path
    return packages_dir / f"{name}.yaml"


def load_package(name: str | Path, library) -> PackageSpec:
    """Read and validate a package definition of `library` (a name, or a .yaml path);
    activities named must be the program's."""
    path = package_path(name, library.packages_dir)
    rules: ProgramRules | None = library.rules
    if not path.is_file():
        raise fail(path, "package definition not found",
                   fix="check the package name, or the library given with --library")
    doc = load_yaml(path)
    spec = validate(PackageSpec, doc)
    if rules is not None:
        for i, cat in enumerate(spec.categories):
            named = [(("categories", i, "activity"), cat.activity)]
            if cat.applicable_when:
                named.append((("categories", i, "applicable_when", "activity"),
                              cat.applicable_when.activity))
            for key, act in named:
                if act and act not in rules.activities:
                    raise fail(path, f"unknown activity {act!r}", line=doc.line(key),
                               field=".".join(str(k) for k in key),
                               fix="use one of: " + ", ".join(rules.activities))
    return spec
