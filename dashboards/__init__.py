"""The workshop dashboard and the room (Solara apps), their server and their reports.

Mesa's visualisation package, which the dashboard builds on, imports Altair, and Altair imports jsonschema's
format checkers. Where rfc3987-syntax is installed (JupyterLab's dependencies bring it), that import builds an
Earley parser for internationalised URIs: about 2 s of every dashboard and room start (4.4 s -> 2.2 s to import
the app here). The dashboard draws its own Vega charts and checks no IRI, so its processes do without that
one format checker: jsonschema skips a checker whose library it cannot import.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
