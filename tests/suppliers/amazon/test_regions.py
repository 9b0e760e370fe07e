from suppliers.plugins.amazon.regions import Page, attr, text_of


def test_region_ends_at_the_matching_close_tag_of_nested_same_name_tags():
    page = Page('<div id="outer"><div><div>a</div></div><br/>b</div><div>after</div>')

    assert page.region("outer") == '<div id="outer"><div><div>a</div></div><br/>b</div>'


def test_single_quoted_ids_are_found():
    assert Page("<span id='price'>$5</span>").region("price") == "<span id='price'>$5</span>"


def test_attributes_ending_in_id_are_not_ids():
    page = Page('<div data-csa-c-slot-id="title"></div><h1 id="title">Kettle</h1>')

    assert page.region("title") == '<h1 id="title">Kettle</h1>'


def test_repeated_ids_give_every_element():
    page = Page('<p id="x">one</p><p id="x">two</p>')

    assert [text_of(fragment) for fragment in page.regions("x")] == ["one", "two"]


def test_missing_id_is_none():
    assert Page("<p>nothing</p>").region("x") is None


def test_text_of_drops_scripts_and_decodes_entities():
    assert text_of("<div> Tom &amp; Jerry <script>var a = '<b>x</b>';</script>\n Show </div>") == "Tom & Jerry Show"


def test_attr_reads_the_first_value_decoded():
    assert attr('<input id="ASIN" value="B0&#48;TEST">', "value") == "B00TEST"


def test_ids_inside_scripts_are_not_regions_but_count_as_present():
    page = Page(
        "<script>var t = '<div id=\"x\">in script</div>';</script>"
        '<script type="a"></script><p id="x">after</p><script>"<i id=\'y\'>late</i>"'
    )

    assert page.regions("x") == ['<p id="x">after</p>']
    assert page.region("y") is None
    assert page.has_id("y")


def test_an_id_before_any_script_is_a_region():
    assert Page('<b id="z">first</b><script>"<b id="z">s</b>"</script>').regions("z") == ['<b id="z">first</b>']
