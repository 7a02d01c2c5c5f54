"""NSNY's hosted library: the library as a git repository, and publishing a version.

The whole library check takes about 12 s here, so publishing is tested with a check of the
changed policies (passed in, as the portal may); the whole check runs once, through
`manualgen library check --library HOME`, on the published result.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from manualgen import api
from manualgen.cli import main
from manualgen.errors import Collector, InputError, Problem, ToolError, UsageError
from manualgen.library import lint
from manualgen.library.publish import (
    Release,
    changelog_with_release,
    make_release,
    next_version,
    released_library_yaml,
    revised_policy,
)
from manualgen.resources import library_paths
from manualgen.services import library_repo
from manualgen.services.library_repo import LibraryRepo

ON = dt.date(2026, 12, 8)
WORKING_ALONE = "policy_library/policies/working-alone.md"
FIRST_AID = "policy_library/policies/first-aid.md"
PURPOSE_END = "exactly what happens when a check-in is missed."
SENTENCE = " A lone worker carries a charged radio or satellite messenger at all times."
STAFF = {"author": "Alex Advisor", "email": "alex@nsny.example"}


def quick_check(*relpaths: str):
    """The library's per-policy rules on the given files of a staged library: what a
    misspelt variable breaks, in a fraction of a second."""
    def check(staged: Path) -> list[Problem]:
        library = api.load_library(staged)
        return lint.check_policy_files([staged / p for p in relpaths], library, on=ON)
    return check


@pytest.fixture
def repo(tmp_path) -> LibraryRepo:
    return LibraryRepo.create(tmp_path / "library", library_paths(), **STAFF)


def edited(repo: LibraryRepo, path: str = WORKING_ALONE, old: str = PURPOSE_END,
           new: str = PURPOSE_END + SENTENCE) -> bytes:
    text = repo.read(path).decode()
    assert old in text
    return text.replace(old, new, 1).encode()


def header(text: str, key: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in text.splitlines()
                if line.startswith(f"{key}:"))


def status(repo: LibraryRepo) -> str:
    return repo.git("status", "--porcelain").stdout.decode()


# --------------------------------------------------------------------------- pure


@pytest.mark.parametrize(("current", "on", "expected"), [
    ("2026.2", dt.date(2026, 12, 8), "2026.3"),
    ("2026.2", dt.date(2027, 1, 5), "2027.1"),
    ("2026.9", dt.date(2026, 12, 31), "2026.10"),
    ("2027.1", dt.date(2027, 1, 5), "2027.2"),
])
def test_next_version(current, on, expected):
    assert next_version(current, on) == expected


@pytest.mark.parametrize("bad", ["2026", "v2026.2", "2026.2.1", "26.2", "2026.0", ""])
def test_next_version_refuses_other_shapes(bad):
    with pytest.raises(InputError) as err:
        next_version(bad, ON)
    problem = err.value.problems[0]
    assert problem.path == "policy_library/library.yaml" and problem.field == "version"
    assert '"2026.2"' in problem.fix


def test_released_library_yaml_keeps_every_other_byte():
    text = ('# comment: version 1\nname: X  # the name\nversion: "2026.2"   # raise it\n'
            "released: 2026-12-01\npublisher: NSNY\n")
    assert released_library_yaml(text, "2026.3", ON) == (
        '# comment: version 1\nname: X  # the name\nversion: "2026.3"   # raise it\n'
        "released: 2026-12-08\npublisher: NSNY\n")
    # unquoted, YAML would read 2026.10 as a number: the new version is quoted
    assert released_library_yaml("version: 2026.9\n", "2026.10", ON) == \
        'version: "2026.10"\nreleased: 2026-12-08\n'
    assert released_library_yaml("version: '2026.2'\nreleased: '2026-01-01'\n", "2026.3",
                                 ON) == "version: '2026.3'\nreleased: '2026-12-08'\n"
    bundled = (library_paths().policies / "library.yaml").read_text()
    out = released_library_yaml(bundled, "2026.3", ON)
    assert out == bundled.replace('version: "2026.2"', 'version: "2026.3"').replace(
        "released: 2026-12-01", "released: 2026-12-08")


def test_revised_policy_keeps_every_other_byte():
    text = (library_paths().policies / "policies" / "working-alone.md").read_text()
    assert "revision: 3\nreviewed: 2026-12-07\n" in text
    changed = revised_policy(text, on=ON, changed=True)
    assert changed == text.replace("revision: 3\nreviewed: 2026-12-07\n",
                                   "revision: 4\nreviewed: 2026-12-08\n")
    reviewed = revised_policy(text, on=ON, changed=False)
    assert reviewed == text.replace("reviewed: 2026-12-07", "reviewed: 2026-12-08")
    # a header without the fields gets them; the body's own "revision:" is not touched
    bare = "---\nid: x\ntitle: X\n---\n\nrevision: 9 in the body\n"
    assert revised_policy(bare, on=ON, changed=True) == \
        "---\nid: x\ntitle: X\nreviewed: 2026-12-08\nrevision: 2\n---\n\nrevision: 9 in the body\n"


def changelog_accepted(text: str, version: str, tmp_path: Path) -> list[Problem]:
    """What `library check`'s changelog rule says of `text` for `version`."""
    (tmp_path / "CHANGELOG.md").write_text(text)
    found = Collector()
    lint._check_changelog(SimpleNamespace(info=SimpleNamespace(version=version),
                                          root=tmp_path), found)
    return found.problems


