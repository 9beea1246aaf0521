from django.apps import AppConfig


class VawgConfig(AppConfig):
    name = "vawg"
    verbose_name = "VAWG Partnership Tracker"
