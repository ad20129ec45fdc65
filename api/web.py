"""The pages around the API: the user's own API keys, and the API's documentation."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from drf_spectacular.views import SpectacularSwaggerSplitView

from api.keys import apikey_create, apikey_revoke
from api.models import ApiKey


class KeyForm(forms.ModelForm):
    read_only = forms.TypedChoiceField(
        label=gettext_lazy("Access"),
        choices=[("1", gettext_lazy("Read only")), ("0", gettext_lazy("Read and write"))],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
        help_text=gettext_lazy("A key can never do more than you can on the pages."),
    )

    class Meta:
        model = ApiKey
        fields = ["name", "read_only"]


@login_required
def api_keys(request):
    """The user's own keys: make one (shown once), see when each was last used, revoke."""
    form = KeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        key, new_key = apikey_create(
            user=request.user, name=form.cleaned_data["name"], read_only=form.cleaned_data["read_only"]
        )
        form = KeyForm()
    keys = ApiKey.objects.filter(user=request.user).order_by("revoked_at", "-created_at", "-pk")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "api/keys.html", {"form": form, "keys": keys, "new_key": new_key}, status=status)


@require_POST
@login_required
def api_key_revoke(request, pk):
    key = get_object_or_404(ApiKey, pk=pk, user=request.user)
    if apikey_revoke(key=key):
        messages.success(request, _("The key “%(name)s” was revoked.") % {"name": key.name})
    return redirect("api_keys")


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the app's own static files (the sidecar); its start-up
    script is a separate request (``?script``) and its page's styles a static
    file, so that the site's strict Content-Security-Policy holds. (Redoc is
    not offered: it injects <style> elements, which that policy refuses.)"""

    template_name = "api/swagger_ui.html"
    url_name = "api_schema"
