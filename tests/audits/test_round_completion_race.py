"""The last two audits of a round submitted at the same moment complete the round.

Under PostgreSQL's READ COMMITTED each submit once counted the other's audit as a draft, so
a round could stay open for good with every case submitted; the round row is now locked
before counting.
"""

from __future__ import annotations

import json
import threading

from audit_service.domain.audits import Answer, CriterionKey
from audit_service.extension import registries
from audit_service.services.audits import lifecycle as audit_service
from audit_service.storage.database import database
from audit_service.storage.models import Audit, SamplingRound, User
from tests.security.crash_support import build_submit_world

ROUNDS = 6


def _submit(app, plan, barrier: threading.Barrier, errors: list) -> None:
    with app.app_context():
        database.connect(reuse_if_open=True)
        try:
            audit = Audit.get_by_id(plan.audit_id)
            auditor = User.get_by_id(audit.auditor_id)
            answers = {
                CriterionKey(item["rubric"], item["criterion"]): Answer(
                    rating=item["rating"], not_applicable=item["not_applicable"],
                    na_reason=item["na_reason"], evidence=item["evidence"])
                for item in json.loads(plan.body)["answers"]
            }
            barrier.wait(timeout=30)
            audit_service.submit(auditor, audit, answers, plan.version,
                                 registries().criterion_types)
        except Exception as exc:  # reported by the test, with the others
            errors.append(exc)
        finally:
            database.close()


def test_two_last_submits_at_once_complete_the_round(app) -> None:
    with app.app_context():
        plans = build_submit_world(threads=1, iterations=ROUNDS, per_round=2)
    left_open = []
    for iteration in range(ROUNDS):
        pair = [p for p in plans if p.iteration == iteration]
        assert len(pair) == 2
        barrier, errors = threading.Barrier(2), []
        threads = [threading.Thread(target=_submit, args=(app, p, barrier, errors)) for p in pair]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        with app.app_context():
            round_ = SamplingRound.get_by_id(pair[0].round_id)
            assert all(Audit.get_by_id(p.audit_id).status == "submitted" for p in pair)
            if round_.status != "completed":
                left_open.append(round_.public_id)
    assert left_open == []
