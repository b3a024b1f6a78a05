from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.DeliveryLogView.as_view(), name="log"),
    path("notifications/<int:pk>/retry", views.retry, name="retry"),
    path("notifications/retry-failed", views.retry_failed, name="retry-failed"),
]
