from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.models import Notification, NotificationPreference
from notifications.services import notifications_mark_read


@login_required
def notification_list(request):
    items = Notification.objects.for_user(request.user).select_related(
        "actor", "report__assignment__task__directive", "report__assignment__unit", "report__period"
    )
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@login_required
def notification_open(request, pk):
    """Marks one item read and goes to what it is about."""
    item = Notification.objects.for_user(request.user).filter(pk=pk).first()
    if item is None:
        return redirect("notification_list")
    notifications_mark_read(user=request.user, ids=[item.pk])
    return redirect(item.get_absolute_url())


@require_POST
@login_required
def notification_mark_all_read(request):
    notifications_mark_read(user=request.user)
    return redirect("notification_list")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email_mode"]
        widgets = {"email_mode": forms.RadioSelect}


@login_required
def notification_settings(request):
    preference, _created = NotificationPreference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notification_settings")
    return render(request, "notifications/settings.html", {"form": form})
