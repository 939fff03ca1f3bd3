"""`{% settle_dashboard as dashboard %}` on the admin index: the figures of the user's entities."""

from django import template

from backoffice.dashboard import dashboard_for

register = template.Library()


@register.simple_tag(takes_context=True)
def settle_dashboard(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return dashboard_for(request.user)
