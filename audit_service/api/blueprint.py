"""The API's Blueprint: flask-smorest's, with unknown arguments refused in every location.

webargs ignores unknown query and file parameters by default; we want a typo
such as ``?fromat=`` to be a 422 that names it, so the schemas' own
``unknown = RAISE`` applies everywhere.
"""

from __future__ import annotations

from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = dict.fromkeys(FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = StrictParser()