def test_changelog_unreleased_section_becomes_the_release(tmp_path):
    text = (library_paths().policies / "CHANGELOG.md").read_text()
    assert changelog_accepted(text, "2026.3", tmp_path)          # not yet released
    out = changelog_with_release(text, "2026.3", ON, ["Working Alone revised",
                                                      "Added: a form"])
    assert changelog_accepted(out, "2026.3", tmp_path) == []
    assert "## Unreleased" not in out and "## 2026.3 - 2026-12-08\n" in out
    section = out.split("## 2026.3 - 2026-12-08\n")[1].split("\n## ")[0]
    changed = section.split("### Changed\n")[1]
    assert changed.rstrip().endswith("- Working Alone revised")
    assert "- a form\n" in section.split("### Added\n")[1].split("###")[0]
    # everything else as it was
    assert out.replace("- Working Alone revised\n", "").replace("- a form\n", "") == \
        text.replace("## Unreleased (to be published as 2026.3)", "## 2026.3 - 2026-12-08")


def test_changelog_without_unreleased_gets_a_new_section(tmp_path):
    text = "# Changelog\n\nIntro.\n\n## 2026.2 (2026-12-01)\n\n### Added\n\n- x\n"
    out = changelog_with_release(text, "2026.3", ON, ["Working Alone revised"])
    assert out == ("# Changelog\n\nIntro.\n\n## 2026.3 (2026-12-08)\n\n### Changed\n\n"
                   "- Working Alone revised\n\n## 2026.2 (2026-12-01)\n\n### Added\n\n- x\n")
    assert changelog_accepted(out, "2026.3", tmp_path) == []


def test_make_release_raises_the_revision_only_for_a_change_in_substance():
    home = library_paths().home

    def current(path: str) -> bytes:
        return (home / path).read_bytes()

    text = current(WORKING_ALONE).decode()
    changes = {WORKING_ALONE: text.replace(PURPOSE_END, PURPOSE_END + SENTENCE).encode(),
               FIRST_AID: current(FIRST_AID).replace(b"reviewed: 2026-12-07",
                                                     b"reviewed: 2026-12-05")}
    release = make_release(current, changes, [], ON)
    assert (release.version, release.released, release.base) == ("2026.3", ON, "2026.2")
    alone = release.files[WORKING_ALONE].decode()
    assert header(alone, "revision") == "4" and header(alone, "reviewed") == "2026-12-08"
    first_aid = release.files[FIRST_AID].decode()
    assert header(first_aid, "revision") == header(current(FIRST_AID).decode(), "revision")
    assert release.notes == ("Reviewed: First Aid, without change",
                             "Working Alone revised (revision 4)")
    # a browser's text box sends CRLF: the same text, so reviewed, not revised
    crlf = make_release(current, {WORKING_ALONE: text.replace("\n", "\r\n").encode()},
                        [], ON)
    assert b"\r" not in crlf.files[WORKING_ALONE]
    assert crlf.notes == ("Reviewed: Working Alone, without change",)
    with pytest.raises(UsageError):
        make_release(current, {"../etc/passwd": b"x"}, [], ON)
    with pytest.raises(UsageError):
        make_release(current, {"policy_library/library.yaml": b"x"}, [], ON)


# --------------------------------------------------------------------------- the repository


def test_create_commits_and_tags_the_shipped_version(repo, tmp_path):
    assert repo.exists and repo.version() == "2026.2"
    [tag] = repo.versions()
    assert (tag.tag, tag.commit, tag.subject) == (
        "2026.2", repo.head(), "Library 2026.2 as shipped with manualgen")
    message = repo.git("tag", "-l", "--format=%(contents)", "2026.2").stdout.decode()
    assert "24 hazard keys" in message                # the 2026.2 section of CHANGELOG.md
    assert (repo.home / "policy_library" / "test-companies").is_dir()
    assert not list(repo.home.rglob("__pycache__")) and status(repo) == ""
    assert repo.read(WORKING_ALONE) == (library_paths().policies / "policies" /
                                        "working-alone.md").read_bytes()
    with pytest.raises(FileNotFoundError):
        repo.read("policy_library/policies/no-such.md")
    with pytest.raises(UsageError, match="not empty"):
        LibraryRepo.create(repo.home, library_paths(), **STAFF)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert LibraryRepo.create(empty, library_paths(), **STAFF).version() == "2026.2"


