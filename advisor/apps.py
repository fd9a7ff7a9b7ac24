from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AdvisorConfig(AppConfig):
    name = "advisor"
    verbose_name = "Advisor"

    def ready(self) -> None:
        # Connected from the advisor's side: orgs never imports the advisor, yet a title
        # pattern's change publishes a ruleset version like any other rule's.
        from advisor.rulesets import RULE_MODELS, rule_changed

        for model in RULE_MODELS:
            post_save.connect(rule_changed, sender=model, dispatch_uid=f"ruleset-{model._meta}")
            post_delete.connect(rule_changed, sender=model, dispatch_uid=f"ruleset-{model._meta}")
