"""An example third-party plugin: a traffic-light criterion type and a rubric that uses it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from audit_service.domain.rubrics import CriterionType, RatingOption, Scale
from audit_service.plugins import hookimpl

__version__ = "1.2.0"


class TrafficLight(CriterionType):
    """Green, amber or red: green scores the top of the scale, red the bottom."""

    id = "traffic_light"
    label = "Traffic light (green, amber, red)"
    _positions = {"green": Decimal(1), "amber": Decimal("0.5"), "red": Decimal(0)}

    def options(self, scale: Scale) -> tuple[RatingOption, ...]:
        return (RatingOption("green", "Green"), RatingOption("amber", "Amber"),
                RatingOption("red", "Red"))

    def score(self, rating: str, scale: Scale) -> Decimal:
        span = scale.max_score - scale.min_score
        return scale.min_score + span * self._positions[rating]


@hookimpl
def register_criterion_types():
    return [TrafficLight()]


@hookimpl
def register_rubrics():
    return [Path(__file__).parent / "rubrics"]
