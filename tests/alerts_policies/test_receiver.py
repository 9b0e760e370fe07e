"""`product_changed` enqueues a policy evaluation job after commit; the job evaluates and alerts."""

from decimal import Decimal

import django_rq
import pytest
from django.db import transaction

from alerts.models import Alert, PolicyState
from alerts.services import policy_rule_create, policy_rule_evaluate, policy_rule_update
from catalog.signals import product_changed
from dropship_central.models import Job
from tests.alerts_policies.conftest import change
from tests.core_jobs.conftest import run_worker
from tests.factories import PolicyRuleFactory, ProductFactory, TrackedProductFactory

JOB = "alerts.jobs.policies_evaluate_product"


def default_queue_ids() -> list[str]:
    return django_rq.get_queue("default").get_job_ids()


@pytest.fixture
def watched(db):
    product = ProductFactory(stock_quantity=2)
    tracker = TrackedProductFactory(product=product)
    PolicyRuleFactory(user=tracker.user, kind="low_stock", threshold=Decimal(5))
    return product


@pytest.mark.django_db(transaction=True)
def test_receiver_enqueues_only_after_the_transaction_commits(jobs_env, watched):
    with transaction.atomic():
        product_changed.send(sender=None, product_id=watched.pk, change=change(old_stock=9, new_stock=2))
        assert default_queue_ids() == []
        job = Job.objects.get(type=JOB)

    assert default_queue_ids() == [str(job.pk)]
    assert job.payload["product_id"] == watched.pk
    assert job.payload["change"]["old_stock"] == 9


@pytest.mark.django_db(transaction=True)
def test_receiver_enqueues_nothing_when_the_transaction_rolls_back(jobs_env, watched):
    def send_then_fail() -> None:
        with transaction.atomic():
            product_changed.send(sender=None, product_id=watched.pk, change=change())
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        send_then_fail()

    assert default_queue_ids() == []
    assert not Job.objects.filter(type=JOB).exists()


@pytest.mark.django_db(transaction=True)
def test_receiver_skips_products_nobody_has_rules_for(jobs_env):
    product = ProductFactory()
    TrackedProductFactory(product=product)

    product_changed.send(sender=None, product_id=product.pk, change=change())

    assert not Job.objects.filter(type=JOB).exists()


@pytest.mark.django_db(transaction=True)
def test_the_job_evaluates_and_alerts(jobs_env, watched):
    product_changed.send(sender=None, product_id=watched.pk, change=change(old_stock=9, new_stock=2))

    run_worker()

    job = Job.objects.get(type=JOB)
    assert job.status == Job.Status.SUCCESS
    alert = Alert.objects.get()
    assert job.result["alerts"] == [alert.pk]
    assert alert.context["change"]["old_stock"] == 9


@pytest.mark.django_db(transaction=True)
def test_a_new_rule_is_evaluated_by_a_job_so_a_condition_already_true_alerts(jobs_env, user):
    TrackedProductFactory(user=user, product=ProductFactory(stock_quantity=0, availability="out_of_stock"))

    rule = policy_rule_create(user=user, data={"name": "OOS", "kind": "out_of_stock"})
    run_worker()

    assert Job.objects.get(type="alerts.jobs.policy_rule_evaluate").status == Job.Status.SUCCESS
    assert Alert.objects.get().rule == rule


@pytest.mark.django_db(transaction=True)
def test_changing_a_rules_kind_rearms_it(jobs_env, user):
    TrackedProductFactory(user=user, product=ProductFactory(stock_quantity=0, availability="out_of_stock"))
    rule = PolicyRuleFactory(user=user, kind="out_of_stock", threshold=None)
    policy_rule_evaluate(rule=rule)
    assert PolicyState.objects.filter(rule=rule, firing=True).exists()

    policy_rule_update(rule=rule, actor=user, data={"kind": "low_stock", "threshold": Decimal(3)})
    run_worker()

    assert list(Alert.objects.filter(rule=rule).values_list("type", flat=True).order_by("id")) == [
        "out_of_stock",
        "low_stock",
    ]
