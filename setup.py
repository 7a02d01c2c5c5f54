"""Build hook: the wheel carries NSNY's library, the form templates, the package
definitions and the example company as package data (manualgen/_bundled/), so a plain
`pip install` or `pipx install` works from any folder. In a checkout they stay at the top
level, where NSNY staff edit them; `manualgen.resources` finds either."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = ("policy_library", "form_templates", "packages", "examples")


class BuildWithLibrary(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return                      # an editable install reads the checkout itself
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "manualgen" / "_bundled"
        for name in BUNDLED:
            shutil.copytree(root / name, target / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))


setup(cmdclass={"build_py": BuildWithLibrary})
