"""Telegram's text formatting: ``parse_mode`` text -> (plain text, entities).

Follows the parsers of tdlib (which the Bot API server uses) closely enough
that the same inputs are accepted or rejected, with the same error texts:

* HTML: tags b strong i em u ins s strike del tg-spoiler span(class="tg-spoiler")
  a(href) code(class="language-…") pre blockquote(expandable) tg-emoji; the
  entities &lt; &gt; &amp; &quot; and &#NN; / &#xHH;. A ``&`` that does not start
  one of those is kept as a literal ``&`` (real Telegram accepts "Tom & Jerry").
  A bare ``<`` starts a tag, so "a < b" fails with 'Unsupported start tag ""'.
* MarkdownV2: the reserved characters ``_*[]()~`>#+-=|{}.!`` must be escaped
  outside entities; entities * _ __ ~ || ` ``` [text](url), '>' quotes at a line start.
* Markdown (legacy): * _ ` ``` [text](url).

Offsets and lengths of entities are in UTF-16 code units, like the Bot API.
Leading and trailing whitespace is trimmed from the result, as Telegram does.
Simplified: no automatic url/mention/hashtag detection, no tg://user mentions,
custom-emoji ids are not checked.
"""

from __future__ import annotations

import re

__all__ = ["EntityParseError", "UnsupportedParseMode", "parse", "utf16_len"]

SPACES = " \t\r\n\v"


class EntityParseError(ValueError):
    """The text can't be parsed; str(self) is tdlib's message."""


