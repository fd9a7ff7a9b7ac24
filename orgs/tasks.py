"""Background work of the orgs app, run by the task backend of settings.TASKS."""

from django.contrib.auth.forms import PasswordResetForm
from django.tasks import task


@task
def send_password_reset_mail(*, email: str, domain: str, use_https: bool) -> None:
    """Mail a reset link to each active account of the address; an unknown one gets none.

    The lookup happens here, not in the request, so that the reset form does the same
    work whether or not an account uses the address.
    """
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)
