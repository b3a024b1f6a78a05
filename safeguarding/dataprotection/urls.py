from django.urls import path

from . import views

app_name = "dataprotection"

urlpatterns = [
    path("data-protection/", views.DataProtectionHomeView.as_view(), name="home"),
]
