"""Shared pieces of the operator console: every ModelAdmin audits its saves, deletes and actions.

`AuditedAdmin` is the base of every ModelAdmin in the project. It writes one `AuditLog` entry per
create, update and delete made through the admin, and one `ADMIN_ACTION` entry per object an admin
action touched. Fields named in `secret_fields` are masked in those entries. Secrets are never shown
in a form either: leave the model field out of the form and add a write-only `secret_form_field`.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections, models, transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from dropship_central.audit import SECRET_MASK, audit_record, diff_fields
from dropship_central.models import AuditLog

# Past this many selected objects an action is audited as one summary entry instead of one per object.
ACTION_AUDIT_LIMIT = 500
RECENT_INLINE_ROWS = 20
# An unfiltered changelist over a table bigger than this shows PostgreSQL's row estimate instead of COUNT(*).
ESTIMATE_COUNT_ABOVE = 100_000
ActionFunc = Callable[[Any, HttpRequest, QuerySet[Any]], HttpResponseBase | None]


def masked(value: Any) -> str:
    """What the console shows for a secret: whether one is set, never its value."""
    return SECRET_MASK if value else "—"


def secret_form_field(label: str, *, help_text: str = "") -> forms.CharField:
    """A write-only input: never pre-filled, never echoed back on a validation error; empty keeps the value."""
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=help_text or "Write-only. Leave empty to keep the current value.",
    )


def admin_changelist_link(model: type[models.Model], label: str, **filters: Any) -> str:
    """An HTML link to `model`'s changelist filtered by `filters` (e.g. `product__id__exact=3`)."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return format_html('<a href="{}?{}">{}</a>', url, query, label)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple | set):
        return [_plain(item) for item in value]
    return value


def form_changes(form: forms.BaseForm, *, created: bool, secret_fields: frozenset[str]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields the form changed, secrets masked."""
    names = list(form.changed_data)
    before = {} if created else {name: _plain(form.initial.get(name)) for name in names}
    after = {name: _plain(form.cleaned_data.get(name)) for name in names}
    return diff_fields(before, after, secret_fields=secret_fields)


class EstimatedCountPaginator(Paginator):
    """Pages a huge table without `COUNT(*)`: unfiltered, it trusts the planner's estimate (pg_class.reltuples).

    A filtered list, a small table or one never analysed is counted exactly.
    """

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and not queryset.query.where:
            estimate = table_row_estimate(queryset)
            if estimate > ESTIMATE_COUNT_ABOVE:
                return estimate
        return super().count


def table_row_estimate(queryset: QuerySet[Any]) -> int:
    """PostgreSQL's estimate of the rows in the queryset's table; -1 when the table was never analysed or the
    database is not PostgreSQL (the embedded SQLite default counts exactly)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return -1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row else -1


class AuditedAdmin(admin.ModelAdmin):
    """The base ModelAdmin: audits every save, delete and action; secrets listed in `secret_fields` masked."""

    secret_fields: frozenset[str] = frozenset()
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    audited_delete_action = "delete_selected"

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = form_changes(form, created=not change, secret_fields=self.secret_fields)
        if change and not changes:
            return
        audit_record(
            actor=request.user,
            action=AuditLog.Action.UPDATE if change else AuditLog.Action.CREATE,
            obj=obj,
            changes=changes,
            request=request,
            message="admin change" if change else "admin add",
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit_delete(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic(using=queryset.db):
            self._audit_delete(request, queryset)
            super().delete_queryset(request, queryset)

    def get_actions(self, request: HttpRequest) -> dict[str, tuple[ActionFunc, str, str]]:
        actions = super().get_actions(request)
        return {
            name: (func if name == self.audited_delete_action else self._audited(func, name), name, description)
            for name, (func, _name, description) in actions.items()
        }

    def construct_change_message(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        """Django's history keeps field names only; write-only secret inputs are left out entirely."""
        message = super().construct_change_message(request, form, formsets, add)
        hidden = {str(form.fields[name].label) for name in form.fields if name in self.secret_fields}
        for entry in message:
            if "changed" in entry:
                entry["changed"]["fields"] = [f for f in entry["changed"]["fields"] if f not in hidden]
        return [entry for entry in message if "changed" not in entry or entry["changed"]["fields"]]

    def _audit_delete(self, request: HttpRequest, objects: Iterable[Any]) -> None:
        for obj in objects:
            audit_record(
                actor=request.user, action=AuditLog.Action.DELETE, obj=obj, request=request, message="admin delete"
            )

    def _audited(self, func: ActionFunc, name: str) -> ActionFunc:
        def audited_action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase | None:
            selected = list(queryset[: ACTION_AUDIT_LIMIT + 1])
            response = func(modeladmin, request, queryset)
            message = f"admin action: {name}"
            if len(selected) > ACTION_AUDIT_LIMIT:
                audit_record(
                    actor=request.user,
                    action=AuditLog.Action.ADMIN_ACTION,
                    changes={"model": [None, self.model._meta.label], "count": [None, queryset.count()]},
                    request=request,
                    message=message,
                )
                return response
            for obj in selected:
                audit_record(
                    actor=request.user, action=AuditLog.Action.ADMIN_ACTION, obj=obj, request=request, message=message
                )
            return response

        audited_action.__name__ = name
        return audited_action


class BigTableAdmin(AuditedAdmin):
    """For tables that grow without bound: no full count, estimated page count when unfiltered."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator


class ReadOnlyAdmin(AuditedAdmin):
    """For append-only records (history, audit): view only, nothing added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecentRowsFormSet(BaseInlineFormSet):
    """An inline formset showing only the newest rows (the queryset's ordering decides which)."""

    limit = RECENT_INLINE_ROWS

    def get_queryset(self) -> QuerySet[Any]:
        if not hasattr(self, "_recent_queryset"):
            self._recent_queryset = super().get_queryset()[: self.limit]
        return self._recent_queryset


class RecentRowsInline(admin.TabularInline):
    """A read-only inline of the newest rows of a history table."""

    formset = RecentRowsFormSet
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    list_select_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related(*self.list_select_related)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
