from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("data-protection/retention/", views.ScheduleView.as_view(), name="schedule"),
    path(
        "data-protection/retention/rules/<int:pk>/",
        views.RuleChangeView.as_view(),
        name="rule-change",
    ),
    path("data-protection/retention/due/", views.DueListView.as_view(), name="due"),
    path(
        "data-protection/retention/reviews/<int:pk>/",
        views.ReviewView.as_view(),
        name="review",
    ),
    path(
        "data-protection/retention/reviews/<int:pk>/dispose/",
        views.DisposeView.as_view(),
        name="dispose",
    ),
    path("data-protection/retention/holds/", views.HoldsView.as_view(), name="holds"),
    path(
        "data-protection/retention/holds/<int:pk>/lift/",
        views.HoldLiftView.as_view(),
        name="hold-lift",
    ),
    path("data-protection/retention/disposed/", views.DisposedView.as_view(), name="disposed"),
]
