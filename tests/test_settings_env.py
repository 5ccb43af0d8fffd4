"""The settings' environment readers: a value they do not understand is an error."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "on"])
def test_true_values(monkeypatch, value):
    monkeypatch.setenv("HW_FLAG", value)
    assert env_bool("HW_FLAG") is True


@pytest.mark.parametrize("value", ["0", "false", "No", "off"])
def test_false_values(monkeypatch, value):
    monkeypatch.setenv("HW_FLAG", value)
    assert env_bool("HW_FLAG", default=True) is False


@pytest.mark.parametrize("value", ["", "  "])
def test_unset_or_empty_is_the_default(monkeypatch, value):
    monkeypatch.setenv("HW_FLAG", value)
    assert env_bool("HW_FLAG", default=True) is True
    monkeypatch.delenv("HW_FLAG")
    assert env_bool("HW_FLAG") is False


@pytest.mark.parametrize("value", ["ture", "2", "enabled", "y e s"])
def test_a_value_it_does_not_understand_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("HW_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="HW_FLAG"):
        env_bool("HW_FLAG", default=True)
