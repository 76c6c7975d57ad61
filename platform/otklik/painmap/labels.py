"""Russian labels of the pain map's words (pages, exports and the API's readers share them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PAIN_STATUS_LABELS = {
    "new": _l("New"),
    "confirmed": _l("Confirmed"),
    "in_work": _l("In work"),
    "resolved": _l("Resolved, not yet confirmed"),
    "verified": _l("Verified by a later period"),
    "rejected": _l("Rejected"),
    "merged": _l("Merged"),
}
PAIN_KIND_LABELS = {"problem": _l("Problem"), "need": _l("Potential need")}
PRIORITY_LABELS = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
BAND_LABELS = {"high": _l("high prevalence"), "medium": _l("medium prevalence"), "low": _l("low prevalence")}
# The acts' list of uses of the results (Nenets 15, Omsk 17, Astrakhan 5.10), in the acts' words.
MEASURE_USE_LABELS = {
    "reengineering": _l("Re-engineering of a process (services, functions, control and supervision)"),
    "digital_services": _l("Services of the website or information systems"),
    "federal_portals": _l("Proposals for federal portals and systems"),
    "regulation": _l("Proposals to change regulation"),
    "own_acts": _l("The authority's own legal acts"),
    "interdepartmental": _l("Interdepartmental processes"),
    "staff_instructions": _l("Instructions for staff"),
    "applicant_explanations": _l("Explanations for applicants"),
    "internal_processes": _l("Re-engineering of internal processes"),  # Omsk 17.5
    "methodical_materials": _l("Methodical materials and explanations"),  # Omsk 17.6
}
MEASURE_STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("Under way"),
    "on_hold": _l("On hold"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
SOURCE_LABELS = {
    "survey_option": _l("Survey: answer option"),
    "survey_parameter": _l("Survey: parameter, answers of 1-2"),
    "survey_question": _l("Survey: 1-5 question, answers of 1-2"),
    "appeals_topic": _l("Appeals of a topic"),
    "appeals_reason": _l("Appeals: reason"),
    "appeals_process": _l("Appeals of a process"),
    "open_theme": _l("Open answers: theme"),
    "manual": _l("Manual source"),
    "signal": _l("Escalation signal"),
}
GROUP_LABELS = {
    "process": _l("By process"),
    "touchpoint": _l("By touchpoint"),
    "process_group": _l("By process group"),
    "life_situation": _l("By life situation"),
}
FIELD_LABELS = {
    "status": _l("Status"),
    "evidence": _l("Evidence"),
    "merged": _l("Merged pain"),
    "priority_override": _l("Priority set by the officer"),
    "priority_reason": _l("Reason for the priority"),
    "status_reason": _l("Reason for the status"),
    "wording": _l("Wording"),
    "public_wording": _l("Public wording"),
    "use": _l("Use of the results"),
    "unit": _l("Responsible unit"),
    "owner_id": _l("Owner"),
    "start_date": _l("Start"),
    "due_date": _l("Due date"),
    "progress": _l("Progress, %"),
    "result": _l("Result"),
    "measure": _l("Measure added"),
    "process_id": _l("Process"),
}
