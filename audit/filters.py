import django_filters

from audit.models import AuditEvent
from vawg.forms import DateInput


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditEvent.Action.choices, empty_label="Any action")
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label="Who")
    object_type = django_filters.ChoiceFilter(label="What kind of record", empty_label="Any kind", choices=[])
    occurred_from = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label="From", widget=DateInput
    )
    occurred_to = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label="To", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "object_type", "occurred_from", "occurred_to"]

    def __init__(self, *args, object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["object_type"].extra["choices"] = list(object_types)
