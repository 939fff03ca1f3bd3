"""Template tags of the back office: `{{ amount|money:currency }}`, `{% badge key label %}`."""

from django import template

from backoffice.display import badge as badge_html
from backoffice.display import money as money_text

register = template.Library()


@register.filter
def money(amount, currency):
    return money_text(amount, currency)


@register.simple_tag
def badge(key, label):
    return badge_html(key, label)
