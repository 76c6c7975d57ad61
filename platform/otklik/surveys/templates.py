"""Questionnaire templates: the forms the acts give, offered to officers through `otklik_questionnaire_templates`.

The texts are the acts' own (Russian): they are the questionnaire's content, not interface strings.
Every template passes `engine.validate_questions` (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    audience: str  # external | internal
    questions: list = field(default_factory=list)
    description: str = ""
    clause: str = ""  # the act the form comes from


def _opts(*pairs) -> list[dict]:
    """Options from (value, text) or (value, text, goto) tuples."""
    out = []
    for pair in pairs:
        option = {"value": pair[0], "text": pair[1]}
        if len(pair) > 2:
            option["goto"] = pair[2]
        out.append(option)
    return out


SCALE_5 = _opts(("5", "5 баллов"), ("4", "4 балла"), ("3", "3 балла"), ("2", "2 балла"), ("1", "1 балл"))
HARD = "Затрудняюсь ответить"


def q(number: int, type_: str, text: str, options=None, rows=None, required: bool = True, parameter: str = "",
      key: str | None = None, indicator: str = "") -> dict:
    out = {"key": key or f"q{number}", "number": number, "type": type_, "text": text, "required": required}
    if options is not None:
        out["options"] = options
    if rows is not None:
        out["rows"] = rows
    if parameter:
        out["parameter"] = parameter
    if indicator:
        out["indicator"] = indicator  # a standard indicator (vocabulary.SURVEY_INDICATORS) the Centre compares
    return out


VLADIMIR = Template(
    key="vladimir_appendix",
    title="Оценка удовлетворенности внешних клиентов качеством и доступностью предоставления государственных "
    "услуг/мер социальной поддержки",
    audience="external",
    clause="Приказ Минсоцзащиты Владимирской области от 03.12.2024 № 28-И, приложение к Порядку (форма анкеты)",
    description="Форма анкеты-опросника приложения № 1 к Порядку: 15 вопросов, переходы 4 → 6 и 7 → 9.",
    questions=[
        q(1, "single", "Укажите наименование государственной услуги/меры социальной поддержки, которая Вам была "
          "предоставлена (выберите из списка).",
          _opts(("child_allowance", "Ежемесячная выплата на ребенка"),
                ("housing_subsidy", "Субсидия на оплату жилого помещения и коммунальных услуг"),
                ("veteran_payment", "Ежемесячная денежная выплата ветеранам труда"),
                ("large_family", "Меры социальной поддержки многодетных семей"),
                ("social_contract", "Государственная социальная помощь на основании социального контракта"),
                ("other", "Другая услуга/мера социальной поддержки"))),
        q(2, "multiple", "Где Вы получили информацию о данной государственной услуге/мере социальной поддержке? "
          "(любое число ответов)",
          _opts(("gosuslugi", "На портале Госуслуги"),
                ("ministry_site", "На официальном сайте Министерства"),
                ("in_person", "При личном обращении в Министерство, учреждение, подведомственное Министерству"),
                ("mfc", "В многофункциональном центре предоставления государственных и муниципальных услуг "
                 "(далее - МФЦ)"),
                ("media", "В средствах массовой информации (далее - СМИ)/социальных сетях"),
                ("acquaintances", "От коллег/знакомых/работников"))),
        q(3, "scale", "Насколько Вы были удовлетворены государственной услугой/мерой социальной поддержки, которая "
          "Вам была предоставлена? Дайте оценку по 5-балльной шкале, где «1» означает, что Вы полностью не "
          "удовлетворены, оценка «5» означает, что Вы полностью удовлетворены (один ответ)",
          SCALE_5, parameter="overall", indicator="overall"),
        q(4, "single", "Каким образом Вы получили данную государственную услугу/меру социальной поддержки?",
          _opts(("gosuslugi", "При обращении посредством федеральной государственной информационной системы "
                 "«Единый портал государственных и муниципальных услуг (функций)» (gosuslugi.ru) (далее - портал "
                 "Госуслуги)"),
                ("institution", "При непосредственном обращении в учреждение социальной защиты населения "
                 "(далее – Учреждение)", 6),
                ("mfc", "При личном обращении в многофункциональный центр предоставления государственных и "
                 "муниципальных услуг", 6))),
        q(5, "scale", "Насколько Вы удовлетворены работой использованного сервиса? Дайте оценку по 5-балльной "
          "шкале, где «1» означает, что Вы полностью неудовлетворены, оценка «5» означает, что Вы полностью "
          "удовлетворены (один ответ)", SCALE_5, parameter="electronic_service"),
        q(6, "single", "Как была предоставлена государственная услуга/мера социальной поддержки? (один ответ)",
          _opts(("offered", "Услуга предложена Учреждением"),
                ("self", "Я сам(-а) обратился(-ась) в Учреждение"))),
        q(7, "yesno", "Была ли предоставлена государственная услуга/мера социальной поддержки? (один ответ)",
          _opts(("yes", "Да, услуга предоставлена", 9), ("no", "Нет, услуга не предоставлена"))),
        q(8, "yesno", "Вы скорее удовлетворены или скорее не удовлетворены полнотой (достаточностью) информирования "
          "о порядке предоставления государственной услуги/меры социальной поддержки? (один ответ)",
          _opts(("yes", "Скорее удовлетворен"), ("no", "Скорее не удовлетворен"), ("hard", HARD)),
          parameter="informed", indicator="informed"),
        q(9, "matrix", "Насколько Вы удовлетворены следующими параметрами получения государственной услуги/меры "
          "социальной поддержки? Дайте оценку по 5-балльной шкале, где «1» означает, что Вы полностью не "
          "удовлетворены, оценка «5» означает, что Вы полностью удовлетворены (один ответ по каждой строке "
          "относительно каждого параметра)",
          rows=[{"key": "clarity", "text": "Понятность и удобство подачи заявления", "parameter": "clarity",
           "indicator": "clarity"},
                {"key": "status_info", "text": "Информирование о статусе услуги", "parameter": "status_info",
                 "indicator": "status_info"},
                {"key": "documents", "text": "Оптимальность количества необходимых к предоставлению документов",
                 "parameter": "documents", "indicator": "documents"},
                {"key": "speed", "text": "Оперативность получения государственной услуги", "parameter": "speed",
                 "indicator": "speed"},
                {"key": "electronic", "text": "Возможность получения государственной услуги в электронном виде",
                 "parameter": "electronic", "indicator": "electronic"}]),
        q(10, "single", "Вы скорее удовлетворены или скорее не удовлетворены взаимодействием с представителями "
          "Учреждения (вежливость и компетентность лиц, взаимодействующих с заявителем при предоставлении "
          "государственной услуги/меры социальной поддержки)? (один ответ)",
          _opts(("yes", "Скорее удовлетворен(-а)"), ("no", "Скорее не удовлетворен(-а)"), ("hard", HARD),
                ("no_contact", "С представителем Учреждения не взаимодействовал(-а)")),
          parameter="politeness", indicator="politeness"),
        q(11, "yesno", "Вы скорее удовлетворены или скорее не удовлетворены установленными сроками оказания "
          "государственной услуги/меры социальной поддержки? (один ответ)",
          _opts(("yes", "Скорее удовлетворен"), ("no", "Скорее не удовлетворен"), ("hard", HARD)),
          parameter="deadlines", indicator="deadlines"),
        q(12, "yesno", "При отказе в предоставлении государственной услуги/меры социальной поддержки Вам была "
          "предоставлена информация о необходимых действиях для ее получения в будущем? (один ответ)",
          _opts(("yes", "Да"), ("no", "Нет"), ("hard", HARD)), required=False),
        q(13, "demographic", "Ваш пол (один ответ):", _opts(("male", "Мужской"), ("female", "Женский"))),
        q(14, "demographic", "Укажите, пожалуйста, Ваш возраст (один ответ):",
          _opts(("18-29", "18-29 лет"), ("30-44", "30-44 лет"), ("45-60", "45-60 лет"),
                ("61+", "61 год и старше"))),
        q(15, "demographic", "Укажите, пожалуйста, Ваше образование (один ответ):",
          _opts(("higher", "Высшее"), ("incomplete_higher", "Незаконченное высшее"),
                ("vocational", "Среднее специальное"), ("secondary", "Среднее общее образование"),
                ("below_secondary", "Неполное среднее образование и ниже"))),
    ],
)

OMSK_AREAS = [
    ("it_support", "Информационно-техническое обеспечение служебной (профессиональной) деятельности"),
    ("units", "Взаимодействие с другими структурными подразделениями органа власти"),
    ("development", "Профессиональное развитие"),
    ("career", "Должностной рост"),
    ("colleagues", "Взаимодействие между коллегами в коллективе"),
    ("accounting", "Ведение бухгалтерского учета"),
    ("hr_requests", "Рассмотрение запросов и обращений в кадровую службу"),
    ("rulemaking", "Участие в процессах нормотворчества и оформления, исполнения договоров (соглашений), других "
     "распорядительных документов"),
    ("administration", "Административно-хозяйственная деятельность"),
    ("property", "Управление государственным имуществом"),
]

ASTRAKHAN_ASPECTS = [
    ("equipment", "Материально-техническое оснащение"),
    ("regulation", "Регламентация профессиональной деятельности"),
    ("automation", "Автоматизация профессиональной деятельности"),
    ("cooperation", "Взаимодействие с другими подразделениями службы, государственными органами и организациями"),
    ("development", "Возможности профессионального развития в службе"),
    ("career", "Возможности должностного роста в службе"),
    ("colleagues", "Взаимоотношения между коллегами в коллективе"),
    ("work_elements", "Элементы профессиональной деятельности (труда)"),
    ("hr_requests", "Скорость и качество рассмотрения запросов и обращений в кадровую службу"),
]

INTERNAL_TOPIC_LISTS = {"omsk_areas": OMSK_AREAS, "astrakhan_aspects": ASTRAKHAN_ASPECTS}
"""The internal topic lists the acts name (issue 20): Omsk 6's ten areas of internal interaction, Astrakhan 4.2's
aspects; the `internal_feedback` plugin's `topics` setting picks one, for employees' appeals and the standing form."""

INTERNAL_FEEDBACK = "internal_feedback"  # the plugin whose settings name the list and turn the standing form on
STAFF_QUESTION = "Что, по Вашему мнению, нужно изменить в первую очередь?"


def internal_topics_of(tenant) -> list[tuple[str, str]]:
    """(code, title) of the tenant's internal topic list (Omsk's areas unless its profile names another)."""
    return list(INTERNAL_TOPIC_LISTS[tenant.settings_of(INTERNAL_FEEDBACK).get("topics", "omsk_areas")])


def staff_questions(tenant) -> list[dict]:
    """The standing anonymous form of employees (Astrakhan 4.5): a topic of the internal list, one open question."""
    options = [{"value": code, "text": title} for code, title in internal_topics_of(tenant)]
    question = tenant.settings_of(INTERNAL_FEEDBACK).get("question") or STAFF_QUESTION
    return [
        {"key": "q1", "number": 1, "type": "single", "required": True, "options": options,
         "text": "К какой стороне работы относится Ваше замечание или предложение?"},
        {"key": "q2", "number": 2, "type": "open", "required": True, "text": question},
    ]


TENURE = _opts(("lt1", "Менее 1 года"), ("1-3", "От 1 до 3 лет"), ("3-10", "От 3 до 10 лет"), ("10+", "Более 10 лет"))


def _employee(key: str, title: str, areas: list[tuple[str, str]], clause: str, place: str) -> Template:
    rows = [{"key": k, "text": t} for k, t in areas]
    return Template(
        key=key,
        title=title,
        audience="internal",
        clause=clause,
        description="Анонимная анкета внутренних клиентов (сотрудников); результаты по группам менее 5 человек "
        "не показываются.",
        questions=[
            q(1, "scale", f"Насколько Вы в целом удовлетворены работой в {place}? Оценка от 1 (полностью не "
              "удовлетворен) до 5 (полностью удовлетворен)", SCALE_5, parameter="overall", indicator="overall"),
            q(2, "matrix", "Оцените, насколько Вы удовлетворены следующими сторонами внутреннего взаимодействия "
              "(1 — полностью не удовлетворен, 5 — полностью удовлетворен)", rows=rows),
            # "problems": a question about difficulties, read by the prevalence metric; "none" is not a problem
            {**q(3, "multiple", "С какими из этих процессов у Вас возникали затруднения за последние полгода? "
                 "(любое число ответов)", [*_opts(*areas), {"value": "none", "text": "Затруднений не было",
                                                             "problem": False}], required=False), "problems": True},
            q(4, "yesno", "Знаете ли Вы, к кому обратиться, чтобы сообщить о проблеме во внутренних процессах?",
              _opts(("yes", "Да"), ("no", "Нет"), ("hard", HARD)), parameter="informed", indicator="informed"),
            q(5, "open", "Что, по Вашему мнению, нужно изменить в первую очередь?", required=False),
            q(6, "demographic", "Ваш стаж работы в органе власти", TENURE, required=False),
        ],
    )


EMPLOYEE_OMSK = _employee(
    "employee_omsk_areas",
    "Оценка удовлетворенности внутренних клиентов (сотрудников) по направлениям внутреннего взаимодействия",
    OMSK_AREAS,
    "Распоряжение Правительства Омской области от 12.09.2024 № 230-рп, п. 6 (десять направлений), п. 9.2, п. 10",
    "органе власти",
)

EMPLOYEE_ASTRAKHAN = _employee(
    "employee_astrakhan_aspects",
    "Оценка удовлетворенности работников различными аспектами деятельности службы",
    ASTRAKHAN_ASPECTS,
    "Приказ Службы жилищного надзора Астраханской области от 25.06.2024 № 081-О, п. 4.2 (девять аспектов), п. 4.5",
    "службе",
)

AGREEMENT_4 = _opts(("yes", "Да"), ("partly", "Частично"), ("no", "Нет"), ("hard", HARD))

APPEALS_HANDLING = Template(
    key="appeals_handling",
    title="Оценка удовлетворенности рассмотрением обращения",
    audience="external",
    clause="Объект обратной связи «рассмотрение обращений (запросов)» (Владимир п. 7.3; Омск п. 5; 59-ФЗ)",
    description="Анкета для заявителей, получивших ответ на обращение.",
    questions=[
        q(1, "single", "Каким способом Вы направили обращение?",
          _opts(("website", "Через интернет-приемную официального сайта"), ("email", "По электронной почте"),
                ("post", "Почтой"), ("reception", "На личном приеме"), ("pos", "Через Платформу обратной связи "
                                                                                 "(Госуслуги)"),
                ("other", "Другим способом"))),
        q(2, "scale", "Насколько Вы в целом удовлетворены рассмотрением Вашего обращения? (1 — полностью не "
          "удовлетворен, 5 — полностью удовлетворен)", SCALE_5, parameter="overall", indicator="overall"),
        q(3, "yesno", "Получили ли Вы ответ в установленный срок (30 дней)?",
          _opts(("yes", "Да"), ("no", "Нет"), ("hard", HARD)), parameter="deadlines", indicator="deadlines"),
        q(4, "matrix", "Оцените ответ на обращение (1 — очень плохо, 5 — отлично)",
          rows=[{"key": "clarity", "text": "Понятность ответа", "parameter": "clarity", "indicator": "clarity"},
                {"key": "completeness", "text": "Полнота ответа по существу вопроса"},
                {"key": "politeness", "text": "Вежливость и корректность", "parameter": "politeness",
                 "indicator": "politeness"},
                {"key": "status_info", "text": "Информирование о ходе рассмотрения", "parameter": "status_info",
                 "indicator": "status_info"}]),
        q(5, "single", "Решен ли вопрос, с которым Вы обращались?",
          _opts(("yes", "Да, полностью", 7), ("partly", "Частично"), ("no", "Нет"))),
        {**q(6, "multiple", "Что помешало решить Ваш вопрос? (любое число ответов)",
             _opts(("formal", "Ответ был формальным"), ("late", "Ответ пришел с опозданием"),
                   ("redirected", "Обращение перенаправили в другой орган"),
                   ("not_competent", "Вопрос не в компетенции органа"), ("other", "Другое")), required=False),
         "problems": True},
        q(7, "open", "Ваши предложения по улучшению работы с обращениями", required=False),
        q(8, "demographic", "Вы обращались как", _opts(("individual", "Физическое лицо"),
                                                        ("legal_entity", "Представитель организации")),
          required=False),
    ],
)

INFORMATION_ACCESS = Template(
    key="information_access",
    title="Оценка доступности информации о деятельности органа власти",
    audience="external",
    clause="Объект обратной связи «обеспечение доступа к информации о деятельности» (Владимир п. 7.4)",
    description="Анкета о том, насколько легко найти и понять информацию органа власти.",
    questions=[
        q(1, "multiple", "Где Вы обычно ищете информацию о деятельности органа власти? (любое число ответов)",
          _opts(("site", "Официальный сайт"), ("social", "Официальные страницы в социальных сетях"),
                ("gosuslugi", "Портал Госуслуги"), ("media", "СМИ"), ("phone", "Консультационная линия"),
                ("in_person", "Лично в органе власти или учреждении"))),
        q(2, "scale", "Насколько Вы в целом удовлетворены доступностью информации? (1 — полностью не удовлетворен, "
          "5 — полностью удовлетворен)", SCALE_5, parameter="overall", indicator="overall"),
        q(3, "yesno", "Удалось ли Вам найти нужную информацию?",
          _opts(("yes", "Да", 5), ("no", "Нет"), ("hard", HARD)), parameter="informed", indicator="informed"),
        {**q(4, "multiple", "Что помешало найти информацию? (любое число ответов)",
             _opts(("not_found", "Информация отсутствует"), ("outdated", "Информация устарела"),
                   ("hard_to_find", "Сложно найти на сайте"), ("unclear", "Информация изложена непонятно"),
                   ("other", "Другое")), required=False), "problems": True},
        q(5, "matrix", "Оцените информацию (1 — очень плохо, 5 — отлично)",
          rows=[{"key": "clarity", "text": "Понятность изложения", "parameter": "clarity", "indicator": "clarity"},
                {"key": "relevance", "text": "Актуальность"},
                {"key": "completeness", "text": "Полнота"},
                {"key": "navigation", "text": "Удобство поиска на сайте"}]),
        q(6, "open", "Какой информации Вам не хватает?", required=False),
        q(7, "demographic", "Ваш возраст", _opts(("18-29", "18-29 лет"), ("30-44", "30-44 лет"),
                                                 ("45-60", "45-60 лет"), ("61+", "61 год и старше")),
          required=False),
    ],
)

BUILTIN: dict[str, Template] = {t.key: t for t in (VLADIMIR, EMPLOYEE_OMSK, EMPLOYEE_ASTRAKHAN, APPEALS_HANDLING,
                                                   INFORMATION_ACCESS)}


def tenant_templates(tenant) -> dict[str, Template]:
    """Templates the tenant's enabled plugins offer, by key."""
    from ..plugins import get_plugin_manager

    return {t.key: t for t in get_plugin_manager().call_flat(tenant, "otklik_questionnaire_templates")}
