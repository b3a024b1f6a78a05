from django.contrib.auth.decorators import login_required
from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("meetings/", login_required(views.MeetingListView.as_view()), name="list"),
    path("meetings/new/<slug:kind>/", views.MeetingScheduleView.as_view(), name="schedule"),
    path("meetings/<int:pk>/", views.MeetingView.as_view(), name="meeting"),
    path("meetings/<int:pk>/change/", views.MeetingChangeView.as_view(), name="change"),
    path("meetings/<int:pk>/cancel/", views.MeetingCancelView.as_view(), name="cancel"),
    path("meetings/<int:pk>/invite/", views.InviteView.as_view(), name="invite"),
    path("meetings/<int:pk>/report/", views.ReportView.as_view(), name="report"),
    path("meetings/<int:pk>/held/", views.HoldView.as_view(), name="hold"),
    path("meetings/<int:pk>/agenda/new/", views.AgendaItemAddView.as_view(), name="agenda-add"),
    path(
        "meetings/<int:pk>/agenda/<int:item>/",
        views.AgendaItemRecordView.as_view(),
        name="agenda-item",
    ),
    path("meetings/<int:pk>/decisions/new/", views.DecisionAddView.as_view(), name="decision-add"),
    path("meetings/<int:pk>/actions/new/", views.MeetingActionAddView.as_view(), name="action-add"),
    path("meetings/<int:pk>/minutes/", views.MinutesView.as_view(), name="minutes"),
    path(
        "meetings/<int:pk>/minutes/approve/",
        views.MinutesApproveView.as_view(),
        name="minutes-approve",
    ),
    path(
        "meetings/<int:pk>/minutes/circulate/",
        views.MinutesCirculateView.as_view(),
        name="minutes-circulate",
    ),
    path("meetings/<int:pk>/icpc/", views.IcpcHeldView.as_view(), name="icpc"),
]
