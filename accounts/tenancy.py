"""Tenant scoping for every app's API: objects are read only through a selector scoped to the user.

Two ways to use it:

* A DRF generic view mixes in `OwnedQuerysetMixin` and names its selector and model::

      class ListingDetailView(OwnedQuerysetMixin, generics.RetrieveUpdateAPIView):
          owned_selector = listings_for_user     # a callable (*, user) -> QuerySet
          owned_model = Listing                 # used while the OpenAPI schema is generated
          serializer_class = ListingSerializer

  `get_queryset()` returns `owned_selector(user=request.user)`, so `get_object()` answers 404 (never 403)
  for another user's object and lists never show it.

* Anywhere else: `get_owned_or_404(listings_for_user, user=request.user, pk=pk)`.
"""

from collections.abc import Callable
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

OwnedSelector = Callable[..., QuerySet[Any]]


def get_owned_or_404(selector: OwnedSelector, *, user: Any, **lookup: Any) -> Any:
    """The object matching `lookup` among `selector(user=user)`; Http404 (an API 404) when absent or not theirs."""
    return get_object_or_404(selector(user=user), **lookup)


class OwnedQuerysetMixin:
    """For DRF generic views: the queryset is the user's own objects, from `owned_selector`."""

    owned_selector: ClassVar[OwnedSelector]
    owned_model: ClassVar[type[Model]]
    request: Any

    def get_queryset(self) -> QuerySet[Any]:
        user = getattr(self.request, "user", None)
        if getattr(self, "swagger_fake_view", False) or user is None or not user.is_authenticated:
            return self.owned_model._default_manager.none()
        return type(self).owned_selector(user=user)
