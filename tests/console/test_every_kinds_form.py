"""The console's add page renders a settings form for every kind of every family (a
settings field type the form builder cannot render would break that kind's page)."""

from __future__ import annotations

import pytest

from integrations.families import FAMILIES

pytestmark = pytest.mark.django_db

KINDS = [
    pytest.param(fam, cls, id=f"{fam.name}:{cls.kind}")
    for fam in FAMILIES
    for cls in fam.registry.classes()
]


@pytest.mark.parametrize(("fam", "cls"), KINDS)
def test_the_add_page_renders_the_kinds_settings_form(console_for, fam, cls):
    meta = fam.model._meta
    page = console_for("admin").get(
        f"/admin/{meta.app_label}/{meta.model_name}/add/?kind={cls.kind}"
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="_test"' in body
    public = [n for n in cls.Settings.model_fields if n not in cls.Settings.secret_fields()]
    assert [name for name in public if f'name="settings-{name}"' not in body] == []
