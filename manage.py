#!/usr/bin/env python3
import getpass
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg.settings")
    from django.core.management import execute_from_command_line

    # Changes made by commands are attributed to the command and the operating-system account that ran it.
    from audit.context import acting

    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    with acting(source="command", actor_label=f"{getpass.getuser()} via manage.py {command}"):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
