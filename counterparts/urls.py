from django.urls import path

from .views import conversation, inbox, proposals, sides

app_name = "counterparts"

urlpatterns = [
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read-all/", inbox.mark_all_read, name="inbox_read_all"),
    path("inbox/<int:pk>/open/", inbox.open_notification, name="inbox_open"),
    path("sides/<int:pk>/confirm/", sides.confirm, name="confirm"),
    path("sides/<int:pk>/dispute/", sides.dispute, name="dispute"),
    path("sides/<int:pk>/answer/", sides.answer, name="answer"),
    path("activities/<int:pk>/comments/", conversation.post_comment, name="comment"),
    path("activities/<int:pk>/propose/", proposals.propose, name="propose"),
    path("proposals/<int:pk>/accept/", proposals.accept, name="accept"),
    path("proposals/<int:pk>/decline/", proposals.decline, name="decline"),
    path("proposals/<int:pk>/withdraw/", proposals.withdraw, name="withdraw"),
]
