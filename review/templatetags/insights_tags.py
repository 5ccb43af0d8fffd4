from django import template

register = template.Library()


@register.filter
def percent(value: float | str | None, digits: int = 1) -> str:
    """0.1234 -> "12.3%" (written as every other page writes a percentage); a dash for a
    missing value."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def seconds(value: float | None) -> str:
    """A duration in seconds, in the largest units that read well."""
    if value is None:
        return "–"
    value = float(value)
    if value < 60:
        return f"{value:.0f} s"
    if value < 3600:
        return f"{value // 60:.0f} min {value % 60:.0f} s"
    if value < 86400:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} days"


@register.filter
def number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{float(value):.{int(digits)}f}"


@register.filter
def percent_of(value: float, total: float | None) -> str:
    if not total:
        return "–"
    return percent(float(value) / float(total))
