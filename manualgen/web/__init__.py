"""The employer's web app (`manualgen serve`): Django pages over one company folder.

A second thin caller of `manualgen.api`, beside the CLI: the pages are made from the
API's questions and reports, and every change is written into the company's folder
through its `Workspace`. `server.serve` starts it; `site.Site` is what it holds while
running; nothing of a company lives in module state.
"""
