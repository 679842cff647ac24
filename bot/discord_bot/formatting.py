"""Answers and quiz items -> Discord embeds, within Discord's size limits."""

from __future__ import annotations

from typing import Callable

import discord

from bot.core.models import Answer, BlockKind, Section

# Discord rejects messages over these limits; stay well inside them.
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
FIELD_LIMIT = 1024
TOTAL_EMBED_LIMIT = 6000
# Three hits plus titles, footers and the quiz field fit in the 6000-character total.
SECTION_TEXT_LIMIT = 1400
QUESTION_ECHO_LIMIT = 200
COLOR = discord.Color.teal()

# (text, matched terms, before, after) -> text with the matched words between before and after
Highlighter = Callable[..., str]
# Control characters never occur in a section's text: they mark the highlights while the
# rest is escaped.
_START, _END = "\x02", "\x03"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cut_section_text(text: str, limit: int, source: str) -> str:
    """Cut at a line end where possible, and say where the rest is."""
    if len(text) <= limit:
        return text
    pointer = f"\n…（続きはノートの {source} を見てください）"
    room = limit - len(pointer)
    cut = text.rfind("\n", 0, room)
    return text[: cut if cut > room // 2 else room] + pointer


def answer_content(answer: Answer) -> str:
    question = discord.utils.escape_markdown(clip(answer.question.replace("\n", " "), QUESTION_ECHO_LIMIT))
    if not answer.hits:
        return f"ごめんなさい、ノートには「{question}」に関係する内容が見つかりませんでした。別の言葉で聞いてみてください。"
    return f"「{question}」について、ノートから見つけました。"


def section_description(section: Section, matched: tuple[str, ...], highlight: Highlighter, limit: int) -> str:
    """The section as Discord shows it, from its block kind: code and math in a code
    block (not highlighted: bold marks would show as text there); a table one row a line
    ("header: value / ..."); other text with Discord's own markup escaped and the matched
    words in bold."""
    source = f"{section.file}:{section.line_start}-{section.line_end}"
    if section.kind in (BlockKind.CODE, BlockKind.MATH):
        fence = "```"
        body = section.text.replace("```", "`\u200b``")
        text = cut_section_text(body, limit - 2 * len(fence) - 2, source)
        return f"{fence}\n{text}\n{fence}"
    text = cut_section_text(section.text, limit - limit // 10, source)  # room for escapes
    marked = highlight(text, matched, _START, _END)
    escaped = discord.utils.escape_markdown(marked)
    return clip(escaped.replace(_START, "**").replace(_END, "**"), limit)


def answer_embeds(answer: Answer, highlight: Highlighter) -> list[discord.Embed]:
    embeds = []
    for hit in answer.hits:
        s = hit.section
        source = f"{s.file}:{s.line_start}-{s.line_end}"
        description = section_description(s, hit.matched, highlight, SECTION_TEXT_LIMIT)
        embed = discord.Embed(title=clip(s.title, TITLE_LIMIT), description=description, color=COLOR)
        embed.set_footer(text=f"出典: {source}")
        embeds.append(embed)
    if embeds and answer.quiz:
        lines = [f"Q{i}. {clip(item.question, 300)}" for i, item in enumerate(answer.quiz, start=1)]
        embeds[-1].add_field(name="確認クイズ", value=clip("\n".join(lines), FIELD_LIMIT), inline=False)
    return embeds
