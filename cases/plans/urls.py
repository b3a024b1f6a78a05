from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("subjects/<str:reference>/plans/new/", views.PlanStartView.as_view(), name="start"),
    path("plans/<int:pk>/", views.PlanView.as_view(), name="plan"),
    path("plans/<int:pk>/agree/", views.PlanActivateView.as_view(), name="activate"),
    path("plans/<int:pk>/goals/new/", views.GoalAddView.as_view(), name="goal-add"),
    path(
        "plans/<int:pk>/goals/<int:goal>/measures/new/",
        views.MeasureAddView.as_view(),
        name="measure-add",
    ),
    path("plans/<int:pk>/responses/new/", views.PlanActionAddView.as_view(), name="action-add"),
    path("plans/<int:pk>/safety/", views.SafetyView.as_view(), name="safety"),
    path("plans/<int:pk>/links/new/", views.LinkView.as_view(), name="link"),
    path("plans/<int:pk>/reviews/new/", views.ReviewView.as_view(), name="review-add"),
    path("plans/reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review"),
    path("plans/<int:pk>/end/", views.EndView.as_view(), name="end"),
    path("plans/<int:pk>/decision/", views.DecisionView.as_view(), name="decision"),
    path("measures/<int:pk>/values/new/", views.MeasureValueView.as_view(), name="measure-value"),
]
