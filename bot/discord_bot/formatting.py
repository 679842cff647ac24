"""Answers and quiz items -> Discord embeds, within Discord's size limits."""

from __future__ import annotations

from typing import Callable

import discord

from bot.core.models import Answer

# Discord rejects messages over these limits; stay well inside them.
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
FIELD_LIMIT = 1024
TOTAL_EMBED_LIMIT = 6000
# Three hits plus titles, footers and the quiz field fit in the 6000-character total.
SECTION_TEXT_LIMIT = 1400
QUESTION_ECHO_LIMIT = 200
COLOR = discord.Color.teal()

Highlighter = Callable[[str, tuple[str, ...]], str]  # (text, matched terms) -> text with **terms**


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


def answer_embeds(answer: Answer, highlight: Highlighter) -> list[discord.Embed]:
    embeds = []
    for hit in answer.hits:
        s = hit.section
        source = f"{s.file}:{s.line_start}-{s.line_end}"
        text = cut_section_text(s.text, SECTION_TEXT_LIMIT, source)
        embed = discord.Embed(title=clip(s.title, TITLE_LIMIT), description=highlight(text, hit.matched), color=COLOR)
        embed.set_footer(text=f"出典: {source}")
        embeds.append(embed)
    if embeds and answer.quiz:
        lines = [f"Q{i}. {clip(item.question, 300)}" for i, item in enumerate(answer.quiz, start=1)]
        embeds[-1].add_field(name="確認クイズ", value=clip("\n".join(lines), FIELD_LIMIT), inline=False)
    return embeds