class UnsupportedParseMode(ValueError):
    pass


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def parse(text: str, parse_mode: str | None, entities: list | None = None) -> tuple[str, list[dict]]:
    """The plain text and entities Telegram stores for ``text`` sent with ``parse_mode``."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, found = _parse_html(text)
    elif mode == "markdownv2":
        plain, found = _parse_markdown_v2(text)
    elif mode == "markdown":
        plain, found = _parse_markdown(text)
    elif mode == "":
        plain, found = text, [dict(e) for e in entities or []]
    else:
        raise UnsupportedParseMode(parse_mode)
    return _trim(plain, found)


def _trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    stripped = text.strip(SPACES)
    if not stripped:
        return "", []
    shift = utf16_len(text[: len(text) - len(text.lstrip(SPACES))])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, kept


# --------------------------------------------------------------------- HTML

HTML_TAGS = {
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
    "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
}
SIMPLE_HTML_ENTITIES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler",
}
NAMED_CHARS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_char_ref(text: str, i: int) -> tuple[str, int] | None:
    """Decode the character reference at text[i] == '&' -> (char, next index), or None."""
    j = i + 1
    if text[j : j + 1] == "#":
        hex_ = text[j + 1 : j + 2] == "x"
        j += 2 if hex_ else 1
        start = j
        digits = "0123456789abcdefABCDEF" if hex_ else "0123456789"
        while j < len(text) and text[j] in digits:
            j += 1
        code = int(text[start:j], 16 if hex_ else 10) if j > start else 0
        if code == 0 or code >= 0x10FFFF or j - i >= 10:
            return None
        char = chr(code)
    else:
        while j < len(text) and text[j].isascii() and text[j].isalpha():
            j += 1
        char = NAMED_CHARS.get(text[i + 1 : j])
        if char is None:
            return None
    return char, j + 1 if text[j : j + 1] == ";" else j


def _parse_html(text: str) -> tuple[str, list[dict]]:
    out: list[str] = []
    offset = 0  # UTF-16 offset into the output
    stack: list[tuple[str, str, int, int]] = []  # (tag, argument, utf16 start, out index)
    entities: list[dict] = []
    n = len(text)

    def at(k: int) -> str:
        return text[k] if k < n else ""

    def fail(message: str, index: int) -> EntityParseError:
        return EntityParseError(f"{message} at byte offset {_byte_offset(text, index)}")

    i = 0
    while i < n:
        c = text[i]
        if c == "&" and (decoded := _decode_char_ref(text, i)):
            out.append(decoded[0])
            offset += utf16_len(decoded[0])
            i = decoded[1]
            continue
        if c != "<":
            out.append(c)
            offset += utf16_len(c)
            i += 1
            continue
        begin, i = i, i + 1
        if at(i) != "/":  # start tag
            while i < n and at(i) not in SPACES and at(i) != ">":
                i += 1
            if i >= n:
                raise fail("Unclosed start tag", begin)
            tag = text[begin + 1 : i].lower()
            if tag not in HTML_TAGS:
                raise fail(f'Unsupported start tag "{tag}"', begin)
            argument = ""
            while at(i) != ">":
                while i < n and at(i) in SPACES:
                    i += 1
                if at(i) == ">":
                    break
                if i >= n:
                    raise fail("Unclosed start tag", begin)
                name_start = i
                while i < n and at(i) not in SPACES and at(i) not in "=>":
                    i += 1
                name = text[name_start:i]
                if not name:
                    raise fail(f'Empty attribute name in the tag "{tag}"', begin)
                while i < n and at(i) in SPACES:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and name == "expandable":
                        argument = "expandable"
                        continue
                    raise fail(f'Expected equal sign in declaration of an attribute of the tag "{tag}"', begin)
                i += 1
                while i < n and at(i) in SPACES:
                    i += 1
                if i >= n:
                    raise fail(f'Unclosed start tag "{tag}"', begin)
                value, i = _html_attribute_value(text, i, fail)
                if i >= n:
                    raise fail("Unclosed start tag", begin)
                if (tag, name) in {("a", "href"), ("span", "class"), ("tg-emoji", "emoji-id")}:
                    argument = value
                elif tag == "code" and name == "class" and value.startswith("language-"):
                    argument = value[len("language-"):]
            if tag == "span" and argument != "tg-spoiler":
                raise fail('Tag "span" must have class "tg-spoiler"', begin)
            stack.append((tag, argument, offset, len(out)))
            i += 1
        else:  # end tag
            if not stack:
                raise fail("Unexpected end tag", begin)
            i += 1
            while i < n and at(i) not in SPACES and at(i) != ">":
                i += 1
            end_name = text[begin + 2 : i].lower()
            while i < n and at(i) in SPACES:
                i += 1
            if at(i) != ">":
                raise fail("Unclosed end tag", begin)
            i += 1
            tag, argument, start, out_start = stack.pop()
            if end_name and end_name != tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{tag}>", found "</{end_name}>"'
                )
            if offset > start:
                _add_html_entity(entities, tag, argument, start, offset - start, "".join(out[out_start:]))
    if stack:
        raise EntityParseError(f"Can't find end tag corresponding to start tag {stack[-1][0]}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return "".join(out), entities


def _html_attribute_value(text: str, i: int, fail) -> tuple[str, int]:
    n = len(text)
    if text[i] not in "'\"":  # a name token
        start = i
        while i < n and (text[i].isascii() and text[i].isalnum() or text[i] in ".-"):
            i += 1
        if i < n and text[i] not in SPACES and text[i] != ">":
            raise fail("Unexpected end of name token", start)
        return text[start:i].lower(), i
    quote, i, value = text[i], i + 1, []
    while i < n and text[i] != quote:
        if text[i] == "&" and (decoded := _decode_char_ref(text, i)):
            value.append(decoded[0])
            i = decoded[1]
            continue
        value.append(text[i])
        i += 1
    return "".join(value), i + 1 if i < n else i


def _add_html_entity(entities: list[dict], tag: str, argument: str, offset: int, length: int, inner: str) -> None:
    span = {"offset": offset, "length": length}
    if tag in SIMPLE_HTML_ENTITIES:
        entities.append({"type": SIMPLE_HTML_ENTITIES[tag], **span})
    elif tag == "a":
        entities.append({"type": "text_link", **span, "url": argument or inner})
    elif tag == "tg-emoji":
        entities.append({"type": "custom_emoji", **span, "custom_emoji_id": argument})
    elif tag == "blockquote":
        entities.append({"type": "expandable_blockquote" if argument else "blockquote", **span})
    elif tag == "code":
        entities.append({"type": "code", **span, "language": argument})
    elif tag == "pre":
        last = entities[-1] if entities else None
        if last and last["type"] == "code" and (last["offset"], last["length"]) == (offset, length):
            language = last.get("language")
            entities[-1] = {"type": "pre", **span, **({"language": language} if language else {})}
        else:
            entities.append({"type": "pre", **span})


# --------------------------------------------------------------- MarkdownV2

MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
MDV2_TYPE_NAMES = {  # tdlib's names, used in its error messages
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl", "custom_emoji": "CustomEmoji",
}


def _mdv2_closes(kind: str, text: str, i: int) -> bool:
    c, nxt = text[i], text[i + 1 : i + 2]
    return {
        "bold": c == "*",
        "italic": c == "_" and nxt != "_",
        "underline": c == "_" and nxt == "_",
        "strikethrough": c == "~",
        "spoiler": c == "|" and nxt == "|",
        "code": c == "`",
        "pre": text[i : i + 3] == "```",
        "text_link": c == "]",
        "custom_emoji": c == "]",
    }[kind]


def _parse_markdown_v2(text: str) -> tuple[str, list[dict]]:
    out: list[str] = []
    offset = 0
    stack: list[dict] = []  # open entities: type, start, byte, out, language
    entities: list[dict] = []
    quote_start: int | None = None
    n = len(text)
    i = 0

    def emit(ch: str) -> None:
        nonlocal offset
        out.append(ch)
        offset += utf16_len(ch)

    while i < n:
        c = text[i]
        if (i == 0 or text[i - 1] == "\n") and not stack:  # a line start: quotes
            if c == ">":
                quote_start = offset if quote_start is None else quote_start
                i += 1
                continue
            if quote_start is not None:
                end = offset - 1 if out and out[-1] == "\n" else offset
                if end > quote_start:
                    entities.append({"type": "blockquote", "offset": quote_start, "length": end - quote_start})
                quote_start = None
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        in_code = bool(stack) and stack[-1]["type"] in ("code", "pre")
        if c not in ("`" if in_code else MDV2_RESERVED):
            emit(c)
            i += 1
            continue
        if stack and _mdv2_closes(stack[-1]["type"], text, i):
            i = _mdv2_close(text, i, stack.pop(), out, offset, entities)
            continue
        opened = {"byte": _byte_offset(text, i), "start": offset, "out": len(out)}
        if c == "_" and text[i + 1 : i + 2] == "_":
            opened["type"], i = "underline", i + 2
        elif c in "_*~":
            opened["type"], i = {"_": "italic", "*": "bold", "~": "strikethrough"}[c], i + 1
        elif c == "|" and text[i + 1 : i + 2] == "|":
            opened["type"], i = "spoiler", i + 2
        elif c == "[":
            opened["type"], i = "text_link", i + 1
        elif c == "!" and text[i + 1 : i + 2] == "[":
            opened["type"], i = "custom_emoji", i + 2
        elif text[i : i + 3] == "```":
            opened["type"], i = "pre", i + 3
            end = i
            while end < n and text[end] not in SPACES and text[end] != "`":
                end += 1
            if end > i and end < n and text[end] != "`":
                opened["language"], i = text[i:end], end
            if text[i : i + 1] in ("\n", "\r"):
                i += 2 if text[i + 1 : i + 2] in ("\n", "\r") and text[i + 1] != text[i] else 1
        elif c == "`":
            opened["type"], i = "code", i + 1
        else:
            raise EntityParseError(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        stack.append(opened)
    if stack:
        entity = stack[-1]
        raise EntityParseError(
            f"Can't find end of {MDV2_TYPE_NAMES[entity['type']]} entity at byte offset {entity['byte']}"
        )
    if quote_start is not None and offset > quote_start:
        entities.append({"type": "blockquote", "offset": quote_start, "length": offset - quote_start})
    return "".join(out), entities


def _mdv2_close(text: str, i: int, entity: dict, out: list[str], offset: int, entities: list[dict]) -> int:
    """Close ``entity`` at text[i]; returns the index after its end marker."""
    kind = entity["type"]
    span = {"offset": entity["start"], "length": offset - entity["start"]}
    extra: dict = {}
    i += {"underline": 2, "spoiler": 2, "pre": 3}.get(kind, 1)
    if kind in ("text_link", "custom_emoji"):
        target = "".join(out[entity["out"]:])
        if text[i : i + 1] == "(":
            i += 1
            url_start, chars = i, []
            while i < len(text) and text[i] != ")":
                if text[i] == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
                    chars.append(text[i + 1])
                    i += 2
                    continue
                chars.append(text[i])
                i += 1
            if i >= len(text):
                raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, url_start)}")
            target, i = "".join(chars), i + 1
        extra = {"url": target} if kind == "text_link" else {"custom_emoji_id": target.rpartition("=")[2]}
    elif kind == "pre" and entity.get("language"):
        extra = {"language": entity["language"]}
    if span["length"] > 0:
        entities.append({"type": kind, **span, **extra})
    return i


# ----------------------------------------------------------- legacy Markdown

def _parse_markdown(text: str) -> tuple[str, list[dict]]:
    out: list[str] = []
    offset = 0
    entities: list[dict] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and text[i + 1 : i + 2] in ("_", "*", "`", "["):
            out.append(text[i + 1])
            offset += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            offset += utf16_len(c)
            i += 1
            continue
        begin, end_char, is_pre, language = i, "]" if c == "[" else c, False, ""
        i += 1
        if c == "`" and text[i : i + 2] == "``":
            i, is_pre = i + 2, True
            end = i
            while end < n and text[end] not in SPACES and text[end] != "`":
                end += 1
            if end > i and end < n and text[end] != "`":
                language, i = text[i:end], end
            if text[i : i + 1] in ("\n", "\r"):
                i += 2 if text[i + 1 : i + 2] in ("\n", "\r") and text[i + 1] != text[i] else 1
        start, out_start = offset, len(out)
        while i < n and (text[i] != end_char or (is_pre and text[i + 1 : i + 3] != "``")):
            out.append(text[i])
            offset += utf16_len(text[i])
            i += 1
        if i >= n:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}")
        span = {"offset": start, "length": offset - start}
        i += 3 if is_pre else 1
        if c == "[":
            url = "".join(out[out_start:])
            if text[i : i + 1] == "(":
                close = text.find(")", i)
                close = n if close < 0 else close
                url, i = text[i + 1 : close], close + 1
            if span["length"]:
                entities.append({"type": "text_link", **span, "url": url})
        elif span["length"]:
            kind = {"_": "italic", "*": "bold"}.get(c) or ("pre" if is_pre else "code")
            entities.append({"type": kind, **span, **({"language": language} if language else {})})
    return "".join(out), entities


_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def bot_command_entities(text: str) -> list[dict]:
    """The bot_command entities Telegram attaches to a user's text."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _COMMAND.finditer(text)
    ]
