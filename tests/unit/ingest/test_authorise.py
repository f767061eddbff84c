"""services.ingest.authorise: one authorisation for every door where departments publish."""
from __future__ import annotations

import pytest

from events.catalogue import OWNERS, PROCEDURE_ISSUERS
from events.codec import validate_object
from helpers import DEFAULT_PAYLOADS, event, retraction
from services.ingest.authorise import (
    DEFAULT_POLICY, Context, Policy, Publisher, authorise, load_policy, region_from_code, within,
)
from services.log.store import Known


def as_event(event_type: str, department: str, **fields):
    if event_type == "ProcedureApproved" and "procedure" not in fields:  # one this department issues
        fields["procedure"] = next((p for p, issuers in PROCEDURE_ISSUERS.items() if department in issuers),
                                   "approval_filing")
        fields["schema_version"] = 2
    return validate_object(event(event_type, source={"department": department, "system": "t"}, **fields))


def reason(event, department, policy=DEFAULT_POLICY, context=None, territory=("",)):
    refusal = authorise(event, Publisher(department, territory), policy, context)
    return None if refusal is None else refusal.reason


@pytest.mark.parametrize("event_type", [t for t, owners in OWNERS.items() if owners and t in DEFAULT_PAYLOADS])
def test_each_type_is_allowed_to_its_owners_and_no_one_else(event_type):
    for department in OWNERS[event_type]:
        assert reason(as_event(event_type, department), department) is None
    outsider = "supervision" if "supervision" not in OWNERS[event_type] else "stats"
    assert reason(as_event(event_type, outsider), outsider) == \
        f"{outsider} may not publish {event_type} (owned by {', '.join(sorted(OWNERS[event_type]))})"


def test_the_department_must_be_the_events_own():
    refusal = authorise(as_event("ConstructionStarted", "project_center"), Publisher("stats"))
    assert refusal.field == "source.department" and "is not the publishing department" in refusal.reason


def test_any_department_may_report_a_resolution():
    assert reason(as_event("ProblemResolved", "housing"), "housing") is None


def known(event_type, department, project_id="2501-140522-04-01-000123"):
    return Known(event_type, department, project_id, None)


def test_retractions_belong_to_the_retracted_events_owner_or_publisher():
    retracting = as_event("EventRetracted", "stats")
    target = str(retracting.payload.retracted_event_id)
    context = lambda t, d: Context({target: known(t, d)})  # noqa: E731
    assert reason(retracting, "stats", context=context("StatsEntryReturned", "stats")) is None
    assert reason(retracting, "stats", context=context("InvestmentReported", "project_center")) is None  # co-owner
    assert "may not retract a ConstructionStarted" in reason(
        retracting, "stats", context=context("ConstructionStarted", "project_center"))
    assert "not in the log" in reason(retracting, "stats")


def test_a_custom_policy():
    narrow = Policy({"ConstructionStarted": frozenset({"ndrc"})})
    assert reason(as_event("ConstructionStarted", "ndrc"), "ndrc", narrow) is None
    assert reason(as_event("ConstructionStarted", "project_center"), "project_center", narrow) is not None
    assert DEFAULT_POLICY.owners["ConstructionStarted"] == frozenset({"project_center"})


def test_regions():
    assert region_from_code("2501-140522-04-01-000123") == "140522"
    assert region_from_code("P-1") is None
    assert region_from_code("2501-１４０５２２-04") is None  # ASCII digits only
    assert within("140522", ["1405"]) and within("140522", ["140522"]) and not within("140521", ["140522"])
    assert not within(None, [""])


def test_the_policy_file_is_the_domain_table():
    policy = load_policy()
    owners = {t: d for t, d in policy.owners.items() if d}
    assert owners == {t: d for t, d in DEFAULT_POLICY.owners.items() if d}
    assert policy.any_department == DEFAULT_POLICY.any_department


def _check(obj, policy=None, context=None):
    ev = validate_object(obj)
    return reason(ev, ev.source.department, policy or load_policy(), context)


