"""The pages' words: Chinese by default, English when asked, never a missing key on screen."""

from __future__ import annotations

from industry_brain.web.i18n import catalogue, normalise, t
from industry_brain.web.pages.layout import PAGES


def test_chinese_is_the_default_and_english_is_switchable():
    assert t("驾驶舱") == "驾驶舱"
    assert t("驾驶舱", "zh-CN") == "驾驶舱"
    assert t("驾驶舱", "en") == "Cockpit"
    assert normalise("fr") == "zh-CN" and t("驾驶舱", "fr") == "驾驶舱"


def test_an_untranslated_string_falls_back_to_chinese():
    assert t("这句还没有英文", "en") == "这句还没有英文"


def test_every_menu_entry_has_an_english_name():
    missing = [label for label, _roles in PAGES.values() if label not in catalogue()]
    assert missing == []


def test_placeholders_are_filled_in_either_language():
    assert t("{n} 户", "zh-CN", n=3) == "3 户"
