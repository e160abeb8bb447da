"""Django forms built from a provider's pydantic ``Settings`` model (the console's
add/change pages). The provider declares its settings once; the form follows.

* ``bool`` → checkbox, ``int``/``float`` → number with the model's bounds,
  ``str`` → text, ``Literal``/``Enum`` → select, ``list[...]`` → comma-separated
  text, anything else → JSON; a field with ``json_schema_extra={"choices_from": …}``
  → a select of configured objects (``CHOICE_SOURCES``).
* ``SecretStr`` → password input that never renders a value. On edit an empty
  input keeps the stored secret and a ``<name>__clear`` box clears it, matching
  ``merge_settings``: ``None`` keeps, ``""`` clears.
* ``on_*`` booleans (notification subscriptions) form an "Events" fieldset.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Iterable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from django import forms
from django.utils.module_loading import import_string
from pydantic import SecretStr, ValidationError
from pydantic.fields import FieldInfo

from .base import ProviderSettings

KEEP_HELP = "Leave empty to keep the stored value"
REENTER_HELP = "Enter it again to use it: secrets are never sent back to the page."
CLEAR_SUFFIX = "__clear"
EVENT_PREFIX = "on_"
_ACRONYMS = {"api", "http", "https", "id", "ip", "nzb", "rpc", "ssl", "tls", "tv", "url", "uri"}
_BOUNDS = ("ge", "gt", "le", "lt", "min_length", "max_length")


def field_label(name: str) -> str:
    """``use_ssl`` → ``Use SSL``; ``on_series_add`` → ``Series Add``."""
    words = name.removeprefix(EVENT_PREFIX).split("_")
    return " ".join(w.upper() if w in _ACRONYMS else w.capitalize() for w in words if w)


def sentences(*parts: str) -> str:
    """Join help texts, ending each with a full stop when it has no final punctuation."""
    texts = [p.strip() for p in parts if p and p.strip()]
    if len(texts) <= 1:
        return "".join(texts)
    return " ".join(t if t[-1] in ".!?" else t + "." for t in texts)


def _unwrap(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """(inner type, optional?, Annotated metadata) of ``X | None`` / ``Annotated[X, …]``."""
    metadata: list[Any] = []
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            metadata.extend(extra)
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            if len(args) != 1:
                return annotation, optional, metadata
            annotation = args[0]
        else:
            return annotation, optional, metadata


def _bounds(metadata: Iterable[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        for attr in _BOUNDS:
            value = getattr(item, attr, None)
            if value is not None:
                found[attr] = value
    return found


def _is_secret(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, SecretStr)


def _choice_field(values: list[Any], labels: list[str], **kwargs) -> forms.TypedChoiceField:
    by_text = {str(v): v for v in values}
    return forms.TypedChoiceField(
        choices=list(zip(by_text, labels, strict=True)),
        coerce=lambda text: by_text[text],
        empty_value=None,
        **kwargs,
    )


# Settings naming another configured object (``json_schema_extra={"choices_from": …}``):
# a select filled from the database each time the form is built.
CHOICE_SOURCES = {
    "download_clients": "integrations.downloadclients.models.client_choices",
    "proxies": "integrations.models.proxy_choices",
    "root_folders": "idkarr.library.choices.root_folder_choices",
    "quality_profiles": "idkarr.library.choices.quality_profile_choices",
}


def _choices_from(info: FieldInfo) -> str | None:
    extra = info.json_schema_extra
    return extra.get("choices_from") if isinstance(extra, dict) else None


def _dynamic_choice_field(source: str, *, required: bool, **common) -> forms.TypedChoiceField:
    options = import_string(CHOICE_SOURCES[source])()
    field = _choice_field(
        [value for value, _ in options],
        [label for _, label in options],
        required=required,
        **common,
    )
    if not required:
        field.choices = [("", "(none)"), *field.choices]
    return field


def _list_to_python(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def build_field(name: str, info: FieldInfo) -> forms.Field:
    """A form field for one settings field (no secrets: see SettingsForm)."""
    tp, optional, extra = _unwrap(info.annotation)
    bounds = _bounds([*info.metadata, *extra])
    required = info.is_required() and not optional
    common: dict[str, Any] = {
        "label": info.title or field_label(name),
        "help_text": info.description or "",
    }
    source = _choices_from(info)
    if source:
        return _dynamic_choice_field(source, required=required, **common)
    if tp is bool:
        return forms.BooleanField(required=False, **common)
    if tp is int:
        low = bounds.get("ge", bounds["gt"] + 1 if "gt" in bounds else None)
        high = bounds.get("le", bounds["lt"] - 1 if "lt" in bounds else None)
        widget = forms.NumberInput(attrs={"class": "vIntegerField"})
        return forms.IntegerField(
            required=required, min_value=low, max_value=high, widget=widget, **common
        )
    if tp is float:
        low, high = bounds.get("ge"), bounds.get("le")
        widget = forms.NumberInput(attrs={"class": "vIntegerField", "step": "any"})
        return forms.FloatField(
            required=required, min_value=low, max_value=high, widget=widget, **common
        )
    if get_origin(tp) is Literal:
        values = list(get_args(tp))
        return _choice_field(values, [str(v) for v in values], required=required, **common)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        members = list(tp)
        return _choice_field(
            [m.value for m in members],
            [field_label(m.name.lower()) for m in members],
            required=required,
            **common,
        )
    if get_origin(tp) in (list, tuple, set, frozenset):
        help_text = " ".join(
            filter(None, [common.pop("help_text"), "Separate values with commas."])
        )
        return forms.CharField(
            required=required,
            help_text=help_text,
            widget=forms.TextInput(attrs={"class": "vTextField"}),
            **common,
        )
    if tp is str:
        return forms.CharField(
            required=required or bounds.get("min_length", 0) > 0,
            min_length=bounds.get("min_length"),
            max_length=bounds.get("max_length"),
            empty_value=None if optional else "",
            strip=True,
            widget=forms.TextInput(attrs={"class": "vTextField"}),
            **common,
        )
    return forms.JSONField(required=required, **common)


def _initial(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v.value if isinstance(v, enum.Enum) else v) for v in value)
    return value


class SettingsForm(forms.Form):
    """The form for one provider's ``Settings``.

    ``stored``: current non-secret settings (edit) — the initial values; defaults otherwise.
    ``secrets_set``: names of secrets stored for the config being edited.
    ``disabled``: render read-only (viewers).
    """

    def __init__(
        self,
        model: type[ProviderSettings],
        data=None,
        *,
        stored: dict[str, Any] | None = None,
        secrets_set: Iterable[str] = (),
        prefix: str = "settings",
        disabled: bool = False,
    ):
        super().__init__(data, prefix=prefix)
        self.model = model
        self.secret_names = list(model.secret_fields())
        self.secrets_set = set(secrets_set)
        stored = stored or {}
        for name, info in model.model_fields.items():
            if name in self.secret_names:
                self._add_secret(name, info)
                continue
            field = build_field(name, info)
            if name in stored:
                field.initial = _initial(stored[name])
            elif not info.is_required():
                field.initial = _initial(info.get_default(call_default_factory=True))
            self.fields[name] = field
        if disabled:
            for field in self.fields.values():
                field.disabled = True

    def _add_secret(self, name: str, info: FieldInfo) -> None:
        stored = name in self.secrets_set
        _, optional, _ = _unwrap(info.annotation)
        help_parts = [info.description or ""]
        if stored:
            help_parts.append(KEEP_HELP)
        if self.is_bound and self.data.get(self.add_prefix(name)):
            help_parts.append(REENTER_HELP)
        help_text = sentences(*help_parts)
        attrs = {"class": "vTextField", "autocomplete": "new-password"}
        if stored:
            attrs["placeholder"] = "•••••••• (stored)"
        self.fields[name] = forms.CharField(
            label=info.title or field_label(name),
            required=info.is_required() and not optional and not stored,
            strip=False,
            help_text=help_text,
            widget=forms.PasswordInput(render_value=False, attrs=attrs),
        )
        if stored:
            self.fields[name + CLEAR_SUFFIX] = forms.BooleanField(
                label="Clear", required=False, help_text="Remove the stored value"
            )

    # -- layout ------------------------------------------------------------
    def fieldsets(self) -> list[tuple[str, dict[str, Any]]]:
        """Admin-style fieldsets: settings in model order (a secret and its clear box
        on one line), then the ``on_*`` events, when there are any, then any group a
        field names with ``json_schema_extra={"fieldset": ...}``."""
        main: list[Any] = []
        events: list[str] = []
        groups: dict[str, list[str]] = {}
        for name, info in self.model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            group = extra.get("fieldset")
            if group == "Events":
                events.append(name)
            elif isinstance(group, str) and group:
                groups.setdefault(group, []).append(name)
            elif name.startswith(EVENT_PREFIX) and isinstance(
                self.fields[name], forms.BooleanField
            ):
                events.append(name)
            elif name + CLEAR_SUFFIX in self.fields:
                main.append((name, name + CLEAR_SUFFIX))
            else:
                main.append(name)
        out = [("Settings", {"fields": main})] if main else []
        if events:
            out.append(("Events", {"fields": events, "classes": ["idk-events"]}))
        out.extend((group, {"fields": fields}) for group, fields in groups.items())
        return out

    # -- data ----------------------------------------------------------------
    def settings_data(self) -> dict[str, Any]:
        """Cleaned data as the ``incoming`` dict of ``merge_settings``: an empty secret
        is ``None`` (keep), a ticked clear box is ``""`` (clear); an empty optional-input
        field that the model does not allow to be ``None`` is left out (its default, or
        the stored value on edit)."""
        data: dict[str, Any] = {}
        for name, info in self.model.model_fields.items():
            value = self.cleaned_data.get(name)
            tp, optional, _ = _unwrap(info.annotation)
            if name in self.secret_names:
                if self.cleaned_data.get(name + CLEAR_SUFFIX):
                    value = ""
                elif not value:
                    value = None
            elif value is None and not optional:
                continue
            elif value is not None and get_origin(tp) in (list, tuple, set, frozenset):
                value = _list_to_python(value)
            data[name] = value
        return data

    def add_validation_error(self, exc: ValidationError) -> None:
        """Attach pydantic's errors to the fields they name. Messages, not inputs, are
        shown, and a message that would contain a submitted secret is replaced."""
        secrets = [self.data.get(self.add_prefix(n)) for n in self.secret_names]
        secrets = [s for s in secrets if s]
        for error in exc.errors(include_input=False, include_url=False):
            loc = error.get("loc") or ()
            name = str(loc[0]) if loc else None
            message = error.get("msg") or "Invalid value"
            if any(s in message for s in secrets):
                message = "Invalid value"
            if name in self.fields:
                self.add_error(name, message)
            else:
                label = f"{field_label(name)}: " if name else ""
                self.add_error(None, label + message)


class ConfigForm(forms.ModelForm):
    """Name, enabled and tags of a config; its kind is fixed by the page."""

    tags = forms.CharField(
        required=False,
        help_text="Comma-separated labels, e.g. anime, 4k",
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.setdefault("class", "vTextField")
        if self.instance.pk and "tags" not in self.initial:
            self.initial["tags"] = ", ".join(t.label for t in self.instance.tags.all())

    def tag_labels(self) -> list[str]:
        return _list_to_python(self.cleaned_data.get("tags", ""))


# What tags mean on each family's page (the notification rule lives in notifications.events).
TAG_HELP = {
    "indexer": (
        "Comma-separated labels, e.g. anime, 4k. Only searched for series and movies with "
        "one of these tags; empty: for all."
    ),
    "download_client": (
        "Comma-separated labels, e.g. anime, 4k. Only receives grabs for series and movies "
        "with one of these tags; empty: for all."
    ),
}


def config_form_class(model) -> type[ConfigForm]:
    form = forms.modelform_factory(model, form=ConfigForm, fields=["name", "enabled"])
    help_text = TAG_HELP.get(getattr(model, "family", ""))
    if help_text:
        form.base_fields["tags"] = forms.CharField(
            required=False,
            help_text=help_text,
            widget=forms.TextInput(attrs={"class": "vTextField"}),
        )
    return form
