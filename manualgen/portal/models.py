"""The portal's records: people, companies and their members, invitations, and NSNY's
reviews (each submission round a frozen copy), comments, transitions, letters, reminders.

Every row a company owns is reached through `ScopedManager(company=...)` (django-scopes):
outside `scope(company=...)` such a query raises `ScopeError` instead of answering for
every company. NSNY's pages lift the scope on purpose, with `scopes_disabled()`. A
person's memberships are scoped by the person (`scope(user=...)`).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from manualgen.web.permissions import LABELS, NSNY_ROLES, Role

# The roles are `permissions.Role` (one name each, one table of rights); these are their
# choices as the database stores them.
MEMBER_ROLES = [(r.value, LABELS[r]) for r in (Role.OWNER, Role.MEMBER, Role.CONSULTANT)]
STAFF_ROLES = [("", "Not NSNY staff"), *((r.value, LABELS[r]) for r in NSNY_ROLES)]

DRAFT, SUBMITTED, IN_REVIEW = "draft", "submitted", "in_review"
RETURNED, RESUBMITTED, APPROVED = "returned", "resubmitted", "approved"
STATES = [(DRAFT, "Draft"), (SUBMITTED, "Submitted"), (IN_REVIEW, "In review"),
          (RETURNED, "Returned"), (RESUBMITTED, "Resubmitted"), (APPROVED, "Approved")]
MANUAL, ANNUAL = "manual", "annual"
KINDS = [(MANUAL, "Health and safety manual"), (ANNUAL, "Annual Documentation Review "
                                                        "Submission")]
ACTIONABLE, INFORMATIONAL = "actionable", "informational"
TARGETS = [("general", "The whole submission"), ("category", "A category"),
           ("sample", "A sample"), ("policy", "A policy")]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True, nsny_role=Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address and a password."""

    email = models.EmailField("e-mail address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    title = models.CharField("title", max_length=150, blank=True,
                             help_text="as signed under a letter, like SECOR Advisor")
    nsny_role = models.CharField("NSNY role", max_length=16, choices=STAFF_ROLES, blank=True,
                                 default="")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("may open the admin", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    @property
    def is_nsny(self) -> bool:
        return self.nsny_role in NSNY_ROLES

    def __str__(self) -> str:
        return self.name or self.email


class Company(models.Model):
    """One SECOR company: its workspace is DATA/companies/<folder>/."""

    name = models.CharField(max_length=200)
    folder = models.SlugField(max_length=80, unique=True)
    created = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(company="pk")

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=16, choices=MEMBER_ROLES, default=Role.MEMBER.value)
    since = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(user="user")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company"],
                                               name="one_membership_per_company")]


class Invitation(models.Model):
    """An invitation sent by NSNY (or printed by `manualgen portal invite`)."""

    token = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    company = models.ForeignKey(Company, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="invitations")
    role = models.CharField(max_length=16, choices=MEMBER_ROLES + STAFF_ROLES[1:])
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    expires = models.DateTimeField()
    accepted = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    objects = ScopedManager(company="company")


class Review(models.Model):
    """One thing sent to NSNY for review: the manual, or a year's annual submission."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=16, choices=KINDS)
    name = models.CharField(max_length=80, blank=True)   # the submission folder, for annual
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=STATES, default=DRAFT)
    reviewer = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["-updated"]

    def __str__(self) -> str:
        return self.title


class Round(models.Model):
    """One sending of a review: a frozen copy of exactly what was sent."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    sent = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    folder = models.CharField(max_length=255)            # under DATA/frozen/
    files = models.JSONField(default=list)               # [{"name":, "size":}, ...]
    policies = models.JSONField(default=list)            # policy titles, for a manual

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"],
                                               name="one_round_number_per_review")]


class Transition(models.Model):
    """Who moved a review from one state to the next, and when: the audit trail."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField(max_length=16, choices=STATES)
    target = models.CharField(max_length=16, choices=STATES)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["at", "pk"]


class Comment(models.Model):
    """A reviewer's comment on a round, attached to a category, a sample or a policy."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="comments")
    target_kind = models.CharField(max_length=16, choices=TARGETS, default="general")
    target = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=16, default=ACTIONABLE,
                            choices=[(ACTIONABLE, "Actionable: must be fixed"),
                                     (INFORMATIONAL, "Informational")])
    text = models.TextField()
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    done = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["at", "pk"]


class LetterTemplate(models.Model):
    """NSNY's wording of the Letter of Good Standing; the newest row is the one used, the
    older ones are its history."""

    text = models.TextField()
    saved = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")

    class Meta:
        ordering = ["-saved", "-pk"]


class Letter(models.Model):
    """A Letter of Good Standing, numbered and dated, made when a submission is approved."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="letters")
    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="letter")
    number = models.CharField(max_length=32, unique=True)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    issued = models.DateField()
    file = models.CharField(max_length=255)              # under DATA/frozen/

    objects = ScopedManager(company="company")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "sequence"],
                                               name="one_letter_number_a_year")]


class Reminder(models.Model):
    """An e-mail reminder sent once: its key says what it was about."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    to = models.TextField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    sent = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(company="company")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "key"],
                                               name="one_reminder_per_key")]


