from django.apps import AppConfig


class VawgConfig(AppConfig):
    name = "vawg"
    verbose_name = "VAWG Partnership Tracker"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from vawg.middleware import start_session_clock

        user_logged_in.connect(
            lambda sender, request, user, **kwargs: start_session_clock(request),
            weak=False,
        )
