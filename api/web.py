"""The pages around the API: the user's own API keys, and the API's documentation."""

from csp.constants import NONCE
from csp.decorators import csp_update
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

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
    file, so that the site's strict Content-Security-Policy holds."""

    template_name = "api/swagger_ui.html"
    url_name = "api_schema"


# The two <style> elements the Redoc bundle (drf-spectacular-sidecar's, pinned) writes as
# it loads, before Redoc.init can hand it the nonce (an empty one and perfect-scrollbar's
# rules): admitted by their hashes, so that an
# upgrade that changes them fails the browser test rather than slipping through.
REDOC_LOAD_STYLES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]


@method_decorator(
    csp_update({"style-src": [NONCE, *REDOC_LOAD_STYLES], "worker-src": ["blob:"]}),
    name="dispatch",
)
class RedocView(SpectacularRedocView):
    """Redoc from the sidecar's bundle, started by a static script. Redoc
    writes its styles into <style> elements: this page's policy admits them by
    the request's nonce, which Redoc puts on each (its ``nonce`` option), or by
    hash for the two it writes before it has the nonce; its search index runs
    in a worker made from a blob. Nothing else is relaxed: no inline script, no
    other inline style, no image or font from elsewhere (its sidebar's Redocly
    logo, from Redocly's CDN, is blocked and hidden)."""

    template_name = "api/redoc.html"
    url_name = "api_schema"
