"""Accountability: each lead's track record, the network's figures, and the referral
network's facts for the 7 PAS pathway."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from marketplace.extensions import db
from referrals.models import REJECT_REASONS, Referral, ReferralStatus


@dataclass
class TrackRecord:
    sent: int = 0
    acknowledged: int = 0
    approved: int = 0
    rejected: int = 0
    reasons: dict = field(default_factory=dict)

    @property
    def approval_rate(self) -> float:
        decided = self.approved + self.rejected
        return self.approved / decided if decided else 0.0


def track_records(lead_ids) -> dict[int, TrackRecord]:
    """Per lead: referrals sent, acknowledged, approved, rejected (with reasons)."""
    out: dict[int, TrackRecord] = {}
    rows = db.session.execute(
        select(
            Referral.lead_id,
            Referral.status,
            Referral.reject_reason,
            Referral.acknowledged_at.is_not(None),
            func.count(Referral.id),
        )
        .where(Referral.lead_id.in_(list(lead_ids)), Referral.sent_at.is_not(None))
        .group_by(
            Referral.lead_id,
            Referral.status,
            Referral.reject_reason,
            Referral.acknowledged_at.is_not(None),
        )
    ).all()
    for lead_id, status, reason, acked, count in rows:
        record = out.setdefault(lead_id, TrackRecord(reasons={}))
        record.sent += count
        record.acknowledged += count if acked else 0
        if status in (ReferralStatus.APPROVED, ReferralStatus.DISBURSED):
            record.approved += count
        elif status == ReferralStatus.REJECTED:
            record.rejected += count
            record.reasons[reason] = record.reasons.get(reason, 0) + count
    return out


def track_record_columns(lead_id: int) -> dict:
    """``track_records``' counts for one lead as scalar subqueries (sent, acknowledged,
    approved, rejected and one per reject reason), so the dossier reads them in the
    pre-screen's SELECT of counts instead of a statement of their own."""
    sent = (Referral.lead_id == lead_id, Referral.sent_at.is_not(None))

    def count(*where):
        return select(func.count(Referral.id)).where(*sent, *where).scalar_subquery()

    columns = {
        "lead_sent": count(),
        "lead_acknowledged": count(Referral.acknowledged_at.is_not(None)),
        "lead_approved": count(
            Referral.status.in_((ReferralStatus.APPROVED, ReferralStatus.DISBURSED))
        ),
        "lead_rejected": count(Referral.status == ReferralStatus.REJECTED),
    }
    for reason in REJECT_REASONS:
        columns[f"lead_rejected_{reason}"] = count(
            Referral.status == ReferralStatus.REJECTED, Referral.reject_reason == reason
        )
    return columns


def track_record_from(facts: dict) -> TrackRecord:
    """The TrackRecord from ``track_record_columns``' values."""
    reasons = {r: int(facts[f"lead_rejected_{r}"] or 0) for r in REJECT_REASONS}
    return TrackRecord(
        sent=int(facts["lead_sent"] or 0),
        acknowledged=int(facts["lead_acknowledged"] or 0),
        approved=int(facts["lead_approved"] or 0),
        rejected=int(facts["lead_rejected"] or 0),
        reasons={r: n for r, n in reasons.items() if n},
    )


def figures() -> dict:
    """Approval rate and days to decision per chapter, per lead and per bank."""
    rows = db.session.execute(
        select(
            Referral.chapter_id,
            Referral.lead_id,
            Referral.bank_id,
            Referral.status,
            Referral.sent_at,
            Referral.decided_at,
        ).where(Referral.sent_at.is_not(None))
    ).all()
    groups: dict[str, dict[int, dict[str, Any]]] = {"chapter": {}, "lead": {}, "bank": {}}
    for chapter_id, lead_id, bank_id, status, sent_at, decided_at in rows:
        for kind, key in (("chapter", chapter_id), ("lead", lead_id), ("bank", bank_id)):
            g = groups[kind].setdefault(key, {"sent": 0, "approved": 0, "rejected": 0, "days": []})
            g["sent"] += 1
            if status in (ReferralStatus.APPROVED, ReferralStatus.DISBURSED):
                g["approved"] += 1
            elif status == ReferralStatus.REJECTED:
                g["rejected"] += 1
            if decided_at and sent_at:
                g["days"].append((decided_at - sent_at).total_seconds() / 86400)
    for table in groups.values():
        for g in table.values():
            decided = g["approved"] + g["rejected"]
            g["approval_rate"] = round(100 * g["approved"] / decided) if decided else None
            g["days_to_decision"] = round(sum(g["days"]) / len(g["days"]), 1) if g["days"] else None
    return groups


def pathway_dates(business_ids) -> dict:
    """For the 7 PAS pathway: ``{"endorsed": SELECT, "permodalan": SELECT}``, each a grouped
    SELECT of ``(business_id, first day)`` (first referral sent, first approval) over the
    businesses ``business_ids`` selects (a SELECT of ids, or None for every business). The
    host joins or counts them; nothing is run here."""
    sent = [Referral.sent_at.is_not(None)]
    if business_ids is not None:
        sent.append(Referral.business_id.in_(business_ids))
    endorsed = (
        select(Referral.business_id, func.min(Referral.sent_at).label("value"))
        .where(*sent)
        .group_by(Referral.business_id)
    )
    approved = (
        select(Referral.business_id, func.min(Referral.decided_at).label("value"))
        .where(
            *sent,
            Referral.status.in_((ReferralStatus.APPROVED, ReferralStatus.DISBURSED)),
            Referral.decided_at.is_not(None),
        )
        .group_by(Referral.business_id)
    )
    return {"endorsed": endorsed, "permodalan": approved}
