"""Plugin settings as forms: one field per setting a plugin declares (`otklik.plugins.Setting`), so the regional
administrator never types JSON (the JSON stays, as an "advanced" view).

The widget follows the declared type: bool a checkbox, int and float a number, str a text field or, with
`choices`, a list; a list with `item_choices` a set of checkboxes, any other list one item per line; a dict with
`item_choices` (its keys) one field per key, a number when its default holds numbers, else a list of the same
choices with «not set»; any other dict (its shape differs per setting) its JSON. Beside each value, the clause of the act the setting follows. A refused
value is named next to its field in Russian, and nothing is saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..plugins import Setting, SettingsError, get_plugin_manager

PLUGIN_CLAUSE = "plugin"  # the clauses key of a clause behind the whole plugin

# The plugins' names in words (a plugin's docstring is for developers, in English).
PLUGIN_TITLES = {
    "appeal_layouts": _l("Export layouts of shared systems"),
    "channels": _l("Feedback channels"),
    "escalation": _l("Additional collection of feedback"),
    "periodicity": _l("Periodicity of analyses"),
    "prevalence_bands": _l("Prevalence bands of problems"),
    "publication": _l("Publication"),
    "questionnaires": _l("Questionnaires"),
    "redirected_share": _l("Share of redirected appeals"),
    "segments": _l("Client segments"),
    "standard_metrics": _l("Standard metrics"),
}


def widget_of(setting: Setting) -> str:
    if setting.type == "bool":
        return "checkbox"
    if setting.type in ("int", "float"):
        return "number"
    if setting.type == "str":
        return "select" if setting.choices else "text"
    if setting.type == "list":
        return "checkboxes" if setting.item_choices else "lines"
    return "keyed" if setting.item_choices else "json"


def _keyed_numbers(setting: Setting) -> bool:
    """A keyed dict of numbers (its default holds whole numbers), else of choices."""
    return bool(setting.default) and all(isinstance(v, int) and not isinstance(v, bool)
                                         for v in setting.default.values())


def choice_label(value) -> str:
    """A choice in words: cadences, channels, questionnaire templates; any other value as it is."""
    from ..channels import STANDARD_CHANNELS
    from ..painmap.labels import PRIORITY_LABELS
    from ..surveys.templates import BUILTIN
    from ..vocabulary import CADENCE_LABELS

    if value in CADENCE_LABELS:
        return str(CADENCE_LABELS[value])
    if value in PRIORITY_LABELS:
        return str(PRIORITY_LABELS[value])
    if value in STANDARD_CHANNELS:
        return str(STANDARD_CHANNELS[value])
    if value in BUILTIN:
        return BUILTIN[value].title
    return str(value)


@dataclass
class SettingField:
    plugin: str
    setting: Setting
    widget: str
    value: Any  # the value shown: the saved one, or the one sent back when refused
    clause: str = ""
    error: str = ""
    options: list = field(default_factory=list)  # (value, label, chosen) for select and checkboxes

    @property
    def name(self) -> str:
        return f"p-{self.plugin}-{self.setting.name}"

    @property
    def clause_name(self) -> str:
        return f"c-{self.plugin}-{self.setting.name}"

    @property
    def keys(self) -> list:
        """For a keyed dict: (input name, key label, value text, choices or None) per key."""
        value = self.value if isinstance(self.value, dict) else {}
        numbers = _keyed_numbers(self.setting)
        out = []
        for key in self.setting.item_choices:
            current = value.get(key, "")
            choices = None if numbers else [("", _("not set"), current == "")] + [
                (str(c), choice_label(c), str(c) == str(current)) for c in self.setting.item_choices]
            out.append((f"{self.name}-{key}", choice_label(key), "" if current is None else str(current), choices))
        return out

    @property
    def text(self) -> str:
        """The value as the text a text, number or text area field holds."""
        if self.widget == "lines":
            return "\n".join(map(str, self.value or []))
        if self.widget == "json":
            return self.value if isinstance(self.value, str) else json.dumps(self.value, ensure_ascii=False, indent=2)
        if self.widget == "number" and isinstance(self.value, float):
            return f"{self.value:g}"
        return "" if self.value is None else str(self.value)


@dataclass
class PluginForm:
    name: str
    title: str
    fields: list[SettingField]
    clause: str = ""  # the clause behind the whole plugin
    error: str = ""

    @property
    def clause_name(self) -> str:
        return f"c-{self.name}-{PLUGIN_CLAUSE}"


def _options(setting: Setting, value) -> list:
    if setting.choices:
        return [(str(c), choice_label(c), c == value) for c in setting.choices]
    if setting.item_choices:
        chosen = set(value or [])
        return [(str(c), choice_label(c), c in chosen) for c in setting.item_choices]
    return []


def forms_for(plugins: dict) -> list[PluginForm]:
    """The forms of a tenant's plugins, filled with its saved settings."""
    pm = get_plugin_manager()
    out = []
    for name in sorted(plugins):
        if name not in pm.names:
            continue
        saved = plugins.get(name) or {}
        clauses = saved.get("clauses", {})
        fields = []
        for s in pm.declared(name):
            value = saved.get(s.name, s.default)
            fields.append(SettingField(name, s, widget_of(s), value, clauses.get(s.name, ""), "", _options(s, value)))
        out.append(PluginForm(name, str(PLUGIN_TITLES.get(name, name)), fields, clauses.get(PLUGIN_CLAUSE, "")))
    return out


