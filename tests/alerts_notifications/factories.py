"""Factories for the alerts app's hygiene and delivery records."""

import factory
from django.utils import timezone

from alerts.models import NotificationAttempt, NotificationSettings, PolicyState
from tests.factories import NotificationFactory, PolicyRuleFactory, ProductFactory, UserFactory


class NotificationSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationSettings

    user = factory.SubFactory(UserFactory)


class NotificationAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationAttempt

    notification = factory.SubFactory(NotificationFactory)
    attempted_at = factory.LazyFunction(timezone.now)
    ok = False
    status_code = 500
    error = "HTTP 500"
    duration_ms = 12.5


class PolicyStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyState

    rule = factory.SubFactory(PolicyRuleFactory)
    product = factory.SubFactory(ProductFactory)
    dedupe_key = factory.LazyAttribute(lambda o: f"rule:{o.rule.pk}:product:{o.product.pk}")
    firing = True
