"""The two shells a copied cURL command comes in: bash (with ``$'…'`` strings) and Windows
cmd (``^`` escapes, then the Microsoft C runtime's argument splitting). Each splits text into
commands of words; a problem is an InputError naming the line or command."""

from __future__ import annotations

import re

from corsinspector.errors import InputError

__all__ = ["bash_commands", "cmd_commands", "looks_like_cmd"]

_ANSI_SIMPLE = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_HEX = "0123456789abcdefABCDEF"


def _ansi_c(text: str, start: int, where: str) -> tuple[str, int]:
    """Decode a ``$'…'`` string whose body starts at ``start``; returns it and the index
    after the closing quote."""
    out: list[str] = []
    i = start
    n = len(text)
    while i < n:
        char = text[i]
        if char == "'":
            return "".join(out), i + 1
        if char != "\\" or i + 1 >= n:
            out.append(char)
            i += 1
            continue
        esc = text[i + 1]
        i += 2
        if esc in _ANSI_SIMPLE:
            out.append(_ANSI_SIMPLE[esc])
        elif esc in "xuU":
            limit = {"x": 2, "u": 4, "U": 8}[esc]
            digits = ""
            while len(digits) < limit and i < n and text[i] in _HEX:
                digits += text[i]
                i += 1
            if not digits:
                out.append("\\" + esc)
            else:
                code = int(digits, 16)
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise InputError(where, f"\\{esc}{digits} is not a character")
                out.append(chr(code))
        elif esc in "01234567":
            digits = esc
            while len(digits) < 3 and i < n and text[i] in "01234567":
                digits += text[i]
                i += 1
            out.append(chr(int(digits, 8) & 0xFF))
        elif esc == "c" and i < n:
            out.append(chr(ord(text[i]) & 0x1F))
            i += 1
        else:
            out.append("\\" + esc)
    raise InputError(where, "a $'…' string is not closed")


def bash_commands(text: str, source: str) -> list[list[str]]:
    """Split bash text into commands (``;``, ``&&``-free newlines) of words."""
    commands: list[list[str]] = []
    words: list[str] = []
    word: list[str] = []
    in_word = False
    i = 0
    n = len(text)
    line = 1

    def where() -> str:
        return f"{source}:{line}"

    def end_word() -> None:
        nonlocal word, in_word
        if in_word:
            words.append("".join(word))
        word = []
        in_word = False

    def end_command() -> None:
        nonlocal words
        end_word()
        if words:
            commands.append(words)
        words = []

    while i < n:
        char = text[i]
        if char == "\\":
            if i + 1 < n and text[i + 1] == "\n":
                line += 1
                i += 2
            elif text.startswith("\r\n", i + 1):
                line += 1
                i += 3
            elif i + 1 < n:
                word.append(text[i + 1])
                in_word = True
                i += 2
            else:
                i += 1
        elif char in " \t\r":
            end_word()
            i += 1
        elif char in "\n;":
            if char == "\n":
                line += 1
            end_command()
            i += 1
        elif char == "'":
            close = text.find("'", i + 1)
            if close < 0:
                raise InputError(where(), "a '…' string is not closed")
            chunk = text[i + 1 : close]
            line += chunk.count("\n")
            word.append(chunk)
            in_word = True
            i = close + 1
        elif char == "$" and i + 1 < n and text[i + 1] == "'":
            value, i = _ansi_c(text, i + 2, where())
            word.append(value)
            in_word = True
        elif char == '"':
            i += 1
            while True:
                if i >= n:
                    raise InputError(where(), 'a "…" string is not closed')
                c = text[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
                    if text[i + 1] != "\n":
                        word.append(text[i + 1])
                    else:
                        line += 1
                    i += 2
                    continue
                if c == "\n":
                    line += 1
                word.append(c)
                i += 1
            in_word = True
        elif char == "#" and not in_word:
            while i < n and text[i] != "\n":
                i += 1
        elif char in "|&<>()`":
            raise InputError(
                where(), f"shell operator {char!r} is not supported: paste curl commands only"
            )
        else:
            word.append(char)
            in_word = True
            i += 1
    end_command()
    return commands


def cmd_commands(text: str, source: str) -> list[list[str]]:
    """Split Windows cmd text (as Chrome's "Copy as cURL (cmd)" writes it) into commands.

    First cmd.exe's pass: ``^`` escapes the next character (``^`` + newline + newline is
    a newline; ``^`` at a line's end continues it), unescaped ``"`` toggles cmd's quoting,
    an unescaped ``&`` at a line's end or a newline ends a command. Then each command line
    is split into arguments as the Microsoft C runtime does."""
    lines: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "^" and not quoted:
            if i + 1 >= n:
                i += 1
            elif text[i + 1] in "\r\n":
                i += 3 if text.startswith("\r\n", i + 1) else 2
                if i < n and text[i] in "\r\n":
                    current.append("\n")
                    i += 2 if text.startswith("\r\n", i) else 1
            else:
                # An escaped quote does not toggle cmd's quoting; mark it for the runtime.
                current.append("\x00" if text[i + 1] == '"' else text[i + 1])
                i += 2
        elif char == '"':
            quoted = not quoted
            current.append(char)
            i += 1
        elif char in "\r\n":
            quoted = False
            lines.append("".join(current))
            current = []
            i += 1
        elif char == "&" and not quoted and text[i + 1 :].split("\n", 1)[0].strip() in ("", "&"):
            lines.append("".join(current))
            current = []
            i += 1
        else:
            current.append(char)
            i += 1
    lines.append("".join(current))
    commands = []
    for index, line in enumerate(lines):
        words = _msvcrt_split(line.replace("\x00", '"'), f"{source}: command {index + 1}")
        if words:
            commands.append(words)
    return commands


def _msvcrt_split(line: str, where: str) -> list[str]:
    words: list[str] = []
    word: list[str] = []
    in_word = False
    quoted = False
    i = 0
    n = len(line)
    while i < n:
        char = line[i]
        if char == "\\":
            run = 0
            while i < n and line[i] == "\\":
                run += 1
                i += 1
            if i < n and line[i] == '"':
                word.append("\\" * (run // 2))
                if run % 2:
                    word.append('"')
                    i += 1
            else:
                word.append("\\" * run)
            in_word = True
        elif char == '"':
            if quoted and i + 1 < n and line[i + 1] == '"':
                word.append('"')
                i += 2
            else:
                quoted = not quoted
                i += 1
            in_word = True
        elif char in " \t" and not quoted:
            if in_word:
                words.append("".join(word))
            word = []
            in_word = False
            i += 1
        else:
            word.append(char)
            in_word = True
            i += 1
    if quoted:
        raise InputError(where, 'a "…" string is not closed')
    if in_word:
        words.append("".join(word))
    return words


def looks_like_cmd(text: str) -> bool:
    return '^"' in text or bool(re.search(r" \^\r?\n", text))
