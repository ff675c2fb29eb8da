"""Vignettes: patterns of findings from the case files the serious case reviews describe, each
with the grade a principal social worker would give it.

Each vignette names the failure it comes from (PRODUCT.md section 1, the "seeds"), the case
type, a baseline rating for every criterion of the rubrics that apply, the ratings that differ
from it, the auditor's safety judgement, and what a principal social worker expects: the
overall grade and the limiting rules that must be shown beside it. Sound files are here too,
graded Good or Outstanding, so the rules are seen to catch failures without grading
everything down.

``before`` is the grade the same file got before the audit learnt to judge practice this
way (issue 13): the engine and the three rubrics at commit 3f43e40, rating every criterion
those rubrics had as the vignette does. Where a finding had no criterion then (safety,
assessment, children in care, care leavers), the old audit was blind to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit_service.domain.vocabulary import CaseType

CIN = CaseType.CHILD_IN_NEED
CP = CaseType.CHILD_PROTECTION
LAC = CaseType.LOOKED_AFTER
LEAVER = CaseType.CARE_LEAVER
ASSESSMENT = CaseType.OPEN_ASSESSMENT


@dataclass(frozen=True)
class Vignette:
    id: str
    title: str
    seed: str
    case_type: CaseType
    baseline: str
    ratings: dict[str, str] = field(default_factory=dict)  # "rubric.criterion": rating
    safe: str = "yes"
    grade: str = "good"
    rules: tuple[str, ...] = ()  # every rule the result must show (domain or overall)
    before: str | None = None
    closed: bool = False

    def rating(self, rubric_id: str, criterion_id: str, scored: bool) -> str:
        if not scored:
            return self.safe
        return self.ratings.get(f"{rubric_id}.{criterion_id}", self.baseline)


VIGNETTES: tuple[Vignette, ...] = (
    # --- Sound files: the rules must not grade these down ------------------------------
    Vignette(
        "sound_child_in_need", "A sound child in need file: seen alone, heard, plan reviewed",
        "control", CIN, "good",
        {"voice_of_the_child.voice_shapes_plan": "outstanding",
         "management_oversight.oversight_impact": "outstanding"},
        grade="good", before="good"),
    Vignette(
        "outstanding_child_protection",
        "A child protection file where every part of practice makes a difference",
        "control", CP, "outstanding",
        {"voice_of_the_child.participation_and_advocacy": "good",
         "reappraisal_of_past_decisions.chronology_current": "good"},
        grade="outstanding", before="outstanding"),
    Vignette(
        "sound_child_in_care", "A child in care, settled, with permanence agreed at review",
        "control", LAC, "good", {"children_in_care.life_story_work": "outstanding"},
        grade="good", before="good"),
    Vignette(
        "sound_care_leaver", "A young person with a current pathway plan and a PA in touch",
        "control", LEAVER, "good", {"care_leavers.pa_contact": "outstanding"},
        grade="good", before="good"),
    Vignette(
        "open_assessment_on_track", "An assessment under way, the child seen and heard early",
        "control", ASSESSMENT, "good", grade="good", before="good"),
    # --- The voice of the child lost ------------------------------------------------------
    Vignette(
        "not_seen_alone", "Child not seen alone and no reason recorded; otherwise sound",
        "voice of the child", CIN, "good", {"voice_of_the_child.seen_alone": "inadequate"},
        grade="requires_improvement", rules=("not_seen_alone",), before="good"),
    Vignette(
        "keanu_pattern",
        "Not seen alone, no wishes and feelings, lived experience unexplored (Keanu Williams)",
        "voice of the child", CP, "good",
        {"voice_of_the_child.seen_alone": "inadequate",
         "voice_of_the_child.wishes_and_feelings": "inadequate",
         "voice_of_the_child.lived_experience": "inadequate",
         "voice_of_the_child.voice_shapes_plan": "requires_improvement"},
        grade="inadequate", rules=("child_invisible", "not_seen_alone", "wishes_not_recorded"),
        before="good"),
    Vignette(
        "child_on_a_plan_not_seen",
        "Child on a child protection plan not seen within the statutory timescale",
        "voice of the child", CP, "good", {"voice_of_the_child.seen_within_timescales":
                                           "inadequate"},
        grade="inadequate", rules=("not_seen_statutory",), before="requires_improvement"),
    Vignette(
        "child_in_care_not_visited", "Child in care not visited within six weeks",
        "voice of the child", LAC, "good", {"voice_of_the_child.seen_within_timescales":
                                            "inadequate"},
        grade="inadequate", rules=("not_seen_statutory",), before="requires_improvement"),
    Vignette(
        "child_in_need_visits_late", "Child in need visits late against the CIN plan",
        "voice of the child", CIN, "good", {"voice_of_the_child.seen_within_timescales":
                                            "inadequate"},
        grade="requires_improvement", rules=("not_seen_within_timescales",),
        before="requires_improvement"),
    # --- Weak management oversight --------------------------------------------------------
    Vignette(
        "unmanaged_case",
        "No reflective supervision, no rationale for decisions, actions drifting",
        "management oversight", CIN, "good",
        {"management_oversight.supervision_reflective": "inadequate",
         "management_oversight.decision_rationale": "inadequate",
         "management_oversight.actions_followed_up": "inadequate",
         "management_oversight.oversight_impact": "requires_improvement"},
        grade="inadequate", rules=("unmanaged_case", "no_supervision", "drift_not_addressed",
                                   "decisions_without_rationale"), before="good"),
    Vignette(
        "drift_alone", "Sound work but actions carried forward month after month",
        "management oversight", CIN, "good",
        {"management_oversight.actions_followed_up": "inadequate"},
        grade="requires_improvement", rules=("drift_not_addressed",), before="good"),
    Vignette(
        "half_good_oversight",
        "Oversight exactly half-way between Good and Requires improvement",
        "management oversight", CIN, "good",
        {"management_oversight.decision_rationale": "requires_improvement",
         "management_oversight.manager_challenge": "requires_improvement",
         "management_oversight.oversight_impact": "requires_improvement"},
        grade="requires_improvement", before="good"),
    # --- Past decisions never reappraised ----------------------------------------------
    Vignette(
        "family_support_never_retested",
        "The conference's family support view never re-tested as the family kept moving",
        "reappraisal", CP, "good",
        {"reappraisal_of_past_decisions.plans_revisited": "inadequate",
         "reappraisal_of_past_decisions.decisions_retested": "inadequate",
         "reappraisal_of_past_decisions.cumulative_harm": "requires_improvement"},
        grade="inadequate", rules=("early_view_never_retested", "decisions_never_retested"),
        before="good"),
    Vignette(
        "cumulative_harm_missed", "Each incident judged alone; cumulative harm never analysed",
        "reappraisal", CP, "good",
        {"reappraisal_of_past_decisions.cumulative_harm": "inadequate"},
        grade="requires_improvement", rules=("cumulative_harm_missed",),
        before="requires_improvement"),
    Vignette(
        "new_adults_not_assessed",
        "A new partner in the household, never identified or checked",
        "reappraisal", CP, "good",
        {"assessment_and_planning.significant_adults_assessed": "inadequate"},
        grade="requires_improvement", rules=("significant_adults_not_assessed",), before="good"),
    # --- Cases closed or never assessed (the 145 and the 400) -------------------------
    Vignette(
        "closed_without_assessment",
        "Closed with no assessment and no recorded rationale, 'lack of capacity'",
        "closed without assessment", CIN, "good",
        {"assessment_and_planning.assessment_timely": "inadequate",
         "assessment_and_planning.assessment_analysis": "inadequate",
         "assessment_and_planning.plan_smart": "inadequate",
         "management_oversight.decision_rationale": "inadequate"},
        safe="not_sure", grade="inadequate",
        rules=("needs_never_assessed", "decisions_without_rationale", "safety_not_evidenced",
               "plan_not_smart"), closed=True, before="good"),
    Vignette(
        "never_risk_assessed", "Open for months, never risk assessed, visits irregular",
        "not risk assessed", CIN, "good",
        {"assessment_and_planning.assessment_timely": "inadequate",
         "assessment_and_planning.assessment_analysis": "inadequate",
         "voice_of_the_child.seen_within_timescales": "requires_improvement"},
        grade="inadequate", rules=("needs_never_assessed",), before="good"),
    # --- The safety judgement -------------------------------------------------------------
    Vignette(
        "child_not_safe", "A tidy file, but the auditor judges the child not safe now",
        "safety", CIN, "good", safe="no", grade="inadequate",
        rules=("child_not_safe", "safety_not_evidenced"), before="good"),
    Vignette(
        "safety_not_evidenced", "A sound file that does not show the child is safe today",
        "safety", CP, "good", safe="not_sure", grade="requires_improvement",
        rules=("safety_not_evidenced",), before="good"),
    # --- Children in care and care leavers -------------------------------------------------
    Vignette(
        "missing_not_followed_up", "Repeated missing episodes with no return home interview",
        "children in care", LAC, "good",
        {"children_in_care.missing_and_exploitation": "inadequate"},
        grade="requires_improvement", rules=("missing_not_followed_up",), before="good"),
    Vignette(
        "drift_in_care", "No permanence plan a year in; the IRO notes drift and does nothing",
        "children in care", LAC, "good",
        {"children_in_care.permanence_planned": "inadequate",
         "children_in_care.iro_oversight": "inadequate"},
        grade="requires_improvement", rules=("no_permanence_plan", "iro_not_challenging"),
        before="good"),
    Vignette(
        "young_person_lost", "No current pathway plan and no contact with a PA for months",
        "care leavers", LEAVER, "good",
        {"care_leavers.pathway_plan": "inadequate", "care_leavers.pa_contact": "inadequate"},
        grade="inadequate", rules=("lost_to_the_service", "pa_not_in_touch"), before="good"),
    Vignette(
        "unsafe_accommodation", "A young person placed in bed and breakfast",
        "care leavers", LEAVER, "good", {"care_leavers.accommodation_suitable": "inadequate"},
        grade="inadequate", rules=("unsafe_accommodation",), before="good"),
)

BY_ID = {vignette.id: vignette for vignette in VIGNETTES}
