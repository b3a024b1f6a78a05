from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        # Who may see each concern at a place is kept in step with the grants and
        # involvements it depends on, in the same transaction (cases/audience.py).
        from . import audience

        audience.connect()
