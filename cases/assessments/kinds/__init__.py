"""The assessment kinds, each declared once (``definitions.Definition``) and registered here.

One module per kind; a new version of a kind is declared beside the old one (never an edit of
a shipped version: ``tests/assessments/test_definitions.py`` keeps their digests) and
registered here too."""

from ..definitions import register
from .peer_group import PEER_GROUP_V1
from .place import PLACE_V1
from .school import SCHOOL_V1
from .screening import SCREENING_V1
from .weighting import WEIGHTING_V1

register(PLACE_V1, PEER_GROUP_V1, SCHOOL_V1, SCREENING_V1, WEIGHTING_V1)