def _parse(f: SettingField, form) -> Any:
    """The typed value of one field from the sent form; ValueError with the Russian reason when refused."""
    s, raw = f.setting, form.get(f.name, "")
    if f.widget == "checkbox":
        return f.name in form
    if f.widget == "number":
        text = raw.strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
        if not text:
            raise ValueError(_("Enter a number."))
        try:
            return int(text) if s.type == "int" else float(text)
        except ValueError:
            raise ValueError(_("Enter a whole number.") if s.type == "int" else _("Enter a number, e.g. 0,3."))\
                from None
    if f.widget == "select":
        chosen = next((c for c in s.choices if str(c) == raw), None)
        if chosen is None:
            raise ValueError(_("Choose one of the listed values."))
        return chosen
    if f.widget == "checkboxes":
        sent = set(form.getlist(f.name))
        return [c for c in s.item_choices if str(c) in sent]
    if f.widget == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if f.widget == "keyed":
        out = {}
        for key in s.item_choices:
            text = form.get(f"{f.name}-{key}", "").strip()
            if not text:
                continue
            if _keyed_numbers(s):
                if not text.isdigit():
                    raise ValueError(_("%(key)s: enter a whole number.", key=choice_label(key)))
                out[key] = int(text)
            elif text in s.item_choices:
                out[key] = text
            else:
                raise ValueError(_("%(key)s: choose one of the listed values.", key=choice_label(key)))
        return out
    if f.widget == "text":
        return raw.strip()
    try:
        value = json.loads(raw or ("{}" if s.type == "dict" else "[]"))
    except json.JSONDecodeError as exc:
        raise ValueError(_("Not valid JSON (line %(line)s, column %(col)s).", line=exc.lineno, col=exc.colno)) from None
    expected = dict if s.type == "dict" else list
    if not isinstance(value, expected):
        raise ValueError(_("Expected a JSON object {…}.") if expected is dict else _("Expected a JSON list […]."))
    return value


def read(plugins: dict, form) -> tuple[dict | None, list[PluginForm]]:
    """The settings sent by the forms, validated by each plugin: (new plugins, forms) when every value is
    accepted, (None, forms with the sent values and the errors next to their fields) when any is refused."""
    pm = get_plugin_manager()
    forms = forms_for(plugins)
    result, refused = {}, False
    for pf in forms:
        settings, clauses = {}, {}
        plugin_clause = form.get(pf.clause_name, "").strip()
        pf.clause = plugin_clause
        if plugin_clause:
            clauses[PLUGIN_CLAUSE] = plugin_clause
        for f in pf.fields:
            f.clause = form.get(f.clause_name, "").strip()
            if f.clause:
                clauses[f.setting.name] = f.clause
            try:
                f.value = _parse(f, form)
            except ValueError as exc:
                if f.widget == "keyed":
                    f.value = {k: form.get(f"{f.name}-{k}", "") for k in f.setting.item_choices}
                else:
                    f.value = form.get(f.name, "") if f.widget != "checkboxes" else form.getlist(f.name)
                f.error = str(exc)
                refused = True
                continue
            f.options = _options(f.setting, f.value)
            settings[f.setting.name] = f.value
        if any(f.error for f in pf.fields):
            continue
        try:
            result[pf.name] = pm.validate(pf.name, {**settings, "clauses": clauses}, f"plugins.{pf.name}")
        except SettingsError as exc:
            refused = True
            target = next((f for f in pf.fields if f.setting.name == exc.key.split(".")[0]), None)
            # the plugins' reasons are English sentences; the catalog translates the fixed ones
            message = _("Not accepted: %(reason)s", reason=_(exc.reason))
            if target is not None:
                target.error = message
            else:
                pf.error = message
    # plugins without a declaration the form could show keep their saved settings
    for name, saved in plugins.items():
        if name not in result and name not in {pf.name for pf in forms}:
            result[name] = saved
    return (None if refused else result), forms
