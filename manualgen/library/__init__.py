"""NSNY's tools for the policy library: its check (lint), list, coverage, book, import,
diff, the editor's policy parts and a version to publish. The library itself is loaded
by `manualgen.inputs.library` (one loader; front ends call `api.load_library`)."""
