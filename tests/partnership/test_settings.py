from django.urls import reverse

from partnership.models import Partnership


def settings_url(world):
    return reverse("partnership:settings", args=[world.partnership.slug])


def form_data(partnership: Partnership, **changes):
    data = {
        "version": partnership.version,
        "short_name": partnership.short_name,
        "suppression_threshold": partnership.suppression_threshold,
        "marac_benchmark_per_10k": partnership.marac_benchmark_per_10k,
        "marac_band_lower_percent": partnership.marac_band_lower_percent,
        "marac_band_upper_percent": partnership.marac_band_upper_percent,
        "rag_wording_red": partnership.rag_wording_red,
        "rag_wording_amber": partnership.rag_wording_amber,
        "rag_wording_green": partnership.rag_wording_green,
        "rag_wording_complete": partnership.rag_wording_complete,
        "rag_wording_not_rated": partnership.rag_wording_not_rated,
    }
    data.update(changes)
    return data


def test_the_lead_rewords_a_rating_and_sets_the_threshold(world, client):
    client.force_login(world.lead)
    response = client.post(
        settings_url(world), form_data(world.partnership, rag_wording_red="Stalled.", suppression_threshold=10)
    )
    assert response.status_code == 302
    world.partnership.refresh_from_db()
    assert (world.partnership.rag_wording_red, world.partnership.suppression_threshold) == ("Stalled.", 10)
    assert world.partnership.version == 2
    home = client.get(reverse("partnership:home", args=[world.partnership.slug])).content.decode()
    assert "Stalled." in home


def test_bad_values_re_render_with_the_error_summary_and_change_nothing(world, client):
    client.force_login(world.lead)
    response = client.post(
        settings_url(world),
        form_data(
            world.partnership, marac_band_lower_percent=120, marac_band_upper_percent=80, suppression_threshold=0
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "<title>Error: " in page
    assert "must not be below the lower edge" in page
    world.partnership.refresh_from_db()
    assert (world.partnership.marac_band_lower_percent, world.partnership.suppression_threshold) == (80, 5)


def test_a_stale_save_is_refused_and_shows_what_changed(world, client):
    client.force_login(world.lead)
    opened = form_data(world.partnership)
    # A colleague saves first...
    assert client.post(settings_url(world), {**opened, "rag_wording_amber": "Colleague's wording"}).status_code == 302
    # ...then the first editor saves from the form they opened earlier.
    response = client.post(settings_url(world), {**opened, "rag_wording_amber": "My wording"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Your changes were not saved" in page
    assert "Colleague&#x27;s wording" in page and "My wording" in page  # theirs beside yours
    world.partnership.refresh_from_db()
    assert world.partnership.rag_wording_amber == "Colleague's wording"


def test_only_the_lead_can_change_settings(world, client):
    for user in (world.board_member, world.coordinator):
        client.force_login(user)
        response = client.post(settings_url(world), form_data(world.partnership, short_name="Hijacked"))
        assert response.status_code == 403
    client.force_login(world.outsider_lead)
    assert client.post(settings_url(world), form_data(world.partnership, short_name="Hijacked")).status_code == 404
    world.partnership.refresh_from_db()
    assert world.partnership.short_name != "Hijacked"
