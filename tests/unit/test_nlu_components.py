"""The custom Rasa components' pure parts: word segmentation and the gazetteer."""

from __future__ import annotations

import sys

import pytest
import yaml

from bot.settings import PROJECT_ROOT
from bot.text import is_zawgyi, normalise

sys.path.insert(0, str(PROJECT_ROOT / "nlu"))
from components.gazetteer import Gazetteer, fold  # noqa: E402
from components.segmentation import words  # noqa: E402


def texts(text):
    return [w for w, _ in words(text)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ประกันสังคมคนต่างด้าว", ["ประกัน", "สังคม", "คน", "ต่างด้าว"]),
        ("ເງິນບໍານານຖອນເງິນ", ["ເງິນ", "ບໍາ", "ນານ", "ຖອນເງິນ"]),
        ("ប្រាក់សោធននិវត្តន៍", ["ប្រាក់", "សោធន", "និវត្តន៍"]),
        ("လူမှုဖူလုံရေးကတ်", ["လူမှုဖူလုံရေး", "ကတ်"]),
    ],
)
def test_unspaced_scripts_are_segmented_into_words(text, expected):
    assert texts(text) == expected


def test_other_scripts_split_on_spaces_and_drop_punctuation():
    assert texts("Can I get my SOCSO money back?!") == ["Can", "I", "get", "my", "SOCSO", "money", "back"]
    assert texts("rút BHXH 1 lần được không ạ") == ["rút", "BHXH", "1", "lần", "được", "không", "ạ"]


def test_offsets_point_into_the_original_text_in_mixed_scripts():
    text = "hi ประกันสังคม SSO 👍 ok"
    for word, start in words(text):
        assert text[start : start + len(word)] == word
    assert "SSO" in texts(text) and "สังคม" in texts(text)


def test_emoji_only_gives_no_words():
    assert words("👍🙏😭") == []


def test_zawgyi_is_detected_and_converted():
    zawgyi = "လူမႈဖူလံုေရး"
    assert is_zawgyi(zawgyi)
    assert normalise(zawgyi) == "လူမှုဖူလုံရေး"
    assert not is_zawgyi("လူမှုဖူလုံရေး")


SMALL = {
    "country": {
        "ID": {"names": ["Indonesia", "Indo"], "demonyms": ["Indonesian", "orang Indonesia", "TKI"]},
        "MY": {"names": ["Malaysia", "มาเลเซีย"], "demonyms": ["Malaysian"]},
        "VN": {"names": ["Việt Nam", "Vietnam"], "demonyms": []},
        "TH": {"names": ["Thailand", "Thái Lan"], "demonyms": ["Thai"]},
    },
    "scheme": {"SOCSO": ["SOCSO", "PERKESO"], "BPJS_TK": ["BPJS TK", "BPJS Ketenagakerjaan"]},
    "sector": {"domestic": ["maid", "PRT", "giúp việc"], "fishing": ["fishing boat", "ประมง"]},
    "country_cues": {"home": ["from", "back to", "dari"], "host": ["in", "di"]},
    "ignore": ["có thai", "thai sản"],
}


def found(gazetteer, text):
    return [(m.entity, m.value, m.role) for m in gazetteer.find(text)]


def test_names_demonyms_and_cues_give_values_and_roles():
    g = Gazetteer(SMALL)
    assert found(g, "I'm Indonesian, working in Malaysia") == [("country", "ID", "home"), ("country", "MY", "host")]
    assert found(g, "can i take socso money back to indonesia") == [("scheme", "SOCSO", None), ("country", "ID", "home")]
    assert found(g, "sy orang indonesia kerja di malaysia") == [("country", "ID", "home"), ("country", "MY", "host")]


def test_matching_ignores_case_and_latin_diacritics_but_needs_whole_words():
    g = Gazetteer(SMALL)
    assert found(g, "toi o viet nam") == [("country", "VN", None)]
    assert found(g, "INDO") == [("country", "ID", None)]
    assert found(g, "indomie") == []
    assert found(g, "bpjs tk") == [("scheme", "BPJS_TK", None)]


def test_unspaced_scripts_match_inside_text_and_offsets_are_original():
    g = Gazetteer(SMALL)
    text = "ทำงานที่มาเลเซียได้ไหม"
    match = g.find(text)[0]
    assert (match.value, text[match.start : match.end]) == ("MY", "มาเลเซีย")


def test_ignored_phrases_are_not_countries():
    g = Gazetteer(SMALL)
    assert found(g, "em có thai 3 tháng") == []
    assert found(g, "I am Thai") == [("country", "TH", "home")]


def test_fold_keeps_one_character_per_character():
    for text in ("Việt Nam đẹp", "ประกันสังคม", "İstanbul"):
        assert len(fold(text)) == len(text)


def test_the_real_gazetteer_loads_and_maps_every_asean_country():
    data = yaml.safe_load((PROJECT_ROOT / "nlu" / "gazetteer.yml").read_text(encoding="utf-8"))
    g = Gazetteer(data)
    assert {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"} <= set(data["country"])
    assert [m.value for m in g.find("Philippines")] == ["PH"]


@pytest.mark.parametrize("word", ["မရဘူး", "မရပါဘူး", "လာအို", "အာဆီယံ"])
def test_short_unicode_burmese_is_left_alone(word):
    assert normalise(word) == word


def test_sectors_are_found_in_any_script():
    g = Gazetteer(SMALL)
    assert found(g, "saya PRT di indonesia") == [("sector", "domestic", None), ("country", "ID", "host")]
    assert found(g, "em lam giup viec") == [("sector", "domestic", None)]
    assert found(g, "ทำงานประมง") == [("sector", "fishing", None)]
