"""The declared shapes of the standard metrics (DOMAIN.md: the six appeals monitoring metrics, the redirected
share of Vladimir 22.5, the segments of Omsk 14.4, and the survey metrics of Omsk 13 and the Vladimir form).

The built-in plugins attach these to their metric definitions; the Centre builds its comparison from the same
declarations, so a figure means one thing wherever it is read.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .shapes import (
    DOC,
    OWN,
    Breakdown,
    ChartSpec,
    Count,
    Field,
    Part,
    Prevalence,
    Questionnaires,
    Rates,
    Record,
    Stats,
    SurveyList,
    Themes,
)

# Appeals (Nenets 9, Omsk 14, Astrakhan 5.2, Vladimir 22).
TOTAL = Count(sheet="Всего")
BY_KIND = Breakdown(sheet="Виды")
BY_CHANNEL = Breakdown(codes="channel", sheet="Каналы",
                       chart=ChartSpec("pie", _l("Channel shares"), ("share", "count"), top=None))
REASONS = Breakdown(label="reason", codes="text", free_text=True, sheet="Причины",
                    extra=(Field("reasons", _l("Different reasons"), "int", optional=True),),
                    chart=ChartSpec("bar", _l("Main reasons"), ("count", "share")))
BY_TOPIC = Breakdown(codes="code", sheet="Темы", chart=ChartSpec("bar", _l("Topics with the most appeals"),
                                                                  ("count", "share")))
BY_SECTION = Breakdown(codes="code", sheet="Разделы",
                       chart=ChartSpec("bar", _l("Sections of the classifier"), ("count", "share")))
BY_THEMATIC = Breakdown(codes="code", sheet="Тематики")
BY_PROCESS = Breakdown(codes="text", sheet="Процессы",
                       chart=ChartSpec("bar", _l("Processes with the most appeals"), ("count", "share")))
WAIT_DISTRIBUTION = Breakdown(label="bucket", codes="text", total=OWN + "answered", label_title=_l("Days"))
WAITING_DAYS = Record(
    (Field("answered", _l("Answered, count"), "int"),
     Field("mean", _l("Mean"), "num", rests_on="answered"),
     Field("median", _l("Median"), "num", rests_on="answered"),
     Field("p90", _l("90th percentile"), "num", rests_on="answered"),
     Field("within_30", _l("Answered within 30 days"), "int", optional=True),
     Field("within_30_share", _l("Share answered within 30 days"), "share", rests_on="within_30")),
    base="answered", parts=(Part(("within_30",), OWN + "answered"),),
    nested={"distribution": WAIT_DISTRIBUTION}, sheet="Время ожидания",
    chart=ChartSpec("column", _l("Waiting time for an answer"), ("count", "share", "mean", "median", "p90"),
                    top=None))
COMPLAINTS = Record(
    (Field("total", _l("Total"), "int"),
     Field("satisfied", _l("Satisfied"), "int"),
     Field("satisfied_share", _l("Share satisfied"), "share", rests_on="satisfied"),
     Field("unsatisfied", _l("Unsatisfied"), "int"),
     Field("unsatisfied_share", _l("Share unsatisfied"), "share", rests_on="unsatisfied")),
    parts=(Part(("satisfied", "unsatisfied"), OWN + "total"), Part(("total",), DOC + "total")),
    sheet="Жалобы")
REDIRECTED = Record(
    (Field("count", _l("Count"), "int"), Field("share", _l("Share"), "share", rests_on="count")),
    parts=(Part(("count",), DOC + "total"),), sheet="Перенаправлено")
# Unsatisfied complaints per topic and per process, of that topic's or process's complaints (what the pain map
# proposes as candidate pains: issue 11, item 3).
UNSATISFIED_BY_TOPIC = Rates(codes="code", count_title=_l("Unsatisfied"), of_title=_l("Complaints"),
                             sheet="Жалобы по темам")
UNSATISFIED_BY_PROCESS = Rates(codes="text", count_title=_l("Unsatisfied"), of_title=_l("Complaints"),
                               sheet="Жалобы по процессам")
BY_SEGMENT_APPEALS = Breakdown(sheet="Сегменты", chart=ChartSpec("bar", _l("Client segments"), ("count", "share")))

# Surveys (Omsk 13, Vladimir appendix; employees: the small-group rule).
SURVEY = SurveyList()
RESPONSES = Count(sheet="Ответы")
SURVEY_CHANNELS = Breakdown(total=DOC + "responses", codes="channel", sheet="Каналы",
                            chart=ChartSpec("pie", _l("Channel shares"), ("share", "count"), top=None))
CSAT = Stats(sheet="CSAT", chart=ChartSpec("bar", _l("Mean satisfaction per question"), ("mean", "share_4_5")))
QUESTIONNAIRES = Questionnaires(CSAT, sheet="Варианты ответов")
PARAMETERS = Stats(sheet="Параметры",
                   chart=ChartSpec("bar", _l("Satisfaction with parameters (mean, 1-5)"), ("mean", "share_4_5")))
NEGATIVE = Record(
    (Field("answers", _l("Answers"), "int"), Field("count", _l("Count"), "int"),
     Field("share", _l("Share"), "share", rests_on="count")),
    base="answers", parts=(Part(("count",), OWN + "answers"),), sheet="Негативные ответы")
_GROUP_FIELDS = dict(
    count=Field("responses", _l("Responses"), "int"), share=False,
    extra=(Field("csat_mean", _l("Mean satisfaction"), "num", rests_on="responses"),
           Field("share_4_5", _l("Share of 4 and 5"), "share", rests_on="responses")))
BY_OBJECT = Breakdown(total=DOC + "responses", codes="text", sheet="Объекты",
                      chart=ChartSpec("bar", _l("Objects of feedback"), ("responses",)), **_GROUP_FIELDS)
BY_SEGMENT_SURVEYS = Breakdown(total=DOC + "responses", sheet="Сегменты",
                               chart=ChartSpec("bar", _l("Client segments"), ("responses",)), **_GROUP_FIELDS)
INFORMED = Record(
    (Field("answered", _l("Answered the question"), "int"), Field("count", _l("Informed"), "int"),
     Field("share", _l("Share informed"), "share", rests_on="count")),
    base="answered", parts=(Part(("count",), OWN + "answered"),), sheet="Информированность")
# The standard indicators (vocabulary.SURVEY_INDICATORS) as counts, so the Centre can pool and compare them.
INDICATORS = Rates(codes="indicator", count_title=_l("Answers of 4-5 (or yes)"), of_title=_l("Answered the question"),
                   sheet="Показатели", chart=ChartSpec("bar", _l("Standard indicators: share of 4-5"), ("share",)))
PREVALENCE = Prevalence(sheet="Распространенность",
                        chart=ChartSpec("bar", _l("Prevalence of problems"), ("percent", "count")))
THEMES = Themes(sheet="Открытые ответы", chart=ChartSpec("bar", _l("Themes of open answers"), ("count", "share")))

# The titles of the standard metrics, as sections read them.
TITLES = {
    "total": _l("Appeals and complaints registered"),
    "by_kind": _l("By kind"),
    "by_channel": _l("By channel"),
    "reasons": _l("Main reasons"),
    "by_topic": _l("By topic of the classifier"),
    "by_section": _l("By section of the classifier"),
    "by_thematic": _l("By thematic of the classifier"),
    "by_process": _l("By process of the catalogue"),
    "unsatisfied_by_topic": _l("Unsatisfied complaints by topic"),
    "unsatisfied_by_process": _l("Unsatisfied complaints by process"),
    "waiting_days": _l("Waiting time for an answer, days"),
    "complaints": _l("Satisfied and unsatisfied complaints"),
    "redirected": _l("Redirected to the competent body"),
    "by_segment": _l("By client segment"),
    "survey": _l("Surveys of the period"),
    "responses": _l("Responses"),
    "questionnaires": _l("Satisfaction (CSAT) per question"),
    "csat": _l("Satisfaction (CSAT) per question"),
    "choices": _l("Answers to choice questions"),
    "parameters": _l("Satisfaction with parameters"),
    "negative": _l("Negative answers (1-2 of 5)"),
    "by_object": _l("By object of feedback"),
    "informed": _l("Informed"),
    "indicators": _l("Standard indicators (compared by the Centre)"),
    "prevalence": _l("Prevalence of problems"),
    "themes": _l("Open answers: themes"),
}
