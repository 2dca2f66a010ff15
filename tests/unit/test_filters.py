"""Jinja filters."""

from __future__ import annotations


def test_option_tags_escape_and_mark_the_selected_one() -> None:
    from portal.filters import option_tags

    html = str(option_tags([(1, "De <Brug>"), (2, 'Het "Plein"')], selected=2))
    assert html == (
        '<option value="1">De &lt;Brug&gt;</option>'
        '<option value="2" selected>Het &#34;Plein&#34;</option>'
    )
    assert str(option_tags([], selected=None)) == ""
