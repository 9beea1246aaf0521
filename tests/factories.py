import factory
from django.contrib.auth import get_user_model

from partnership.models import Borough, BoroughPopulation, Membership, OperationalGroup, Partnership

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.Sequence(lambda n: f"partnership-{n}")
    short_name = factory.Sequence(lambda n: f"P{n}")


class BoroughFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Borough

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Borough {n}")
    short_name = factory.Sequence(lambda n: f"B{n}")


class BoroughPopulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoroughPopulation

    borough = factory.SubFactory(BoroughFactory)
    year = 2015
    population = 180000
    females_16_plus = 72000


class OperationalGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperationalGroup

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    abbreviation = factory.Sequence(lambda n: f"G{n}")
    kind = OperationalGroup.Kind.OPERATIONAL_GROUP


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    role = Membership.Role.BOARD_MEMBER

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(extracted)