def test_git_missing_or_failing_is_a_tool_error(repo, monkeypatch):
    with pytest.raises(ToolError, match="not a git command"):
        repo.git("frobnicate")
    monkeypatch.setattr(library_repo.shutil, "which", lambda name: None)
    with pytest.raises(ToolError, match="apt-get install git"):
        repo.head()


def test_publish_a_revised_policy(repo):
    """Staff change Working Alone's Purpose: version 2026.3, a commit and a tag; the file
    revised and reviewed; the whole library check passes on the result."""
    before = repo.head()
    started = time.monotonic()
    tag = api.library.publish(repo.home, {WORKING_ALONE: edited(repo)},
                              ["Working Alone revised"], on=ON,
                              check=quick_check(WORKING_ALONE), **STAFF)
    took = time.monotonic() - started
    assert took < 5, f"publishing took {took:.1f} s"
    assert (tag.tag, tag.subject) == ("2026.3", "Library 2026.3: Working Alone revised")
    assert tag.commit == repo.head() != before
    assert [v.tag for v in repo.versions()] == ["2026.3", "2026.2"]
    assert repo.git("rev-parse", "HEAD~1").stdout.decode().strip() == before
    author = repo.git("log", "-1", "--format=%an <%ae>").stdout.decode().strip()
    assert author == "Alex Advisor <alex@nsny.example>"
    assert status(repo) == ""
    assert sorted(repo.changed_files("2026.2")) == [
        "policy_library/CHANGELOG.md", "policy_library/library.yaml", WORKING_ALONE]

    text = (repo.home / WORKING_ALONE).read_text()
    assert SENTENCE.strip() in text
    assert header(text, "revision") == "4" and header(text, "reviewed") == "2026-12-08"
    assert repo.read(WORKING_ALONE, at="2026.2") != repo.read(WORKING_ALONE, at="2026.3")
    assert api.load_library(repo.home).info.version == "2026.3"
    changelog = (repo.home / "policy_library" / "CHANGELOG.md").read_text()
    assert "## 2026.3 - 2026-12-08" in changelog and "- Working Alone revised" in changelog

    # the whole check, once, as NSNY runs it on the portal's library
    started = time.monotonic()
    result = CliRunner().invoke(main, ["library", "check", "--library", str(repo.home),
                                       "--on", ON.isoformat(), "--json"])
    report = json.loads(result.output)
    assert result.exit_code == 0, result.output
    assert report["version"] == "2026.3" and report["errors"] == 0
    print(f"publish {took:.2f} s (quick check); library check "
          f"{time.monotonic() - started:.1f} s")


def test_a_misspelt_variable_is_refused_with_nothing_written(repo):
    before, on_disk = repo.head(), (repo.home / WORKING_ALONE).read_bytes()
    broken = edited(repo, old="how {{ company.name }} decides",
                    new="how {{ company.nmae }} decides")
    with pytest.raises(InputError) as err:
        api.library.publish(repo.home, {WORKING_ALONE: broken}, ["Working Alone revised"],
                            on=ON, check=quick_check(WORKING_ALONE), **STAFF)
    assert any("working-alone.md" in p.path and "company.nmae" in p.message
               for p in err.value.problems), err.value.render()
    assert repo.head() == before and [v.tag for v in repo.versions()] == ["2026.2"]
    assert (repo.home / WORKING_ALONE).read_bytes() == on_disk
    assert repo.version() == "2026.2" and status(repo) == ""
    assert not list((repo.home / ".git").glob("manualgen-stage-*"))


