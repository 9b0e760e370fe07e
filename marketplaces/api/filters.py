import django_filters

from marketplaces.models import StoreAccount


class StoreAccountFilter(django_filters.FilterSet):
    marketplace = django_filters.ChoiceFilter(choices=StoreAccount.Marketplace.choices)
    status = django_filters.MultipleChoiceFilter(choices=StoreAccount.Status.choices)
    environment = django_filters.ChoiceFilter(choices=StoreAccount.Environment.choices)

    class Meta:
        model = StoreAccount
        fields = ["marketplace", "status", "environment"]
