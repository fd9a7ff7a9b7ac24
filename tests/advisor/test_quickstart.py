from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from advisor.models import Assessment
from orgs.models import Membership, Organization

pytestmark = pytest.mark.django_db


class TestQuickstart:
    def test_loads_the_demo_organizations_owned_by_a_demo_account_and_prints_its_login(self):
        out = StringIO()
        call_command("quickstart", "--no-serve", "--password", "s3cret-demo-pass", stdout=out)
        text = out.getvalue()
        assert "    user name: demo\n" in text
        assert "    password:  s3cret-demo-pass\n" in text
        user = get_user_model().objects.get(username="demo")
        assert user.check_password("s3cret-demo-pass")
        organizations = Organization.objects.count()
        assert organizations >= 4
        assert Membership.objects.filter(user=user, role="owner").count() == organizations
        assert Assessment.objects.filter(created_by=user).count() == organizations

    def test_running_twice_duplicates_nothing_and_sets_a_new_random_password(self):
        call_command("quickstart", "--no-serve", stdout=StringIO())
        counts = Organization.objects.count()
        out = StringIO()
        call_command("quickstart", "--no-serve", stdout=out)
        assert Organization.objects.count() == counts
        assert Assessment.objects.count() == counts
        password = out.getvalue().split("password:  ")[1].split()[0]
        assert get_user_model().objects.get(username="demo").check_password(password)
