"""The console's admin site: Django admin with idkarr's dashboard as the index."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm


class ConsoleAuthenticationForm(AdminAuthenticationForm):
    """Sign-in for anyone holding a role (admin, operator, viewer), not only staff."""

    def confirm_login_allowed(self, user):
        from idkarr.accounts.roles import role_of

        if not user.is_active or role_of(user) is None:
            raise forms.ValidationError(
                "This account has no idkarr role (admin, operator or viewer); ask an admin to grant one.",
                code="no_role",
            )


class ConsoleSite(admin.AdminSite):
    site_header = "idkarr console"
    site_title = "idkarr"
    index_title = "Dashboard"
    index_template = "admin/idkarr_index.html"
    login_form = ConsoleAuthenticationForm

    def has_permission(self, request):
        """Anyone holding a role may use the console; model permissions decide what they see."""
        from idkarr.accounts.roles import role_of

        return role_of(request.user) is not None

    def index(self, request, extra_context=None):
        from integrations.dashboard import dashboard_context

        context = dict(extra_context or {})
        context.update(dashboard_context())
        return super().index(request, context)
