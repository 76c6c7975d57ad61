"""The status machine of a publication on Vladimir's quarter (analysed on the real RQ worker): approve, publish,
correct with a note (the earlier version superseded and still readable), a correction that would show a hidden cell
refused, schedule and the tick, reject, withdraw, and drafts published without approval when the tenant says so."""

from datetime import UTC, datetime, timedelta

import pytest

from otklik.analysis.tests.helpers import add_appeals
from otklik.extensions import db
from otklik.models import Publication
from otklik.publishing import service
from otklik.publishing.reading import current_version, public_versions

from .fixtures import TOPICS, Scope, analyse, load_classifier, quarter_appeals


@pytest.fixture
def vladimir(app, make_tenant, run_jobs):
    tenant = make_tenant("vladimir", slug="vlad-flow")
    with app.app_context():
        add_appeals(tenant, quarter_appeals())
        load_classifier(tenant)
    analyse(app, run_jobs, tenant, "appeals", "2026-Q3")
    return tenant


def more_appeals(channel: str, n: int) -> list[dict]:
    return [{"registered_at": f"2026-09-{10 + i:02d} 10:00", "external_id": f"late-{channel}-{i}", "channel": channel,
             "kind": "appeal", "outcome": "explained", "topic_code": next(iter(TOPICS))} for i in range(n)]


def draft_of(period="2026-Q3") -> Publication:
    return db.session.query(Publication).filter_by(artifact="appeals_analysis", period=period).order_by(
        Publication.version.desc()).first()


def test_approve_publish_and_correct(app, run_jobs, vladimir, make_user):
    officer = make_user("officer@vlad.example", tenant=vladimir, role="officer")
    with Scope(app, vladimir) as tenant:
        v1 = draft_of()
        assert public_versions(tenant, "appeals_analysis", "2026-Q3") == []  # a draft is not public
        with pytest.raises(service.WorkflowError):
            service.publish(v1)  # not approved
        service.approve(v1, officer)
        assert (v1.status, v1.approved_by) == ("approved", officer) and v1.approved_at is not None
        service.publish(v1, officer)
        assert v1.status == "published" and v1.published_at is not None
        assert current_version(tenant, "appeals_analysis", "2026-Q3").id == v1.id
    # two more website appeals: the hidden cells (reception 3, post 5) stay hidden, so the correction is drafted
    with app.app_context():
        add_appeals(vladimir, more_appeals("website", 2))
    analyse(app, run_jobs, vladimir, "appeals", "2026-Q3")
    with Scope(app, vladimir) as tenant:
        v2 = draft_of()
        assert (v2.version, v2.status) == (2, "draft")
        changes = {d["block"]: d for d in service.diff(v2)}
        assert {"row": "Обращения и жалобы, всего (п. 22.1)", "column": "count", "before": 40,
                "after": 42} in changes["figures"]["changes"]
        assert changes["by_topic"]["status"] == "changed" and changes["by_kind"]["status"] == "changed"
        with pytest.raises(service.WorkflowError):
            service.approve(v2, officer)  # a correction says what it changes
        service.approve(v2, officer, note="Учтены два обращения, зарегистрированные с опозданием")
        service.publish(v2, officer)
        v1 = db.session.get(Publication, v1.id)
        assert (v1.status, v2.status) == ("superseded", "published")
        assert [p.version for p in public_versions(tenant, "appeals_analysis", "2026-Q3")] == [2, 1]
        assert v1.payload["blocks"][0]["rows"][0]["count"] == 40  # the earlier version stays readable


def test_a_correction_that_would_show_a_hidden_cell_is_refused(app, run_jobs, vladimir):
    with Scope(app, vladimir):
        v1 = draft_of()
        service.approve(v1, None)
        service.publish(v1)
        v1_id = v1.id
    # three more appeals at the reception: 6 there and 5 by post, both shown now, both hidden in version 1
    with app.app_context():
        add_appeals(vladimir, more_appeals("reception", 3))
    analyse(app, run_jobs, vladimir, "appeals", "2026-Q3")
    with Scope(app, vladimir) as tenant:
        assert draft_of().id == v1_id  # the worker drafted nothing
        with pytest.raises(service.Refused) as refused:
            service.build_draft(tenant, "appeals_analysis", "2026-Q3")
        # post and reception, count and share each: four cells version 1 hid
        assert refused.value.reason == ("исправление показало бы ячейку «Почта» / count блока by_channel, скрытую в "
                                        "опубликованной версии (таких ячеек: 4)")
        assert refused.value.clause == ("Контроль раскрытия при исправлениях (docs/PUBLISHING.md), по сравнению с "
                                        "версией 1")
        assert db.session.query(Publication).count() == 1


