"""The hearings app's staff actions in the REST API that are not steps of a case's page:
reviewing a party's submission before it is public (the redaction queue) and a member's
declaration of a standing interest. Each calls the same service as the staff workspace's
action or form, which checks who may act and writes the case event; a refusal is a 400 with
the service's reasons, a missing right a 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from commission.models import CommissionMember, Organization

from . import services
from .models import MemberInterest, Submission


def _refused(exc: ValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError({"detail": exc.messages})


class SubmissionReviewInput(serializers.Serializer):
    publish = serializers.BooleanField(
        default=True, help_text="False keeps the submission off the public page."
    )
    public_title = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The title to publish (empty: the filed title); the case's redactor "
        "applies either way.",
    )


class SubmissionReviewedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    reviewed = serializers.BooleanField()
    published = serializers.BooleanField()


class SubmissionViewSet(viewsets.ViewSet):
    """Submissions of the hearings (staff only: nothing here is read)."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        request=SubmissionReviewInput,
        responses={200: SubmissionReviewedSerializer},
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """Review a submission before its title and attachment become public (staff who
        record the hearing; the staff workspace's actions *Publish after review* and *Keep off
        the public page* on Submissions)."""
        # An id beyond the column's range names no submission (and must not reach the query).
        found = int(pk) if pk is not None and len(pk) < 10 else None
        submission = Submission.objects.filter(pk=found).first() if found else None
        if submission is None:
            raise exceptions.NotFound()
        data = SubmissionReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            submission = services.submission_review(
                submission=submission,
                publish=d["publish"],
                public_title=d["public_title"] or None,
                actor=request.user,
            )
        except ValidationError as exc:
            raise _refused(exc) from exc
        return Response(
            {
                "id": submission.pk,
                "number": submission.number,
                "reviewed": submission.reviewed_at is not None,
                "published": submission.reviewed_at is not None and submission.is_public,
            }
        )


class MemberInterestInput(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=CommissionMember.objects.all())
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    nature = serializers.ChoiceField(choices=MemberInterest.Nature.choices)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )
    since = serializers.DateField(required=False, allow_null=True, default=None)
    statement_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Staff recording a member's signed statement: its reference (required).",
    )


class MemberInterestSerializer(serializers.ModelSerializer):
    class Meta:
        model = MemberInterest
        fields = ["id", "member", "organization", "nature", "description", "since"]


class MemberInterestViewSet(viewsets.ViewSet):
    """Members' declared standing interests (declared by the member, or recorded by staff
    from the member's signed statement)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=MemberInterestInput, responses={201: MemberInterestSerializer})
    def create(self, request: Request) -> Response:
        """Declare a member's standing tie to an organization (the staff workspace's *Member
        interests → Add*); a tie to a party of a case the member sits on vacates the seat."""
        data = MemberInterestInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            interest = services.member_interest_declare(actor=request.user, **data.validated_data)
        except ValidationError as exc:
            raise _refused(exc) from exc
        return Response(MemberInterestSerializer(interest).data, status=status.HTTP_201_CREATED)


def register_api(router: Any) -> None:
    router.register("hearing-submissions", SubmissionViewSet, basename="hearing-submission")
    router.register("member-interests", MemberInterestViewSet, basename="member-interest")