def test_departments_publish_only_their_own_types():
    assert _check(event("ProjectRegistered")) is None
    assert "stats may not publish ProjectRegistered" in _check(
        event("ProjectRegistered", source={"department": "stats", "system": "x"}))
    assert _check(event("ProblemResolved", source={"department": "ecology", "system": "x"})) is None


def test_a_retraction_is_for_the_owner_of_the_retracted_event():
    target = event("ConstructionStarted")
    mine = retraction(target, source={"department": "project_center", "system": "x"})
    theirs = retraction(target, source={"department": "stats", "system": "x"})
    logged = Context({target["event_id"]: known("ConstructionStarted", "project_center")})
    assert _check(mine, context=logged) is None
    assert "may not retract" in _check(theirs, context=logged)
    assert "not in the log" in _check(mine)


def test_region_prefixes_restrict_a_department(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[departments.ndrc]\ntypes = ["ProjectRegistered", "AnnualPlanAdopted", "TargetSet"]\n'
                    'regions = ["1405"]\n')
    policy = load_policy(path)
    assert _check(event("ProjectRegistered"), policy) is None  # 140522 is in 1405
    assert "outside" in _check(event("ProjectRegistered", region="140100"), policy)
    assert "outside" in _check(event("TargetSet", region="14"), policy)
    elsewhere = Context(regions={"2501-140522-04-01-000123": "140105"})
    assert "outside" in _check(event("AnnualPlanAdopted"), policy, elsewhere)  # registered elsewhere
    assert _check(event("AnnualPlanAdopted"), policy) is None  # not registered: the code's 140522


def test_a_publishers_territory_narrows_further():
    registered = as_event("ProjectRegistered", "ndrc")
    assert reason(registered, "ndrc", territory=("140522",)) is None
    refusal = authorise(registered, Publisher("ndrc", ("140581",)))
    assert refusal.field == "payload.region" and "outside this publisher's territory" in refusal.reason


def test_bad_region_prefixes_are_refused(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[departments.ndrc]\ntypes = ["TargetSet"]\nregions = ["140"]\n')
    with pytest.raises(ValueError, match="2, 4 or 6 digits"):
        load_policy(path)


def test_a_procedure_is_approved_only_by_a_department_that_issues_it():
    eia = as_event("ProcedureApproved", "approval", procedure="eia", document_no="审批〔2025〕1号", authority="行政审批局")
    refusal = authorise(eia, Publisher("approval"))
    assert refusal.field == "payload.procedure" and "approval does not issue eia (issued by ecology)" in refusal.reason
    assert reason(as_event("ProcedureApproved", "ecology", procedure="eia"), "ecology") is None


def test_the_channel_is_the_identity_on_the_bus():
    registered = as_event("ProjectRegistered", "ndrc")
    refusal = authorise(registered, Publisher("stats", channel="projfacts.submissions.stats"))
    assert refusal.field == "source.department"
    assert refusal.reason == ("source.department 'ndrc' is not the publishing department 'stats' "
                              "(it came in on stats's channel projfacts.submissions.stats)")
    assert authorise(registered, Publisher("ndrc", channel="projfacts.submissions.ndrc")) is None


def test_a_projects_region_is_fixed_by_its_code_and_its_first_registration():
    squatting = as_event("ProjectRegistered", "ndrc", project_id="2501-140581-04-01-000001", region="140522")
    refusal = authorise(squatting, Publisher("ndrc", ("140522",)))
    assert refusal.field == "payload.region" and "not the region in the project code" in refusal.reason
    assert "(140581)" in refusal.reason
    assert authorise(squatting, Publisher("ndrc")) is not None  # whoever tries it
    genuine = as_event("ProjectRegistered", "ndrc", project_id="2501-140581-04-01-000001", region="140581")
    assert authorise(genuine, Publisher("ndrc", ("140581",))) is None
    codeless = as_event("ProjectRegistered", "ndrc", project_id="P-7", region="140522")
    assert authorise(codeless, Publisher("ndrc")) is None
    moved = as_event("ProjectRegistered", "ndrc", project_id="P-7", region="140581")
    refusal = authorise(moved, Publisher("ndrc", ("14",)), context=Context(regions={"P-7": "140522"}))
    assert refusal.field == "payload.region" and "registered in 140522" in refusal.reason
