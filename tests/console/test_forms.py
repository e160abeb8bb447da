"""Forms generated from a provider's pydantic Settings model."""

from __future__ import annotations

import enum
from typing import Literal

import pytest
from django import forms
from pydantic import Field, SecretStr, ValidationError, field_validator

from integrations.base import ProviderSettings
from integrations.forms import CLEAR_SUFFIX, KEEP_HELP, REENTER_HELP, SettingsForm, field_label
from integrations.models import merge_settings
from notifications.base import NotificationSettings
from tests.fakes import FakeClientSettings

from .conftest import SECRET


class Colour(enum.Enum):
    RED = "red"
    DARK_BLUE = "dark-blue"


class Sample(ProviderSettings):
    host: str = Field("127.0.0.1", min_length=1, description="Host name or IP address")
    port: int = Field(8080, ge=1, le=65535)
    ratio: float = Field(1.5, ge=0, le=10)
    use_ssl: bool = False
    mode: Literal["fast", "slow"] = "fast"
    level: Literal[1, 2, 3] = 2
    colour: Colour = Colour.RED
    categories: list[str] = Field(default_factory=lambda: ["tv", "movies"])
    limit: int | None = None
    api_key: SecretStr | None = Field(None, description="The API key")

    @field_validator("host")
    @classmethod
    def no_spaces(cls, value: str) -> str:
        if " " in value:
            raise ValueError("must not contain spaces")
        return value


class Guarded(ProviderSettings):
    token: SecretStr

    @field_validator("token")
    @classmethod
    def echo_token(cls, value: SecretStr) -> SecretStr:
        raise ValueError(f"token {value.get_secret_value()} is not accepted")


def bound(model=Sample, **data) -> SettingsForm:
    defaults = {
        "host": "nas.local",
        "port": "8080",
        "ratio": "1.5",
        "mode": "fast",
        "level": "2",
        "colour": "red",
    }
    payload = (
        {f"settings-{k}": v for k, v in {**defaults, **data}.items()}
        if model is Sample
        else {f"settings-{k}": v for k, v in data.items()}
    )
    return SettingsForm(model, payload)


def test_bool_becomes_an_optional_checkbox():
    field = SettingsForm(Sample).fields["use_ssl"]
    assert isinstance(field, forms.BooleanField)
    assert field.required is False


def test_int_takes_its_bounds_from_the_model_constraints():
    field = SettingsForm(Sample).fields["port"]
    assert isinstance(field, forms.IntegerField)
    assert (field.min_value, field.max_value) == (1, 65535)


def test_float_becomes_a_float_field_with_bounds():
    field = SettingsForm(Sample).fields["ratio"]
    assert isinstance(field, forms.FloatField)
    assert (field.min_value, field.max_value) == (0, 10)


def test_str_becomes_a_char_field_with_the_description_as_help():
    field = SettingsForm(Sample).fields["host"]
    assert isinstance(field, forms.CharField)
    assert field.help_text == "Host name or IP address"
    assert field.required  # min_length=1


def test_literal_becomes_a_choice_field_of_its_values():
    field = SettingsForm(Sample).fields["mode"]
    assert isinstance(field, forms.ChoiceField)
    assert [value for value, _ in field.choices] == ["fast", "slow"]


def test_literal_choice_is_cleaned_back_to_its_original_type():
    form = bound(level="3")
    assert form.is_valid(), form.errors
    assert form.settings_data()["level"] == 3


def test_enum_becomes_a_choice_field_of_member_values():
    field = SettingsForm(Sample).fields["colour"]
    assert list(field.choices) == [("red", "Red"), ("dark-blue", "Dark Blue")]


def test_secret_becomes_a_password_input_that_never_renders_a_value():
    form = bound(api_key=SECRET)
    assert isinstance(form.fields["api_key"].widget, forms.PasswordInput)
    assert SECRET not in form.as_div()


def test_list_of_str_is_edited_as_comma_separated_text():
    form = SettingsForm(Sample)
    assert form.fields["categories"].initial == "tv, movies"
    filled = bound(categories=" anime ,4k,, ")
    assert filled.is_valid(), filled.errors
    assert filled.settings_data()["categories"] == ["anime", "4k"]


def test_labels_are_title_cased_field_names_with_acronyms():
    assert field_label("use_ssl") == "Use SSL"
    assert SettingsForm(Sample).fields["api_key"].label == "API Key"


def test_fields_follow_the_model_order():
    assert list(SettingsForm(Sample).fields) == list(Sample.model_fields)


def test_initial_values_are_the_model_defaults():
    form = SettingsForm(Sample)
    assert form.fields["port"].initial == 8080
    assert form.fields["colour"].initial == "red"


def test_initial_values_prefer_stored_settings():
    form = SettingsForm(Sample, stored={"port": 9091, "categories": ["tv"]})
    assert form.fields["port"].initial == 9091
    assert form.fields["categories"].initial == "tv"


