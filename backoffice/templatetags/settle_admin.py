"""Template tags of the back office: `{% badge key label %}` (money and dates are built in)."""

from django import template

from backoffice.display import badge as badge_html

register = template.Library()


@register.simple_tag
def badge(key, label):
    return badge_html(key, label)
