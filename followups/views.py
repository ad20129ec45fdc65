from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from directives.models import Task
from followups import workflow
from followups.access import evidence_or_404, item_or_404, items_visible_to
from followups.forms import (
    OPEN,
    OVERDUE,
    SORTS,
    ActionForm,
    DirectionForm,
    ItemRecordForm,
    RegisterFilterForm,
    ResponseForm,
    ResupervisionForm,
)
from followups.models import FollowUpAddressee, FollowUpItem, StepAction
from followups.rules import can_answer, can_resupervise
from followups.services import (
    ResponseConflict,
    direction_record,
    document_record,
    item_record,
    item_resupervise,
    item_save_response,
)
from reports.access import report_or_404
from reports.params import query_id
from units.models import Unit
from units.roles import is_administrator, is_office, unit_roles

PAGE_SIZE = 50
ACTION_LABELS = dict(StepAction.choices)


def _with_addressees(queryset):
    return queryset.select_related("document__issuing_unit", "verifying_unit", "task__directive").prefetch_related(
        Prefetch(
            "addressees", queryset=FollowUpAddressee.objects.select_related("unit").order_by("-role", "unit__name")
        )
    )


def register_filter(queryset, data, today):
    """Applies the register's cleaned filters to ``queryset``."""
    if data.get("kind"):
        queryset = queryset.filter(document__kind=data["kind"])
    if data.get("issuer") is not None:
        queryset = queryset.filter(document__issuing_unit__in=data["issuer"])
    if data.get("addressee") is not None:
        queryset = queryset.addressed_to(data["addressee"])
    if data.get("task"):
        queryset = queryset.filter(task=data["task"])
    status = data.get("status")
    if status == OPEN:
        queryset = queryset.open()
    elif status == OVERDUE:
        queryset = queryset.overdue(today)
    elif status:
        queryset = queryset.filter(status=status)
    if data.get("issued_from"):
        queryset = queryset.filter(document__issued_on__gte=data["issued_from"])
    if data.get("issued_to"):
        queryset = queryset.filter(document__issued_on__lte=data["issued_to"])
    return queryset.order_by(*SORTS.get(data.get("sort") or "due", SORTS["due"]))


def register_page(items, number):
    """One page of the filtered, sorted ``items``: the page's ids read from
    the sort's index alone (no row is fetched for the rows skipped), then
    those rows with their document, units and task. Three queries (count,
    ids, rows) and one for the addressed units, whatever the page."""
    page = Paginator(items.values_list("pk", flat=True), PAGE_SIZE).get_page(number)
    ids = list(page.object_list)
    rows = {item.pk: item for item in _with_addressees(FollowUpItem.objects.filter(pk__in=ids)).order_by()}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


@require_safe
@login_required
def register(request):
    """The register at /follow-ups/: the items the user may read, filtered,
    sorted and paginated."""
    today = timezone.localdate()
    form = RegisterFilterForm(request.GET or None)
    items = items_visible_to(request.user)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = register_page(register_filter(items, data, today), request.GET.get("page"))
    for item in page:
        item.overdue_now = item.is_overdue(today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "today": today,
        "query": query.urlencode(),
        "may_record": request.user.has_perm("followups.record_item"),
        "may_direct": request.user.has_perm("followups.record_direction"),
    }
    return render(request, "followups/register.html", context)


def _detail(request, item, *, response_form=None, status=200, conflict=None):
    user = request.user
    steps = item.steps.select_related("by", "unit").prefetch_related("attachments")
    actions = workflow.allowed_actions(item, user)
    today = timezone.localdate()
    context = {
        "item": item,
        "today": today,
        "overdue": item.is_overdue(today),
        "days_overdue": (today - item.due_on).days,
        "addressees": item.addressees.select_related("unit").order_by("-role", "unit__name"),
        "steps": steps,
        "evidence": item.attachments.all(),
        "actions": [(action, ACTION_LABELS[action]) for action in actions],
        "action_form": ActionForm(),
        "may_answer": can_answer(user, item),
        "response_form": response_form
        or ResponseForm(initial={"response": item.response, "expected_version": item.version}),
        "may_resupervise": can_resupervise(user, item) and not item.next_rounds.exists(),
        "resupervision_form": ResupervisionForm(),
        "rounds": item.next_rounds.all(),
        "may_direct": user.has_perm("followups.record_direction"),
        "history": item.history.select_related("history_user").order_by("-history_date")[:50]
        if (is_office(user) or is_administrator(user))
        else None,
        "conflict": conflict,
    }
    return render(request, "followups/item_detail.html", context, status=status)


@require_safe
@login_required
def item_detail(request, pk):
    item = item_or_404(request.user, pk)
    return _detail(request, item)


