"""A reviewer's sign-off, bound to the signed-in account: never typed, never by a designer, only
on a filed check. Approving a verdict that is not compliant needs the reviewer's reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .accounts import AccountError, User
from .filings import ownership

if TYPE_CHECKING:
    from ..evaluate.results import SignOff
    from ..registry.store import Registry


class SignOffRefused(AccountError):
    kind = "sign-off refused"


def sign(registry: "Registry", user: User, check_id: int, decision: str, comment: str = "") -> "SignOff":
    if not user.active or user.role != "reviewer":
        raise SignOffRefused("only a reviewer signs a verdict off",
                             hint="sign in with a reviewer's account (审查人员)",
                             message_zh="只有审查人员可以签署审查意见", hint_zh="请用审查人员账号登录")
    row = registry.get(check_id)
    owner = ownership(registry, check_id) if row is not None else None
    if row is None or (owner is not None and not owner.filed):
        raise SignOffRefused(f"no filed check {check_id}", hint="sign off a check from the review queue",
                             message_zh=f"没有已提交的检查 {check_id}", hint_zh="请从审查队列中选择检查签署")
    if decision == "approved" and row.outcome == "verdict" and row.verdict != "compliant" and not (comment or "").strip():
        raise SignOffRefused(f"the verdict is {row.verdict}: approving it needs your reason",
                             hint="write in the comment why the submission is approved all the same "
                                  "(e.g. which manual-review items you checked)",
                             message_zh="检查结论不是“合规”，同意须写明理由",
                             hint_zh="请在说明中写明同意的理由（例如已核实哪些人工复核项）")
    return registry.sign_off(check_id, user.display_name, decision, comment, signer=user)