def test_on_flags_are_grouped_under_an_events_fieldset():
    class Notify(NotificationSettings):
        url: str = "http://127.0.0.1"

    sets = dict(SettingsForm(Notify).fieldsets())
    assert sets["Settings"]["fields"] == ["url"]
    assert "on_grab" in sets["Events"]["fields"]


def test_shared_notification_options_sit_with_events_and_delivery_not_settings():
    class Notify(NotificationSettings):
        url: str = "http://127.0.0.1"

    sets = dict(SettingsForm(Notify).fieldsets())
    assert list(sets) == ["Settings", "Events", "Delivery"]
    assert sets["Events"]["fields"][-1] == "include_health_warnings"
    assert sets["Delivery"]["fields"] == ["min_interval_seconds"]


def test_no_events_fieldset_without_on_flags():
    assert [name for name, _ in SettingsForm(Sample).fieldsets()] == ["Settings"]


def test_empty_optional_int_is_none():
    form = bound(limit="")
    assert form.is_valid(), form.errors
    assert form.settings_data()["limit"] is None


def test_empty_int_with_a_default_is_left_to_the_default():
    form = bound(port="")
    assert form.is_valid(), form.errors
    assert "port" not in form.settings_data()


def test_stored_secret_gets_keep_help_and_a_clear_box():
    form = SettingsForm(Sample, secrets_set=["api_key"])
    assert KEEP_HELP in form.fields["api_key"].help_text
    assert "api_key" + CLEAR_SUFFIX in form.fields
    assert form.fields["api_key"].required is False


def test_unstored_secret_has_no_clear_box():
    assert "api_key" + CLEAR_SUFFIX not in SettingsForm(Sample).fields


def test_empty_secret_input_means_keep():
    form = bound(api_key="")
    assert form.is_valid(), form.errors
    assert form.settings_data()["api_key"] is None


def test_ticked_clear_box_means_clear():
    form = SettingsForm(
        Sample,
        {
            "settings-host": "nas",
            "settings-mode": "fast",
            "settings-level": "2",
            "settings-colour": "red",
            "settings-api_key__clear": "on",
        },
        secrets_set=["api_key"],
    )
    assert form.is_valid(), form.errors
    assert form.settings_data()["api_key"] == ""


@pytest.mark.django_db
def test_empty_secret_keeps_the_stored_one_through_merge(stored_client):
    form = SettingsForm(
        FakeClientSettings,
        {
            "settings-host": "127.0.0.1",
            "settings-port": "9091",
            "settings-mode": "ok",
            "settings-password": "",
        },
        secrets_set=stored_client.secrets_set,
    )
    assert form.is_valid(), form.errors
    merged = merge_settings(stored_client, FakeClientSettings, form.settings_data(), partial=True)
    assert merged.password.get_secret_value() == SECRET


@pytest.mark.django_db
def test_clear_box_removes_the_stored_secret_through_merge(stored_client):
    form = SettingsForm(
        FakeClientSettings,
        {
            "settings-host": "127.0.0.1",
            "settings-port": "9091",
            "settings-mode": "ok",
            "settings-password__clear": "on",
        },
        secrets_set=stored_client.secrets_set,
    )
    assert form.is_valid(), form.errors
    merged = merge_settings(stored_client, FakeClientSettings, form.settings_data(), partial=True)
    assert merged.password is None


def test_pydantic_error_is_attached_to_its_field():
    form = bound(host="nas local")
    assert form.is_valid()
    with pytest.raises(ValidationError) as info:
        Sample.model_validate(form.settings_data())
    form.add_validation_error(info.value)
    assert "must not contain spaces" in " ".join(form.errors["host"])


def test_pydantic_error_on_a_secret_never_echoes_the_secret():
    form = SettingsForm(Guarded, {"settings-token": SECRET})
    assert form.is_valid(), form.errors
    with pytest.raises(ValidationError) as info:
        Guarded.model_validate(form.settings_data())
    form.add_validation_error(info.value)
    assert form.errors["token"] == ["Invalid value"]
    assert SECRET not in form.as_div()


def test_required_secret_missing_is_reported_on_its_field():
    form = SettingsForm(Guarded, {"settings-token": ""})
    assert not form.is_valid()
    assert "token" in form.errors


def test_required_field_without_default_has_no_initial_value():
    class Hook(ProviderSettings):
        url: str

    form = SettingsForm(Hook)
    assert form.fields["url"].initial is None
    assert form.fields["url"].required is True


def test_help_texts_are_joined_as_sentences():
    help_text = SettingsForm(Sample, secrets_set=["api_key"]).fields["api_key"].help_text
    assert help_text == f"The API key. {KEEP_HELP}."


def test_secret_entered_on_a_returned_page_asks_to_be_entered_again():
    assert REENTER_HELP in bound(api_key=SECRET).fields["api_key"].help_text
