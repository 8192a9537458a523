"""What every GitOps repository must do: a commit per promotion on its branch, never made twice."""

from __future__ import annotations

from handlers.ports import GitOps

FILES = {"otelcol/process-metrics/config.yaml": "receivers: {}\n"}


class GitOpsContract:
    """Subclass with a ``gitops`` fixture yielding an empty repository."""

    async def test_a_commit_is_made_on_the_branch_asked_for(self, gitops: GitOps) -> None:
        made = await gitops.commit(
            branch="phoenix/x-topk", files=FILES, message="Promote topk\n\nKey: 1\n", key="Key: 1"
        )
        assert made.branch == "phoenix/x-topk"
        assert len(made.commit_id) >= 7
        assert made.repository

    async def test_a_commit_whose_key_is_on_the_branch_already_is_returned_not_made_again(
        self, gitops: GitOps
    ) -> None:
        first = await gitops.commit(
            branch="phoenix/y", files=FILES, message="m\n\nK: 1\n", key="K: 1"
        )
        again = await gitops.commit(
            branch="phoenix/y", files=FILES, message="m\n\nK: 1\n", key="K: 1"
        )
        assert again == first

    async def test_another_key_on_the_same_branch_is_a_new_commit(self, gitops: GitOps) -> None:
        first = await gitops.commit(
            branch="phoenix/z", files=FILES, message="m\n\nK: 1\n", key="K: 1"
        )
        second = await gitops.commit(
            branch="phoenix/z", files={"a.yaml": "a\n"}, message="m\n\nK: 2\n", key="K: 2"
        )
        assert second.commit_id != first.commit_id and second.branch == "phoenix/z"

    async def test_a_key_counts_on_its_own_branch_only(self, gitops: GitOps) -> None:
        one = await gitops.commit(
            branch="phoenix/a", files=FILES, message="m\n\nK: 1\n", key="K: 1"
        )
        two = await gitops.commit(
            branch="phoenix/b", files=FILES, message="m\n\nK: 1\n", key="K: 1"
        )
        assert (one.branch, two.branch) == ("phoenix/a", "phoenix/b")
