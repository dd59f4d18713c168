"""Test data builders with explicit keyword arguments (Indico/CTFd style)."""

import itertools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter, ChapterLead, Kelurahan
from marketplace.extensions import db

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def chapter(slug: str) -> Chapter:
    return db.session.scalar(select(Chapter).where(Chapter.slug == slug))


def make_user(
    *, email=None, name="Siti Rahayu", password=PASSWORD, is_admin=False, phone=None
) -> User:
    from marketplace.accounts.services import register_user

    n = next(_seq)
    user = register_user(
        email=email or f"user{n}@example.com",
        password=password,
        name=name,
        phone=phone,
        is_admin=is_admin,
    )
    db.session.commit()
    return user


def make_lead(*, chapter: Chapter, user: User | None = None) -> User:
    user = user or make_user(name=f"Pengurus {chapter.name}")
    db.session.add(ChapterLead(chapter_id=chapter.id, user_id=user.id))
    db.session.commit()
    return user


def make_business(
    *, chapter: Chapter, owner: User | None = None, name=None, nib="9120003849102", scale="mikro"
) -> Business:
    from marketplace.core.crypto import encrypt_text

    owner = owner or make_user(name="Budi Santoso")
    kelurahan = db.session.scalar(
        select(Kelurahan).where(Kelurahan.chapter_id == chapter.id).order_by(Kelurahan.code)
    )
    business = Business(
        owner_id=owner.id,
        chapter_id=chapter.id,
        kelurahan_code=kelurahan.code,
        name=name or f"Usaha {next(_seq)}",
        nik_encrypted=encrypt_text("3171011708450001"),
        nik_masked="3171********0001",
        nib=nib,
        scale=scale,
        sector="kuliner",
        started_on=date(2022, 1, 1),
        address_line="Jl. Melati No. 1",
        postal_code=kelurahan.postal_code,
        whatsapp_e164="+6281234567890",
    )
    db.session.add(business)
    db.session.commit()
    return business


@dataclass
class World:
    tebet: Chapter
    cakung: Chapter
    lead_tebet: User
    lead_cakung: User
    biz_tebet: Business
    biz_cakung: Business
    consumer_a: User
    consumer_b: User
    admin: User


def make_world() -> World:
    tebet, cakung = chapter("tebet"), chapter("cakung")
    return World(
        tebet=tebet,
        cakung=cakung,
        lead_tebet=make_lead(chapter=tebet),
        lead_cakung=make_lead(chapter=cakung),
        biz_tebet=make_business(chapter=tebet, name="Keripik Bu Tini"),
        biz_cakung=make_business(chapter=cakung, name="Batik Pak Joko"),
        consumer_a=make_user(name="Ani"),
        consumer_b=make_user(name="Bayu"),
        admin=make_user(name="Admin", is_admin=True),
    )
