from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("plans/<int:pk>/", views.PlanView.as_view(), name="plan"),
]
