import pytest

from tests.actions.factories import ActionFactory, PriorityFactory, StrategyFactory, UpdateRoundFactory


@pytest.fixture
def plan(world):
    """A strategy 2015-18 with two priorities; action 1.1 answered by CHOG (the coordinator's group) and HOG,
    action 2.1 by HOG only; quarter 2016-17 Q1 open for updates."""

    class Plan:
        strategy = StrategyFactory(partnership=world.partnership, slug="2015-18", first_year=2015, last_year=2017)
        access = PriorityFactory(strategy=strategy, number=1, title="Access")
        response = PriorityFactory(strategy=strategy, number=2, title="Response")
        shared = ActionFactory(
            priority=access, ref="1.1", text="Improve awareness", groups=[world.group, world.other_group]
        )
        housing = ActionFactory(priority=response, ref="2.1", text="Coordinated response", groups=[world.other_group])
        update_round = UpdateRoundFactory(strategy=strategy, year=2016, quarter=1)

    return Plan
