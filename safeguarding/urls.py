from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases.views import HomeView
from safeguarding import health
from safeguarding.accounts.views import SignInView
from safeguarding.pickers import PickView
from safeguarding.search import SearchView

admin.site.site_header = "Contextual Safeguarding: administration"
admin.site.site_title = "Contextual Safeguarding"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("search/", SearchView.as_view(), name="search"),
    path("pick/<slug:slug>/", PickView.as_view(), name="pick"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("safeguarding.accounts.urls")),
    path("accounts/", include("safeguarding.accounts.password_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("safeguarding.api.urls")),
    path("", include("cases.urls")),
    path("", include("cases.assessments.urls")),
    path("", include("cases.meetings.urls")),
    path("", include("cases.plans.urls")),
    path("", include("contexts.urls")),
    path("", include("peers.urls")),
    path("", include("safeguarding.notifications.urls")),
    path("", include("safeguarding.dataprotection.urls")),
    path("", include("safeguarding.subject_access.urls")),
    path("", include("safeguarding.retention.urls")),
]
