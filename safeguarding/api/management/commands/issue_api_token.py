"""``manage.py issue_api_token``: issue a partner API token from the shell (the admin does the
same at /admin/api/apitoken/add/). The token is printed once and stored only as a hash."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguarding.accounts.models import Organisation, User
from safeguarding.api import services


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="The partner organisation's name, exactly.")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument("--by", required=True, help="Username of the administrator issuing it.")
        parser.add_argument("--days", type=int, default=365, help="Days until it expires.")

    def handle(self, *args, organisation, name, by, days, **options):
        try:
            org = Organisation.objects.get(name=organisation)
            admin = User.objects.get(username=by)
        except (Organisation.DoesNotExist, User.DoesNotExist) as missing:
            raise CommandError(str(missing)) from None
        try:
            issued = services.api_token_issue(
                organisation=org,
                name=name,
                issued_by=admin,
                expires_at=timezone.now() + timedelta(days=days),
            )
        except ValidationError as refused:
            raise CommandError("; ".join(refused.messages)) from None
        self.stderr.write(
            f"Issued for {org} until {issued.token.expires_at:%Y-%m-%d}. "
            "Copy the token now: it is not stored and will not be shown again."
        )
        self.stdout.write(issued.secret)
