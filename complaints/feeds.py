"""Atom feeds of the public docket (Django's syndication framework): new filings and decisions
across the docket, and every public event of one case. Both read only public case events —
the same rows as the docket's timelines — so nothing confidential reaches a feed."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from commission.models import CaseEvent
from commission.naming import commission_name

from . import selectors
from .labels import event_detail, event_label

FEED_LENGTH = 50
# The docket's news: a case filed, a decision issued.
DOCKET_VERBS = ("filed", "decision_issued")


class _EventFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, item: CaseEvent) -> str:
        return f"{item.docket_number} — {event_label(item)}"

    def item_description(self, item: CaseEvent) -> str:
        return event_detail(item) or event_label(item)

    def item_link(self, item: CaseEvent) -> str:
        return reverse("complaints:docket-case", kwargs={"docket_number": item.docket_number})

    def item_guid(self, item: CaseEvent) -> str:
        return f"{self.item_link(item)}#event-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: CaseEvent):
        return item.occurred_at

    def item_updateddate(self, item: CaseEvent):
        return item.occurred_at


class DocketFeed(_EventFeed):
    def title(self) -> str:
        return _("%(name)s: new filings and decisions") % {"name": commission_name()}

    def subtitle(self) -> str:
        return _("Complaints and petitions filed, and decisions issued, on the public docket.")

    def link(self) -> str:
        return reverse("complaints:docket")

    def items(self):
        return (
            CaseEvent.objects.public()
            .filter(verb__in=DOCKET_VERBS)
            .exclude(docket_number="")
            .order_by("-occurred_at", "-pk")[:FEED_LENGTH]
        )


class CaseFeed(_EventFeed):
    def get_object(self, request, docket_number: str):
        case = selectors.case_get(docket_number=docket_number)
        if case is None:
            raise Http404
        self._docket_number = case.docket_number
        return case

    def item_link(self, item: CaseEvent) -> str:
        return reverse("complaints:docket-case", kwargs={"docket_number": self._docket_number})

    def item_title(self, item: CaseEvent) -> str:
        return f"{self._docket_number} — {event_label(item)}"

    def title(self, obj) -> str:
        return _("%(docket)s: public events") % {"docket": obj.docket_number}

    def subtitle(self, obj) -> str:
        return _("Every public event of %(docket)s on the docket of %(name)s.") % {
            "docket": obj.docket_number,
            "name": commission_name(),
        }

    def link(self, obj) -> str:
        return reverse("complaints:docket-case", kwargs={"docket_number": obj.docket_number})

    def items(self, obj):
        return selectors.case_events(case=obj, public_only=True).order_by("-occurred_at", "-pk")[
            :FEED_LENGTH
        ]
