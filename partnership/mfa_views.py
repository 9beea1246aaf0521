import math

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from partnership import mfa
from vawg.views import duration_in_words, next_url


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", "width": "10"}),
    )


class ProofForm(forms.Form):
    """Who is asking to change the second factor: the password or a current code, not the session alone."""

    proof = forms.CharField(
        label="Your password or a current code",
        max_length=200,
        strip=False,
        help_text="To change two-factor sign-in, enter your password, the code your authenticator app shows now, or "
        "one of your recovery codes.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password or a current code"},
    )

    def __init__(self, *args, request: HttpRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_proof(self) -> str:
        return _checked_proof(self.request, self.cleaned_data["proof"])


class SetupForm(CodeForm):
    """The new app's code; when it replaces an authenticator, the password or a current code as well."""

    def __init__(self, *args, request: HttpRequest, replacing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "The 6-digit code your authenticator app shows after you add this service."
        self.request = request
        if replacing:
            proof = ProofForm(request=request).fields["proof"]
            proof.help_text = (
                "You already have an authenticator app. To replace it, enter your password, the code your current "
                "app shows, or one of your recovery codes."
            )
            self.fields["proof"] = proof

    def clean_proof(self) -> str:
        if "code" not in self.cleaned_data:
            return ""  # no new code to confirm: not worth spending a recovery code on
        return _checked_proof(self.request, self.cleaned_data["proof"])


def _checked_proof(request: HttpRequest, secret: str) -> str:
    result = mfa.confirm_identity(request=request, secret=secret)
    if result.throttled or (not result and mfa.looks_like_code(secret)):
        raise forms.ValidationError(_refusal(result))
    if not result:
        raise forms.ValidationError("That is not your password, or the code is not right or has been used.")
    _identity_confirmed(request)
    return secret


# Once the password or a code is in, a retry (a mistyped new code) does not ask again for a few minutes; every
# completed change asks afresh.
IDENTITY_CONFIRMED = "vawg_mfa_identity_confirmed_at"
IDENTITY_CONFIRMED_SECONDS = 5 * 60


def _identity_confirmed(request: HttpRequest) -> None:
    request.session[IDENTITY_CONFIRMED] = timezone.now().timestamp()


def _identity_recently_confirmed(request: HttpRequest) -> bool:
    at = request.session.get(IDENTITY_CONFIRMED)
    return at is not None and 0 <= timezone.now().timestamp() - at < IDENTITY_CONFIRMED_SECONDS


def _change_done(request: HttpRequest) -> None:
    request.session.pop(IDENTITY_CONFIRMED, None)


def _proof_form(request: HttpRequest) -> ProofForm | None:
    """The form asking who it is, or None when nothing needs asking (recently confirmed in this session)."""
    if _identity_recently_confirmed(request):
        return None
    return ProofForm(request.POST if request.method == "POST" else None, request=request)


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
    # Replacing an authenticator needs the password or a current code; the first one needs nothing more.
    replacing = mfa.has_authenticator(request.user) and not _identity_recently_confirmed(request)
    form = SetupForm(request.POST or None, request=request, replacing=replacing)
    if request.method == "POST" and form.is_valid():
        wait = mfa.retry_at(device)
        codes = None if wait else mfa.confirm_authenticator(user=request.user, code=form.cleaned_data["code"])
        if codes is not None:
            _change_done(request)
            _verified(request)
            return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        if "proof" in form.fields and _identity_recently_confirmed(request):
            del form.fields["proof"]  # confirmed: a retry with the right new code does not ask again
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


def _manage_page(request: HttpRequest, proof_form: ProofForm | None) -> HttpResponse:
    return render(
        request,
        "registration/mfa_manage.html",
        {
            "has_authenticator": mfa.has_authenticator(request.user),
            "required": mfa.is_required(request.user),
            "recovery_codes_left": mfa.remaining_recovery_codes(request.user),
            "form": proof_form,
        },
    )


@login_required
@require_http_methods(["GET"])
def manage(request: HttpRequest) -> HttpResponse:
    return _manage_page(request, _proof_form(request))


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not mfa.has_authenticator(request.user):
        return redirect("mfa_setup")
    proof = _proof_form(request)
    if proof is not None and not proof.is_valid():
        return _manage_page(request, proof)
    codes = mfa.new_recovery_codes(user=request.user)
    _change_done(request)
    return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": "/"})


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    if mfa.is_required(request.user):
        messages.error(request, "Your role needs two-factor sign-in, so it cannot be turned off.")
        return redirect("mfa_manage")
    if mfa.has_authenticator(request.user):
        proof = _proof_form(request)
        if proof is not None and not proof.is_valid():
            return _manage_page(request, proof)
    mfa.remove(user=request.user)
    _change_done(request)
    request.session[mfa.SESSION_KEY] = mfa.OPTIONAL
    messages.success(request, "Two-factor sign-in is turned off for your account.")
    return redirect("mfa_manage")
