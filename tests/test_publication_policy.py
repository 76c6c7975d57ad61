"""otklik_publication_decision: each act's publication rule, and fail-closed when nothing answers."""

import pytest

from otklik.publishing.policy import decide


@pytest.mark.parametrize(
    "profile, artifact, allowed, clause_part",
    [
        ("vladimir", "appeals_analysis", True, "45-го"),
        ("vladimir", "survey_summary", True, "п. 17"),
        ("omsk", "appeals_analysis", False, "п. 18"),
        ("astrakhan", "survey_summary", False, "п. 5.6"),
        ("nenets", "appeals_analysis", False, "п. 10"),
        ("nenets", "you_said_we_did", True, "п. 16"),
        ("nenets", "employee_survey_summary", False, "сотрудников"),
    ],
)
def test_each_authority_publishes_what_its_act_allows(app, make_tenant, profile, artifact, allowed, clause_part):
    tenant = make_tenant(profile, slug=f"{profile}-pub")
    decision = decide(tenant, artifact)
    assert decision.allowed is allowed
    assert clause_part in decision.clause


def test_nothing_is_published_without_a_publication_plugin(app, make_tenant):
    tenant = make_tenant("vladimir", slug="vlad-nopub")
    tenant.plugins = {k: v for k, v in tenant.plugins.items() if k != "publication"}
    decision = decide(tenant, "appeals_analysis")
    assert decision.allowed is False and "no publication rule" in decision.reason


def test_unknown_artifact_is_an_error(app, make_tenant):
    tenant = make_tenant("vladimir", slug="vlad-x")
    with pytest.raises(ValueError, match="unknown artifact"):
        decide(tenant, "salaries")