class CrewLink(models.Model):
    """A company's crew link: opened on a phone, it lets that phone fill in the company's
    forms and send them (`Action.FILL_FORMS`), nothing else, without an account. Only a
    hash of its token is kept; turning it off (`revoked`) ends every phone's session at
    its next request."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="crew_links")
    label = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    revoked = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.label


QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
BUILD_STATES = [(QUEUED, "Waiting for a worker"), (RUNNING, "Running"), (DONE, "Done"),
                (FAILED, "Failed")]


class Build(models.Model):
    """One long job of a company (a manual, its forms, a submission PDF) run by a worker
    process: its progress lives here, so every web process shows the same page, and a
    build whose worker died is found by its stale heartbeat (see `portal.jobs`)."""

    id = models.CharField(primary_key=True, max_length=32)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)              # manual, forms, submission
    name = models.CharField(max_length=80, blank=True)  # the submission folder
    title = models.CharField(max_length=200)
    done_url = models.CharField(max_length=255)
    state = models.CharField(max_length=16, choices=BUILD_STATES, default=QUEUED)
    stage = models.CharField(max_length=200, default="Waiting for its turn")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=1)
    result = models.TextField(blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    created = models.DateTimeField(default=timezone.now)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=64, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    options = models.JSONField(default=dict, blank=True)    # the BuildSpec, to run again

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["state", "heartbeat"])]
        constraints = [models.UniqueConstraint(
            fields=["company", "kind", "name"], condition=models.Q(state__in=[QUEUED, RUNNING]),
            name="one_running_build_per_key")]

    # what the progress page reads, as of the local app's `Job`
    @property
    def running(self) -> bool:
        return self.state in (QUEUED, RUNNING)

    @property
    def seconds(self) -> float:
        end = self.finished or timezone.now()
        return (end - (self.started or self.created)).total_seconds()

    @property
    def waiting_long(self) -> bool:
        """Queued for over two minutes: no worker is taking builds (the page says so)."""
        return self.state == QUEUED and \
            (timezone.now() - self.created).total_seconds() > 120


class Event(models.Model):
    """One entry of the audit trail besides a review's moves: who read or changed what.

    Written by `portal.audit.record`; NSNY's audit page lists these with the
    transitions. Not scoped: employers never read it."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    company = models.ForeignKey(Company, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]


# --------------------------------------------------------------------------- the library

EDITING, LIB_REVIEW, LIB_RETURNED, LIB_APPROVED = "editing", "in_review", "returned", "approved"
PUBLISHED, WITHDRAWN = "published", "withdrawn"
DRAFT_STATES = [(EDITING, "Being edited"), (LIB_REVIEW, "Waiting for review"),
                (LIB_RETURNED, "Returned to its author"), (LIB_APPROVED, "Approved"),
                (PUBLISHED, "Published"), (WITHDRAWN, "Withdrawn")]
OPEN_DRAFT_STATES = (EDITING, LIB_REVIEW, LIB_RETURNED, LIB_APPROVED)
POLICY, FORM = "policy", "form"
DRAFT_KINDS = [(POLICY, "Policy"), (FORM, "Form template")]


class LibraryDraft(models.Model):
    """A change to one library file, from its first save to its publication: a policy's
    new text, or a form's new Word template (kept in DATA/library-drafts/). Another NSNY
    person reviews it (approves or returns it) before it can be published; the library's
    files change only when a version is published. NSNY's, not a company's: not scoped."""

    kind = models.CharField(max_length=8, choices=DRAFT_KINDS, default=POLICY)
    target = models.CharField(max_length=80)             # the policy's or form's id
    title = models.CharField(max_length=200)
    path = models.CharField(max_length=255)             # in the library, as git names it
    base = models.CharField(max_length=20)              # the library version it started on
    text = models.TextField(blank=True)                 # a policy's whole file
    upload = models.CharField(max_length=255, blank=True)   # a form template's draft file
    note = models.TextField("what changed and why", blank=True)
    state = models.CharField(max_length=12, choices=DRAFT_STATES, default=EDITING)
    errors = models.PositiveIntegerField(default=0)      # the library's checks at last save
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    reviewer = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    reviewed = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    version = models.CharField(max_length=20, blank=True)   # the version that published it

    class Meta:
        ordering = ["-updated"]
        constraints = [models.UniqueConstraint(
            fields=["kind", "target"], condition=models.Q(state__in=OPEN_DRAFT_STATES),
            name="one_open_draft_per_file")]

    @property
    def open(self) -> bool:
        return self.state in OPEN_DRAFT_STATES


class LibraryVersion(models.Model):
    """A published library version: its git commit and tag in DATA/library."""

    version = models.CharField(max_length=20, unique=True)
    commit = models.CharField(max_length=64)
    notes = models.TextField(blank=True)
    published_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    published = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published"]


class PolicyOwner(models.Model):
    """The NSNY person who keeps a policy (reviews it when due, answers for it)."""

    policy = models.CharField(max_length=80, unique=True)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
