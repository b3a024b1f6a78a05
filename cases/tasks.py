"""Celery tasks of case work (thin wrappers around services)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def notify_overdue_actions() -> int:
    """Tell partner organisations of their overdue actions. Run hourly (Celery beat)."""
    return services.actions_notify_overdue()


@shared_task(ignore_result=True)
def refresh_borough_figures() -> int:
    """Count every authority's hotspots and themes again (Celery beat, every
    BOROUGH_FIGURES_REFRESH_SECONDS)."""
    from . import figures

    return figures.refresh_all()
