"""Pages behind ``ProviderConfigAdmin``: the kind picker, the add/change form with
Test / Save / Save anyway, and "check all now".

The form page is one view for add and change. Buttons:
* ``_test``: validate and merge the entered settings (stored secrets fill in
  empty secret inputs on edit), run the connection test, show its result;
* ``_save``: validate, test when the config is enabled, save when the test
  passes; otherwise show the failure and offer ``_force``;
* ``_force``: save without testing ("Save anyway").
Secret inputs are never rendered with a value, so a secret entered on a page
that comes back (test result, error) must be entered again to be used.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from pydantic import ValidationError

from idkarr.accounts.roles import ADMIN, has_role
from idkarr.library.models import Tag

from .dashboard import HEALTH_TONES, ago
from .families import BY_NAME
from .forms import SettingsForm, config_form_class
from .manager import manager
from .models import merge_settings

ACTIONS = ("_test", "_force", "_save")


def pill(tone: str, text: str, title: str = ""):
    """A coloured status pill (tones: ok, warn, bad, muted, info)."""
    return format_html(
        '<span class="idk-pill idk-pill--{}" title="{}">{}</span>', tone, title, text
    )


def health_pill(config):
    """Health status with latency; the tooltip carries the last error (secret-free by contract)."""
    status = config.health or "unknown"
    text = status if config.latency_ms is None else f"{status} · {config.latency_ms} ms"
    title = (
        (config.last_error or config.health_message)
        if status != "healthy"
        else config.health_message
    )
    return pill(HEALTH_TONES.get(status, "muted"), text, title)


def _url(model_admin, name: str, *args) -> str:
    opts = model_admin.model._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_{name}",
        args=args,
        current_app=model_admin.admin_site.name,
    )


def redirect_to_changelist(model_admin) -> HttpResponseRedirect:
    return HttpResponseRedirect(_url(model_admin, "changelist"))


def _context(model_admin, request, **extra) -> dict:
    opts = model_admin.model._meta
    return {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "family": BY_NAME[model_admin.model.family],
        "has_view_permission": model_admin.has_view_permission(request),
        **extra,
    }


def kind_picker(model_admin, request) -> TemplateResponse:
    opts = model_admin.model._meta
    kinds = [
        {
            "kind": cls.kind,
            "label": cls.label,
            "version": cls.version,
            "capabilities": sorted(cls.capabilities),
            "doc": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
        }
        for cls in model_admin.model.registry.classes()
        if not cls.admin_only or has_role(request.user, ADMIN)
    ]
    context = _context(
        model_admin,
        request,
        title=f"Add {opts.verbose_name}",
        kinds=kinds,
        changelist_url=_url(model_admin, "changelist"),
    )
    return TemplateResponse(request, "admin/integrations/kind_picker.html", context)


def _validate(obj, provider_cls, form: SettingsForm):
    """Merged, validated settings, or None with the errors attached to the form."""
    if not form.is_valid():
        return None
    try:
        return merge_settings(
            obj, provider_cls.Settings, form.settings_data(), partial=obj is not None
        )
    except ValidationError as exc:
        form.add_validation_error(exc)
        return None


def _settings_changed(obj, validated) -> bool:
    new_secrets = {k: v for k, v in validated.secret_dict().items() if v}
    public = validated.public_dict()
    stored = obj.stored_settings()
    return any(stored.get(k) != v for k, v in public.items()) or obj.get_secrets() != new_secrets


def _save(model_admin, request, base, validated, *, kind, obj, result, forced):
    adding = obj is None
    settings_changed = adding or _settings_changed(obj, validated)
    with transaction.atomic():
        config = base.save(commit=False)
        config.kind = kind
        config.apply_settings(validated)
        config.save()
        config.tags.set(Tag.resolve(base.tag_labels()))
    config.remember_test(result)
    verbose = model_admin.model._meta.verbose_name
    if adding:
        model_admin.log_addition(request, config, [{"added": {}}])
        text = f"The {verbose} “{config.name}” was added."
    else:
        fields = sorted(set(base.changed_data) | ({"settings"} if settings_changed else set()))
        model_admin.log_change(request, config, [{"changed": {"fields": fields}}] if fields else [])
        text = f"The {verbose} “{config.name}” was changed."
    if forced:
        messages.warning(request, f"{text} It was saved without a passing connection test.")
    elif result is not None:
        messages.success(request, f"{text} {result.message}")
    else:
        messages.success(request, text)
    return redirect_to_changelist(model_admin)


def config_form(model_admin, request, *, kind: str, obj=None):
    """The add (``obj`` None) or change page of one config."""
    model = model_admin.model
    opts = model._meta
    provider_cls = model.registry.get(kind)
    adding = obj is None
    can_save = (
        model_admin.has_add_permission(request)
        if adding
        else model_admin.has_change_permission(request, obj)
    ) and (not provider_cls.admin_only or has_role(request.user, ADMIN))
    action = (
        next((a for a in ACTIONS if a in request.POST), "_save")
        if request.method == "POST"
        else None
    )
    if action and not can_save:
        raise PermissionDenied

    form_class = config_form_class(model)
    instance = obj or model(kind=kind)
    if action == "_test":  # a test does not judge the name: show it back, unvalidated
        initial = {"name": request.POST.get("name", ""), "enabled": "enabled" in request.POST}
        base = form_class(
            initial={**initial, "tags": request.POST.get("tags", "")}, instance=instance
        )
    else:
        base = form_class(request.POST if action else None, instance=instance)
    settings_form = SettingsForm(
        provider_cls.Settings,
        request.POST if action else None,
        stored=obj.stored_settings() if obj else None,
        secrets_set=obj.secrets_set if obj else (),
        disabled=not can_save,
    )
    if not can_save:
        for field in base.fields.values():
            field.disabled = True

    result, offer_force = None, False
    if action:
        base_ok = action == "_test" or base.is_valid()
        validated = _validate(obj, provider_cls, settings_form)
        if validated is not None and action == "_test":
            result = manager.test_settings(
                provider_cls, validated, name=request.POST.get("name", "")
            )
        elif validated is not None and base_ok:
            if base.cleaned_data["enabled"] and action != "_force":
                result = manager.test_settings(
                    provider_cls, validated, name=base.cleaned_data["name"]
                )
                offer_force = not result.ok
            if not offer_force:
                return _save(
                    model_admin,
                    request,
                    base,
                    validated,
                    kind=kind,
                    obj=obj,
                    result=result,
                    forced=action == "_force",
                )

    errors = bool(action) and bool((base.is_bound and base.errors) or settings_form.errors)
    verb = "Add" if adding else ("Change" if can_save else "View")
    context = _context(
        model_admin,
        request,
        title=f"{verb} {opts.verbose_name}"
        + (f": {provider_cls.label}" if adding else f" “{obj.name}”"),
        add=adding,
        change=not adding,
        original=obj,
        kind=kind,
        provider={
            "label": provider_cls.label,
            "version": provider_cls.version,
            "capabilities": sorted(provider_cls.capabilities),
        },
        base_adminform=helpers.AdminForm(
            base, [(None, {"fields": ["name", "enabled", "tags"]})], {}
        ),
        settings_adminform=helpers.AdminForm(settings_form, settings_form.fieldsets(), {}),
        non_field_errors=settings_form.non_field_errors(),
        errors=errors,
        result=result,
        offer_force=offer_force,
        can_save=can_save,
        show_delete=obj is not None and model_admin.has_delete_permission(request, obj),
        changelist_url=_url(model_admin, "changelist"),
        delete_url=_url(model_admin, "delete", obj.pk) if obj else "",
        history_url=_url(model_admin, "history", obj.pk) if obj else "",
        picker_url=_url(model_admin, "add"),
        media=model_admin.media + base.media + settings_form.media,
    )
    if obj is not None:
        context["health_pill"] = health_pill(obj)
        context["last_checked"] = ago(obj.last_checked_at)
    return TemplateResponse(request, "admin/integrations/provider_form.html", context)


def check_all(model_admin, request) -> HttpResponseRedirect:
    """Check every enabled integration now, record it, and say how it went."""
    results = manager.all_health()
    if not results:
        messages.info(request, "There are no enabled integrations to check.")
    else:
        counts = Counter(h.status for h in results.values())
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        level = messages.SUCCESS if set(counts) == {"healthy"} else messages.WARNING
        messages.add_message(request, level, f"Checked {len(results)} integrations: {summary}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:index", current_app=model_admin.admin_site.name)
    return HttpResponseRedirect(target)
