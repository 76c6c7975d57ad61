"""Open data by the Russian rules (issue 22, item 1): Vladimir's quarters as passports (meta.csv), data and structure
files a data.gov.ru-style harvester accepts, every earlier version kept and linked, the list of datasets and the page
«Открытые данные»; the INN checked by the FNS check digits; the Frictionless package's version, created, licences
and sources. Every file is parsed with the csv module."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from frictionless import Package

from otklik.analysis.tests.helpers import add_appeals
from otklik.extensions import db
from otklik.models import Publication, Tenant
from otklik.models.tenant import inn_problem
from otklik.publishing import service
from otklik.tenants import update_plugins

from .fixtures import TOPICS, Scope, analyse, load_classifier, quarter_appeals

INN = "7707083893"  # 10 digits; 7·2+7·4+0·10+7·3+0·5+8·9+3·4+8·6+9·8 = 267, 267 mod 11 = 3: the tenth digit
PERSON_INN = "500100732259"  # 12 digits: 148 mod 11 = 5 (the 11th), 141 mod 11 = 9 (the 12th)
RESPONSIBLE = {"name": "Иванова Анна Петровна, отдел обращений граждан", "phone": "+7 (4922) 00-00-00",
               "email": "opendata@vladimir.example"}
REQUIRED = ("standardversion", "identifier", "title", "description", "creator", "publishername", "publisherphone",
            "publishermbox", "format", "created", "modified", "provenance", "valid", "subject")


def test_the_inn_check_digits(app):
    with app.test_request_context():
        _check_digits()


def _check_digits():
    assert inn_problem(INN) is None and inn_problem(PERSON_INN) is None
    for wrong in ("7707083894", "500100732258", "500100732269", "770708389", "77070838931", "77O7083893", ""):
        assert inn_problem(wrong), wrong
    assert "контрольного числа" in inn_problem("7707083894") and "10 цифр" in inn_problem("12345")
    with pytest.raises(ValueError):
        Tenant(slug="x", name="x", inn="7707083894")


def test_the_administrator_enters_the_inn_and_a_wrong_one_is_refused(app, client, make_user, login_as,
                                                                     make_tenant):
    tenant = make_tenant("vladimir", slug="vlad-inn")
    make_user("admin@otklik.local", global_role="admin")
    login_as("admin@otklik.local")
    form = {"action": "identity", "identity-name": tenant.name, "identity-region": tenant.region,
            "identity-timezone": "Europe/Moscow", "identity-act": tenant.legal_act}
    refused = client.post(f"/admin/tenants/{tenant.id}", data={**form, "identity-inn": "7707083894"})
    assert refused.status_code == 422
    assert "не проходит проверку контрольного числа ФНС" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Tenant, tenant.id).inn == ""  # nothing stored
    assert client.post(f"/admin/tenants/{tenant.id}", data={**form, "identity-inn": INN}).status_code == 302
    with app.app_context():
        assert db.session.get(Tenant, tenant.id).inn == INN


def _in_month(rows: list[dict], month: str, prefix: str) -> list[dict]:
    return [{**r, "registered_at": r["registered_at"].replace("2026-08-", f"2026-{month}-"),
             "answered_at": r["answered_at"].replace("2026-08-", f"2026-{month}-"),
             "external_id": f"{prefix}-{r['external_id']}"} for r in rows]


def _publish(app, tenant, period: str, note: str | None = None) -> int:
    with Scope(app, tenant):
        pub = db.session.query(Publication).filter_by(artifact="appeals_analysis", period=period).order_by(
            Publication.version.desc()).first()
        service.approve(pub, None, note=note)
        service.publish(pub)
        return pub.id


@pytest.fixture
def vladimir(app, make_tenant, run_jobs):
    """Q2 and Q3 of 2026 published, then Q3 corrected (two late website appeals): three versions of each dataset."""
    tenant = make_tenant("vladimir", slug="vlad-od")
    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        t.inn = INN
        settings = dict(t.plugins)
        settings["publication"] = {**settings["publication"],
                                   "opendata_responsible": {"appeals_analysis": RESPONSIBLE}}
        update_plugins(t, settings)
        db.session.commit()
        add_appeals(tenant, _in_month(quarter_appeals(post=6), "05", "q2"))
        add_appeals(tenant, quarter_appeals())
        load_classifier(tenant)
    analyse(app, run_jobs, tenant, "appeals", "2026-Q2")
    _publish(app, tenant, "2026-Q2")
    analyse(app, run_jobs, tenant, "appeals", "2026-Q3")
    _publish(app, tenant, "2026-Q3")
    with app.app_context():
        add_appeals(tenant, [{"registered_at": f"2026-09-{10 + i:02d} 10:00", "external_id": f"late-{i}",
                              "channel": "website", "kind": "appeal", "outcome": "explained",
                              "topic_code": next(iter(TOPICS))} for i in range(2)])
    analyse(app, run_jobs, tenant, "appeals", "2026-Q3")
    _publish(app, tenant, "2026-Q3", note="Учтены два обращения, зарегистрированные с опозданием")
    return tenant


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    assert not text.startswith("\ufeff") and "\r\n" in text  # UTF-8 without a BOM, RFC 4180 line ends
    return list(csv.reader(io.StringIO(text, newline="")))


def _path(url: str) -> str:
    return urlsplit(url).path


def test_vladimirs_quarters_as_passport_data_and_structure(client, vladimir):
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")).date()  # every version was published today
    listed = _csv(client.get("/vlad-od/opendata/list.csv"))
    assert listed[0] == ["property", "title", "value", "format"]
    assert listed[1] == ["standardversion", "Версия методических рекомендаций",
                         "http://opendata.gosmonitor.ru/standard/3.0", ""]
    datasets = {row[0]: row for row in listed[2:]}
    assert set(datasets) == {f"{INN}-appeals-analysis-{b}" for b in ("figures", "by-channel", "by-kind", "by-topic")}
    channels = datasets[f"{INN}-appeals-analysis-by-channel"]
    assert channels[1] == "Анализ обращений граждан: Обращения по каналам поступления (п. 22.1)" and channels[3] == "csv"
    assert channels[2].endswith(f"/vlad-od/opendata/{INN}-appeals-analysis-by-channel/meta.csv")

    for identifier, row in datasets.items():
        passport = _csv(client.get(_path(row[2])))
        assert passport[0] == ["property", "value"]
        props = dict(passport[1:])
        for name in REQUIRED:
            assert props.get(name), (identifier, name)
        assert (props["standardversion"], props["identifier"], props["format"]) == (
            "http://opendata.gosmonitor.ru/standard/3.0", identifier, "csv")
        assert props["creator"] == "Министерство социальной защиты населения Владимирской области"
        assert (props["publishername"], props["publisherphone"], props["publishermbox"]) == (
            RESPONSIBLE["name"], "+7 (4922) 00-00-00", RESPONSIBLE["email"])
        assert "ежеквартально" in props["description"] and "CC BY 4.0" in props["description"]
        # three versions, newest first: Q3 corrected (dated the day it was published), Q3, Q2 (their last days)
        names = [p for p, _v in passport[1:] if p.startswith("data-")]
        assert names == [f"data-{today:%Y%m%d}-structure-{today:%Y%m%d}", "data-20260930-structure-20260930",
                         "data-20260630-structure-20260630"]
        assert [p for p, _v in passport[1:] if p.startswith("structure-")] == [
            f"structure-{today:%Y%m%d}", "structure-20260930", "structure-20260630"]
        assert props["created"] == props["modified"] == props["valid"] == f"{today:%Y%m%d}"
        assert props["provenance"] == ("Исправлены данные за III квартал 2026 г.: Учтены два обращения, "
                                       "зарегистрированные с опозданием")
        for name in names:
            assert props[name].endswith(f"/vlad-od/opendata/{identifier}/{name}.csv")

    base = f"/vlad-od/opendata/{INN}-appeals-analysis-by-channel/"
    structure = _csv(client.get(base + f"structure-{today:%Y%m%d}.csv"))
    assert structure == [["field name", "english description", "russian description", "format"],
                         ["label", "label", "Канал", "string"], ["count", "count", "Обращений", "integer"],
                         ["share", "share", "Доля, %", "float"]]
    current = _csv(client.get(base + f"data-{today:%Y%m%d}-structure-{today:%Y%m%d}.csv"))
    assert current[0] == [f[0] for f in structure[1:]]  # the data's header is the structure's field names
    # 42 appeals: website 22 (22/42 = 52.38 %), e-mail 12 (28.57 %); post 5 and reception 3 hidden (empty cells)
    assert current[1:] == [["Электронная приемная официального сайта", "22", "52.4"],
                           ["Электронная почта", "12", "28.6"], ["Почта", "", ""], ["Личный прием", "", ""]]
    earlier = _csv(client.get(base + "data-20260930-structure-20260930.csv"))
    assert earlier[1] == ["Электронная приемная официального сайта", "20", "50.0"]  # the version before, kept
    q2 = _csv(client.get(base + "data-20260630-structure-20260630.csv"))
    assert q2[1][:2] == ["Электронная приемная официального сайта", "20"]
    assert client.get(base + "data-20260101-structure-20260101.csv").status_code == 404
    assert client.get(base + "data-20260930-structure-20260630.csv").status_code == 404


def test_the_page_links_the_set_and_the_package_names_version_licence_and_source(client, vladimir, tmp_path):
    page = client.get("/vlad-od/publications/appeals_analysis/2026-Q3/").get_data(as_text=True)
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")).date()
    identifier = f"{INN}-appeals-analysis-by-topic"
    assert f"/vlad-od/opendata/{identifier}/meta.csv" in page
    assert f"/vlad-od/opendata/{identifier}/data-{today:%Y%m%d}-structure-{today:%Y%m%d}.csv" in page
    v1 = client.get("/vlad-od/publications/appeals_analysis/2026-Q3/v1/").get_data(as_text=True)
    assert f"/vlad-od/opendata/{identifier}/data-20260930-structure-20260930.csv" in v1
    listing = client.get("/vlad-od/opendata/").get_data(as_text=True)
    assert "Открытые данные" in listing and identifier in listing and "ежеквартально" in listing
    assert "Creative Commons Attribution 4.0" in listing

    descriptor = json.loads(client.get("/vlad-od/publications/appeals_analysis/2026-Q3/v2/datapackage.json").data)
    assert descriptor["version"] == "2.0.0"
    assert datetime.fromisoformat(descriptor["created"]).date() >= date(2026, 1, 1)
    assert descriptor["licenses"] == [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                                       "title": "Creative Commons Attribution 4.0 International (CC BY 4.0)"}]
    assert descriptor["sources"][0]["path"].endswith("/vlad-od/publications/appeals_analysis/2026-Q3/v2/")
    assert descriptor["sources"][0]["title"].startswith("Министерство социальной защиты")
    for resource in descriptor["resources"]:
        csv_text = client.get(f"/vlad-od/publications/appeals_analysis/2026-Q3/v2/{resource['name']}.csv")
        (tmp_path / resource["path"]).write_bytes(csv_text.data)
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_without_an_inn_there_is_no_passport_and_another_authority_is_404(app, client, vladimir, make_tenant):
    other = make_tenant("vladimir", slug="vlad-noinn")
    page = client.get("/vlad-noinn/opendata/").get_data(as_text=True)
    assert 'id="no-inn"' in page
    assert _csv(client.get("/vlad-noinn/opendata/list.csv"))[2:] == []
    # vlad-od's dataset is not found under another authority's address
    assert client.get(f"/vlad-noinn/opendata/{INN}-appeals-analysis-by-channel/meta.csv").status_code == 404
    assert other.slug == "vlad-noinn"
