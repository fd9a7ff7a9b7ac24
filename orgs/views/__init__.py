"""Views of the orgs app: accounts, organizations and members, and modeling the organization."""
