import math

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from vawg import mfa
from vawg.views import duration_in_words, next_url


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", "width": "10"}),
    )


def _next_url(request: HttpRequest) -> str:
    return next_url(request, "/")


def _refusal(result: mfa.Verification) -> str:
    if result.throttled:
        wait = max(1, math.ceil((result.retry_at - timezone.now()).total_seconds()))
        return (
            f"Too many wrong codes. Wait {duration_in_words(wait)} "
            f"(until {timezone.localtime(result.retry_at):%H:%M:%S}), then try the newest code from your app."
        )
    return "The code is not right, or has been used. Check your app and try the newest code."


def _verified(request: HttpRequest) -> None:
    request.session.cycle_key()  # a new session id once the second factor is in
    request.session[mfa.SESSION_KEY] = mfa.VERIFIED


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.session.get(mfa.SESSION_KEY) != mfa.VERIFY:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = mfa.verify(user=request.user, code=form.cleaned_data["code"])
        if result:
            _verified(request)
            return redirect(_next_url(request))
        form.add_error("code", _refusal(result))
    return render(request, "registration/mfa_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    state = request.session.get(mfa.SESSION_KEY)
    if state == mfa.VERIFY:
        return redirect(f"{reverse('mfa_verify')}?next={request.path}")
    device = mfa.pending_authenticator(request.user)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows after you add this service."
    if request.method == "POST" and form.is_valid():
        wait = mfa.retry_at(device)
        codes = None if wait else mfa.confirm_authenticator(user=request.user, code=form.cleaned_data["code"])
        if codes is not None:
            _verified(request)
            return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        if wait:
            form.add_error("code", _refusal(mfa.Verification(False, retry_at=wait)))
        else:
            form.add_error(
                "code", "The code is not right. Check the time on your phone is set automatically, and try again."
            )
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "qr_code": mfa.qr_code_data_uri(device),
            "secret": mfa.secret_for_typing(device),
            "required": mfa.is_required(request.user),
            "next": _next_url(request),
        },
    )


@login_required
@require_http_methods(["GET"])
def manage(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "registration/mfa_manage.html",
        {
            "has_authenticator": mfa.has_authenticator(request.user),
            "required": mfa.is_required(request.user),
            "recovery_codes_left": mfa.remaining_recovery_codes(request.user),
        },
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not mfa.has_authenticator(request.user):
        return redirect("mfa_setup")
    codes = mfa.new_recovery_codes(user=request.user)
    return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": "/"})


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    if mfa.is_required(request.user):
        messages.error(request, "Your role needs two-factor sign-in, so it cannot be turned off.")
        return redirect("mfa_manage")
    mfa.remove(user=request.user)
    request.session[mfa.SESSION_KEY] = mfa.OPTIONAL
    messages.success(request, "Two-factor sign-in is turned off for your account.")
    return redirect("mfa_manage")
