import django_filters
from django.db.models import QuerySet

from alerts.models import Alert, Delivery, Notification, PolicyAction, PolicyKind, PolicyRule, Severity


class AlertFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(method="filter_unread", label="Only unread (true) or only read (false)")
    unacknowledged = django_filters.BooleanFilter(
        method="filter_unacknowledged", label="Only unacknowledged (true) or only acknowledged (false)"
    )
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    type = django_filters.CharFilter()
    delivery = django_filters.MultipleChoiceFilter(choices=Delivery.choices)
    rule = django_filters.NumberFilter(field_name="rule_id")
    product = django_filters.NumberFilter(field_name="product_id")

    class Meta:
        model = Alert
        fields = ["unread", "unacknowledged", "severity", "type", "delivery", "rule", "product"]

    def filter_unread(self, queryset: QuerySet[Alert], name: str, value: bool) -> QuerySet[Alert]:
        return queryset.filter(read_at__isnull=value)

    def filter_unacknowledged(self, queryset: QuerySet[Alert], name: str, value: bool) -> QuerySet[Alert]:
        return queryset.filter(acknowledged_at__isnull=value)


class NotificationFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(choices=Notification.Channel.choices)
    status = django_filters.MultipleChoiceFilter(choices=Notification.Status.choices)
    alert = django_filters.NumberFilter(field_name="alert_id")

    class Meta:
        model = Notification
        fields = ["channel", "status", "alert"]


class PolicyRuleFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=PolicyKind.choices)
    action = django_filters.ChoiceFilter(choices=PolicyAction.choices)
    is_active = django_filters.BooleanFilter()
    store_account = django_filters.NumberFilter(field_name="store_account_id")
    product = django_filters.NumberFilter(field_name="product_id")

    class Meta:
        model = PolicyRule
        fields = ["kind", "action", "is_active", "store_account", "product"]
