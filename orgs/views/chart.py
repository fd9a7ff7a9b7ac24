"""The org chart: who reports to whom, today."""

from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from orgs.access import organization_view
from orgs.charts import OrgNode, org_tree
from orgs.htmx import HtmxHttpRequest
from orgs.models import Membership, Organization, Role, TitlePattern
from orgs.titles import role_from_title


@organization_view()
@require_safe
def org_chart(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> TemplateResponse:
    """The reporting lines of the organization as it is today, as a tree."""
    rules = TitlePattern.objects.rules()
    people = organization.people.only("id", "name", "title", "role", "reports_to_id").order_by(
        "name", "id"
    )
    nodes = []
    for p in people:
        role = p.role or role_from_title(p.title, rules)
        nodes.append(OrgNode(p.id, p.reports_to_id, p.name, p.title, role, Role(role).label))
    names = {node.id: node.name for node in nodes}
    context = {
        "organization": organization,
        "membership": membership,
        "layout": org_tree(nodes),
        "rows": [(node, names.get(node.parent_id, "")) for node in nodes],
    }
    return TemplateResponse(request, "orgs/org_chart.html", context)
