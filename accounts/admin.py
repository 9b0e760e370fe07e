from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiKey, User
from accounts.services import api_key_revoke
from dropship_central.admin_mixins import AuditedAdmin
from dropship_central.audit import SECRET_MASK, audit_record
from dropship_central.models import AuditLog


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    secret_fields = frozenset({"password", "password1", "password2"})
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Plan and profile"), {"fields": ("tier", "company", "default_currency", "first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "tier", "usable_password", "password1", "password2")},
        ),
    )
    list_display = ("email", "tier", "company", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("tier", "is_active", "is_staff", "is_superuser")
    search_fields = ("email", "company", "first_name", "last_name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined")

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            audit_record(
                actor=request.user,
                action=AuditLog.Action.UPDATE,
                obj=self.get_object(request, id),
                changes={"password": [SECRET_MASK, SECRET_MASK]},
                request=request,
                message="admin password change",
            )
        return response


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    """The hash is never shown: keys are created by their owner and shown to them once."""

    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "expires_at", "revoked_at", "active")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    list_select_related = ("user",)
    search_fields = ("name", "=prefix", "user__email")
    raw_id_fields = ("user",)
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(boolean=True, description="active")
    def active(self, obj: ApiKey) -> bool:
        return obj.is_active

    @admin.action(description="Revoke the selected keys", permissions=("change",))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        keys = list(queryset.filter(revoked_at__isnull=True).select_related("user"))
        for key in keys:
            api_key_revoke(user=key.user, api_key=key, actor=request.user, request=request)
        self.message_user(request, f"{len(keys)} key(s) revoked.", messages.SUCCESS)
