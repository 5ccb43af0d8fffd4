"""The figures' filters: percentages read as on every other page."""

from review.templatetags.insights_tags import percent, percent_of


def test_a_percentage_has_no_space_before_its_sign():
    assert percent(0.1234) == "12.3%"
    assert percent(0.5, 0) == "50%"
    assert percent_of(1, 8) == "12.5%"


def test_a_missing_figure_is_a_dash():
    assert percent(None) == "–" and percent_of(3, 0) == "–"
