"""Configuration and the authorisation policy file of the bus."""
from __future__ import annotations

import pytest

from events.codec import validate_object
from helpers import event, retraction
from services.ingest.authorise import MappingContext, authorise_submission, load_policy
from services.bus.config import BusConfig
from services.ingest.rules import DEFAULT_POLICY


def test_defaults_file_and_environment_in_that_order(tmp_path, monkeypatch):
    assert BusConfig.load().facts_topic == "projfacts.facts"
    path = tmp_path / "bus.toml"
    path.write_text('facts_topic = "a.facts"\npartitions = 12\nidempotent = false\n')
    monkeypatch.setenv("PROJFACTS_BUS_CONFIG", str(path))
    monkeypatch.setenv("PROJFACTS_PARTITIONS", "3")
    config = BusConfig.load(bootstrap="k1:9092,k2:9092")
    assert (config.facts_topic, config.partitions, config.idempotent) == ("a.facts", 3, False)
    assert config.client_options()["bootstrap_servers"] == ["k1:9092", "k2:9092"]
    monkeypatch.setenv("PROJFACTS_IDEMPOTENT", "maybe")
    with pytest.raises(ValueError, match="true or false"):
        BusConfig.load()


def test_unknown_settings_are_refused(tmp_path):
    path = tmp_path / "bus.toml"
    path.write_text('fact_topic = "typo"\n')
    with pytest.raises(ValueError, match="unknown bus settings: fact_topic"):
        BusConfig.load(path)


def test_the_policy_file_is_the_domain_table():
    policy = load_policy()
    owners = {t: d for t, d in policy.rules.owners.items() if d}
    assert owners == {t: d for t, d in DEFAULT_POLICY.owners.items() if d}
    assert policy.rules.any_department == DEFAULT_POLICY.any_department


def _check(obj, policy=None, context=None):
    return authorise_submission(validate_object(obj), policy or load_policy(), context or MappingContext())


def test_departments_publish_only_their_own_types():
    assert _check(event("ProjectRegistered")) is None
    assert "stats may not publish ProjectRegistered" in _check(
        event("ProjectRegistered", source={"department": "stats", "system": "x"}))
    assert _check(event("ProblemResolved", source={"department": "ecology", "system": "x"})) is None


def test_a_retraction_is_for_the_owner_of_the_retracted_event():
    target = event("ConstructionStarted")
    mine = retraction(target, source={"department": "project_center", "system": "x"})
    theirs = retraction(target, source={"department": "stats", "system": "x"})
    known = MappingContext({target["event_id"]: ("ConstructionStarted", "project_center")})
    assert _check(mine, context=known) is None
    assert "may not retract" in _check(theirs, context=known)
    assert "not in the log" in _check(mine)


def test_region_prefixes_restrict_a_department(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[departments.ndrc]\ntypes = ["ProjectRegistered", "AnnualPlanAdopted", "TargetSet"]\n'
                    'regions = ["1405"]\n')
    policy = load_policy(path)
    assert _check(event("ProjectRegistered"), policy) is None  # 140522 is in 1405
    assert "outside" in _check(event("ProjectRegistered", region="140100"), policy)
    assert "outside" in _check(event("TargetSet", region="14"), policy)
    elsewhere = MappingContext(regions={"2501-140522-04-01-000123": "140105"})
    assert "outside" in _check(event("AnnualPlanAdopted"), policy, elsewhere)  # registered elsewhere
    assert _check(event("AnnualPlanAdopted"), policy) is None  # not registered: the code's 140522


def test_bad_region_prefixes_are_refused(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[departments.ndrc]\ntypes = ["TargetSet"]\nregions = ["140"]\n')
    with pytest.raises(ValueError, match="2, 4 or 6 digits"):
        load_policy(path)