def test_schedule_reject_withdraw_and_the_tick(app, run_jobs, vladimir):
    with Scope(app, vladimir) as tenant:
        v1 = draft_of()
        with pytest.raises(service.WorkflowError):
            service.schedule(v1, None, datetime.now(UTC) - timedelta(hours=1))
        with pytest.raises(service.WorkflowError):
            service.reject(v1, None, "  ")
        service.schedule(v1, None, datetime.now(UTC) + timedelta(days=2))
        assert v1.status == "scheduled" and v1.approved_at is not None
        assert service.publish_due(datetime.now(UTC)) == []  # not yet
        v1_id = v1.id
        published = service.publish_due(datetime.now(UTC) + timedelta(days=3))
        assert [p.id for p in published] == [v1_id]
    with Scope(app, vladimir) as tenant:
        v1 = db.session.get(Publication, v1_id)
        assert v1.status == "published"
        with pytest.raises(service.WorkflowError):
            service.withdraw(v1, None, "")
        service.withdraw(v1, None, "Ошибка в данных за август")
        assert (v1.status, v1.status_reason) == ("withdrawn", "Ошибка в данных за август")
        assert current_version(tenant, "appeals_analysis", "2026-Q3").status == "withdrawn"  # 410 with the notice
        # a rejected draft: another period's draft by hand, rejected with a reason
        with pytest.raises(service.WorkflowError):
            service.approve(v1, None)
        other = service.build_draft(tenant, "appeals_analysis", "2026-Q3")
        assert other.version == 2 and other.status == "draft"
        service.reject(other, None, "Ждём уточнения классификатора")
        assert other.status == "rejected" and other.status_reason == "Ждём уточнения классификатора"
        assert [p.version for p in public_versions(tenant, "appeals_analysis", "2026-Q3")] == [1]


def test_publish_without_approval_and_the_policy_at_every_step(app, run_jobs, make_tenant):
    tenant = make_tenant("vladimir", slug="vlad-auto")
    with app.app_context():
        from otklik.models import Tenant

        t = db.session.get(Tenant, tenant.id)
        t.plugins = {**t.plugins, "publication": {**t.plugins["publication"], "publish_without_approval": True}}
        db.session.commit()
        add_appeals(tenant, quarter_appeals())
    analyse(app, run_jobs, tenant, "appeals", "2026-Q3")
    with Scope(app, tenant) as t:
        pub = draft_of()
        assert pub.status == "published" and pub.approved_by is None
        # the act changes: publishing by hand is refused, naming the clause
        t.plugins = {**t.plugins, "publication": {**t.plugins["publication"], "appeals_analysis": False}}
        db.session.commit()
        with pytest.raises(service.Refused) as refused:
            service.build_draft(t, "appeals_analysis", "2026-Q3")
        assert "п. 21" in refused.value.clause
        assert "запрещена" in refused.value.message or "refused" in refused.value.message


def test_the_tick_publishes_a_scheduled_version(app, run_jobs, vladimir):
    from otklik.jobs import tick

    with Scope(app, vladimir):
        v1 = draft_of()
        when = datetime(2099, 3, 2, 9, 0, tzinfo=UTC)
        service.schedule(v1, None, when)
        v1_id = v1.id
    assert not any("published appeals_analysis" in w for w in tick("2099-03-01T12:00:00+00:00")["warnings"])
    with Scope(app, vladimir):
        assert db.session.get(Publication, v1_id).status == "scheduled"
    done = tick("2099-03-03T12:00:00+00:00")["warnings"]
    assert "vlad-flow: published appeals_analysis 2026-Q3 v1" in done
    with Scope(app, vladimir):
        assert db.session.get(Publication, v1_id).status == "published"


def test_an_older_version_never_replaces_a_newer_and_a_withdrawn_one_still_binds(app, run_jobs, vladimir):
    with Scope(app, vladimir):
        v1 = draft_of()
        service.approve(v1, None)  # approved, not published yet
        v1_id = v1.id
    with app.app_context():
        add_appeals(vladimir, more_appeals("website", 2))
    analyse(app, run_jobs, vladimir, "appeals", "2026-Q3")
    with Scope(app, vladimir):
        v2 = draft_of()
        assert v2.version == 2
        service.approve(v2, None, note="Два обращения добавлены")
        service.publish(v2)
        v1 = db.session.get(Publication, v1_id)
        with pytest.raises(service.WorkflowError):
            service.publish(v1)
        assert (v1.status, v2.status) == ("approved", "published")
        service.withdraw(v2, None, "Пересчёт")
    # version 2 was public, then withdrawn: a draft showing the cells it hid is still refused
    with app.app_context():
        add_appeals(vladimir, more_appeals("reception", 3))
    analyse(app, run_jobs, vladimir, "appeals", "2026-Q3")
    with Scope(app, vladimir) as tenant:
        assert draft_of().version == 2
        with pytest.raises(service.Refused):
            service.build_draft(tenant, "appeals_analysis", "2026-Q3")
