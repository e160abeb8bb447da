from django.contrib import admin, messages

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = ["name", "user", "revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if not request.user.is_superuser else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        user = obj.user if request.user.is_superuser and obj.user_id else request.user
        key, raw = ApiKey.issue(user, obj.name)
        obj.pk = key.pk
        messages.warning(
            request, f"New API key for {user}: {raw} — copy it now, it will not be shown again."
        )

    def get_changeform_initial_data(self, request):
        return {"user": request.user.pk}

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        for key in queryset:
            key.revoke()
