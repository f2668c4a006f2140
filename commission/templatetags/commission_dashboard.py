from django import template

from commission.dashboard import dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_sections(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return dashboard(request)
