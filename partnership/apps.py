from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "partnership"
    verbose_name = "Partnership structure"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from partnership import charts, mfa
        from vawg.middleware import start_session_clock

        def signed_in(sender, request, user, **kwargs):
            start_session_clock(request)
            request.session[mfa.SESSION_KEY] = mfa.state_at_sign_in(user)

        user_logged_in.connect(signed_in, weak=False, dispatch_uid="vawg_signed_in")
        charts.connect()
