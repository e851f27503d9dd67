"""Language of a message: script first, then the bundled identifier, weighed against the worker's choice."""

import pytest

from bot.language import choose, identify, requested_language


@pytest.mark.parametrize(
    "text,lang",
    [
        ("bisa ambil uang bpjs kalau pulang ke indo?", "id"),
        ("pano po mag claim ng sss pag uwi ko sa pinas", "tl"),
        ("e muon rut bhxh 1 lan dc ko a", "vi"),
        ("cho em hỏi về bảo hiểm xã hội ạ", "vi"),
        ("can I take my socso money home when my contract ends", "en"),
        ("ประกันสังคมคนต่างด้าวได้เงินคืนไหมครับ", "th"),
        ("ເງິນບຳນານຂອງຂ້ອຍ", "lo"),
        ("ប្រាក់សោធននិវត្តន៍", "km"),
        ("လူမှုဖူလုံရေးကတ်", "my"),
    ],
)
def test_identify(text, lang):
    assert identify(text)[0] == lang


def test_short_or_unsure_messages_keep_the_current_language():
    assert choose("ok", "id", False) == "id"
    assert choose("hi", None, False) in ("en", "id", "tl", "vi")


def test_a_chosen_language_sticks_for_latin_script_but_a_new_script_wins():
    assert choose("can I take my socso money home when my contract ends", "id", True) == "id"
    assert choose("ประกันสังคมคนต่างด้าวได้เงินคืนไหม", "id", True) == "th"


def test_without_a_choice_the_bot_follows_the_workers_language():
    assert choose("bisa ambil uang bpjs kalau pulang ke indo?", "en", False) == "id"


@pytest.mark.parametrize("text,lang", [("can you speak burmese", "my"), ("bahasa indonesia please", "id"), ("tiếng việt đi", "vi"), ("ภาษาไทยได้ไหม", "th")])
def test_requested_language(text, lang):
    assert requested_language(text) == lang


@pytest.mark.parametrize("text", ["Can I take my SOCSO money home from Malaysia?", "lao động ở Đài Loan", "I work in Vietnam"])
def test_country_names_do_not_switch_the_language(text):
    assert requested_language(text) is None
