"""The org chart: who reports to whom, today."""

from django.template.response import TemplateResponse
from django.urls import reverse
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
    """The reporting lines of the organization as it is today, as a tree: product managers
    and product owners told apart, opened on their branch, each box a link to the
    person's edit page for an editor."""
    rules = TitlePattern.objects.rules()
    people = organization.people.values_list("id", "name", "title", "role", "reports_to_id")
    # One reverse() for every box: the URLs differ only by the person's id, the last
    # number of the path.
    edit_head, edit_tail = "", ""
    if membership.can_edit:
        edit_url = reverse("orgs:person_edit", kwargs={"slug": organization.slug, "pk": 0})
        edit_head, edit_tail = edit_url.rsplit("/0/", 1)
    nodes = []
    for pk, name, title, role, reports_to in people.order_by("name", "id"):
        role = role or role_from_title(title, rules)
        url = f"{edit_head}/{pk}/{edit_tail}" if edit_head else ""
        nodes.append(OrgNode(pk, reports_to, name, title, role, Role(role).label, url))
    names = {node.id: node.name for node in nodes}
    context = {
        "organization": organization,
        "membership": membership,
        "layout": org_tree(nodes),
        "legend": [
            ("product_manager", Role.PRODUCT_MANAGER.label),
            ("product_owner", Role.PRODUCT_OWNER.label),
            ("product_leader", f"{Role.PRODUCT_LEADER.label} or {Role.EXECUTIVE.label.lower()}"),
            ("other", "Anyone else"),
        ],
        "rows": [(node, names.get(node.parent_id, "")) for node in nodes],
    }
    return TemplateResponse(request, "orgs/org_chart.html", context)
