"""The tenant's publication policy: one question, "may this artifact be published?", answered by plugins.

With no plugin answering, nothing is published: the platform fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..plugins import get_plugin_manager

# The artifacts a publication can be (the `flask publications build --artifact` names), and the one that never is:
# employee results are asked about only so that the refusal names its clause.
ARTIFACTS = ("appeals_analysis", "survey_summary", "you_said_we_did", "employee_survey_summary")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    clause: str = ""


NOT_CONFIGURED = Decision(False, "no publication rule for this artifact")


def decide(tenant, artifact: str) -> Decision:
    if artifact not in ARTIFACTS:
        raise ValueError(f"unknown artifact {artifact!r}; expected one of {', '.join(ARTIFACTS)}")
    answer = get_plugin_manager().call(tenant, "otklik_publication_decision", artifact=artifact)
    return answer or NOT_CONFIGURED