def test_two_staff_publishing_at_once_get_one_version_each(repo):
    """Each release is made under the lock, from the library as the other left it."""
    results: dict[str, object] = {}

    def slow(*paths):
        check = quick_check(*paths)

        def run(staged: Path) -> list[Problem]:
            time.sleep(0.3)                       # both threads inside publish at once
            return check(staged)
        return run

    def publish(name: str, path: str, old: str, new: str) -> None:
        try:
            results[name] = api.library.publish(
                repo.home, {path: edited(repo, path, old, new)}, [f"{name} revised"],
                on=ON, check=slow(path), **STAFF)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[name] = exc

    first_aid = repo.read(FIRST_AID).decode()
    first_line = next(line for line in first_aid.split("## Purpose\n\n")[1].splitlines()
                      if line.strip())
    threads = [threading.Thread(target=publish, args=("Working Alone", WORKING_ALONE,
                                                      PURPOSE_END, PURPOSE_END + SENTENCE)),
               threading.Thread(target=publish, args=("First Aid", FIRST_AID, first_line,
                                                      first_line + " Kits are checked."))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(isinstance(r, api.library.VersionTag) for r in results.values()), results
    assert sorted(r.tag for r in results.values()) == ["2026.3", "2026.4"]
    assert [v.tag for v in repo.versions()] == ["2026.4", "2026.3", "2026.2"]
    assert repo.version() == "2026.4" and status(repo) == ""
    changelog = (repo.home / "policy_library" / "CHANGELOG.md").read_text()
    assert "## 2026.4 - 2026-12-08" in changelog and "## 2026.3 - 2026-12-08" in changelog
    assert SENTENCE.strip() in (repo.home / WORKING_ALONE).read_text()
    assert "Kits are checked." in (repo.home / FIRST_AID).read_text()
    for version in ("2026.3", "2026.4"):           # each commit holds its own change only
        files = repo.git("show", "--name-only", "--format=", version).stdout.decode().split()
        assert len([f for f in files if "/policies/" in f]) == 1


def test_a_release_made_from_an_older_version_is_refused(repo):
    """Two releases made from 2026.2 by hand: the second is refused, never mixed in."""
    one = make_release(repo.read, {WORKING_ALONE: edited(repo)}, ["one"], ON)
    two = make_release(repo.read, {FIRST_AID: repo.read(FIRST_AID) + b"\n"}, ["two"], ON)
    repo.publish(one, check=quick_check(WORKING_ALONE), **STAFF)
    head = repo.head()
    with pytest.raises(UsageError, match="made from version 2026.2"):
        repo.publish(two, check=quick_check(FIRST_AID), **STAFF)
    assert repo.head() == head and status(repo) == ""
    forged = Release("2026.3", ON, {FIRST_AID: repo.read(FIRST_AID)}, ("again",))
    with pytest.raises(UsageError, match="published already"):
        repo.publish(forged, check=quick_check(FIRST_AID), **STAFF)
    with pytest.raises(UsageError, match="changed since version 2026.2"):
        api.library.publish(repo.home, {WORKING_ALONE: edited(repo)}, [], on=ON,
                            base="2026.2", check=quick_check(WORKING_ALONE), **STAFF)


def test_unpublished_edits_on_disk_stop_a_publish(repo):
    (repo.home / FIRST_AID).write_text("edited by hand\n")
    with pytest.raises(UsageError, match="never published"):
        api.library.publish(repo.home, {WORKING_ALONE: edited(repo)}, [], on=ON,
                            check=quick_check(WORKING_ALONE), **STAFF)


def test_a_pulled_version_is_seen_by_a_running_portal(repo, tmp_path):
    """NSNY pushes to and pulls from its own repository with plain git."""
    remote = tmp_path / "nsny.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    repo.git("remote", "add", "origin", str(remote))
    repo.git("push", "-q", "origin", "main", "--tags")
    elsewhere = tmp_path / "advisor"
    subprocess.run(["git", "clone", "-q", str(remote), str(elsewhere)], check=True)
    clone = LibraryRepo(elsewhere)
    api.library.publish(elsewhere, {WORKING_ALONE: edited(clone)}, ["pulled"], on=ON,
                        check=quick_check(WORKING_ALONE), **STAFF)
    clone.git("push", "-q", "origin", "main", "--tags")

    library = api.load_library(repo.home)
    repo.git("pull", "-q", "--ff-only", "origin", "main")
    repo.git("fetch", "-q", "--tags", "origin")
    assert library.changed() and library.reload_if_changed().info.version == "2026.3"
    assert [v.tag for v in repo.versions()] == ["2026.3", "2026.2"]


# --------------------------------------------------------------------------- the portal


def test_portal_init_makes_the_library_and_the_portal_loads_it(tmp_path):
    from manualgen.portal import ops
    from manualgen.portal.server import library_location

    root = ops.make_root(tmp_path / "data", {"MANUALGEN_PORTAL_SECRET_KEY": "x"})
    assert library_location(root, None) is None               # the bundled one
    assert library_location(root, "/elsewhere") == "/elsewhere"
    home = ops.make_library(root, None, email="admin@nsny.example")
    assert home == root / "library" and LibraryRepo(home).versions()[0].tag == "2026.2"
    assert ops.make_library(root, None, email="admin@nsny.example") is None   # kept
    assert library_location(root, "/elsewhere") == home
    assert api.load_library(library_location(root, None)).paths.home == home
    assert "library" in ops.BACKED_UP