@require_POST
@login_required
def item_respond(request, pk):
    """The addressed unit saves its progress and evidence (version-checked)."""
    item = item_or_404(request.user, pk)
    form = ResponseForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, item, response_form=form, status=400)
    try:
        item_save_response(
            item=item,
            by=request.user,
            response=form.cleaned_data["response"],
            expected_version=form.cleaned_data["expected_version"],
            uploads=form.cleaned_data["files"],
        )
    except PermissionDenied:
        raise Http404 from None
    except ResponseConflict as conflict:
        form = ResponseForm(
            initial={"response": form.cleaned_data["response"], "expected_version": conflict.current.version}
        )
        return _detail(request, conflict.current, response_form=form, status=409, conflict=conflict)
    except ValidationError as error:
        for message in error.messages:
            form.add_error("files", message)
        return _detail(request, item, response_form=form, status=400)
    messages.success(request, _("Your progress was saved."))
    return redirect("followup_detail", item.pk)


@require_POST
@login_required
def item_action(request, pk, action):
    """A workflow step taken from the item page."""
    item = item_or_404(request.user, pk)
    if action not in workflow.TRANSITIONS:
        raise Http404
    form = ActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("followup_detail", item.pk)
    try:
        workflow.item_transition(
            item=item, action=action, by=request.user, reason=form.cleaned_data["reason"],
            claim=form.cleaned_data["claim"],
        )  # fmt: skip
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[action]})
    return redirect("followup_detail", item.pk)


@require_POST
@login_required
def item_resupervision(request, pk):
    """Opens a re-supervision round (tái giám sát) of a closed item."""
    item = item_or_404(request.user, pk)
    form = ResupervisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("followup_detail", item.pk)
    try:
        new = item_resupervise(
            item=item, by=request.user, deadline=form.cleaned_data["deadline"], text=form.cleaned_data["text"]
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("followup_detail", item.pk)
    messages.success(request, _("Re-supervision round %(round)s opened.") % {"round": new.round})
    return redirect("followup_detail", new.pk)


@login_required
def evidence_download(request, item_pk, pk):
    evidence = evidence_or_404(request.user, item_pk, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type)


@login_required
def document_download(request, pk):
    """The source document's file, for anyone who may read the item."""
    item = item_or_404(request.user, pk)
    document = item.document
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.original_name or "van-ban")


def _issuers(user):
    units = Unit.objects.without_tree_fields().order_by("level", "name")
    if is_office(user) or is_administrator(user):
        return units
    staff = [unit_id for unit_id, roles in unit_roles(user).items() if roles & {"reporter", "head"}]
    return units.filter(pk__in=staff)


@login_required
def item_new(request):
    """Records one item and its source document."""
    if not request.user.has_perm("followups.record_item"):
        raise PermissionDenied
    issuers = _issuers(request.user)
    posted = request.method == "POST"
    form = ItemRecordForm(request.POST if posted else None, request.FILES if posted else None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = document_record(
                kind=data["kind"], issued_on=data["issued_on"], issuing_unit=data["issuing_unit"], by=request.user,
                number=data["number"], title=data["title"], upload=data["file"],
            )  # fmt: skip
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            item = item_record(
                document=document, text=data["text"], lead=data["lead"], coordinating=data["coordinating"],
                deadline=data["deadline"], verifying_unit=data["verifying_unit"], by=request.user,
                number=data["item_number"], task=data["task"],
            )  # fmt: skip
            messages.success(request, _("The item was recorded and the addressed units were told."))
            return redirect("followup_detail", item.pk)
    return render(request, "followups/item_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def direction_new(request):
    """ "Ghi ý kiến chỉ đạo": a committee member or the office records a
    direction on a unit, a task (?task=) or a report (?report=) from where
    they read; it becomes an item addressed to that unit."""
    if not request.user.has_perm("followups.record_direction"):
        raise PermissionDenied
    report = task = None
    initial = {}
    report_id = query_id(request.GET, "report")
    if report_id is not None:
        report = report_or_404(request.user, report_id)
        task = report.assignment.task
        initial["unit"] = report.assignment.unit_id
    task_id = query_id(request.GET, "task")
    if task_id is not None and task is None:
        task = _task_or_404(task_id)
    unit_id = query_id(request.GET, "unit")
    if unit_id is not None:
        if not Unit.objects.filter(pk=unit_id).exists():
            raise Http404
        initial["unit"] = unit_id
    form = DirectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = direction_record(
            unit=data["unit"], text=data["text"], deadline=data["deadline"], by=request.user, task=task,
            about_report=report, verifying_unit=data["verifying_unit"],
        )  # fmt: skip
        messages.success(
            request, _("The direction was recorded and sent to %(unit)s.") % {"unit": data["unit"].display_name}
        )
        return redirect("followup_detail", item.pk)
    context = {"form": form, "report": report, "task": task}
    return render(request, "followups/direction_new.html", context, status=400 if form.errors else 200)


def _task_or_404(pk):
    task = Task.objects.select_related("directive").filter(pk=pk).first()
    if task is None:
        raise Http404
    return task
